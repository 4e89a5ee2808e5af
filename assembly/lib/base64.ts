// base64.ts — Base64 (RFC 4648 §4) and base64url (§5) encode and strict decode.
//
// Decoding is strict and returns null on any bad input; it never traps:
//  - only the chosen alphabet is accepted (no '-'/'_' in standard, no '+'/'/' in url), no
//    whitespace or line breaks;
//  - padding: Padding.Optional (default) accepts input with or without '=', but when present it
//    must be exactly right (total length a multiple of 4, 1 or 2 '=' only at the end);
//    Padding.Required / Padding.Forbidden enforce one form;
//  - non-zero trailing bits are rejected ("QR==" is not "QQ=="), so every byte string has exactly
//    one accepted encoding per form — signatures and tokens cannot be re-encoded to dodge a cache
//    or a deny list (RFC 4648 §3.5 allows decoders to reject these);
//  - a length of 1 mod 4 (after removing padding) is impossible and rejected.
// Encoding: base64Encode pads, base64UrlEncode does not (as JWT uses it); both configurable.

import { isWellFormedUtf8 } from "./utf8";

export const enum Padding { Optional = 0, Required = 1, Forbidden = 2 }

const STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Reverse tables, built once: 0..63 for a digit, 255 for anything else.
let stdRev: Uint8Array | null = null;
let urlRev: Uint8Array | null = null;

function table(url: bool): Uint8Array {
  let t = url ? urlRev : stdRev;
  if (t !== null) return t;
  const nt = new Uint8Array(128);
  nt.fill(255);
  const alpha = url ? URL : STD;
  for (let i = 0; i < 64; i++) nt[alpha.charCodeAt(i)] = <u8>i;
  if (url) urlRev = nt; else stdRev = nt;
  return nt;
}

export function encodeBase64(data: Uint8Array, url: bool, pad: bool): string {
  const n = data.length;
  const alpha = url ? URL : STD;
  const full = n / 3;
  const rest = n - full * 3;
  let outLen = full * 4;
  if (rest > 0) outLen += pad ? 4 : rest + 1;
  const out = new Array<i32>(outLen);
  let o = 0;
  let i = 0;
  for (let k = 0; k < full; k++) {
    const v = (<u32>unchecked(data[i]) << 16) | (<u32>unchecked(data[i + 1]) << 8) | <u32>unchecked(data[i + 2]);
    i += 3;
    unchecked(out[o++] = alpha.charCodeAt((v >> 18) & 63));
    unchecked(out[o++] = alpha.charCodeAt((v >> 12) & 63));
    unchecked(out[o++] = alpha.charCodeAt((v >> 6) & 63));
    unchecked(out[o++] = alpha.charCodeAt(v & 63));
  }
  if (rest > 0) {
    const b0 = <u32>unchecked(data[i]);
    const b1: u32 = rest == 2 ? <u32>unchecked(data[i + 1]) : 0;
    const v = (b0 << 16) | (b1 << 8);
    unchecked(out[o++] = alpha.charCodeAt((v >> 18) & 63));
    unchecked(out[o++] = alpha.charCodeAt((v >> 12) & 63));
    if (rest == 2) unchecked(out[o++] = alpha.charCodeAt((v >> 6) & 63));
    else if (pad) unchecked(out[o++] = 61);
    if (pad) unchecked(out[o++] = 61);
  }
  return String.fromCharCodes(out);
}

/** Standard alphabet, padded. */
export function base64Encode(data: Uint8Array): string { return encodeBase64(data, false, true); }
/** URL alphabet, unpadded (JWT form). */
export function base64UrlEncode(data: Uint8Array): string { return encodeBase64(data, true, false); }
/** UTF-8 bytes of a string, standard alphabet, padded (e.g. Basic credentials). */
export function base64EncodeString(s: string): string {
  return encodeBase64(Uint8Array.wrap(String.UTF8.encode(s)), false, true);
}

/** Strict decode; null on any invalid input (see the header for the rules). */
export function decodeBase64(s: string, url: bool, padding: Padding = Padding.Optional): Uint8Array | null {
  let n = s.length;
  let pads = 0;
  if (n > 0 && s.charCodeAt(n - 1) == 61) {
    pads = 1;
    if (n > 1 && s.charCodeAt(n - 2) == 61) pads = 2;
  }
  if (pads > 0) {
    if (padding == Padding.Forbidden || (n & 3) != 0) return null;
    n -= pads;
  } else if (padding == Padding.Required && (n & 3) != 0) {
    return null;
  }
  const rem = n & 3;
  if (rem == 1) return null;
  // With padding present, the unpadded remainder must be exactly what the pads imply.
  if (pads > 0 && rem != 4 - pads) return null;
  const rev = table(url);
  const outLen = (n >> 2) * 3 + (rem == 0 ? 0 : rem - 1);
  const out = new Uint8Array(outLen);
  let o = 0;
  let acc: u32 = 0;
  let bits = 0;
  for (let i = 0; i < n; i++) {
    const c = <u32>s.charCodeAt(i);
    if (c >= 128) return null;
    const d = <u32>unchecked(rev[c]);
    if (d == 255) return null;
    acc = (acc << 6) | d;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      unchecked(out[o++] = <u8>(acc >> bits));
      acc &= (1 << bits) - 1;
    }
  }
  if (acc != 0) return null; // non-zero trailing bits
  return out;
}

/** Standard alphabet; padding optional but checked when present. */
export function base64Decode(s: string): Uint8Array | null { return decodeBase64(s, false, Padding.Optional); }
/** URL alphabet; padding optional but checked when present. */
export function base64UrlDecode(s: string): Uint8Array | null { return decodeBase64(s, true, Padding.Optional); }

/** Decodes (standard alphabet) to a string; null when not base64 or not well-formed UTF-8. */
export function base64DecodeToString(s: string, url: bool = false): string | null {
  const b = decodeBase64(s, url, Padding.Optional);
  if (b === null) return null;
  return utf8ToStringStrict(b);
}

/** The string for well-formed UTF-8 bytes, or null. */
export function utf8ToStringStrict(b: Uint8Array): string | null {
  if (isWellFormedUtf8(b) >= 0) return null;
  return String.UTF8.decodeUnsafe(b.dataStart, b.length);
}
