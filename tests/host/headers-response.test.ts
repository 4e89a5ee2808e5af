// filters/headers through the host: response rules (filters/headers/README.md): the operations allowed
// on responses, status and response_headers conditions, request conditions and templates captured in
// the request phase, local replies, and the README's response example.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ConfigError, createHost, type RequestSpec } from "../../host/index.ts";
import { HEADERS_MODULE, all, names, one, respOps, run } from "./headers-helpers.ts";

type Pairs = [string, string][];
const upstream = (headers: Pairs, status = 200, body?: string): RequestSpec["response"] => ({ status, headers, ...(body ? { body } : {}) });

test("response set / append / set_if_absent", async () => {
  const cfg = respOps(
    { op: "set", header: "x-a", value: "new" },
    { op: "append", header: "x-b", value: "2" },
    { op: "set_if_absent", header: "x-c", value: "ours" },
    { op: "set_if_absent", header: "x-d", value: "ours" },
  );
  const out = await run(cfg, { path: "/", response: upstream([["x-a", "1"], ["x-a", "2"], ["x-b", "1"], ["x-c", "theirs"]]) });
  assert.deepEqual(all(out.down, "x-a"), ["new"]);
  assert.deepEqual(all(out.down, "x-b"), ["1", "2"]);
  assert.deepEqual(all(out.down, "x-c"), ["theirs"]);
  assert.deepEqual(all(out.down, "x-d"), ["ours"]);
  assert.equal(out.response.status, 200);
  assert.deepEqual(out.counts, { applied: 4, skipped: 0, rejected: 0 });
});

test("response remove by name and by pattern (never :status or content-length)", async () => {
  const cfg = respOps({ op: "remove", header: "server" }, { op: "remove", match: { prefix: "x-envoy-" } }, { op: "remove", match: { regex: ".*" } });
  const out = await run(cfg, { path: "/", response: upstream([["server", "envoy"], ["x-envoy-upstream-service-time", "3"], ["x-app", "1"], ["content-type", "text/plain"]], 201, "hello") });
  assert.equal(out.response.status, 201);
  assert.deepEqual(names(out.down), [":status", "content-length"]);
  assert.equal(out.response.body, "hello");
  const byName = await run(respOps({ op: "remove", header: "server" }), { path: "/", response: upstream([["server", "envoy"], ["x-app", "1"]]) });
  assert.deepEqual(names(byName.down), [":status", "x-app"]);
});

test("response rename / copy with multi-values, with and without overwrite", async () => {
  const hs: Pairs = [["x-old", "1"], ["x-old", "2"], ["x-new", "n"]];
  const ren = await run(respOps({ op: "rename", header: "x-old", to: "x-new" }), { path: "/", response: upstream(hs) });
  assert.deepEqual([all(ren.down, "x-old"), all(ren.down, "x-new")], [[], ["n", "1", "2"]]);
  const renOver = await run(respOps({ op: "rename", header: "x-old", to: "x-new", overwrite: true }), { path: "/", response: upstream(hs) });
  assert.deepEqual([all(renOver.down, "x-old"), all(renOver.down, "x-new")], [[], ["1", "2"]]);
  const cp = await run(respOps({ op: "copy", header: "x-old", to: "x-new" }), { path: "/", response: upstream(hs) });
  assert.deepEqual([all(cp.down, "x-old"), all(cp.down, "x-new")], [["1", "2"], ["n", "1", "2"]]);
  const cpOver = await run(respOps({ op: "copy", header: "x-old", to: "x-new", overwrite: true }), { path: "/", response: upstream(hs) });
  assert.deepEqual([all(cpOver.down, "x-old"), all(cpOver.down, "x-new")], [["1", "2"], ["1", "2"]]);
});

test("response replace (captures, every entry) and dedupe (split)", async () => {
  const cfg = respOps(
    { op: "replace", header: "set-cookie", regex: "; *[Ss]ecure", with: "" },
    { op: "replace", header: "location", regex: "^http://internal(?P<rest>/.*)$", with: "https://shop.example.com${rest}" },
    { op: "dedupe", header: "vary", split: true },
  );
  const out = await run(cfg, { path: "/", response: upstream([
    ["set-cookie", "a=1; Secure"], ["set-cookie", "b=2; HttpOnly; secure"], ["location", "http://internal/next?x=1"],
    ["vary", "accept, accept-encoding"], ["vary", "accept"],
  ], 302) });
  assert.deepEqual(all(out.down, "set-cookie"), ["a=1", "b=2; HttpOnly"]);
  assert.deepEqual(all(out.down, "location"), ["https://shop.example.com/next?x=1"]);
  assert.deepEqual(all(out.down, "vary"), ["accept", "accept-encoding"]);
});

test("request-only operations are refused in response rules at configure time, naming the field", () => {
  for (const op of [
    { op: "query_set", param: "a", value: "1" }, { op: "query_add", param: "a", value: "1" }, { op: "query_remove", param: "a" },
    { op: "query_rename", param: "a", to: "b" }, { op: "path_prefix", prefix: "/a", to: "/b" },
    { op: "path_regex", regex: "a", with: "b" }, { op: "host", value: "x" },
  ]) {
    assert.throws(() => createHost({ module: HEADERS_MODULE, config: respOps(op) }), (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      const lines = ((e as { logs?: { line: string }[] }).logs ?? []).map((l) => l.line).filter((l) => l.includes("headers: config"));
      assert.equal(lines.length, 1, lines.join(" | "));
      assert.match(lines[0], new RegExp(`headers: config\\.response\\[0\\]\\.ops\\[0\\]\\.op: '${op.op}' is only allowed in request rules`));
      return true;
    });
  }
});

test("status condition: exact statuses and classes", async () => {
  const cfg = { response: [
    { match: { status: [404] }, ops: [{ op: "set", header: "x-404", value: "1" }] },
    { match: { status: ["5xx"] }, ops: [{ op: "set", header: "retry-after", value: "5" }] },
    { match: { status: [200, "3xx"] }, ops: [{ op: "set", header: "x-ok-or-redirect", value: "1" }] },
  ] };
  const at = async (status: number) => {
    const out = await run(cfg, { path: "/", response: upstream([], status) });
    assert.equal(out.response.status, status);
    return { hits: ["x-404", "retry-after", "x-ok-or-redirect"].filter((h) => one(out.down, h) !== undefined), counts: out.counts };
  };
  assert.deepEqual(await at(404), { hits: ["x-404"], counts: { applied: 1, skipped: 2, rejected: 0 } });
  assert.deepEqual((await at(503)).hits, ["retry-after"]);
  assert.deepEqual((await at(500)).hits, ["retry-after"]);
  assert.deepEqual((await at(599)).hits, ["retry-after"]);
  assert.deepEqual((await at(200)).hits, ["x-ok-or-redirect"]);
  assert.deepEqual((await at(301)).hits, ["x-ok-or-redirect"]);
  assert.deepEqual(await at(201), { hits: [], counts: { applied: 0, skipped: 3, rejected: 0 } });
  assert.deepEqual((await at(403)).hits, []);
});

test("response_headers condition: string matchers on the response headers", async () => {
  const cfg = { response: [
    { match: { response_headers: { "Content-Type": { prefix: "application/json" } } }, ops: [{ op: "set", header: "x-json", value: "1" }] },
    { match: { response_headers: { "cache-control": { absent: true } } }, ops: [{ op: "set", header: "cache-control", value: "no-store" }] },
    { match: { response_headers: { "x-app": { exact: "A", ignore_case: true, invert: true } } }, ops: [{ op: "set", header: "x-not-a", value: "1" }] },
  ] };
  const a = await run(cfg, { path: "/", response: upstream([["content-type", "application/json; charset=utf-8"], ["x-app", "a"]]) });
  assert.equal(one(a.down, "x-json"), "1");
  assert.equal(one(a.down, "cache-control"), "no-store");
  assert.equal(one(a.down, "x-not-a"), undefined);
  const b = await run(cfg, { path: "/", response: upstream([["content-type", "text/html"], ["cache-control", "public"], ["x-app", "b"]]) });
  assert.equal(one(b.down, "x-json"), undefined);
  assert.equal(one(b.down, "cache-control"), "public");
  assert.equal(one(b.down, "x-not-a"), "1");
});

test("response_headers condition: a repeated response header is its values joined with ','", async () => {
  const cfg = { response: [{ match: { response_headers: { "x-app": "a" } }, ops: [{ op: "set", header: "x-only-a", value: "1" }] }] };
  const two = await run(cfg, { path: "/", response: upstream([["x-app", "a"], ["x-app", "b"]]) });
  assert.equal(one(two.down, "x-only-a"), undefined, "'a,b' is not 'a'");
  assert.equal(one((await run(cfg, { path: "/", response: upstream([["x-app", "a"]]) })).down, "x-only-a"), "1");
});

test("status and request conditions together", async () => {
  const cfg = { response: [{ match: { path: { prefix: "/static" }, status: ["2xx"] }, ops: [{ op: "set", header: "cache-control", value: "public, max-age=86400" }] }] };
  assert.equal(one((await run(cfg, { path: "/static/a.css", response: upstream([]) })).down, "cache-control"), "public, max-age=86400");
  assert.equal(one((await run(cfg, { path: "/static/a.css", response: upstream([], 404) })).down, "cache-control"), undefined);
  assert.equal(one((await run(cfg, { path: "/api", response: upstream([]) })).down, "cache-control"), undefined);
});

test("a response rule conditioned on the request writes a request header's value, captured in the request phase", async () => {
  const cfg = { response: [{ match: { path: { prefix: "/api" }, headers: { "x-req": { present: true } } }, ops: [{ op: "set", header: "x-echo", value: "${header:x-req}" }] }] };
  const out = await run(cfg, { path: "/api/items", headers: [["x-req", "r-42"]], response: upstream([["x-echo", "upstream"]]) });
  assert.deepEqual(all(out.down, "x-echo"), ["r-42"], "the request headers are gone by the response phase; the value was captured");
  assert.deepEqual(all(out.up, "x-req"), ["r-42"], "a response rule does not own (strip) the request header");
  assert.deepEqual(out.counts, { applied: 1, skipped: 0, rejected: 0 });
  const other = await run(cfg, { path: "/web", headers: [["x-req", "r-42"]], response: upstream([["x-echo", "upstream"]]) });
  assert.deepEqual(all(other.down, "x-echo"), ["upstream"], "request condition failed: the rule is skipped");
  assert.deepEqual(other.counts, { applied: 0, skipped: 1, rejected: 0 });
});

test("response templates: path, query, method, host, consumer, claim, request_id, client_ip, fallbacks", async () => {
  const cfg = { response: [{ ops: [
    { op: "set", header: "x-path", value: "${method} ${host}${path}" },
    { op: "set", header: "x-q", value: "${query:q|-}" },
    { op: "set", header: "x-who", value: "${consumer|anonymous}/${claim:sub|none}" },
    { op: "set", header: "x-request-id", value: "${request_id}" },
    { op: "set", header: "x-client-ip", value: "${client_ip}" },
  ] }] };
  const out = await run(cfg, {
    method: "POST", path: "/a/../b?q=x+y", authority: "Shop:8080", source: "10.0.0.7:1",
    headers: [["x-request-id", "rid-1"]], properties: { wasmgate_consumer: "alice", "wasmgate_claim.sub": "u1" },
  });
  assert.equal(one(out.down, "x-path"), "POST shop/b");
  assert.equal(one(out.down, "x-q"), "x y");
  assert.equal(one(out.down, "x-who"), "alice/u1");
  assert.equal(one(out.down, "x-request-id"), "rid-1");
  assert.equal(one(out.down, "x-client-ip"), "10.0.0.7");
  const anon = await run(cfg, { path: "/" });
  assert.equal(one(anon.down, "x-who"), "anonymous/none");
  assert.equal(one(anon.down, "x-q"), "-");
  assert.equal(one(anon.down, "x-request-id"), one(anon.up, "x-request-id"), "the id Envoy generated for the request");
});

test("response rules see the request as it arrived, not as request rules changed it", async () => {
  const cfg = {
    request: [{ ops: [{ op: "set", header: "x-req", value: "changed" }, { op: "path_prefix", prefix: "/api", to: "/v2" }] }],
    response: [{ match: { path: { prefix: "/api" } }, ops: [{ op: "set", header: "x-echo", value: "${header:x-req}@${path}" }] }],
  };
  const out = await run(cfg, { path: "/api/x", headers: [["x-req", "original"]] });
  assert.equal(one(out.up, ":path"), "/v2/x");
  assert.equal(one(out.up, "x-req"), "changed");
  assert.equal(one(out.down, "x-echo"), "original@/api/x");
});

test("response safety: a captured value with CR/LF is not written; counted", async () => {
  const cfg = respOps({ op: "set", header: "x-q", value: "${query:q}" }, { op: "set", header: "x-ok", value: "1" });
  const out = await run(cfg, { path: "/?q=a%0d%0aset-cookie:%20x=1", response: upstream([["set-cookie", "real=1"]]) });
  assert.equal(out.response.status, 200);
  assert.deepEqual(all(out.down, "x-q"), []);
  assert.deepEqual(all(out.down, "set-cookie"), ["real=1"]);
  assert.equal(one(out.down, "x-ok"), "1");
  assert.deepEqual(out.counts, { applied: 1, skipped: 0, rejected: 1 });
});

test("response writes are checked against max_value_bytes", async () => {
  const cfg = { ...respOps({ op: "set", header: "x-v", value: "${header:x-in}" }), max_value_bytes: 8 };
  const out = await run(cfg, { path: "/", headers: [["x-in", "123456789"]] });
  assert.deepEqual(all(out.down, "x-v"), []);
  assert.equal(out.counts.rejected, 1);
});

test("the README's response example (server removed, request id, static caching, retry-after)", async () => {
  const cfg = { response: [
    { ops: [{ op: "remove", header: "server" }, { op: "set", header: "x-request-id", value: "${request_id}" }] },
    { match: { path: { prefix: "/static" }, status: ["2xx"] }, ops: [{ op: "set", header: "cache-control", value: "public, max-age=86400" }] },
    { match: { status: ["5xx"] }, ops: [{ op: "set", header: "retry-after", value: "5" }] },
  ] };
  const ok = await run(cfg, { path: "/static/app.js", headers: [["x-request-id", "abc"]], response: upstream([["server", "nginx"]]) });
  assert.equal(one(ok.down, "server"), undefined);
  assert.equal(one(ok.down, "x-request-id"), "abc");
  assert.equal(one(ok.down, "cache-control"), "public, max-age=86400");
  assert.equal(one(ok.down, "retry-after"), undefined);
  assert.deepEqual(ok.counts, { applied: 3, skipped: 1, rejected: 0 });
  const down = await run(cfg, { path: "/static/app.js", response: upstream([["server", "nginx"]], 503) });
  assert.equal(one(down.down, "cache-control"), undefined);
  assert.equal(one(down.down, "retry-after"), "5");
});

const CUSTOM = fileURLToPath(new URL("../../build/custom-filter.wasm", import.meta.url));

test("a local reply from a later filter gets the response rules (their request conditions held)", { skip: existsSync(CUSTOM) ? false : "build/custom-filter.wasm missing" }, async (t) => {
  const h = createHost({ filters: [
    { module: HEADERS_MODULE, config: { response: [
      { match: { path: { prefix: "/admin" } }, ops: [{ op: "set", header: "x-denied-path", value: "${path}" }] },
      { match: { status: ["4xx"] }, ops: [{ op: "set", header: "cache-control", value: "no-store" }] },
    ] } },
    { module: CUSTOM, config: { deny: ["/admin"] } },
  ] });
  t.after(() => h.close());
  const out = await h.request({ path: "/admin/users" });
  assert.equal(out.forwarded, false);
  assert.equal(out.localReply, true);
  assert.equal(out.response.status, 403);
  assert.equal(one(out.response.headers, "x-denied-path"), "/admin/users");
  assert.equal(one(out.response.headers, "cache-control"), "no-store");
});

// A local reply from an EARLIER filter: Envoy's FilterManager does run every encoder filter for it
// (sendLocalReplyViaFilterChain → encodeHeaders(nullptr, …) → commonEncodePrefix returns
// encoder_filters_.begin(), source/common/http/filter_manager.cc), so this filter's encodeHeaders is
// called although its decodeHeaders never was. But the Wasm filter is Common::Wasm::Context, whose
// encodeHeaders/encodeData/encodeTrailers return Continue at once while !in_vm_context_created_
// (source/extensions/common/wasm/context.cc; the flag is set only by ContextBase::onCreate, which
// decodeHeaders calls, proxy-wasm-cpp-host src/context.cc): on_response_headers never runs, so no
// response rule runs — not even one without conditions — and none is counted. Context::log then
// creates the context (onCreate) for on_log, and onDestroy gives on_done and on_delete.
test("a local reply from an earlier filter reaches none of this filter's response rules (no context: Envoy skips its encoder callbacks)", { skip: existsSync(CUSTOM) ? false : "build/custom-filter.wasm missing" }, async (t) => {
  const h = createHost({ filters: [
    { module: CUSTOM, config: { deny: ["/admin"] } },
    { module: HEADERS_MODULE, config: { response: [
      { ops: [{ op: "set", header: "x-always", value: "1" }] },
      { match: { path: { prefix: "/admin" } }, ops: [{ op: "set", header: "x-denied-path", value: "${path}" }] },
      { match: { status: ["4xx"] }, ops: [{ op: "set", header: "cache-control", value: "no-store" }] },
    ] } },
  ] });
  t.after(() => h.close());
  const out = await h.request({ path: "/admin/users" });
  assert.equal(out.forwarded, false);
  assert.equal(out.localReply, true);
  assert.equal(out.response.status, 403);
  assert.equal(one(out.response.headers, "x-always"), undefined, "on_response_headers did not run");
  assert.equal(one(out.response.headers, "x-denied-path"), undefined);
  assert.equal(one(out.response.headers, "cache-control"), undefined);
  const m = out.metrics as Record<string, number>;
  for (const k of ["ops_applied", "rules_skipped", "writes_rejected"]) assert.equal(m[`wasmgate.headers.${k}`] ?? 0, 0, k);
  // The same filter after the one that denies, once it has seen the request, does run them.
  const ok = await h.request({ path: "/ok" });
  assert.equal(one(ok.response.headers, "x-always"), "1");
});
