// Lenient UTF-8 decoding for bytes the host (or a client) hands us. It never traps, and it is
// strict about what counts as valid: overlong forms (e.g. C0 AF for "/"), surrogates, code points
// above U+10FFFF, stray continuation bytes and truncated sequences become U+FFFD, one per maximal
// subpart (as WHATWG's TextDecoder: lib/utf8.ts decodeUtf8At does the work).
// (String.UTF8.decodeUnsafe in the std library accepts overlong forms, which would let a client
// smuggle "/" or "." past a path check.)
import { decodeUtf8At, encodeUtf8 } from "../lib/utf8";
export { encodeUtf8 };

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

/** `s` in UTF-8, as String.UTF8.encode(s) gives it. */
export function utf8Bytes(s: string): ArrayBuffer {
  const b = __new(<usize>s.length * 3, idof<ArrayBuffer>());
  // (shrunk in place: the block keeps its capacity, the buffer its exact length)
  return changetype<ArrayBuffer>(__renew(b, encodeUtf8(s, b)));
}
