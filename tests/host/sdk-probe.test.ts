// tests/modules/sdk-probe through the host, the way Envoy would run it: one test per `x-probe` action
// (the table at the top of tests/modules/sdk-probe/index.ts), asserting what a filter author would
// notice (headers the upstream sees, the client's response, logs, metrics). Callouts, queues and
// ticks are in sdk-probe-callouts.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHost, type HostOptions, type RequestSpec } from "../../host/index.ts";
import { mod, PROBE } from "./helpers.ts";

type Pairs = ReadonlyArray<readonly [string, string]> | undefined;
const all = (pairs: Pairs, name: string) => (pairs ?? []).filter(([k]) => k === name).map(([, v]) => v);
const one = (pairs: Pairs, name: string) => {
  const v = all(pairs, name);
  assert.ok(v.length <= 1, `${name} appears ${v.length} times: ${v.join(", ")}`);
  return v[0];
};

function probeHost(t: { after(fn: () => void): void }, opts: Partial<HostOptions> = {}) {
  const host = createHost({ module: mod(PROBE), ...opts });
  t.after(() => host.close());
  return host;
}

const probe = (action: string, extra: RequestSpec = {}): RequestSpec =>
  ({ ...extra, headers: [["x-probe", action], ...(extra.headers ?? [])] });

test("headers-read: get, getAll, pairs and byteSize of the request headers", async (t) => {
  const host = probeHost(t);
  const r = await host.request(probe("headers-read", { headers: [["x-probe-in", "hello"], ["x-multi", "a"], ["x-multi", "b"]] }));
  assert.equal(r.forwarded, true);
  const h = r.request!.headers;
  assert.equal(one(h, "x-probe-get"), "hello");
  assert.equal(one(h, "x-probe-all"), "a|b");
  assert.equal(one(h, "x-probe-missing"), "<null>");
  // The module adds x-probe-get and x-probe-all, then counts the pairs, adds x-probe-count, then
  // takes the byte size (sum of name and value lengths), so each sees the headers added before it.
  const upTo = (name: string) => h.slice(0, h.findIndex(([k]) => k === name));
  assert.equal(one(h, "x-probe-count"), String(upTo("x-probe-count").length));
  assert.equal(one(h, "x-probe-size"), String(upTo("x-probe-size").reduce((n, [k, v]) => n + k.length + v.length, 0)));
  assert.equal(one(r.response.headers, "x-sdk-probe"), "headers-read");

  const none = await host.request(probe("headers-read"));
  assert.equal(one(none.request!.headers, "x-probe-get"), "<null>");
  assert.equal(one(none.request!.headers, "x-probe-all"), "");
});

test("headers-set: set replaces, add appends, remove removes", async (t) => {
  const host = probeHost(t);
  const r = await host.request(probe("headers-set", { headers: [["x-set", "old1"], ["x-set", "old2"], ["x-add", "first"], ["x-remove", "gone"]] }));
  const h = r.request!.headers;
  assert.deepEqual(all(h, "x-set"), ["v"], "set leaves a single value");
  assert.deepEqual(all(h, "x-add"), ["first", "a"], "add appends");
  assert.deepEqual(all(h, "x-remove"), []);
});

test("headers-pairs: setPairs keeps every original header and adds x-pairs", async (t) => {
  const host = probeHost(t);
  const r = await host.request(probe("headers-pairs", { headers: [["x-multi", "a"], ["x-multi", "b"], ["x-other", "o"]] }));
  const h = r.request!.headers;
  assert.deepEqual(all(h, "x-multi"), ["a", "b"]);
  assert.equal(one(h, "x-other"), "o");
  assert.equal(one(h, "x-pairs"), "1");
  assert.equal(one(h, ":path"), "/");
  assert.equal(one(h, "x-probe"), "headers-pairs");
});

test("late-read: request headers are gone in the response phase (null, no trap)", async (t) => {
  const host = probeHost(t);
  const r = await host.request(probe("late-read", { path: "/late" }));
  assert.equal(r.response.status, 200);
  assert.equal(r.details, "via_upstream");
  assert.equal(one(r.response.headers, "x-probe-late-path"), "<null>");
  assert.equal(r.logs.filter((l) => l.level === "critical" || l.level === "error").length, 0, "no trap");
});

test("props: string, int, bool, map and list from the request's properties", async (t) => {
  const host = probeHost(t);
  const r = await host.request(probe("props", {
    path: "/props?x=1",
    headers: [["x-prop-string", "probe.str"], ["x-prop-int", "probe.n"], ["x-prop-bool", "probe.b"], ["x-prop-map", "probe.m"], ["x-prop-list", "probe.l"]],
    properties: { "probe.str": "s", "probe.n": 42, "probe.b": true, "probe.m": { a: "1", b: "2", c: "3" }, "probe.l": ["x", "y"] },
  }));
  const h = r.request!.headers;
  assert.equal(one(h, "x-probe-path"), "/props?x=1");
  assert.equal(one(h, "x-probe-prop-string"), "s");
  assert.equal(one(h, "x-probe-prop-int"), "42");
  assert.equal(one(h, "x-probe-prop-bool"), "true");
  assert.equal(one(h, "x-probe-prop-map"), "3");
  assert.equal(one(h, "x-probe-prop-list"), "x,y");
});

test("props: computed values (source.address, source.port, connection.mtls, request.headers) and a missing path", async (t) => {
  const host = probeHost(t);
  const r = await host.request(probe("props", {
    source: "10.1.2.3:4567",
    headers: [["x-prop-string", "source.address"], ["x-prop-int", "source.port"], ["x-prop-bool", "connection.mtls"], ["x-prop-map", "request.headers"], ["x-prop-list", "no.such.path"]],
  }));
  const h = r.request!.headers;
  assert.equal(one(h, "x-probe-prop-string"), "10.1.2.3:4567");
  assert.equal(one(h, "x-probe-prop-int"), "4567");
  assert.equal(one(h, "x-probe-prop-bool"), "false");
  // request.headers was read after the module added 4 headers and before it added the last 2.
  assert.equal(one(h, "x-probe-prop-map"), String(h.length - 2));
  assert.equal(one(h, "x-probe-prop-list"), "<missing>");
});

test("set-property: setProperty then getProperty round-trips", async (t) => {
  const host = probeHost(t);
  const r = await host.request(probe("set-property"));
  assert.equal(one(r.request!.headers, "x-probe-set-status"), "0");
  assert.equal(one(r.request!.headers, "x-probe-roundtrip"), "hello");
});

test("local-reply: 418 teapot, not forwarded, the plugin's response hook still runs", async (t) => {
  const host = probeHost(t);
  const r = await host.request(probe("local-reply"));
  assert.equal(r.forwarded, false);
  assert.equal(r.localReply, true);
  assert.equal(r.details, "probe_local");
  assert.equal(r.response.status, 418);
  assert.equal(r.response.body, "teapot\n");
  assert.equal(one(r.response.headers, "x-local"), "1");
  assert.equal(one(r.response.headers, "content-type"), "text/plain");
  assert.equal(one(r.response.headers, "content-length"), "7");
  assert.equal(one(r.response.headers, "x-sdk-probe"), "local-reply");
  assert.equal(one(r.response.headers, "grpc-status"), undefined);
});

test("local-reply to a gRPC request: trailers-only 200 with grpc-status and grpc-message", async (t) => {
  const host = probeHost(t);
  const r = await host.request(probe("local-reply", { method: "POST", protocol: "HTTP/2", headers: [["content-type", "application/grpc"], ["x-grpc-status", "7"]] }));
  assert.equal(r.forwarded, false);
  assert.equal(r.response.status, 200);
  assert.equal(r.response.body, "");
  assert.equal(one(r.response.headers, "content-type"), "application/grpc");
  assert.equal(one(r.response.headers, "grpc-status"), "7");
  assert.equal(one(r.response.headers, "grpc-message"), "teapot%0A");
  assert.equal(one(r.response.headers, "content-length"), undefined);
  assert.equal(one(r.response.headers, "x-local"), "1");

  const mapped = await host.request(probe("local-reply", { method: "POST", headers: [["content-type", "application/grpc"]] }));
  assert.equal(one(mapped.response.headers, "grpc-status"), "2", "no grpc status given: 418 maps to UNKNOWN");
});

test("local-reply with a grpc status to a plain HTTP request: Envoy ignores the grpc status", async (t) => {
  const host = probeHost(t);
  const r = await host.request(probe("local-reply", { headers: [["x-grpc-status", "7"]] }));
  assert.equal(r.response.status, 418);
  assert.equal(r.response.body, "teapot\n");
  assert.equal(one(r.response.headers, "grpc-status"), undefined);
});

test("shared-inc: CAS increments across 2 workers give each request a distinct value", async (t) => {
  const host = probeHost(t, { workers: 2 });
  const key = [["x-shared-key", "sdk-probe-test"]] as [string, string][];
  const before = await host.request(probe("shared-get", { headers: key }));
  assert.equal(one(before.request!.headers, "x-probe-shared-value"), "<missing>");
  assert.equal(one(before.request!.headers, "x-probe-shared-cas"), undefined);
  const rs = await Promise.all(Array.from({ length: 8 }, () => host.request(probe("shared-inc", { headers: key }))));
  assert.deepEqual(new Set(rs.map((r) => r.worker)), new Set([0, 1]));
  const values = rs.map((r) => Number(one(r.request!.headers, "x-probe-shared"))).sort((a, b) => a - b);
  assert.deepEqual(values, [1, 2, 3, 4, 5, 6, 7, 8]);
  for (const r of rs) assert.ok(Number(one(r.request!.headers, "x-probe-shared-tries")) >= 1);
  for (const worker of [0, 1]) {
    const got = await host.request(probe("shared-get", { headers: key }), { worker });
    assert.equal(one(got.request!.headers, "x-probe-shared-value"), "8", `worker ${worker} sees the process-wide value`);
    assert.ok(Number(one(got.request!.headers, "x-probe-shared-cas")) > 0);
  }
});

test("metrics: gauge set/add, histogram record, counter value and BadArgument results", async (t) => {
  const host = probeHost(t);
  await host.request({});
  const r = await host.request(probe("metrics"));
  const h = r.request!.headers;
  assert.equal(one(h, "x-probe-counter"), "2", "sdk_probe.requests counts every request");
  assert.equal(one(h, "x-probe-gauge"), "7");
  assert.equal(one(h, "x-probe-histogram-get"), "2", "a histogram cannot be read back (BadArgument)");
  assert.equal(one(h, "x-probe-counter-zero"), "2", "increment(0) is BadArgument");
  assert.equal(r.metrics["sdk_probe.requests"], 2);
  assert.equal(r.metrics["sdk_probe.gauge"], 7);
  assert.deepEqual(r.metrics["sdk_probe.histogram"], [42]);
});

test("log: default info level drops debug and trace", async (t) => {
  const host = probeHost(t);
  const r = await host.request(probe("log"));
  assert.equal(one(r.request!.headers, "x-probe-log-level"), "2");
  assert.equal(one(r.request!.headers, "x-probe-debug-enabled"), "0");
  const lines = r.logs.filter((l) => l.message.includes("sdk-probe: level")).map((l) => [l.level, l.message]);
  assert.deepEqual(lines, [
    ["info", "wasm log: sdk-probe: level 2"],
    ["warning", "wasm log: sdk-probe: level 3"],
    ["error", "wasm log: sdk-probe: level 4"],
    ["critical", "wasm log: sdk-probe: level 5"],
  ]);
});

test("log: logLevel debug keeps debug lines (trace still dropped)", async (t) => {
  const host = probeHost(t, { logLevel: "debug" });
  const r = await host.request(probe("log"));
  assert.equal(one(r.request!.headers, "x-probe-log-level"), "1");
  assert.equal(one(r.request!.headers, "x-probe-debug-enabled"), "1");
  const levels = r.logs.filter((l) => l.message.includes("sdk-probe: level")).map((l) => l.level);
  assert.deepEqual(levels, ["debug", "info", "warning", "error", "critical"]);
});

test("time: currentTimeNanos is wall-clock nanoseconds", async (t) => {
  const host = probeHost(t);
  const lo = BigInt(Date.now()) * 1_000_000n;
  const r = await host.request(probe("time"));
  const hi = BigInt(Date.now() + 1) * 1_000_000n;
  const ns = BigInt(one(r.request!.headers, "x-probe-time")!);
  assert.ok(ns >= lo - 1_000_000n && ns <= hi, `${ns} not within [${lo}, ${hi}]`);
});

test("vm-config: onVmStart sees the VM configuration", async (t) => {
  const text = await probeHost(t, { vmConfig: "vm-config-text" }).request(probe("vm-config"));
  assert.equal(one(text.request!.headers, "x-probe-vm-config"), "vm-config-text");
  const obj = await probeHost(t, { vmConfig: { a: 1 } }).request(probe("vm-config"));
  assert.equal(one(obj.request!.headers, "x-probe-vm-config"), '{"a":1}');
  const none = await probeHost(t).request(probe("vm-config"));
  assert.equal(one(none.request!.headers, "x-probe-vm-config"), "");
});

test("config-late: the plugin configuration is not readable outside onConfigure", async (t) => {
  const host = probeHost(t, { config: { tick_ms: 0 } });
  const r = await host.request(probe("config-late"));
  assert.equal(one(r.request!.headers, "x-probe-config-late"), "<null>");
});

for (const [action, want] of [
  ["body-read", "read:9:abc-defgh"],
  ["body-prepend", "pre-abc-defgh"],
  ["body-append", "abc-defgh-post"],
  ["body-replace", "replaced"],
] as const) {
  test(`${action}: the upstream receives the buffered body transformed, without content-length`, async (t) => {
    const host = probeHost(t);
    const r = await host.request(probe(action, { method: "POST", headers: [["content-length", "9"]], bodyChunks: ["abc", "-de", "fgh"] }));
    assert.equal(r.forwarded, true);
    assert.equal(r.request!.body, want);
    assert.deepEqual(all(r.request!.headers, "content-length"), []);
    assert.equal(r.response.status, 200);
  });
}

test("body-response: the client body ends with -probe and content-length is gone", async (t) => {
  const host = probeHost(t);
  const r = await host.request(probe("body-response", { response: { status: 200, bodyChunks: ["up", "stream"] } }));
  assert.equal(r.response.body, "upstream-probe");
  assert.deepEqual(all(r.response.headers, "content-length"), []);
  assert.equal(r.request!.body, "", "the request body is untouched");
});

test("close: closeStream resets the stream; nothing goes upstream", async (t) => {
  let upstreamCalls = 0;
  const host = probeHost(t, { upstream: async () => { upstreamCalls++; return { status: 200, headers: [], body: [] }; } });
  const r = await host.request(probe("close"));
  assert.equal(r.reset, true);
  assert.equal(r.forwarded, false);
  assert.equal(r.localReply, false);
  assert.equal(upstreamCalls, 0);
});

test("foreign: compress works, an unknown function is NotFound", async (t) => {
  const host = probeHost(t);
  const input = "hello hello hello hello hello hello";
  const r = await host.request(probe("foreign", { headers: [["x-foreign-input", input]] }));
  const { deflateSync } = await import("node:zlib");
  assert.equal(one(r.request!.headers, "x-probe-foreign-status"), "0");
  assert.equal(one(r.request!.headers, "x-probe-foreign-size"), String(deflateSync(input).length));
  assert.equal(one(r.request!.headers, "x-probe-foreign-missing"), "1");
});

test("trap: 503 wasm_fail_stream, critical abort line, then the VM stays failed", async (t) => {
  const host = probeHost(t);
  const r = await host.request(probe("trap"));
  assert.equal(r.forwarded, false);
  assert.equal(r.response.status, 503);
  assert.equal(r.details, "wasm_fail_stream");
  assert.ok(r.logs.some((l) => l.level === "critical" && /^wasm log: abort: probe trap requested at tests\/modules\/sdk-probe\/index\.ts:\d+:\d+$/.test(l.message)), JSON.stringify(r.logs));
  assert.ok(r.logs.some((l) => l.level === "error" && l.message.startsWith("Function: proxy_on_request_headers failed: Uncaught RuntimeError: unreachable")));
  assert.equal(one(r.response.headers, "x-sdk-probe"), undefined, "later callbacks of the failed VM are skipped");
  const before = host.metrics()["sdk_probe.requests"];
  const next = await host.request({});
  assert.equal(next.response.status, 503);
  assert.equal(next.details, "wasm_fail_stream");
  assert.equal(host.metrics()["sdk_probe.requests"], before, "the failed VM is not called again");
});

test("trap on one worker leaves the other worker's VM serving", async (t) => {
  const host = probeHost(t, { workers: 2 });
  assert.equal((await host.request(probe("trap"), { worker: 0 })).response.status, 503);
  assert.equal((await host.request({}, { worker: 0 })).details, "wasm_fail_stream");
  const ok = await host.request(probe("headers-set"), { worker: 1 });
  assert.equal(ok.response.status, 200);
  assert.equal(one(ok.request!.headers, "x-set"), "v");
});

test("trap: Envoy's fail-closed reply to a plain HTTP request carries no grpc-status", async (t) => {
  const host = probeHost(t);
  const r = await host.request(probe("trap"));
  assert.equal(r.response.status, 503);
  assert.equal(one(r.response.headers, "grpc-status"), undefined);
});

test("no x-probe: the request passes and is counted; the response is marked none", async (t) => {
  const host = probeHost(t);
  const r = await host.request({ headers: [["x-remove", "kept"]], response: { status: 204 } });
  assert.equal(r.forwarded, true);
  assert.equal(one(r.request!.headers, "x-remove"), "kept");
  assert.equal(r.response.status, 204);
  assert.equal(one(r.response.headers, "x-sdk-probe"), "none");
  assert.equal(r.metrics["sdk_probe.requests"], 1);
});

test("config passthrough: no stream context, every stream passes untouched", async (t) => {
  const host = probeHost(t, { config: { passthrough: true } });
  const r = await host.request(probe("headers-set", { headers: [["x-remove", "kept"]] }));
  assert.equal(r.forwarded, true);
  assert.equal(one(r.request!.headers, "x-remove"), "kept");
  assert.equal(one(r.request!.headers, "x-set"), undefined);
  assert.equal(one(r.response.headers, "x-sdk-probe"), undefined);
  assert.equal(r.metrics["sdk_probe.requests"], 0);
});

test("a bad plugin configuration is refused at configure time", () => {
  assert.throws(() => createHost({ module: mod(PROBE), config: "{not json" }), (e: unknown) => {
    const logs = (e as { logs?: { line: string }[] }).logs ?? [];
    assert.ok(logs.some((l) => l.line.includes("sdk-probe: config:")), JSON.stringify(logs));
    return true;
  });
});
