// A local copy of one header map, read once per phase with get_header_map_pairs and kept in step
// with every write, so that rename/copy/dedupe/replace and pattern removal read the headers as the
// earlier operations left them without another host call. Every write goes to the host at once.
// Names are lower-case (Envoy's). get_header_map_value would return only the first of duplicates;
// the mirror keeps every entry, in order.
import { HeaderMap } from "../../assembly/sdk";
import { HeaderPair } from "../../assembly/lib/request";

export class Mirror {
  pairs: HeaderPair[];

  constructor(public map: HeaderMap) {
    const raw = map.pairs();
    const n = raw.length;
    const out = new Array<HeaderPair>(n);
    for (let i = 0; i < n; i++) {
      const p = unchecked(raw[i]);
      unchecked(out[i] = new HeaderPair(p.name, p.value));
    }
    this.pairs = out;
  }

  /** First value of `name`, or null. */
  first(name: string): string | null {
    const ps = this.pairs;
    for (let i = 0, n = ps.length; i < n; i++) { const p = unchecked(ps[i]); if (p.name == name) return p.value; }
    return null;
  }

  /** Every value of `name`, in order. */
  all(name: string): string[] {
    const out: string[] = [];
    const ps = this.pairs;
    for (let i = 0, n = ps.length; i < n; i++) { const p = unchecked(ps[i]); if (p.name == name) out.push(p.value); }
    return out;
  }

  has(name: string): bool { return this.first(name) !== null; }

  /** Removes every entry of `name` (one host call, only when present). */
  remove(name: string): void {
    if (!this.has(name)) return;
    this.map.remove(name);
    this.drop(name);
  }

  /** Sets `name` to one value. */
  set(name: string, value: string): void {
    this.map.set(name, value);
    this.drop(name);
    this.pairs.push(new HeaderPair(name, value));
  }

  /** Adds an entry (Envoy joins it with "," into an existing inline header such as x-forwarded-for). */
  add(name: string, value: string): void {
    this.map.add(name, value);
    this.pairs.push(new HeaderPair(name, value));
  }

  /** Replaces every entry of `name` with `values`, in order (removes it when empty). */
  setAll(name: string, values: string[]): void {
    if (values.length == 1) { this.set(name, unchecked(values[0])); return; }
    this.remove(name);
    for (let i = 0; i < values.length; i++) this.add(name, unchecked(values[i]));
  }

  private drop(name: string): void {
    const ps = this.pairs;
    let w = 0;
    for (let i = 0, n = ps.length; i < n; i++) {
      const p = unchecked(ps[i]);
      if (p.name == name) continue;
      if (w != i) unchecked(ps[w] = p);
      w++;
    }
    ps.length = w;
  }
}
