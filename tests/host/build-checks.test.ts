// `wasmgate build`'s check that a filter's body, trailer and log hooks are reachable: a hook defined in
// the sources of a module that does not export its callback would never run (the filter would not
// see bodies: fail open), and the compiler drops it silently, so the build refuses it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { missingHookExports } from "../../host/cli/build.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CORE = new Set(["proxy_on_memory_allocate", "proxy_on_request_headers", "proxy_on_response_headers"]);
const BODIES = new Set([...CORE, "proxy_on_request_body", "proxy_on_request_trailers", "proxy_on_response_body", "proxy_on_response_trailers"]);

test("hooks defined without their exports are reported, one message per hook, naming the file and the fix", () => {
  // tests/modules/core-only defines onRequestBody and onResponseBody on purpose (export-sets.test.ts).
  const msgs = missingHookExports(`${ROOT}tests/modules/core-only`, CORE, "build/test/core-only.wasm");
  assert.equal(msgs.length, 2);
  assert.match(msgs[0], /^build\/test\/core-only\.wasm: .*tests\/modules\/core-only\/index\.ts defines onRequestBody, but the module does not export proxy_on_request_body, so Envoy would never call it .*exports\/bodies/);
  assert.match(msgs[1], /defines onResponseBody, but the module does not export proxy_on_response_body/);
  assert.deepEqual(missingHookExports(`${ROOT}tests/modules/core-only`, BODIES, "x"), [], "with the bodies set exported, nothing to report");
});

test("an onLog without proxy_on_log is reported too (a filter may export core's callbacks without it)", () => {
  // tests/modules/sdk-probe defines onLog (and body and trailer hooks)
  const msgs = missingHookExports(`${ROOT}tests/modules/sdk-probe`, BODIES, "build/test/sdk-probe.wasm");
  assert.equal(msgs.length, 1, msgs.join("\n"));
  assert.match(msgs[0], /defines onLog, but the module does not export proxy_on_log, so Envoy would never call it: export it/);
  assert.deepEqual(missingHookExports(`${ROOT}tests/modules/sdk-probe`, new Set([...BODIES, "proxy_on_log"]), "x"), []);
});

test("the project's filters and examples define no unreachable hooks", () => {
  for (const dir of ["filters/headers", "examples/custom-filter", "examples/baseline"]) {
    assert.deepEqual(missingHookExports(`${ROOT}${dir}`, CORE, dir), [], dir);
  }
});
