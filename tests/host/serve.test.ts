// `wasmgate serve` (host/serve): the local gateway run from an Envoy bootstrap. The shared scenarios
// (tests/scenarios/headers.json) go through it with the shipped envoy/envoy.yaml — the bootstrap the
// Envoy suite runs — over real HTTP to the built-in echo upstream, so a developer's `serve` session
// shows what Envoy would. Then the router's part (virtual hosts, route matching, rewrites, header
// mutations, direct responses, 404/503/504, server and date), and the refusals at start.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer, request, type Server } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { startGateway, StartError, type Gateway } from "../../host/serve/gateway.ts";
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
  return new Promise((resolve, reject) => {
    const rq = request({ host: "127.0.0.1", port, path, method: init.method ?? "GET", headers, timeout: 10_000 }, (rs) => {
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
    rq.end();
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
  const f = bootstrap(`
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes:
              - match: { prefix: "/slow" }
                route: { cluster: hang, timeout: 0.6s }
              - match: { prefix: "/" }
                route: { cluster: dead }
`, { hcm: "", filters: "", clusters: `
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
  const f = bootstrap(`
            virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: "/" }, route: { cluster: up } } ] } ]
`, { clusters: "", hcm: "          server_header_transformation: PASS_THROUGH", filters: `
          - name: custom
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
              config:
                vm_config: { runtime: envoy.wasm.runtime.v8, code: { local: { filename: ${join(ROOT, "build/custom-filter.wasm")} } } }
                configuration: { "@type": type.googleapis.com/google.protobuf.StringValue, value: ${JSON.stringify(config)} }
` });
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
  const routes = `
            virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: "/" }, redirect: { path_redirect: "/x" } } ] } ]
`;
  await refuse(bootstrap(routes, noExtra), {}, /routes\[0\]: only route \(to a cluster\) and direct_response actions/, /routes\[0\]\.redirect: not supported/);
  const ok = `
            virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: "/" }, route: { cluster: up } } ] } ]
`;
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
  await refuse(bootstrap(`
            virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: "/" }, route: { cluster: up }, request_headers_to_add: [ { header: { key: x-t, value: "%START_TIME%" } } ] } ] } ]
`, noExtra), {}, /uses a formatter serve does not fill in/);
  const gw = await startGateway(bootstrap(ok, noExtra), { anyPort: true }); // the same bootstrap, fixed, starts
  await gw.close();
});

test("the CLI: serve prints where it listens, serves, and stops on SIGINT with exit 0; usage errors exit 2, a refused bootstrap 1", async () => {
  const f = bootstrap(`
            virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: "/" }, route: { cluster: up } } ] } ]
`, noExtra);
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
