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
//  query      parsed lazily from the raw query (query.ts); queryParam parses past its 256-parameter cap
//             when a name is not among the first 256
//  cookies    parsed lazily from every "cookie" header joined with "; " (cookie.ts)
//  headers    lower-cased names with values, in order; header(name) gives the first value
//  clientIp   clientIp.ts: the peer address, or the Nth x-forwarded-for entry from the right
//             when N hops are trusted
// Never traps. Lookups are linear over the header list (requests carry ~10–30 headers).

import { CanonicalPath, canonicalizePath, PathOptions } from "./path";
import { parseQuery, ParsedQuery } from "./query";
import { parseCookies, getCookie, Cookie } from "./cookie";
import { selectClientIp } from "./clientIp";
import { indexOfUnit, lastIndexOfUnit, lowerAscii } from "./http";
import { HeaderPair, HeaderSource, PairsSource } from "./headerPair";
import { joinStrings } from "./join";
import { Name, name } from "./names";
import { newArray } from "./emptyArray";

/**
 * A header's values as Envoy's HeaderMatcher sees them: joined with "," (HeaderUtility::
 * getAllOfHeaderAsString), so a client that repeats a header cannot choose which of its values a
 * condition tests; null when there is none.
 */
export function joinedValues(vals: string[]): string | null {
  const n = vals.length;
  return n == 0 ? null : n == 1 ? unchecked(vals[0]) : joinStrings(vals, ",");
}

export { HeaderPair };

/** The path options (canonicalizePath's) and the client-IP one, in one object. */
export class RequestOptions extends PathOptions {
  /** 0 = use the peer address; N = the Nth x-forwarded-for entry from the right. */
  trustedHops: i32 = 0;
  /** The path options: this object itself. */
  get pathOptions(): PathOptions { return this; }
}


/** "Example.COM:8080" → "example.com"; "[::1]:80" → "[::1]"; "a.example." → "a.example". */
export function normalizeHost(authority: string): string {
  let e = authority.length;
  if (e > 0 && authority.charCodeAt(0) == 91) {
    const close = indexOfUnit(authority, 93 /* ] */, 0);
    if (close > 0) e = close + 1;
  } else {
    const colon = lastIndexOfUnit(authority, 58 /* : */, e - 1);
    if (colon >= 0) e = colon;
  }
  if (e > 1 && authority.charCodeAt(e - 1) == 46) e--;
  return lowerAscii(authority.substring(0, e));
}

// A string field that was not worked out yet (`=== null` on a string compiles to a String.__eq call).
// @ts-ignore: decorator
@inline function unset(s: string | null): bool { return changetype<usize>(s) == 0; }

export class RequestView {
  private canonical: CanonicalPath | null;
  private hostValue: string | null;
  private clientIpValue: string | null;
  private parsedQuery: ParsedQuery | null;
  private parsedCookies: Cookie[] | null;

  /**
   * An empty view by default (`new RequestView()`); RequestView.over and build are the usual ways.
   * `source` is where header lookups go (names in lower case; none: no headers, so that a module
   * whose views all read a HeaderList has no array-of-pairs source); `methodValue`, `rawPathValue` and
   * `authorityValue` are :method, :path and :authority as given, or null: read from the source on first use.
   */
  constructor(private methodValue: string | null = null, private rawPathValue: string | null = null,
              private authorityValue: string | null = null, public source: HeaderSource | null = null,
              private peerAddress: string = "", private options: RequestOptions | null = null) {}

  /**
   * Builds a view over an array of pairs. Header names are lower-cased here — unless `lowerCased`
   * promises they already are (Envoy's are), in which case the array is adopted as it is. The
   * canonical path, host and client IP are worked out on first use.
   */
  static build(method: string, rawPath: string, authority: string, headers: HeaderPair[],
               peerAddress: string, options: RequestOptions | null = null,
               lowerCased: bool = false): RequestView {
    let hs = headers;
    if (!lowerCased) {
      hs = newArray<HeaderPair[]>(headers.length);
      for (let i = 0; i < headers.length; i++) {
        const h = unchecked(headers[i]);
        const name = lowerAscii(h.name);
        unchecked(hs[i] = name == h.name ? h : new HeaderPair(name, h.value)); // pairs are never mutated
      }
    }
    return RequestView.over(method, rawPath, authority, new PairsSource(hs), peerAddress, options);
  }

  /**
   * Builds a view over any header source (e.g. the SDK's HeaderList, or a snapshot of one).
   * A null method, raw path or authority is read from the source's pseudo-header when first used.
   */
  static over(method: string | null, rawPath: string | null, authority: string | null, source: HeaderSource,
              peerAddress: string, options: RequestOptions | null = null): RequestView {
    return new RequestView(method, rawPath, authority, source, peerAddress, options);
  }

  get method(): string {
    const m = this.pseudo(this.methodValue, name(Name.Method));
    this.methodValue = m;
    return m;
  }
  /** The ":path" header as received. */
  get rawPath(): string {
    const p = this.pseudo(this.rawPathValue, name(Name.Path));
    this.rawPathValue = p;
    return p;
  }
  private get authority(): string {
    const a = this.pseudo(this.authorityValue, name(Name.Authority));
    this.authorityValue = a;
    return a;
  }

  private get canonicalPath(): CanonicalPath {
    let c = this.canonical;
    if (c === null) { c = canonicalizePath(this.rawPath, this.options); this.canonical = c; }
    return c;
  }
  /** The canonical path; "" when it was refused (pathError says why). */
  get path(): string { return this.canonicalPath.path; }
  get pathError(): string { return this.canonicalPath.error; }
  /** The raw query, without '?'. */
  get rawQuery(): string { return this.canonicalPath.query; }
  get host(): string {
    let h = this.hostValue;
    if (unset(h)) {
      let auth = this.authority;
      if (auth.length == 0) { const x = this.header(name(Name.Host)); if (!unset(x)) auth = changetype<string>(x); }
      h = normalizeHost(auth);
      this.hostValue = h;
    }
    return changetype<string>(h);
  }
  get clientIp(): string {
    let ip = this.clientIpValue;
    if (unset(ip)) {
      const o = this.options;
      ip = selectClientIp(this.peerAddress, this.header(name(Name.XForwardedFor)), o !== null ? o.trustedHops : 0);
      this.clientIpValue = ip;
    }
    return changetype<string>(ip);
  }

  /** First value of a header (name in lower case), or null. */
  header(name: string): string | null { const s = this.source; return s !== null ? s.first(name) : null; }
  /** Every value of a header, in order. */
  headerValues(name: string): string[] { const s = this.source; return s !== null ? s.all(name) : []; }
  /** A header as a matcher sees it (joinedValues), or null when absent. */
  headerJoined(name: string): string | null { return joinedValues(this.headerValues(name)); }
  /** A pseudo-header's value as given (v), or else read from the source ("" when absent). */
  private pseudo(v: string | null, name: string): string {
    return unset(v) ? orEmpty(this.header(name)) : changetype<string>(v);
  }
  get query(): ParsedQuery {
    let q = this.parsedQuery;
    if (q === null) { q = parseQuery(this.rawQuery); this.parsedQuery = q; }
    return q;
  }
  get cookies(): Cookie[] {
    let c = this.parsedCookies;
    if (c === null) { c = parseCookies(joinStrings(this.headerValues(name(Name.Cookie)), name(Name.CookieSeparator))); this.parsedCookies = c; }
    return c;
  }
  /** The first value of a query parameter, or null. A query with more parameters than parseQuery
   *  keeps is parsed in full once a name is not among them: a parameter must not look absent
   *  because a client put 256 others before it. */
  queryParam(name: string): string | null {
    let q = this.query;
    let v = q.get(name);
    if (unset(v) && q.truncated) { this.parsedQuery = q = parseQuery(this.rawQuery, i32.MAX_VALUE); v = q.get(name); }
    return v;
  }
  cookie(name: string): string | null { return getCookie(this.cookies, name); }
}

function orEmpty(s: string | null): string { return unset(s) ? "" : changetype<string>(s); }

