// tests/modules/headers-floor, the module `npm run bench` prices the headers filter's host calls with
// (filters/headers/README.md, "Cost"): it must make exactly the host calls the filter makes for the
// bench's configuration and request, and each of its parts only its own.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createHost, type Host } from "../../host/index.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const request = JSON.parse(readFileSync(`${ROOT}filters/headers/bench/request.json`, "utf8"));
const hosts: Host[] = [];
after(() => { for (const h of hosts) h.close(); });

/** The host calls one request makes (after a first one, so nothing configure-time is counted). */
async function callsOf(module: string, config?: string): Promise<Record<string, number>> {
  const h = createHost({ module: `${ROOT}${module}`, config, workers: 1 });
  hosts.push(h);
  const vm = h.filters[0].slotFor(0);
  assert.equal(vm.kind, "filter");
  if (vm.kind !== "filter") return {};
  await h.request(request);
  vm.vm.hostCallCounts.clear();
  vm.vm.countHostCalls = true;
  await h.request(request);
  vm.vm.countHostCalls = false;
  return Object.fromEntries([...vm.vm.hostCallCounts].sort());
}

test("the floor module makes the headers filter's host calls for the bench request, no more, no fewer", async () => {
  const filter = await callsOf("build/headers.wasm", readFileSync(`${ROOT}filters/headers/bench/config.json`, "utf8"));
  const floor = await callsOf("build/test/headers-floor.wasm");
  assert.deepEqual(floor, filter);
  assert.deepEqual(floor, {
    proxy_add_header_map_value: 1, proxy_get_header_map_pairs: 1, proxy_increment_metric: 1,
    proxy_remove_header_map_value: 1, proxy_replace_header_map_value: 3,
  });
});

test("each part of the floor makes only its own calls", async () => {
  assert.deepEqual(await callsOf("build/test/headers-floor.wasm", "read"), { proxy_get_header_map_pairs: 1 });
  assert.deepEqual(await callsOf("build/test/headers-floor.wasm", "writes"),
    { proxy_add_header_map_value: 1, proxy_remove_header_map_value: 1, proxy_replace_header_map_value: 2 });
  assert.deepEqual(await callsOf("build/test/headers-floor.wasm", "response"), { proxy_replace_header_map_value: 1 });
  assert.deepEqual(await callsOf("build/test/headers-floor.wasm", "metric"), { proxy_increment_metric: 1 });
});
