// The CLI contracts of DESIGN.md §2 that users script against: `run` prints one JSON outcome (an array
// with --repeat), exits non-zero with the plugin's own log line on a bad config; `bench --json` reports
// the baseline (measured with the same request) beside each module; `validate` exits 0/1/2 (valid,
// problems, usage) and shows the module's own line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";

const cli = (...args: string[]) => spawnSync(process.execPath, ["bin/wasmgate.mjs", ...args], { encoding: "utf8" });
const dir = mkdtempSync(join(tmpdir(), "wasmgate-cli-"));
const reqFile = join(dir, "req.json");
writeFileSync(reqFile, JSON.stringify({ method: "GET", path: "/admin/x", authority: "a", headers: [["x-a", "1"]], response: { status: 201 } }));
const config = JSON.stringify({ header: { name: "x-hello", value: "world" }, deny: ["/admin"] });

test("run prints the outcome as JSON", () => {
  const r = cli("run", "build/custom-filter.wasm", "--config", config, "--request", reqFile);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.forwarded, false);
  assert.equal(out.localReply, true);
  assert.equal(out.response.status, 403);
  assert.deepEqual(out.metrics, { "custom_filter.denied": 1 });
});

test("run --repeat spreads requests over workers and prints an array", () => {
  writeFileSync(reqFile, JSON.stringify({ method: "GET", path: "/ok", authority: "a", response: { status: 201, body: "made" } }));
  const r = cli("run", "build/custom-filter.wasm", "--config", `@${writeConfig()}`, "--request", reqFile, "--repeat", "4", "--workers", "2");
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.length, 4);
  assert.deepEqual(out.map((o: { worker: number }) => o.worker), [0, 1, 0, 1]);
  assert.ok(out.every((o: { response: { status: number; body: string } }) => o.response.status === 201 && o.response.body === "made"));
});

function writeConfig(): string {
  const f = join(dir, "config.json");
  writeFileSync(f, config);
  return f;
}

test("run with a bad config exits 1 and shows the plugin's log line", () => {
  const r = cli("run", "build/custom-filter.wasm", "--config", '{"header":{"name":"","value":"v"}}', "--request", reqFile);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /custom-filter: config\.header\.name: /);
  assert.match(r.stderr, /Unable to create Wasm plugin/);
});

test("run refuses a module Envoy would not load, with Envoy's message", () => {
  const bad = join(dir, "bad.wasm");
  writeFileSync(bad, Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])); // empty module: no ABI marker
  const r = cli("run", bad, "--request", reqFile);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Missing or unknown Proxy-Wasm ABI version/);
});

test("bench --json measures the module beside the empty baseline", () => {
  const r = cli("bench", "build/custom-filter.wasm", "--config", config, "--request", reqFile, "--requests", "300", "--json");
  assert.equal(r.status, 0, r.stderr);
  const { results } = JSON.parse(r.stdout);
  assert.deepEqual(results.map((x: { name: string }) => x.name), ["baseline", "build/custom-filter.wasm"]);
  for (const x of results) {
    assert.ok(x.nsPerRequest > 0 && x.memoryPagesAfter >= 1 && x.moduleBytes > 0);
    assert.ok("request_headers" in x.nsPerHook);
  }
  assert.equal(results[0].ratioToBaseline, 1);
  assert.equal(results[1].baselineNsPerRequest, results[0].nsPerRequest);
  assert.equal(results[0].request, reqFile);
  assert.equal(results[1].request, reqFile);
});

test("bench suite: each module's ratio is against a baseline measured with its own request", () => {
  const r = cli("bench", "--requests", "200", "--json");
  assert.equal(r.status, 0, r.stderr);
  const { results } = JSON.parse(r.stdout) as { results: { name: string; request: string; nsPerRequest: number; baselineNsPerRequest: number; ratioToBaseline: number }[] };
  assert.ok(results.some((x) => x.name === "custom-filter"));
  const requests = new Set<string>();
  let base: (typeof results)[number] | undefined;
  for (const x of results) {
    if (x.name === "baseline") {
      assert.ok(!requests.has(x.request), "one baseline per request spec");
      requests.add(x.request);
      base = x;
      continue;
    }
    assert.ok(base, "a baseline row comes first");
    assert.equal(x.request, base.request, `${x.name} follows the baseline measured with its request`);
    assert.equal(x.baselineNsPerRequest, base.nsPerRequest);
    assert.equal(x.ratioToBaseline, Math.round((x.nsPerRequest / base.nsPerRequest) * 100) / 100);
  }
  assert.equal(results.find((x) => x.name === "custom-filter")!.request, "default");
  for (const x of results) {
    if (x.name !== "baseline" && existsSync(`filters/${x.name}/bench/request.json`)) assert.equal(x.request, `filters/${x.name}/bench/request.json`);
  }
});

test("validate: exit 0 with what was checked, 1 with the module's own line, 2 on a usage error", () => {
  const ok = cli("validate", "envoy/envoy.yaml", "--map", "/etc/envoy/wasm=build");
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /valid against Envoy's API schema/);
  assert.match(ok.stdout, /envoy\/envoy\.yaml: valid\n$/);
  const bad = cli("validate", "envoy/envoy-bad-config.yaml", "--map", "/etc/envoy/wasm=build");
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /^ {2}headers: config\.request\[0\]\.ops\[0\]\.op: unknown operation 'sett'/m);
  const usage = cli("validate");
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /usage: wasmgate validate/);
});

test("demo (what npm start shows): the headers filter rewrites the request and the response, then the custom filter", () => {
  const r = cli("demo");
  assert.equal(r.status, 0, r.stderr);
  const upstream = r.stdout.slice(r.stdout.indexOf("upstream got"), r.stdout.indexOf("client got"));
  assert.match(upstream, /^upstream got {3}GET \/v1\/orders\?expand=items&api-version=1\n/);
  assert.match(upstream, /^ +x-user: alice$/m);
  assert.match(upstream, /^ +x-token: t0k3n$/m);
  assert.doesNotMatch(upstream, /^ +(x-internal-trace|authorization|x-user: mallory)/m);
  assert.match(r.stdout.slice(r.stdout.indexOf("client got")), /^ +x-request-path: \/api\/v1\/orders$/m);
  assert.match(r.stdout, /custom_filter\.denied":1/);
});

test("run and bench refuse an unknown option (a typo must not silently drop the configuration); run prints the route-cache clears", () => {
  const typo = cli("run", "build/custom-filter.wasm", "--confg", config, "--request", reqFile);
  assert.equal(typo.status, 1);
  assert.match(typo.stderr, /unknown option --confg/);
  assert.match(cli("bench", "--requestz", "10").stderr, /unknown option --requestz/);
  const r = cli("run", "build/headers.wasm", "--config", JSON.stringify({ request: [{ ops: [{ op: "set", header: "x-a", value: "1" }, { op: "set", header: "x-b", value: "2" }] }] }), "--request", reqFile);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).routeCacheCleared, 2, "two request-header writes, two clears");
});
