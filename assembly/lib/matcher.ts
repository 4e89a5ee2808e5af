// matcher.ts — request matchers (DESIGN §3), parsed once from the JSON config, evaluated per request.
//
// Config shape (every field optional; all given conditions must hold; {} matches everything):
//   { "path":    {"exact"|"prefix"|"suffix"|"regex": "…", "ignore_case"?: bool},
//     "methods": ["GET", "POST"],
//     "host":    "api.example.com" | "*.example.com" | <string matcher>,
//     "headers": {"x-env": <string matcher>, …},
//     "query":   {"debug": <string matcher>, …} }
// A string matcher is a string (shorthand for exact) or exactly one of {"exact"|"prefix"|
// "suffix"|"contains"|"regex": "…"} / {"present": true} / {"absent": true}, plus optional
// "ignore_case" (ASCII) and "invert".
//
// Semantics users rely on:
//  - paths are matched against the CANONICAL path (request.ts); a request whose path was refused
//    matches no path condition;
//  - path prefix is segment-aware: "/api" matches "/api" and "/api/x", not "/apix"; a prefix that
//    ends with "/" is a plain prefix;
//  - regexes must match the WHOLE value (as Envoy's safe_regex), so "/api/.*", not "/api";
//  - an absent header/parameter fails every string matcher except "absent"; "invert" then
//    flips the result (so an inverted exact matcher matches an absent header);
//  - host is compared lower-cased without port; "*.example.com" matches any subdomain, not the
//    apex; a host string matcher sees the lower-cased host.
// Parse errors name their path: "config.rules[2].match.path.prefix: must start with /".

import { JsonKind, JsonValue } from "./json";
import { ConfigObject, Problems, keyPath } from "./configReader";
import { compileRegex, Regex } from "./regex";
import { RequestView } from "./request";
import { isValidHeaderName, lowerAscii } from "./http";
import { decimal } from "./decimal";
import { Msg, msg } from "./messages";

export const enum MatchKind { Exact, Prefix, Suffix, Contains, Regex, Present, Absent }

const STRING_KINDS: string[] = ["exact", "prefix", "suffix", "contains", "regex", "present", "absent"];

export class StringMatcher {
  kind: MatchKind = MatchKind.Exact;
  value: string = "";
  ignoreCase: bool = false;
  invert: bool = false;
  regex: Regex | null = null;

  static exact(v: string): StringMatcher { const m = new StringMatcher(); m.value = v; return m; }

  /** v: the value, or null when absent. */
  matches(v: string | null): bool { return this.raw(v) != this.invert; }

  private raw(v: string | null): bool {
    if (v === null) return this.kind == MatchKind.Absent;
    if (this.kind == MatchKind.Present) return true;
    if (this.kind == MatchKind.Absent) return false;
    if (this.kind == MatchKind.Regex) { const r = this.regex; return r !== null && r.fullMatch(v); }
    const s = this.ignoreCase ? lowerAscii(v) : v;
    const x = this.value;
    switch (this.kind) {
      case MatchKind.Exact: return s == x;
      case MatchKind.Prefix: return s.startsWith(x);
      case MatchKind.Suffix: return s.endsWith(x);
      case MatchKind.Contains: return s.includes(x);
    }
    return false;
  }
}

export const enum PathKind { Exact, Prefix, Suffix, Regex }

export class PathMatcher {
  kind: PathKind = PathKind.Prefix;
  value: string = "/";
  ignoreCase: bool = false;
  regex: Regex | null = null;

  matches(path: string): bool {
    if (path.length == 0) return false; // refused path
    if (this.kind == PathKind.Regex) { const r = this.regex; return r !== null && r.fullMatch(path); }
    const p = this.ignoreCase ? lowerAscii(path) : path;
    const x = this.value;
    if (this.kind == PathKind.Exact) return p == x;
    if (this.kind == PathKind.Suffix) return p.endsWith(x);
    return segmentPrefix(p, x);
  }
}

/** "/api" matches "/api", "/api/…" (and "/api?…" never occurs: the query is split off). */
export function segmentPrefix(path: string, prefix: string): bool {
  if (!path.startsWith(prefix)) return false;
  const n = prefix.length;
  if (path.length == n || (n > 0 && prefix.charCodeAt(n - 1) == 47)) return true;
  return path.charCodeAt(n) == 47;
}

export class NamedMatcher {
  constructor(public name: string, public matcher: StringMatcher) {}
}

export class RequestMatcher {
  path: PathMatcher | null = null;
  methods: string[] | null = null;
  host: StringMatcher | null = null;
  headers: NamedMatcher[] = [];
  query: NamedMatcher[] = [];

  matches(r: RequestView): bool {
    const p = this.path;
    if (p !== null && !p.matches(r.path)) return false;
    const ms = this.methods;
    if (ms !== null && !ms.includes(r.method)) return false;
    const h = this.host;
    if (h !== null && !h.matches(r.host)) return false;
    for (let i = 0, n = this.headers.length; i < n; i++) {
      const m = unchecked(this.headers[i]);
      if (!m.matcher.matches(r.header(m.name))) return false;
    }
    for (let i = 0, n = this.query.length; i < n; i++) {
      const m = unchecked(this.query[i]);
      if (!m.matcher.matches(r.queryParam(m.name))) return false;
    }
    return true;
  }
}

function compileFull(pattern: string, ignoreCase: bool, path: string, problems: Problems): Regex | null {
  const r = compileRegex(ignoreCase ? "(?i:" + pattern + ")" : pattern);
  if (!r.ok) problems.add(path, msg(Msg.InvalidRegex) + r.error);
  return r.regex;
}

/** A string matcher from a string (exact) or an object; null (and a problem) when invalid. */
export function parseStringMatcher(v: JsonValue, path: string, problems: Problems): StringMatcher | null {
  if (v.kind == JsonKind.String) return StringMatcher.exact(v.str);
  const c = ConfigObject.root(v, path, problems);
  if (c === null) return null;
  const before = problems.list.length;
  c.rejectUnknown(["exact", "prefix", "suffix", "contains", "regex", "present", "absent", "ignore_case", "invert"]);
  const k = c.oneOf(STRING_KINDS);
  const m = new StringMatcher();
  m.ignoreCase = c.optionalBool("ignore_case", false);
  m.invert = c.optionalBool("invert", false);
  if (k < 0) return null;
  m.kind = <MatchKind>k;
  const key = unchecked(STRING_KINDS[k]);
  if (m.kind == MatchKind.Present || m.kind == MatchKind.Absent) {
    if (!c.requiredBool(key) && problems.list.length == before) c.fail(key, msg(Msg.MustBeTrue));
  } else {
    const s = c.requiredString(key);
    if (m.kind == MatchKind.Regex) m.regex = compileFull(s, m.ignoreCase, c.at(key), problems);
    else m.value = m.ignoreCase ? lowerAscii(s) : s;
  }
  return problems.list.length == before ? m : null;
}

const PATH_KINDS: string[] = ["exact", "prefix", "suffix", "regex"];

export function parsePathMatcher(v: JsonValue, path: string, problems: Problems): PathMatcher | null {
  const c = ConfigObject.root(v, path, problems);
  if (c === null) return null;
  const before = problems.list.length;
  c.rejectUnknown(["exact", "prefix", "suffix", "regex", "ignore_case"]);
  const k = c.oneOf(PATH_KINDS);
  const m = new PathMatcher();
  m.ignoreCase = c.optionalBool("ignore_case", false);
  if (k < 0) return null;
  m.kind = <PathKind>k;
  const key = unchecked(PATH_KINDS[k]);
  const s = c.obj.getString(key);
  if (s === null) { c.fail(key, msg(Msg.MustBeString)); return null; }
  if (m.kind == PathKind.Regex) m.regex = compileFull(s, m.ignoreCase, c.at(key), problems);
  else if (m.kind == PathKind.Suffix) {
    if (s.length == 0) c.fail(key, msg(Msg.MustNotBeEmpty));
    m.value = m.ignoreCase ? lowerAscii(s) : s;
  } else {
    if (!s.startsWith("/")) c.fail(key, msg(Msg.MustStartWithSlash));
    m.value = m.ignoreCase ? lowerAscii(s) : s;
  }
  return problems.list.length == before ? m : null;
}

/** `{"name": <string matcher>, …}` under `key` (header names validated and lower-cased when headerNames). */
export function parseNamed(c: ConfigObject, key: string, headerNames: bool): NamedMatcher[] {
  const out: NamedMatcher[] = [];
  const o = c.object(key);
  if (o === null) return out;
  for (let i = 0; i < o.obj.keys.length; i++) {
    const name = unchecked(o.obj.keys[i]);
    const p = o.at(name);
    if (headerNames && !isValidHeaderName(name)) { c.problems.add(p, msg(Msg.NotAHeaderName)); continue; }
    const m = parseStringMatcher(unchecked(o.obj.values[i]), p, c.problems);
    if (m !== null) out.push(new NamedMatcher(headerNames ? lowerAscii(name) : name, m));
  }
  return out;
}

const REQUEST_KEYS: string[] = ["path", "methods", "host", "headers", "query"];

/**
 * Parses a request matcher object; null (with problems recorded) when invalid. `extraKeys` are
 * further keys the caller parses itself (a filter's own conditions), accepted here.
 */
export function parseRequestMatcher(v: JsonValue | null, path: string, problems: Problems,
                                    extraKeys: string[] | null = null): RequestMatcher | null {
  const c = ConfigObject.root(v, path, problems);
  if (c === null) return null;
  const before = problems.list.length;
  let keys = REQUEST_KEYS;
  if (extraKeys !== null) { // REQUEST_KEYS + extraKeys (no Array#concat: it is code of its own)
    keys = [];
    for (let i = 0; i < REQUEST_KEYS.length; i++) keys.push(unchecked(REQUEST_KEYS[i]));
    for (let i = 0; i < extraKeys.length; i++) keys.push(unchecked(extraKeys[i]));
  }
  c.rejectUnknown(keys);
  const m = new RequestMatcher();
  const pv = c.obj.get("path");
  if (pv !== null) m.path = parsePathMatcher(pv, c.at("path"), problems);
  const methods = c.stringArray("methods");
  if (methods !== null) {
    for (let i = 0; i < methods.length; i++) {
      const meth = unchecked(methods[i]);
      if (!isValidHeaderName(meth) || hasLowerAscii(meth)) {
        problems.add(keyPath(path, "methods") + "[" + decimal(i) + "]", msg(Msg.MustBeMethodName));
      }
    }
    m.methods = methods;
  }
  const hv = c.obj.get("host");
  if (hv !== null) m.host = parseHost(hv, c.at("host"), problems);
  m.headers = parseNamed(c, "headers", true);
  m.query = parseNamed(c, "query", false);
  return problems.list.length == before ? m : null;
}

function parseHost(v: JsonValue, path: string, problems: Problems): StringMatcher | null {
  if (v.kind != JsonKind.String) {
    const m = parseStringMatcher(v, path, problems);
    if (m !== null && m.kind != MatchKind.Regex) m.value = lowerAscii(m.value);
    return m;
  }
  const h = lowerAscii(v.str);
  if (h.length == 0) { problems.add(path, msg(Msg.MustNotBeEmpty)); return null; }
  if (h.startsWith("*.") && !h.substring(1).includes("*")) { // wildcard subdomain: suffix ".example.com"
    const m = new StringMatcher();
    m.kind = MatchKind.Suffix;
    m.value = h.substring(1);
    return m;
  }
  if (h.includes("*")) { problems.add(path, msg(Msg.BadWildcard)); return null; }
  return StringMatcher.exact(h);
}

/** Whether `s` has an ASCII lower-case letter (String#toUpperCase would pull in Unicode tables). */
function hasLowerAscii(s: string): bool {
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c >= 97 && c <= 122) return true; }
  return false;
}
