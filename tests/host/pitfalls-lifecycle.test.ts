// Pitfalls 4 and 5: the order of the stream-context callbacks, and root contexts (ids, multiplicity,
// a rejected configuration).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError } from "../../host/index.ts";
import { host, mod, messages, trace, values } from "./helpers.ts";

const STREAM_CALLBACKS = ["create", "request_headers", "response_headers", "log", "done", "delete"];

test("pitfall 4: on_log comes before on_done and on_delete", async (t) => {
  const h = host(t, { module: mod("lifecycle") });
  const out = await h.request({ path: "/" });
  assert.deepEqual(trace(out.logs, STREAM_CALLBACKS), [
    "create=2", "request_headers=2", "response_headers=2", "log=2", "done=2", "delete=2",
  ]);
  // on_done returned 0, which is ignored for stream contexts: the context is deleted anyway.
  const second = await h.request({ path: "/" });
  assert.deepEqual(trace(second.logs, STREAM_CALLBACKS).at(-1), "delete=3");
  assert.equal(h.filters[0].workers[0].vm!.contexts.has(2), false);
});

test("pitfall 4: a filter whose request phase was skipped still gets on_context_create → on_log → on_done → on_delete", async (t) => {
  // The first filter answers locally from on_request_headers, so the second never sees decodeHeaders.
  const h = host(t, { filters: [{ module: mod("local-reply"), name: "deny" }, { module: mod("lifecycle"), name: "life" }] });
  const out = await h.request({ path: "/" });
  assert.equal(out.response.status, 403);
  const life = out.logs.filter((l) => l.message.startsWith("wasm log life"));
  assert.deepEqual(trace(life, STREAM_CALLBACKS), ["create=2", "log=2", "done=2", "delete=2"]);
});

test("pitfall 5: on_context_create, on_vm_start and on_configure get the root context id, not 0", async (t) => {
  const h = host(t, { module: mod("root-lifecycle"), workers: 1 });
  const all = h.logs();
  assert.ok(values(all, "vm_start").length > 0);
  for (const tag of ["root_create", "vm_start", "configure"]) {
    assert.deepEqual([...new Set(values(all, tag))], ["1"], `${tag} receives root id 1`);
  }
  const out = await h.request({ path: "/" });
  assert.deepEqual(values(out.logs, "request_headers"), ["2"], "stream ids follow the root's in the same VM");
});

test("pitfall 5: with 3 workers _initialize runs 6 times (base, canary, main, 3 workers) and on_configure 5 times", (t) => {
  const h = host(t, { module: mod("root-lifecycle"), workers: 3 });
  const all = h.logs();
  assert.equal(messages(all).filter((m) => m === "init").length, 6);
  assert.equal(values(all, "vm_start").length, 5);
  assert.equal(values(all, "configure").length, 5);
  assert.deepEqual(new Set(all.filter((r) => messages([r])[0]?.startsWith("configure=")).map((r) => r.vm)),
    new Set(["canary", "main", "worker 0", "worker 1", "worker 2"]));
});

test("pitfall 5: on_configure returning 0 rejects the configuration (createHost throws ConfigError)", () => {
  assert.throws(() => createRejected(), (e: unknown) => e instanceof ConfigError && /Unable to create Wasm plugin/.test((e as Error).message));
});

function createRejected() {
  // Not through host(): createHost must throw, so there is nothing to close.
  return host({ after() {} }, { module: mod("root-lifecycle"), config: "reject", name: "strict" });
}
