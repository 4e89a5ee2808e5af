// tests/modules/sdk-probe through the host: the asynchronous parts of the SDK — HTTP and gRPC callouts
// against real local servers, orphaned callout responses, shared queues and ticks. Waits are
// event-driven or short bounded polls (helpers' `until`).
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import * as grpc from "@grpc/grpc-js";
import { createHost, type HostOptions, type RequestSpec } from "../../host/index.ts";
import { mod, until, PROBE } from "./helpers.ts";

type Pairs = ReadonlyArray<readonly [string, string]> | undefined;
const one = (pairs: Pairs, name: string) => {
  const v = (pairs ?? []).filter(([k]) => k === name).map(([, x]) => x);
  assert.ok(v.length <= 1, `${name} appears ${v.length} times`);
  return v[0];
};
const probe = (action: string, extra: RequestSpec = {}): RequestSpec =>
  ({ ...extra, headers: [["x-probe", action], ...(extra.headers ?? [])] });

type T = { after(fn: () => void | Promise<void>): void };

function probeHost(t: T, opts: Partial<HostOptions> = {}) {
  const host = createHost({ module: mod(PROBE), ...opts });
  t.after(() => host.close());
  return host;
}

async function httpServer(t: T, handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An address nobody listens on: bind port 0, then close it. */
async function deadAddress(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `127.0.0.1:${port}`;
}

test("http-call: the request pauses, the callout answer is echoed, then the request continues", async (t) => {
  const events: string[] = [];
  const seen: { path?: string; host?: string } = {};
  const target = await httpServer(t, (req, res) => {
    events.push("callout");
    seen.path = req.url; seen.host = req.headers.host;
    res.writeHead(201, { "x-echo": "1" });
    res.end("echo-body");
  });
  const host = probeHost(t, {
    clusters: { web: target },
    upstream: async (req) => {
      events.push("upstream:" + one(req.headers, "x-probe-call-status"));
      return { status: 200, headers: [], body: [Buffer.from("up")] };
    },
  });
  const r = await host.request(probe("http-call", { headers: [["x-cluster", "web"], ["x-call-path", "/hi?q=1"], ["x-call-authority", "svc.local"]] }));
  assert.deepEqual(events, ["callout", "upstream:201"], "the upstream is called only after the callout answered");
  assert.equal(seen.path, "/hi?q=1");
  assert.equal(seen.host, "svc.local");
  const h = r.request!.headers;
  assert.ok(Number(one(h, "x-probe-token")) > 0);
  assert.equal(one(h, "x-probe-call-status"), "201");
  assert.equal(one(h, "x-probe-call-body"), "echo-body");
  const [nh, nb, nt] = one(h, "x-probe-call-headers")!.split("/").map(Number);
  assert.ok(nh >= 2, "at least :status and x-echo");
  assert.equal(nb, "echo-body".length);
  assert.equal(nt, 0);
  assert.equal(r.response.status, 200);
  assert.equal(r.response.body, "up");
  assert.equal(r.stalled, false);
});

test("http-call to a dead target: the router's 503 comes back as a normal response", async (t) => {
  const host = probeHost(t, { clusters: { dead: await deadAddress() } });
  const r = await host.request(probe("http-call", { headers: [["x-cluster", "dead"]] }));
  const h = r.request!.headers;
  assert.equal(r.forwarded, true);
  assert.equal(one(h, "x-probe-call-status"), "503");
  assert.match(one(h, "x-probe-call-body")!, /^upstream connect error or disconnect\/reset before headers\. reset reason: remote connection failure/);
  assert.equal(one(h, "x-probe-call-failed"), undefined);
});

test("http-call whose server resets after the headers: failure path, get_status 11 reset", async (t) => {
  const target = await httpServer(t, (req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.write("partial");
    setImmediate(() => req.socket.destroy());
  });
  const host = probeHost(t, { clusters: { web: target } });
  const r = await host.request(probe("http-call", { headers: [["x-cluster", "web"]] }));
  const h = r.request!.headers;
  assert.equal(r.forwarded, true, "the handler continued the request");
  assert.equal(one(h, "x-probe-call-failed"), "11 reset");
  assert.equal(one(h, "x-probe-call-status"), undefined);
});

test("http-call to an unknown cluster: BadArgument at once, the request continues", async (t) => {
  const host = probeHost(t);
  const r = await host.request(probe("http-call", { headers: [["x-cluster", "no-such-cluster"]] }));
  assert.equal(r.forwarded, true);
  assert.equal(one(r.request!.headers, "x-probe-call-error"), "2");
  assert.equal(one(r.request!.headers, "x-probe-token"), undefined);
});

test("http-call-local: the callout handler answers with a local reply", async (t) => {
  const target = await httpServer(t, (_req, res) => { res.writeHead(202); res.end("hello"); });
  const host = probeHost(t, { clusters: { web: target, dead: await deadAddress() } });
  const r = await host.request(probe("http-call-local", { headers: [["x-cluster", "web"]] }));
  assert.equal(r.forwarded, false);
  assert.equal(r.localReply, true);
  assert.equal(r.details, "probe_callout_echo");
  assert.equal(r.response.status, 200);
  assert.equal(r.response.body, "status=202\nhello");
  assert.equal(one(r.response.headers, "x-sdk-probe"), "http-call-local");

  const dead = await host.request(probe("http-call-local", { headers: [["x-cluster", "dead"]] }));
  assert.equal(dead.response.status, 200);
  assert.match(dead.response.body, /^status=503\nupstream connect error/);
});

test("http-call-orphan: the response for a stream already gone is dropped, no trap", async (t) => {
  let answer!: () => void;
  const asked = new Promise<void>((r) => { answer = r; });
  const pending: http.ServerResponse[] = [];
  const target = await httpServer(t, (_req, res) => { pending.push(res); answer(); });
  const host = probeHost(t, { clusters: { web: target }, logLevel: "debug" });
  const r = await host.request(probe("http-call-orphan", { headers: [["x-cluster", "web"]] }));
  assert.equal(r.forwarded, true);
  assert.equal(r.response.status, 200);
  assert.ok(Number(one(r.request!.headers, "x-probe-token")) > 0);
  await asked;
  for (const res of pending) res.end("late");
  await until(() => host.logs().some((l) => /sdk: dropped callout response \d+ for gone stream \d+/.test(l.line)), 2000, "the dropped-response debug line");
  assert.ok(!host.logs().some((l) => l.line.includes("orphan response delivered")), "the handler of a gone stream is not called");
  assert.ok(!host.logs().some((l) => l.level === "critical" || l.line.includes("failed: Uncaught")), "no trap");
  // The gauge is refreshed in onLog: the next request publishes it.
  const next = await host.request({});
  assert.equal(next.response.status, 200, "the VM is healthy");
  assert.equal(next.metrics["sdk_probe.dropped_responses"], 1);
});

function grpcServer(t: T, handlers: Record<string, grpc.UntypedHandleCall>, kinds: Record<string, "unary" | "bidi">): Promise<string> {
  const server = new grpc.Server();
  const id = (b: Buffer) => b;
  for (const [path, h] of Object.entries(handlers)) server.register(path, h, id, id, kinds[path]);
  t.after(() => server.forceShutdown());
  return new Promise((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, port) => (e ? reject(e) : resolve(`127.0.0.1:${port}`))));
}

test("grpc-call: unary probe.Echo/Echo with metadata; the reply is echoed and the request continues", async (t) => {
  const target = await grpcServer(t, {
    "/probe.Echo/Echo": ((call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      cb(null, Buffer.from(`echo:${call.request.toString()}:${call.metadata.get("x-probe").join(",")}`));
    }) as grpc.UntypedHandleCall,
  }, { "/probe.Echo/Echo": "unary" });
  const host = probeHost(t, { clusters: { g: target } });
  const r = await host.request(probe("grpc-call", { headers: [["x-cluster", "g"], ["x-grpc-message", "hi"]] }));
  const h = r.request!.headers;
  assert.equal(r.forwarded, true);
  assert.equal(one(h, "x-probe-grpc-status"), "0");
  assert.equal(one(h, "x-probe-grpc-message"), "echo:hi:1");
  assert.equal(one(h, "x-probe-grpc-size"), String("echo:hi:1".length));
});

test("grpc-call: a server error and a dead target reach the handler as a status", async (t) => {
  const target = await grpcServer(t, {
    "/probe.Echo/Echo": ((_call: unknown, cb: grpc.sendUnaryData<Buffer>) => {
      cb({ code: grpc.status.PERMISSION_DENIED, details: "nope" });
    }) as grpc.UntypedHandleCall,
  }, { "/probe.Echo/Echo": "unary" });
  const host = probeHost(t, { clusters: { g: target, dead: await deadAddress() } });
  const denied = await host.request(probe("grpc-call", { headers: [["x-cluster", "g"]] }));
  assert.equal(one(denied.request!.headers, "x-probe-grpc-status"), "7");
  assert.equal(one(denied.request!.headers, "x-probe-grpc-error"), "7 nope");
  const dead = await host.request(probe("grpc-call", { headers: [["x-cluster", "dead"]] }));
  assert.equal(one(dead.request!.headers, "x-probe-grpc-status"), "14");
  assert.match(one(dead.request!.headers, "x-probe-grpc-error")!, /^14 /);
  assert.equal(dead.forwarded, true);
});

test("grpc-stream: probe.Echo/Stream, two messages back, closed with OK", async (t) => {
  const target = await grpcServer(t, {
    "/probe.Echo/Stream": ((call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
      call.on("data", (d: Buffer) => { call.write(Buffer.from("a:" + d)); call.write(Buffer.from("b:" + d)); });
      call.on("end", () => call.end());
    }) as grpc.UntypedHandleCall,
  }, { "/probe.Echo/Stream": "bidi" });
  const host = probeHost(t, { clusters: { g: target } });
  const r = await host.request(probe("grpc-stream", { headers: [["x-cluster", "g"], ["x-grpc-message", "yo"]] }));
  const v = one(r.request!.headers, "x-probe-grpc-stream")!;
  assert.match(v, /^status=0 messages=2 metadata=\d+ last=b:yo$/);
  assert.ok(Number(/metadata=(\d+)/.exec(v)![1]) >= 1, "initial metadata was delivered");
  assert.equal(r.forwarded, true);
});

test("queue: enqueue is Ok; onQueueReady runs later and dequeues every item", async (t) => {
  const host = probeHost(t, { workers: 2 });
  const a = await host.request(probe("queue", { headers: [["x-queue-item", "first"]] }));
  const b = await host.request(probe("queue", { headers: [["x-queue-item", "second"]] }));
  assert.equal(one(a.request!.headers, "x-probe-queue-status"), "0");
  assert.equal(one(b.request!.headers, "x-probe-queue-status"), "0");
  assert.ok(!a.logs.some((l) => l.message.includes("dequeued")), "delivery is asynchronous, not inside the enqueueing call");
  await until(() => host.metrics()["sdk_probe.dequeued"] === 2, 2000, "two dequeued items");
  const lines = host.logs().filter((l) => l.line.includes("sdk-probe: dequeued")).map((l) => l.line.replace(/^.*sdk-probe: /, ""));
  assert.deepEqual(lines, ["dequeued first", "dequeued second"]);
});

test("queue-resolve: the registered queue resolves, an unknown one gives 0", async (t) => {
  const host = probeHost(t);
  const r = await host.request(probe("queue-resolve"));
  assert.ok(Number(one(r.request!.headers, "x-probe-queue-token")) > 0);
  assert.equal(one(r.request!.headers, "x-probe-queue-missing"), "0");
});

test("config tick_ms: onTick runs periodically", async (t) => {
  const host = probeHost(t, { config: { tick_ms: 5 } });
  await until(() => (host.metrics()["sdk_probe.ticks"] as number) >= 3, 2000, "3 ticks");
  const r = await host.request({});
  assert.equal(r.response.status, 200);
});

test("config delay_done: accepted; the plugin runs normally (root on_done is only seen at shutdown)", async (t) => {
  const host = probeHost(t, { config: { delay_done: true, tick_ms: 5 } });
  const r = await host.request(probe("headers-set"));
  assert.equal(one(r.request!.headers, "x-set"), "v");
  await until(() => (host.metrics()["sdk_probe.ticks"] as number) >= 1, 2000, "a tick");
});
