// Shared option parsing for `run` and `bench` (DESIGN.md §2): module settings as Envoy would give them.
import { readFileSync } from "node:fs";
import type { HostOptions, RequestSpec } from "../index.ts";
import type { FailurePolicy } from "../envoy/plugin-settings.ts";

export class UsageError extends Error {}

export interface Parsed { positional: string[]; flags: Map<string, string[]> }

const BOOLEAN_FLAGS = new Set(["json", "fail-open", "allow-on-headers-stop-iteration", "quiet", "echo", "plain-http"]);

export function parseArgs(argv: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) { positional.push(a); continue; }
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    let value: string;
    if (eq > 0) value = a.slice(eq + 1);
    else if (BOOLEAN_FLAGS.has(name)) value = "true";
    else {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
      value = argv[++i];
    }
    if (!flags.has(name)) flags.set(name, []);
    flags.get(name)!.push(value);
  }
  return { positional, flags };
}

export const flag = (p: Parsed, name: string): string | undefined => p.flags.get(name)?.at(-1);

/** The options `run` and `bench` share (the plugin's Envoy-side settings and the request). */
export const HOST_OPTIONS = ["config", "request", "vm-config", "name", "root-id", "vm-id", "cluster", "envoy-version",
  "failure-policy", "fail-open", "allow-on-headers-stop-iteration", "log-level"];

/** A usage error for any option not in `known` (a typo such as --confg must not be silently ignored). */
export function rejectUnknown(p: Parsed, known: readonly string[]): void {
  for (const k of p.flags.keys()) if (!known.includes(k)) throw new UsageError(`unknown option --${k}`);
}

/** "<json>" or "@file": the bytes exactly as given. */
export function bytesArg(v: string | undefined): Uint8Array | undefined {
  if (v === undefined) return undefined;
  return v.startsWith("@") ? readFileSync(v.slice(1)) : Buffer.from(v);
}

export function hostOptions(p: Parsed, module: string): HostOptions {
  const clusters: Record<string, string> = {};
  for (const c of p.flags.get("cluster") ?? []) {
    const eq = c.indexOf("=");
    if (eq <= 0) throw new UsageError(`--cluster expects NAME=HOST:PORT, got '${c}'`);
    clusters[c.slice(0, eq)] = c.slice(eq + 1);
  }
  const policy = flag(p, "failure-policy");
  if (policy && !["FAIL_CLOSED", "FAIL_OPEN", "FAIL_RELOAD"].includes(policy)) throw new UsageError(`--failure-policy must be FAIL_CLOSED, FAIL_OPEN or FAIL_RELOAD`);
  const workers = Number(flag(p, "workers") ?? 1);
  if (!Number.isInteger(workers) || workers < 1) throw new UsageError("--workers must be a positive integer");
  return {
    module,
    config: bytesArg(flag(p, "config")),
    vmConfig: bytesArg(flag(p, "vm-config")),
    name: flag(p, "name") ?? "",
    rootId: flag(p, "root-id") ?? "",
    vmId: flag(p, "vm-id") ?? "",
    envoyVersion: flag(p, "envoy-version"),
    failurePolicy: policy as FailurePolicy | undefined,
    failOpen: flag(p, "fail-open") === "true",
    allowOnHeadersStopIteration: flag(p, "allow-on-headers-stop-iteration") === "true",
    workers,
    clusters,
    logLevel: (flag(p, "log-level") as HostOptions["logLevel"]) ?? "info",
  };
}

export function readRequest(p: Parsed): RequestSpec {
  const f = flag(p, "request");
  if (!f) return { method: "GET", path: "/", authority: "localhost", headers: [] };
  const text = f.startsWith("{") ? f : readFileSync(f, "utf8");
  try {
    return JSON.parse(text) as RequestSpec;
  } catch (e) {
    throw new UsageError(`--request: not valid JSON: ${(e as Error).message}`);
  }
}
