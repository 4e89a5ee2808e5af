// Pitfalls 8 and 9: strict ABI linking (Envoy's load errors) and the restricted phases (VM start, malloc).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHost, LoadError } from "../../host/index.ts";
import { host, mod, messages, value, header } from "./helpers.ts";

function loadFails(name: string, message: RegExp): void {
  assert.throws(() => createHost({ module: mod(name) }), (e: unknown) => {
    assert.ok(e instanceof LoadError, `expected LoadError, got ${String(e)}`);
    assert.match((e as Error).message, message);
    return true;
  });
}

test("pitfall 8: importing AssemblyScript's env.abort fails the load", () => {
  loadFails("load-abort", /^Failed to load Wasm module due to a missing import: env\.abort$/);
});

test("pitfall 8: a 0.2.0 module importing proxy_get_log_level fails the load", () => {
  loadFails("load-020-log-level", /missing import: env\.proxy_get_log_level/);
});

test("pitfall 8: an import with the wrong signature fails the load", () => {
  loadFails("load-import-mismatch", /import type mismatch for function env\.proxy_get_status/);
});

test("pitfall 8: an exported callback with the wrong signature fails the load", () => {
  loadFails("load-export-mismatch", /^Bad function signature for: proxy_on_request_headers/);
});

test("pitfall 8: a module without an ABI marker fails the load", () => {
  loadFails("load-no-marker", /^Missing or unknown Proxy-Wasm ABI version$/);
});

test("pitfall 8: a module without malloc or proxy_on_memory_allocate fails the load", () => {
  loadFails("load-no-malloc", /^Wasm module is missing malloc function\.$/);
});

test("pitfall 8: an ABI 0.1.0 module loads and serves (2-param headers callbacks, missing key is Ok and empty)", async (t) => {
  const h = host(t, { module: mod("abi-010") });
  const out = await h.request({ path: "/" });
  assert.equal(value(out.logs, "missing"), "0");
  assert.equal(value(out.logs, "missing_len"), "0");
  assert.equal(header(out.request?.headers, "x-abi"), "0.1.0");
  assert.equal(header(out.response.headers, "x-abi"), "0.1.0");
});

test("pitfall 8: an ABI 0.2.0 module loads and serves (3-param headers callbacks, missing key is NotFound)", async (t) => {
  const h = host(t, { module: mod("abi-020") });
  const out = await h.request({ path: "/" });
  assert.equal(value(out.logs, "missing"), "1");
  assert.equal(value(out.logs, "eos"), "1");
  assert.equal(header(out.request?.headers, "x-abi"), "0.2.0");
});

test("§1.1: malloc is preferred over proxy_on_memory_allocate", async (t) => {
  const h = host(t, { module: mod("malloc-preferred") });
  const out = await h.request({ path: "/x" });
  assert.equal(value(out.logs, "get"), "0");
  assert.deepEqual(messages(out.logs).filter((m) => m === "malloc"), ["malloc"]);
});

test("pitfall 9: proxy_get_property during _initialize traps: the VM fails to start and createHost throws", () => {
  assert.throws(() => createHost({ module: mod("restricted-start-property") }), /restricted_callback/);
});

test("pitfall 9: proxy_define_metric during _initialize traps: createHost throws", () => {
  assert.throws(() => createHost({ module: mod("restricted-start-metric") }), /restricted_callback/);
});

test("pitfall 9: a host call inside proxy_on_memory_allocate traps (logging there is allowed)", async (t) => {
  const h = host(t, { module: mod("restricted-malloc") });
  const out = await h.request({ path: "/" });
  assert.ok(messages(out.logs).includes("allocating"), "proxy_log is allowed inside malloc");
  assert.equal(value(out.logs, "pairs"), undefined, "the host call never returned");
  assert.equal(out.response.status, 503);
  assert.equal(out.details, "wasm_fail_stream");
  assert.ok(out.logs.some((l) => l.level === "error" && /restricted_callback/.test(l.message)));
  assert.equal(h.filters[0].workers[0].vm!.failed, true);
  assert.ok(!messages(out.logs).includes("on_log"), "no callbacks after the trap");
});
