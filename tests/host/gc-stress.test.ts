// The SDK collects garbage only between callbacks (assembly/sdk/gc.ts): AssemblyScript's minimal
// runtime sees references held in globals and objects, never those held only in wasm locals. A
// reference that only a local holds across a collection is a use-after-free. This suite makes such a
// bug show: build/test/headers-gcstress.wasm is the headers filter built with WASMGATE_GC_STRESS,
// which collects at the end of every callback (so freed memory is reused by the next one), and it
// must behave exactly like build/headers.wasm — same upstream and downstream headers, status and
// counters — over random configurations and hostile requests (the fuzz generators, fixed seed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import fc from "fast-check";
import { createHost, type Host } from "../../host/index.ts";
import { HEADERS_MODULE } from "./headers-helpers.ts";
import { configArb, materialize, requestArb, show, type Config } from "./headers-fuzz-gen.ts";

const STRESS_MODULE = HEADERS_MODULE.replace(/build\/headers\.wasm$/, "build/test/headers-gcstress.wasm");
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : 0x6c57;
const RUNS = process.env.FUZZ_RUNS !== undefined ? Math.max(1, Math.round(Number(process.env.FUZZ_RUNS) / 3)) : 50;

function counters(h: Host): string {
  const m = h.metrics();
  return ["ops_applied", "rules_skipped", "writes_rejected"].map((k) => String(m[`wasmgate.headers.${k}`] ?? 0)).join("/");
}

test("the GC-stress build of the headers filter behaves exactly like the release build", { skip: !existsSync(STRESS_MODULE) && `${STRESS_MODULE} is missing: run \`node bin/wasmgate.mjs build --all\`` }, async () => {
  await fc.assert(fc.asyncProperty(configArb(), fc.array(requestArb(), { minLength: 2, maxLength: 5 }), async (cfg: Config, descs) => {
    const a = createHost({ module: HEADERS_MODULE, config: cfg });
    const b = createHost({ module: STRESS_MODULE, config: cfg });
    try {
      for (const d of descs) {
        const spec = materialize(d);
        // The host makes up an x-request-id when there is none: give both the same one.
        const hs = spec.headers ?? [];
        if (!hs.some(([k]) => k.toLowerCase() === "x-request-id")) spec.headers = [...hs, ["x-request-id", "gc-stress"]];
        const x = await a.request(spec), y = await b.request(spec);
        const view = (o: typeof x) => ({ status: o.response.status, details: o.details, up: o.request?.headers ?? null, down: o.response.headers });
        assert.deepEqual(view(y), view(x), `config: ${show(cfg)}\n  request: ${show(d)}`);
        assert.equal(counters(b), counters(a), `counters differ\n  config: ${show(cfg)}\n  request: ${show(d)}`);
      }
    } finally {
      a.close();
      b.close();
    }
  }), { seed: SEED, numRuns: RUNS });
});
