// `npm test`: build every module, then run every suite, and end with one line
// "N passed, N failed, N skipped" summing them all. Exit 1 if anything failed.
//   --only <unit|host|envoy>   run one suite (the build still runs first)
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, mkdtempSync, statSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";

const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : null;
const totals = { passed: 0, failed: 0, skipped: 0 };

function run(cmd, argv, opts = {}) {
  return spawnSync(cmd, argv, { stdio: ["ignore", "inherit", "inherit"], ...opts });
}

function section(name) {
  console.log(`\n=== ${name} ===`);
}

// 1. Build: filters, examples and test modules. A build failure fails everything; so does
// assembly/lib/messages.ts being out of date with messages.txt (gen-messages says why in one line).
section("build");
const g = run(process.execPath, ["scripts/gen-messages.mjs", "--check"]);
if (g.status !== 0) {
  console.log("build failed: assembly/lib/messages.ts is out of date (run node scripts/gen-messages.mjs)");
  console.log(`0 passed, 1 failed`);
  process.exit(1);
}
const b = run(process.execPath, ["bin/wasmgate.mjs", "build", "--all"]);
if (b.status !== 0) {
  console.log("build failed");
  console.log(`0 passed, 1 failed`);
  process.exit(1);
}

// The host and its tests type-check (tsx runs them without checking types). One check, counted.
if (!only || only === "host") {
  section("typecheck (tsc)");
  const t = run(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json", "--noEmit"]);
  if (t.status === 0) { totals.passed += 1; console.log("typecheck: no errors"); } else { totals.failed += 1; console.log("typecheck: failed"); }
}

// 2. as-pect unit specs.
if (!only || only === "unit") {
  section("unit (as-pect)");
  const r = spawnSync(process.execPath, ["scripts/asp-ci.mjs"], { encoding: "utf8", maxBuffer: 64 << 20 });
  process.stdout.write(r.stdout ?? "");
  process.stderr.write(r.stderr ?? "");
  const m = (r.stdout ?? "").match(/aspect: (\d+) passed, (\d+) failed/);
  if (m) { totals.passed += +m[1]; totals.failed += +m[2]; } else totals.failed += 1;
  if (r.status !== 0 && m && +m[2] === 0) totals.failed += 1;
}

// 3. node:test suites: host tests (tests/host) and the Envoy docker-compose suite (tests/envoy).
function testFiles(dir) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...testFiles(p));
    else if (name.endsWith(".test.ts")) out.push(p);
  }
  return out.sort();
}

function nodeSuite(name, dir, { filter = null, env = {} } = {}) {
  section(name);
  const files = testFiles(dir).filter((f) => filter === null || filter.test(f));
  if (files.length === 0) { console.log("(no test files)"); return; }
  const tap = join(mkdtempSync(join(tmpdir(), "wasmgate-test-")), "out.tap");
  const r = run(process.execPath, [
    "--import", "tsx", "--test", "--test-concurrency=2",
    "--test-reporter=spec", "--test-reporter-destination=stdout",
    "--test-reporter=tap", `--test-reporter-destination=${tap}`,
    ...files,
  ], { env: { ...process.env, ...env } });
  const text = readFileSync(tap, "utf8");
  const num = (k) => { const m = text.match(new RegExp(`^# ${k} (\\d+)$`, "m")); return m ? +m[1] : 0; };
  const passed = num("pass"), failed = num("fail") + num("cancelled"), skipped = num("skipped") + num("todo");
  console.log(`${name}: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  totals.passed += passed; totals.failed += failed; totals.skipped += skipped;
  if (r.status !== 0 && failed === 0) totals.failed += 1;
}

if (!only || only === "host") {
  nodeSuite("host", "tests/host");
  // The SDK probe again, built to collect garbage after every callback (tests/modules/sdk-probe-gcstress).
  nodeSuite("host, SDK probe with GC stress", "tests/host", { filter: /sdk-probe[^/]*\.test\.ts$/, env: { WASMGATE_PROBE: "sdk-probe-gcstress" } });
}
if (!only || only === "envoy") nodeSuite("envoy (docker compose)", "tests/envoy");

console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
