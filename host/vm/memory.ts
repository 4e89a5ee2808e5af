// Guest linear memory access with Envoy's bounds rule: ptr + size ≤ memory size (32-bit), else the host
// call returns InvalidMemoryAccess (never a trap). memory.grow (e.g. inside a re-entrant malloc) replaces
// the ArrayBuffer, so the cached views are checked against the current buffer on every access.
import { decodeUtf8, encodeUtf8 } from "./utf8.ts";

export class GuestMemory {
  // Views over the current buffer, re-made only when memory.grow replaced it (making a typed array
  // costs about as much as the host call it serves).
  private buf: ArrayBuffer | null = null;
  private u8v = new Uint8Array(0);
  private dv = new DataView(new ArrayBuffer(0));

  constructor(private readonly mem: () => WebAssembly.Memory) {}

  private get bytes(): Uint8Array {
    const b = this.mem().buffer;
    if (b !== this.buf) { this.buf = b; this.u8v = new Uint8Array(b); this.dv = new DataView(b); }
    return this.u8v;
  }
  private get view(): DataView {
    void this.bytes;
    return this.dv;
  }

  get size(): number { return this.mem().buffer.byteLength; }
  inBounds(ptr: number, size: number): boolean {
    ptr >>>= 0; size >>>= 0;
    return ptr + size <= this.size;
  }
  /** A copy of guest bytes, or null when out of bounds. */
  read(ptr: number, size: number): Uint8Array | null {
    ptr >>>= 0; size >>>= 0;
    if (!this.inBounds(ptr, size)) return null;
    return this.bytes.slice(ptr, ptr + size);
  }
  readString(ptr: number, size: number): string | null {
    ptr >>>= 0; size >>>= 0;
    if (!this.inBounds(ptr, size)) return null;
    return decodeUtf8(this.bytes.subarray(ptr, ptr + size));
  }
  write(ptr: number, bytes: Uint8Array): boolean {
    ptr >>>= 0;
    if (!this.inBounds(ptr, bytes.length)) return false;
    this.bytes.set(bytes, ptr);
    return true;
  }
  writeU32(ptr: number, v: number): boolean {
    ptr >>>= 0;
    if (!this.inBounds(ptr, 4)) return false;
    this.view.setUint32(ptr, v >>> 0, true);
    return true;
  }
  writeU64(ptr: number, v: bigint): boolean {
    ptr >>>= 0;
    if (!this.inBounds(ptr, 8)) return false;
    this.view.setBigUint64(ptr, BigInt.asUintN(64, v), true);
    return true;
  }
  readU32(ptr: number): number | null {
    ptr >>>= 0;
    if (!this.inBounds(ptr, 4)) return null;
    return this.view.getUint32(ptr, true);
  }
}

export const utf8 = { encode: encodeUtf8, decode: decodeUtf8 };
