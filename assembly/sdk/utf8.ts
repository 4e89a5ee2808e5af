// Lenient UTF-8 decoding for bytes the host (or a client) hands us. It never traps, and it is
// strict about what counts as valid: overlong forms (e.g. C0 AF for "/"), surrogates, code points
// above U+10FFFF, stray continuation bytes and truncated sequences each become one U+FFFD.
// (String.UTF8.decodeUnsafe in the std library accepts overlong forms, which would let a client
// smuggle "/" or "." past a path check.)

const REPLACEMENT: u16 = 0xfffd;

/** Decodes `len` bytes at `ptr`. ASCII is copied on a fast path. */
export function decodeUtf8(ptr: usize, len: usize): string {
  if (len == 0) return "";
  // ASCII (nearly every header): widen into a string of the exact size.
  let i: usize = 0;
  while (i < len && load<u8>(ptr + i) < 0x80) i++;
  if (i == len) {
    const s = __new(len << 1, idof<String>());
    for (let k: usize = 0; k < len; k++) store<u16>(s + (k << 1), <u16>load<u8>(ptr + k));
    return changetype<string>(s);
  }
  // At most one UTF-16 unit per input byte (a 4-byte sequence gives 2 units).
  const out = __new(len << 1, idof<String>());
  let o = out;
  for (let k: usize = 0; k < i; k++) store<u16>(out + (k << 1), <u16>load<u8>(ptr + k));
  o += i << 1;
  while (i < len) {
    const b0 = <u32>load<u8>(ptr + i);
    if (b0 < 0x80) { store<u16>(o, <u16>b0); o += 2; i++; continue; }
    let need: usize = 0;
    let cp: u32 = 0;
    let min: u32 = 0;
    if (b0 >= 0xc2 && b0 <= 0xdf) { need = 1; cp = b0 & 0x1f; min = 0x80; }
    else if (b0 >= 0xe0 && b0 <= 0xef) { need = 2; cp = b0 & 0x0f; min = 0x800; }
    else if (b0 >= 0xf0 && b0 <= 0xf4) { need = 3; cp = b0 & 0x07; min = 0x10000; }
    else { store<u16>(o, REPLACEMENT); o += 2; i++; continue; }
    // Consume continuation bytes; stop at the first one that is not 10xxxxxx.
    let j: usize = 1;
    let ok = true;
    while (j <= need) {
      if (i + j >= len) { ok = false; break; }
      const b = <u32>load<u8>(ptr + i + j);
      if ((b & 0xc0) != 0x80) { ok = false; break; }
      cp = (cp << 6) | (b & 0x3f);
      j++;
    }
    if (!ok || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      store<u16>(o, REPLACEMENT); o += 2;
      i += j; // skip the lead byte and the valid-looking continuation bytes seen so far
      continue;
    }
    if (cp < 0x10000) {
      store<u16>(o, <u16>cp); o += 2;
    } else {
      const v = cp - 0x10000;
      store<u16>(o, <u16>(0xd800 | (v >> 10)));
      store<u16>(o, <u16>(0xdc00 | (v & 0x3ff)), 2);
      o += 4;
    }
    i += need + 1;
  }
  return changetype<string>(__renew(out, o - out));
}

/** Decodes a whole ArrayBuffer. */
export function decodeUtf8Buffer(buf: ArrayBuffer): string {
  return decodeUtf8(changetype<usize>(buf), <usize>buf.byteLength);
}
