// clientIp.ts — which address is "the client": the peer address, or an x-forwarded-for entry.
//
// selectClientIp(peer, xff, trustedHops):
//  - trustedHops <= 0, or no x-forwarded-for: the peer address without its port;
//  - otherwise the trustedHops-th entry counted from the RIGHT of x-forwarded-for (1 = the last
//    entry, the one the nearest trusted proxy appended). Entries to the left of it were written
//    by the client and are never used, so rotating them cannot mint fresh rate-limit buckets;
//  - if the list is shorter than trustedHops, or that entry is not a valid IPv4/IPv6 address,
//    the peer address is used (safe fallback: a forged or broken header never wins).
// Addresses may carry ports: "1.2.3.4:80", "[::1]:443", "[2001:db8::1]". The result is the bare
// address ("::1", never bracketed), IPv4 or IPv6 as written (no re-formatting), or "" when the
// peer itself is not a valid address. Never traps; at most 64 x-forwarded-for entries are read.

import { indexOfUnit, lastIndexOfUnit, trimAscii } from "./http";
import { hexVal } from "./percent";

// The checks work on s[a, b), so that no substring is made for a candidate that is then refused.

export function isIPv4(s: string): bool { return isIPv4At(s, 0, s.length); }

function isIPv4At(s: string, a: i32, b: i32): bool {
  if (<u32>(b - a - 7) > 8) return false; // 7..15 units
  let parts = 0;
  let v = -1; // the value of the current part, -1 before its first digit
  for (let i = a; i <= b; i++) {
    const c = i < b ? <i32>s.charCodeAt(i) : 46;
    if (c == 46) {
      if (v < 0) return false; // an empty part
      parts++; v = -1;
      continue;
    }
    const d = c - 48;
    // not a digit, or a digit after a leading zero ("01" is ambiguous: octal), or above 255
    // (which also refuses more than 3 digits)
    if (<u32>d > 9 || v == 0) return false;
    v = (v < 0 ? 0 : v * 10) + d;
    if (v > 255) return false;
  }
  return parts == 4;
}

export function isIPv6(s: string): bool { return isIPv6At(s, 0, s.length); }

function isIPv6At(s: string, a: i32, b: i32): bool {
  if (<u32>(b - a - 2) > 43) return false; // 2..45 units
  let groups = 0, hex = 0, doubleColon = false;
  if (s.charCodeAt(a) == 58 && s.charCodeAt(a + 1) != 58) return false;
  for (let i = a; i < b; i++) {
    const c = <i32>s.charCodeAt(i);
    if (c == 58) {
      if (i + 1 < b && s.charCodeAt(i + 1) == 58) {
        if (doubleColon) return false;
        doubleColon = true;
        if (hex > 0) groups++;
        hex = 0; i++;
        continue;
      }
      if (hex == 0 || i + 1 == b) return false; // an empty group, or a ':' at the end
      groups++; hex = 0;
      continue;
    }
    if (c == 46) { // embedded IPv4 tail
      if (!isIPv4At(s, i - hex, b)) return false;
      groups += 2; hex = 0;
      break;
    }
    if (hexVal(c) < 0 || ++hex > 4) return false;
  }
  if (hex > 0) groups++;
  return doubleColon ? groups <= 7 : groups == 8;
}

/** "1.2.3.4:80" → "1.2.3.4", "[::1]:443" → "::1", "::1" → "::1"; "" when not an address. */
export function stripPort(a: string): string {
  const s = trimAscii(a);
  let b = s.length;
  if (b > 0 && s.charCodeAt(0) == 91 /* [ */) {
    const close = indexOfUnit(s, 93 /* ] */, 0);
    if (close < 0) return "";
    if (close + 1 < b && !(s.charCodeAt(close + 1) == 58 && isPort(s, close + 2, b))) return "";
    return isIPv6At(s, 1, close) ? s.substring(1, close) : "";
  }
  const colon = indexOfUnit(s, 58 /* : */, 0);
  if (colon >= 0 && indexOfUnit(s, 58, colon + 1) < 0) { // exactly one colon: IPv4 with port
    if (!isPort(s, colon + 1, b)) return "";
    b = colon;
  }
  return isIPv4At(s, 0, b) || isIPv6At(s, 0, b) ? s.substring(0, b) : "";
}

/** s[a, b) is 1–5 digits with a value up to 65535. */
function isPort(s: string, a: i32, b: i32): bool {
  if (<u32>(b - a - 1) > 4) return false;
  let v = 0;
  for (let i = a; i < b; i++) {
    const c = <i32>s.charCodeAt(i);
    if (<u32>(c - 48) > 9) return false;
    v = v * 10 + c - 48;
  }
  return v <= 65535;
}

export const MAX_XFF_ENTRIES: i32 = 64;

export function selectClientIp(peer: string, xff: string | null, trustedHops: i32): string {
  if (trustedHops > 0 && changetype<usize>(xff) != 0 && trustedHops <= MAX_XFF_ENTRIES) {
    // walk from the right, counting entries (so at most MAX_XFF_ENTRIES are looked at)
    let end = xff.length;
    for (let count = 1; ; count++) {
      const comma = end > 0 ? lastIndexOfUnit(xff, 44 /* , */, end - 1) : -1;
      if (count == trustedHops) {
        const ip = stripPort(xff.substring(comma + 1, end));
        if (ip.length > 0) return ip;
        break;
      }
      if (comma < 0) break;
      end = comma;
    }
  }
  return stripPort(peer); // also when the entry is missing or not an address
}
