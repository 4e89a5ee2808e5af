// wasmgate's memory manager (assembly/rt/alloc.ts), which `wasmgate build` and scripts/asp-ci.mjs
// compile in place of AssemblyScript's TLSF, exercised through heap.alloc / heap.realloc / heap.free
// (= __alloc / __realloc / __free): the size classes (which also shows this build uses it: TLSF
// would give other capacities), 16-byte alignment of every pointer, no overlap between live blocks
// (each block is filled with its own byte and checked), LIFO reuse of freed blocks, realloc that
// keeps or moves contents, growth of memory, and the refusals (too large, double free, unaligned).

/** Payload capacity the allocator gives a request of `size` bytes (see alloc.ts). */
function classCapacity(size: usize): usize {
  let total = (size + 4 + 15) & ~15;
  if (total > 256) total = <usize>1 << (32 - clz<usize>(total - 1));
  return total - 4;
}

function capacity(ptr: usize): usize {
  return load<usize>(ptr - 4) & ~3;
}

function fill(ptr: usize, size: usize, tag: u8): void {
  memory.fill(ptr, tag, size);
}

function intact(ptr: usize, size: usize, tag: u8): bool {
  for (let i: usize = 0; i < size; i++) if (load<u8>(ptr + i) != tag) return false;
  return true;
}

// Live blocks of the model check: pointer, requested size, fill byte.
const livePtr = new Array<usize>();
const liveSize = new Array<usize>();
const liveTag = new Array<u8>();

function noOverlap(): bool {
  // Each block spans [ptr - 4, ptr + capacity): its header and payload.
  for (let i = 0; i < livePtr.length; i++) {
    const a = livePtr[i] - 4, aEnd = livePtr[i] + capacity(livePtr[i]);
    for (let j = i + 1; j < livePtr.length; j++) {
      const b = livePtr[j] - 4, bEnd = livePtr[j] + capacity(livePtr[j]);
      if (a < bEnd && b < aEnd) return false;
    }
  }
  return true;
}

let victim: usize = 0;

describe("the allocator (assembly/rt/alloc.ts)", () => {
  it("gives exact 16-byte classes up to 256 bytes a block and powers of two above, every pointer 16-aligned", () => {
    const sizes: usize[] = [0, 1, 11, 12, 13, 28, 29, 100, 236, 252, 253, 300, 508, 509, 1000, 4092, 4093, 30000, 65532, 65533, 200000];
    const ptrs = new Array<usize>();
    for (let i = 0; i < sizes.length; i++) {
      const p = heap.alloc(sizes[i]);
      expect(p & 15).toBe(0);
      expect(capacity(p)).toBe(classCapacity(sizes[i]));
      expect(capacity(p) >= sizes[i]).toBe(true);
      fill(p, sizes[i], <u8>(i + 1));
      ptrs.push(p);
    }
    expect(capacity(ptrs[2])).toBe(12);   // 11 bytes: a 16-byte block
    expect(capacity(ptrs[4])).toBe(28);   // 13 bytes: 32
    expect(capacity(ptrs[10])).toBe(508); // 300 bytes: 512
    for (let i = 0; i < sizes.length; i++) {
      expect(intact(ptrs[i], sizes[i], <u8>(i + 1))).toBe(true);
      heap.free(ptrs[i]);
    }
  });

  it("reuses the block freed last of the same class, and only of that class", () => {
    // No managed allocation between the frees and the allocations (expect() makes objects).
    const a = heap.alloc(40);
    const b = heap.alloc(40);
    heap.free(a);
    heap.free(b);
    const x = heap.alloc(40);
    const y = heap.alloc(44); // 40 and 44 bytes share the 48-byte class
    const c = heap.alloc(100);
    heap.free(c);
    const d = heap.alloc(20);
    const e = heap.alloc(100);
    expect(x).toBe(b);
    expect(y).toBe(a);
    expect(d == c).toBe(false);
    expect(e).toBe(c);
    heap.free(x); heap.free(y); heap.free(d); heap.free(e);
  });

  it("reallocates in place while the size fits the block and moves contents otherwise", () => {
    const p = heap.alloc(20); // capacity 28
    fill(p, 20, 0x5a);
    const same = heap.realloc(p, 28);
    const shrunk = heap.realloc(p, 1); // shrinking keeps the block
    const q = heap.realloc(p, 5000);
    const again = heap.alloc(28); // the block q moved out of
    expect(same).toBe(p);
    expect(shrunk).toBe(p);
    expect(again).toBe(p);
    expect(capacity(p)).toBe(28);
    expect(q == p).toBe(false);
    expect(q & 15).toBe(0);
    expect(capacity(q)).toBe(8188);
    expect(intact(q, 20, 0x5a)).toBe(true);
    fill(q, 5000, 0x33);
    const r = heap.realloc(q, 100000);
    expect(intact(r, 5000, 0x33)).toBe(true);
    heap.free(r);
    heap.free(again);
  });

  it("grows memory for a large block and keeps earlier blocks intact", () => {
    const small = heap.alloc(64);
    fill(small, 64, 0x11);
    const pages = memory.size();
    const big = heap.alloc(<usize>(pages + 2) << 16);
    expect(memory.size() > pages).toBe(true);
    expect(big & 15).toBe(0);
    fill(big, <usize>(pages + 2) << 16, 0x22);
    expect(intact(small, 64, 0x11)).toBe(true);
    heap.free(big);
    heap.free(small);
  });

  it("agrees with a model over thousands of random allocations, reallocations and frees", () => {
    let seed: u32 = 0x2545f491;
    let tag: u8 = 0;
    for (let step = 0; step < 6000; step++) {
      seed = seed * 1103515245 + 12345;
      const r = seed >>> 8;
      const kind = r % 10;
      // mostly small sizes, some up to 4 KB, a few up to 70 KB
      const sizeKind = (r >>> 4) % 16;
      const size: usize = sizeKind < 11 ? (r >>> 8) % 260 : sizeKind < 15 ? (r >>> 8) % 4100 : (r >>> 8) % 70000;
      if (kind < 5 || livePtr.length == 0) {
        const p = heap.alloc(size);
        if (p & 15) { expect(p & 15).toBe(0); return; }
        tag++;
        fill(p, size, tag);
        livePtr.push(p); liveSize.push(size); liveTag.push(tag);
      } else {
        const i = <i32>((r >>> 12) % <u32>livePtr.length);
        const p = livePtr[i], n = liveSize[i], t = liveTag[i];
        if (!intact(p, n, t)) { expect(intact(p, n, t)).toBe(true); return; }
        if (kind < 8) {
          const q = heap.realloc(p, size);
          const kept = size < n ? size : n;
          if (!intact(q, kept, t) || (q & 15) != 0) { expect(intact(q, kept, t)).toBe(true); expect(q & 15).toBe(0); return; }
          fill(q, size, t);
          livePtr[i] = q; liveSize[i] = size;
        } else {
          heap.free(p);
          const last = livePtr.length - 1;
          livePtr[i] = livePtr[last]; liveSize[i] = liveSize[last]; liveTag[i] = liveTag[last];
          livePtr.pop(); liveSize.pop(); liveTag.pop();
        }
      }
      if (step % 500 == 499 && !noOverlap()) { expect(noOverlap()).toBe(true); return; }
    }
    expect(noOverlap()).toBe(true);
    for (let i = 0; i < livePtr.length; i++) {
      expect(intact(livePtr[i], liveSize[i], liveTag[i])).toBe(true);
      heap.free(livePtr[i]);
    }
  });

  it("refuses a block over the maximum size", () => {
    expect(() => { heap.alloc((1 << 30) - 3); }).toThrow();
  });

  // The victims are of a class no managed object here uses: expect() allocates, and could otherwise
  // be handed the freed block before the second free.
  it("refuses a double free", () => {
    victim = heap.alloc(3000);
    heap.free(victim);
    expect(() => { heap.free(victim); }).toThrow();
  });

  it("refuses to reallocate a free block", () => {
    victim = heap.alloc(3000);
    heap.free(victim);
    expect(() => { heap.realloc(victim, 8); }).toThrow();
  });

  it("refuses an unaligned pointer", () => {
    victim = heap.alloc(3000);
    expect(() => { heap.free(victim + 4); }).toThrow();
    heap.free(victim);
  });
});
