// The headers filter in a real Envoy: envoy/docker-compose.yml (Envoy + go-httpbin, whose /anything
// echoes the request it received) with envoy/envoy.yaml. Needs Docker with compose; where there is
// none the suite is skipped with the reason — it never passes without having run. `npm test` builds
// build/headers.wasm first; `npm run test:envoy` runs only this suite. ENVOY_IMAGE picks the Envoy
// build (default envoyproxy/envoy:v1.39-latest; Envoy ≥ 1.33, which has the Wasm failure_policy field;
// istio/proxyv2 images work too); WASMGATE_ENVOY_PROJECT the compose project name.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { checkScenario, loadScenarios } from "../scenarios/scenarios.ts";
import { composeCli, composeRunner } from "../../envoy/compose.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PORT = process.env.WASMGATE_ENVOY_PORT ?? "10000";
const ADMIN = process.env.WASMGATE_ENVOY_ADMIN_PORT ?? "9901";
const PROJECT = process.env.WASMGATE_ENVOY_PROJECT ?? "wasmgate-envoy-suite";
const BAD_CONTAINER = `${PROJECT}-bad-config`;
const FETCH_TIMEOUT = 10_000;
const SCENARIOS = loadScenarios(`${ROOT}tests/scenarios/headers.json`);

const cli = composeCli();
const skip = typeof cli === "string" ? cli
  : !existsSync(`${ROOT}build/headers.wasm`) ? "build/headers.wasm is missing (run `npm run build`)" : false;

const compose = typeof cli === "string" ? () => { throw new Error(cli); } : composeRunner(cli, PROJECT);

const down = () => compose(["--profile", "bad-config", "down", "-v", "--remove-orphans"], 120_000);

/** Envoy ready (admin /ready) and the upstream answering through it. */
async function waitReady(): Promise<void> {
  const ok = async (url: string) => {
    try { return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).status === 200; } catch { return false; }
  };
  for (let i = 0; i < 120; i++) {
    if (await ok(`http://127.0.0.1:${ADMIN}/ready`) && await ok(`http://127.0.0.1:${PORT}/anything/ready`)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`Envoy and the upstream not ready after 60 s:\n${compose(["logs", "envoy", "upstream"]).stdout}`);
}

interface Echo { status: number; headers: Headers; body: { headers: Record<string, string[]>; args: Record<string, string[]>; url: string } | null }

/** A request through Envoy; the upstream's echo of what it received (null when it is not JSON). */
async function send(path: string, headers: Record<string, string> = {}): Promise<Echo> {
  const r = await fetch(`http://127.0.0.1:${PORT}${path}`, { headers, signal: AbortSignal.timeout(FETCH_TIMEOUT) });
  const text = await r.text();
  let body = null;
  try { body = JSON.parse(text); } catch { /* /status/… has no JSON body */ }
  return { status: r.status, headers: r.headers, body };
}

/** The values the upstream received for `name` (go-httpbin canonicalises names: X-Gateway). */
function got(e: Echo, name: string): string[] | undefined {
  const key = Object.keys(e.body?.headers ?? {}).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : e.body!.headers[key];
}

/** Envoy's counter for one of the filter's metrics (stored under Envoy's wasmcustom namespace). */
async function counter(name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${ADMIN}/stats?filter=${encodeURIComponent(name)}`, { signal: AbortSignal.timeout(FETCH_TIMEOUT) })).text();
  const m = text.match(new RegExp(`${name.replace(/\./g, "\\.")}: (\\d+)`));
  return m ? Number(m[1]) : 0;
}

const SUITE = "Envoy (docker compose): headers filter";
// Skipped as one test carrying the reason (a skipped describe would not be counted).
if (skip) test(SUITE, { skip }, () => {});
else describe(SUITE, { timeout: 15 * 60_000 }, () => {
  before(async () => {
    down();
    const up = compose(["up", "-d", "upstream", "envoy"]);
    assert.equal(up.status, 0, `docker compose up failed:\n${up.stderr}`);
    await waitReady();
  });
  after(() => { down(); });

  // The shared scenarios (tests/scenarios/headers.json, also run through the host by
  // tests/host/scenarios.test.ts), through Envoy: upstream headers from go-httpbin's echo, response
  // headers as the client got them, counters from Envoy's /stats.
  for (const sc of SCENARIOS.cases) {
    test(`scenario (Envoy): ${sc.name}`, async () => {
      const names = Object.keys(sc.expect.metrics ?? {});
      const start = await Promise.all(names.map(counter));
      const e = await send(sc.request.path, Object.fromEntries(sc.request.headers));
      const moved: Record<string, number> = {};
      for (const [i, name] of names.entries()) {
        // (the filter adds its counts in on_done, when the stream ends: poll briefly)
        let now = await counter(name);
        for (let k = 0; k < 20 && now - start[i] !== sc.expect.metrics![name]; k++) { await new Promise((r) => setTimeout(r, 250)); now = await counter(name); }
        moved[name] = now - start[i];
      }
      checkScenario(sc, {
        status: e.status,
        upstream: e.body ? (name) => got(e, name) : undefined,
        response: (name) => e.headers.get(name),
        metric: (name) => moved[name],
      });
    });
  }

  test("path_prefix re-routes the request (Envoy clears the route cache) and query_set edits the query", async () => {
    const e = await send("/api/v1/orders?expand=items");
    assert.deepEqual(got(e, "x-route"), ["v1"], `routed by the /v1/ route, after the rewrite (status ${e.status}, ${JSON.stringify(e.body)})`);
    assert.equal(e.status, 200);
    assert.equal(new URL(e.body!.url).pathname, "/anything/v1/orders");
    assert.deepEqual(e.body!.args, { "expand": ["items"], "api-version": ["1"] });
  });

  test("a bad configuration: Envoy refuses to start and its log names the field", () => {
    // If Envoy kept running despite the refusal, the run would be killed by the timeout: status null,
    // which must fail the test (not pass as "non-zero"), and the container is removed in any case.
    const cmd = (cli as string[])[0];
    try {
      const r = compose(["--profile", "bad-config", "run", "--rm", "--name", BAD_CONTAINER, "envoy-bad-config"], 90_000);
      const out = `${r.stdout}\n${r.stderr}`;
      assert.equal(r.error, undefined, `compose run failed: ${r.error?.message}\n${out}`);
      assert.equal(r.signal, null, `Envoy did not exit within 90 s\n${out}`);
      assert.equal(typeof r.status, "number");
      assert.notEqual(r.status, 0, `Envoy must exit with an error\n${out}`);
      assert.match(out, /headers: config\.request\[0\]\.ops\[0\]\.op: unknown operation 'sett'/);
      assert.match(out, /Unable to create Wasm (plugin|HTTP filter)|error initializing configuration/);
    } finally {
      spawnSync(cmd === "docker-compose" ? "docker" : cmd, ["rm", "-f", BAD_CONTAINER], { stdio: "ignore", timeout: 60_000 });
    }
  });
});
