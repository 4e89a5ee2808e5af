// wasmgate's memory manager. NOT imported by any filter: `wasmgate build` (host/cli/build.ts,
// useWasmgateAllocator) compiles this file in place of AssemblyScript's ~lib/rt/tlsf.ts, under the
// "minimal" runtime's mark & sweep (~lib/rt/tcms.ts), so its imports are relative to
// node_modules/assemblyscript/std/assembly/rt/. scripts/asp-ci.mjs does the same for the as-pect
// specs (tests/unit/rt-alloc.spec.ts tests it directly).
//
// Why: TLSF (two-level segregated fit with splitting and coalescing) was a quarter of the headers
// filter's own wasm time and ~1.8 KB of its code. A request makes ~15 small objects that the next
// collection frees; this serves them from exact-size free lists in O(1) without splitting or merging.
//
// Design: segregated fit without coalescing. A block is a header word (mmInfo) followed by its
// payload; every block is a multiple of 16 bytes with a 16-byte aligned payload, exactly the layout
// ~lib/rt/common.ts BLOCK describes. Blocks up to 256 bytes come in exact 16-byte classes; larger
// ones are rounded up to a power of two. Each class has a LIFO free list (link in the payload's first
// word); a class with an empty list takes a new block from the top of the heap, growing memory when
// needed by what the block needs or 1 MiB (16 pages; less while the memory is smaller), whichever is
// more. Blocks never change class, so memory given to one class stays with it: the heap is bounded by
// the sum over classes of each class's peak (live + garbage awaiting collection), not by the peak of
// the total. (TLSF doubled the memory on growth; with classes holding on to their memory that
// overshoot compounds — up to 2× more pages in a review's adversarial patterns — hence the steps.)
// tests/host/alloc-memory.test.ts checks that memory stops growing, within a cap, under mixes of
// sizes; README.md "Toolchain" gives measured worst cases against TLSF.
//
// mmInfo = payload capacity (block size - 4), with bit 0 (FREE) set while the block is on a free list.
// The runtime reads `mmInfo & ~3` as the payload size (tcms Object.size, itcms __renew); nothing
// else in std reads it. A block is never split, so __realloc to a size that fits returns the same
// pointer, and shrinking keeps the capacity.
//
// Failure as in TLSF: a size over BLOCK_MAXSIZE throws "Allocation too large"; memory that cannot
// grow traps (unreachable); freeing or reallocating an unaligned or already free block fails an assert.
import { AL_MASK, BLOCK_OVERHEAD, BLOCK_MAXSIZE } from "./common";
import { E_ALLOCATION_TOO_LARGE } from "../util/error";

// @ts-ignore: decorator
@inline const FREE: usize = 1;
// @ts-ignore: decorator
@inline const SMALL_MAX: usize = 256;

/** Free-list heads by class: 1..16 the 16·k-byte blocks, 17..38 the 2^9..2^30-byte ones. */
const HEADS: usize = memory.data(39 << alignof<usize>());

/** Address of the next block never handed out (0 until the first one). */
let top: usize = 0;

/** The class of a block of `total` bytes (a multiple of 16; a power of two above SMALL_MAX). */
// @ts-ignore: decorator
@inline function classOf(total: usize): usize {
  return total <= SMALL_MAX ? total >> 4 : <usize>(sizeof<usize>() * 8 + 8) - clz<usize>(total - 1);
}

/** A new block of `total` bytes from the top of the heap. */
function carve(total: usize): usize {
  let block = top;
  if (!block) block = ((__heap_base + BLOCK_OVERHEAD + AL_MASK) & ~AL_MASK) - BLOCK_OVERHEAD;
  let end = block + total;
  // wasm32: a heap reaching the very end of a 4 GiB memory would wrap `top` to 0 (uninitialised).
  if (end <= block) unreachable();
  let pages = memory.size();
  let needed = <i32>((end - 1) >>> 16) + 1 - pages; // pages to cover [0, end), less those there are
  if (needed > 0 && memory.grow(max(min(pages, 16), needed)) < 0 && memory.grow(needed) < 0) unreachable();
  top = end;
  return block;
}

// @ts-ignore: decorator
@global @unsafe
export function __alloc(size: usize): usize {
  if (size > BLOCK_MAXSIZE) throw new Error(E_ALLOCATION_TOO_LARGE);
  let total = (size + BLOCK_OVERHEAD + AL_MASK) & ~AL_MASK;
  let cls = classOf(total);
  if (total > SMALL_MAX) total = <usize>1 << (cls - 8);
  let head = HEADS + (cls << alignof<usize>());
  let block = load<usize>(head);
  if (block) store<usize>(head, load<usize>(block, BLOCK_OVERHEAD));
  else block = carve(total);
  store<usize>(block, total - BLOCK_OVERHEAD);
  return block + BLOCK_OVERHEAD;
}

/** The header of a block the caller may free or reallocate: aligned and not free. */
function usedBlock(ptr: usize): usize {
  let block = ptr - BLOCK_OVERHEAD;
  assert(ptr != 0 && !(ptr & AL_MASK) && !(load<usize>(block) & FREE));
  return block;
}

// @ts-ignore: decorator
@global @unsafe
export function __realloc(ptr: usize, size: usize): usize {
  let capacity = load<usize>(usedBlock(ptr)) & ~3;
  if (size <= capacity && ptr >= __heap_base) return ptr;
  let moved = __alloc(size);
  memory.copy(moved, ptr, min(size, capacity));
  __free(ptr);
  return moved;
}

// @ts-ignore: decorator
@global @unsafe
export function __free(ptr: usize): void {
  if (ptr < __heap_base) return;
  let block = usedBlock(ptr);
  let info = load<usize>(block);
  let head = HEADS + (classOf(info + BLOCK_OVERHEAD) << alignof<usize>());
  store<usize>(block, load<usize>(head), BLOCK_OVERHEAD);
  store<usize>(block, info | FREE);
  store<usize>(head, block);
}
