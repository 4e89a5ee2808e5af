// Guest linear memory access with Envoy's bounds rule: ptr + size ≤ memory size (32-bit), else the host
// call returns InvalidMemoryAccess (never a trap). memory.grow (e.g. inside a re-entrant malloc) replaces
// the ArrayBuffer and detaches the old one, whose views then have length 0; so every access first checks
// its range against the cached view's length, and re-makes the views from the current buffer only when
// that check fails (memory never shrinks, so a range inside the cached view is inside the memory).
import { asciiAt, decodeUtf8, encodeUtf8, isAscii } from "./utf8.ts";

// Buffer's native latin1 decoder without toString()'s argument handling (Node has had it on every
// Buffer since 0.x, undocumented; toString is the fallback).
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: (start: number, end: number) => string }).latin1Slice;
// …and its latin1 writer (write(s, offset, length, "latin1") is the fallback).
const latin1Write = (Buffer.prototype as unknown as { latin1Write?: (s: string, offset: number, length: number) => number }).latin1Write;

// The recent-string cache of readString (shared by every VM: it holds only strings, checked on use).
const CACHED_MAX = 24;
const CACHE_SLOTS = 256;
const asciiCache: string[] = new Array<string>(CACHE_SLOTS).fill("");
// …and each cached string's bytes (CACHED_MAX per slot), compared with guest bytes four at a time;
// and, once readName has needed it, its lower-cased form ("": not yet made; set again with the slot).
const cacheDv = new DataView(new ArrayBuffer(CACHE_SLOTS * CACHED_MAX));
const loweredCache: string[] = new Array<string>(CACHE_SLOTS).fill("");

export class GuestMemory {
  // Views over the current buffer (making a typed array costs about as much as the host call it serves).
  private u8v = new Uint8Array(0);
  private dv = new DataView(new ArrayBuffer(0));
  private nb = Buffer.alloc(0);
  /** The cache slot of the last cachedAscii lookup that returned a string. */
  private slot = 0;

  constructor(private readonly mem: () => WebAssembly.Memory) {}

  /** Re-make the views from the current buffer; true when [ptr, end) is inside it. */
  private refresh(end: number): boolean {
    const b = this.mem().buffer;
    if (b !== this.u8v.buffer) { this.u8v = new Uint8Array(b); this.dv = new DataView(b); this.nb = Buffer.from(b); }
    return end <= this.u8v.length;
  }
  /** [ptr, ptr + size) is inside the memory, and the cached views are current for it. */
  private ok(ptr: number, size: number): boolean {
    const end = ptr + size;
    return (end <= this.u8v.length && this.u8v.length !== 0) || this.refresh(end);
  }

  get size(): number { return this.mem().buffer.byteLength; }
  inBounds(ptr: number, size: number): boolean {
    return this.ok(ptr >>> 0, size >>> 0);
  }
  /** The current bytes of the memory: valid until the guest runs again (malloc may grow the memory). */
  get bytes(): Uint8Array {
    this.ok(0, 0);
    return this.u8v;
  }
  /** A copy of guest bytes, or null when out of bounds. */
  read(ptr: number, size: number): Uint8Array | null {
    ptr >>>= 0; size >>>= 0;
    if (!this.ok(ptr, size)) return null;
    return this.u8v.slice(ptr, ptr + size);
  }
  readString(ptr: number, size: number): string | null {
    ptr >>>= 0; size >>>= 0;
    if (!this.ok(ptr, size)) return null;
    // Short ASCII (nearly every header name and value) without the general decoder: up to
    // CACHED_MAX bytes through the cache of recent strings below; up to 12 bytes built in JavaScript
    // (V8 keeps strings that short flat), longer through one native latin1 copy (a flat string;
    // concatenating would leave a rope to be flattened on first comparison).
    if (size <= CACHED_MAX) {
      const s = this.cachedAscii(ptr, size);
      if (s !== null) return s;
    } else if (size <= 64 && isAscii(this.u8v, ptr, size)) {
      return this.latin1(ptr, size);
    }
    return decodeUtf8(this.u8v.subarray(ptr, ptr + size));
  }
  /**
   * readString of a header name, lower-cased by `lower`: a name found in the recent-string cache
   * comes with its lower-cased form made once per cached string, anything else is read and lowered.
   */
  readName(ptr: number, size: number, lower: (s: string) => string): string | null {
    ptr >>>= 0; size >>>= 0;
    if (!this.ok(ptr, size)) return null;
    if (size !== 0 && size <= CACHED_MAX) {
      const s = this.cachedAscii(ptr, size);
      if (s !== null) {
        const slot = this.slot;
        let l = loweredCache[slot];
        if (l === "") loweredCache[slot] = l = lower(s);
        return l;
      }
    }
    const s = this.readString(ptr, size);
    return s === null ? null : lower(s);
  }
  private latin1(ptr: number, size: number): string {
    return latin1Slice !== undefined ? latin1Slice.call(this.nb, ptr, ptr + size) : this.nb.toString("latin1", ptr, ptr + size);
  }
  /**
   * u8v[ptr, ptr+size) (size ≤ CACHED_MAX) as a string if every byte is ASCII, else null. A module
   * passes the same few names and values on every request, so a string equal to a recent one is
   * looked up (slot by length and three bytes) and checked against the bytes it was made from (four
   * at a time; a slot's string and bytes are replaced together), which is cheaper than
   * making it; and handing back the same string object lets V8 reuse its cached hash (Set lookups).
   * A hit is exactly the bytes (each compared with the bytes of a cached ASCII string), so results are unchanged.
   */
  private cachedAscii(ptr: number, size: number): string | null {
    if (size === 0) return "";
    const b = this.u8v;
    const slot = (size * 31 + b[ptr] * 7 + b[ptr + size - 1] * 3 + b[ptr + (size >>> 1)]) & (CACHE_SLOTS - 1);
    const c = asciiCache[slot];
    const at = slot * CACHED_MAX;
    this.slot = slot;
    if (c.length === size) {
      const dv = this.dv;
      let i = 0;
      while (i + 4 <= size && dv.getInt32(ptr + i, true) === cacheDv.getInt32(at + i, true)) i += 4;
      if (i + 4 > size) {
        while (i < size && b[ptr + i] === cacheDv.getUint8(at + i)) i++;
        if (i === size) return c;
      }
    }
    const s = size <= 12 ? asciiAt(b, ptr, size) : isAscii(b, ptr, size) ? this.latin1(ptr, size) : null;
    if (s !== null) {
      asciiCache[slot] = s;
      loweredCache[slot] = "";
      for (let i = 0; i < size; i++) cacheDv.setUint8(at + i, b[ptr + i]);
    }
    return s;
  }
  write(ptr: number, bytes: Uint8Array): boolean {
    ptr >>>= 0;
    if (!this.ok(ptr, bytes.length)) return false;
    this.u8v.set(bytes, ptr);
    return true;
  }
  /** Writes each character of `s` (all below U+0100) as one byte at ptr; false when out of bounds. */
  writeLatin1(ptr: number, s: string): boolean {
    ptr >>>= 0;
    if (!this.ok(ptr, s.length)) return false;
    if (latin1Write !== undefined) latin1Write.call(this.nb, s, ptr, s.length);
    else this.nb.write(s, ptr, s.length, "latin1");
    return true;
  }
  /** The header part of a pairs map at ptr: u32 `count`, then lens[0, 2 × count); false when out of bounds. */
  writePairsHead(ptr: number, count: number, lens: Uint32Array): boolean {
    ptr >>>= 0;
    const m = 2 * count;
    if (!this.ok(ptr, 4 + 4 * m)) return false;
    const dv = this.dv;
    dv.setUint32(ptr, count, true);
    for (let i = 0, q = ptr + 4; i < m; i++, q += 4) dv.setUint32(q, lens[i], true);
    return true;
  }
  writeU32(ptr: number, v: number): boolean {
    ptr >>>= 0;
    if (!this.ok(ptr, 4)) return false;
    this.dv.setUint32(ptr, v >>> 0, true);
    return true;
  }
  writeU64(ptr: number, v: bigint): boolean {
    ptr >>>= 0;
    if (!this.ok(ptr, 8)) return false;
    this.dv.setBigUint64(ptr, BigInt.asUintN(64, v), true);
    return true;
  }
  readU32(ptr: number): number | null {
    ptr >>>= 0;
    if (!this.ok(ptr, 4)) return null;
    return this.dv.getUint32(ptr, true);
  }
}

export const utf8 = { encode: encodeUtf8, decode: decodeUtf8 };
