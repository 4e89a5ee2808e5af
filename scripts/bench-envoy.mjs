// `npm run bench:envoy`: what the headers filter costs inside a real Envoy, where Docker is.
// envoy/docker-compose.yml's envoy-bench service runs one Envoy (one worker thread) with envoy/envoy-bench.yaml:
// three listeners that answer the same request themselves (direct_response) — without Wasm, with the
// empty baseline module (build/baseline.wasm), and with the headers filter on its benchmark
// configuration (build/headers.wasm, filters/headers/bench/config.json). The request is
// filters/headers/bench/request.json's. In interleaved rounds, N requests go to each listener in turn
// (keep-alive, a few connections), and Envoy's own CPU time (utime + stime of its process, read from
// /proc/1/stat in the container) is read before and after each batch, so the client's CPU is not
// counted and load drift falls on all three alike.
//
// It prints Envoy CPU µs per request for each, and two ratios: the whole request with the filter
// against the whole request with the empty module, and — closer to `npm run bench`'s ratio — the Wasm
// part alone: (headers − no Wasm) / (baseline − no Wasm). Without Docker it says why and exits 0.
// Options (env): ROUNDS (10), PER (5000 requests per batch), CONNECTIONS (8), ENVOY_IMAGE.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import http from "node:http";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const PROJECT = process.env.WASMGATE_ENVOY_PROJECT ?? "wasmgate-envoy-bench";
const ROUNDS = Number(process.env.ROUNDS ?? 10), PER = Number(process.env.PER ?? 5000), CONNECTIONS = Number(process.env.CONNECTIONS ?? 8);
const PORTS = { "no Wasm": 10020, "baseline module": 10021, "headers filter": 10022 }; // envoy/envoy-bench.yaml

function composeCli() {
  const ok = (cmd, args) => spawnSync(cmd, args, { stdio: "ignore", timeout: 20_000 }).status === 0;
  const cli = ok("docker", ["compose", "version"]) ? ["docker", "compose"] : ok("docker-compose", ["version"]) ? ["docker-compose"] : null;
  if (cli === null) return "Docker with compose is not installed";
  if (!ok("docker", ["info"])) return "no Docker engine answers (`docker info` failed)";
  return cli;
}

const cli = composeCli();
if (typeof cli === "string") { console.log(`bench:envoy skipped: ${cli}`); process.exit(0); }
for (const m of ["baseline.wasm", "headers.wasm"]) {
  if (!existsSync(`${ROOT}build/${m}`)) { console.error(`build/${m} is missing: run \`npm run build\` first`); process.exit(1); }
}

function compose(args, timeout = 600_000) {
  const [cmd, ...pre] = cli;
  return spawnSync(cmd, [...pre, "-p", PROJECT, "-f", `${ROOT}envoy/docker-compose.yml`, "--profile", "bench", ...args], { encoding: "utf8", timeout, maxBuffer: 64 << 20 });
}

/** Envoy's CPU time so far, in µs (its process is pid 1 in the container). */
function envoyCpuUs() {
  const r = compose(["exec", "-T", "envoy-bench", "sh", "-c", "cat /proc/1/stat; getconf CLK_TCK"], 60_000);
  if (r.status !== 0) throw new Error(`reading Envoy's CPU time failed: ${r.stderr}`);
  const [stat, tck] = r.stdout.trim().split("\n");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // after "pid (comm) "
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of the line)
  return (ticks / Number(tck || 100)) * 1e6;
}

const spec = JSON.parse(readFileSync(`${ROOT}filters/headers/bench/request.json`, "utf8"));
const headers = Object.fromEntries(spec.headers);
headers.host = spec.authority;
const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });

function one(port) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: spec.path, method: spec.method, headers, agent, timeout: 10_000 }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode} on port ${port}`))));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

async function batch(port, n) {
  let next = 0;
  const worker = async () => { while (next++ < n) await one(port); };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
}

async function waitReady() {
  for (let i = 0; i < 120; i++) {
    try { await one(PORTS["headers filter"]); return; } catch { await new Promise((r) => setTimeout(r, 500)); }
  }
  throw new Error(`Envoy not ready after 60 s:\n${compose(["logs", "envoy-bench"]).stdout}`);
}

compose(["down", "-v", "--remove-orphans"], 120_000);
try {
  const up = compose(["up", "-d", "envoy-bench"]);
  if (up.status !== 0) throw new Error(`docker compose up failed:\n${up.stderr}`);
  await waitReady();
  for (const port of Object.values(PORTS)) await batch(port, 2000); // warm-up
  const cpu = Object.fromEntries(Object.keys(PORTS).map((k) => [k, 0]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, port] of Object.entries(PORTS)) {
      const before = envoyCpuUs();
      await batch(port, PER);
      cpu[name] += envoyCpuUs() - before;
    }
  }
  const n = ROUNDS * PER;
  const us = Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, v / n]));
  console.log(`bench:envoy — ${process.env.ENVOY_IMAGE ?? "envoyproxy/envoy:v1.39-latest"}, one worker thread, ${n} requests per listener (${ROUNDS} rounds × ${PER}), Envoy CPU time`);
  for (const [k, v] of Object.entries(us)) console.log(`  ${k.padEnd(16)} ${v.toFixed(2)} µs/request`);
  const whole = us["headers filter"] / us["baseline module"];
  const wasm = (us["headers filter"] - us["no Wasm"]) / (us["baseline module"] - us["no Wasm"]);
  console.log(`  headers filter × baseline module, whole request: ${whole.toFixed(2)}`);
  console.log(`  headers filter × baseline module, Wasm part ((headers − no Wasm) / (baseline − no Wasm)): ${wasm.toFixed(2)}`);
  console.log(`  (CPU time is read in clock ticks, usually 10 ms: ${(n * us["no Wasm"] / 1e4).toFixed(0)} ticks for the cheapest listener; raise PER or ROUNDS for finer figures)`);
} finally {
  agent.destroy();
  compose(["down", "-v", "--remove-orphans"], 120_000);
}
