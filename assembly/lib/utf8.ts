// utf8.ts — UTF-8 well-formedness check (RFC 3629 / Unicode Table 3-7).
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
