// `npm run bench:envoy` (node --import tsx: it shares envoy/compose.ts with the Envoy suite): what the
// headers filter costs inside a real Envoy, where Docker is.
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
// part alone: (headers − no Wasm) / (baseline − no Wasm), with the spread over rounds. Envoy's CPU time
// comes in clock ticks (usually 10 ms), so the Wasm part is printed only when baseline − no Wasm spans
// at least 20 ticks; otherwise it says to raise PER or ROUNDS and exits 2. Without Docker it says why
// and exits 0. The image must have `sh`, `cat` and `getconf` (the default Ubuntu-based one does; the
// distroless one does not). Envoy adds x-request-id and x-forwarded-proto before any filter, so the
// filter sees two more headers than in `npm run bench`: a real Envoy cost.
// Options (env): ROUNDS (10), PER (10000 requests per batch), CONNECTIONS (8), ENVOY_IMAGE,
// WASMGATE_ENVOY_BENCH_PROJECT (the compose project, default wasmgate-envoy-bench).
import { composeCli, composeRunner } from "../envoy/compose.ts";
import { existsSync, readFileSync } from "node:fs";
import http from "node:http";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const PROJECT = process.env.WASMGATE_ENVOY_BENCH_PROJECT ?? "wasmgate-envoy-bench";
function positive(name, dflt) {
  const v = Number(process.env[name] ?? dflt);
  if (!Number.isInteger(v) || v < 1) { console.error(`bench:envoy: ${name} must be a positive integer`); process.exit(2); }
  return v;
}
const ROUNDS = positive("ROUNDS", 10), PER = positive("PER", 10000), CONNECTIONS = positive("CONNECTIONS", 8);
const PORTS = { "no Wasm": 10020, "baseline module": 10021, "headers filter": 10022 }; // envoy/envoy-bench.yaml

const cli = composeCli();
if (typeof cli === "string") { console.log(`bench:envoy skipped: ${cli}`); process.exit(0); }
for (const m of ["baseline.wasm", "headers.wasm"]) {
  if (!existsSync(`${ROOT}build/${m}`)) { console.error(`build/${m} is missing: run \`npm run build\` first`); process.exit(1); }
}

const compose = composeRunner(cli, PROJECT, ["--profile", "bench"]);

let ticksPerSecond = 100;
/** Envoy's CPU time so far, in clock ticks: utime + stime of its process (pid 1 in the container), all
 *  threads included. */
function envoyTicks() {
  const r = compose(["exec", "-T", "envoy-bench", "sh", "-c", "cat /proc/1/stat; getconf CLK_TCK"], 60_000);
  if (r.status !== 0) throw new Error(`reading Envoy's CPU time failed (the image needs sh, cat and getconf): ${r.stderr}`);
  const [stat, tck] = r.stdout.trim().split("\n");
  ticksPerSecond = Number(tck) || 100;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // after "pid (comm) "
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of the line)
}

const spec = JSON.parse(readFileSync(`${ROOT}filters/headers/bench/request.json`, "utf8"));
const headers = {};
for (const [k, v] of spec.headers) (headers[k] ??= []).push(v); // a repeated name stays repeated
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
    try { for (const port of Object.values(PORTS)) await one(port); return; } catch { await new Promise((r) => setTimeout(r, 500)); }
  }
  throw new Error(`Envoy not ready after 60 s:\n${compose(["logs", "envoy-bench"]).stdout}`);
}

const down = () => compose(["down", "-v", "--remove-orphans"], 120_000);
process.on("SIGINT", () => { down(); process.exit(130); });
down();
try {
  const up = compose(["up", "-d", "envoy-bench"]);
  if (up.status !== 0) throw new Error(`docker compose up failed:\n${up.stderr}`);
  await waitReady();
  // Rounds: a batch to each listener in turn, Envoy's CPU read between batches (one read serves as the
  // end of one batch and the start of the next). Round 0 warms up (V8 tiers up in background threads,
  // whose CPU is Envoy's too) and is not counted.
  const names = Object.keys(PORTS);
  const rounds = []; // per counted round: ticks per listener
  let mark = envoyTicks();
  for (let r = 0; r <= ROUNDS; r++) {
    const ticks = {};
    for (const name of names) {
      await batch(PORTS[name], PER);
      const now = envoyTicks();
      ticks[name] = now - mark;
      mark = now;
    }
    if (r > 0) rounds.push(ticks);
  }
  const total = Object.fromEntries(names.map((k) => [k, rounds.reduce((a, t) => a + t[k], 0)]));
  const n = ROUNDS * PER;
  const us = (ticks) => (ticks / ticksPerSecond) * 1e6 / n;
  console.log(`bench:envoy — ${process.env.ENVOY_IMAGE ?? "envoyproxy/envoy:v1.39-latest"}, one worker thread, ${n} requests per listener (${ROUNDS} rounds × ${PER}), Envoy CPU time`);
  for (const k of names) console.log(`  ${k.padEnd(16)} ${us(total[k]).toFixed(2)} µs/request  (${total[k]} ticks)`);
  console.log(`  whole request, headers filter vs baseline module: ${(total["headers filter"] / total["baseline module"]).toFixed(2)}`);
  const wasmTicks = total["baseline module"] - total["no Wasm"];
  if (!(wasmTicks >= 20)) {
    console.log(`  Wasm part not resolvable: baseline − no Wasm spans ${wasmTicks} ticks (needs ≥ 20); raise PER or ROUNDS`);
    process.exitCode = 2;
  } else {
    const ratio = (t) => (t["headers filter"] - t["no Wasm"]) / (t["baseline module"] - t["no Wasm"]);
    const per = rounds.map(ratio).filter(Number.isFinite).sort((a, b) => a - b);
    console.log(`  Wasm part, (headers − no Wasm) / (baseline − no Wasm): ${ratio(total).toFixed(2)}` +
      (per.length ? `  (per round: median ${per[per.length >> 1].toFixed(2)}, ${per[0].toFixed(2)}–${per[per.length - 1].toFixed(2)})` : ""));
    console.log(`  (baseline − no Wasm spans ${wasmTicks} ticks of ${(1000 / ticksPerSecond).toFixed(0)} ms: each round's batch edges cost up to a tick)`);
  }
} finally {
  agent.destroy();
  down();
}
