// cookie.ts — Cookie request-header parsing (RFC 6265 §5.4 form "name=value; name2=value2").
//
// parseCookies(header) returns the pairs in order. Pieces are split on ';', surrounding spaces
// and tabs trimmed; a value in double quotes loses the quotes; a piece without '=' or with an
// empty name is skipped. Values are NOT percent-decoded (cookies have no standard encoding).
// Several Cookie headers: join them with "; " first (what HTTP/2 requires of proxies anyway).
// At most maxCookies pairs are kept (default 128); never traps.

import { SPACE_TAB, indexOfUnit, trimRange } from "./http";
import { HeaderPair, pairValue } from "./headerPair";
import { emptyArray, numEnd } from "./json";

// A cookie is a name and a value: the same class as a header pair (one class and one array class
// fewer in a module that has both).
export { HeaderPair as Cookie };

// @ts-ignore: decorator (inlined: the default parameter below then costs no global read)
@inline export const DEFAULT_MAX_COOKIES: i32 = 128;

/** Trims spaces and tabs off s[a, b): returns the new start, and sets the new end in json.ts's
 *  numEnd (the libraries' one global for a second result). */
// @ts-ignore: decorator
@inline function trimWs(s: string, a: i32, b: i32): i32 { return trimRange(s, a, b, SPACE_TAB); }

export function parseCookies(header: string, maxCookies: i32 = DEFAULT_MAX_COOKIES): HeaderPair[] {
  const out = emptyArray<HeaderPair[]>();
  const n = header.length;
  let start = 0;
  while (start < n && out.length < maxCookies) {
    let semi = indexOfUnit(header, 59 /* ; */, start);
    if (semi < 0) semi = n;
    let eq = start; // '=' within this piece only: searching past it made "; ; ; …" quadratic
    while (eq < semi && header.charCodeAt(eq) != 61) eq++;
    if (eq < semi) {
      // the name and the value, each trimmed (the same as trimming the piece, then each side of '=')
      const na = trimWs(header, start, eq);
      const ne = numEnd;
      if (ne > na) {
        let vs = trimWs(header, eq + 1, semi);
        let ve = numEnd;
        if (ve - vs >= 2 && header.charCodeAt(vs) == 34 && header.charCodeAt(ve - 1) == 34) { vs++; ve--; }
        out.push(new HeaderPair(header.substring(na, ne), header.substring(vs, ve)));
      }
    }
    start = semi + 1;
  }
  return out;
}

/** The first cookie named `name`, or null. */
export function getCookie(cookies: HeaderPair[], name: string): string | null { return pairValue(cookies, name); }
