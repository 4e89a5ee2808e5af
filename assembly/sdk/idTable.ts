// u32 id → object, for the dispatcher's contexts and the pending callouts: open addressing with
// linear probing over a power-of-two table (Fibonacci hashing of the id), deletion by backward
// shift (no tombstones, so lookups stay short however many streams come and go), grown at half
// full and never shrunk. One non-generic class for the three tables: each Map<u32, T>
// instantiation cost ~0.3 KB of code plus its error texts. A slot is empty when its value is null
// (values are never null), so every u32, 0 included, is a valid key.

/** A zeroed StaticArray of n 4-byte elements of class id `id`, without the constructor's length
 *  check and its message (callers ask for small sizes). Also used by headerList.ts. */
export function zeroed(n: i32, id: u32): usize {
  const size = <usize>n << 2;
  const a = __new(size, id);
  memory.fill(a, 0, size);
  return a;
}

export class IdTable {
  private keys: StaticArray<u32> = changetype<StaticArray<u32>>(zeroed(16, idof<StaticArray<u32>>()));
  private vals: StaticArray<Object | null> = changetype<StaticArray<Object | null>>(zeroed(16, idof<StaticArray<Object | null>>()));
  private shift: u32 = 28; // 32 - log2(capacity)
  /** Number of entries. */
  size: i32 = 0;

  @inline private home(key: u32): i32 {
    return <i32>((key * 0x9E3779B1) >>> this.shift);
  }

  /** The slot holding `key`, or the empty slot where it would go. */
  private slot(key: u32): i32 {
    const mask = (1 << (32 - this.shift)) - 1;
    const keys = this.keys, vals = this.vals;
    let i = this.home(key);
    while (unchecked(vals[i]) !== null && unchecked(keys[i]) != key) i = (i + 1) & mask;
    return i;
  }

  /** The object stored for `key`, or null. */
  get(key: u32): Object | null {
    return unchecked(this.vals[this.slot(key)]);
  }

  /** Stores `value` for `key` (replacing any). */
  set(key: u32, value: Object): void {
    let i = this.slot(key);
    if (unchecked(this.vals[i]) === null) {
      if (this.size + 1 << 1 > (1 << (32 - this.shift))) { this.grow(); i = this.slot(key); }
      this.size++;
      unchecked(this.keys[i] = key);
    }
    unchecked(this.vals[i] = value);
  }

  /** Removes `key` if present. */
  delete(key: u32): void {
    const keys = this.keys, vals = this.vals;
    const mask = (1 << (32 - this.shift)) - 1;
    let i = this.slot(key);
    if (unchecked(vals[i]) === null) return;
    this.size--;
    // Backward shift: pull later entries of the run into the hole when their home allows it.
    for (let j = (i + 1) & mask; unchecked(vals[j]) !== null; j = (j + 1) & mask) {
      const h = this.home(unchecked(keys[j]));
      // entry j may move to i when i lies cyclically in [h, j)
      if (((j - h) & mask) >= ((j - i) & mask)) {
        unchecked(keys[i] = keys[j]);
        unchecked(vals[i] = vals[j]);
        i = j;
      }
    }
    unchecked(vals[i] = null);
  }

  private grow(): void {
    const keys = this.keys, vals = this.vals, n = vals.length;
    this.shift--;
    this.keys = changetype<StaticArray<u32>>(zeroed(n << 1, idof<StaticArray<u32>>()));
    this.vals = changetype<StaticArray<Object | null>>(zeroed(n << 1, idof<StaticArray<Object | null>>()));
    this.size = 0;
    for (let j = 0; j < n; j++) {
      const v = unchecked(vals[j]);
      if (v !== null) this.set(unchecked(keys[j]), v);
    }
  }
}
