// A local copy of one header map, kept in step with every write, so that reads — conditions,
// rename/copy/dedupe/replace, pattern removal — see the headers as the earlier operations left
// them without asking the host again. It is read (one get_header_map_pairs) only when something
// first needs it: a phase whose operations only write never reads the map at all. Every write goes
// to the host at once. Names are lower-case (Envoy's). get_header_map_value would return only the
// first of duplicates; the mirror keeps every entry, in order.
import { HeaderMap, HeaderPair, requestHeaders } from "../../assembly/sdk";

// One mirror at a time (the phase being run): module state, not an object (smaller code).
let map: HeaderMap = requestHeaders;
let list: HeaderPair[] | null = null;
/** The list was handed out (share()): copy it before changing it. */
let shared: bool = false;

/** Starts mirroring `m` (nothing is read until something needs it). */
export function mirror(m: HeaderMap): void {
  map = m;
  list = null;
  shared = false;
}

/** Every entry, in order (read from the host on first use). Do not keep it across writes. */
export function pairs(): HeaderPair[] {
  let l = list;
  if (l === null) { l = map.pairs(); list = l; }
  return l;
}

/** The current entries for a reader that must keep seeing them as they are now (a RequestView). */
export function share(): HeaderPair[] {
  const l = pairs();
  shared = true;
  return l;
}

/** First value of `name`, or null. */
export function first(name: string): string | null {
  const ps = pairs();
  for (let i = 0, n = ps.length; i < n; i++) { const p = unchecked(ps[i]); if (p.name == name) return p.value; }
  return null;
}

/** Every value of `name`, in order. */
export function all(name: string): string[] {
  const out: string[] = [];
  const ps = pairs();
  for (let i = 0, n = ps.length; i < n; i++) { const p = unchecked(ps[i]); if (p.name == name) out.push(p.value); }
  return out;
}

export function has(name: string): bool { return first(name) !== null; }

/** Removes every entry of `name`. */
export function remove(name: string): void {
  if (list !== null && !has(name)) return; // known absent: no host call
  map.remove(name);
  drop(name);
}

/** Sets `name` to one value. */
export function set(name: string, value: string): void {
  map.set(name, value);
  drop(name);
  push(name, value);
}

/** Adds an entry (Envoy joins it with "," into an existing inline header such as x-forwarded-for). */
export function add(name: string, value: string): void {
  map.add(name, value);
  push(name, value);
}

/** Replaces every entry of `name` with `values`, in order (removes it when empty). */
export function setAll(name: string, values: string[]): void {
  if (values.length == 1) { set(name, unchecked(values[0])); return; }
  remove(name);
  for (let i = 0; i < values.length; i++) add(name, unchecked(values[i]));
}

function push(name: string, value: string): void {
  let l = list;
  if (l === null) return;
  if (shared) l = unshare(l, null);
  l.push(new HeaderPair(name, value));
}

/** A copy of the shared list (without the entries of `except`) becomes the mirror's own. */
function unshare(ps: HeaderPair[], except: string | null): HeaderPair[] {
  const out = new Array<HeaderPair>();
  for (let i = 0, n = ps.length; i < n; i++) { const p = unchecked(ps[i]); if (except === null || p.name != except) out.push(p); }
  list = out;
  shared = false;
  return out;
}

function drop(name: string): void {
  const ps = list;
  if (ps === null) return;
  if (shared) { unshare(ps, name); return; } // a reader holds this list: leave it as it is
  let w = 0;
  for (let i = 0, n = ps.length; i < n; i++) {
    const p = unchecked(ps[i]);
    if (p.name == name) continue;
    if (w != i) unchecked(ps[w] = p);
    w++;
  }
  ps.length = w;
}
