// json.ts — a strict JSON (RFC 8259) reader for filter configurations.
//
// parseJson(text) returns a JsonResult: either a tree of JsonValue or an error message with the
// offset where it was found. It never traps, whatever the input.
//
// Strictness (all of these are errors, not warnings):
//  - trailing garbage after the top value, leading zeros ("01"), "+1", ".5", "1.", NaN/Infinity,
//    numbers that overflow an f64 (1e400);
//  - bad escapes ("\x"), control characters U+0000..U+001F inside strings, unpaired surrogates
//    (from \u escapes or raw in the text);
//  - duplicate keys in one object (a config with two "limit" keys is a typo, not a choice);
//  - nesting deeper than maxDepth (default 64), text longer than maxLength (default 4 MiB chars).
// Objects keep their key order. Numbers are kept as f64; JsonValue.isInteger() says whether the
// value is integral and within ±(2^53 − 1), so "integer" config fields never silently round.
//
// Offsets are in UTF-16 code units of the text (the same as byte offsets for ASCII input).
// parseJsonUtf8(bytes) first checks the bytes are well-formed UTF-8 (an error names the byte
// offset of the first bad sequence) and then parses.
// Limits: recursion is bounded by maxDepth; memory is bounded by maxLength.

import { isWellFormedUtf8 } from "./utf8";

export const enum JsonKind { Null = 0, Bool = 1, Number = 2, String = 3, Array = 4, Object = 5 }

const KIND_NAMES: string[] = ["null", "boolean", "number", "string", "array", "object"];

/** Name of a kind ("null", "boolean", "number", "string", "array", "object"). */
export function jsonKindName(kind: i32): string {
  return kind >= 0 && kind < KIND_NAMES.length ? unchecked(KIND_NAMES[kind]) : "absent";
}

/** 2^53 − 1: the largest integer an f64 holds exactly with all smaller ones. */
export const MAX_SAFE_INTEGER: f64 = 9007199254740991.0;

export class JsonValue {
  kind: JsonKind = JsonKind.Null;
  bool: bool = false;
  num: f64 = 0;
  str: string = "";
  arr: JsonValue[] | null = null;
  obj: JsonObject | null = null;

  static null(): JsonValue { return new JsonValue(); }
  static fromBool(b: bool): JsonValue { const v = new JsonValue(); v.kind = JsonKind.Bool; v.bool = b; return v; }
  static fromNumber(n: f64): JsonValue { const v = new JsonValue(); v.kind = JsonKind.Number; v.num = n; return v; }
  static fromString(s: string): JsonValue { const v = new JsonValue(); v.kind = JsonKind.String; v.str = s; return v; }
  static fromArray(a: JsonValue[]): JsonValue { const v = new JsonValue(); v.kind = JsonKind.Array; v.arr = a; return v; }
  static fromObject(o: JsonObject): JsonValue { const v = new JsonValue(); v.kind = JsonKind.Object; v.obj = o; return v; }

  get isNull(): bool { return this.kind == JsonKind.Null; }
  get isBool(): bool { return this.kind == JsonKind.Bool; }
  get isNumber(): bool { return this.kind == JsonKind.Number; }
  get isString(): bool { return this.kind == JsonKind.String; }
  get isArray(): bool { return this.kind == JsonKind.Array; }
  get isObject(): bool { return this.kind == JsonKind.Object; }
  /** A number with no fractional part whose magnitude is at most 2^53 − 1. */
  isInteger(): bool {
    if (this.kind != JsonKind.Number) return false;
    const n = this.num;
    return n == Math.floor(n) && Math.abs(n) <= MAX_SAFE_INTEGER;
  }
  get kindName(): string { return jsonKindName(this.kind); }
  /** The array items, or an empty array when this is not an array (never null). */
  items(): JsonValue[] { const a = this.arr; return a !== null ? a : []; }
}

/** An object: keys in document order, with an index for lookups. */
export class JsonObject {
  keys: string[] = [];
  values: JsonValue[] = [];
  private index: Map<string, i32> = new Map();

  get size(): i32 { return this.keys.length; }
  has(key: string): bool { return this.index.has(key); }
  /** Adds a member; returns false (and changes nothing) when the key is already present. */
  add(key: string, value: JsonValue): bool {
    if (this.index.has(key)) return false;
    this.index.set(key, this.keys.length);
    this.keys.push(key);
    this.values.push(value);
    return true;
  }
  get(key: string): JsonValue | null {
    if (!this.index.has(key)) return null;
    return unchecked(this.values[this.index.get(key)]);
  }
  /** The kind of a member, or -1 when absent. */
  kindOf(key: string): i32 {
    const v = this.get(key);
    return v === null ? -1 : <i32>v.kind;
  }
  getString(key: string): string | null {
    const v = this.get(key);
    return v !== null && v.kind == JsonKind.String ? v.str : null;
  }
  getBool(key: string, fallback: bool): bool {
    const v = this.get(key);
    return v !== null && v.kind == JsonKind.Bool ? v.bool : fallback;
  }
  getNumber(key: string, fallback: f64): f64 {
    const v = this.get(key);
    return v !== null && v.kind == JsonKind.Number ? v.num : fallback;
  }
  /** The member as an i64 when it is a safe integer, otherwise fallback. */
  getInt(key: string, fallback: i64): i64 {
    const v = this.get(key);
    return v !== null && v.isInteger() ? <i64>v.num : fallback;
  }
  getArray(key: string): JsonValue[] | null {
    const v = this.get(key);
    return v !== null && v.kind == JsonKind.Array ? v.arr : null;
  }
  getObject(key: string): JsonObject | null {
    const v = this.get(key);
    return v !== null && v.kind == JsonKind.Object ? v.obj : null;
  }
  /** Keys not in `allowed`, in document order (configs reject them so typos fail loudly). */
  unknownKeys(allowed: string[]): string[] {
    const out: string[] = [];
    for (let i = 0, n = this.keys.length; i < n; i++) {
      const k = unchecked(this.keys[i]);
      if (!allowed.includes(k)) out.push(k);
    }
    return out;
  }
}

export class JsonResult {
  constructor(public value: JsonValue | null, public error: string, public offset: i32) {}
  get ok(): bool { return this.value !== null; }
  /** "offset 12: expected ':'" — or "" when ok. */
  toString(): string { return this.value !== null ? "" : "offset " + this.offset.toString() + ": " + this.error; }
}

export const DEFAULT_MAX_DEPTH: i32 = 64;
export const DEFAULT_MAX_LENGTH: i32 = 4 << 20;

/** Parses UTF-8 bytes: rejects malformed UTF-8 (offset = byte offset), then parses the text. */
export function parseJsonUtf8(bytes: Uint8Array, maxDepth: i32 = DEFAULT_MAX_DEPTH, maxLength: i32 = DEFAULT_MAX_LENGTH): JsonResult {
  if (bytes.length > maxLength) return new JsonResult(null, "document too large", maxLength);
  const bad = isWellFormedUtf8(bytes);
  if (bad >= 0) return new JsonResult(null, "invalid UTF-8", bad);
  return parseJson(String.UTF8.decodeUnsafe(bytes.dataStart, bytes.length), maxDepth, maxLength);
}

/** Parses a JSON text. Never traps. */
export function parseJson(text: string, maxDepth: i32 = DEFAULT_MAX_DEPTH, maxLength: i32 = DEFAULT_MAX_LENGTH): JsonResult {
  if (text.length > maxLength) return new JsonResult(null, "document too large", maxLength);
  const p = new Parser(text, maxDepth);
  p.skipWs();
  const v = p.value(0);
  if (v !== null) {
    p.skipWs();
    if (p.pos < p.len) return new JsonResult(null, "unexpected data after the value", p.pos);
    return new JsonResult(v, "", 0);
  }
  return new JsonResult(null, p.err, p.errPos);
}

// @ts-ignore: decorator
@inline function isDigit(c: i32): bool { return <u32>(c - 48) < 10; }

class Parser {
  pos: i32 = 0;
  len: i32;
  err: string = "";
  errPos: i32 = 0;
  constructor(public s: string, public maxDepth: i32) { this.len = s.length; }

  @inline ch(i: i32): i32 { return i < this.len ? <i32>this.s.charCodeAt(i) : -1; }

  fail(msg: string, at: i32): JsonValue | null {
    if (this.err.length == 0) { this.err = msg; this.errPos = at; }
    return null;
  }

  skipWs(): void {
    while (this.pos < this.len) {
      const c = this.s.charCodeAt(this.pos);
      if (c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09) this.pos++;
      else break;
    }
  }

  value(depth: i32): JsonValue | null {
    const c = this.ch(this.pos);
    if (c == 0x7B /* { */ || c == 0x5B /* [ */) {
      if (depth >= this.maxDepth) return this.fail("nesting deeper than " + this.maxDepth.toString(), this.pos);
      return c == 0x7B ? this.object(depth + 1) : this.array(depth + 1);
    }
    if (c == 0x22) {
      const s = this.string();
      return s !== null ? JsonValue.fromString(s) : null;
    }
    if (c == 0x2D || isDigit(c)) return this.number();
    if (this.word("true")) return JsonValue.fromBool(true);
    if (this.word("false")) return JsonValue.fromBool(false);
    if (this.word("null")) return JsonValue.null();
    if (c < 0) return this.fail("unexpected end of input", this.pos);
    return this.fail("unexpected character", this.pos);
  }

  word(w: string): bool {
    const n = w.length;
    if (this.pos + n > this.len) return false;
    for (let i = 0; i < n; i++) if (this.s.charCodeAt(this.pos + i) != w.charCodeAt(i)) return false;
    this.pos += n;
    return true;
  }

  object(depth: i32): JsonValue | null {
    const obj = new JsonObject();
    this.pos++; // {
    this.skipWs();
    if (this.ch(this.pos) == 0x7D) { this.pos++; return JsonValue.fromObject(obj); }
    while (true) {
      if (this.ch(this.pos) != 0x22) return this.fail("expected a string key", this.pos);
      const keyPos = this.pos;
      const key = this.string();
      if (key === null) return null;
      this.skipWs();
      if (this.ch(this.pos) != 0x3A) return this.fail("expected ':'", this.pos);
      this.pos++;
      this.skipWs();
      const v = this.value(depth);
      if (v === null) return null;
      if (!obj.add(key, v)) return this.fail("duplicate key \"" + key + "\"", keyPos);
      this.skipWs();
      const c = this.ch(this.pos);
      if (c == 0x2C) { this.pos++; this.skipWs(); continue; }
      if (c == 0x7D) { this.pos++; return JsonValue.fromObject(obj); }
      return this.fail("expected ',' or '}'", this.pos);
    }
  }

  array(depth: i32): JsonValue | null {
    const items: JsonValue[] = [];
    this.pos++; // [
    this.skipWs();
    if (this.ch(this.pos) == 0x5D) { this.pos++; return JsonValue.fromArray(items); }
    while (true) {
      const v = this.value(depth);
      if (v === null) return null;
      items.push(v);
      this.skipWs();
      const c = this.ch(this.pos);
      if (c == 0x2C) { this.pos++; this.skipWs(); continue; }
      if (c == 0x5D) { this.pos++; return JsonValue.fromArray(items); }
      return this.fail("expected ',' or ']'", this.pos);
    }
  }

  number(): JsonValue | null {
    const start = this.pos;
    let i = start;
    if (this.ch(i) == 0x2D) i++;
    const c0 = this.ch(i);
    if (c0 == 0x30) {
      i++;
      if (isDigit(this.ch(i))) return this.fail("leading zero in number", start);
    } else if (isDigit(c0)) {
      while (isDigit(this.ch(i))) i++;
    } else {
      return this.fail("invalid number", start);
    }
    if (this.ch(i) == 0x2E) {
      i++;
      if (!isDigit(this.ch(i))) return this.fail("digit expected after '.'", i);
      while (isDigit(this.ch(i))) i++;
    }
    const e = this.ch(i);
    if (e == 0x65 || e == 0x45) {
      i++;
      const sgn = this.ch(i);
      if (sgn == 0x2B || sgn == 0x2D) i++;
      if (!isDigit(this.ch(i))) return this.fail("digit expected in exponent", i);
      while (isDigit(this.ch(i))) i++;
    }
    this.pos = i;
    const n = parseFloat(this.s.substring(start, i));
    if (!isFinite(n)) return this.fail("number out of range", start);
    return JsonValue.fromNumber(n);
  }

  hex4(at: i32): i32 {
    if (at + 4 > this.len) return -1;
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const c = <i32>this.s.charCodeAt(at + k);
      let d: i32;
      if (isDigit(c)) d = c - 48;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x41 + 10;
      else return -1;
      v = (v << 4) | d;
    }
    return v;
  }

  /** Parses a string at pos (which is at the opening quote). Returns null on error. */
  string(): string | null {
    const s = this.s;
    let i = this.pos + 1;
    let runStart = i;
    let out: string[] | null = null; // pieces, only when escapes occur
    while (true) {
      if (i >= this.len) { this.fail("unterminated string", this.pos); return null; }
      const c = <i32>s.charCodeAt(i);
      if (c == 0x22) break;
      if (c < 0x20) { this.fail("control character in string", i); return null; }
      if (c >= 0xD800 && c <= 0xDFFF) {
        const next = <i32>this.ch(i + 1);
        if (c <= 0xDBFF && next >= 0xDC00 && next <= 0xDFFF) { i += 2; continue; }
        this.fail("unpaired surrogate in string", i);
        return null;
      }
      if (c != 0x5C) { i++; continue; }
      // escape
      if (out === null) out = [];
      out.push(s.substring(runStart, i));
      const e = this.ch(i + 1);
      let rep = "";
      let adv = 2;
      if (e == 0x22) rep = "\"";
      else if (e == 0x5C) rep = "\\";
      else if (e == 0x2F) rep = "/";
      else if (e == 0x62) rep = "\b";
      else if (e == 0x66) rep = "\f";
      else if (e == 0x6E) rep = "\n";
      else if (e == 0x72) rep = "\r";
      else if (e == 0x74) rep = "\t";
      else if (e == 0x75) {
        const u = this.hex4(i + 2);
        if (u < 0) { this.fail("bad \\u escape", i); return null; }
        adv = 6;
        if (u >= 0xD800 && u <= 0xDBFF) {
          const lo = this.ch(i + 6) == 0x5C && this.ch(i + 7) == 0x75 ? this.hex4(i + 8) : -1;
          if (lo < 0xDC00 || lo > 0xDFFF) { this.fail("unpaired surrogate in \\u escape", i); return null; }
          rep = String.fromCharCodes([u, lo]);
          adv = 12;
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
          this.fail("unpaired surrogate in \\u escape", i);
          return null;
        } else {
          rep = String.fromCharCode(u);
        }
      } else { this.fail("bad escape", i); return null; }
      out.push(rep);
      i += adv;
      runStart = i;
    }
    this.pos = i + 1;
    if (out === null) return s.substring(runStart, i);
    out.push(s.substring(runStart, i));
    return out.join("");
  }
}
