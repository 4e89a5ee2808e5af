// filters/headers through the host: templates (every source, fallbacks, $$), owned headers, the safety
// checks, the order of operations, the metrics and the route cache (filters/headers/README.md
// "Templates", "Order of operations", "Safety", "Metrics", "Route cache and re-routing").
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError } from "../../host/index.ts";
import { all, hostFor, one, reqOps, run } from "./headers-helpers.ts";

const set = (header: string, value: string, extra: object = {}) => ({ op: "set", header, value, ...extra });

test("templates: header (first value), query (decoded), cookie", async () => {
  const cfg = reqOps(set("x-h", "${header:X-In}"), set("x-q", "${query:q}"), set("x-c", "${cookie:sid}"), set("x-c2", "${cookie:theme}"));
  const out = await run(cfg, {
    path: "/p?q=a%20b+c%2B&q=second",
    headers: [["x-in", "first"], ["x-in", "second"], ["cookie", "a=1; sid=xyz"], ["cookie", "theme=dark"]],
  });
  assert.equal(one(out.up, "x-h"), "first");
  assert.equal(one(out.up, "x-q"), "a b c+");
  assert.equal(one(out.up, "x-c"), "xyz");
  assert.equal(one(out.up, "x-c2"), "dark", "every cookie header is read");
});

test("templates: method, canonical path without the query, host lower-cased without port", async () => {
  const cfg = reqOps(set("x-m", "${method}"), set("x-p", "${path}"), set("x-host", "${host}"));
  const out = await run(cfg, { method: "PATCH", path: "/a/./b//c/../d?x=1", authority: "Shop.Example.COM:8443" });
  assert.equal(one(out.up, "x-m"), "PATCH");
  assert.equal(one(out.up, "x-p"), "/a/b/d");
  assert.equal(one(out.up, "x-host"), "shop.example.com");
});

test("templates: client_ip is the peer address without port when no hop is trusted", async () => {
  const cfg = reqOps(set("x-client-ip", "${client_ip}"));
  const out = await run(cfg, { path: "/", source: "10.0.0.7:51234", headers: [["x-forwarded-for", "1.1.1.1, 2.2.2.2"]] });
  assert.equal(one(out.up, "x-client-ip"), "10.0.0.7", "x-forwarded-for is client-controlled: ignored with trusted_hops 0");
  const v6 = await run(cfg, { path: "/", source: "[2001:db8::1]:443" });
  assert.equal(one(v6.up, "x-client-ip"), "2001:db8::1");
});

test("templates: client_ip with trusted_hops is the Nth x-forwarded-for address from the right", async () => {
  const headers: [string, string][] = [["x-forwarded-for", "9.9.9.9, 1.1.1.1,2.2.2.2"]];
  const ip = async (hops: number, h = headers) =>
    one((await run({ ...reqOps(set("x-client-ip", "${client_ip}")), trusted_hops: hops }, { path: "/", source: "10.0.0.7:1", headers: h })).up, "x-client-ip");
  assert.equal(await ip(1), "2.2.2.2");
  assert.equal(await ip(2), "1.1.1.1");
  assert.equal(await ip(3), "9.9.9.9");
  assert.equal(await ip(4), "10.0.0.7", "fewer entries than trusted hops: the peer");
  assert.equal(await ip(1, [["x-forwarded-for", "1.1.1.1, not-an-ip"]]), "10.0.0.7", "an invalid entry: the peer");
  assert.equal(await ip(1, []), "10.0.0.7", "no x-forwarded-for: the peer");
});

test("templates: request_id is x-request-id", async () => {
  const out = await run(reqOps(set("x-rid", "${request_id}")), { path: "/", headers: [["x-request-id", "req-123"]] });
  assert.equal(one(out.up, "x-rid"), "req-123");
});

test("templates: consumer and claims come from the auth filter's filter state (properties)", async () => {
  const cfg = reqOps(set("x-consumer", "${consumer}"), set("x-sub", "${claim:sub}"), set("x-org", "${claim:org.id}"));
  const out = await run(cfg, { path: "/", properties: { wasmgate_consumer: "alice", "wasmgate_claim.sub": "u1", "wasmgate_claim.org.id": "acme" } });
  assert.equal(one(out.up, "x-consumer"), "alice");
  assert.equal(one(out.up, "x-sub"), "u1");
  assert.equal(one(out.up, "x-org"), "acme");
});

test("templates: property reads a string Envoy property by dotted path", async () => {
  const cfg = reqOps(set("x-cluster", "${property:xds.cluster_name|none}"), set("x-plugin", "${property:plugin_name}"), set("x-src", "${property:source.address}"));
  const out = await run(cfg, { path: "/", source: "10.0.0.7:51234", properties: { "xds.cluster_name": "backend" } }, { name: "wasmgate.headers" });
  assert.equal(one(out.up, "x-cluster"), "backend");
  assert.equal(one(out.up, "x-plugin"), "wasmgate.headers");
  assert.equal(one(out.up, "x-src"), "10.0.0.7:51234");
  const none = await run(cfg, { path: "/" }, { name: "wasmgate.headers" });
  assert.equal(one(none.up, "x-cluster"), "none", "an absent property takes the fallback");
});

test("templates: ${x|fallback} when the source has no value (empty otherwise, and an empty value is not written); $$ is a literal $", async () => {
  const cfg = reqOps(
    set("x-a", "${header:x-missing|none}"),
    set("x-b", "${consumer|anonymous}"),
    set("x-c", "${claim:sub|}${query:missing}"),
    set("x-d", "price: $$${query:p|0}"),
    set("x-e", "u=${header:x-u};m=${method};c=${cookie:none|-}"),
  );
  const out = await run(cfg, { method: "GET", path: "/?p=5", headers: [["x-u", "bob"]] });
  assert.equal(one(out.up, "x-a"), "none");
  assert.equal(one(out.up, "x-b"), "anonymous");
  assert.equal(one(out.up, "x-c"), undefined, "no fallback and nothing else: the value is empty, so the header is not written (Envoy's keep_empty_value: false)");
  assert.equal(one(out.up, "x-d"), "price: $5");
  assert.equal(one(out.up, "x-e"), "u=bob;m=GET;c=-");
  const present = await run(cfg, { path: "/", headers: [["x-missing", "here"]], properties: { wasmgate_consumer: "alice" } });
  assert.equal(one(present.up, "x-a"), "here");
  assert.equal(one(present.up, "x-b"), "alice");
});

test("owned headers: a client copy of a templated header is stripped even when the rule's condition fails", async () => {
  const cfg = { request: [{ match: { path: { prefix: "/admin" } }, ops: [set("x-user", "${consumer}"), { op: "append", header: "x-roles", value: "${claim:roles}" }] }] };
  const out = await run(cfg, { path: "/public", headers: [["x-user", "root"], ["x-roles", "admin"]] });
  assert.deepEqual(all(out.up, "x-user"), [], "the client cannot smuggle x-user past the filter");
  assert.deepEqual(all(out.up, "x-roles"), []);
  assert.equal(out.counts.skipped, 1);
  const admin = await run(cfg, { path: "/admin/x", headers: [["x-user", "root"], ["x-roles", "admin"]], properties: { wasmgate_consumer: "alice", "wasmgate_claim.roles": "viewer" } });
  assert.deepEqual(all(admin.up, "x-user"), ["alice"]);
  assert.deepEqual(all(admin.up, "x-roles"), ["viewer"], "append after stripping: only ours");
});

test("owned headers: set_if_absent from a template does not see the client's copy", async () => {
  const out = await run(reqOps({ op: "set_if_absent", header: "x-tenant", value: "${claim:org|public}" }), { path: "/", headers: [["x-tenant", "evil"]] });
  assert.deepEqual(all(out.up, "x-tenant"), ["public"]);
});

test("owned headers: \"inbound\": \"keep\" keeps the client's copy; a literal value keeps it by default", async () => {
  const cfg = { request: [{ match: { path: { prefix: "/never" } }, ops: [
    set("x-keep", "${consumer}", { inbound: "keep" }),
    set("x-literal", "fixed"),
    { op: "append", header: "x-literal2", value: "also $$fixed" },
  ] }] };
  const out = await run(cfg, { path: "/", headers: [["x-keep", "client"], ["x-literal", "client"], ["x-literal2", "client"]] });
  assert.deepEqual(all(out.up, "x-keep"), ["client"]);
  assert.deepEqual(all(out.up, "x-literal"), ["client"]);
  assert.deepEqual(all(out.up, "x-literal2"), ["client"]);
});

test("owned headers: a literal value with \"inbound\": \"strip\" owns its header too", async () => {
  const cfg = { request: [{ match: { path: { prefix: "/internal" } }, ops: [set("x-internal", "1", { inbound: "strip" }), set("x-env", "prod", { inbound: "keep" })] }] };
  const out = await run(cfg, { path: "/public", headers: [["x-internal", "1"], ["x-env", "client"]] });
  assert.deepEqual(all(out.up, "x-internal"), [], "stripped although the rule's condition failed");
  assert.deepEqual(all(out.up, "x-env"), ["client"]);
  const inside = await run(cfg, { path: "/internal/x", headers: [["x-internal", "forged"]] });
  assert.deepEqual(all(inside.up, "x-internal"), ["1"]);
  assert.deepEqual(all(inside.up, "x-env"), ["prod"]);
});

test("owned headers: templates and conditions see the request after stripping", async () => {
  const cfg = { request: [
    { ops: [set("x-user", "${consumer|anonymous}"), set("x-seen", "${header:x-user|stripped}")] },
    { match: { headers: { "x-user": { present: true } } }, ops: [set("x-cond", "held")] },
  ] };
  const out = await run(cfg, { path: "/", headers: [["x-user", "root"]] });
  assert.equal(one(out.up, "x-user"), "anonymous");
  assert.equal(one(out.up, "x-seen"), "stripped");
  assert.equal(one(out.up, "x-cond"), undefined);
  assert.equal(out.counts.skipped, 1);
});

test("safety: a CR/LF from a percent-decoded query parameter is not written; counted; request forwarded", async () => {
  const cfg = reqOps(set("x-q", "${query:q}"), set("x-ok", "yes"));
  const out = await run(cfg, { path: "/p?q=a%0d%0aX-Evil:%201" });
  assert.equal(out.forwarded, true);
  assert.deepEqual(all(out.up, "x-q"), []);
  assert.deepEqual(all(out.up, "x-evil"), []);
  assert.equal(one(out.up, "x-ok"), "yes", "the other writes go on");
  assert.deepEqual(out.counts, { applied: 1, skipped: 0, rejected: 1 });
  for (const bad of ["a%0ab", "a%0db", "a%00b", "a%7fb", "a%1bb"]) {
    const r = await run(cfg, { path: `/p?q=${bad}` });
    assert.deepEqual(all(r.up, "x-q"), [], bad);
    assert.equal(r.counts.rejected, 1, bad);
  }
  const tab = await run(cfg, { path: "/p?q=a%09b" });
  assert.equal(one(tab.up, "x-q"), "a\tb", "HTAB is allowed");
});

test("safety: a claim with CR/LF is not written", async () => {
  const out = await run(reqOps(set("x-sub", "${claim:sub}")), { path: "/", headers: [["x-sub", "client"]], properties: { "wasmgate_claim.sub": "u1\r\nx-admin: 1" } });
  assert.equal(out.forwarded, true);
  assert.deepEqual(all(out.up, "x-sub"), [], "not written (and the client's copy was stripped)");
  assert.deepEqual(all(out.up, "x-admin"), []);
  assert.equal(out.counts.rejected, 1);
});

test("safety: a value longer than max_value_bytes (UTF-8 bytes) is not written", async () => {
  const cfg = { ...reqOps(set("x-v", "${header:x-in}")), max_value_bytes: 16 };
  const at = await run(cfg, { path: "/", headers: [["x-in", "x".repeat(16)]] });
  assert.equal(one(at.up, "x-v"), "x".repeat(16));
  const over = await run(cfg, { path: "/", headers: [["x-in", "x".repeat(17)]] });
  assert.deepEqual(all(over.up, "x-v"), []);
  assert.deepEqual(over.counts, { applied: 0, skipped: 0, rejected: 1 });
  const utf8 = await run(cfg, { path: "/", headers: [["x-in", "é".repeat(9)]] });
  assert.deepEqual(all(utf8.up, "x-v"), [], "9 characters but 18 bytes");
  const utf8ok = await run(cfg, { path: "/", headers: [["x-in", "é".repeat(8)]] });
  assert.equal(one(utf8ok.up, "x-v"), "é".repeat(8));
});

test("safety: a replace whose result is too long is not written", async () => {
  const cfg = { ...reqOps({ op: "replace", header: "x-v", regex: "a", with: "aaaa" }), max_value_bytes: 10 };
  const out = await run(cfg, { path: "/", headers: [["x-v", "aaa"]] });
  assert.deepEqual(all(out.up, "x-v"), ["aaa"], "left as it was");
  assert.equal(out.counts.rejected, 1);
});

test("order: two rules setting the same header — the later one wins", async () => {
  const cfg = { request: [
    { name: "general", ops: [set("cache-control", "no-store")] },
    { name: "specific", match: { path: { prefix: "/static" } }, ops: [set("cache-control", "public")] },
  ] };
  assert.equal(one((await run(cfg, { path: "/static/a.css" })).up, "cache-control"), "public");
  assert.equal(one((await run(cfg, { path: "/api" })).up, "cache-control"), "no-store");
});

test("order: a rename followed by a set of the old name", async () => {
  const out = await run(reqOps({ op: "rename", header: "x-a", to: "x-b" }, set("x-a", "new")), { path: "/", headers: [["x-a", "old"]] });
  assert.deepEqual(all(out.up, "x-b"), ["old"]);
  assert.deepEqual(all(out.up, "x-a"), ["new"]);
});

test("order: operations see earlier writes; templates and conditions see the request as it arrived", async () => {
  const cfg = { request: [
    { ops: [set("x-a", "changed"), set("x-from-template", "${header:x-a}"), { op: "copy", header: "x-a", to: "x-copied" }] },
    { match: { headers: { "x-a": "changed" } }, ops: [set("x-cond-new", "1")] },
    { match: { headers: { "x-a": "original" } }, ops: [set("x-cond-old", "1")] },
  ] };
  const out = await run(cfg, { path: "/", headers: [["x-a", "original"]] });
  assert.equal(one(out.up, "x-a"), "changed");
  assert.equal(one(out.up, "x-from-template"), "original", "the template reads the request as it arrived");
  assert.equal(one(out.up, "x-copied"), "changed", "copy reads the headers as the previous op left them");
  assert.equal(one(out.up, "x-cond-new"), undefined);
  assert.equal(one(out.up, "x-cond-old"), "1");
});

test("order: a path template reads the original path, not the rewritten one", async () => {
  const out = await run(reqOps({ op: "path_prefix", prefix: "/api", to: "/v2" }, set("x-original-path", "${path}")), { path: "/api/x" });
  assert.equal(one(out.up, ":path"), "/v2/x");
  assert.equal(one(out.up, "x-original-path"), "/api/x");
});

test("metrics: ops_applied, rules_skipped and writes_rejected for a known config and request", async () => {
  const cfg = { request: [
    { match: { path: { prefix: "/nope" } }, ops: [set("x-never", "1"), set("x-never2", "2")] },
    { match: { methods: ["GET"] }, ops: [set("x-a", "1"), set("x-q", "${query:q}"), { op: "remove", header: "x-b" }, { op: "host", value: "${header:x-h}" }] },
    { match: { methods: ["POST"] }, ops: [set("x-post", "1")] },
    { ops: [{ op: "query_add", param: "k", value: "v" }] },
  ] };
  const out = await run(cfg, { method: "GET", path: "/p?q=%0a", headers: [["x-b", "1"], ["x-h", "bad host"]] });
  assert.deepEqual(out.counts, { applied: 3, skipped: 2, rejected: 2 });
  const again = await run(cfg, { method: "GET", path: "/p?q=fine" });
  assert.deepEqual(again.counts, { applied: 4, skipped: 2, rejected: 1 }, "counters add up per request");
});

// README "Route cache and re-routing": Envoy clears the route cache after every change an ABI 0.2.1
// filter makes to the request headers, on every version; there is no setting for it.
for (const envoyVersion of ["1.32", "1.36"]) {
  test(`route cache, Envoy ${envoyVersion}: a path, host or header rewrite clears it`, async () => {
    for (const op of [
      { op: "path_prefix", prefix: "/api/v1", to: "/v1" }, { op: "query_set", param: "v", value: "1" },
      { op: "host", value: "backend.internal" }, set("x-a", "1"), { op: "remove", header: "x-b" },
    ]) {
      const out = await run(reqOps(op), { path: "/api/v1/users", headers: [["x-b", "1"]] }, { envoyVersion });
      assert.ok(out.routeCacheCleared >= 1, `${JSON.stringify(op)}: cleared ${out.routeCacheCleared} times`);
    }
    const rewritten = await run(reqOps({ op: "path_prefix", prefix: "/api/v1", to: "/v1" }), { path: "/api/v1/users" }, { envoyVersion });
    assert.equal(one(rewritten.up, ":path"), "/v1/users");
  });

  test(`route cache, Envoy ${envoyVersion}: a request the rules leave unchanged keeps its route`, async () => {
    const cfg = { request: [
      { match: { path: { prefix: "/admin" } }, ops: [set("x-a", "1")] },
      { ops: [{ op: "path_prefix", prefix: "/api/v1", to: "/v1" }] },
    ], response: [{ ops: [set("x-resp", "${path}")] }] };
    const out = await run(cfg, { path: "/web/x" }, { envoyVersion });
    assert.equal(one(out.up, ":path"), "/web/x");
    assert.equal(one(out.down, "x-resp"), "/web/x");
    assert.equal(out.routeCacheCleared, 0, "nothing written to the request headers (response writes never clear it)");
  });
}

test("route cache: there is no clear_route_cache setting any more (unknown field)", () => {
  assert.throws(() => hostFor({ ...reqOps(set("x-a", "1")), clear_route_cache: true }), (e: unknown) => {
    assert.ok(e instanceof ConfigError, String(e));
    const lines = ((e as { logs?: { line: string }[] }).logs ?? []).map((l) => l.line).filter((l) => l.includes("headers: config"));
    assert.deepEqual(lines.map((l) => l.replace(/^.*?headers: /, "headers: ")), ["headers: config.clear_route_cache: unknown field"]);
    return true;
  });
});
