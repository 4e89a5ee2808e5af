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
 * Decodes UTF-8, replacing each ill-formed byte with U+FFFD (never traps). Used where input must
 * become a string whatever it is (percent-decoded request data); strict callers check first with
 * isWellFormedUtf8.
 */
export function decodeUtf8Lossy(b: Uint8Array): string {
  const n = b.length;
  const out = new Array<i32>();
  let i = 0;
  while (i < n) {
    const c = <u32>unchecked(b[i]);
    if (c < 0x80) { out.push(<i32>c); i++; continue; }
    let need = 0;
    let lo: u32 = 0x80, hi: u32 = 0xBF;
    let cp: u32 = 0;
    if (c >= 0xC2 && c <= 0xDF) { need = 1; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) {
      need = 2; cp = c & 0x0F;
      if (c == 0xE0) lo = 0xA0; else if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      need = 3; cp = c & 0x07;
      if (c == 0xF0) lo = 0x90; else if (c == 0xF4) hi = 0x8F;
    }
    let ok = need > 0 && i + need < n;
    if (ok) {
      for (let k = 1; k <= need; k++) {
        const ck = <u32>unchecked(b[i + k]);
        const l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
        if (ck < l || ck > h) { ok = false; break; }
        cp = (cp << 6) | (ck & 0x3F);
      }
    }
    if (!ok) { out.push(0xFFFD); i++; continue; }
    if (cp >= 0x10000) {
      const v = cp - 0x10000;
      out.push(<i32>(0xD800 | (v >> 10)));
      out.push(<i32>(0xDC00 | (v & 0x3FF)));
    } else {
      out.push(<i32>cp);
    }
    i += need + 1;
  }
  return String.fromCharCodes(out);
}
