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

import { decodeUtf8Lossy, isWellFormedUtf8 } from "./utf8";

/** Value of a hex digit, or -1. */
// @ts-ignore: decorator
@inline export function hexVal(c: i32): i32 {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** Byte value of "%XX" at i (s[i] == '%'), or -1 if it is not a valid escape. */
export function escapeAt(s: string, i: i32): i32 {
  if (i + 2 >= s.length || s.charCodeAt(i) != 37) return -1;
  const h = hexVal(s.charCodeAt(i + 1));
  const l = hexVal(s.charCodeAt(i + 2));
  return h < 0 || l < 0 ? -1 : (h << 4) | l;
}

/** ALPHA / DIGIT / "-" / "." / "_" / "~" (RFC 3986 §2.3). */
// @ts-ignore: decorator
@inline export function isUnreserved(c: i32): bool {
  const l = c | 0x20;
  return (l >= 97 && l <= 122) || (c >= 48 && c <= 57) || c == 45 || c == 46 || c == 95 || c == 126;
}

const HEX = "0123456789ABCDEF";

/**
 * Appends the UTF-8 bytes of the code point at s[i] to out; returns how many UTF-16 units it used.
 * Bytes are kept in an Array<i32> (an instantiation the module has anyway; Array<u8> is code of its own).
 */
function pushUtf8(s: string, i: i32, out: Array<i32>): i32 {
  let c = <u32>s.charCodeAt(i);
  let used = 1;
  if (c >= 0xD800 && c <= 0xDBFF && i + 1 < s.length) {
    const d = <u32>s.charCodeAt(i + 1);
    if (d >= 0xDC00 && d <= 0xDFFF) { c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00); used = 2; }
  }
  if (c >= 0xD800 && c <= 0xDFFF) c = 0xFFFD; // lone surrogate
  if (c < 0x80) out.push(<i32>c);
  else if (c < 0x800) { out.push(<i32>(0xC0 | (c >> 6))); out.push(<i32>(0x80 | (c & 63))); }
  else if (c < 0x10000) {
    out.push(<i32>(0xE0 | (c >> 12))); out.push(<i32>(0x80 | ((c >> 6) & 63))); out.push(<i32>(0x80 | (c & 63)));
  } else {
    out.push(<i32>(0xF0 | (c >> 18))); out.push(<i32>(0x80 | ((c >> 12) & 63)));
    out.push(<i32>(0x80 | ((c >> 6) & 63))); out.push(<i32>(0x80 | (c & 63)));
  }
  return used;
}

function needsDecoding(s: string, plusAsSpace: bool): bool {
  for (let i = 0, n = s.length; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c == 37 || (plusAsSpace && c == 43)) return true;
  }
  return false;
}

/** Decoded bytes, or null when strict and an escape is bad. */
function decodeBytes(s: string, plusAsSpace: bool, strict: bool): Uint8Array | null {
  const out = new Array<i32>();
  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c == 37) {
      const v = escapeAt(s, i);
      if (v >= 0) { out.push(<i32>v); i += 3; continue; }
      if (strict) return null;
      out.push(37); i++;
      continue;
    }
    if (c == 43 && plusAsSpace) { out.push(32); i++; continue; }
    if (c < 0x80) { out.push(<i32>c); i++; continue; }
    i += pushUtf8(s, i, out);
  }
  const b = new Uint8Array(out.length);
  for (let k = 0; k < out.length; k++) unchecked(b[k] = <u8>unchecked(out[k]));
  return b;
}

/** Tolerant decode: never fails (bad escapes kept raw, bad UTF-8 → U+FFFD). */
export function percentDecode(s: string, plusAsSpace: bool = false): string {
  if (!needsDecoding(s, plusAsSpace)) return s;
  return decodeUtf8Lossy(decodeBytes(s, plusAsSpace, false)!);
}

/** Strict decode: null on a bad escape or when the decoded bytes are not well-formed UTF-8. */
export function percentDecodeStrict(s: string, plusAsSpace: bool = false): string | null {
  if (!needsDecoding(s, plusAsSpace)) return s;
  const b = decodeBytes(s, plusAsSpace, true);
  if (b === null || isWellFormedUtf8(b) >= 0) return null;
  return String.UTF8.decodeUnsafe(b.dataStart, b.length);
}

/** Percent-encodes every byte outside the unreserved set (and outside `keep`, ASCII only). */
export function percentEncode(s: string, keep: string = ""): string {
  let clean = true;
  for (let i = 0, n = s.length; i < n; i++) {
    const c = s.charCodeAt(i);
    if (!isUnreserved(c) && (c >= 0x80 || keep.indexOf(String.fromCharCode(c)) < 0)) { clean = false; break; }
  }
  if (clean) return s;
  const bytes = new Array<i32>();
  for (let i = 0, n = s.length; i < n;) i += pushUtf8(s, i, bytes);
  const out = new Array<i32>();
  for (let k = 0; k < bytes.length; k++) {
    const b = <i32>unchecked(bytes[k]);
    if (isUnreserved(b) || (b < 0x80 && keep.indexOf(String.fromCharCode(b)) >= 0)) { out.push(b); continue; }
    out.push(37);
    out.push(HEX.charCodeAt(b >> 4));
    out.push(HEX.charCodeAt(b & 15));
  }
  return String.fromCharCodes(out);
}

/** "%XX" with upper-case hex for a byte. */
export function escapeByte(b: i32): string {
  return "%" + String.fromCharCode(HEX.charCodeAt((b >> 4) & 15)) + String.fromCharCode(HEX.charCodeAt(b & 15));
}
