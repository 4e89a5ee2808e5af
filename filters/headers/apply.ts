// Applying one operation, evaluating a rule's request-side condition, and resolving templates.
// Every value is checked before it is written (isWritableHeaderValue: no CR/LF/NUL or other controls, at most
// max_value_bytes); a write that fails the check is skipped and counted, never trapped on.
import { getPropertyString } from "../../assembly/sdk";
import { RequestResolver, Source } from "../../assembly/lib/template";
import { RequestView } from "../../assembly/lib/request";
import { canonicalizePath } from "../../assembly/lib/path";
import { ParsedQuery, QueryParam, parseQuery, serializeQuery } from "../../assembly/lib/query";
import { percentEncodeExcept } from "../../assembly/lib/percent";
import { MatchKind, segmentPrefix } from "../../assembly/lib/matcher";
import { Keep, Op, Operation, Rule, isReserved } from "./config";
import { indexOfUnit, isWritableHeaderValue, trimAscii } from "../../assembly/lib/http";
import { emptyArray } from "../../assembly/lib/json";
import { add, all, entries, has, remove, set, setAll, write } from "./mirror";
import { Name, name as text } from "../../assembly/lib/names";

/** Template sources beyond the request view: identity, request id and Envoy properties. */
export class HeadersResolver extends RequestResolver {
  resolve(source: Source, arg: string): string | null {
    switch (source) {
      case Source.Consumer: return consumer();
      case Source.Claim: return claim(arg);
      case Source.Property: return getPropertyString(splitOn(arg, 46 /* . */));
      case Source.RequestId: return this.request.header(text(Name.XRequestId));
    }
    return super.resolve(source, arg);
  }
}

// Identity is what the auth filter publishes in filter state, read with proxy_get_property:
// wasmgate_consumer and wasmgate_claim.<claim> (names.ts Name.WasmgateConsumer, Name.WasmgateClaim).

/** The consumer the auth filter published, or null. */
function consumer(): string | null { return getPropertyString([text(Name.WasmgateConsumer)]); }

/** A claim the auth filter published, or null. */
function claim(claimName: string): string | null { return getPropertyString([text(Name.WasmgateClaim) + claimName]); }

/** Template sources for the request being handled (one phase runs at a time; index.ts sets the request). */
export const EMPTY_VIEW = new RequestView();
export const resolver = new HeadersResolver(EMPTY_VIEW);

/** `s` split at every `sep` unit (as String#split with a one-character separator). */
export function splitOn(s: string, sep: i32): string[] {
  const out = emptyArray<string[]>();
  let start = 0;
  for (let i = 0, n = s.length; i <= n; i++) {
    if (i == n || <i32>s.charCodeAt(i) == sep) { out.push(s.substring(start, i)); start = i + 1; }
  }
  return out;
}

/** Whether a rule's request-side condition (matcher, consumer, claims) holds. */
export function requestHolds(rule: Rule, view: RequestView): bool {
  const m = rule.match;
  if (m !== null && !m.matches(view)) return false;
  const c = rule.consumer;
  if (c !== null && !c.matches(consumer())) return false;
  const cl = rule.claims;
  for (let i = 0, n = cl.length; i < n; i++) {
    const nm = unchecked(cl[i]);
    if (!nm.matcher.matches(claim(nm.name))) return false;
  }
  return true;
}

// What the current phase did (one phase runs at a time; module state, not an object: smaller
// code): counts for the metrics, and the pending :path for the request.
let view: RequestView | null = null;
let maxBytes: i32 = 0;
export let applied: i32 = 0;
export let skipped: i32 = 0;
export let rejected: i32 = 0;
/** The path being rewritten (set from the canonical path by the first path operation). */
let path: string = "";
let pathDirty: bool = false;
let query: ParsedQuery | null = null;
/** Path and query operations that ran: applied only once flushPath has written the :path they made. */
let pathOps: i32 = 0;
let queryOps: i32 = 0;

/** Starts a phase: the request view (null for the response) and max_value_bytes. */
export function beginPhase(v: RequestView | null, max: i32): void {
  view = v;
  maxBytes = max;
  applied = 0;
  skipped = 0;
  rejected = 0;
  path = "";
  pathDirty = false;
  query = null;
  pathOps = 0;
  queryOps = 0;
}

/** Counts a rule whose condition did not hold. */
export function skipRule(): void { skipped++; }

/**
 * The query parameters being edited (parsed from the request on first use), or null when the
 * query has more parameters than the parser keeps: editing it would silently drop the rest.
 */
function params(): QueryParam[] | null {
  let q = query;
  if (q === null) {
    const v = view;
    if (v === null) return null; // the response phase has no query
    q = parseQuery(v.rawQuery);
    if (q.truncated) return null;
    query = q;
  }
  return q.params;
}

/** ASCII kept raw in a written :path: unreserved, sub-delims, ":", "@", "/", "?", "%", "[", "]", and space and
 *  "#" (so that isPath refuses them); everything else is percent-encoded. */
const URL_KEEP = memory.data<u8>([0, 0, 0, 0, 251, 255, 255, 175, 255, 255, 255, 175, 254, 255, 255, 71]);

/** Writes :path once, after all request rules, when a path or query operation changed it. */
export function flushPath(): void {
  const v = view;
  if (v === null) return;
  let p = path;
  let n = queryOps; // the operations whose result this write carries
  // A rewrite must leave a canonical path and add no query: Envoy normalised the path before the
  // filter ran and routes the new one as it is, so a "." or ".." segment the rewrite made (from
  // "/old-../x", say) would reach the upstream unresolved (and a "//" unmerged). A refused rewrite
  // does not take the query operations with it: they go out on the request's own path (a client
  // that could make the rewrite fail must not also escape a query_remove).
  if (pathDirty && (indexOfUnit(p, 63 /* ? */, 0) >= 0 || canonicalizePath(p).path != p)) {
    rejected++;
    pathDirty = false;
  } else n += pathOps;
  if (!pathDirty) {
    if (query === null) { applied += n; return; }
    p = v.rawPath;
    const q = indexOfUnit(p, 63 /* ? */, 0);
    if (q >= 0) p = p.substring(0, q);
  }
  const qp = query;
  const qs = qp !== null ? serializeQuery(qp.params) : v.rawQuery;
  if (qs.length > 0) p += text(Name.Question) + qs;
  // What the request carried and Envoy accepts but an origin-form path may not carry raw ('|', '{',
  // '"', HTAB, non-ASCII …) is percent-encoded, not a reason to refuse: a client could otherwise
  // make the filter skip its rewrite. (Space and '#', which cannot come from the request, stay.)
  p = percentEncodeExcept(p, URL_KEEP);
  if (!isPath(p, maxBytes)) { rejected++; return; }
  set(text(Name.Path), p);
  applied += n;
}

// Null tests on a string by its pointer: `s === null` on a string compiles to a String.__eq call.
/** Whether a string (or a holey string[] entry) is absent. */
// @ts-ignore: decorator
@inline export function isNull(s: string | null): bool { return changetype<usize>(s) == 0; }
/** s, or "" when absent. */
export function str(s: string | null): string { return isNull(s) ? "" : changetype<string>(s); }

/** Applies one operation; `value` is the rendered template (null when the operation has none or it failed). */
export function applyOp(op: Operation, value: string | null): void {
  const name = op.name;
  const k = op.op;
  // The operations that write a value have one (set, append, set_if_absent, query_set, query_add, host).
  // (A constant passed the same check against the same max_value_bytes at configure time.)
  const vp = changetype<usize>(value);
  if (op.value !== null && (vp == 0 || vp != changetype<usize>(op.constant) && !isWritableHeaderValue(changetype<string>(value), maxBytes))) { rejected++; return; }
  const v = str(value);
  // Operations by Op value ranges (an if chain is smaller than the switch's dispatch).
  if (k <= Op.SetIfAbsent) {
    // A value that comes out empty is not written (Envoy's keep_empty_value: false): a template whose
    // source is missing leaves the header absent rather than present and empty.
    if (v.length > 0 && (k != Op.SetIfAbsent || !has(name))) write(name, v, k == Op.Set);
  } else if (k == Op.Remove) {
    const names = op.names;
    if (names === null) remove(name);
    else {
      const l = entries();
      const at = l.now;
      // A plain prefix (the common "x-internal-") is tested on the bytes (the list skips the other
      // names); other matchers see every name ("": each entry). Byte tests never match a non-ASCII
      // name or prefix; Envoy header names are ASCII tokens.
      const prefix = names.kind == MatchKind.Prefix && !names.ignoreCase && !names.invert ? names.value : "";
      // Entries alive when the operation began, each name once (a removed name is absent after).
      for (let i = 0; (i = l.find(prefix, i, at, false)) >= 0; i++) {
        const h = l.nameAt(i);
        if (h.charCodeAt(0) != 58 /* : */ && !isReserved(h) && names.matches(h)) remove(h);
      }
    }
  } else if (k <= Op.Dedupe) {
    const vals = all(name);
    if (k <= Op.Copy) {
      if (vals.length > 0 && op.to != name) { // nothing to move is still applied
        if (!allSafe(vals, maxBytes)) { rejected++; return; }
        if (k == Op.Rename) remove(name);
        if (op.overwrite) setAll(op.to, vals);
        else for (let i = 0; i < vals.length; i++) add(op.to, unchecked(vals[i]));
      }
    } else if (k == Op.Replace) {
      let changed = false;
      for (let i = 0; i < vals.length; i++) {
        const before = unchecked(vals[i]);
        // (bounded: past both limits the output is longer than the value, so not equal to it, and
        // longer than a write may be, so refused below in any case)
        const after = replaceWith(op, before, max(maxBytes, before.length));
        if (after == before) continue;
        if (isNull(after) || !isWritableHeaderValue(changetype<string>(after), maxBytes)) { rejected++; return; }
        unchecked(vals[i] = changetype<string>(after));
        changed = true;
      }
      if (changed) setAll(name, vals);
    } else {
      const items = op.split ? splitCommas(vals) : vals;
      // (unique is quadratic in the values: a 60 KB header splits into 15,000 of them)
      if (items.length > MAX_DEDUPE) { rejected++; return; }
      const kept = dedupe(items, op.keep);
      if (kept.length != vals.length || op.split) { // nothing dropped is still applied
        if (!allSafe(kept, maxBytes)) { rejected++; return; }
        setAll(name, kept);
      }
    }
  } else if (k <= Op.QueryRename) {
    // query_set writes the first parameter named `name` and drops the others; query_remove drops
    // them all; query_rename renames them all; query_add keeps them. set and add append the
    // parameter when none was written.
    const ps = params();
    if (ps === null) { rejected++; return; }
    let w = 0;
    let placed = false;
    for (let i = 0, n = ps.length; i < n; i++) {
      const p = unchecked(ps[i]);
      if (p.name == name && k != Op.QueryAdd) {
        if (k == Op.QueryRemove || placed) continue;
        unchecked(ps[w++] = k == Op.QuerySet ? new QueryParam(name, v) : new QueryParam(op.to, p.value, p.bare));
        placed = k == Op.QuerySet;
        continue;
      }
      unchecked(ps[w++] = p);
    }
    ps.length = w;
    if (!placed && k <= Op.QueryAdd) ps.push(new QueryParam(name, v));
  } else if (k <= Op.PathRegex) {
    const rv = view;
    const p = pathDirty ? path : rv !== null ? rv.path : "";
    if (p.length == 0) { rejected++; return; } // a path that could not be canonicalised is never rewritten
    let out = p;
    if (k == Op.PathPrefix) {
      if (segmentPrefix(p, name)) { // a path outside the prefix is left as it is (still applied)
        // (charCodeAt is -1 out of range: an empty string starts and ends with no "/")
        let rest = p.substring(name.length, p.length);
        const to = op.to;
        if (to.charCodeAt(to.length - 1) == 47 && rest.charCodeAt(0) == 47) rest = rest.substring(1, rest.length);
        out = to + rest;
        if (out.charCodeAt(0) != 47) out = "/" + out;
      }
    } else {
      // (an intermediate path may exceed max_value_bytes if a later operation shortens it; only one
      // over PATH_WORK code units and longer than the path it rewrites is refused here)
      const r = replaceWith(op, p, max(PATH_WORK, p.length));
      if (isNull(r)) { rejected++; return; }
      out = changetype<string>(r);
    }
    if (out != p) { path = out; pathDirty = true; }
  } else {
    if (!isHost(v)) { rejected++; return; }
    set(text(Name.Authority), v);
  }
  if (k < Op.QuerySet || k > Op.PathRegex) applied++; else if (k <= Op.QueryRename) queryOps++; else pathOps++;
}

/** Moved or rewritten values are checked like new ones: one failing value rejects the operation. */
function allSafe(vals: string[], maxBytes: i32): bool {
  for (let i = 0; i < vals.length; i++) if (!isWritableHeaderValue(unchecked(vals[i]), maxBytes)) return false;
  return true;
}

/** The most values dedupe works on (as the query parser's 256 parameters); more are a rejected write. */
const MAX_DEDUPE: i32 = 256;

/** Every comma-separated item of every value, trimmed, empty items dropped. */
function splitCommas(vals: string[]): string[] {
  const out = emptyArray<string[]>();
  for (let i = 0; i < vals.length; i++) {
    const items = splitOn(unchecked(vals[i]), 44 /* , */);
    for (let k = 0; k < items.length; k++) {
      const item = trimAscii(unchecked(items[k]));
      if (item.length > 0) out.push(item);
    }
  }
  return out;
}

function dedupe(items: string[], keep: Keep): string[] {
  if (items.length <= 1) return items;
  if (keep != Keep.Unique) return [unchecked(items[keep == Keep.First ? 0 : items.length - 1])];
  const out = emptyArray<string[]>();
  for (let i = 0; i < items.length; i++) { const s = unchecked(items[i]); if (!out.includes(s)) out.push(s); }
  return out;
}

/** Whether code unit `c` is in the ASCII set given as a 128-bit mask (`lo`: units 0–63, `hi`: 64–127). */
function inSet(c: i32, lo: u64, hi: u64): bool {
  return <u32>c < 128 && ((c < 64 ? lo : hi) >> (<u64>c & 63) & 1) != 0;
}

/** An origin-form path: "/" then RFC 3986 pchar, "/" and "?" (query) — no spaces, controls, '#'. */
function isPath(p: string, maxBytes: i32): bool {
  if (p.charCodeAt(0) != 47 || p.length > maxBytes) return false; // (-1 when empty)
  // "/" and RFC 3986 pchar and "?": printable ASCII except space, " # < > \ ^ ` { | }
  for (let i = 0, n = p.length; i < n; i++) if (!inSet(p.charCodeAt(i), 0xAFFFFFF200000000, 0x47FFFFFEAFFFFFFF)) return false;
  return true;
}

/** host [":" port], host a reg-name (letters, digits, "-", ".", "_") or an IPv6 literal in brackets. */
export function isHost(h: string): bool {
  const n = h.length;
  if (n == 0 || n > 255) return false;
  // letters, digits, ":", "-", ".", "_", "[", "]"
  for (let i = 0; i < n; i++) if (!inSet(h.charCodeAt(i), 0x07FF600000000000, 0x07FFFFFEAFFFFFFE)) return false;
  return true;
}

/** Code units a path may reach between path operations (the final one is checked against max_value_bytes). */
const PATH_WORK: i32 = 1 << 20;

/**
 * The regex replacement of a replace or path_regex operation (both are set for those operations),
 * or null once it passes `bound` code units — never built in full, so a hostile value (an empty
 * match between every character, say) cannot make a huge string.
 */
function replaceWith(op: Operation, s: string, bound: i32): string | null {
  const r = op.regex, rep = op.replacement;
  return r !== null && rep !== null ? r.replaceAtMost(s, rep, true, bound) : s;
}
