// utf8.ts — UTF-8 well-formedness check (RFC 3629 / Unicode Table 3-7) and a lossy decoder.
//
// isWellFormedUtf8(bytes) returns -1 when the bytes are well-formed UTF-8, otherwise the offset of
// the first byte of the first ill-formed sequence. Overlong forms, encoded surrogates
// (ED A0..BF) and code points above U+10FFFF are ill-formed. Never traps; O(n).

export function isWellFormedUtf8(b: Uint8Array): i32 {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = <u32>unchecked(b[i]);
    if (c < 0x80) { i++; continue; }
    let need = 0;
    let lo: u32 = 0x80, hi: u32 = 0xBF; // bounds for the second byte
    if (c >= 0xC2 && c <= 0xDF) need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
      need = 2;
      if (c == 0xE0) lo = 0xA0;
      else if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      need = 3;
      if (c == 0xF0) lo = 0x90;
      else if (c == 0xF4) hi = 0x8F;
    } else return i;
    if (i + need >= n) return i; // truncated sequence
    const c1 = <u32>unchecked(b[i + 1]);
    if (c1 < lo || c1 > hi) return i;
    for (let k = 2; k <= need; k++) {
      const ck = <u32>unchecked(b[i + k]);
      if (ck < 0x80 || ck > 0xBF) return i;
    }
    i += need + 1;
  }
  return -1;
}

/**
 * Decodes UTF-8, replacing each ill-formed sequence with U+FFFD (never traps). Used where input must
 * become a string whatever it is (percent-decoded request data); strict callers check first with
 * isWellFormedUtf8, or use decodeUtf8At.
 */
export function decodeUtf8Lossy(b: Uint8Array): string {
  return changetype<string>(decodeUtf8At(b.dataStart, b.length, false));
}

/** After decodeUtf8At(…, true) returned null: the offset of the first ill-formed sequence. */
export let utf8ErrorAt: i32 = -1;

/**
 * Decodes the n bytes at p. Lossy (strict false): one U+FFFD per maximal subpart of an ill-formed
 * sequence (Unicode §3.9 "U+FFFD substitution of maximal subparts", as WHATWG's decoder, V8 and
 * Envoy's UTF-8 handling): a lead byte with the continuation bytes that were valid so far, or one
 * stray byte; overlong forms, surrogates and code points above U+10FFFF are never decoded. Strict: null at the first ill-formed sequence (what isWellFormedUtf8 refuses),
 * its offset in utf8ErrorAt. One pass, straight into the string (at most one unit per byte).
 */
export function decodeUtf8At(p: usize, n: i32, strict: bool): string | null {
  const out = changetype<string>(__new(<usize>n << 1, idof<string>())); // a managed local: rooted where the runtime needs it
  const base = changetype<usize>(out);
  let o = base;
  let i = 0;
  while (i < n) {
    const c = <u32>load<u8>(p + <usize>i);
    if (c < 0x80) { store<u16>(o, <u16>c); o += 2; i++; continue; }
    // the lead byte: continuation bytes it needs (0: never a lead), the bounds of the first of
    // them (Table 3-7: E0 A0..BF, ED 80..9F, F0 90..BF, F4 80..8F) and its own bits of the code point
    let need = c > 0xF4 ? 0 : <i32>(c >= 0xC2) + <i32>(c >= 0xE0) + <i32>(c >= 0xF0);
    let lo: u32 = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    let hi: u32 = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    let cp: u32 = c & (0x3F >> need);
    // k: bytes of the sequence seen to be valid so far (the lead, then each continuation in range)
    let k = 1;
    while (k <= need && i + k < n) {
      const ck = <u32>load<u8>(p + <usize>(i + k));
      if (ck < lo || ck > hi) break;
      lo = 0x80; hi = 0xBF;
      cp = (cp << 6) | (ck & 0x3F);
      k++;
    }
    if (k <= need || need == 0) {
      if (strict) { utf8ErrorAt = i; return null; }
      cp = 0xFFFD;
      need = k - 1; // one U+FFFD for the maximal subpart; the byte that broke it is read again
    }
    if (cp >= 0x10000) {
      const v = cp - 0x10000;
      store<u32>(o, (0xD800 | (v >> 10)) | ((0xDC00 | (v & 0x3FF)) << 16));
      o += 4;
    } else {
      store<u16>(o, <u16>cp);
      o += 2;
    }
    i += need + 1;
  }
  return changetype<string>(__renew(base, o - base));
}

/**
 * Writes `s` as UTF-8 at `buf` (room for 3 bytes per unit) and returns the byte count: the bytes
 * String.UTF8.encodeUnsafe writes — by default a lone surrogate as its 3-byte WTF-8 form, with
 * `replace` as U+FFFD (its ErrorMode.REPLACE) — with less code and without its error message.
 */
export function encodeUtf8(s: string, buf: usize, replace: bool = false): usize {
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
    if (replace && n == 2 && (c & 0xF800) == 0xD800) c = 0xFFFD; // a lone surrogate (3 bytes either way)
    // the first byte: 110xxxxx, 1110xxxx or 11110xxx (its mark is byte n of 0xF0E0C000)
    store<u8>(q++, (0xF0E0C000 >>> (n << 3)) | (c >> (6 * n)));
    while (n--) store<u8>(q++, (c >> (6 * n)) & 63 | 0x80);
  }
  return q - buf;
}
