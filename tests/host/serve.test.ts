// `wasmgate serve` (host/serve): the local gateway run from an Envoy bootstrap. The shared scenarios
// (tests/scenarios/headers.json) go through it with the shipped envoy/envoy.yaml — the bootstrap the
// Envoy suite runs — over real HTTP to the built-in echo upstream, so a developer's `serve` session
// shows what Envoy would. Then the router's part (virtual hosts, route matching, rewrites, header
// mutations, direct responses, 404/503/504, server and date), and the refusals at start.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer, request, type Server } from "node:http";
import { connect } from "node:net";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { startGateway, StartError, type Gateway } from "../../host/serve/gateway.ts";
import { replaceAll } from "../../host/serve/routes.ts";
import { startEcho, type Echo } from "../../host/serve/echo.ts";
import { checkScenario, loadScenarios } from "../scenarios/scenarios.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "wasmgate-serve-"));
const MAP: [string, string][] = [["/etc/envoy/wasm", join(ROOT, "build")]];

let echo: Echo;
let shipped: Gateway;
before(async () => {
  echo = await startEcho();
  shipped = await startGateway(join(ROOT, "envoy/envoy.yaml"), { map: MAP, fallbackUpstream: echo.target, address: "127.0.0.1", anyPort: true });
});
after(async () => { await shipped?.close(); await echo?.close(); });

const portOf = (g: Gateway, kind: "http" | "admin" = "http") => g.listening.find((l) => l.kind === kind)!.port;

interface Sent { status: number; headers: Headers; body: string; echoed: { method: string; path: string; headers: Record<string, string[]> } | null }
/** One request over HTTP/1.1 (node:http, so that Host can be set as a client would). */
function send(port: number, path: string, headers: Record<string, string> = {}, init: { method?: string } = {}): Promise<Sent> {
  return sendRaw(port, path, headers, init.method ?? "GET");
}
function sendRaw(port: number, path: string, headers: Record<string, string | string[]> = {}, method = "GET", body?: string): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const rq = request({ host: "127.0.0.1", port, path, method, headers, timeout: 10_000 }, (rs) => {
      const chunks: Buffer[] = [];
      rs.on("data", (c: Buffer) => chunks.push(c));
      rs.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const h = new Headers();
        for (let i = 0; i < rs.rawHeaders.length; i += 2) h.append(rs.rawHeaders[i], rs.rawHeaders[i + 1]);
        let echoed = null;
        try { echoed = h.get("content-type") === "application/json" ? JSON.parse(body) : null; } catch { /* not the echo */ }
        resolve({ status: rs.statusCode ?? 0, headers: h, body, echoed });
      });
    });
    rq.on("timeout", () => rq.destroy(new Error("timeout")));
    rq.on("error", reject);
    rq.end(body);
  });
}
async function counter(g: Gateway, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${portOf(g, "admin")}/stats`)).text();
  return Number(new RegExp(`^wasmcustom\\.${name.replace(/\./g, "\\.")}: (\\d+)$`, "m").exec(text)?.[1] ?? 0);
}

const SCENARIOS = loadScenarios(fileURLToPath(new URL("../scenarios/headers.json", import.meta.url)));
for (const sc of SCENARIOS.cases) {
  test(`scenario (serve, envoy/envoy.yaml): ${sc.name}`, async () => {
    const names = Object.keys(sc.expect.metrics ?? {});
    const start = await Promise.all(names.map((n) => counter(shipped, n)));
    const e = await send(portOf(shipped), sc.request.path, Object.fromEntries(sc.request.headers), { method: sc.request.method });
    const moved: Record<string, number> = {};
    for (const [i, n] of names.entries()) moved[n] = (await counter(shipped, n)) - start[i];
    checkScenario(sc, {
      status: e.status,
      upstream: e.echoed ? (name) => e.echoed!.headers[name] : undefined,
      response: (name) => e.headers.get(name),
      metric: (name) => moved[name],
    });
  });
}

test("serve re-routes after the filter's path rewrite, as Envoy does: the /v1/ route, its prefix_rewrite and its header", async () => {
  const e = await send(portOf(shipped), "/api/v1/orders?expand=items");
  assert.equal(e.status, 200);
  assert.equal(e.echoed!.path, "/anything/v1/orders?expand=items&api-version=1");
  assert.deepEqual(e.echoed!.headers["x-route"], ["v1"]);
  assert.deepEqual(e.echoed!.headers["x-envoy-expected-rq-timeout-ms"], ["15000"], "the router's header");
  assert.deepEqual(e.echoed!.headers["x-envoy-original-path"], ["/v1/orders?expand=items&api-version=1"], "the path before the route's prefix_rewrite (after the filter's)");
  assert.match(e.echoed!.headers["x-request-id"][0], /^[0-9a-f-]{36}$/, "the connection manager's request id");
  assert.equal(e.headers.get("server"), "envoy", "the connection manager overwrites server after the filters");
  assert.ok(e.headers.get("date"));
  assert.match(e.headers.get("x-envoy-upstream-service-time") ?? "", /^\d+$/);
});

// ---- the router, on a bootstrap of the test's own ----

function bootstrap(routes: string, extra = { hcm: "", clusters: "", filters: "" }): string {
  const f = join(dir, `b-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(f, `
admin: { address: { socket_address: { address: 127.0.0.1, port_value: 0 } } }
static_resources:
  listeners:
  - name: main
    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: t
${extra.hcm}
          route_config:
${routes}
          http_filters:
${extra.filters}
          - name: envoy.filters.http.router
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
  clusters:
  - name: up
    type: STATIC
    load_assignment: { cluster_name: up, endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${echo.target.split(":")[1]} } } } } ] } ] }
${extra.clusters}
`);
  return f;
}
const noExtra = { hcm: "", clusters: "", filters: "" };
/** An http_filters entry (YAML list item) running build/<module>.wasm with the JSON text `config`. */
const wasmFilter = (name: string, module: string, config: string) => `
          - name: ${name}
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
              config:
                vm_config: { runtime: envoy.wasm.runtime.v8, code: { local: { filename: ${join(ROOT, `build/${module}.wasm`)} } } }
                configuration: { "@type": type.googleapis.com/google.protobuf.StringValue, value: ${JSON.stringify(config)} }
`;
/** A route_config of one virtual host for every domain, with `routes` (YAML list items, one per line). */
const allHosts = (routes: string) => `
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes:
${routes}`;
/** The same with routes given inline (a YAML flow list's items). */
const allHostsInline = (routes: string) => `
            virtual_hosts: [ { name: all, domains: ["*"], routes: [ ${routes} ] } ]
`;
const TO_UP = '{ match: { prefix: "/" }, route: { cluster: up } }';
const ROUTER_LINE = 'typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }';
/** The bootstrap file `f` with the router's typed_config given `fields` too. */
function withRouter(f: string, fields: string): string {
  const text = readFileSync(f, "utf8");
  assert.ok(text.includes(ROUTER_LINE));
  writeFileSync(f, text.replace(ROUTER_LINE, ROUTER_LINE.replace(" }", `, ${fields} }`)));
  return f;
}

test("the router: virtual hosts by domain, routes by path, header and query, regex_rewrite, host_rewrite, direct_response, 404", async () => {
  const f = bootstrap(`
            virtual_hosts:
            - name: api
              domains: ["api.example.com", "*.api.example.com"]
              request_headers_to_add: [ { header: { key: x-vhost, value: api } } ]
              response_headers_to_add: [ { header: { key: x-served-by, value: "%HOSTNAME%" }, append_action: OVERWRITE_IF_EXISTS_OR_ADD } ]
              routes:
              - match: { prefix: "/canary", headers: [ { name: x-canary, string_match: { exact: "1" } } ] }
                route: { cluster: up, host_rewrite_literal: canary.internal }
                request_headers_to_add: [ { header: { key: x-lane, value: canary } } ]
              - match: { safe_regex: { regex: "/users/[0-9]+" } }
                route: { cluster: up, regex_rewrite: { pattern: { regex: "^/users/([0-9]+)$" }, substitution: "/u/\\\\1" } }
              - match: { prefix: "/q", query_parameters: [ { name: debug, present_match: true } ] }
                direct_response: { status: 418, body: { inline_string: "debugging" } }
              - match: { path: "/health" }
                direct_response: { status: 200 }
            - name: rest
              domains: ["*"]
              routes:
              - match: { prefix: "/" }
                route: { cluster: up }
                request_headers_to_add: [ { header: { key: x-client, value: "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%" } } ]
`, noExtra);
  const gw = await startGateway(f, { anyPort: true });
  try {
    const p = portOf(gw);
    let e = await send(p, "/canary/x", { host: "api.example.com", "x-canary": "1" });
    assert.equal(e.echoed!.headers.host[0], "canary.internal");
    assert.deepEqual(e.echoed!.headers["x-lane"], ["canary"]);
    assert.deepEqual(e.echoed!.headers["x-vhost"], ["api"], "the virtual host's headers too");
    assert.ok(e.headers.get("x-served-by"));
    e = await send(p, "/canary/x", { host: "eu.api.example.com" }); // no x-canary: falls through to no route in this vhost
    assert.equal(e.status, 404);
    e = await send(p, "/users/42?x=1", { host: "api.example.com" });
    assert.equal(e.echoed!.path, "/u/42?x=1", "regex_rewrite rewrites the path, keeps the query");
    e = await send(p, "/users/4x2", { host: "api.example.com" });
    assert.equal(e.status, 404, "safe_regex must match the whole path");
    e = await send(p, "/q?debug", { host: "api.example.com" });
    assert.equal(e.status, 418);
    assert.equal(e.body, "debugging");
    e = await send(p, "/health", { host: "api.example.com" });
    assert.equal(e.status, 200);
    assert.equal(e.body, "");
    e = await send(p, "/anything", { host: "other.example.com" });
    assert.deepEqual(e.echoed!.headers["x-client"], ["127.0.0.1"]);
    assert.equal(e.echoed!.headers["x-vhost"], undefined);
  } finally { await gw.close(); }
});

test("the upstream's failures are Envoy's: 503 when it cannot be reached, 504 after the route timeout; a slow answer within it is served", async () => {
  const hang: Server = createServer((req, res) => { if (req.url === "/slow/ok") setTimeout(() => res.end("late"), 300); /* else never answers */ });
  await new Promise<void>((r) => hang.listen(0, "127.0.0.1", r));
  const closed = createServer(); await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  const closedPort = (closed.address() as { port: number }).port;
  await new Promise((r) => closed.close(r));
  const f = bootstrap(allHosts(`
              - match: { prefix: "/slow" }
                route: { cluster: hang, timeout: 0.6s }
              - match: { prefix: "/" }
                route: { cluster: dead }`), { hcm: "", filters: "", clusters: `
  - name: hang
    type: STATIC
    load_assignment: { cluster_name: hang, endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${(hang.address() as { port: number }).port} } } } } ] } ] }
  - name: dead
    type: STATIC
    load_assignment: { cluster_name: dead, endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${closedPort} } } } } ] } ] }
` });
  const gw = await startGateway(f, { anyPort: true });
  try {
    let e = await send(portOf(gw), "/x");
    assert.equal(e.status, 503);
    assert.match(e.body, /^upstream connect error or disconnect\/reset before headers\. reset reason: connection failure/);
    e = await send(portOf(gw), "/slow");
    assert.equal(e.status, 504);
    assert.equal(e.body, "upstream request timeout");
    e = await send(portOf(gw), "/slow/ok");
    assert.equal(e.status, 200, "an upstream taking 300 ms is waited for (the stream is not taken for stalled)");
    assert.equal(e.body, "late");
  } finally { await gw.close(); hang.closeAllConnections(); hang.close(); }
});

test("a Wasm filter's local reply and its response rules go through serve as through Envoy; server kept with PASS_THROUGH", async () => {
  const config = JSON.stringify({ header: { name: "x-hello", value: "world" }, deny: ["/admin"] });
  const f = bootstrap(allHostsInline(TO_UP), { clusters: "", hcm: "          server_header_transformation: PASS_THROUGH", filters: wasmFilter("custom", "custom-filter", config) });
  const gw = await startGateway(f, { anyPort: true });
  try {
    let e = await send(portOf(gw), "/admin/users");
    assert.equal(e.status, 403, "the filter's local reply");
    assert.equal(e.echoed, null, "never forwarded");
    assert.equal(e.headers.get("server"), null, "PASS_THROUGH: no server header added");
    e = await send(portOf(gw), "/ok");
    assert.equal(e.status, 200);
    assert.deepEqual(e.echoed!.headers["x-hello"], ["world"]);
    assert.equal(await counter(gw, "custom_filter.denied"), 1);
    const prom = await (await fetch(`http://127.0.0.1:${portOf(gw, "admin")}/stats/prometheus`)).text();
    assert.match(prom, /^# TYPE custom_filter_denied counter\ncustom_filter_denied 1$/m, "Prometheus names: namespace stripped, '.' as '_'");
  } finally { await gw.close(); }
});

test("non-ASCII header values cross serve as their UTF-8 bytes, both ways, as through Envoy: the filter reads text and writes UTF-8; direct_response text is UTF-8; a non-ASCII authority is a 400", async () => {
  const config = JSON.stringify({
    request: [{ ops: [
      { op: "copy", header: "x-name", to: "x-copied" },
      { op: "set", header: "x-lit", value: "caf\u00e9 \u20ac" },
      { op: "replace", header: "x-accent", regex: "\u00e9", with: "e" },
    ] }],
    response: [{ ops: [{ op: "set", header: "x-resp", value: "na\u00efve" }] }],
  });
  const direct = '{ match: { prefix: "/direct" }, direct_response: { status: 200, body: { inline_string: "caf\u00e9 \u20ac" } } }';
  const f = bootstrap(allHostsInline(`${direct}, ${TO_UP}`), { clusters: "", hcm: "", filters: wasmFilter("headers", "headers", config) });
  const gw = await startGateway(f, { anyPort: true });
  // node:http writes a header string's characters as bytes (latin1): this sends UTF-8 as a client does
  const wire = (s: string) => Buffer.from(s, "utf8").toString("latin1");
  const text = (s: string | null) => (s === null ? null : Buffer.from(s, "latin1").toString("utf8"));
  try {
    const e = await send(portOf(gw), "/x", { "x-name": wire("Zoë"), "x-accent": wire("café") });
    assert.equal(e.status, 200);
    // the echo reads the bytes it received as UTF-8: a latin1 byte (e9) alone would read as U+FFFD
    assert.deepEqual(e.echoed!.headers["x-name"], ["Zoë"], "an untouched value arrives as it was sent");
    assert.deepEqual(e.echoed!.headers["x-copied"], ["Zoë"], "the filter read the text and wrote it back");
    assert.deepEqual(e.echoed!.headers["x-lit"], ["café €"], "a literal from the config, as UTF-8 (€ is past latin1)");
    assert.deepEqual(e.echoed!.headers["x-accent"], ["cafe"], "the regex saw é, not its two bytes");
    assert.equal(text(e.headers.get("x-resp")), "naïve", "a response value leaves as UTF-8");
    const d = await send(portOf(gw), "/direct");
    assert.equal(d.body, "café €", "a direct_response inline_string is sent as UTF-8");
    assert.equal(d.headers.get("content-length"), "9");
    // Envoy's connection manager answers 400 (http.invalid_authority) to a non-ASCII authority
    const bad = await send(portOf(gw), "/x", { host: wire("café.example") });
    assert.equal(bad.status, 400);
    assert.equal(bad.echoed, null);
  } finally { await gw.close(); }
});

test("route matching as Envoy's: case_sensitive, path_separated_prefix, a missing header under invert_match, joined header values, undecoded query values", async () => {
  const f = bootstrap(allHosts(`
              - match: { prefix: "/CI", case_sensitive: false }
                direct_response: { status: 201 }
              - match: { path_separated_prefix: "/sep" }
                direct_response: { status: 202 }
              - match: { prefix: "/inv", headers: [ { name: x-k, string_match: { exact: "v" }, invert_match: true } ] }
                direct_response: { status: 203 }
              - match: { prefix: "/joined", headers: [ { name: x-m, string_match: { exact: "a,b" } } ] }
                direct_response: { status: 204 }
              - match: { prefix: "/q", query_parameters: [ { name: n, string_match: { exact: "a%20b" } } ] }
                direct_response: { status: 205 }
              - match: { prefix: "/" }
                direct_response: { status: 418 }`), noExtra);
  const gw = await startGateway(f, { anyPort: true });
  try {
    const p = portOf(gw);
    const st = async (path: string, h: Record<string, string | string[]> = {}) => (await sendRaw(p, path, h)).status;
    assert.equal(await st("/ci/x"), 201);
    assert.equal(await st("/sep"), 202);
    assert.equal(await st("/sep/x"), 202);
    assert.equal(await st("/separate"), 418, "path_separated_prefix needs / or the end after the prefix");
    assert.equal(await st("/inv", { "x-k": "w" }), 203);
    assert.equal(await st("/inv"), 418, "a missing header does not match an inverted string matcher (HeaderUtility::matchHeaders)");
    assert.equal(await st("/joined", { "x-m": ["a", "b"] }), 204, "repeated values are joined with ','");
    assert.equal(await st("/q?n=a%20b"), 205, "query values are compared undecoded");
    assert.equal(await st("/q?n=a+b"), 418);
  } finally { await gw.close(); }
});

test("header mutations as Envoy's HeaderParser: removes, then overwrites, then appends; empty values skipped; %REQ()% with a fallback; before the route's rewrites", async () => {
  const f = bootstrap(`
            most_specific_header_mutations_wins: false
            request_headers_to_add: [ { header: { key: x-level, value: config }, append_action: OVERWRITE_IF_EXISTS_OR_ADD } ]
            virtual_hosts:
            - name: all
              domains: ["*"]
              request_headers_to_add: [ { header: { key: x-level, value: vhost }, append_action: OVERWRITE_IF_EXISTS_OR_ADD } ]
              routes:
              - match: { prefix: "/" }
                route: { cluster: up, host_rewrite_literal: inner.local, append_x_forwarded_host: true }
                request_headers_to_remove: [ x-forwarded-host, x-gone ]
                request_headers_to_add:
                - { header: { key: x-dup, value: a }, append_action: APPEND_IF_EXISTS_OR_ADD }
                - { header: { key: x-dup, value: b }, append_action: OVERWRITE_IF_EXISTS_OR_ADD }
                - { header: { key: x-once, value: "1" }, append_action: ADD_IF_ABSENT }
                - { header: { key: x-once, value: "2" }, append_action: ADD_IF_ABSENT }
                - { header: { key: x-only-if, value: set }, append_action: OVERWRITE_IF_EXISTS }
                - { header: { key: x-missing, value: "%REQ(x-nope)%" } }
                - { header: { key: x-kept, value: "%REQ(x-nope)%" }, keep_empty_value: true }
                - { header: { key: x-fallback, value: "%REQ(x-nope?x-src)%" } }
                - { header: { key: x-level, value: route }, append_action: OVERWRITE_IF_EXISTS_OR_ADD }
`, noExtra);
  const gw = await startGateway(f, { anyPort: true });
  try {
    const e = await send(portOf(gw), "/m", { host: "outer.example", "x-gone": "1", "x-src": "from-src", "x-forwarded-host": "client-said" });
    const h = e.echoed!.headers;
    assert.deepEqual(h["x-dup"], ["b", "a"], "the overwrite first, then the append");
    assert.deepEqual(h["x-once"], ["1", "2"], "ADD_IF_ABSENT looks at the headers before this level's adds");
    assert.equal(h["x-only-if"], undefined);
    assert.equal(h["x-missing"], undefined, "a %REQ()% that finds nothing makes an empty value, which is skipped");
    assert.deepEqual(h["x-kept"], [""]);
    assert.deepEqual(h["x-fallback"], ["from-src"]);
    assert.equal(h["x-gone"], undefined);
    assert.deepEqual(h["x-level"], ["config"], "route, then virtual host, then route configuration: the least specific overwrite wins");
    assert.deepEqual(h["x-forwarded-host"], ["outer.example"], "the remove runs before the host rewrite appends x-forwarded-host");
    assert.deepEqual(h.host, ["inner.local"]);
  } finally { await gw.close(); }
});

test("the router's x-envoy headers: a client's timeout headers are removed before the filters (every request is external); suppress_envoy_headers drops the router's", async () => {
  const slow: Server = createServer((req, res) => { setTimeout(() => res.end("ok"), 400); });
  await new Promise<void>((r) => slow.listen(0, "127.0.0.1", r));
  const routes = allHostsInline(`{ match: { prefix: "/" }, route: { cluster: up, prefix_rewrite: "/r/" } }`);
  const port = (slow.address() as { port: number }).port;
  let gw = await startGateway(bootstrap(routes, noExtra), { anyPort: true, clusters: { up: `127.0.0.1:${port}` } });
  try {
    const e = await send(portOf(gw), "/x", { "x-envoy-upstream-rq-timeout-ms": "100", "x-envoy-expected-rq-timeout-ms": "1" });
    assert.equal(e.status, 200, "the client's 100 ms timeout is not honoured (cleanInternalHeaders removed it)");
    assert.equal(e.body, "ok");
  } finally { await gw.close(); }
  gw = await startGateway(withRouter(bootstrap(routes, noExtra), "suppress_envoy_headers: true"), { anyPort: true });
  try {
    const e = await send(portOf(gw), "/x");
    assert.equal(e.echoed!.headers["x-envoy-expected-rq-timeout-ms"], undefined);
    assert.equal(e.echoed!.headers["x-envoy-original-path"], undefined);
    assert.equal(e.echoed!.path, "/r/x");
    assert.equal(e.headers.get("x-envoy-upstream-service-time"), null);
  } finally { await gw.close(); slow.closeAllConnections(); slow.close(); }
});

test("the codec's and connection manager's own answers: HTTP/1.0 426, Upgrade 403, Expect not forwarded, HEAD keeps content-length, 204 has none", async () => {
  const up: Server = createServer((req, res) => {
    if (req.url === "/empty") { res.writeHead(204); res.end(); return; }
    const text = JSON.stringify({ expect: req.headers.expect ?? null });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(req.method === "HEAD" ? undefined : text);
  });
  await new Promise<void>((r) => up.listen(0, "127.0.0.1", r));
  const gw = await startGateway(bootstrap(allHostsInline(TO_UP), noExtra), { anyPort: true, clusters: { up: `127.0.0.1:${(up.address() as { port: number }).port}` } });
  try {
    const p = portOf(gw);
    const raw = async (text: string) => {
      const s = connect(p, "127.0.0.1");
      s.write(text);
      let got = "";
      for await (const c of s) { got += c; if (got.includes("\r\n\r\n")) break; }
      s.destroy();
      return got;
    };
    assert.match(await raw("GET / HTTP/1.0\r\nHost: a\r\n\r\n"), /^HTTP\/1\.1 426 /);
    assert.match(await raw("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"), /^HTTP\/1\.1 403 /);
    const e = await sendRaw(p, "/x", { expect: "100-continue", "content-type": "text/plain" }, "POST", "hello");
    assert.deepEqual(JSON.parse(e.body), { expect: null });
    const head = await sendRaw(p, "/x", {}, "HEAD");
    assert.equal(head.headers.get("content-length"), String(JSON.stringify({ expect: null }).length), "HEAD: the upstream's content-length");
    const empty = await sendRaw(p, "/empty");
    assert.equal(empty.status, 204);
    assert.equal(empty.headers.get("content-length"), null);
  } finally { await gw.close(); up.closeAllConnections(); up.close(); }
});

test("robustness: an upstream that resets after its headers resets the client's stream; an aborted upload to the echo does not take serve down", async () => {
  const up: Server = createServer((req, res) => { res.writeHead(200, { "content-length": "100" }); res.write("partial"); setTimeout(() => res.socket?.destroy(), 50); });
  await new Promise<void>((r) => up.listen(0, "127.0.0.1", r));
  const gw = await startGateway(bootstrap(allHostsInline(`{ match: { prefix: "/reset" }, route: { cluster: up } }, { match: { prefix: "/" }, route: { cluster: echo } }`), { ...noExtra, clusters: "  - { name: echo, type: STATIC, load_assignment: { cluster_name: echo, endpoints: [] } }" }), { anyPort: true, clusters: { up: `127.0.0.1:${(up.address() as { port: number }).port}`, echo: echo.target } });
  try {
    await assert.rejects(sendRaw(portOf(gw), "/reset"), /socket hang up|ECONNRESET/);
    // half an upload, then the client goes away: the echo behind serve sees an aborted request
    const s = connect(portOf(gw), "127.0.0.1");
    s.write("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\nabc");
    await new Promise((r) => setTimeout(r, 100));
    s.destroy();
    const e2 = connect(Number(echo.target.split(":")[1]), "127.0.0.1");
    e2.write("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\nabc");
    await new Promise((r) => setTimeout(r, 100));
    e2.destroy();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await send(portOf(gw), "/still")).status, 200, "serve and its echo still answer");
  } finally { await gw.close(); up.closeAllConnections(); up.close(); }
});

test("route regexes are RE2's, in linear time: (?i), \\A…\\z and a catastrophic-backtracking pattern; regex_rewrite replaces empty matches as RE2's GlobalReplace", async () => {
  const f = bootstrap(allHosts(`
              - match: { prefix: "/", headers: [ { name: x-id, string_match: { safe_regex: { regex: "(a+)+" } } } ] }
                direct_response: { status: 201 }
              - match: { safe_regex: { regex: "(?i)\\\\A/CaSe\\\\z" } }
                direct_response: { status: 202 }
              - match: { prefix: "/" }
                direct_response: { status: 418 }`), noExtra);
  const gw = await startGateway(f, { anyPort: true });
  try {
    const p = portOf(gw);
    const t0 = Date.now();
    assert.equal((await sendRaw(p, "/x", { "x-id": "a".repeat(5000) + "!" })).status, 418);
    assert.ok(Date.now() - t0 < 2000, `(a+)+ against 5,000 a's and a '!' took ${Date.now() - t0} ms (a backtracking engine takes ages)`);
    assert.equal((await sendRaw(p, "/x", { "x-id": "aaa" })).status, 201);
    assert.equal((await sendRaw(p, "/case")).status, 202);
    assert.equal(replaceAll("b*", "abb", "-"), "-a-", "RE2 skips the empty match right after a match (JavaScript's replace gives -a--)");
    assert.equal(replaceAll("^/(a)", "/abc", "/\\2"), "/abc", "a rewrite naming a group the pattern lacks rewrites nothing (RE2::GlobalReplace)");
    assert.equal(replaceAll("^/users/([0-9]+)$", "/users/42", "/u/\\1\\\\"), "/u/42\\");
  } finally { await gw.close(); }
});

test("the connection manager's request mutations: internal headers stripped, use_remote_address, via, strip_any_host_port, always_set_request_id_in_response; fragments 400, over 100 headers 431", async () => {
  const routes = allHostsInline(TO_UP);
  let gw = await startGateway(bootstrap(routes, { ...noExtra, hcm: `          use_remote_address: true
          via: wasmgate
          strip_any_host_port: true
          always_set_request_id_in_response: true` }), { anyPort: true });
  try {
    const p = portOf(gw);
    const e = await sendRaw(p, "/x", { host: "a.example:8080", "x-forwarded-for": ["1.1.1.1", "2.2.2.2"], "x-envoy-internal": "true", "x-forwarded-client-cert": "By=spoof",
      "x-envoy-upstream-rq-timeout-ms": "1", "x-request-id": "client-chosen", "x-forwarded-proto": "https", via: "1.0 proxy" });
    const h = e.echoed!.headers;
    assert.equal(h["x-forwarded-for"].length, 1);
    assert.match(h["x-forwarded-for"][0], /^1\.1\.1\.1,2\.2\.2\.2,[0-9.]+$/, "the lines joined, then the hop appended");
    assert.deepEqual(h["x-envoy-external-address"], ["127.0.0.1"]);
    for (const gone of ["x-envoy-internal", "x-forwarded-client-cert", "x-envoy-upstream-rq-timeout-ms"]) assert.equal(h[gone], undefined, gone);
    assert.notEqual(h["x-request-id"][0], "client-chosen", "an edge request gets a new request id");
    assert.deepEqual(h["x-forwarded-proto"], ["http"]);
    assert.deepEqual(h.host, ["a.example"], "strip_any_host_port rewrites the authority before the filters");
    assert.deepEqual(h.via, ["1.0 proxy, wasmgate"], "Utility::appendVia: ', ' before the connection manager's value");
    assert.equal(e.headers.get("x-request-id"), h["x-request-id"][0]);
    assert.equal(e.headers.get("via"), "wasmgate");
    assert.equal((await sendRaw(p, "/x#frag")).status, 400);
    const many: Record<string, string> = {};
    for (let i = 0; i < 101; i++) many[`x-h${i}`] = "1";
    assert.equal((await sendRaw(p, "/x", many)).status, 431);
  } finally { await gw.close(); }
  gw = await startGateway(bootstrap(routes, noExtra), { anyPort: true });
  try {
    const h = (await sendRaw(portOf(gw), "/x", { "x-request-id": "client-chosen", "x-forwarded-for": "9.9.9.9", referer: ["https://a/", "https://b/"] })).echoed!.headers;
    assert.deepEqual(h["x-request-id"], ["client-chosen"], "not an edge request: the client's id is kept");
    assert.deepEqual(h["x-forwarded-for"], ["9.9.9.9"], "nothing appended without use_remote_address");
    assert.equal(h.referer, undefined, "two referers: removed");
    assert.equal((await sendRaw(portOf(gw), "/x", { referer: "not a url" })).echoed!.headers.referer, undefined, "an invalid referer: removed");
    assert.deepEqual((await sendRaw(portOf(gw), "/x", { referer: "https://shop.example/cart" })).echoed!.headers.referer, ["https://shop.example/cart"]);
  } finally { await gw.close(); }
});

test("route details as Envoy's: an empty prefix_rewrite is none, query present_match false means absent, %REQ()% sees this level's removes", async () => {
  const f = bootstrap(allHosts(`
              - match: { prefix: "/q", query_parameters: [ { name: debug, present_match: false } ] }
                direct_response: { status: 204 }
              - match: { prefix: "/xfh" }
                route: { cluster: up, host_rewrite_literal: inner, append_x_forwarded_host: true }
                request_headers_to_add: [ { header: { key: x-scheme, value: "%REQ(:scheme)%" } } ]
              - match: { path: "/exact" }
                route: { cluster: up, prefix_rewrite: "" }
                request_headers_to_remove: [ x-a ]
                request_headers_to_add:
                - { header: { key: x-copy, value: "%REQ(x-a)%" } }
                - { header: { key: x-two, value: "%REQ(x-a)%%REQ(x-b)%" } }`), noExtra);
  const gw = await startGateway(f, { anyPort: true });
  try {
    const p = portOf(gw);
    assert.equal((await sendRaw(p, "/q")).status, 204);
    assert.equal((await sendRaw(p, "/q?debug=1")).status, 404);
    const e = await send(p, "/exact?x=1", { "x-a": "A", "x-b": "B" });
    assert.equal(e.echoed!.path, "/exact?x=1");
    assert.equal(e.echoed!.headers["x-copy"], undefined, "x-a was removed before the value was computed");
    assert.deepEqual(e.echoed!.headers["x-two"], ["B"], "only an entirely empty value is skipped");
    const x = await sendRaw(p, "/xfh", { host: "h1", "x-forwarded-host": "h1", "x-forwarded-proto": "https" });
    assert.deepEqual(x.echoed!.headers["x-forwarded-host"], ["h1"], "not appended again when it already ends with the host (updateAuthority)");
    assert.deepEqual(x.echoed!.headers["x-scheme"], ["https"], ":scheme from x-forwarded-proto for an origin-form request");
  } finally { await gw.close(); }
});

test("serve refuses to start on what Envoy refuses, and on what it cannot do as Envoy does, naming each", async () => {
  const refuse = async (file: string, opts: Parameters<typeof startGateway>[1], ...want: RegExp[]) => {
    await assert.rejects(startGateway(file, { anyPort: true, ...opts }), (e: Error) => {
      assert.ok(e instanceof StartError, e.message);
      for (const w of want) assert.match(e.message, w);
      return true;
    });
  };
  const routes = allHostsInline(`{ match: { prefix: "/" }, redirect: { path_redirect: "/x" } }`);
  await refuse(bootstrap(routes, noExtra), {}, /routes\[0\]: only route \(to a cluster\) and direct_response actions/, /routes\[0\]\.redirect: not supported/);
  const ok = allHostsInline(TO_UP);
  await refuse(bootstrap(ok, { ...noExtra, filters: `
          - name: envoy.filters.http.cors
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors }
` }), {}, /http_filters\[0\] envoy\.filters\.http\.cors: .*Cors: wasmgate serve runs Wasm filters and the router only/);
  await refuse(bootstrap(ok, { ...noExtra, filters: `
          - name: headers
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
              config:
                vm_config: { runtime: envoy.wasm.runtime.v8, code: { local: { filename: ${join(ROOT, "build/headers.wasm")} } } }
                configuration: { "@type": type.googleapis.com/google.protobuf.StringValue, value: '{"request":[{"ops":[{"op":"sett"}]}]}' }
` }), {}, /headers: config\.request\[0\]\.ops\[0\]\.op/);
  await refuse(bootstrap(ok, noExtra), { clusters: { nosuch: "127.0.0.1:1" } }, /--cluster nosuch: the bootstrap has no cluster of that name/);
  await refuse(bootstrap(allHostsInline(`{ match: { prefix: "/" }, route: { cluster: up }, request_headers_to_add: [ { header: { key: x-t, value: "%START_TIME%" } } ] }`), noExtra), {}, /uses a formatter serve does not fill in/);
  const routeWith = (x: string) => bootstrap(allHostsInline(x), noExtra);
  await refuse(routeWith(`{ match: { prefix: "/", headers: [ { name: x-n, range_match: { start: 1, end: 10 } } ] }, route: { cluster: up } }`), {}, /headers\[0\]\.range_match: not supported/);
  await refuse(routeWith(`{ match: { prefix: "/", query_parameters: [ { name: q, string_match: { safe_regex: { regex: "a(?=b)" } } } ] }, route: { cluster: up } }`), {}, /query_parameters\[0\]\.string_match\.safe_regex\.regex: .*invalid or unsupported Perl syntax/);
  await refuse(routeWith(`{ match: { safe_regex: { regex: "/(a)\\\\1" } }, route: { cluster: up } }`), {}, /safe_regex\.regex: .*invalid escape sequence/);
  await refuse(routeWith(`{ match: { prefix: "/" }, direct_response: { status: 200, body: { filename: /etc/passwd } } }`), {}, /direct_response\.body\.filename: not supported/);
  await refuse(routeWith(`{ match: { safe_regex: { regex: "/a{1000}" } }, route: { cluster: up } }`), {}, /the RE2 program is \d+ instructions, over Envoy's default limit of 100/);
  await refuse(routeWith(`{ match: { prefix: "/" }, route: { cluster: up, prefix_rewrite: "/a", regex_rewrite: { pattern: { regex: "x" }, substitution: "y" } } }`), {}, /both prefix_rewrite and regex_rewrite/);
  await refuse(routeWith(`{ match: { prefix: "/" }, route: { cluster: up }, request_headers_to_add: [ { header: { key: host, value: x } }, { header: { key: x-a, value: b }, append: true, append_action: ADD_IF_ABSENT } ] }`), {},
    /request_headers_to_add\[0\]: ':'-prefixed or host headers may not be modified/, /request_headers_to_add\[1\]: both append and append_action/);
  await refuse(bootstrap(`
            virtual_hosts: [ { name: a, domains: ["*"], routes: [] }, { name: b, domains: ["*"], routes: [] } ]
`, noExtra), {}, /virtual_hosts\[1\]\.domains: '\*' is also another virtual host's/);
  await refuse(bootstrap(ok, { ...noExtra, hcm: "          local_reply_config: { mappers: [] }" }), {}, /listener main: local_reply_config: not supported by wasmgate serve/);
  await refuse(withRouter(bootstrap(ok, noExtra), "respect_expected_rq_timeout: true"), {}, /respect_expected_rq_timeout: not supported/);
  await refuse(routeWith(`{ match: { prefix: "/" }, route: { cluster: up }, typed_per_filter_config: {} }`), {}, /typed_per_filter_config: not supported/);
  const gw = await startGateway(bootstrap(ok, noExtra), { anyPort: true }); // the same bootstrap, fixed, starts
  await gw.close();
});

test("the CLI: serve prints where it listens, serves, and stops on SIGINT with exit 0; usage errors exit 2, a refused bootstrap 1", async () => {
  const f = bootstrap(allHostsInline(TO_UP), noExtra);
  const c = spawn(process.execPath, ["bin/wasmgate.mjs", "serve", f, "--echo", "--address", "127.0.0.1"], { cwd: ROOT });
  let out = "";
  c.stdout.on("data", (d) => { out += d; });
  const exited = new Promise<number | null>((r) => c.on("close", r));
  for (let i = 0; i < 200 && !out.includes("serving"); i++) await new Promise((r) => setTimeout(r, 50));
  const port = Number(/listen {2}main: http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
  assert.ok(port > 0, out);
  assert.match(out, /^echo {4}http:\/\/127\.0\.0\.1:\d+ \(the upstream of every cluster\)$/m);
  const e = await send(port, "/hello");
  assert.equal(e.echoed!.path, "/hello", "--echo answers for the bootstrap's cluster");
  c.kill("SIGINT");
  assert.equal(await exited, 0);

  // Ctrl-C with a request in flight to an upstream that never answers: serve still stops at once.
  const hang: Server = createServer(() => { /* never answers */ });
  await new Promise<void>((r) => hang.listen(0, "127.0.0.1", r));
  const c2 = spawn(process.execPath, ["bin/wasmgate.mjs", "serve", f, "--cluster", `up=127.0.0.1:${(hang.address() as { port: number }).port}`, "--address", "127.0.0.1"], { cwd: ROOT });
  let out2 = "";
  c2.stdout.on("data", (d) => { out2 += d; });
  const exited2 = new Promise<number | null>((r) => c2.on("close", r));
  for (let i = 0; i < 200 && !out2.includes("serving"); i++) await new Promise((r) => setTimeout(r, 50));
  const port2 = Number(/listen {2}main: http:\/\/127\.0\.0\.1:(\d+)/.exec(out2)?.[1]);
  sendRaw(port2, "/pending").catch(() => {});
  await new Promise((r) => setTimeout(r, 200));
  const t0 = Date.now();
  c2.kill("SIGINT");
  assert.equal(await exited2, 0);
  assert.ok(Date.now() - t0 < 3000, `stopped in ${Date.now() - t0} ms`);
  hang.closeAllConnections(); hang.close();

  const run = (...args: string[]) => new Promise<{ code: number | null; err: string }>((resolve) => {
    const p = spawn(process.execPath, ["bin/wasmgate.mjs", "serve", ...args], { cwd: ROOT });
    let err = ""; p.stderr.on("data", (d) => { err += d; });
    p.on("close", (code) => resolve({ code, err }));
  });
  assert.equal((await run(f, "--cluster", "up")).code, 2);
  assert.equal((await run(join(dir, "missing.yaml"))).code, 2);
  const bad = await run(f, "--cluster", "nosuch=127.0.0.1:1");
  assert.equal(bad.code, 1);
  assert.match(bad.err, /cannot start:\n {2}--cluster nosuch: the bootstrap has no cluster of that name/);
});
