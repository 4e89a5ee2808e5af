// Generators for tests/host/headers-fuzz.test.ts: random VALID configurations of the headers filter
// (filters/headers/README.md grammar) and hostile requests, both as compact JSON-able descriptions.
// Long or repeated strings are described as { rep, n } and only materialised when the request is
// sent, so that a failing case prints (and can be pasted back into a test) in a few lines.
// Header values, the path and the authority are JS strings (host/index.ts RequestSpec; the host sends
// them as UTF-8), so a request cannot carry invalid UTF-8 bytes as such: lone surrogates (sent as
// U+FFFD), U+FFFD itself, C1 characters and code points up to U+10FFFF stand in for them.
import fc from "fast-check";
import type { RequestSpec } from "../../host/index.ts";

// ---------------------------------------------------------------------------------------------
// Descriptions and their materialisation

/** A string, or `rep` repeated `n` times. */
export type S = string | { rep: string; n: number };
export const str = (s: S): string => (typeof s === "string" ? s : s.rep.repeat(s.n));

/** One header entry: a pair, or `n` copies (names suffixed -0, -1, … when `distinct`). */
export type HeaderDesc = [string, S] | { name: string; value: S; n: number; distinct?: boolean };
/** One query item: name=value (value null: a bare name), `n` times; or raw query text. */
export type QueryDesc = { name: S; value: S | null; n?: number } | { raw: S };

export interface RequestDesc {
  method: string;
  /** The path before the query: the pieces joined. */
  path: S[];
  query: QueryDesc[] | null;
  fragment: string | null;
  authority: S;
  headers: HeaderDesc[];
  source?: string;
  properties?: Record<string, string>;
  response: { status: number; headers: HeaderDesc[] };
}

function headerPairs(list: HeaderDesc[]): [string, string][] {
  const out: [string, string][] = [];
  for (const h of list) {
    if (Array.isArray(h)) { out.push([h[0], str(h[1])]); continue; }
    const v = str(h.value);
    for (let i = 0; i < h.n; i++) out.push([h.distinct ? `${h.name}-${i}` : h.name, v]);
  }
  return out;
}

export function pathOf(d: RequestDesc): string {
  let p = d.path.map(str).join("");
  if (d.query !== null) {
    const items: string[] = [];
    for (const q of d.query) {
      if ("raw" in q) { items.push(str(q.raw)); continue; }
      const one = q.value === null ? str(q.name) : `${str(q.name)}=${str(q.value)}`;
      for (let i = 0; i < (q.n ?? 1); i++) items.push(one);
    }
    p += "?" + items.join("&");
  }
  if (d.fragment !== null) p += d.fragment;
  return p;
}

/** The RequestSpec a description stands for (what Host.request is given). */
export function materialize(d: RequestDesc): RequestSpec {
  return {
    method: d.method, path: pathOf(d), authority: str(d.authority), headers: headerPairs(d.headers),
    ...(d.source !== undefined ? { source: d.source } : {}),
    ...(d.properties ? { properties: d.properties } : {}),
    response: { status: d.response.status, headers: headerPairs(d.response.headers) },
  };
}

/** JSON for messages: long strings cut (the description itself is already compact). */
export function show(x: unknown, max = 400): string {
  return JSON.stringify(x, (_k, v) => (typeof v === "string" && v.length > max ? `${v.slice(0, max)}…(${v.length} chars)` : v));
}

// ---------------------------------------------------------------------------------------------
// Hostile requests

const TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split("");
const token = (max = 12) => fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: max });

const METHODS = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE", "PURGE", "M-SEARCH",
  "get", "Post", "X!#$%&'*+-.^_`|~", "A".repeat(300)];

/** Header names requests carry: mixed case, the ones the config pool names, inline and Envoy-managed ones. */
const REQ_HEADER_NAMES = ["x-a", "X-A", "x-b", "X-Mixed-Case", "x-user", "X-USER", "authorization", "Authorization",
  "cookie", "Cookie", "x-forwarded-for", "X-Forwarded-For", "user-agent", "referer", "content-type", "x-request-id",
  "accept", "via", "x-internal-secret", "X-Internal-Debug", "te", "host", "content-length", "transfer-encoding",
  "x-envoy-original-path", "!#$%&'*+-.^_`|~0", "x-big", "x-tenant", "x-env"];
const RESP_HEADER_NAMES = ["server", "x-a", "X-B", "content-type", "location", "set-cookie", "cache-control",
  "x-request-id", "date", "via", "x-resp", "retry-after", "Content-Length", "x-internal-trace"];

// Header-value characters a real Envoy lets through its codecs (HeaderUtility::headerValueIsValid:
// HTAB, SP, VCHAR, obs-text): tabs, escapes as text, C1 and other non-ASCII, U+FFFD, lone surrogates
// (sent as U+FFFD by the host's UTF-8 encoder), astral characters. Raw C0 controls, DEL, CR, LF and
// NUL are refused by Envoy before any filter runs; the host does not model that refusal, so they come
// only with requestArb({ controls: true }) (a property of their own in headers-fuzz.test.ts).
const VALUE_ATOMS = ["a", "b", "x", "0", "1", " ", "\t", ",", ";", "=", "\"", "'", "%", "%0d%0a", "%00", "%0D%0A",
  "$", "${", "}", "\\", "/", "..", ":", "Bearer ", "é", "ü", "\u00ff", "\u0080", "\u009f", "\u2028", "\ufeff", "\ufffd",
  "\ud800", "\udfff", "\ud83d\ude00", "\u{10ffff}", "中"];
/** Raw control characters: only in the "controls" variant (what a host that skipped Envoy's codec checks would pass on). */
const CONTROL_ATOMS = ["\r\n", "\r", "\n", "\x00", "\x01", "\x1b", "\x7f", "\x0b"];
const valueTextOf = (withControls: boolean) =>
  fc.array(fc.constantFrom(...VALUE_ATOMS, ...(withControls ? CONTROL_ATOMS : [])), { maxLength: 12 }).map((a) => a.join(""));

// Paths: pieces joined; hostile shapes.
const PATH_ATOMS = ["/", "//", "/.", "/..", "/%2e%2e", "/%2E%2e/", "%2F", "%2f", "%5C", "%00", "%zz", "%", "%4", "%41%42",
  "%C3%A9", "%FF%FE", "-..", "-.", "-%2e%2E", ";params", ";a=b,c", "a", "api", "v1", "admin", "users", "123", "é", "\ufffd", "\ud800", "\udfff",
  "\ud83d\ude00", "\u0080", "\\", "..\\", "*", "@", ":", "!$&'()*+,", "~", "%7e", "%2e", ".", "+", " ", "\t"];
const RARE_PATH_ATOMS = ["\x01", "\x7f", "\r\n", "\x00", "%0d%0a", "\"<>^`{|}"];
const hostilePath: fc.Arbitrary<S> = fc.constantFrom<S>({ rep: "/a", n: 3000 }, { rep: "x", n: 70000 }, { rep: "/..", n: 2000 },
  { rep: "%2e%2e/", n: 1000 }, { rep: "//", n: 3000 }, { rep: "/%2F", n: 2000 }, { rep: "/é", n: 5000 }, { rep: "a", n: 400 });
const pathPieces: fc.Arbitrary<S[]> = fc.tuple(
  fc.oneof({ weight: 30, arbitrary: fc.constant("/") }, { weight: 1, arbitrary: fc.constantFrom("", "*", "http://example.com/x", "a/b", "\\x", "%2F") }),
  fc.array(fc.oneof({ weight: 30, arbitrary: fc.constantFrom<S>(...PATH_ATOMS) }, { weight: 1, arbitrary: fc.constantFrom<S>(...RARE_PATH_ATOMS) },
    { weight: 1, arbitrary: hostilePath }), { maxLength: 8 }),
).map(([first, rest]) => [first, ...rest]);

const QUERY_NAMES = ["x", "q", "a", "", "+", "a+b", "%zz", "%0d%0a", "x%00", "é", "%E2%82%AC", "redirect", "p", "debug", "api-version"];
const QUERY_VALUES = ["1", "", "+", "a+b", "%0d%0aSet-Cookie:%20x=1", "%00", "%zz", "%", "%E2%82%AC", "%FF", "%C3", "é", "\ud800",
  "=", "==", "a=b", "%01%7f", "%09", "\t", "%20", "true", "%0A"];
const queryItem: fc.Arbitrary<QueryDesc> = fc.oneof(
  { weight: 20, arbitrary: fc.record({ name: fc.constantFrom<S>(...QUERY_NAMES), value: fc.option(fc.constantFrom<S>(...QUERY_VALUES), { freq: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ name: fc.constantFrom<S>(...QUERY_NAMES), value: fc.constantFrom<S | null>("1", null, "%0d%0a"), n: fc.integer({ min: 300, max: 3000 }) }) },
  { weight: 1, arbitrary: fc.record({ name: fc.constantFrom<S>("x", "big"), value: fc.constant<S>({ rep: "%41", n: 20000 }) }) },
  { weight: 2, arbitrary: fc.record({ raw: fc.constantFrom<S>("&&", "&", "=", "==&=", "?", "#", "%", "a=1=2", "x=%0d%0a&x=2") }) },
);
const query = fc.option(fc.array(queryItem, { maxLength: 6 }), { freq: 3 });

const AUTHORITIES = ["example.com", "EXAMPLE.com:8080", "api.example.com", "Shop.Example.COM:8443", "[::1]:443", "[::1", "[fe80::1%25eth0]:80",
  "a:b:c", "", "ü.example", "host:99999", "a.example.", "*.x", "exa mple", "1.2.3.4", "localhost:0", ":80", "[]", "example.com:"];
const authority: fc.Arbitrary<S> = fc.oneof({ weight: 20, arbitrary: fc.constantFrom<S>(...AUTHORITIES) },
  { weight: 1, arbitrary: fc.constantFrom<S>({ rep: "a", n: 300 }, { rep: "a.", n: 5000 }, "\x01.example", "x\u2028y") });

// Identity published by the auth filter (filter state): claims are client-influenced, so hostile too.
const IDENTITY = ["alice", "", "bob\r\nX-Evil: 1", "é", "\x00", "a\tb", "admin", "u1"];
const properties = fc.option(fc.record({
  wasmgate_consumer: fc.constantFrom(...IDENTITY), "wasmgate_claim.sub": fc.constantFrom(...IDENTITY), "wasmgate_claim.org.id": fc.constantFrom(...IDENTITY),
}, { requiredKeys: [] }), { freq: 3 });

/** Hostile requests. `controls`: header values may also carry raw C0 controls, DEL, CR, LF, NUL. */
export function requestArb(opts: { controls?: boolean } = {}): fc.Arbitrary<RequestDesc> {
  const valueText = valueTextOf(opts.controls ?? false);
  const hugeValue: fc.Arbitrary<S> = fc.record({ rep: fc.constantFrom("v", "é", "a,", "%0d%0a", "\ud83d\ude00", " "), n: fc.integer({ min: 65536, max: 70000 }) })
    .map(({ rep, n }) => ({ rep, n: Math.ceil(n / rep.length) }));
  const headerValue: fc.Arbitrary<S> = fc.oneof({ weight: 30, arbitrary: valueText }, { weight: 1, arbitrary: hugeValue });

  const COOKIES = ["a=b; c=d", "=;;;", "a", "a=\"q\"", "; ; =x", "name=v=w", "session=%0d%0a", "session=\ud800", "sid=1;sid=2",
    "session=abc", " session = spaced ; x", "session=\"\"", "\t=\t", "é=ü"];
  // Long cookie headers of pieces without '=' are kept at 2000: assembly/lib/cookie.ts used to parse
  // them in quadratic time (fixed; regression test in headers-fuzz.test.ts), so longer ones would
  // now be affordable too.
  const cookieValue: fc.Arbitrary<S> = fc.oneof({ weight: 20, arbitrary: fc.constantFrom(...COOKIES) },
    { weight: 1, arbitrary: fc.constantFrom<S>({ rep: "k=v; ", n: 3000 }, { rep: ";", n: 2000 }, { rep: "a; ", n: 700 }) });
  const XFF = ["1.2.3.4", "1.2.3.4, 5.6.7.8", "garbage", ", ,", "[::1]", "::1", "unknown, 999.1.1.1", "1.2.3.4:80",
    "   ", "\ufffd", "2001:db8::1, 10.0.0.1", "1.1.1.1,,2.2.2.2", "%0d%0a"];
  const xffValue: fc.Arbitrary<S> = fc.oneof({ weight: 20, arbitrary: fc.constantFrom(...XFF) },
    { weight: 1, arbitrary: fc.constant<S>({ rep: "1.1.1.1,", n: 3000 }) });

  const headerName = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...REQ_HEADER_NAMES) }, { weight: 1, arbitrary: token() });
  const plainHeader: fc.Arbitrary<HeaderDesc> = fc.oneof(
    { weight: 10, arbitrary: fc.tuple(headerName, headerValue) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom("cookie", "Cookie"), cookieValue) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom("x-forwarded-for", "X-Forwarded-For"), xffValue) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom("authorization", "x-request-id"), fc.constantFrom<S>("Bearer abc.def", "Bearer ", "bearer x", "Basic Zm9v", "%0d%0aX-Evil: 1", "req-1", "")) },
  );
  // Thousands of headers: one name repeated, or thousands of distinct names.
  const manyHeaders: fc.Arbitrary<HeaderDesc> = fc.record({
    name: headerName, value: fc.oneof(valueText, fc.constant<S>("")), n: fc.integer({ min: 500, max: 3000 }), distinct: fc.boolean(),
  });
  const requestHeaders = fc.array(fc.oneof({ weight: 40, arbitrary: plainHeader }, { weight: 1, arbitrary: manyHeaders }), { maxLength: 10 });

  const responseHeaders = fc.array(fc.oneof(
    { weight: 20, arbitrary: fc.tuple(fc.oneof(fc.constantFrom(...RESP_HEADER_NAMES), token()), headerValue) },
    { weight: 1, arbitrary: fc.record({ name: fc.constantFrom(...RESP_HEADER_NAMES), value: valueText, n: fc.integer({ min: 100, max: 1000 }), distinct: fc.boolean() }) },
  ), { maxLength: 8 });

  return fc.record({
    method: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...METHODS) }, { weight: 1, arbitrary: token(20) }),
    path: pathPieces,
    query,
    fragment: fc.option(fc.constantFrom("#frag", "#", "#a?b", "#%0d%0a", "#/../x"), { freq: 6 }),
    authority,
    headers: requestHeaders,
    source: fc.option(fc.constantFrom("10.0.0.7:51234", "[::1]:5000", "[2001:db8::1]:443", "garbage", "1.2.3.4"), { nil: undefined }),
    properties: properties.map((p) => p ?? undefined),
    response: fc.record({ status: fc.integer({ min: 100, max: 599 }), headers: responseHeaders }),
  }, { requiredKeys: ["method", "path", "query", "fragment", "authority", "headers", "response"] });
}

// ---------------------------------------------------------------------------------------------
// Configurations (every one valid: the filter must accept it)

/** Header names operations name (never host, content-length, transfer-encoding or pseudo-headers). */
const OP_REQ_NAMES = ["x-a", "X-A", "x-b", "X-Mixed-Case", "x-user", "authorization", "cookie", "x-forwarded-for", "user-agent",
  "referer", "content-type", "x-request-id", "accept", "via", "x-internal-secret", "te", "x-envoy-original-path",
  "!#$%&'*+-.^_`|~0", "x-big", "x-tenant", "x-new", "x-client-ip"];
const OP_RESP_NAMES = ["server", "x-a", "x-b", "content-type", "location", "set-cookie", "cache-control", "x-request-id", "date",
  "via", "x-resp", "retry-after", "x-new"];

// Template pieces: literal text ('$' only as "$$"), and every source.
const LITERALS = ["a", "v", "-", " ", "\t", "$$", "é", "\ud83d\ude00", "{", "}", "|", ":", "%0d%0a", "x=1", ","];
const TEMPLATE_VARS = ["${header:x-a}", "${header:X-User}", "${header:authorization}", "${header:cookie}", "${header:x-forwarded-for}",
  "${header:x-big}", "${header:x-missing|fallback}", "${header:x-request-id}", "${query:x}", "${query:q}", "${query:a b}",
  "${query:%0d%0a}", "${query:é|none}", "${query:big}", "${cookie:session}", "${cookie:sid|anon}", "${cookie:a}", "${method}",
  "${path}", "${host}", "${client_ip}", "${request_id}", "${consumer}", "${consumer|anonymous}", "${claim:sub}",
  "${claim:org.id|acme}", "${property:xds.cluster_name}", "${property:request.path}", "${property:source.address}",
  "${property:node.id|n}", "${header:x-a|a:b|c}"];
const template = fc.array(fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...LITERALS) }, { weight: 3, arbitrary: fc.constantFrom(...TEMPLATE_VARS) }),
  { minLength: 1, maxLength: 5 }).map((a) => a.join(""));

// Regexes (every one compiles) with replacements that reference their groups.
// (a replacement whose literal text has a control character, or a path one with a "?", is refused at
// configure time: headers-config-cases.ts; only valid configurations here)
const HEADER_REGEX: [string, string][] = [
  ["^Bearer (.+)$", "Token $1"], ["(\\w+)=(\\w*)", "$2=$1"], ["(?P<word>[a-z]+)", "${word}-${word}"], ["^(.*)$", "$1$1"],
  ["x*", "-"], ["(.)", "$1$1$1"], ["[\\x00-\\x1f]", "?"], ["\\s+", " "], ["(a)|(b)", "${1}${2}$$"],
  [",\\s*", "\t"], ["%([0-9a-fA-F]{2})", "%25$1"], ["(?s).*", ""], ["(\\d{1,3})\\.(\\d{1,3})", "$2.$1"],
  ["^", "prefix-"], ["$", "é"], ["(?:a|b)+?", "[$0]"], ["(?<n>.)(?<m>.)", "${m}${n}"], ["a{2,5}", "$$"],
  // Many threads live at once with few groups (a counted literal after .*): the VM's scratch at its fullest.
  [".*v{24}", "-"], ["(v{40})a", "$1"],
];
const PATH_REGEX: [string, string][] = [
  ["^/api(/.*)?$", "/v1$1"], ["^/(\\w+)/(.*)$", "/$2/$1"], ["/+", "/"], ["\\.\\.", "dot"],
  ["([a-z]+)", "$1$1"], ["^/", ""], ["%2F", "/"], ["x*", "/"], ["(?P<seg>[^/]+)$", "${seg}/index"],
  ["/", "%0d%0a"], ["é", "e"], ["(.*)", "$1$1$1$1"], ["(.+)", "/\t$1"],
  // a separator put before what followed a dash: "/a-../x" would become "/a/../x" (a dot segment)
  ["^/(\\w+)-(.*)$", "/$1/$2"], ["-", "/"],
];
const MATCH_REGEX = [".*", "a.*", "[a-z]+", "(?i)bearer .*", "\\d+", "(a|b)*c?", ".*\\r.*", "/api/.*", "(?s).*", "[^/]*", ".*v{24}x"];

const stringMatcherOf = (plain: string[]): fc.Arbitrary<unknown> => fc.oneof(
  fc.constantFrom(...plain),
  fc.record({ kind: fc.constantFrom("exact", "prefix", "suffix", "contains"), v: fc.constantFrom("a", "", "B", "x", "é", "%0d%0a", "/api", "bearer"),
    ignore_case: fc.boolean(), invert: fc.boolean() }).map(({ kind, v, ignore_case, invert }) => ({ [kind]: v, ...(ignore_case ? { ignore_case } : {}), ...(invert ? { invert } : {}) })),
  fc.record({ regex: fc.constantFrom(...MATCH_REGEX), ignore_case: fc.boolean() }).map(({ regex, ignore_case }) => (ignore_case ? { regex, ignore_case } : { regex })),
  fc.record({ kind: fc.constantFrom("present", "absent"), invert: fc.boolean() }).map(({ kind, invert }) => ({ [kind]: true, ...(invert ? { invert } : {}) })),
);
const stringMatcher = stringMatcherOf(["a", "", "prod", "Bearer abc.def", "é"]);
const named = (names: string[]) => fc.dictionary(fc.constantFrom(...names), stringMatcher, { minKeys: 1, maxKeys: 2 });
const pathMatcher = fc.oneof(
  fc.record({ exact: fc.constantFrom("/", "/a", "/api", "/admin", "/é") }),
  fc.record({ prefix: fc.constantFrom("/", "/api", "/api/", "/a", "/admin") }),
  fc.record({ suffix: fc.constantFrom("/", "a", ".json", "%2F") }),
  fc.record({ regex: fc.constantFrom("/api/.*", "/[a-z]+", ".*", "/(a|b)*", "/.*a{30}") }),
).chain((m) => fc.boolean().map((ic) => (ic ? { ...m, ignore_case: true } : m)));

const requestMatch = fc.record({
  path: pathMatcher,
  methods: fc.uniqueArray(fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "PURGE", "M-SEARCH"), { minLength: 1, maxLength: 3 }),
  // A plain string host must not be empty (the string-matcher objects may be).
  host: fc.oneof(fc.constantFrom("example.com", "*.example.com", "EXAMPLE.com", "api.example.com"), stringMatcherOf(["a", "prod", "é"])),
  headers: named(["x-a", "X-User", "authorization", "cookie", "x-env", "x-missing"]),
  query: named(["x", "q", "debug", "é", "+"]),
  consumer: stringMatcher,
  claims: named(["sub", "org.id"]),
}, { requiredKeys: [] });
const responseMatch = fc.tuple(requestMatch, fc.record({
  status: fc.array(fc.oneof(fc.integer({ min: 100, max: 599 }), fc.constantFrom("1xx", "2xx", "3xx", "4xx", "5xx")), { minLength: 1, maxLength: 4 }),
  response_headers: named(["content-type", "server", "x-a", "location"]),
}, { requiredKeys: [] })).map(([a, b]) => ({ ...a, ...b }));

const valueOp = (op: string, names: string[], request: boolean) => fc.record({
  // (an empty constant value is refused at configure time)
  header: fc.constantFrom(...names), value: template.filter((t) => t !== ""),
  inbound: request ? fc.constantFrom(undefined, "strip", "keep") : fc.constant(undefined),
}).map(({ header, value, inbound }) => ({ op, header, value, ...(inbound !== undefined ? { inbound } : {}) }));

/** Operations on named headers (every kind). */
const headerOps = (names: string[], request: boolean): fc.Arbitrary<Record<string, unknown>>[] => [
  valueOp("set", names, request), valueOp("append", names, request), valueOp("set_if_absent", names, request),
  fc.oneof(fc.record({ header: fc.constantFrom(...names) }), fc.record({ match: stringMatcher })).map((x) => ({ op: "remove", ...x })),
  ...["rename", "copy"].map((op) => fc.record({ header: fc.constantFrom(...names), to: fc.constantFrom(...names), overwrite: fc.option(fc.boolean(), { nil: undefined }) })
    .map((x) => ({ op, header: x.header, to: x.to, ...(x.overwrite !== undefined ? { overwrite: x.overwrite } : {}) }))),
  fc.record({ header: fc.constantFrom(...names), r: fc.constantFrom(...HEADER_REGEX) }).map(({ header, r }) => ({ op: "replace", header, regex: r[0], with: r[1] })),
  fc.record({ header: fc.constantFrom(...names), keep: fc.constantFrom(undefined, "unique", "first", "last"), split: fc.option(fc.boolean(), { nil: undefined }) })
    .filter(({ header, split }) => !(split && header.toLowerCase() === "set-cookie")) // refused at configure time
    .map(({ header, keep, split }) => ({ op: "dedupe", header, ...(keep ? { keep } : {}), ...(split !== undefined ? { split } : {}) })),
];
const QUERY_PARAMS = ["x", "q", "a b", "é", "%zz", "+", "p", "api-version", "\r\n"];
const requestOnlyOps: fc.Arbitrary<Record<string, unknown>>[] = [
  fc.record({ param: fc.constantFrom(...QUERY_PARAMS), value: template }).map((x) => ({ op: "query_set", ...x })),
  fc.record({ param: fc.constantFrom(...QUERY_PARAMS), value: template }).map((x) => ({ op: "query_add", ...x })),
  fc.record({ param: fc.constantFrom(...QUERY_PARAMS) }).map((x) => ({ op: "query_remove", ...x })),
  fc.record({ param: fc.constantFrom(...QUERY_PARAMS), to: fc.constantFrom(...QUERY_PARAMS) }).map((x) => ({ op: "query_rename", ...x })),
  fc.record({ prefix: fc.constantFrom("/", "/api", "/api/", "/a", "/%2e%2e", "/..", "/é", "/admin"), to: fc.constantFrom("", "/", "/v1", "/v1/", "/ü") })
    .map((x) => ({ op: "path_prefix", ...x })),
  fc.constantFrom(...PATH_REGEX).map(([regex, w]) => ({ op: "path_regex", regex, with: w })),
  fc.oneof(template, fc.constantFrom("backend.internal", "10.0.0.1:8080", "[::1]:443", "${header:x-a}", "${query:x}:80", "${host}"))
    // (a constant that is not a host is refused at configure time: only valid configurations here)
    .filter((value) => value.includes("${") || /^[A-Za-z0-9._\-[\]:]{1,255}$/.test(value.replace(/\$\$/g, "$")))
    .map((value) => ({ op: "host", value })),
];

const rule = (match: fc.Arbitrary<unknown>, op: fc.Arbitrary<Record<string, unknown>>) => fc.record({
  name: fc.option(fc.constantFrom("r", "é rule", ""), { nil: undefined }),
  match: fc.option(match, { nil: undefined, freq: 2 }),
  ops: fc.array(op, { minLength: 1, maxLength: 6 }),
}).map(({ name, match: m, ops }) => ({ ...(name !== undefined ? { name } : {}), ...(m !== undefined ? { match: m } : {}), ops }));

export interface Config {
  request: { name?: string; match?: unknown; ops: Record<string, unknown>[] }[];
  response: { name?: string; match?: unknown; ops: Record<string, unknown>[] }[];
  max_value_bytes?: number;
  trusted_hops?: number;
}

const utf8Bytes = (s: string) => Buffer.byteLength(s, "utf8");

/** The text of a template without variables ("$$" is "$"), or null when it has a variable. */
function constantText(t: string): string | null {
  let out = "";
  for (let i = 0; i < t.length; i++) {
    if (t[i] !== "$") { out += t[i]; continue; }
    if (t[i + 1] !== "$") return null; // "${": a variable (the generator writes no other '$')
    out += "$";
    i++;
  }
  return out;
}

/** A value without variables is checked at configure time: keep such constants within the limits. */
function fixConstants(generated: Config): Config {
  const cfg = structuredClone(generated); // never mutate what fast-check generated (it replays and shrinks it)
  const max = cfg.max_value_bytes ?? 8192;
  for (const r of [...cfg.request, ...cfg.response]) {
    for (const op of r.ops) {
      const v = op.value;
      const text = typeof v === "string" ? constantText(v) : null;
      if (text === null) continue;
      if (/[\x00-\x08\x0a-\x1f\x7f]/.test(text) || text.length > max || utf8Bytes(text) > max) op.value = "v";
    }
  }
  return cfg;
}

/**
 * Random valid configurations: 1–5 request rules and 0–3 response rules, each with an optional
 * condition and 1–6 operations of every kind, max_value_bytes often small so size rejections happen.
 */
export function configArb(): fc.Arbitrary<Config> {
  const requestOp = fc.oneof(...headerOps(OP_REQ_NAMES, true), ...requestOnlyOps);
  const responseOp = fc.oneof(...headerOps(OP_RESP_NAMES, false));
  return fc.record({
    request: fc.array(rule(requestMatch, requestOp), { minLength: 1, maxLength: 5 }),
    response: fc.array(rule(responseMatch, responseOp), { maxLength: 3 }),
    max_value_bytes: fc.option(fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 65, max: 8192 }), fc.constant(65536)), { nil: undefined }),
    trusted_hops: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
  }, { requiredKeys: ["request", "response"] }).map(fixConstants);
}

/** Request rules and response rules, and the operations they hold. */
export function configShape(cfg: Config) {
  const ops = (rs: Config["request"]) => rs.reduce((n, r) => n + r.ops.length, 0);
  return {
    rules: cfg.request.length + cfg.response.length,
    ops: ops(cfg.request) + ops(cfg.response),
    hostOp: cfg.request.some((r) => r.ops.some((o) => o.op === "host")),
    max: cfg.max_value_bytes ?? 8192,
  };
}
