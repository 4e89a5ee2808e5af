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

import { lastIndexOfUnit } from "./http";

export function isIPv4(s: string): bool {
  const n = s.length;
  if (n < 7 || n > 15) return false;
  let parts = 0, digits = 0, v = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? <i32>s.charCodeAt(i) : 46;
    if (c == 46) {
      if (digits == 0 || v > 255) return false;
      parts++; digits = 0; v = 0;
      continue;
    }
    if (c < 48 || c > 57) return false;
    if (digits > 0 && v == 0) return false; // leading zero ("01") is ambiguous (octal)
    v = v * 10 + c - 48; digits++;
    if (digits > 3) return false;
  }
  return parts == 4;
}

export function isIPv6(s: string): bool {
  const n = s.length;
  if (n < 2 || n > 45) return false;
  let groups = 0, hex = 0, doubleColon = false;
  let i = 0;
  if (s.charCodeAt(0) == 58) { if (s.charCodeAt(1) != 58) return false; }
  while (i < n) {
    const c = <i32>s.charCodeAt(i);
    if (c == 58) {
      if (i + 1 < n && s.charCodeAt(i + 1) == 58) {
        if (doubleColon) return false;
        doubleColon = true;
        if (hex > 0) groups++;
        hex = 0; i += 2;
        continue;
      }
      if (hex == 0) return false;
      groups++; hex = 0; i++;
      if (i == n) return false;
      continue;
    }
    if (c == 46) { // embedded IPv4 tail
      let st = i - hex;
      if (!isIPv4(s.substring(st))) return false;
      groups += 2; hex = 0;
      i = n;
      break;
    }
    const l = c | 0x20;
    if (!((c >= 48 && c <= 57) || (l >= 97 && l <= 102))) return false;
    hex++;
    if (hex > 4) return false;
    i++;
  }
  if (hex > 0) groups++;
  return doubleColon ? groups <= 7 : groups == 8;
}

/** "1.2.3.4:80" → "1.2.3.4", "[::1]:443" → "::1", "::1" → "::1"; "" when not an address. */
export function stripPort(a: string): string {
  let s = a.trim();
  if (s.length > 0 && s.charCodeAt(0) == 91 /* [ */) {
    const close = s.indexOf("]");
    if (close < 0) return "";
    const rest = s.substring(close + 1);
    if (rest.length > 0 && !(rest.charCodeAt(0) == 58 && isPort(rest.substring(1)))) return "";
    s = s.substring(1, close);
    return isIPv6(s) ? s : "";
  }
  const colon = s.indexOf(":");
  if (colon >= 0 && s.indexOf(":", colon + 1) < 0) { // exactly one colon: IPv4 with port
    if (!isPort(s.substring(colon + 1))) return "";
    s = s.substring(0, colon);
  }
  return isIPv4(s) || isIPv6(s) ? s : "";
}

function isPort(p: string): bool {
  if (p.length == 0 || p.length > 5) return false;
  let v = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c < 48 || c > 57) return false;
    v = v * 10 + c - 48;
  }
  return v <= 65535;
}

export const MAX_XFF_ENTRIES: i32 = 64;

export function selectClientIp(peer: string, xff: string | null, trustedHops: i32): string {
  const fallback = stripPort(peer);
  if (trustedHops <= 0 || xff === null || trustedHops > MAX_XFF_ENTRIES) return fallback;
  // walk from the right, counting entries
  let end = xff.length;
  let count = 0;
  while (end >= 0 && count < MAX_XFF_ENTRIES) {
    const comma = end > 0 ? lastIndexOfUnit(xff, 44 /* , */, end - 1) : -1;
    count++;
    if (count == trustedHops) {
      const ip = stripPort(xff.substring(comma + 1, end));
      return ip.length > 0 ? ip : fallback;
    }
    if (comma < 0) break;
    end = comma;
  }
  return fallback;
}
