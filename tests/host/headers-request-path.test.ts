// filters/headers through the host: query, path and host operations (filters/headers/README.md
// "Operations": query_*, path_prefix, path_regex, host; the canonical path; :path written once).
import { test } from "node:test";
import assert from "node:assert/strict";
import { one, reqOps, run } from "./headers-helpers.ts";

const path = async (cfg: object, p: string) => {
  const out = await run(cfg, { path: p, authority: "shop.example.com" });
  assert.equal(out.forwarded, true, `${p} is forwarded`);
  return { path: one(out.up, ":path"), out };
};

test("query_set: the first occurrence gets the value (position kept), the others go; appended when absent", async () => {
  const cfg = reqOps({ op: "query_set", param: "a", value: "9" });
  assert.equal((await path(cfg, "/p?a=1&b=2&a=3")).path, "/p?a=9&b=2");
  assert.equal((await path(cfg, "/p?b=2")).path, "/p?b=2&a=9");
  assert.equal((await path(cfg, "/p")).path, "/p?a=9");
});

test("query_add: param=value at the end, existing ones stay", async () => {
  const cfg = reqOps({ op: "query_add", param: "a", value: "3" });
  assert.equal((await path(cfg, "/p?a=1&b=2")).path, "/p?a=1&b=2&a=3");
  assert.equal((await path(cfg, "/p")).path, "/p?a=3");
});

test("query_remove: every occurrence; no '?' left when nothing remains", async () => {
  const cfg = reqOps({ op: "query_remove", param: "a" });
  assert.equal((await path(cfg, "/p?a=1&b=2&a=3&c=4")).path, "/p?b=2&c=4");
  assert.equal((await path(cfg, "/p?a=1&a=2")).path, "/p");
  assert.equal((await path(cfg, "/p?b=2")).path, "/p?b=2", "absent: the query is untouched");
});

test("query_rename: every occurrence renamed, values and positions kept", async () => {
  const cfg = reqOps({ op: "query_rename", param: "old", to: "new" });
  assert.equal((await path(cfg, "/p?old=1&b=2&old=3")).path, "/p?new=1&b=2&new=3");
});

test("an edited query is re-encoded ('+' → %20); an untouched query passes byte for byte", async () => {
  const edit = reqOps({ op: "query_set", param: "x", value: "a b/c" });
  assert.equal((await path(edit, "/p?q=a+b&x=1")).path, "/p?q=a%20b&x=a%20b%2Fc");
  const headerOnly = reqOps({ op: "set", header: "x-a", value: "1" });
  for (const raw of ["/p?q=a+b&z=%7e&&w", "/a/../b//c?q=a+b", "/p?"]) {
    const r = await path(headerOnly, raw);
    assert.equal(r.path, raw, `${raw}: no path/query operation, :path untouched`);
    assert.equal(one(r.out.up, "x-a"), "1");
  }
});

test("only the query changed: the original (non-canonical) path is kept, the query re-encoded", async () => {
  const cfg = reqOps({ op: "query_add", param: "y", value: "2" });
  assert.equal((await path(cfg, "/a//b/../c?x=1")).path, "/a//b/../c?x=1&y=2");
});

test("query values from templates are decoded from the request, then encoded again", async () => {
  const cfg = reqOps({ op: "query_set", param: "copy", value: "${query:q}" });
  assert.equal((await path(cfg, "/p?q=%41%20b%2B")).path, "/p?q=A%20b%2B&copy=A%20b%2B");
});

test("query values are checked like header values: a CR/LF from the request is not written", async () => {
  const cfg = reqOps({ op: "query_add", param: "q2", value: "${query:q}" }, { op: "query_set", param: "q3", value: "${query:q}" });
  const { path: p, out } = await path(cfg, "/p?q=a%0d%0ab");
  assert.equal(p, "/p?q=a%0d%0ab", "nothing written: the query passes byte for byte");
  assert.deepEqual(out.counts, { applied: 0, skipped: 0, rejected: 2 });
});

test("path_prefix: segment-aware replacement of the prefix; the query is kept", async () => {
  const cfg = reqOps({ op: "path_prefix", prefix: "/api/v1", to: "/v1" });
  assert.equal((await path(cfg, "/api/v1/users")).path, "/v1/users");
  assert.equal((await path(cfg, "/api/v1")).path, "/v1");
  assert.equal((await path(cfg, "/api/v1/users?x=1&y")).path, "/v1/users?x=1&y");
  const other = await path(cfg, "/api/v1x/users");
  assert.equal(other.path, "/api/v1x/users", "/api/v1x is not under /api/v1");
});

test("path_prefix: \"\" strips the prefix (leaving at least '/')", async () => {
  const cfg = reqOps({ op: "path_prefix", prefix: "/api", to: "" });
  assert.equal((await path(cfg, "/api/users")).path, "/users");
  assert.equal((await path(cfg, "/api")).path, "/");
  assert.equal((await path(cfg, "/api/")).path, "/");
});

test("path_prefix: a 'to' ending in '/' joins without a double slash", async () => {
  const cfg = reqOps({ op: "path_prefix", prefix: "/api", to: "/v2/" });
  assert.equal((await path(cfg, "/api/users")).path, "/v2/users");
  assert.equal((await path(cfg, "/api")).path, "/v2/");
});

test("path_regex: every match replaced, with captures; no match leaves the path", async () => {
  const cfg = reqOps({ op: "path_regex", regex: "^/users/([0-9]+)/profile$", with: "/profiles/$1" });
  assert.equal((await path(cfg, "/users/42/profile?x=1")).path, "/profiles/42?x=1");
  assert.equal((await path(cfg, "/users/abc/profile")).path, "/users/abc/profile");
  const named = reqOps({ op: "path_regex", regex: "/(?P<v>v[0-9])/", with: "/api-${v}/" });
  assert.equal((await path(named, "/x/v1/y/v2/z")).path, "/x/api-v1/y/api-v2/z");
});

test("path operations chain: each sees the path the previous one left; :path is written once", async () => {
  const cfg = { request: [
    { ops: [{ op: "path_prefix", prefix: "/a", to: "/b" }, { op: "path_prefix", prefix: "/b", to: "/c" }] },
    { ops: [{ op: "path_regex", regex: "^/c/(.*)$", with: "/d/$1" }, { op: "query_add", param: "k", value: "v" }] },
  ] };
  assert.equal((await path(cfg, "/a/x?q=1")).path, "/d/x?q=1&k=v");
});

test("path rewrites work on the canonical path: dot segments, double slashes, unreserved escapes", async () => {
  const cfg = reqOps({ op: "path_prefix", prefix: "/api", to: "/v2" });
  for (const raw of ["/api/../api/x", "//api/x", "/api//x", "/%61pi/x", "/api/%2e/x", "/other/%2e%2e/api/x", "/api/./x"]) {
    assert.equal((await path(cfg, raw)).path, "/v2/x", raw);
  }
  assert.equal((await path(cfg, "/api/../api/x?q=a+b")).path, "/v2/x?q=a+b", "an untouched query still passes byte for byte");
});

test("a path that cannot be canonicalised (raw control character, no leading '/') is not rewritten and counts a rejected write", async () => {
  const cfg = reqOps({ op: "path_prefix", prefix: "/api", to: "/v2" });
  for (const raw of ["/api/a\x01b", "api/x"]) {
    const { path: p, out } = await path(cfg, raw);
    assert.equal(p, raw, `${JSON.stringify(raw)} stays as it was`);
    assert.deepEqual(out.counts, { applied: 0, skipped: 0, rejected: 1 }, JSON.stringify(raw));
  }
});

// README "Path operations": "Escaped %2F, %5C and %00 are not separators: they stay encoded, in
// matching and in the rewritten path."
test("escaped %2F, %5C and %00 are not separators: they stay encoded in the rewritten path", async () => {
  const cfg = reqOps({ op: "path_prefix", prefix: "/api", to: "/v2" });
  for (const [raw, want] of [["/api/a%2Fb", "/v2/a%2Fb"], ["/api/a%5Cb", "/v2/a%5Cb"], ["/api/a%00b", "/v2/a%00b"], ["/api/a%2fb?x=1", /^\/v2\/a%2fb\?x=1$/i]] as const) {
    const { path: p, out } = await path(cfg, raw);
    if (typeof want === "string") assert.equal(p, want, raw);
    else assert.match(p!, want, raw);
    assert.deepEqual(out.counts, { applied: 1, skipped: 0, rejected: 0 }, raw);
  }
  const { path: p } = await path(cfg, "/api%2Fx");
  assert.equal(p, "/api%2Fx", "'/api%2Fx' is one segment, not under /api");
  const rx = await path(reqOps({ op: "path_regex", regex: "^/files/([^/]+)$", with: "/blobs/$1" }), "/files/a%2Fb");
  assert.equal(rx.path, "/blobs/a%2Fb", "the encoded slash is part of the segment the regex captured");
});

// (a "?", "#" or space in a path_regex's literal text, the only source of one in a rewritten path, is
// refused at configure time: headers-config-cases.ts)

// Envoy normalises the path once, before the filter chain (conn_manager_impl.cc, maybeNormalizePath),
// and re-routes a rewritten path as it is: a rewrite that produced a "." or ".." segment would hand
// the upstream a path that resolves somewhere the conditions (and the route) never saw.
test("a rewrite whose result is not canonical (a '.' or '..' segment, '//') is rejected; the request keeps its path", async () => {
  const cfg = reqOps({ op: "path_regex", regex: "^/old-(.*)$", with: "/new/$1" });
  for (const raw of ["/old-../admin", "/old-%2e%2e/admin", "/old-%2E./admin", "/old-./x", "/old-.."]) {
    const { path: p, out } = await path(cfg, raw);
    assert.equal(p, raw, `${raw}: not rewritten to a path with a dot segment`);
    assert.equal(out.counts.rejected, 1, `${raw}: counted as a rejected write`);
  }
  assert.equal((await path(cfg, "/old-a..b/c.")).path, "/new/a..b/c.", "dots inside a segment are not dot segments");
  // (a literal `to` with a dot segment is refused at configure time: headers-config-cases.ts)
  const slashes = await path(reqOps({ op: "path_regex", regex: "^/a(.*)$", with: "/b/$1" }), "/a/x");
  assert.equal(slashes.path, "/a/x", "a double slash the rewrite made is refused too (Envoy merged the path's own)");
  assert.equal(slashes.out.counts.rejected, 1);
  assert.equal(slashes.out.counts.applied, 0, "a rewrite whose :path is refused is counted as rejected only, not also as applied");
  // A refused rewrite does not take the query operations with it: a client that can make the rewrite
  // fail (here with "/a/x", whose rewrite "/b//x" is not canonical) must not also escape a query_remove.
  const both = reqOps({ op: "query_remove", param: "secret" }, { op: "path_regex", regex: "^/a(.*)$", with: "/b/$1" });
  const escaped = await path(both, "/a/x?secret=1&k=2");
  assert.equal(escaped.path, "/a/x?k=2", "the query edit goes out on the request's own path");
  assert.deepEqual(escaped.out.counts, { applied: 1, skipped: 0, rejected: 1 });
  assert.equal((await path(both, "/ax?secret=1&k=2")).path, "/b/x?k=2");
  const ok = await path(reqOps({ op: "path_prefix", prefix: "/a", to: "/b" }, { op: "query_set", param: "v", value: "1" }), "/a/x");
  assert.equal(ok.path, "/b/x?v=1");
  assert.deepEqual(ok.out.counts, { applied: 2, skipped: 0, rejected: 0 }, "path and query operations count once their :path is written");
});

// Envoy's HTTP/1 parser takes every visible ASCII character and HTAB/FF in the path and query
// (balsa_parser.cc isUrlValid): characters such as '|', '{' or '"' that an origin-form path may not
// carry raw must not make the filter skip a rewrite (a client could add "?|" to escape a path_prefix,
// or put '|' in the path to keep a parameter query_remove should drop): they are percent-encoded.
test("characters a URL may not carry raw, in the parts the filter passes on, are percent-encoded, not a reason to skip the rewrite", async () => {
  const prefix = reqOps({ op: "path_prefix", prefix: "/public", to: "/sandbox/public" });
  for (const [raw, want] of [
    ["/public/x?a=|", "/sandbox/public/x?a=%7C"], ["/public/x?q={\"a\":1}", "/sandbox/public/x?q=%7B%22a%22:1%7D"],
    ["/public/x?a=\tb", "/sandbox/public/x?a=%09b"], ["/public/x?q=\u00e9&r=^`<>\\", "/sandbox/public/x?q=%C3%A9&r=%5E%60%3C%3E%5C"],
    ["/public/a|b", "/sandbox/public/a%7Cb"], ["/public/x?a=1&b=%7C", "/sandbox/public/x?a=1&b=%7C"],
  ] as const) {
    const { path: p, out } = await path(prefix, raw);
    assert.equal(p, want, JSON.stringify(raw));
    assert.deepEqual(out.counts, { applied: 1, skipped: 0, rejected: 0 }, JSON.stringify(raw));
  }
  const drop = reqOps({ op: "query_remove", param: "debug" });
  for (const [raw, want] of [["/x|?debug=1", "/x%7C"], ["/x{y}?debug=1&a=2", "/x%7By%7D?a=2"]] as const) {
    const { path: p, out } = await path(drop, raw);
    assert.equal(p, want, raw);
    assert.deepEqual(out.counts, { applied: 1, skipped: 0, rejected: 0 }, raw);
  }
});

test("host: sets :authority (name or IP, optional port)", async () => {
  for (const value of ["backend.internal", "backend.internal:8080", "10.1.2.3:80", "[::1]:8443"]) {
    const out = await run(reqOps({ op: "host", value }), { path: "/", authority: "shop.example.com" });
    assert.equal(one(out.up, ":authority"), value);
    assert.deepEqual(out.counts, { applied: 1, skipped: 0, rejected: 0 });
  }
});

test("host: an invalid host is rejected and counted; the request goes on with its own host", async () => {
  // (a constant that is not a host is refused at configure time: headers-config-cases.ts)
  for (const h of ["bad host", "a/b", "user@host", "evil.com/path"]) {
    const value = "${header:x-h}";
    const out = await run(reqOps({ op: "host", value }), { path: "/", authority: "shop.example.com", headers: [["x-h", h]] });
    assert.equal(out.forwarded, true);
    assert.equal(one(out.up, ":authority"), "shop.example.com", h);
    assert.deepEqual(out.counts, { applied: 0, skipped: 0, rejected: 1 }, h);
  }
});

test("host from a template", async () => {
  const out = await run(reqOps({ op: "host", value: "${header:x-tenant|default}.backend.internal" }), { path: "/", headers: [["x-tenant", "acme"]] });
  assert.equal(one(out.up, ":authority"), "acme.backend.internal");
});
