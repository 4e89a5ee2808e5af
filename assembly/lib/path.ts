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

import { escapeAt, isUnreserved, putEscape } from "./percent";
import { joinStrings } from "./join";
import { indexOfUnit } from "./http";
import { Msg, msg } from "./messages";
import { emptyArray } from "./emptyArray";

export const enum EscapedSlashes { Keep = 0, Reject = 1, Unescape = 2 }
export const enum Backslash { ToSlash = 0, Keep = 1, Reject = 2 }

export class PathOptions {
  mergeSlashes: bool = true;
  escapedSlashes: EscapedSlashes = EscapedSlashes.Keep;
  backslash: Backslash = Backslash.ToSlash;
}

export class CanonicalPath {
  /** The canonical path, e.g. "/api/v1/users". */
  path: string = "";
  queryStart: i32 = 0;
  queryEnd: i32 = 0;
  /** Why the path was refused (a Msg), or -1. */
  refusal: i32 = -1;
  constructor(
    /** The :path value as given: the query is cut from it at [queryStart, queryEnd) when asked for
     *  (most requests never ask). (A parameter property: one store, not a "" first.) */
    public raw: string,
  ) {}
  /** The query without '?' (up to a '#'), "" when none. */
  get query(): string { return this.raw.substring(this.queryStart, this.queryEnd); }
  /** Whether there is a '?' before any '#' (the query may be empty). */
  get hasQuery(): bool { return this.queryStart > 0; }
  get ok(): bool { return this.refusal < 0; }
  /** "" when the path was accepted; otherwise why it was refused (path is then ""). */
  get error(): string { const m = this.refusal; return m < 0 ? "" : msg(<Msg>m); }
}


/**
 * Canonicalises a :path value; see the header for the rules.
 *
 * One pass over the path: each input unit (or escape) becomes its decoded unit(s), and every
 * separator ('/' after decoding) closes a segment, which is then resolved against the output
 * written so far — the same as decoding the whole path first and then running removeDotSegments
 * on it (tests/unit/lib-path.spec.ts checks the two against each other). The output is
 * "/" + the kept segments, each followed by '/', + the current segment; `seg` is where the current
 * segment starts. The output is never longer than the input. A path that is canonical as it is
 * (most are: see the first loop) skips all this and is cut from `raw`.
 */
export function canonicalizePath(raw: string, options: PathOptions | null = null): CanonicalPath {
  const r = new CanonicalPath(raw);
  // The path part: up to the first '?' (the query) or '#' (the fragment, dropped). Most paths are
  // canonical already: '/' first, then printable ASCII but '%' and '\', and no segment that is empty
  // (but the last) or starts with '.' — such a path is its own canonical form, whatever the options.
  const n = raw.length;
  let pathEnd = 0, prev = 0, plain = true, c = 0;
  for (; pathEnd < n; pathEnd++) {
    c = <i32>load<u16>(changetype<usize>(raw) + (<usize>pathEnd << 1));
    if (c == 35 /* # */ || c == 63 /* ? */) break;
    if (<u32>(c - 0x20) >= 0x5F || c == 37 /* % */ || c == 92 /* \ */ || prev == 47 && (c == 47 || c == 46)) plain = false;
    prev = c;
  }
  if (c == 63) { // a '?' before any '#' (a path that ends unstopped ends with neither)
    const q = pathEnd + 1;
    const end = indexOfUnit(raw, 35 /* # */, q);
    r.queryStart = q;
    r.queryEnd = end < 0 ? n : end;
  }
  if (pathEnd == 0) { r.path = "/"; return r; }
  const c0 = <i32>load<u16>(changetype<usize>(raw)); // (pathEnd > 0: raw is not empty)
  if (plain && c0 == 47) { r.path = raw.substring(0, pathEnd); return r; }
  if (c0 == 42 /* * */ && pathEnd == 1) { r.path = raw.substring(0, 1); return r; } // "*"
  if (c0 != 47 /* / */ && c0 != 92) return refuse(r, Msg.PathMustStartWithSlash);

  // (null: the defaults, without a module-level default object)
  let backslash = Backslash.ToSlash, mode = EscapedSlashes.Keep, merge = true;
  if (options !== null) { backslash = options.backslash; mode = options.escapedSlashes; merge = options.mergeSlashes; }
  if (c0 == 92 && backslash == Backslash.Reject) return refuse(r, Msg.PathBackslash);
  // The output (never longer than the path), from the root '/' (for a '\' root: ToSlash; with Keep
  // the path is refused below once the rest was checked, and the output is never used).
  const base = __new(<usize>pathEnd << 1, idof<string>()); // (held in a local only: the SDK collects between callbacks)
  store<u16>(base, 47);
  let o = 1;                // output length
  let seg = 1;              // start of the current segment in the output
  for (let i = 1; i <= pathEnd;) {
    let u = 47;             // the decoded unit; the end of the path closes the last segment like a '/'
    let c = -1;             // the input unit (or the byte an escape decodes to, when that is used)
    let v = -1;             // the byte of an escape
    let adv = 1;
    if (i < pathEnd) {
      c = <i32>load<u16>(changetype<usize>(raw) + (<usize>i << 1));
      if (c < 0x20 || c == 0x7F) return refuse(r, Msg.PathControlCharacter);
      if (c == 37 /* % */ && (v = escapeAt(raw, i)) >= 0) { // else not an escape: the '%' stays as it is
        adv = 3;
        if (isUnreserved(v)) c = v;
        else if (v == 0x2F || v == 0x5C || v == 0) {
          if (mode == EscapedSlashes.Reject || v == 0 && mode == EscapedSlashes.Unescape) {
            return refuse(r, v == 0 ? Msg.PathEncodedNul : Msg.PathEncodedSlash);
          }
          if (mode == EscapedSlashes.Unescape) c = v; // then as a raw '/' or '\'
        }
        // otherwise c stays '%': the escape is written again, in upper case
      }
      u = c;
      if (c == 92 /* \ */) {
        if (backslash == Backslash.Reject) return refuse(r, Msg.PathBackslash);
        if (backslash == Backslash.ToSlash) u = 47;
      }
    }
    i += adv;
    // A separator (or the end) closes the segment out[seg, o): "." and ".." are dropped (".."
    // with the segment before it, if any), and so is an empty one when merging (not the last).
    let drop = false;
    if (u == 47) {
      const len = o - seg;
      drop = len > 0 && len < 3 && load<u16>(base + (<usize>seg << 1)) == 46
        && load<u16>(base + (<usize>o << 1) - 2) == 46 || len == 0 && merge && c >= 0;
      if (!drop && c < 0) break; // the end: the last segment stays
    }
    if (drop) {
      if (o - seg == 2 && seg > 1) { // "..": back to the start of the segment before it
        seg--;
        while (load<u16>(base + (<usize>seg << 1) - 2) != 47) seg--; // out[0] is '/'
      }
      o = seg;
      continue;
    }
    if (u == 47) seg = o + 1;
    const at = base + (<usize>o << 1);
    if (u == 37 && adv == 3) { putEscape(at, v); o += 3; }
    else { store<u16>(at, <u16>u); o++; }
  }
  if (c0 == 92 && backslash == Backslash.Keep) return refuse(r, Msg.PathMustStartWithSlash);
  r.path = changetype<string>(__renew(base, <usize>o << 1));
  return r;
}


function refuse(r: CanonicalPath, m: Msg): CanonicalPath {
  r.refusal = m;
  r.path = "";
  return r;
}

/** Resolves "." and ".." (never above the root) and optionally merges "//". p starts with '/'.
 *  canonicalizePath does this itself in its one pass; this simpler form is kept as the reference the
 *  path spec checks it against (and for callers that have a decoded path already). */
export function removeDotSegments(p: string, mergeSlashes: bool): string {
  if (!needsSegmentWork(p, mergeSlashes)) return p;
  const out = emptyArray<string[]>();
  const n = p.length;
  for (let start = 1; start <= n;) {
    let end = indexOfUnit(p, 47 /* / */, start);
    const isLast = end < 0;
    if (isLast) end = n;
    const s = p.substring(start, end);
    start = end + 1;
    if (s.length == 1 && s.charCodeAt(0) == 46 /* . */) { if (isLast) out.push(""); continue; }
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
