// The SDK's root-factory registry (assembly/sdk/dispatcher.ts) with two registrations: the plugin's
// root_id (plugin_root_id) selects one, an unknown root_id is refused with one critical line naming it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHost } from "../../host/index.ts";
import { mod } from "./helpers.ts";

test("sdk: the factory registered for the plugin's root_id creates its root context", () => {
  for (const [rootId, tag] of [["a", "root=a"], ["b\u00e9", "root=b"]]) {
    const h = createHost({ module: mod("sdk-multiroot"), rootId });
    try {
      assert.ok(h.logs().some((r) => r.line.endsWith(tag)), JSON.stringify(h.logs()));
    } finally {
      h.close();
    }
  }
});

test("sdk: an unknown root_id is refused, and the log line names it", () => {
  let logs: { line: string }[] = [];
  assert.throws(() => {
    try { createHost({ module: mod("sdk-multiroot"), rootId: "z\u00e9" }); } catch (e) { logs = (e as { logs?: { line: string }[] }).logs ?? []; throw e; }
  }, /rejected its configuration/);
  assert.ok(logs.some((r) => r.line.endsWith('sdk: no root context registered for root_id "z\u00e9"')), JSON.stringify(logs));
});
