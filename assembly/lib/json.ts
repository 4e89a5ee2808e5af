// json.ts — a strict JSON (RFC 8259) reader for filter configurations.
//
// parseJson(text) returns a JsonResult: either a tree of JsonValue or an error message with the
// offset where it was found. It never traps, whatever the input.
//
// Strictness (all of these are errors, not warnings):
//  - trailing data after the top value, leading zeros ("01"), "+1", ".5", "1.", NaN/Infinity,
//    numbers that overflow an f64 (1e400);
//  - bad escapes ("\x"), control characters U+0000..U+001F inside strings, unpaired surrogates
//    (from \u escapes or raw in the text; a pair is two \u escapes or two raw code units);
//  - duplicate keys in one object (a config with two "limit" keys is a typo, not a choice);
//  - nesting deeper than maxDepth (default 64), text longer than maxLength (default 4 MiB chars).
// Objects keep their key order. Numbers are kept as f64; JsonValue.isInteger() says whether the
// value is integral and within ±(2^53 − 1), so "integer" config fields never silently round.
//
// Numbers are converted without ~lib's strtod (which costs ~1.4 KB): up to 18 significant digits
// are read exactly into an integer m, and the value is m × 10^e. Every integer up to 2^53 (and so
// every integer isInteger() accepts) and every decimal with at most 15 significant digits and
// |e| ≤ 22 once the point is moved into m (0.5, 12.75, 1e3, 2.5e-3, 6.02e23, and 1e23 too) is
// exactly the nearest f64, as parseFloat gives.
// Other values may be a few ulp from it; in particular a number within a few ulp of the largest
// f64 (1.7976931348623158e308) may be refused as out of range, and subnormals are approximate.
//
// Errors are short ("bad number", "unexpected character", ...); the offset says where.
// Offsets are in UTF-16 code units of the text (the same as byte offsets for ASCII input).
// parseJsonUtf8(bytes) first checks the bytes are well-formed UTF-8 (an error names the byte
// offset of the first bad sequence) and then parses.
// Limits: recursion is bounded by maxDepth; memory and time are O(maxLength): duplicate keys are
// found with a hash table, not by comparing every pair.

import { decodeUtf8At, utf8ErrorAt } from "./utf8";
import { decimal } from "./decimal";
import { indexOfUnit } from "./http";
import { hexVal } from "./percent";
import { Msg, msg } from "./messages";

export const enum JsonKind { Null = 0, Bool = 1, Number = 2, String = 3, Array = 4, Object = 5 }

/** Name of a kind ("null", "boolean", "number", "string", "array", "object"), or "absent". */
export function jsonKindName(kind: i32): string {
  return msg(<Msg>(Msg.KindNull + (<u32>kind < 6 ? kind : 6)));
}

/** A zeroed StaticArray<i32> of n items (what `new StaticArray<i32>(n)` gives, without the
 *  constructor's own length check and its message: __new refuses a size that is too large).
 *  emptyArray.ts's zeroed, which the SDK uses too. */
// @ts-ignore: decorator
@inline export function newInts(n: i32): StaticArray<i32> { return changetype<StaticArray<i32>>(zeroed(n, idof<StaticArray<i32>>())); }

import { emptyArray, zeroed } from "./emptyArray";
export { emptyArray };

/** Whether the last listItem() was past the end of its list. */
export let listPast = false;

/** Item i of a '|'-separated list ("a|b|c"), or of a ", "-separated one ("a, b, c") when `comma`,
 *  or "" past its end: tables of texts as one literal each, since every string constant costs bytes
 *  of its own in the module. (The separator is a code unit and a flag, not a string: no "|" literal.) */
export function listItem(list: string, i: i32, comma: bool = false): string {
  const sep = comma ? 44 /* , */ : 124 /* | */;
  let a = 0;
  listPast = false;
  for (; i > 0; i--) {
    const q = indexOfUnit(list, sep, a);
    if (q < 0) { listPast = true; return ""; }
    a = q + 1 + <i32>comma; // (past ", ")
  }
  const b = indexOfUnit(list, sep, a);
  return list.substring(a, b < 0 ? i32.MAX_VALUE : b); // (substring stops at the end)
}

/** Items 0 … n − 1 of a '|'-separated list as an array ("" for any past its end), made once: a
 *  table of names kept as one text (messages.txt) and read by index. */
export function listItems(list: string, n: i32): string[] {
  const out = emptyArray<string[]>();
  for (let i = 0; i < n; i++) out.push(listItem(list, i));
  return out;
}

/** 2^53 − 1: the largest integer an f64 holds exactly with all smaller ones. */
export const MAX_SAFE_INTEGER: f64 = 9007199254740991.0;

/** A JSON value. An object is a JsonValue too (JsonObject is the same class): `obj` is the value
 *  itself when it is an object, and its members are `keys` and `values` (one class and one
 *  allocation fewer per object than a separate JsonObject). */
export class JsonValue {
  // (The reference fields first: classes whose references sit at the same offsets share one case
  // of the collector's member visitor.)
  str: string = "";
  /** An array's items, or an object's values (then `arr` is null). */
  private list: JsonValue[] | null;
  /** An object's keys in document order (only for an object: reached through `obj`). */
  keys: string[] = changetype<string[]>(0);
  bool: bool;
  // (A number's bits: an f64 field would be zeroed with a 9-byte constant in the constructor.)
  private bits: u64;
  /** A number's value. */
  get num(): f64 { return reinterpret<f64>(this.bits); }
  set num(n: f64) { this.bits = reinterpret<u64>(n); }
  constructor(public kind: JsonKind = JsonKind.Null) {}

  static null(): JsonValue { return new JsonValue(); }
  static fromBool(b: bool): JsonValue { const v = new JsonValue(JsonKind.Bool); v.bool = b; return v; }
  static fromNumber(n: f64): JsonValue { const v = new JsonValue(JsonKind.Number); v.num = n; return v; }
  static fromString(s: string): JsonValue { const v = new JsonValue(JsonKind.String); v.str = s; return v; }
  static fromArray(a: JsonValue[]): JsonValue { const v = new JsonValue(JsonKind.Array); v.list = a; return v; }
  static fromObject(o: JsonObject): JsonValue { return o; }
  /** An object value with no members (add() adds them). */
  static newObject(): JsonObject { const v = new JsonValue(JsonKind.Object); v.list = emptyArray<JsonValue[]>(); v.keys = emptyArray<string[]>(); return v; }

  get isNull(): bool { return this.kind == JsonKind.Null; }
  get isBool(): bool { return this.kind == JsonKind.Bool; }
  get isNumber(): bool { return this.kind == JsonKind.Number; }
  get isString(): bool { return this.kind == JsonKind.String; }
  get isArray(): bool { return this.kind == JsonKind.Array; }
  get isObject(): bool { return this.kind == JsonKind.Object; }
  /** The array items, or null when this is not an array. */
  get arr(): JsonValue[] | null { return this.kind == JsonKind.Array ? this.list : null; }
  set arr(a: JsonValue[] | null) { this.list = a; }
  /** This value as an object, or null when it is not one. */
  get obj(): JsonObject | null { return this.kind == JsonKind.Object ? this : null; }
  /** A number with no fractional part whose magnitude is at most 2^53 − 1. */
  isInteger(): bool {
    const n = this.num;
    return this.kind == JsonKind.Number && n == Math.floor(n) && Math.abs(n) <= MAX_SAFE_INTEGER;
  }
  get kindName(): string { return jsonKindName(this.kind); }
  /** The array items, or an empty array when this is not an array (never null). */
  items(): JsonValue[] { const a = this.arr; return a !== null ? a : emptyArray<JsonValue[]>(); }

  // ---- object members (call them on `obj`): keys in document order. Lookups scan the keys
  // (config objects are small); the parser's duplicate-key check uses a hash table, so big
  // objects still parse in linear time.
  /** The object's values, in the order of its keys (or an array's items). */
  get values(): JsonValue[] { return changetype<JsonValue[]>(this.list); }
  get size(): i32 { return this.keys.length; }
  has(key: string): bool { return this.keys.includes(key); }
  /** Adds a member; returns false (and changes nothing) when the key is already present. */
  add(key: string, value: JsonValue): bool {
    if (this.keys.includes(key)) return false;
    this.keys.push(key);
    this.values.push(value);
    return true;
  }
  get(key: string): JsonValue | null {
    const i = this.keys.indexOf(key);
    return i >= 0 ? unchecked(this.values[i]) : null;
  }
  /** The member when it has the given kind, otherwise null. */
  typed(key: string, kind: JsonKind): JsonValue | null {
    const v = this.get(key);
    return v !== null && v.kind == kind ? v : null;
  }
  /** The kind of a member, or -1 when absent. */
  kindOf(key: string): i32 {
    const v = this.get(key);
    return v !== null ? <i32>v.kind : -1;
  }
  getString(key: string): string | null {
    const v = this.typed(key, JsonKind.String);
    return v !== null ? v.str : null;
  }
  getBool(key: string, fallback: bool): bool {
    const v = this.typed(key, JsonKind.Bool);
    return v !== null ? v.bool : fallback;
  }
  getNumber(key: string, fallback: f64): f64 {
    const v = this.typed(key, JsonKind.Number);
    return v !== null ? v.num : fallback;
  }
  /** The member as an i64 when it is a safe integer, otherwise fallback. */
  getInt(key: string, fallback: i64): i64 {
    const v = this.get(key);
    return v !== null && v.isInteger() ? <i64>v.num : fallback;
  }
  getArray(key: string): JsonValue[] | null {
    const v = this.typed(key, JsonKind.Array);
    return v !== null ? v.arr : null;
  }
  getObject(key: string): JsonObject | null {
    const v = this.typed(key, JsonKind.Object);
    return v !== null ? v.obj : null;
  }
  /** Keys not in `allowed`, in document order (configs reject them so typos fail loudly). */
  unknownKeys(allowed: string[]): string[] {
    const out = emptyArray<string[]>();
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) {
      const k = unchecked(keys[i]);
      if (!allowed.includes(k)) out.push(k);
    }
    return out;
  }
}

/** An object: a JsonValue of kind Object (see JsonValue.obj). */
export type JsonObject = JsonValue;

export class JsonResult {
  constructor(public value: JsonValue | null, public error: string, public offset: i32) {}
  get ok(): bool { return this.value !== null; }
  /** "offset 12: unexpected character" — or "" when ok. */
  toString(): string { return this.value !== null ? "" : msg(Msg.JsonOffset) + decimal(this.offset) + msg(Msg.ColonSpace) + this.error; }
}

export const DEFAULT_MAX_DEPTH: i32 = 64;
export const DEFAULT_MAX_LENGTH: i32 = 4 << 20;

/** Parses UTF-8 bytes: rejects malformed UTF-8 (offset = byte offset), then parses the text. */
export function parseJsonUtf8(bytes: Uint8Array, maxDepth: i32 = DEFAULT_MAX_DEPTH, maxLength: i32 = DEFAULT_MAX_LENGTH): JsonResult {
  return parseUtf8(bytes.dataStart, bytes.length, maxDepth, maxLength);
}

/** parseJsonUtf8 for the bytes of a whole ArrayBuffer (no Uint8Array: a module that has no other
 *  use for one is smaller without it). */
export function parseJsonBuffer(bytes: ArrayBuffer, maxDepth: i32 = DEFAULT_MAX_DEPTH, maxLength: i32 = DEFAULT_MAX_LENGTH): JsonResult {
  return parseUtf8(changetype<usize>(bytes), bytes.byteLength, maxDepth, maxLength);
}

function parseUtf8(p: usize, n: i32, maxDepth: i32, maxLength: i32): JsonResult {
  if (n > maxLength) return new JsonResult(null, msg(Msg.JsonDocumentTooLarge), maxLength);
  const text = decodeUtf8At(p, n, true);
  if (changetype<usize>(text) == 0) return new JsonResult(null, msg(Msg.JsonInvalidUtf8), utf8ErrorAt);
  return parseJson(changetype<string>(text), maxDepth, maxLength);
}

// The parser's state lives in module globals (one parse at a time; wasm is single-threaded).
// `base`/`len` give raw access to the text's UTF-16 code units (the caller keeps the text alive);
// regex.ts reads its pattern and its input through them too (one ch() for both).
export let base: usize = 0;
export let len: i32 = 0;
/** Makes ch() read the n code units at p. */
export function setText(p: usize, n: i32): void { base = p; len = n; }
/** The parser's position in the text (regex.ts's compiler moves it too: one global for both). */
export let pos: i32 = 0;
let errCode: i32 = 0;
/** Where the error is (regex.ts's compiler records its errors' offsets here too). */
export let errAt: i32 = 0;
// Duplicate-key check: an open-addressing table of (object id, key address) pairs — a raw pointer
// to the key string, valid for the one parse (no collection runs inside a callback) — for the whole
// document, sized once from the text's length (len / 5 is at least the number of members), so it
// is never more than half full; its memory is proportional to the text (at most 4 × 4 MiB for a
// text of maxLength, as when it was sized by the ':' outside strings).
let keyTable: StaticArray<i32> = changetype<StaticArray<i32>>(0); // (0 outside a parse)
let objects: i32 = 0;
let mant: u64 = 0; // number(): significant digits read so far
let exp10: i32 = 0; // number(): power of ten to scale mant by

// Error codes; the text is Msg.JsonUnexpectedCharacter + code - 1 (messages.txt keeps that order).
// DUPLICATE builds "duplicate key \"<key>\"".
const UNEXPECTED = 1; // UNEXPECTED + 1 when at the end of the text
const TRAILING = 3;
const TOO_DEEP = 4;
const BAD_NUMBER = 5;
const OUT_OF_RANGE = 6;
const BAD_ESCAPE = 7;
const UNPAIRED = 8;
const UNTERMINATED = 9;
const CONTROL = 10;
const DUPLICATE = 11;
const TOO_LARGE = 12;
/** Parses a JSON text. Never traps. */
export function parseJson(text: string, maxDepth: i32 = DEFAULT_MAX_DEPTH, maxLength: i32 = DEFAULT_MAX_LENGTH): JsonResult {
  errCode = 0;
  let v: JsonValue | null = null;
  const n = text.length;
  if (n > maxLength) {
    fail(TOO_LARGE, maxLength);
  } else {
    setText(changetype<usize>(text), n);
    pos = 0;
    objects = 0;
    // Members are at most len / 5 ('{"":0}' is 6 code units, each further member 5 more).
    keyTable = newInts(4 << (32 - clz(n / 5))); // 2 × a power of two > 2 × members
    v = value(maxDepth);
    keyTable = changetype<StaticArray<i32>>(0);
    if (skipWs() >= 0) fail(TRAILING, pos);
  }
  let error = "";
  if (errCode != 0) {
    v = null;
    error = msg(<Msg>(Msg.JsonUnexpectedCharacter + errCode - 1));
    // the key again, from the text, and a closing quote (the opening one: no literal of its own)
    if (errCode == DUPLICATE) { pos = errAt; error += str() + text.substring(errAt, errAt + 1); }
  }
  return new JsonResult(v, error, v !== null ? 0 : errAt);
}

/** The code unit at i, or -1 past the end. */
export function ch(i: i32): i32 { return <u32>i < <u32>len ? <i32>load<u16>(base + (<usize>i << 1)) : -1; }
// @ts-ignore: decorator
@inline function isDigit(c: i32): bool { return <u32>(c - 48) < 10; }

/** Records the first error; UNEXPECTED at the end of the text becomes "unexpected end". */
function fail(code: i32, at: i32): JsonValue | null {
  if (errCode == 0) {
    errCode = code + (<i32>(code == UNEXPECTED) & <i32>(at >= len));
    errAt = at;
  }
  return null;
}

/** Skips whitespace; returns the code unit at pos then (ch(pos)). */
function skipWs(): i32 {
  // space, \n, \r, \t: bits 32, 10, 13, 9
  let c = ch(pos);
  for (; <u32>c <= 32 && (<u64>0x100002600 >> <u64>c & 1) != 0; c = ch(++pos)) {}
  return c;
}

// "null", "true" and "fals" as four UTF-16 code units, read little-endian as one u64.
const NULL4: u64 = 0x006C006C0075006E;
const TRUE4: u64 = 0x0065007500720074;
const FALS4: u64 = 0x0073006C00610066;

/** A value at pos; `levels`: how many more arrays and objects may open (maxDepth at the top). */
function value(levels: i32): JsonValue | null {
  const c = skipWs();
  // (A zeroed block rather than the constructor, which stores each field: kind Null, str "".)
  const v = changetype<JsonValue>(zeroed(<i32>offsetof<JsonValue>() >> 2, idof<JsonValue>())); // (a multiple of 4 bytes)
  v.str = "";
  if (c == 0x7B /* { */ || c == 0x5B /* [ */) {
    // An object or an array (one function with value(): a call level and a function fewer).
    if (levels <= 0) return fail(TOO_DEEP, pos);
    const isObject = c == 0x7B;
    const close = c + 2; // '}' or ']'
    v.kind = <JsonKind>(JsonKind.Array + <i32>isObject); // (Object == Array + 1)
    const values = emptyArray<JsonValue[]>();
    const keys = emptyArray<string[]>();
    v.arr = values;
    if (isObject) v.keys = keys;
    const id = ++objects;
    pos++;
    if (skipWs() != close) while (true) {
      if (isObject) {
        if (skipWs() != 0x22) return fail(UNEXPECTED, pos);
        const keyAt = pos;
        const key = str(); // (after an error pos stays at the quote: the ':' test below fails)
        if (skipWs() != 0x3A /* : */) return fail(UNEXPECTED, pos);
        const slot = keySlot(key, id);
        if (load<i32>(slot) != 0) return fail(DUPLICATE, keyAt);
        store<i32>(slot, id); // records it
        store<usize>(slot, changetype<usize>(key), 4);
        pos++;
        keys.push(key); // (before its value: after an error the tree is dropped anyway)
      }
      const item = value(levels - 1);
      if (item === null) return null;
      values.push(item);
      const d = skipWs();
      if (d == close) break;
      if (d != 0x2C /* , */) return fail(UNEXPECTED, pos);
      pos++;
    }
    pos++; // the close
    return v;
  }
  // (After an error in a string or a number the value is returned anyway: errCode is set, so the
  // next check the caller makes fails — a string leaves pos at its quote — and parseJson reports
  // that first error.)
  if (c == 0x22) {
    v.kind = JsonKind.String;
    v.str = str();
  } else if (c == 0x2D || isDigit(c)) {
    v.kind = JsonKind.Number;
    v.num = number(c);
  } else {
    // true, false or null: the next four code units as one u64 (false: "fals" and then 'e').
    // (v is null already: kind Null, bool false)
    const w = pos + 4 <= len ? load<u64>(base + (<usize>pos << 1)) : 0;
    if (w == NULL4) pos += 4;
    else {
      const t = w == TRUE4;
      if (!t && (w != FALS4 || ch(pos + 4) != 0x65)) return fail(UNEXPECTED, pos);
      v.kind = JsonKind.Bool;
      v.bool = t;
      pos += 5 - <i32>t;
    }
  }
  return v;
}

/** The slot of the key table for key in object id: (id, key) when the object has the key already,
 *  else the empty slot where it goes. The table holds (id, key) pairs, the key as a raw pointer: it
 *  lives only during the parse, and the keys stay reachable from the tree being built. */
// @ts-ignore: decorator
@inline function keySlot(key: string, id: i32): usize {
  const p = changetype<usize>(key);
  // FNV-1a over the object id and the key's UTF-16 code units (the id too, or the same key in many
  // objects would make one long probe run: 200,000 objects {"a":0} took over a minute to parse)
  let h = <u32>id;
  for (let q = p, e = p + (<usize>key.length << 1); q < e; q += 2) h = (h ^ <u32>load<u16>(q)) * 16777619;
  const t = changetype<usize>(keyTable);
  const mask = (<u32>keyTable.length >> 1) - 1;
  while (true) {
    const e = t + ((<usize>(h & mask)) << 3);
    const owner = load<i32>(e);
    if (owner == 0 || (owner == id && changetype<string>(load<usize>(e, 4)) == key)) return e;
    h++;
  }
}

/** Reads decimal digits at i into mant/exp10 (fractional digits when frac); returns the end. */
function digits(i: i32, frac: bool): i32 {
  let c = ch(i);
  while (isDigit(c)) {
    // at most 18 significant digits (exact in a u64); an integer digit beyond the 18th scales instead
    const full = mant >= 100000000000000000; // 1e17
    if (!full) mant = mant * 10 + <u64>(c - 48);
    exp10 += <i32>full - <i32>frac;
    c = ch(++i);
  }
  return i;
}

// 10^(2^i), each the nearest f64.
const POW10 = memory.data<f64>([1e1, 1e2, 1e4, 1e8, 1e16, 1e32, 1e64, 1e128, 1e256]);

/** 10^k for k ≥ 0 (exact up to 10^22, within a few ulp after; Infinity from 10^309 on). */
function pow10(k: i32): f64 {
  let p = 1.0;
  k = min(k, 400); // 10^400 is Infinity already; keeps k below 2^9 (the table's end)
  for (let a = POW10; k != 0; a += 8, k >>>= 1) if (k & 1) p *= load<f64>(a);
  return p;
}

/** A number at pos (c is the unit there); on error records it and returns 0. */
// @ts-ignore: decorator
@inline function number(c: i32): f64 {
  const start = pos;
  const neg = c == 0x2D; // (c: the unit at pos)
  let i = start + <i32>neg;
  mant = 0;
  exp10 = 0;
  const intAt = i;
  i = digits(i, false);
  let ok = <i32>(i > intAt && (ch(intAt) != 0x30 || i == intAt + 1)); // digits, no leading zero
  if (ch(i) == 0x2E /* . */) {
    const at = ++i;
    i = digits(i, true);
    ok &= <i32>(i > at);
  }
  if ((ch(i) | 0x20) == 0x65 /* e or E */) {
    const sign = ch(++i);
    if (sign == 0x2B || sign == 0x2D) i++;
    // (beyond 1e5 the result is 0 or Infinity anyway; with no digits, -1, but then it is an error)
    const e = decimalDigits(i);
    ok &= <i32>(numEnd > i);
    i = numEnd;
    exp10 += sign == 0x2D ? -e : e;
  }
  // While mant stays exact (< 2^53), move surplus powers of ten into it: 1e23 = 10 × 10^22.
  while (exp10 > 22 && mant < 900719925474099) { mant *= 10; exp10--; }
  let n = <f64>mant;
  if (exp10 < -300) { n /= 1e300; exp10 += 300; } // so that 10^-exp10 stays finite for small numbers
  if (mant != 0) { const p = pow10(exp10 < 0 ? -exp10 : exp10); n = exp10 < 0 ? n / p : n * p; }
  if (!ok || n == Infinity) fail(BAD_NUMBER + ok, start); // (OUT_OF_RANGE == BAD_NUMBER + 1)
  pos = i;
  return neg ? -n : n;
}

/** Where the last decimalDigits() or hexDigits() stopped. */
export let numEnd: i32 = 0;

/** The value of the decimal digits at i, as ch() reads them, or -1 if there are none; once the
 *  value reaches 100000 further digits are skipped (json's exponents, regex.ts's counts and group
 *  numbers, all of which are out of range by then). numEnd is where the digits stop. */
export function decimalDigits(i: i32): i32 {
  let v = -1, c: i32;
  while (isDigit(c = ch(i))) {
    if (v < 100000) v = max(v, 0) * 10 + c - 48;
    i++;
  }
  numEnd = i;
  return v;
}

/** The value of the hex digits (0-9, a-f, A-F) at i, at most `max` of them, as ch() reads them;
 *  numEnd (shared with decimalDigits) is where they stop (json's \uHHHH, regex.ts's \xHH, \x{H…} and \uHHHH). */
export function hexDigits(i: i32, max: i32): i32 {
  let v = 0;
  for (const end = i + max; i < end; i++) {
    const h = hexVal(ch(i)); // (percent.ts's: -1 for anything else, the end's -1 too)
    if (h < 0) break;
    v = (v << 4) | h;
  }
  numEnd = i;
  return v;
}

// \b \f \n \r \t: 8 + 1 at nibble 0 ('b'), 12 + 1 at 2 ('f'), 10 + 1 at 6 ('n'), 13 + 1 at 8 ('r'), 9 + 1 at 9 ('t').
const ESC4: u64 = 0x9 | 0xD << 8 | 0xB << 24 | <u64>0xE << 32 | <u64>0xA << 36;

/** Parses a string at pos (which is at the opening quote). On error records it and returns "". */
function str(): string {
  const quote = pos;
  // Two passes over the same code: the first finds the decoded length (and any error), the second
  // writes the units into a string of that length.
  let buf: usize = 0;
  let out: usize = 0;
  let i = 0;
  for (let write = false; ; write = true) {
    if (write) buf = __new(out, idof<String>());
    out = 0;
    i = quote + 1;
    let high = 0; // 1: the last unit was a raw high surrogate, 2: an escaped one
    let highAt = 0;
    let code = 0;
    let at = 0;
    while (true) {
      at = i;
      let c = ch(i++);
      let form = 1;
      if (c == 0x5C) {
        form = 2;
        const e = ch(i++);
        if (e == 0x75 /* u */) {
          c = hexDigits(i, 4);
          if (numEnd != (i += 4)) c = -1; // four digits
        } else if (e == 0x22 || e == 0x5C || e == 0x2F) c = e;
        else { // b f n r t: k = e - 'b' is even and below 19; nibble k/2 of ESC4 is the unit + 1
          const k = <u32>(e - 0x62);
          c = k < 19 && (k & 1) == 0 ? <i32>(ESC4 >> (<u64>k << 1) & 15) - 1 : -1;
        }
        if (c < 0) { code = BAD_ESCAPE; break; }
      }
      // A low surrogate must follow a high one of the same form, and only a high one.
      const sur = c & 0xFC00, low = sur == 0xDC00;
      if (high != 0 ? !low || high != form : low) {
        code = UNPAIRED;
        if (high != 0) at = highAt;
        break;
      }
      if (form == 1) {
        if (c == 0x22) break;
        if (c < 0) { code = UNTERMINATED; at = quote; break; }
        if (c < 0x20) { code = CONTROL; break; }
      }
      high = sur == 0xD800 ? form : 0;
      highAt = at;
      if (write) store<u16>(buf + out, <u16>c);
      out += 2;
    }
    if (code != 0) { fail(code, at); return ""; }
    if (write) break;
  }
  pos = i;
  return changetype<string>(buf);
}
