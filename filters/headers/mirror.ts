// The headers of the phase being run, kept in step with every write, so that reads — conditions,
// rename/copy/dedupe/replace, pattern removal — see the headers as the earlier operations left them
// without asking the host again. The map is read (one get_header_map_pairs) only when something
// first needs it: a phase whose operations only write never reads it. Every write goes to the host
// at once. It is an SDK HeaderList: the host's bytes, values decoded only when read, and snapshots
// (share) that keep seeing the headers as they were. get_header_map_value would return only the
// first of duplicates; the list keeps every entry, in order. Names are lower-case (Envoy's).
import { HeaderList, HeaderMap, HeaderSource, requestHeaders } from "../../assembly/sdk";

// One phase at a time: module state, not an object (smaller code).
let map: HeaderMap = requestHeaders;
let list: HeaderList | null = null;

/** Starts mirroring `m` (nothing is read until something needs it). */
export function mirror(m: HeaderMap): void {
  map = m;
  list = null;
}

/** The entries (read from the host on first use). */
export function entries(): HeaderList {
  let l = list;
  if (l === null) { l = map.list(); list = l; }
  return l;
}

/** The headers as they are now, for a reader that must keep seeing them so (a RequestView). */
export function share(): HeaderSource { return entries().snapshot(); }

/** First value of `name`, or null. */
export function first(name: string): string | null { return entries().first(name); }

/** Every value of `name`, in order. */
export function all(name: string): string[] { return entries().all(name); }

/** Whether `name` is present (as first(): one shared scan, not a second copy of it). */
export function has(name: string): bool { return changetype<usize>(first(name)) != 0; } // (no String.__eq call)

/** Removes every entry of `name`. */
export function remove(name: string): void {
  const l = list;
  if (l !== null && !l.remove(name)) return; // known absent: no host call
  map.remove(name);
}

/** Sets `name` to one value. */
export function set(name: string, value: string): void { write(name, value, true); }

/** Adds an entry (Envoy joins it with "," into an existing inline header such as x-forwarded-for). */
export function add(name: string, value: string): void { write(name, value, false); }

/** set (`replace`: the entries of `name` are removed first, so the new one is at the end of the
 *  list, as Envoy puts a replaced non-inline header) or add. */
export function write(name: string, value: string, replace: bool): void {
  map.put(name, value, replace);
  const l = list;
  if (l !== null) l.put(name, value, replace);
}

/** Replaces every entry of `name` with `values`, in order (removes it when empty). */
export function setAll(name: string, values: string[]): void {
  if (values.length == 1) { set(name, unchecked(values[0])); return; }
  remove(name);
  for (let i = 0; i < values.length; i++) add(name, unchecked(values[i]));
}
