// path.ts — request-path canonicalisation for security matching.
//
// canonicalizePath(rawPath, options) splits a :path value into path, query and fragment and
// returns the canonical path every matcher uses. It mirrors Envoy's HCM `normalize_path` +
// `merge_slashes` + `path_with_escaped_slashes_action`, applied whatever Envoy was configured to
// do (a filter must not assume normalised input):
//  1. the fragment ('#…') is dropped and the query ('?…') split off (CVE-2021-39156);
//  2. percent-escapes of UNRESERVED characters (ALPHA DIGIT - . _ ~) are decoded, so "%2e%2e" is
//     "..", and "%41" is "A";
//  3. every other valid escape stays encoded, with upper-case hex ("%2f" → "%2F"). In particular
//     %2F (/), %5C (\) and %00 are kept by default, because decoding them changes which segment
//     a byte belongs to; EscapedSlashes.Reject refuses such paths, EscapedSlashes.Unescape decodes
//     %2F and %5C into separators (then handled as raw ones) — %00 is still refused then;
//  4. a '%' that does not start a valid escape is kept as it is ("%zz" stays "%zz");
//  5. raw backslashes become '/' (Backslash.ToSlash, Envoy's behaviour), or are kept / refused;
//  6. "." and ".." segments are resolved (RFC 3986 §5.2.4), never above the root;
//  7. runs of '/' are merged (option, on by default);
//  8. raw control characters (U+0000–U+001F, U+007F) and a path not starting with '/' are refused.
// `;` path parameters are not interpreted ("/admin;x" stays as it is and a segment-aware
// "/admin" prefix does not match it). Output is a string; input of any size never traps.

import { escapeAt, escapeByte, isUnreserved } from "./percent";
import { joinStrings } from "./join";

export const enum EscapedSlashes { Keep = 0, Reject = 1, Unescape = 2 }
export const enum Backslash { ToSlash = 0, Keep = 1, Reject = 2 }

export class PathOptions {
  mergeSlashes: bool = true;
  escapedSlashes: EscapedSlashes = EscapedSlashes.Keep;
  backslash: Backslash = Backslash.ToSlash;
}

export class CanonicalPath {
  /** "" when the path was accepted; otherwise why it was refused (path is then ""). */
  error: string = "";
  /** The canonical path, e.g. "/api/v1/users". */
  path: string = "";
  /** The query without '?', "" when none. */
  query: string = "";
  hasQuery: bool = false;
  get ok(): bool { return this.error.length == 0; }
}

const DEFAULT_OPTIONS = new PathOptions();

/** Canonicalises a :path value; see the header for the rules. */
const NO_PARTS: string[] = [];

export function canonicalizePath(raw: string, options: PathOptions = DEFAULT_OPTIONS): CanonicalPath {
  const r = new CanonicalPath();
  const n = raw.length;
  let end = n;
  let q = -1;
  for (let i = 0; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (c == 63 /* ? */) { if (q < 0) q = i; }
    else if (c == 35 /* # */) { end = i; break; }
  }
  let pathEnd = end;
  if (q >= 0 && q < end) {
    pathEnd = q;
    r.hasQuery = true;
    r.query = raw.substring(q + 1, end);
  }
  if (pathEnd == 0) { r.path = "/"; return r; }
  if (raw.charCodeAt(0) == 42 /* * */ && pathEnd == 1) { r.path = "*"; return r; }
  if (raw.charCodeAt(0) != 47 /* / */ && raw.charCodeAt(0) != 92) return refuse(r, "path must start with /");

  // Pass 1: escapes, backslashes, control characters → a decoded path (separators are '/').
  let parts = NO_PARTS; // allocated at the first change (most paths have none)
  let run = 0;
  let changed = false;
  for (let i = 0; i < pathEnd; i++) {
    const c = raw.charCodeAt(i);
    if (c < 0x20 || c == 0x7F) return refuse(r, "control character in path");
    if (c == 92 /* \ */) {
      if (options.backslash == Backslash.Reject) return refuse(r, "backslash in path");
      if (options.backslash == Backslash.ToSlash) {
        if (!changed) parts = new Array<string>();
        parts.push(raw.substring(run, i)); parts.push("/"); run = i + 1; changed = true;
      }
      continue;
    }
    if (c != 37 /* % */) continue;
    const v = escapeAt(raw, i);
    if (v < 0) continue; // not an escape: keep the '%' as it is
    let rep: string;
    if (isUnreserved(v)) rep = String.fromCharCode(v);
    else if (v == 0x2F || v == 0x5C || v == 0) {
      const mode = options.escapedSlashes;
      if (mode == EscapedSlashes.Reject || v == 0 && mode == EscapedSlashes.Unescape) {
        return refuse(r, v == 0 ? "encoded NUL in path" : "encoded slash or backslash in path");
      }
      if (mode == EscapedSlashes.Unescape) {
        if (v == 0x5C && options.backslash == Backslash.Reject) return refuse(r, "backslash in path");
        rep = v == 0x5C && options.backslash == Backslash.Keep ? "\\" : "/";
      } else rep = escapeByte(v);
    } else rep = escapeByte(v);
    if (!changed) parts = new Array<string>();
    parts.push(raw.substring(run, i));
    parts.push(rep);
    run = i + 3;
    i += 2;
    changed = true;
  }
  let decoded: string;
  if (changed) { parts.push(raw.substring(run, pathEnd)); decoded = joinStrings(parts); }
  else decoded = raw.substring(0, pathEnd);
  if (decoded.charCodeAt(0) != 47) return refuse(r, "path must start with /");

  r.path = removeDotSegments(decoded, options.mergeSlashes);
  return r;
}

function refuse(r: CanonicalPath, msg: string): CanonicalPath {
  r.error = msg;
  r.path = "";
  return r;
}

/** Resolves "." and ".." (never above the root) and optionally merges "//". p starts with '/'. */
export function removeDotSegments(p: string, mergeSlashes: bool): string {
  if (!needsSegmentWork(p, mergeSlashes)) return p;
  const out = new Array<string>();
  const n = p.length;
  for (let start = 1; start <= n;) {
    let end = p.indexOf("/", start);
    const isLast = end < 0;
    if (isLast) end = n;
    const s = p.substring(start, end);
    start = end + 1;
    if (s == ".") { if (isLast) out.push(""); continue; }
    if (s == "..") {
      if (out.length > 0) out.pop();
      if (isLast) out.push("");
      continue;
    }
    if (s.length == 0 && mergeSlashes && !isLast) continue;
    out.push(s);
  }
  return "/" + joinStrings(out, "/");
}

/** Fast check: any "//" (when merging), "/." or "/.." segment at all? */
function needsSegmentWork(p: string, mergeSlashes: bool): bool {
  const n = p.length;
  for (let i = 0; i < n; i++) {
    if (p.charCodeAt(i) != 47) continue;
    const c1 = i + 1 < n ? <i32>p.charCodeAt(i + 1) : -1;
    if (c1 == 47 && mergeSlashes) return true;
    if (c1 == 46) {
      const c2 = i + 2 < n ? <i32>p.charCodeAt(i + 2) : -1;
      if (c2 == -1 || c2 == 47) return true;
      if (c2 == 46) {
        const c3 = i + 3 < n ? <i32>p.charCodeAt(i + 3) : -1;
        if (c3 == -1 || c3 == 47) return true;
      }
    }
  }
  return false;
}
