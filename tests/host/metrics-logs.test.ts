// Pitfalls 16, 17 and 18: metrics (counters only go up, record adds, ids carry the type, values are
// process-wide), logging (level filter, get_log_level, fd_write), and memory that persists per VM.
import { test } from "node:test";
import assert from "node:assert/strict";
import { host, mod, messages, value } from "./helpers.ts";

test("pitfall 16: counter increments ≤ 0 are BadArgument, record on a counter adds, get on a histogram is BadArgument", async (t) => {
  const h = host(t, { module: mod("metrics") });
  const out = await h.request({ path: "/" });
  assert.equal(value(out.logs, "inc_zero"), "2");
  assert.equal(value(out.logs, "inc_negative"), "2");
  assert.equal(value(out.logs, "inc_one"), "0");
  assert.equal(value(out.logs, "record_counter"), "0");
  assert.equal(value(out.logs, "get_counter"), "0");
  assert.equal(value(out.logs, "counter"), "6", "1 + record(5) adds: 6, not 5");
  assert.equal(value(out.logs, "get_histogram"), "2");
  assert.equal(value(out.logs, "record_histogram"), "0");
  assert.equal(value(out.logs, "gauge_down"), "0", "a gauge may go down");
  assert.equal(out.metrics["test.counter"], 6);
  assert.deepEqual(out.metrics["test.histogram"], [7]);
});

test("pitfall 16: metric ids carry the type in their low 2 bits", async (t) => {
  const h = host(t, { module: mod("metrics") });
  const out = await h.request({ path: "/" });
  assert.equal(Number(value(out.logs, "counter_id")) & 3, 0);
  assert.equal(Number(value(out.logs, "gauge_id")) & 3, 1);
  assert.equal(Number(value(out.logs, "histogram_id")) & 3, 2);
});

test("pitfall 16: values aggregate across worker VMs", async (t) => {
  const h = host(t, { module: mod("metrics"), workers: 2 });
  await h.request({ path: "/" }, { worker: 0 });
  const out = await h.request({ path: "/" }, { worker: 1 });
  assert.equal(value(out.logs, "counter"), "12", "worker 1 reads the process-wide value");
  assert.equal(h.metrics()["test.counter"], 12);
});

test("pitfall 17: a debug log is dropped at Envoy's default info level; get_log_level reports the level", async (t) => {
  const h = host(t, { module: mod("logging") });
  const out = await h.request({ path: "/" });
  const msgs = messages(out.logs);
  assert.ok(!msgs.includes("debug-line"));
  assert.ok(msgs.includes("info-line"));
  assert.equal(value(out.logs, "level_rc"), "0");
  assert.equal(value(out.logs, "level"), "2", "info");
  assert.equal(value(out.logs, "bad_level"), "2", "level > 5 → BadArgument");
  assert.ok(!msgs.includes("never"));
});

test("pitfall 17: with the wasm logger at debug, debug logs are kept", async (t) => {
  const h = host(t, { module: mod("logging"), logLevel: "debug" });
  const out = await h.request({ path: "/" });
  assert.ok(messages(out.logs).includes("debug-line"));
  assert.equal(value(out.logs, "level"), "1");
});

test("pitfall 17: fd_write to stdout/stderr is logged at info/error with one trailing newline stripped", async (t) => {
  const h = host(t, { module: mod("logging") });
  const out = await h.request({ path: "/" });
  assert.equal(value(out.logs, "stdout"), "0");
  assert.equal(value(out.logs, "stderr"), "0");
  assert.equal(value(out.logs, "written"), "11", "nwritten counts the bytes written");
  assert.equal(value(out.logs, "bad_fd"), "8", "other fds → EBADF");
  const stdout = out.logs.find((l) => l.message.endsWith(": to stdout"));
  const stderr = out.logs.find((l) => l.message.endsWith(": to stderr\n"));
  assert.equal(stdout?.level, "info");
  assert.equal(stderr?.level, "error", "only one of the two newlines is stripped");
});

async function pagesAfter(t: { after(fn: () => void): void }, config: string, requests: number): Promise<[number, number]> {
  const h = host(t, { module: mod("memory"), config });
  const vm = h.filters[0].workers[0].vm!;
  await h.request({ path: "/" });
  const before = vm.memoryPages();
  const big: [string, string][] = [["x-payload", "p".repeat(2000)]];
  for (let i = 0; i < requests; i++) await h.request({ path: "/", headers: big });
  return [before, vm.memoryPages()];
}

test("pitfall 18: module memory persists across requests: a leaking allocator grows, a freeing one stays flat", async (t) => {
  const [leakBefore, leakAfter] = await pagesAfter(t, "leak", 2000);
  assert.ok(leakAfter - leakBefore >= 50, `leaking module grew from ${leakBefore} to ${leakAfter} pages`);
  const [flatBefore, flatAfter] = await pagesAfter(t, "free", 2000);
  assert.equal(flatAfter, flatBefore, "memory is not reset between requests, but nothing accumulates either");
});
