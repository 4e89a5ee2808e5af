// Pitfalls 6 and 7: HTTP callouts belong to the root context; tokens, validation, router replies for
// a dead target, and a reset (counts 0,0,0 and get_status 11) — against real local servers.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { host, mod, value, values } from "./helpers.ts";

let ok: http.Server, resetting: http.Server, closedPort = 0;
const addr = (s: http.Server) => `127.0.0.1:${(s.address() as AddressInfo).port}`;
const listen = (s: http.Server) => new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));

before(async () => {
  ok = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/plain", "x-upstream": req.url ?? "" });
    res.end("pong");
  });
  // Sends the response headers and part of the body, then destroys the connection.
  resetting = http.createServer((_req, res) => {
    res.writeHead(200, { "content-length": "100" });
    res.write("partial");
    setTimeout(() => res.socket?.destroy(), 10);
  });
  await Promise.all([listen(ok), listen(resetting)]);
  // A port nothing listens on: bind, read the port, close.
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", () => r()));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
});
after(() => {
  ok.closeAllConnections();
  resetting.closeAllConnections();
  ok.close();
  resetting.close();
});

test("pitfalls 6/7: validation, tokens 4 and 8, the response arrives on the root context, body in buffer 4", async (t) => {
  const h = host(t, { module: mod("callout"), config: "backend", clusters: { backend: addr(ok) } });
  const out = await h.request({ path: "/start" });
  assert.equal(value(out.logs, "unknown_cluster"), "2", "unknown cluster → BadArgument");
  assert.equal(value(out.logs, "no_path"), "2", "missing :path → BadArgument");
  assert.equal(value(out.logs, "call1"), "0");
  assert.deepEqual([value(out.logs, "token1"), value(out.logs, "token2")], ["4", "8"]);
  assert.deepEqual(values(out.logs, "resp_ctx"), ["1", "1"], "on_http_call_response gets the root context id");
  assert.deepEqual(values(out.logs, "resp_token").sort(), ["4", "8"]);
  assert.deepEqual(values(out.logs, "resp_status"), ["200", "200"]);
  assert.deepEqual(values(out.logs, "resp_body"), ["pong", "pong"]);
  assert.deepEqual(values(out.logs, "resp_trailers"), ["0", "0"]);
  assert.deepEqual(values(out.logs, "status_code"), ["0", "0"], "get_status is not set by a successful call");
  assert.equal(value(out.logs, "effective"), "0");
  assert.equal(value(out.logs, "continue"), "0");
  assert.equal(out.forwarded, true, "the stream resumed after the second response");
  assert.equal(out.response.status, 200);
  // Tokens are per VM and keep counting.
  const again = await h.request({ path: "/again" });
  assert.deepEqual([value(again.logs, "token1"), value(again.logs, "token2")], ["12", "16"]);
});

test("pitfall 7: a dead target is a normal 503 response from the router, not a failure", async (t) => {
  const h = host(t, { module: mod("callout"), config: "dead", clusters: { dead: `127.0.0.1:${closedPort}` } });
  const out = await h.request({ path: "/" });
  assert.deepEqual(values(out.logs, "resp_status"), ["503", "503"]);
  assert.ok(values(out.logs, "resp_headers").every((n) => Number(n) > 0));
  assert.ok(values(out.logs, "resp_body").every((b) => b.startsWith("upstream connect error")));
  assert.deepEqual(values(out.logs, "status_code"), ["0", "0"]);
  assert.equal(out.forwarded, true);
});

test("pitfall 7: a reset mid-response gives counts (0, 0, 0) and get_status 11 (BrokenConnection)", async (t) => {
  const h = host(t, { module: mod("callout"), config: "flaky", clusters: { flaky: addr(resetting) } });
  const out = await h.request({ path: "/" });
  assert.deepEqual(values(out.logs, "resp_headers"), ["0", "0"]);
  assert.deepEqual(values(out.logs, "resp_body_size"), ["0", "0"]);
  assert.deepEqual(values(out.logs, "resp_trailers"), ["0", "0"]);
  assert.deepEqual(values(out.logs, "resp_status"), [], "no response headers (map 6) to read");
  assert.deepEqual(values(out.logs, "status_code"), ["11", "11"]);
  assert.deepEqual(values(out.logs, "status_message"), ["reset", "reset"]);
  assert.equal(out.forwarded, true);
});
