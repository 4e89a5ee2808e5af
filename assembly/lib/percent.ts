// percent.ts — percent-encoding (RFC 3986 §2.1) decode and encode that never trap.
//
// percentDecode(s)       tolerant: a '%' not followed by two hex digits is kept as it is; decoded
//                        bytes that are not well-formed UTF-8 become U+FFFD. Always returns a string.
// percentDecodeStrict(s) returns null for a bad escape or for decoded bytes that are not UTF-8.
// Both can treat '+' as a space (form encoding, for query strings).
// percentEncode(s)       UTF-8 bytes of s; everything but the unreserved set (ALPHA DIGIT - . _ ~)
//                        becomes %XX with upper-case hex.
// Strings are UTF-16; non-ASCII characters in the input are taken as their UTF-8 bytes.
// Unlike the std decodeURIComponent (which aborts on "%E0%A4%A"), nothing here can trap.

import { decodeUtf8At, encodeUtf8 } from "./utf8";
import { inAsciiSet, indexOfUnit } from "./http";
import { numEnd } from "./json";

/** Value of a hex digit, or -1. */
export function hexVal(c: i32): i32 {
  let d = c - 48;
  if (<u32>d < 10) return d;
  d = (c | 0x20) - 97;
  return <u32>d < 6 ? d + 10 : -1;
}

/** Byte value of "%XX" at i (s[i] == '%'), or -1 if it is not a valid escape. */
export function escapeAt(s: string, i: i32): i32 {
  if (i + 2 >= s.length || s.charCodeAt(i) != 37) return -1;
  const h = hexVal(s.charCodeAt(i + 1));
  const l = hexVal(s.charCodeAt(i + 2));
  return (h | l) < 0 ? -1 : (h << 4) | l;
}

// ALPHA DIGIT - . _ ~ as a bit set over ASCII (bit c & 7 of byte c >> 3), as http.ts's TOKEN.
const UNRESERVED = memory.data<u8>([0, 0, 0, 0, 0, 96, 255, 3, 254, 255, 255, 135, 254, 255, 255, 71]);

/** ALPHA / DIGIT / "-" / "." / "_" / "~" (RFC 3986 §2.3). */
// @ts-ignore: decorator
@inline export function isUnreserved(c: i32): bool { return inAsciiSet(UNRESERVED, c); }

/** Upper-case hex digit of v & 15 (computed: a "0123456789ABCDEF" table costs a 52-byte literal). */
// @ts-ignore: decorator
@inline export function hexDigit(v: i32): u16 { v &= 15; return <u16>(v + (v < 10 ? 48 : 55)); }

/** Writes "%XX" (upper-case hex) for byte b as UTF-16 at address o; returns the end. Internal to
 *  the libraries: o must point into a buffer with room for three code units. */
export function putEscape(o: usize, b: i32): usize {
  store<u16>(o, 37);
  store<u16>(o, hexDigit(b >> 4), 2);
  store<u16>(o, hexDigit(b), 4);
  return o + 6;
}

/**
 * The UTF-8 bytes of s (a lone surrogate as U+FFFD's) in a new buffer of 3 bytes per unit; sets
 * json.ts's `numEnd` (the libraries' one global for a second result) to the address where the
 * bytes end. (The caller keeps the buffer in a managed local, rooted where the runtime needs it:
 * it allocates while it reads the bytes.)
 */
function utf8Of(s: string): ArrayBuffer {
  const n = s.length;
  const buf = __new(<usize>n * 3, idof<ArrayBuffer>());
  numEnd = <i32>(buf + encodeUtf8(s, buf, true));
  return changetype<ArrayBuffer>(buf);
}

/** Decodes s to a string: its escapes and other characters as UTF-8 bytes, then those bytes as
 *  UTF-8 (lossy, or null when strict and an escape is bad or the bytes are not UTF-8). s itself
 *  when it has no '%' (nor '+' with plusAsSpace). */
function decode(s: string, plusAsSpace: bool, strict: bool): string | null {
  if (indexOfUnit(s, 37 /* % */, 0) < 0 && (!plusAsSpace || indexOfUnit(s, 43 /* + */, 0) < 0)) return s;
  // The UTF-8 bytes of s, then its escapes decoded in place (an escape is ASCII, and so are '%' and
  // '+': no byte of a multi-byte sequence is one of them).
  const buf = utf8Of(s);
  const base = changetype<usize>(buf);
  const end = <usize>numEnd;
  let o = base;
  for (let p = base; p < end;) {
    let c = <i32>load<u8>(p);
    if (c == 37) {
      const v = p + 2 < end ? hexVal(load<u8>(p, 1)) << 4 | hexVal(load<u8>(p, 2)) : -1; // (hexVal is -1 or 0..15)
      if (v >= 0) { store<u8>(o++, v); p += 3; continue; }
      if (strict) return null;
    }
    if (c == 43 && plusAsSpace) c = 32;
    store<u8>(o++, c);
    p++;
  }
  return decodeUtf8At(base, <i32>(o - base), strict);
}

/** Tolerant decode: never fails (bad escapes kept raw, bad UTF-8 → U+FFFD). */
export function percentDecode(s: string, plusAsSpace: bool = false): string {
  return changetype<string>(decode(s, plusAsSpace, false));
}

/** Strict decode: null on a bad escape or when the decoded bytes are not well-formed UTF-8. */
export function percentDecodeStrict(s: string, plusAsSpace: bool = false): string | null {
  return decode(s, plusAsSpace, true);
}

/** Percent-encodes every byte outside the unreserved set (and outside `keep`, ASCII only). */
export function percentEncode(s: string, keep: string | null = null): string {
  // The set of units kept: UNRESERVED plus keep's ASCII characters (non-ASCII is never kept).
  // (keep is nullable so that a build whose callers never pass it has no loop for it.)
  let set = UNRESERVED;
  if (changetype<usize>(keep) != 0) {
    set = memory.data(16);
    memory.copy(set, UNRESERVED, 16);
    for (let k = 0, m = keep.length; k < m; k++) {
      const c = keep.charCodeAt(k);
      const at = set + <usize>(c >> 3);
      if (c < 0x80) store<u8>(at, <i32>load<u8>(at) | (<i32>1 << (c & 7)));
    }
  }
  return percentEncodeExcept(s, set);
}

/**
 * Percent-encodes every UTF-8 byte of s outside `set`: the address of a 16-byte ASCII bit set (bit
 * c & 7 of byte c >> 3, as UNRESERVED), static data. s itself when nothing needs encoding.
 */
export function percentEncodeExcept(s: string, set: usize): string {
  const n = s.length;
  let i = 0;
  while (i < n && inAsciiSet(set, s.charCodeAt(i))) i++;
  if (i == n) return s;
  // Up to 3 bytes per unit, each at most "%XX": at most 9 output units per input unit.
  const buf = utf8Of(s);
  const base = changetype<usize>(buf);
  const end = <usize>numEnd;
  const out = changetype<string>(__new(<usize>n * 18, idof<string>())); // (a managed local, as buf)
  let o = changetype<usize>(out);
  for (let p = base; p < end; p++) { // from the start again: the kept prefix goes through the same test
    const b = <i32>load<u8>(p);
    if (inAsciiSet(set, b)) { store<u16>(o, <u16>b); o += 2; }
    else o = putEscape(o, b);
  }
  return changetype<string>(__renew(changetype<usize>(out), o - changetype<usize>(out)));
}

/** "%XX" with upper-case hex for a byte. */
export function escapeByte(b: i32): string {
  const out = __new(6, idof<string>());
  putEscape(out, b);
  return changetype<string>(out);
}
