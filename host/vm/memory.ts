// Guest linear memory access with Envoy's bounds rule: ptr + size ≤ memory size (32-bit), else the host
// call returns InvalidMemoryAccess (never a trap). Views are re-taken on every access: memory.grow
// (e.g. inside a re-entrant malloc) detaches old ArrayBuffers.
import { decodeUtf8, encodeUtf8 } from "./utf8.ts";

export class GuestMemory {
  constructor(private readonly mem: () => WebAssembly.Memory) {}

  get size(): number { return this.mem().buffer.byteLength; }
  inBounds(ptr: number, size: number): boolean {
    ptr >>>= 0; size >>>= 0;
    return ptr + size <= this.size;
  }
  /** A copy of guest bytes, or null when out of bounds. */
  read(ptr: number, size: number): Uint8Array | null {
    ptr >>>= 0; size >>>= 0;
    if (!this.inBounds(ptr, size)) return null;
    return new Uint8Array(this.mem().buffer, ptr, size).slice();
  }
  readString(ptr: number, size: number): string | null {
    const b = this.read(ptr, size);
    return b === null ? null : decodeUtf8(b);
  }
  write(ptr: number, bytes: Uint8Array): boolean {
    ptr >>>= 0;
    if (!this.inBounds(ptr, bytes.length)) return false;
    new Uint8Array(this.mem().buffer).set(bytes, ptr);
    return true;
  }
  writeU32(ptr: number, v: number): boolean {
    ptr >>>= 0;
    if (!this.inBounds(ptr, 4)) return false;
    new DataView(this.mem().buffer).setUint32(ptr, v >>> 0, true);
    return true;
  }
  writeU64(ptr: number, v: bigint): boolean {
    ptr >>>= 0;
    if (!this.inBounds(ptr, 8)) return false;
    new DataView(this.mem().buffer).setBigUint64(ptr, BigInt.asUintN(64, v), true);
    return true;
  }
  readU32(ptr: number): number | null {
    ptr >>>= 0;
    if (!this.inBounds(ptr, 4)) return null;
    return new DataView(this.mem().buffer).getUint32(ptr, true);
  }
}

export const utf8 = { encode: encodeUtf8, decode: decodeUtf8 };
