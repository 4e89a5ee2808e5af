// examples/custom-filter through the host, as Envoy would run it: the user-visible contract of the
// "write your own filter" example (README), plus its bad-config behaviour.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHost, ConfigError } from "../../host/index.ts";

const MODULE = "build/custom-filter.wasm";
const CONFIG = { header: { name: "x-hello", value: "world" }, deny: ["/admin"] };
const header = (pairs: [string, string][] | undefined, name: string) => pairs?.filter(([k]) => k === name).map(([, v]) => v);

test("allowed request is forwarded with the configured header; response gets the marker", async (t) => {
  const host = createHost({ module: MODULE, name: "custom", config: CONFIG });
  t.after(() => host.close());
  const r = await host.request({ method: "GET", path: "/api/items?x=1", authority: "shop", headers: [["x-hello", "spoofed"]] });
  assert.equal(r.forwarded, true);
  assert.deepEqual(header(r.request!.headers, "x-hello"), ["world"], "the filter owns x-hello: the client's copy is replaced");
  assert.equal(r.response.status, 200);
  assert.deepEqual(header(r.response.headers, "x-custom-filter"), ["1"]);
});

test("denied path gets a 403 local reply that still runs the filter's response hook", async (t) => {
  const host = createHost({ module: MODULE, config: CONFIG });
  t.after(() => host.close());
  for (const path of ["/admin", "/admin/", "/admin/users?id=1"]) {
    const r = await host.request({ method: "GET", path, authority: "shop" });
    assert.equal(r.forwarded, false, path);
    assert.equal(r.localReply, true);
    assert.equal(r.response.status, 403);
    assert.equal(r.response.body, "forbidden\n");
    assert.deepEqual(header(r.response.headers, "content-type"), ["text/plain"]);
    assert.deepEqual(header(r.response.headers, "x-custom-filter"), ["1"], "Envoy runs the plugin's on_response_headers for its own local reply");
  }
  assert.equal(host.metrics()["custom_filter.denied"], 3);
});

test("prefix matching is segment-aware: /administrator is not under /admin", async (t) => {
  const host = createHost({ module: MODULE, config: CONFIG });
  t.after(() => host.close());
  const r = await host.request({ method: "GET", path: "/administrator", authority: "shop" });
  assert.equal(r.forwarded, true);
});

test("a bad config is refused at configure time with one log line naming the field", () => {
  for (const [config, field] of [
    [{ header: { name: "", value: "x" } }, "config.header.name"],
    [{ header: { name: "x-a", value: 3 } }, "config.header.value"],
    [{ header: { name: "x-a", value: "v" }, deny: "/admin" }, "config.deny"],
    ["{not json", "config"],
  ] as const) {
    assert.throws(() => createHost({ module: MODULE, config }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      const lines = ((e as { logs?: { line: string }[] }).logs ?? []).map((l) => l.line).filter((l) => l.includes("custom-filter: config"));
      assert.equal(lines.length, 1, `exactly one config log line for ${JSON.stringify(config)}: ${lines.join(" | ")}`);
      assert.match(lines[0], new RegExp(`custom-filter: ${field.replace(/\./g, "\\.")}[.:\\[]`));
      return true;
    });
  }
});

test("requests spread over worker VMs; the denied counter is process-wide", async (t) => {
  const host = createHost({ module: MODULE, config: CONFIG, workers: 3 });
  t.after(() => host.close());
  const workers = new Set<number>();
  for (let i = 0; i < 6; i++) workers.add((await host.request({ path: "/admin" })).worker);
  assert.equal(workers.size, 3);
  assert.equal(host.metrics()["custom_filter.denied"], 6);
});
