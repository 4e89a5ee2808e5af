// Array<string>#join in linear time. AssemblyScript's own join concatenates one element at a time
// (quadratic: a 7,000-character path split into 2,000 parts copied ~14 MB) whenever a module is
// built with shrinkLevel ≥ 1, which the release builds are; its linear version exists only at
// shrinkLevel 0.
export function joinStrings(parts: string[], sep: string = ""): string {
  const n = parts.length;
  if (n == 0) return "";
  const sepBytes = <usize>sep.length << 1;
  let total = sepBytes * <usize>(n - 1);
  for (let i = 0; i < n; i++) total += <usize>unchecked(parts[i]).length << 1;
  const out = __new(total, idof<string>());
  let o = out;
  for (let i = 0; ;) {
    const p = unchecked(parts[i]);
    const k = <usize>p.length << 1;
    memory.copy(o, changetype<usize>(p), k);
    o += k;
    if (++i == n) break;
    memory.copy(o, changetype<usize>(sep), sepBytes);
    o += sepBytes;
  }
  return changetype<string>(out);
}

/** A new string of `cap` units whose first `units` units are copied from `src`; returns its address.
 *  Internal to the libraries (raw addresses): the result is an unreferenced managed object, valid
 *  only until the current callback returns unless it is stored (changetype<string>) somewhere. */
export function newString(src: usize, units: i32, cap: i32): usize {
  const p = __new(<usize>cap << 1, idof<string>());
  memory.copy(p, src, <usize>units << 1);
  return p;
}
