// One header (or metadata) entry: the type the SDK's header maps return. Pairs are never mutated
// once made; code that changes a header makes a new pair.
//
// HeaderSource is what a RequestView reads headers from: an array of pairs (PairsSource), or the
// SDK's HeaderList, which keeps the host's bytes and decodes only the values asked for.
import { emptyArray } from "./emptyArray";

export class HeaderPair {
  constructor(public name: string, public value: string) {}
}

/** The value of the first pair named `name`, or null. */
export function pairValue(pairs: HeaderPair[], name: string): string | null {
  for (let i = 0, n = pairs.length; i < n; i++) { const h = unchecked(pairs[i]); if (h.name == name) return h.value; }
  return null;
}

export abstract class HeaderSource {
  /** First value of `name` (lower case), or null. */
  abstract first(name: string): string | null;
  /** Every value of `name`, in order. */
  abstract all(name: string): string[];
}

/** Headers held as an array of pairs (names lower case). */
export class PairsSource extends HeaderSource {
  constructor(public pairs: HeaderPair[]) { super(); }
  first(name: string): string | null { return pairValue(this.pairs, name); }
  all(name: string): string[] {
    const out = emptyArray<string[]>();
    const hs = this.pairs;
    for (let i = 0, n = hs.length; i < n; i++) { const h = unchecked(hs[i]); if (h.name == name) out.push(h.value); }
    return out;
  }
}
