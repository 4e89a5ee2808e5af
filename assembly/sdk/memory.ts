// Memory the host writes into. The host calls proxy_on_memory_allocate (re-entrantly, in the middle
// of one of our host calls) for every non-empty buffer it returns; we hand out raw allocator blocks (__alloc) that
// the GC never scans or frees, copy the bytes into a managed String/ArrayBuffer, and free the block.
// An empty result is ptr 0 / size 0 and is never allocated. Out-params use static slots (no allocation).
import { decodeUtf8, encodeUtf8, utf8Bytes } from "./utf8";
import { noteReceived } from "./gc";

/** Static return slots: [0] u32 pointer, [4] u32 size. */
export const RET_PTR: u32 = <u32>memory.data(8);
export const RET_SIZE: u32 = RET_PTR + 4;
/** A second 8-byte slot for u32/u64 scalars (cas, flags, time, metric value, token, level). */
export const RET_AUX: u32 = <u32>memory.data(8);

/** The u32s 0 … 8 in static memory: headers.ts's HeaderMaps and buffers.ts's HostBuffers are the
 *  words of this one table (each object's one field is its type), so a module that has both carries
 *  one data segment for them, not two. */
export const SMALL_U32S: usize = memory.data<u32>([0, 1, 2, 3, 4, 5, 6, 7, 8]);

/** proxy_on_memory_allocate: a raw heap block, or 0 (the host then fails the call with InvalidMemoryAccess). */
export function allocate(size: u32): u32 {
  noteReceived(<usize>size);
  return <u32>heap.alloc(<usize>size);
}

/** Clears the return slots before a host call, so a non-zero pointer afterwards was written by the host. */
@inline export function clearReturn(): void {
  store<u64>(RET_PTR, 0);
}

/** Frees a block the host may have allocated for a call that then failed. */
export function discardReturn(): void {
  const ptr = load<u32>(RET_PTR);
  if (ptr != 0) heap.free(<usize>ptr);
  store<u64>(RET_PTR, 0);
}

/** A new ArrayBuffer of `size` bytes, not zeroed (the caller fills it): no length check and its
 *  message beyond __new's own, and no fill. */
export function newBuffer(size: usize): ArrayBuffer {
  return changetype<ArrayBuffer>(__new(size, idof<ArrayBuffer>()));
}

/** Copies the returned (ptr, size) into a new ArrayBuffer and frees the host block. */
export function takeBuffer(): ArrayBuffer {
  const ptr = load<u32>(RET_PTR);
  const size = load<u32>(RET_SIZE);
  store<u64>(RET_PTR, 0);
  if (ptr == 0) return newBuffer(0);
  const out = newBuffer(<usize>size);
  memory.copy(changetype<usize>(out), <usize>ptr, <usize>size);
  heap.free(<usize>ptr);
  return out;
}

/** Decodes the returned (ptr, size) as UTF-8 (invalid sequences become U+FFFD) and frees the host block. */
export function takeString(): string {
  const ptr = load<u32>(RET_PTR);
  const size = load<u32>(RET_SIZE);
  store<u64>(RET_PTR, 0);
  if (ptr == 0) return "";
  const s = decodeUtf8(<usize>ptr, <usize>size);
  heap.free(<usize>ptr);
  return s;
}

// Two scratch blocks for strings handed to the host (a header name and its value): raw heap blocks
// reused by every call and grown when a longer string comes, so passing a header costs no GC
// allocation. Safe because nothing re-enters our code during a host call except the allocator.
const SCRATCH: usize = memory.data(16); // [slot] u32 ptr, u32 capacity
const SCRATCH_LEN: usize = memory.data(8); // [slot] u32 bytes written

/** Encodes `s` as UTF-8 into scratch block `slot` (0 or 1); returns its address. See scratchLength. */
export function scratchUtf8(slot: i32, s: string): u32 {
  const at = SCRATCH + (<usize>slot << 3);
  const need = <usize>s.length * 3;
  let ptr = <usize>load<u32>(at);
  if (need > <usize>load<u32>(at, 4) || ptr == 0) {
    heap.free(ptr); // (0 the first time: below the heap, which the allocator's free ignores)
    const cap: usize = need < 256 ? <usize>256 : need;
    ptr = heap.alloc(cap);
    store<u32>(at, <u32>ptr);
    store<u32>(at, <u32>cap, 4);
  }
  store<u32>(SCRATCH_LEN + (<usize>slot << 2), <u32>encodeUtf8(s, ptr));
  return <u32>ptr;
}

/** Bytes the last scratchUtf8 into `slot` wrote. */
@inline export function scratchLength(slot: i32): u32 {
  return load<u32>(SCRATCH_LEN + (<usize>slot << 2));
}

/** UTF-8 bytes of a string (no terminator). */
@inline export function utf8(s: string): ArrayBuffer {
  return utf8Bytes(s);
}

/** Address of an ArrayBuffer's data, or 0 for null. */
@inline export function ptrOf(buf: ArrayBuffer | null): u32 {
  return buf === null ? 0 : changetype<u32>(buf);
}

/** Byte length of an ArrayBuffer, or 0 for null. */
@inline export function lenOf(buf: ArrayBuffer | null): u32 {
  return buf === null ? 0 : <u32>buf.byteLength;
}
