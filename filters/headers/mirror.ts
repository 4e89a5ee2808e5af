// A local copy of one header map, kept in step with every write, so that reads — conditions,
// rename/copy/dedupe/replace, pattern removal — see the headers as the earlier operations left
// them without asking the host again. It is read (one get_header_map_pairs) only when something
// first needs it: a phase whose operations only write never reads the map at all. Every write goes
// to the host at once. Names are lower-case (Envoy's). get_header_map_value would return only the
// first of duplicates; the mirror keeps every entry, in order.
import { HeaderMap, HeaderPair } from "../../assembly/sdk";

export class Mirror {
  private list: HeaderPair[] | null = null;
  /** The list was handed out (share()): copy it before changing it. */
  private shared: bool = false;

  constructor(public map: HeaderMap) {}

  /** Every entry, in order (read from the host on first use). Do not keep it across writes. */
  get pairs(): HeaderPair[] {
    let l = this.list;
    if (l === null) { l = this.map.pairs(); this.list = l; }
    return l;
  }

  /** The current entries for a reader that must keep seeing them as they are now (a RequestView). */
  share(): HeaderPair[] {
    const l = this.pairs;
    this.shared = true;
    return l;
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

  /** Removes every entry of `name`. */
  remove(name: string): void {
    if (this.list !== null && !this.has(name)) return; // known absent: no host call
    this.map.remove(name);
    this.drop(name);
  }

  /** Sets `name` to one value. */
  set(name: string, value: string): void {
    this.map.set(name, value);
    this.drop(name);
    this.push(name, value);
  }

  /** Adds an entry (Envoy joins it with "," into an existing inline header such as x-forwarded-for). */
  add(name: string, value: string): void {
    this.map.add(name, value);
    this.push(name, value);
  }

  /** Replaces every entry of `name` with `values`, in order (removes it when empty). */
  setAll(name: string, values: string[]): void {
    if (values.length == 1) { this.set(name, unchecked(values[0])); return; }
    this.remove(name);
    for (let i = 0; i < values.length; i++) this.add(name, unchecked(values[i]));
  }

  private push(name: string, value: string): void {
    let l = this.list;
    if (l === null) return;
    if (this.shared) l = this.unshare(l, null);
    l.push(new HeaderPair(name, value));
  }

  /** A copy of the shared list (without the entries of `except`) becomes the mirror's own. */
  private unshare(ps: HeaderPair[], except: string | null): HeaderPair[] {
    const out = new Array<HeaderPair>();
    for (let i = 0, n = ps.length; i < n; i++) { const p = unchecked(ps[i]); if (except === null || p.name != except) out.push(p); }
    this.list = out;
    this.shared = false;
    return out;
  }

  private drop(name: string): void {
    const ps = this.list;
    if (ps === null) return;
    if (this.shared) { this.unshare(ps, name); return; } // a reader holds this list: leave it as it is
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
