// u32 id → object, for the dispatcher's contexts and the pending callouts: open addressing with
// linear probing over a power-of-two table (Fibonacci hashing of the id), deletion without
// tombstones (the rest of the run after the hole is placed again, so lookups stay short however
// many streams come and go), grown at half full and never shrunk. One non-generic class for the
// three tables: each Map<u32, T> instantiation cost ~0.3 KB of code plus its error texts. A slot is
// empty when its value is null (values are never null), so every u32, 0 included, is a valid key.

import { zeroed } from "../lib/emptyArray";
export { zeroed }; // (it was defined here; json.ts's newInts is one too, so it moved to the libraries)

export class IdTable {
  private keys: StaticArray<u32> = changetype<StaticArray<u32>>(zeroed(16, idof<StaticArray<u32>>()));
  private vals: StaticArray<Object | null> = changetype<StaticArray<Object | null>>(zeroed(16, idof<StaticArray<Object | null>>()));
  /** Capacity - 1 (the capacity is a power of two). */
  private mask: i32 = 15;
  /** Number of entries. */
  size: i32 = 0;

  /** The slot holding `key`, or the empty slot where it would go. */
  private slot(key: u32): i32 {
    const mask = this.mask, keys = this.keys, vals = this.vals;
    // (the top log2(capacity) bits of the product: clz(mask) = 32 - log2(capacity))
    let i = <i32>((key * 0x9E3779B1) >>> clz(mask));
    while (unchecked(vals[i]) !== null && unchecked(keys[i]) != key) i = (i + 1) & mask;
    return i;
  }

  /** Stores `value` at `key`'s slot. */
  private put(key: u32, value: Object): void {
    const i = this.slot(key);
    unchecked(this.keys[i] = key);
    unchecked(this.vals[i] = value);
  }

  /** The object stored for `key`, or null. */
  get(key: u32): Object | null {
    return unchecked(this.vals[this.slot(key)]);
  }

  /** Stores `value` for `key` (replacing any). */
  set(key: u32, value: Object): void {
    if (this.get(key) === null && ++this.size << 1 > this.mask + 1) this.grow();
    this.put(key, value);
  }

  /** Removes `key` if present. */
  delete(key: u32): void {
    const vals = this.vals, mask = this.mask;
    let i = this.slot(key);
    if (unchecked(vals[i]) === null) return;
    this.size--;
    unchecked(vals[i] = null);
    // Every later entry of the run is placed again: it may belong in the hole (or before it).
    for (i = (i + 1) & mask; ; i = (i + 1) & mask) {
      const v = unchecked(vals[i]);
      if (v === null) break;
      unchecked(vals[i] = null);
      this.put(unchecked(this.keys[i]), v);
    }
  }

  private grow(): void {
    const keys = this.keys, vals = this.vals, n = this.mask + 1;
    this.mask = (n << 1) - 1;
    this.keys = changetype<StaticArray<u32>>(zeroed(n << 1, idof<StaticArray<u32>>()));
    this.vals = changetype<StaticArray<Object | null>>(zeroed(n << 1, idof<StaticArray<Object | null>>()));
    for (let j = 0; j < n; j++) {
      const v = unchecked(vals[j]);
      if (v !== null) this.put(unchecked(keys[j]), v);
    }
  }
}
