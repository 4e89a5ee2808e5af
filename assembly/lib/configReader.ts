// configReader.ts — typed, path-named access to a parsed JSON config.
//
// A ConfigObject wraps a JsonObject with its path ("config.rules[2].match") and a shared Problems
// list. Accessors return a usable fallback on error and record "<path>.<key>: <what is wrong>",
// so a filter can read its whole config straight through and then check `problems.ok`:
//
//   const p = new Problems();
//   const root = ConfigObject.root(parseResult.value, "config", p);   // null + problem if not an object
//   const limit = root!.requiredInt("limit", 1, 1000000);
//   const name = root!.optionalString("name", "default");
//   root!.rejectUnknown(["limit", "name"]);
//   if (!p.ok) log(p.first);  // "config.limit: must be an integer"
//
// Never traps. Integers beyond ±(2^53 − 1) are rejected where an integer is asked for.

import { JsonKind, JsonObject, JsonValue, emptyArray, jsonKindName, listItem, listPast } from "./json";
import { decimal } from "./decimal";
import { joinStrings } from "./join";
import { Msg, msg } from "./messages";

export class Problems {
  list: string[] = emptyArray<string[]>();
  get ok(): bool { return this.list.length == 0; }
  /** The first problem, or "". */
  get first(): string { return this.list.length > 0 ? unchecked(this.list[0]) : ""; }
  add(path: string, text: string): void {
    if (this.list.length < 100) this.list.push(path + msg(Msg.ColonSpace) + text);
  }
}

/** "config.rules" + 2 → "config.rules[2]" */
export function itemPath(path: string, index: i32): string { return path + msg(Msg.ItemOpen) + decimal(index) + msg(Msg.ItemClose); }
/** "config" + "rules" → "config.rules" */
export function keyPath(path: string, key: string): string {
  // The same as path + "." + key; the branch is only there so that the optimiser does not inline it
  // at each of its many call sites (a call is smaller).
  const dot = msg(Msg.Dot);
  return path.length | key.length ? path + dot + key : dot;
}

/** The index of `s` among the names of `list`, written "a, b, c" (so it can also be shown as it
 *  is), or -1. */
export function listIndex(list: string, s: string): i32 {
  let k = 0;
  while (true) {
    const item = listItem(list, k, true);
    if (listPast) return -1;
    if (item == s) return k;
    k++;
  }
}

/** A kind for typed(): an integral number within ±(2^53 − 1). */
const INTEGER = 6;

/** Every bit: the default masks below. (A named inlined constant, not the literal -1: a default
 *  that is a unary minus does not compile to a constant, so a call leaving it out would go through
 *  an @varargs trampoline, ~50 bytes, and set ~argumentsLength before each call.) */
// @ts-ignore: decorator
@inline const ALL: i32 = -1;

/** Records "<path>: must be <what>, not <kind of v>" (", not number" left out for a non-integer). */
function mustBe(problems: Problems, path: string, kind: i32, v: JsonValue): void {
  let text = msg(kind >= JsonKind.Array ? Msg.MustBeAn : Msg.MustBeA) + (kind == INTEGER ? msg(Msg.Integer) : jsonKindName(kind));
  if (kind != INTEGER || v.kind != JsonKind.Number) text += msg(Msg.CommaNot) + jsonKindName(v.kind);
  problems.add(path, text);
}

/** v if it has `kind` (INTEGER: a safe integer); otherwise null, recording a problem at path
 *  unless v is absent (null) and not required. */
function check(v: JsonValue | null, path: string, problems: Problems, kind: i32, required: bool): JsonValue | null {
  if (v === null) {
    if (required) problems.add(path, msg(Msg.IsRequired));
    return null;
  }
  if (kind == INTEGER ? !v.isInteger() : v.kind != kind) { mustBe(problems, path, kind, v); return null; }
  return v;
}

export class ConfigObject {
  constructor(public obj: JsonObject, public path: string, public problems: Problems) {}

  /** Wraps a value that must be an object; records a problem and returns null otherwise. */
  static root(v: JsonValue | null, path: string, problems: Problems): ConfigObject | null {
    return check(v, path, problems, JsonKind.Object, true) !== null ? new ConfigObject(changetype<JsonValue>(v), path, problems) : null; // (an object is its own JsonObject)
  }

  has(key: string): bool { return this.obj.has(key); }
  at(key: string): string { return keyPath(this.path, key); }
  fail(key: string, msg: string): void { this.problems.add(this.at(key), msg); }

  /** The member if it has `kind` (INTEGER: a safe integer); otherwise null, recording a problem
   *  unless it is absent and not required. */
  private typed(key: string, kind: i32, required: bool): JsonValue | null {
    return check(this.obj.get(key), this.at(key), this.problems, kind, required);
  }

  requiredString(key: string): string {
    const v = this.typed(key, JsonKind.String, true);
    return v !== null ? v.str : "";
  }
  optionalString(key: string, fallback: string): string {
    const v = this.typed(key, JsonKind.String, false);
    return v !== null ? v.str : fallback;
  }
  /** A non-empty string. */
  requiredNonEmpty(key: string): string {
    const v = this.typed(key, JsonKind.String, true);
    if (v === null) return "";
    if (v.str.length == 0) this.fail(key, msg(Msg.MustNotBeEmpty));
    return v.str;
  }
  optionalBool(key: string, fallback: bool): bool {
    const v = this.typed(key, JsonKind.Bool, false);
    return v !== null ? v.bool : fallback;
  }
  requiredBool(key: string): bool {
    const v = this.typed(key, JsonKind.Bool, true);
    return v !== null && v.bool;
  }

  private int(key: string, required: bool, fallback: i64, min: i64, max: i64): i64 {
    const v = this.typed(key, INTEGER, required);
    if (v === null) return fallback;
    const n = <i64>v.num;
    if (n < min || n > max) {
      this.fail(key, msg(Msg.MustBeBetween) + decimal(min) + msg(Msg.And) + decimal(max));
      return fallback;
    }
    return n;
  }
  requiredInt(key: string, min: i64 = -9007199254740991, max: i64 = 9007199254740991): i64 {
    return this.int(key, true, 0, min, max);
  }
  optionalInt(key: string, fallback: i64, min: i64 = -9007199254740991, max: i64 = 9007199254740991): i64 {
    return this.int(key, false, fallback, min, max);
  }
  optionalNumber(key: string, fallback: f64): f64 {
    const v = this.typed(key, JsonKind.Number, false);
    return v !== null ? v.num : fallback;
  }

  /** The array (maybe empty), or null when absent (and optional) or of the wrong type. */
  array(key: string, required: bool = false): JsonValue[] | null {
    const v = this.typed(key, JsonKind.Array, required);
    return v !== null ? v.values : null; // (an array's items)
  }
  /** A nested object, or null when absent (and optional) or of the wrong type. */
  object(key: string, required: bool = false): ConfigObject | null {
    const v = this.obj.get(key);
    return v !== null || required ? ConfigObject.root(v, this.at(key), this.problems) : null;
  }
  /** An array of strings; a non-string item is a problem named by its index. */
  stringArray(key: string, required: bool = false): string[] | null {
    const a = this.array(key, required);
    if (a === null) return null;
    const out = emptyArray<string[]>();
    for (let i = 0; i < a.length; i++) {
      const item = unchecked(a[i]);
      if (check(item, itemPath(this.at(key), i), this.problems, JsonKind.String, true) === null) return null;
      out.push(item.str);
    }
    return out;
  }
  /** Each item of an array of objects, wrapped with its path; a non-object item is a problem. */
  objectArray(key: string, required: bool = false): ConfigObject[] | null {
    const a = this.array(key, required);
    if (a === null) return null;
    const out = emptyArray<ConfigObject[]>();
    for (let i = 0; i < a.length; i++) {
      const c = ConfigObject.root(unchecked(a[i]), itemPath(this.at(key), i), this.problems);
      if (c === null) return null;
      out.push(c);
    }
    return out;
  }
  /** Records "<path>.<key>: unknown field" for every key not in `allowed` (at most 32 names; only
   *  allowed[i] with bit i of `mask` set count) nor in `more` (the same, with `moreMask`); returns
   *  true if none. */
  rejectUnknown(allowed: string[], mask: i32 = ALL, more: string[] | null = null, moreMask: i32 = ALL): bool {
    const keys = this.obj.keys;
    let ok = true;
    for (let i = 0; i < keys.length; i++) {
      const k = unchecked(keys[i]);
      const at = allowed.indexOf(k);
      const atMore = more !== null ? more.indexOf(k) : -1;
      if ((at < 0 || (mask >>> at & 1) == 0) && (atMore < 0 || (moreMask >>> atMore & 1) == 0)) {
        this.fail(k, msg(Msg.UnknownField));
        ok = false;
      }
    }
    return ok;
  }
  /** Exactly one of `keys` (at most 32; only keys[i] with bit i of `mask` set) must be present;
   *  returns its index, or -1 (and records a problem). */
  oneOf(keys: string[], mask: i32 = ALL): i32 {
    let found = -1;
    let count = 0;
    const names = emptyArray<string[]>();
    for (let i = 0; i < keys.length; i++) {
      if ((mask >>> i & 1) == 0) continue;
      const k = unchecked(keys[i]);
      if (this.obj.has(k) && count++ == 0) found = i;
      names.push(k);
    }
    if (count == 1) return found;
    const list = joinStrings(names, msg(Msg.CommaSpace));
    this.problems.add(this.path, count > 1 ? msg(Msg.OnlyOneOf) + list + msg(Msg.MayBeSet) : msg(Msg.NeedsOneOf) + list);
    return -1;
  }
}
