// The shared scenarios (tests/scenarios/*.json) through the host: the same cases the Envoy suite runs
// through a real Envoy (tests/envoy), so their expectations are checked here, on every run, even where
// there is no Docker.
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { createHost } from "../../host/index.ts";
import { checkScenario, loadScenarios } from "../scenarios/scenarios.ts";
import { HEADERS_MODULE } from "./headers-helpers.ts";

const file = loadScenarios(fileURLToPath(new URL("../scenarios/headers.json", import.meta.url)));

for (const s of file.cases) {
  test(`scenario (host): ${s.name}`, async (t) => {
    const h = createHost({ module: HEADERS_MODULE, config: file.config, rootId: "wasmgate_headers", name: "wasmgate.headers" });
    t.after(() => h.close());
    const before = h.metrics();
    const out = await h.request({ ...s.request, authority: "localhost", response: s.upstreamResponse ?? { status: 200 } });
    const after = h.metrics();
    const num = (m: Record<string, number | number[]>, k: string) => (typeof m[k] === "number" ? (m[k] as number) : 0);
    checkScenario(s, {
      status: out.response.status,
      upstream: out.request ? (name) => { const v = out.request!.headers.filter(([k]) => k === name).map(([, x]) => x); return v.length ? v : undefined; } : undefined,
      response: (name) => out.response.headers.find(([k]) => k === name)?.[1] ?? null,
      metric: (k) => num(after, k) - num(before, k),
    });
  });
}
