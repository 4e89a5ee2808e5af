// request.ts — RequestView: the one view of a request that auth rules, header templates and
// rate-limit keys share (DESIGN §3). Built from plain values — the filters fill it from host
// calls — so it has no host calls and is fully testable.
//
//  method     as given (":method")
//  rawPath    the ":path" header as received
//  path       canonical path (path.ts: unreserved escapes decoded, dot segments resolved,
//             slashes merged, query and fragment split off); "" when the path was refused, with
//             the reason in pathError — a filter should deny such a request, not guess
//  host       ":authority" (or "host") lower-cased, without port and without one trailing dot
//  query      parsed lazily from the raw query (query.ts)
//  cookies    parsed lazily from every "cookie" header joined with "; " (cookie.ts)
//  headers    lower-cased names with values, in order; header(name) gives the first value
//  clientIp   clientIp.ts: the peer address, or the Nth x-forwarded-for entry from the right
//             when N hops are trusted
// Never traps. Lookups are linear over the header list (requests carry ~10–30 headers).

import { canonicalizePath, PathOptions } from "./path";
import { parseQuery, ParsedQuery } from "./query";
import { parseCookies, getCookie, Cookie } from "./cookie";
import { selectClientIp } from "./clientIp";
import { lowerAscii } from "./http";

export class HeaderPair {
  constructor(public name: string, public value: string) {}
}

export class RequestOptions {
  pathOptions: PathOptions = new PathOptions();
  /** 0 = use the peer address; N = the Nth x-forwarded-for entry from the right. */
  trustedHops: i32 = 0;
}

const DEFAULT_REQUEST_OPTIONS = new RequestOptions();

/** "Example.COM:8080" → "example.com"; "[::1]:80" → "[::1]"; "a.example." → "a.example". */
export function normalizeHost(authority: string): string {
  let h = authority;
  if (h.length > 0 && h.charCodeAt(0) == 91) {
    const close = h.indexOf("]");
    h = close > 0 ? h.substring(0, close + 1) : h;
  } else {
    const colon = h.lastIndexOf(":");
    if (colon >= 0) h = h.substring(0, colon);
  }
  if (h.length > 1 && h.charCodeAt(h.length - 1) == 46) h = h.substring(0, h.length - 1);
  return lowerAscii(h);
}

export class RequestView {
  method: string = "";
  rawPath: string = "";
  path: string = "";
  pathError: string = "";
  rawQuery: string = "";
  host: string = "";
  headers: HeaderPair[] = [];
  clientIp: string = "";
  private parsedQuery: ParsedQuery | null = null;
  private parsedCookies: Cookie[] | null = null;

  /** Builds a view; header names are lower-cased here. */
  static build(method: string, rawPath: string, authority: string, headers: HeaderPair[],
               peerAddress: string, options: RequestOptions = DEFAULT_REQUEST_OPTIONS): RequestView {
    const v = new RequestView();
    v.method = method;
    v.rawPath = rawPath;
    const hs = new Array<HeaderPair>(headers.length);
    for (let i = 0; i < headers.length; i++) {
      const h = unchecked(headers[i]);
      const name = lowerAscii(h.name);
      unchecked(hs[i] = name == h.name ? h : new HeaderPair(name, h.value)); // pairs are never mutated
    }
    v.headers = hs;
    const cp = canonicalizePath(rawPath, options.pathOptions);
    v.path = cp.path;
    v.pathError = cp.error;
    v.rawQuery = cp.query;
    let auth = authority;
    if (auth.length == 0) { const h = v.header("host"); if (h !== null) auth = h; }
    v.host = normalizeHost(auth);
    v.clientIp = selectClientIp(peerAddress, v.header("x-forwarded-for"), options.trustedHops);
    return v;
  }

  /** First value of a header (name in lower case), or null. */
  header(name: string): string | null {
    const hs = this.headers;
    for (let i = 0, n = hs.length; i < n; i++) {
      const h = unchecked(hs[i]);
      if (h.name == name) return h.value;
    }
    return null;
  }
  /** Every value of a header, in order. */
  headerValues(name: string): string[] {
    const out: string[] = [];
    const hs = this.headers;
    for (let i = 0, n = hs.length; i < n; i++) {
      const h = unchecked(hs[i]);
      if (h.name == name) out.push(h.value);
    }
    return out;
  }
  get query(): ParsedQuery {
    let q = this.parsedQuery;
    if (q === null) { q = parseQuery(this.rawQuery); this.parsedQuery = q; }
    return q;
  }
  get cookies(): Cookie[] {
    let c = this.parsedCookies;
    if (c === null) { c = parseCookies(this.headerValues("cookie").join("; ")); this.parsedCookies = c; }
    return c;
  }
  queryParam(name: string): string | null { return this.query.get(name); }
  cookie(name: string): string | null { return getCookie(this.cookies, name); }
}
