// query.ts — query-string parsing and serialising (application/x-www-form-urlencoded style).
//
// parseQuery("a=1&b=x+y&c&a=%zz") → [a=1, b="x y", c="", a="%zz"]: pairs in order, names and
// values percent-decoded tolerantly ('+' is a space; a bad escape is kept raw; bad UTF-8 becomes
// U+FFFD); empty pieces ("a=1&&b=2") are skipped; a piece without '=' has an empty value.
// At most maxParams pairs are kept (default 256) so a hostile query costs bounded memory; the
// rest are dropped and `truncated` is set.
// serializeQuery(pairs) percent-encodes names and values (unreserved characters kept, space as
// %20) and joins them with '&'; a pair whose value is null is written as a bare name.

import { percentDecode, percentEncode } from "./percent";
import { joinStrings } from "./join";
import { indexOfUnit } from "./http";
import { HeaderPair, pairValue } from "./headerPair";
import { emptyArray, newArray } from "./emptyArray";
import { Name, name as text } from "./names";

/** A parameter: a name and a value, as a header pair (so lookups share pairValue), and whether it
 *  was written without '='. */
export class QueryParam extends HeaderPair {
  constructor(name: string, value: string, public bare: bool = false) { super(name, value); }
}

export class ParsedQuery {
  params: QueryParam[] = emptyArray<QueryParam[]>();
  truncated: bool = false;

  /** The first value for `name`, or null. */
  get(name: string): string | null { return pairValue(changetype<HeaderPair[]>(this.params), name); }
  has(name: string): bool { return this.get(name) !== null; }
  /** Every value for `name`, in order. */
  getAll(name: string): string[] {
    const out = emptyArray<string[]>();
    const ps = this.params;
    for (let i = 0, n = ps.length; i < n; i++) {
      const p = unchecked(ps[i]);
      if (p.name == name) out.push(p.value);
    }
    return out;
  }
}

// @ts-ignore: decorator (inlined: the default parameter below then costs no global read)
@inline export const DEFAULT_MAX_PARAMS: i32 = 256;

export function parseQuery(q: string, maxParams: i32 = DEFAULT_MAX_PARAMS): ParsedQuery {
  const r = new ParsedQuery();
  const n = q.length;
  let start = 0;
  while (start <= n) {
    let amp = indexOfUnit(q, 38 /* & */, start);
    if (amp < 0) amp = n;
    if (amp > start) {
      if (r.params.length >= maxParams) { r.truncated = true; break; }
      let eq = start; // '=' within this piece only
      while (eq < amp && q.charCodeAt(eq) != 61) eq++;
      const name = percentDecode(q.substring(start, eq), true);
      r.params.push(eq < amp
        ? new QueryParam(name, percentDecode(q.substring(eq + 1, amp), true))
        : new QueryParam(name, "", true));
    }
    start = amp + 1;
  }
  return r;
}

/** Encodes and joins pairs: "a=1&b=x%20y"; a bare pair is written as its name only. */
export function serializeQuery(params: QueryParam[]): string {
  const parts = newArray<string[]>(params.length);
  for (let i = 0, n = params.length; i < n; i++) {
    const p = unchecked(params[i]);
    const name = percentEncode(p.name);
    unchecked(parts[i] = p.bare && p.value.length == 0 ? name : name + text(Name.Equals) + percentEncode(p.value));
  }
  return joinStrings(parts, text(Name.Ampersand));
}
