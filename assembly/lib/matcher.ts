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
//  - a header matcher sees the header's values joined with "," (as Envoy's HeaderMatcher), so a
//    repeated header cannot pick which of its values is tested; a query matcher sees the first
//    value of the parameter (as Envoy's query_parameters matcher).
// Parse errors name their path: "config.rules[2].match.path.prefix: must start with /".

import { JsonKind, JsonValue, listItems, emptyArray } from "./json";
import { ConfigObject, Problems, itemPath } from "./configReader";
import { compileRegex, Regex } from "./regex";
import { RequestView } from "./request";
import { indexOfUnit, isUpperCaseMethod, isValidHeaderName, lowerAscii } from "./http";
import { Msg, msg } from "./messages";
import { Name, name } from "./names";
import { compareImpl } from "util/string";

/** What a StringMatcher tests. SegmentPrefix is a path matcher's segment-aware prefix. */
export const enum MatchKind { Exact, Prefix, Suffix, Contains, Regex, Present, Absent, SegmentPrefix }

/** A string matcher: a value condition (or a path condition, see parsePathMatcher). */
export class StringMatcher {
  // (the two references first: the collector's visitor for this class is then the one of every
  // two-reference class)
  value: string = "";
  regex: Regex | null = null;
  kind: MatchKind = MatchKind.Exact;
  ignoreCase: bool = false;
  invert: bool = false;
  /** A path condition (parsePathMatcher): "" — a path the canonicaliser refused — matches nothing. */
  forPath: bool = false;
  /** A "*.example.com" host: the suffix must follow a non-empty label (".example.com" is no subdomain). */
  wildcard: bool = false;

  static exact(v: string): StringMatcher { const m = new StringMatcher(); m.value = v; return m; }

  /** v: the value, or null when absent. */
  matches(v: string | null): bool {
    const k = this.kind;
    let r = k == MatchKind.Absent; // an absent value
    if (changetype<usize>(v) != 0) {
      if (this.forPath && changetype<string>(v).length == 0) return false;
      r = k == MatchKind.Present; // Present and Absent
      if (k == MatchKind.Regex) { const re = this.regex; r = re !== null && re.fullMatch(changetype<string>(v)); }
      else if (k != MatchKind.Present && k != MatchKind.Absent) {
        const s = this.ignoreCase ? lowerAscii(changetype<string>(v)) : changetype<string>(v);
        const x = this.value;
        if (k == MatchKind.Contains) r = s.includes(x);
        else if (k == MatchKind.SegmentPrefix) r = segmentPrefix(s, x);
        else { // Exact, Prefix, Suffix: x at 0 (all of s for Exact) or at the end
          const n = s.length, m = x.length;
          r = m <= n && (k != MatchKind.Exact || n == m) && (!this.wildcard || n > m) // (a wildcard is a Suffix)
            && compareImpl(s, k == MatchKind.Suffix ? <usize>(n - m) : 0, x, 0, <usize>m) == 0;
        }
      }
    }
    return r != this.invert;
  }
}

/** A path condition is a StringMatcher of kind Exact, SegmentPrefix, Suffix or Regex (never
 *  inverted) with forPath set: it matches no empty (refused) path, whatever its regex. */
export type PathMatcher = StringMatcher;

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
  // (every field a constructor parameter: no stores of defaults first)
  constructor(public path: PathMatcher | null, public methods: string[] | null, public host: StringMatcher | null,
              public headers: NamedMatcher[], public query: NamedMatcher[]) {}

  matches(r: RequestView): bool {
    const p = this.path;
    if (p !== null && !p.matches(r.path)) return false; // (a refused path, "", matches none)
    const ms = this.methods;
    if (ms !== null && !ms.includes(r.method)) return false;
    const h = this.host;
    if (h !== null && !h.matches(r.host)) return false;
    let ns = this.headers;
    for (let i = 0, n = ns.length; i < n; i++) {
      const m = unchecked(ns[i]);
      if (!m.matcher.matches(r.headerJoined(m.name))) return false;
    }
    ns = this.query;
    for (let i = 0, n = ns.length; i < n; i++) {
      const m = unchecked(ns[i]);
      if (!m.matcher.matches(r.queryParam(m.name))) return false;
    }
    return true;
  }
}

// The keys of a string matcher object; the first seven are the kinds (index = MatchKind), then
// ignore_case and invert (the bits of STRING_KEYS). A path matcher takes exact, prefix, suffix, regex
// and ignore_case (the bits of PATH_KEYS). Then a request matcher's keys, from K_PATH (REQUEST_KEYS).
// (One '|'-separated text in messages.txt, split once: cheaper than fourteen string literals.)
const KEYS = listItems(msg(Msg.MatcherKeys), 14);
const STRING_KINDS = 0x7F, PATH_KINDS = 0x17, STRING_KEYS = 0x1FF, PATH_KEYS = 0x97, REQUEST_KEYS = 0x3E00;
const K_PATH = 9, K_METHODS = 10, K_HOST = 11, K_HEADERS = 12, K_QUERY = 13;
const STRING = 0, PATH = 1, HOST = 2;

/** A string matcher from a string (exact) or an object; null (and a problem) when invalid. */
export function parseStringMatcher(v: JsonValue, path: string, problems: Problems): StringMatcher | null {
  return parseMatcher(v, path, problems, STRING);
}

/** A path matcher object; null (and a problem) when invalid. */
export function parsePathMatcher(v: JsonValue, path: string, problems: Problems): PathMatcher | null {
  return parseMatcher(v, path, problems, PATH);
}

function parseMatcher(v: JsonValue | null, path: string, problems: Problems, mode: i32): StringMatcher | null {
  if (v === null) return null; // (an absent optional member)
  const m = new StringMatcher();
  let s = v.str;
  if (v.kind == JsonKind.String && mode != PATH) {
    if (mode == HOST) { // "api.example.com", or "*.example.com": any subdomain (suffix ".example.com")
      s = lowerAscii(s);
      const wild = <i32>(s.charCodeAt(0) == 42 && s.charCodeAt(1) == 46); // "*."
      if (s.length == 0) { problems.add(path, msg(Msg.MustNotBeEmpty)); return null; }
      if (indexOfUnit(s, 42 /* * */, wild) >= 0) { problems.add(path, msg(Msg.BadWildcard)); return null; }
      if (wild) { m.kind = MatchKind.Suffix; m.wildcard = true; s = s.substring(1, s.length); }
    }
    m.value = s;
    return m;
  }
  const c = ConfigObject.root(v, path, problems);
  if (c === null) return null;
  const before = problems.list.length;
  const forPath = m.forPath = mode == PATH;
  c.rejectUnknown(KEYS, forPath ? PATH_KEYS : STRING_KEYS);
  let k = c.oneOf(KEYS, forPath ? PATH_KINDS : STRING_KINDS);
  const ic = m.ignoreCase = c.optionalBool(unchecked(KEYS[7]), false); // ignore_case
  if (!forPath) m.invert = c.optionalBool(unchecked(KEYS[8]), false); // invert
  if (k < 0) return null;
  const key = unchecked(KEYS[k]);
  s = "";
  if (k == MatchKind.Present || k == MatchKind.Absent) {
    if (!c.requiredBool(key) && problems.list.length == before) c.fail(key, msg(Msg.MustBeTrue));
  } else if (forPath) {
    const ps = c.obj.getString(key);
    if (changetype<usize>(ps) == 0) { c.fail(key, msg(Msg.MustBeString)); return null; }
    s = changetype<string>(ps);
    if (k == MatchKind.Suffix) {
      if (s.length == 0) c.fail(key, msg(Msg.MustNotBeEmpty));
    } else if (k != MatchKind.Regex) {
      if (s.charCodeAt(0) != 47 /* / */) c.fail(key, msg(Msg.MustStartWithSlash));
      if (k == MatchKind.Prefix) k = MatchKind.SegmentPrefix;
    }
  } else s = c.requiredString(key);
  m.kind = <MatchKind>k;
  if (k == MatchKind.Regex) {
    const r = compileRegex(ic ? msg(Msg.MatcherIgnoreCaseGroup) + s + name(Name.CloseParen) : s);
    if (!r.ok) problems.add(c.at(key), msg(Msg.InvalidRegex) + r.error);
    m.regex = r.regex;
  } else m.value = ic || mode == HOST ? lowerAscii(s) : s;
  return problems.list.length == before ? m : null;
}

/** `{"name": <string matcher>, …}` under `key` (header names validated and lower-cased when headerNames). */
export function parseNamed(c: ConfigObject, key: string, headerNames: bool): NamedMatcher[] {
  const out = emptyArray<NamedMatcher[]>();
  const o = c.object(key);
  if (o === null) return out;
  const keys = o.obj.keys;
  for (let i = 0; i < keys.length; i++) {
    const name = unchecked(keys[i]);
    const p = o.at(name);
    if (headerNames && !isValidHeaderName(name)) { c.problems.add(p, msg(Msg.NotAHeaderName)); continue; }
    const m = parseMatcher(unchecked(o.obj.values[i]), p, c.problems, STRING);
    if (m !== null) out.push(new NamedMatcher(headerNames ? lowerAscii(name) : name, m));
  }
  return out;
}

/**
 * Parses a request matcher object; null (with problems recorded) when invalid. `extraKeys` are
 * further keys the caller parses itself (a filter's own conditions), accepted here: only
 * extraKeys[i] with bit i of `extraMask` set (at most 32), so a filter can pass its table of keys.
 */
export function parseRequestMatcher(v: JsonValue | null, path: string, problems: Problems,
                                    extraKeys: string[] | null = null, extraMask: i32 = -1): RequestMatcher | null {
  const c = ConfigObject.root(v, path, problems);
  if (c === null) return null;
  const before = problems.list.length;
  c.rejectUnknown(KEYS, REQUEST_KEYS, extraKeys, extraMask);
  let key = unchecked(KEYS[K_PATH]);
  const pm = parseMatcher(c.obj.get(key), c.at(key), problems, PATH);
  key = unchecked(KEYS[K_METHODS]);
  const methods = c.stringArray(key);
  if (methods !== null) {
    if (methods.length == 0) problems.add(c.at(key), msg(Msg.MustNotBeEmpty)); // (would match no request)
    for (let i = 0; i < methods.length; i++) {
      if (!isUpperCaseMethod(unchecked(methods[i]))) problems.add(itemPath(c.at(key), i), msg(Msg.MustBeMethodName));
    }
  }
  key = unchecked(KEYS[K_HOST]);
  const host = parseMatcher(c.obj.get(key), c.at(key), problems, HOST);
  const headers = parseNamed(c, unchecked(KEYS[K_HEADERS]), true);
  const m = new RequestMatcher(pm, methods, host, headers, parseNamed(c, unchecked(KEYS[K_QUERY]), false));
  return problems.list.length == before ? m : null;
}
