// http.ts — small HTTP syntax checks used before anything is written into a header.
//
// isValidHeaderName(s): a non-empty RFC 9110 token (§5.1, §5.6.2): ALPHA DIGIT and
//   ! # $ % & ' * + - . ^ _ ` | ~ — no spaces, colons, control characters or non-ASCII.
// isSafeHeaderValue(s, maxLength): no CR, LF, NUL or other control characters (HTAB is allowed),
//   no DEL, and not longer than maxLength (default 8 KiB) — the header-injection guard for
//   values built from templates, claims or query parameters. Non-ASCII (obs-text) is allowed.
// isWritableHeaderValue(s, maxBytes): the same, with the cap in UTF-8 bytes and no unpaired
//   surrogate — what a filter checks before every header write.
// lowerAscii(s): ASCII lower-casing (header names, hosts), leaving other characters alone.

import { newString } from "./join";
import { numEnd } from "./json";

// Token characters (ALPHA DIGIT and !#$%&'*+-.^_`|~): a bit set over ASCII, bit c & 7 of byte c >> 3.
const TOKEN = memory.data<u8>([0, 0, 0, 0, 250, 108, 255, 3, 254, 255, 255, 199, 255, 255, 255, 87]);

/** Whether c is in a 128-bit set of ASCII units (bit c & 7 of byte c >> 3 at `set`); never for c >= 128.
 *  Internal to the libraries: `set` is the address of static data (memory.data), not a string. */
export function inAsciiSet(set: usize, c: i32): bool {
  return <u32>c < 128 && ((<i32>load<u8>(set + <usize>(c >> 3)) >> (c & 7)) & 1) != 0;
}

export function isTokenChar(c: i32): bool { return inAsciiSet(TOKEN, c); }

// An upper-case method name: the token characters but a-z.
const METHOD = memory.data<u8>([0, 0, 0, 0, 250, 108, 255, 3, 254, 255, 255, 199, 1, 0, 0, 80]);

export function isValidHeaderName(s: string): bool { return isWordOf(s, TOKEN); }

/** A token without lower-case letters ("GET", "M-SEARCH"), as a request matcher's methods are written. */
export function isUpperCaseMethod(s: string): bool { return isWordOf(s, METHOD); }

/** 1..1024 units, each in the ASCII set at `set` (see inAsciiSet). */
function isWordOf(s: string, set: usize): bool {
  const n = s.length;
  if (<u32>(n - 1) >= 1024) return false; // 1..1024 units
  for (let i = 0; i < n; i++) if (!inAsciiSet(set, s.charCodeAt(i))) return false;
  return true;
}

export const DEFAULT_MAX_HEADER_VALUE: i32 = 8192;

export function isSafeHeaderValue(s: string, maxLength: i32 = DEFAULT_MAX_HEADER_VALUE): bool {
  const n = s.length;
  if (n > maxLength) return false;
  for (let i = 0; i < n; i++) if (isControl(s.charCodeAt(i))) return false;
  return true;
}

/** A control character other than HTAB (U+0000–U+001F, U+007F): never in a header value. */
function isControl(c: i32): bool { return (c < 0x20 && c != 0x09) || c == 0x7F; }

export function lowerAscii(s: string): string {
  const n = s.length;
  let i = 0;
  while (i < n && <u32>(s.charCodeAt(i) - 65) > 25) i++; // not A-Z
  if (i == n) return s;
  // A copy edited in place (nothing else is allocated before it is returned).
  const out = newString(changetype<usize>(s), n, n);
  for (; i < n; i++) {
    const at = out + (<usize>i << 1);
    const c = <u32>load<u16>(at);
    if (c - 65 < 26) store<u16>(at, c | 0x20);
  }
  return changetype<string>(out);
}

/** The first index at or after `from` of the UTF-16 unit `c` in `s`, or -1 (String#indexOf for one
 *  unit: a comparison per unit, and no string literal for the unit). */
// @ts-ignore: decorator
@inline export function indexOfUnit(s: string, c: i32, from: i32): i32 { return scanUnit(s, c, from, 1); }

/** The last index at or before `from` of the UTF-16 unit `c` in `s`, or -1 (String#lastIndexOf for one unit). */
// @ts-ignore: decorator
@inline export function lastIndexOfUnit(s: string, c: i32, from: i32): i32 { return scanUnit(s, c, from, -1); }

/** Both searches: from `i` by `step` (1 or -1) while inside s; a start past the end is the end
 *  (the last unit, going back), a negative one finds nothing. */
function scanUnit(s: string, c: i32, i: i32, step: i32): i32 {
  const n = s.length;
  if (i >= n) i = step > 0 ? n : n - 1;
  for (; <u32>i < <u32>n; i += step) if (<i32>load<u16>(changetype<usize>(s) + (<usize>i << 1)) == c) return i;
  return -1;
}

/**
 * The check before a filter writes a header value: isSafeHeaderValue's rules, counted in UTF-8
 * bytes (what Envoy limits), and no unpaired surrogate (a regex works on
 * UTF-16 units and could split a character: that would go out as invalid UTF-8), at most maxBytes.
 */
export function isWritableHeaderValue(s: string, maxBytes: i32): bool {
  const n = s.length;
  if (n > maxBytes) return false;
  const p = changetype<usize>(s);
  let bytes = n; // its UTF-8 length: a byte per unit, plus what non-ASCII units take beyond that
  for (let i = 0; i < n; i++) {
    const c = <i32>load<u16>(p + (<usize>i << 1));
    if (<u32>(c - 0x20) < 0x5F) continue; // printable ASCII (nearly every unit)
    if (isControl(c)) return false;
    if ((c & 0xF800) == 0xD800) { // a surrogate: must be a high one followed by a low one (4 bytes)
      if (c >= 0xDC00 || ++i >= n || (<i32>load<u16>(p + (<usize>i << 1)) & 0xFC00) != 0xDC00) return false;
      bytes += 2;
    } else if (c >= 0x80) bytes += c < 0x800 ? 1 : 2; // (HTAB, the one other ASCII unit allowed, is 1 byte)
  }
  return bytes <= maxBytes;
}

/**
 * `s` without leading and trailing ASCII whitespace (space, HTAB, LF, VT, FF, CR): what Envoy trims
 * off list items and forwarded addresses (StringUtil's whitespace set), where String#trim would also
 * take Unicode spaces such as U+00A0 and U+3000. `s` itself when there is nothing to trim.
 */
export function trimAscii(s: string): string {
  const a = trimRange(s, 0, s.length, ASCII_SPACE);
  return s.substring(a, numEnd);
}

/** " \t\n\v\f\r" as a set for trimRange. */
// @ts-ignore: decorator
@inline const ASCII_SPACE: u64 = 0x1_0000_3E00; // bits 32 and 9 to 13
/** " \t" as a set for trimRange. */
// @ts-ignore: decorator
@inline export const SPACE_TAB: u64 = 0x1_0000_0200; // bits 32 and 9

/** Trims the units in `set` (bit c for a unit c below 64) off both ends of s[a, b): returns the
 *  new start, and sets json.ts's numEnd to the new end. (trimAscii's and cookie.ts's trim.) */
export function trimRange(s: string, a: i32, b: i32, set: u64): i32 {
  while (a < b && inSet64(s.charCodeAt(a), set)) a++;
  while (b > a && inSet64(s.charCodeAt(b - 1), set)) b--;
  numEnd = b;
  return a;
}
// @ts-ignore: decorator
@inline function inSet64(c: i32, set: u64): bool { return <u32>c < 64 && (set >> <u64>c & 1) != 0; }
