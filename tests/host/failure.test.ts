// Pitfall 10: a trap fails the VM of one worker. The in-flight stream gets 503 wasm_fail_stream; later
// requests follow failure_policy; other workers are unaffected; proc_exit does not stop execution.
import { test } from "node:test";
import assert from "node:assert/strict";
import { host, mod, sleep, value, values, header } from "./helpers.ts";

const trap = { path: "/", headers: [["x-trap", "1"]] as [string, string][] };

test("pitfall 10: a trap answers the in-flight request 503 wasm_fail_stream, with no on_log/on_done/on_delete", async (t) => {
  const h = host(t, { module: mod("trap") });
  const ok = await h.request({ path: "/" });
  assert.equal(value(ok.logs, "count"), "1");
  assert.deepEqual([values(ok.logs, "log").length, values(ok.logs, "done").length, values(ok.logs, "delete").length], [1, 1, 1]);
  const out = await h.request(trap);
  assert.equal(value(out.logs, "count"), "2");
  assert.equal(out.forwarded, false);
  assert.equal(out.response.status, 503);
  assert.equal(out.details, "wasm_fail_stream");
  assert.ok(out.logs.some((l) => l.level === "error" && /Function: proxy_on_request_headers failed: Uncaught RuntimeError: unreachable/.test(l.message)));
  assert.deepEqual([...values(out.logs, "log"), ...values(out.logs, "done"), ...values(out.logs, "delete")], []);
});

test("pitfall 10: FAIL_CLOSED (default): later requests on that worker get 503", async (t) => {
  const h = host(t, { module: mod("trap") });
  await h.request(trap);
  const out = await h.request({ path: "/" });
  assert.equal(out.response.status, 503);
  assert.equal(out.details, "wasm_fail_stream");
  assert.equal(out.forwarded, false);
  assert.deepEqual(values(out.logs, "count"), [], "the plugin is not called");
});

test("pitfall 10: FAIL_OPEN: later requests bypass the filter untouched", async (t) => {
  const h = host(t, { module: mod("trap"), failurePolicy: "FAIL_OPEN" });
  const first = await h.request(trap);
  assert.equal(first.response.status, 503, "the in-flight stream still fails closed (only legacy fail_open changes that)");
  const out = await h.request({ path: "/" });
  assert.equal(out.forwarded, true);
  assert.equal(out.response.status, 200);
  assert.equal(header(out.request?.headers, "x-count"), undefined, "the plugin did not touch the request");
  assert.deepEqual(values(out.logs, "count"), []);
});

test("pitfall 10: FAIL_RELOAD (≥1.33): a fresh VM serves after the backoff, with in-VM state reset", async (t) => {
  const h = host(t, { module: mod("trap"), envoyVersion: "1.33", failurePolicy: "FAIL_RELOAD", reloadBackoffMs: 40 });
  assert.equal(value((await h.request({ path: "/" })).logs, "count"), "1");
  assert.equal(value((await h.request(trap)).logs, "count"), "2");
  const during = await h.request({ path: "/" });
  assert.equal(during.response.status, 503, "fail closed while in backoff");
  await sleep(60);
  const after = await h.request({ path: "/" });
  assert.equal(after.forwarded, true);
  assert.equal(value(after.logs, "count"), "1", "the module global restarted in the new VM");
  assert.equal(header(after.request?.headers, "x-count"), "1");
  assert.equal(h.filters[0].workers[0].vm!.failed, false);
});

test("pitfall 10: FAIL_RELOAD needs Envoy ≥ 1.33 (before that the worker stays failed closed)", async (t) => {
  const h = host(t, { module: mod("trap"), envoyVersion: "1.32", failurePolicy: "FAIL_RELOAD", reloadBackoffMs: 1 });
  await h.request(trap);
  await sleep(10);
  const out = await h.request({ path: "/" });
  assert.equal(out.response.status, 503);
});

test("pitfall 10: other workers are unaffected by a trap on worker 0", async (t) => {
  const h = host(t, { module: mod("trap"), workers: 2 });
  assert.equal(value((await h.request({ path: "/" }, { worker: 1 })).logs, "count"), "1");
  await h.request(trap, { worker: 0 });
  assert.equal(h.filters[0].workers[0].vm!.failed, true);
  assert.equal(h.filters[0].workers[1].vm!.failed, false);
  const w0 = await h.request({ path: "/" }, { worker: 0 });
  assert.equal(w0.response.status, 503);
  const w1 = await h.request({ path: "/" }, { worker: 1 });
  assert.equal(w1.forwarded, true);
  assert.equal(value(w1.logs, "count"), "2", "worker 1 still runs the filter, with its own state");
});

test("pitfall 10: proc_exit does not stop execution", async (t) => {
  const h = host(t, { module: mod("trap") });
  const out = await h.request({ path: "/", headers: [["x-exit", "1"]] });
  assert.equal(value(out.logs, "after_exit"), undefined, "after_exit is a plain message, not a tag");
  assert.ok(out.logs.some((l) => l.message.endsWith(": after_exit")));
  assert.equal(out.forwarded, true);
  assert.equal(h.filters[0].workers[0].vm!.failed, false);
  assert.equal(value((await h.request({ path: "/" })).logs, "count"), "2");
});

test("pitfall 10: legacy fail_open lets the in-flight stream continue without the plugin", async (t) => {
  const h = host(t, { module: mod("trap"), failOpen: true });
  const out = await h.request(trap);
  assert.equal(out.forwarded, true);
  assert.equal(out.response.status, 200);
  const next = await h.request({ path: "/" });
  assert.equal(next.forwarded, true);
  assert.deepEqual(values(next.logs, "count"), []);
});
