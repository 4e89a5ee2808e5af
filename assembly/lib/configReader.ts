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

import { JsonKind, JsonObject, JsonValue } from "./json";

export class Problems {
  list: string[] = [];
  get ok(): bool { return this.list.length == 0; }
  /** The first problem, or "". */
  get first(): string { return this.list.length > 0 ? unchecked(this.list[0]) : ""; }
  add(path: string, msg: string): void {
    if (this.list.length < 100) this.list.push(path + ": " + msg);
  }
}

/** "config.rules" + 2 → "config.rules[2]" */
export function itemPath(path: string, index: i32): string { return path + "[" + index.toString() + "]"; }
/** "config" + "rules" → "config.rules" */
export function keyPath(path: string, key: string): string { return path + "." + key; }

export class ConfigObject {
  constructor(public obj: JsonObject, public path: string, public problems: Problems) {}

  /** Wraps a value that must be an object; records a problem and returns null otherwise. */
  static root(v: JsonValue | null, path: string, problems: Problems): ConfigObject | null {
    if (v === null) { problems.add(path, "is required"); return null; }
    const o = v.obj;
    if (v.kind != JsonKind.Object || o === null) { problems.add(path, "must be an object, not " + v.kindName); return null; }
    return new ConfigObject(o, path, problems);
  }

  has(key: string): bool { return this.obj.has(key); }
  at(key: string): string { return keyPath(this.path, key); }
  fail(key: string, msg: string): void { this.problems.add(this.at(key), msg); }

  private typed(key: string, kind: JsonKind, required: bool, what: string): JsonValue | null {
    const v = this.obj.get(key);
    if (v === null) {
      if (required) this.fail(key, "is required");
      return null;
    }
    if (v.kind != kind) { this.fail(key, "must be " + what + ", not " + v.kindName); return null; }
    return v;
  }

  requiredString(key: string): string {
    const v = this.typed(key, JsonKind.String, true, "a string");
    return v !== null ? v.str : "";
  }
  optionalString(key: string, fallback: string): string {
    const v = this.typed(key, JsonKind.String, false, "a string");
    return v !== null ? v.str : fallback;
  }
  /** A non-empty string. */
  requiredNonEmpty(key: string): string {
    const s = this.requiredString(key);
    if (s.length == 0 && this.obj.kindOf(key) == JsonKind.String) this.fail(key, "must not be empty");
    return s;
  }
  optionalBool(key: string, fallback: bool): bool {
    const v = this.typed(key, JsonKind.Bool, false, "a boolean");
    return v !== null ? v.bool : fallback;
  }
  requiredBool(key: string): bool {
    const v = this.typed(key, JsonKind.Bool, true, "a boolean");
    return v !== null ? v.bool : false;
  }

  private int(key: string, required: bool, fallback: i64, min: i64, max: i64): i64 {
    const v = this.typed(key, JsonKind.Number, required, "an integer");
    if (v === null) return fallback;
    if (!v.isInteger()) { this.fail(key, "must be an integer"); return fallback; }
    const n = <i64>v.num;
    if (n < min || n > max) {
      this.fail(key, "must be between " + min.toString() + " and " + max.toString());
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
    const v = this.typed(key, JsonKind.Number, false, "a number");
    return v !== null ? v.num : fallback;
  }

  /** The array (maybe empty), or null when absent (and optional) or of the wrong type. */
  array(key: string, required: bool = false): JsonValue[] | null {
    const v = this.typed(key, JsonKind.Array, required, "an array");
    return v !== null ? v.arr : null;
  }
  /** A nested object, or null when absent (and optional) or of the wrong type. */
  object(key: string, required: bool = false): ConfigObject | null {
    const v = this.typed(key, JsonKind.Object, required, "an object");
    if (v === null) return null;
    const o = v.obj;
    return o !== null ? new ConfigObject(o, this.at(key), this.problems) : null;
  }
  /** An array of strings; a non-string item is a problem named by its index. */
  stringArray(key: string, required: bool = false): string[] | null {
    const a = this.array(key, required);
    if (a === null) return null;
    const out = new Array<string>();
    for (let i = 0, n = a.length; i < n; i++) {
      const item = unchecked(a[i]);
      if (item.kind != JsonKind.String) {
        this.problems.add(itemPath(this.at(key), i), "must be a string, not " + item.kindName);
        return null;
      }
      out.push(item.str);
    }
    return out;
  }
  /** Each item of an array of objects, wrapped with its path; a non-object item is a problem. */
  objectArray(key: string, required: bool = false): ConfigObject[] | null {
    const a = this.array(key, required);
    if (a === null) return null;
    const out = new Array<ConfigObject>();
    for (let i = 0, n = a.length; i < n; i++) {
      const c = ConfigObject.root(unchecked(a[i]), itemPath(this.at(key), i), this.problems);
      if (c === null) return null;
      out.push(c);
    }
    return out;
  }
  /** Records "<path>.<key>: unknown field" for every key not in `allowed`; returns true if none. */
  rejectUnknown(allowed: string[]): bool {
    const unknown = this.obj.unknownKeys(allowed);
    for (let i = 0; i < unknown.length; i++) this.fail(unchecked(unknown[i]), "unknown field");
    return unknown.length == 0;
  }
  /** Exactly one of `keys` must be present; returns its index, or -1 (and records a problem). */
  oneOf(keys: string[]): i32 {
    let found = -1;
    for (let i = 0; i < keys.length; i++) {
      if (this.obj.has(unchecked(keys[i]))) {
        if (found >= 0) {
          this.problems.add(this.path, "only one of " + keys.join(", ") + " may be set");
          return -1;
        }
        found = i;
      }
    }
    if (found < 0) this.problems.add(this.path, "needs one of " + keys.join(", "));
    return found;
  }
}

