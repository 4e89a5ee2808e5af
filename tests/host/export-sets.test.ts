// The SDK's callback sets (assembly/abi/exports.ts): a module exports only the sets its entry file
// picks, Envoy (and this host) skip callbacks a module does not export, and an SDK feature whose
// callbacks are missing fails with Unimplemented and a log line naming the file to export, instead
// of starting something whose result would never arrive.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { host, messages, mod, values } from "./helpers.ts";

const exportsOf = (file: string) =>
  WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(file))).filter((e) => e.kind === "function").map((e) => e.name).sort();

const CORE = [
  "_initialize", "proxy_abi_version_0_2_1", "proxy_on_configure", "proxy_on_context_create", "proxy_on_delete", "proxy_on_done",
  "proxy_on_log", "proxy_on_memory_allocate", "proxy_on_request_headers", "proxy_on_response_headers", "proxy_on_vm_start",
];
const BODIES = ["proxy_on_request_body", "proxy_on_request_trailers", "proxy_on_response_body", "proxy_on_response_trailers"];
const CALLOUTS = ["proxy_on_grpc_close", "proxy_on_grpc_receive", "proxy_on_grpc_receive_initial_metadata", "proxy_on_grpc_receive_trailing_metadata", "proxy_on_http_call_response"];
const EVENTS = ["proxy_on_foreign_function", "proxy_on_queue_ready", "proxy_on_tick"];

test("the core set is exactly the lifecycle and header callbacks (the headers filter leaves out on_log); the full set adds bodies, callouts and events", () => {
  assert.deepEqual(exportsOf(mod("core-only")), CORE);
  assert.deepEqual(exportsOf("build/headers.wasm"), CORE.filter((e) => e !== "proxy_on_log"),
    "the headers filter reads no bodies, makes no callouts and does nothing at log time (so it leaves proxy_on_log out)");
  assert.deepEqual(exportsOf("build/baseline.wasm"), CORE, "the empty baseline exports what the smallest filter does");
  assert.deepEqual(exportsOf(mod("sdk-probe")), [...CORE, ...BODIES, ...CALLOUTS, ...EVENTS].sort());
});

test("without the event set, setTickPeriod and registerSharedQueue refuse with a log line naming the file", (t) => {
  const h = host(t, { module: mod("core-only"), config: {} });
  const logs = h.logs();
  // Every VM (the canary and each worker's) configures, so each logs its own pair.
  const ticks = values(logs, "tick");
  assert.ok(ticks.length >= 1);
  assert.deepEqual(ticks, ticks.map(() => "12"), "Unimplemented");
  assert.deepEqual(values(logs, "queue"), ticks.map(() => "0"), "no token");
  const refusals = messages(logs).filter((m) => m.includes("sdk/exports/events"));
  assert.equal(refusals.length, 2 * ticks.length);
  assert.match(refusals[0], /^sdk: ticks and shared queues need the event callbacks: export \* from ".*\/assembly\/sdk\/exports\/events" in the filter's entry file$/);
  assert.equal(logs.filter((l) => l.level === "error" && l.line.includes("sdk/exports/events")).length, 2 * ticks.length, "logged at error");
});

test("without the callout set, httpCall refuses; without the body set, bodies pass through with no VM call", async (t) => {
  const h = host(t, { module: mod("core-only"), config: {}, clusters: { side: "127.0.0.1:9" } });
  const r = await h.request({ method: "POST", path: "/upload", authority: "shop", body: "payload", response: { status: 200, body: "done" } });
  assert.equal(r.forwarded, true);
  assert.equal(r.request!.body, "payload", "the request body reaches the upstream unchanged");
  assert.equal(r.response.status, 200);
  assert.equal(r.response.body, "done");
  assert.deepEqual(values(r.logs, "http_call"), ["12,0"], "Unimplemented, no token");
  assert.ok(messages(r.logs).some((m) => /^sdk: callouts need the callout callbacks: export \* from ".*\/assembly\/sdk\/exports\/callouts"/.test(m)));
  assert.deepEqual(values(r.logs, "body"), [], "the module's body hooks are not exports, so they never run");
});
