// Shared setup for the headers-filter host tests (tests/host/headers-*.test.ts): build/headers.wasm
// run through the host with one host per (config, host options), closed when the test file ends, and
// the three counters of filters/headers/README.md "Metrics" as per-request deltas.
import { after } from "node:test";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createHost, type Host, type HostOptions, type RequestResult, type RequestSpec } from "../../host/index.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** build/headers.wasm, built by `node bin/wasmgate.mjs build headers` (or `npm test`). */
export const HEADERS_MODULE = `${ROOT}build/headers.wasm`;

function module(): string {
  if (!existsSync(HEADERS_MODULE)) throw new Error(`${HEADERS_MODULE} is missing: run \`node bin/wasmgate.mjs build headers\` first`);
  return HEADERS_MODULE;
}

/** Host options besides the module and the plugin configuration. */
export type Extra = Omit<HostOptions, "module" | "config" | "filters">;

const hosts = new Map<string, Host>();
after(() => { for (const h of hosts.values()) h.close(); hosts.clear(); });

/** The host for this configuration (created once per test file). */
export function hostFor(config: object | string, extra: Extra = {}): Host {
  const key = JSON.stringify([config, extra]);
  let h = hosts.get(key);
  if (!h) {
    h = createHost({ module: module(), config, ...extra });
    hosts.set(key, h);
  }
  return h;
}

/** The filter's counters for one request: how much each moved while it ran. */
export interface Counts { applied: number; skipped: number; rejected: number }

export interface Run extends RequestResult {
  counts: Counts;
  /** Request headers as the upstream got them (throws when the request was not forwarded). */
  up: [string, string][];
  /** Response headers as the client got them. */
  down: [string, string][];
}

const METRIC = { applied: "wasmgate.headers.ops_applied", skipped: "wasmgate.headers.rules_skipped", rejected: "wasmgate.headers.writes_rejected" };

function counts(h: Host): Counts {
  const m = h.metrics();
  const n = (k: string) => (typeof m[k] === "number" ? (m[k] as number) : 0);
  return { applied: n(METRIC.applied), skipped: n(METRIC.skipped), rejected: n(METRIC.rejected) };
}

/** Send one request through the headers filter configured with `config`. */
export async function run(config: object | string, request: RequestSpec, extra: Extra = {}): Promise<Run> {
  const h = hostFor(config, extra);
  const before = counts(h);
  const out = await h.request(request);
  const after = counts(h);
  return {
    ...out,
    counts: { applied: after.applied - before.applied, skipped: after.skipped - before.skipped, rejected: after.rejected - before.rejected },
    get up() {
      if (!out.request) throw new Error(`request was not forwarded (status ${out.response.status}, ${out.details})`);
      return out.request.headers;
    },
    down: out.response.headers,
  };
}

/** A config of one request rule (no condition) with these operations. */
export const reqOps = (...ops: object[]) => ({ request: [{ ops }] });
/** A config of one response rule (no condition) with these operations. */
export const respOps = (...ops: object[]) => ({ response: [{ ops }] });

/** Every value of `name` in header pairs, in order. */
export function all(pairs: ReadonlyArray<readonly [string, string]>, name: string): string[] {
  return pairs.filter(([k]) => k === name).map(([, v]) => v);
}

/** The single value of `name` (undefined when absent; throws when repeated). */
export function one(pairs: ReadonlyArray<readonly [string, string]>, name: string): string | undefined {
  const v = all(pairs, name);
  if (v.length > 1) throw new Error(`${name} has ${v.length} entries: ${JSON.stringify(v)}`);
  return v[0];
}

/** The header names present, in order, without repeats. */
export function names(pairs: ReadonlyArray<readonly [string, string]>): string[] {
  return [...new Set(pairs.map(([k]) => k))];
}
