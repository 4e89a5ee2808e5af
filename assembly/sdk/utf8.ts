// Lenient UTF-8 decoding for bytes the host (or a client) hands us. It never traps, and it is
// strict about what counts as valid: overlong forms (e.g. C0 AF for "/"), surrogates, code points
// above U+10FFFF, stray continuation bytes and truncated sequences become U+FFFD, one per maximal
// subpart (as WHATWG's TextDecoder: lib/utf8.ts decodeUtf8At does the work).
// (String.UTF8.decodeUnsafe in the std library accepts overlong forms, which would let a client
// smuggle "/" or "." past a path check.)
import { decodeUtf8At } from "../lib/utf8";

/** Decodes `len` bytes at `ptr`. ASCII is copied on a fast path. */
export function decodeUtf8(ptr: usize, len: usize): string {
  if (len == 0) return "";
  // ASCII (nearly every header): widened in one pass into a string of the exact size; at the first
  // other byte the general decoder starts again (the string made so far is garbage).
  const s = __new(len << 1, idof<String>());
  for (let k: usize = 0; k < len; k++) {
    const b = load<u8>(ptr + k);
    if (b >= 0x80) return changetype<string>(decodeUtf8At(ptr, <i32>len, false));
    store<u16>(s + (k << 1), <u16>b);
  }
  return changetype<string>(s);
}

/** Decodes a whole ArrayBuffer. */
export function decodeUtf8Buffer(buf: ArrayBuffer): string {
  return decodeUtf8(changetype<usize>(buf), <usize>buf.byteLength);
}

/**
 * Writes `s` as UTF-8 at `buf` (room for 3 bytes per unit) and returns the byte count: the bytes
 * String.UTF8.encodeUnsafe writes by default (a lone surrogate as its 3-byte WTF-8 form), with
 * less code and without its error mode and message.
 */
export function encodeUtf8(s: string, buf: usize): usize {
  let p = changetype<usize>(s);
  const end = p + (<usize>s.length << 1);
  let q = buf;
  while (p < end) {
    let c = <u32>load<u16>(p);
    p += 2;
    if (c < 0x80) { store<u8>(q++, c); continue; } // (the common case first: headers are ASCII)
    let n: u32 = c < 0x800 ? 1 : 2; // continuation bytes
    if ((c & 0xFC00) == 0xD800 && p < end) {
      const d = <u32>load<u16>(p);
      if ((d & 0xFC00) == 0xDC00) { c = (c << 10) + d - 0x35FDC00; p += 2; n = 3; } // 0x10000 + (c - 0xD800 << 10) + (d - 0xDC00)
    }
    // the first byte: 110xxxxx, 1110xxxx or 11110xxx (its mark is byte n of 0xF0E0C000)
    store<u8>(q++, (0xF0E0C000 >>> (n << 3)) | (c >> (6 * n)));
    while (n--) store<u8>(q++, (c >> (6 * n)) & 63 | 0x80);
  }
  return q - buf;
}

/** `s` in UTF-8, as String.UTF8.encode(s) gives it. */
export function utf8Bytes(s: string): ArrayBuffer {
  const b = __new(<usize>s.length * 3, idof<ArrayBuffer>());
  // (shrunk in place: the block keeps its capacity, the buffer its exact length)
  return changetype<ArrayBuffer>(__renew(b, encodeUtf8(s, b)));
}
