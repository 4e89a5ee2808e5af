// `wasmgate bench [<module.wasm> --config … --request …] [--requests N] [--json]`
// Measures a module the way Envoy drives it — one stream context per request: on_context_create,
// request headers (and body), response headers (and body), on_log, on_done, on_delete — calling the
// exports synchronously through the host's real host-call implementations. Reports CPU ns per request
// lifecycle (and wall ns), ns per hook, linear memory before and after, and start time (compile +
// canary + VMs), always beside the empty baseline (examples/baseline) measured in the same process with
// the same request and interleaved with it (runInterleaved), so every figure reads as a ratio. Without
// a module: the project's suite (custom-filter, and each filter under filters/ that has
// bench/config.json + bench/request.json), with the baseline measured once per distinct request spec.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import v8 from "node:v8";
import { join } from "node:path";
import { createHost, fixedResponse, requestHeaderPairs, streamInfoFor, type Host, type RequestSpec } from "../index.ts";
import type { Vm } from "../vm/vm.ts";
import { FilterRun } from "../envoy/filter-run.ts";
import { HeaderMap } from "../envoy/header-map.ts";
import type { StreamActions } from "../envoy/filter-stream.ts";
import { flag, HOST_OPTIONS, hostOptions, parseArgs, readRequest, rejectUnknown, UsageError } from "./options.ts";
import { REPO_ROOT } from "./main.ts";

export interface BenchResult {
  name: string;
  module: string;
  moduleBytes: number;
  requests: number;
  /** CPU time (user + system) of this process per request lifecycle. */
  nsPerRequest: number;
  /** Wall-clock time per request lifecycle. */
  wallNsPerRequest: number;
  nsPerHook: Record<string, number>;
  memoryPagesBefore: number;
  memoryPagesAfter: number;
  startMs: number;
  localReplies: number;
  /** Which request spec drove it: the request file, "default" (the suite's), "(none: GET /)" or "(inline JSON)". */
  request: string;
  /** The baseline this module is compared with: measured in this run with the same request spec. */
  baselineNsPerRequest?: number;
  ratioToBaseline?: number;
}

const HOOKS = ["context_create", "request_headers", "request_body", "response_headers", "response_body", "log", "done_delete"] as const;

/** One module set up for the lifecycle loop: run `once` per request. */
interface Subject {
  name: string; module: string; request: string; host: Host; vm: Vm; startMs: number;
  once: (timed: boolean) => void; hookNs: Float64Array; localReplies: () => number;
  cpuNs: number; wallNs: number; pagesBefore: number;
}

function prepare(name: string, module: string, options: ReturnType<typeof hostOptions>, spec: RequestSpec, request: string): Subject {
  const s0 = process.hrtime.bigint();
  const host = createHost({ ...options, module, workers: 1 });
  const startMs = Number(process.hrtime.bigint() - s0) / 1e6;
  const filter = host.filters[0];
  const slot = filter.slotFor(0);
  if (slot.kind !== "filter") { host.close(); throw new Error(`${name}: the filter is not running (${slot.kind})`); }
  const { vm, root } = slot;
  let localReplies = 0;
  const actions: StreamActions = {
    localReply: () => { localReplies++; }, continueStream() {}, closeStream() {}, clearRouteCache() {},
  };
  let ended = false;
  const hooks = { ended: () => ended, trapped: () => { throw new Error(`${name}: the module trapped: ${vm.failure}`); } };
  const reqPairs = requestHeaderPairs({ scheme: "http", ...spec });
  const resp = fixedResponse(spec.response);
  const respPairs: [string, string][] = [[":status", String(resp.status)], ...resp.headers];
  const reqBody = spec.body ? Buffer.from(spec.body) : null;
  const respBody = resp.body.length ? Buffer.concat(resp.body) : null;
  const info = streamInfoFor(spec);
  const t = new Float64Array(HOOKS.length);
  // One lap clock for the timed pass; no closure is made per request (the loader wraps every named
  // closure in a defineProperty call, which would be counted as request time).
  let a = 0n;
  const lap = (i: number) => { const b = process.hrtime.bigint(); t[i] += Number(b - a); a = b; };
  const once = (timed: boolean) => {
    ended = false;
    const run = new FilterRun(0, filter, vm, root, info, actions, hooks);
    if (timed) a = process.hrtime.bigint();
    run.createContext(); if (timed) lap(0);
    const rq = new HeaderMap("request", reqPairs);
    run.headers("request", { kind: "headers", map: rq, eos: reqBody === null }); if (timed) lap(1);
    if (reqBody) { run.data("request", { data: reqBody }, true, false); } if (timed) lap(2);
    const rs = new HeaderMap("response", respPairs);
    run.headers("response", { kind: "headers", map: rs, eos: respBody === null }); if (timed) lap(3);
    if (respBody) { run.data("response", { data: respBody }, true, false); } if (timed) lap(4);
    info.finalResponseHeaders = rs;
    run.log(info, rq); if (timed) lap(5);
    run.destroy(); if (timed) lap(6);
  };
  return { name, module, request, host, vm, startMs, once, hookNs: t, localReplies: () => localReplies, cpuNs: 0, wallNs: 0, pagesBefore: 0 };
}

/**
 * Runs `requests` lifecycles through each subject, interleaved: ROUNDS rounds, each running a slice
 * through every subject in turn, so that load from other processes on a shared machine falls on all
 * of them alike. Time is this process's CPU time (user + system), which other processes' load does
 * not add to; wall time is kept too. Then a timed pass per subject gives each hook's share.
 */
const ROUNDS = 20;
function runInterleaved(subjects: Subject[], requests: number): BenchResult[] {
  const warm = Math.min(10000, Math.max(100, requests / 10));
  for (const x of subjects) { for (let i = 0; i < warm; i++) x.once(false); x.pagesBefore = x.vm.memoryPages(); }
  const baseReplies = subjects.map((x) => x.localReplies());
  const rounds = Math.min(ROUNDS, requests);
  for (let r = 0; r < rounds; r++) {
    const n = Math.floor(requests / rounds) + (r < requests % rounds ? 1 : 0);
    // The order rotates every round, so no subject always runs after the same other one (V8's
    // collection of one subject's garbage would otherwise be charged to the next).
    for (let k = 0; k < subjects.length; k++) {
      const x = subjects[(k + r) % subjects.length];
      const c = process.cpuUsage(), w = process.hrtime.bigint();
      for (let i = 0; i < n; i++) x.once(false);
      const dc = process.cpuUsage(c);
      x.wallNs += Number(process.hrtime.bigint() - w);
      x.cpuNs += (dc.user + dc.system) * 1000;
    }
  }
  const hookRuns = Math.min(requests, 20000);
  for (const x of subjects) for (let i = 0; i < hookRuns; i++) x.once(true);
  return subjects.map((x, k) => {
    const nsPerHook: Record<string, number> = {};
    HOOKS.forEach((h, i) => { nsPerHook[h] = Math.round(x.hookNs[i] / hookRuns); });
    return {
      name: x.name, module: x.module, moduleBytes: readFileSync(x.module).length, requests,
      nsPerRequest: Math.round(x.cpuNs / requests), wallNsPerRequest: Math.round(x.wallNs / requests), nsPerHook,
      memoryPagesBefore: x.pagesBefore, memoryPagesAfter: x.vm.memoryPages(), startMs: Math.round(x.startMs * 10) / 10,
      localReplies: x.localReplies() - baseReplies[k], request: x.request,
    };
  });
}

function benchGroup(entries: { name: string; module: string; options: ReturnType<typeof hostOptions> }[], spec: RequestSpec, request: string, requests: number): BenchResult[] {
  const subjects: Subject[] = [];
  try {
    for (const e of entries) subjects.push(prepare(e.name, e.module, e.options, spec, request));
    return runInterleaved(subjects, requests);
  } finally {
    for (const x of subjects) x.host.close();
  }
}

interface SuiteEntry { name: string; module: string; config?: string; request: RequestSpec; requestLabel: string }

function suiteEntries(): SuiteEntry[] {
  const defaultRequest: RequestSpec = {
    method: "GET", path: "/api/items?page=2", authority: "shop.example.com",
    headers: [["user-agent", "bench/1"], ["accept", "application/json"], ["x-request-id", "0b6c3f0e-1"], ["cookie", "session=abc"]],
    response: { status: 200, headers: [["content-type", "application/json"]], body: "" },
  };
  const out: SuiteEntry[] = [
    { name: "custom-filter", module: "build/custom-filter.wasm", config: JSON.stringify({ header: { name: "x-hello", value: "world" }, deny: ["/admin"] }), request: defaultRequest, requestLabel: "default" },
  ];
  const filters = join(REPO_ROOT, "filters");
  if (existsSync(filters)) {
    for (const f of readdirSync(filters)) {
      const dir = join(filters, f, "bench");
      if (!existsSync(join(dir, "config.json")) || !existsSync(join(REPO_ROOT, "build", `${f}.wasm`))) continue;
      const hasRequest = existsSync(join(dir, "request.json"));
      const request = hasRequest ? JSON.parse(readFileSync(join(dir, "request.json"), "utf8")) : defaultRequest;
      out.push({ name: f, module: `build/${f}.wasm`, config: readFileSync(join(dir, "config.json"), "utf8"), request,
        requestLabel: hasRequest ? `filters/${f}/bench/request.json` : "default" });
      // A filter's host-call floor (tests/modules/<f>-floor: the same host calls, no logic), when built.
      if (existsSync(join(REPO_ROOT, "build/test", `${f}-floor.wasm`))) {
        out.push({ name: `${f} host-call floor`, module: `build/test/${f}-floor.wasm`, request,
          requestLabel: hasRequest ? `filters/${f}/bench/request.json` : "default" });
      }
    }
  }
  return out;
}

export async function benchCommand(argv: string[]): Promise<number> {
  // Envoy runs V8 with --no-liftoff: wasm is compiled by the optimizing tier up front, so there is no
  // baseline-tier warm-up phase to measure by accident. Flags apply to modules compiled after this.
  v8.setFlagsFromString("--no-liftoff");
  try {
    const p = parseArgs(argv);
    rejectUnknown(p, [...HOST_OPTIONS, "requests", "json"]);
    const requests = Number(flag(p, "requests") ?? 50000);
    if (!Number.isInteger(requests) || requests < 1) throw new UsageError("--requests must be a positive integer");
    const baselineModule = join(REPO_ROOT, "build/baseline.wasm");
    if (!existsSync(baselineModule)) throw new UsageError("build/baseline.wasm is missing: run `wasmgate build` first");
    const results: BenchResult[] = [];
    const ratio = (r: BenchResult, base: BenchResult) => {
      r.baselineNsPerRequest = base.nsPerRequest;
      r.ratioToBaseline = Math.round((r.nsPerRequest / base.nsPerRequest) * 100) / 100;
    };
    const baselineOpts = (o: ReturnType<typeof hostOptions>) => ({ ...o, config: undefined, rootId: "" });
    if (p.positional[0]) {
      const opts = hostOptions(p, p.positional[0]);
      const spec = readRequest(p);
      const given = flag(p, "request");
      const label = given === undefined ? "(none: GET /)" : given.startsWith("{") ? "(inline JSON)" : given;
      const [base, r] = benchGroup([
        { name: "baseline", module: baselineModule, options: baselineOpts(opts) },
        { name: p.positional[0], module: p.positional[0], options: opts },
      ], spec, label, requests);
      ratio(base, base); ratio(r, base);
      results.push(base, r);
    } else {
      // The baseline is measured once per distinct request spec, interleaved with the modules that use
      // it, so each ratio compares the same request through the empty filter and through the module.
      const groups = new Map<string, SuiteEntry[]>();
      for (const e of suiteEntries()) {
        const key = JSON.stringify(e.request);
        const g = groups.get(key);
        if (g) g.push(e); else groups.set(key, [e]);
      }
      for (const entries of groups.values()) {
        const { request, requestLabel } = entries[0];
        const label = entries.every((e) => e.requestLabel === requestLabel) ? requestLabel : entries.map((e) => e.requestLabel).join(" = ");
        const group = benchGroup([
          { name: "baseline", module: baselineModule, options: baselineOpts(hostOptions(parseArgs([]), baselineModule)) },
          ...entries.map((e) => ({ name: e.name, module: join(REPO_ROOT, e.module),
            options: hostOptions(parseArgs(e.config ? ["--config", e.config] : []), join(REPO_ROOT, e.module)) })),
        ], request, label, requests);
        for (const r of group) ratio(r, group[0]);
        results.push(...group);
      }
    }
    if (flag(p, "json") === "true") process.stdout.write(JSON.stringify({ node: process.version, results }, null, 2) + "\n");
    else print(results);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) { process.stderr.write(`wasmgate bench: ${e.message}\n`); return 2; }
    throw e;
  }
}

function print(results: BenchResult[]): void {
  console.log(`wasmgate bench — node ${process.version}, V8; ${results[0].requests} request lifecycles per module, one worker VM`);
  console.log("each ratio is CPU time against the empty baseline run with the same request in this process, interleaved with it (the baseline row above it)\n");
  const head = ["module", "request", "bytes", "cpu ns/request", "wall ns/request", "× baseline", "start ms", "mem pages before→after", ...HOOKS.map((h) => `${h} ns`)];
  const rows = results.map((r) => [r.name, r.request, String(r.moduleBytes), String(r.nsPerRequest), String(r.wallNsPerRequest), r.ratioToBaseline!.toFixed(2), String(r.startMs),
    `${r.memoryPagesBefore}→${r.memoryPagesAfter}`, ...HOOKS.map((h) => String(r.nsPerHook[h]))]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(line(head));
  for (const row of rows) console.log(line(row));
}
