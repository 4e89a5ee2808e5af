// `wasmgate run <module.wasm> --config … --request <file>`: one request (and the upstream's answer)
// through the filter in the host; prints the outcome as JSON. `--repeat N [--workers W]` sends it N
// times round-robin over W worker VMs and prints an array.
import { createHost, ConfigError, LoadError, type LogRecord } from "../index.ts";
import { flag, HOST_OPTIONS, hostOptions, parseArgs, readRequest, rejectUnknown, UsageError } from "./options.ts";

export async function runCommand(argv: string[]): Promise<number> {
  let host;
  try {
    const p = parseArgs(argv);
    rejectUnknown(p, [...HOST_OPTIONS, "repeat", "workers"]);
    const module = p.positional[0];
    if (!module) throw new UsageError("usage: wasmgate run <module.wasm> --config <json|@file> --request <file> [options]");
    const spec = readRequest(p);
    host = createHost(hostOptions(p, module));
    const repeat = Number(flag(p, "repeat") ?? 0);
    const outcomes = [];
    for (let i = 0; i < Math.max(1, repeat); i++) {
      const r = await host.request(spec);
      outcomes.push({
        forwarded: r.forwarded,
        ...(r.request ? { request: r.request } : {}),
        response: r.response,
        localReply: r.localReply,
        details: r.details,
        routeCacheCleared: r.routeCacheCleared,
        ...(r.reset ? { reset: true } : {}),
        ...(r.stalled ? { stalled: true } : {}),
        logs: r.logs,
        metrics: r.metrics,
        ...(repeat ? { worker: r.worker } : {}),
      });
    }
    process.stdout.write(prettyJson(repeat ? outcomes : outcomes[0]) + "\n");
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof LoadError || e instanceof ConfigError) {
      for (const l of (e as Error & { logs?: LogRecord[] }).logs ?? []) process.stderr.write(`[${l.level}] ${l.line}\n`);
      process.stderr.write(`wasmgate run: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    host?.close();
  }
}

/** JSON indented by object, with arrays of scalars (header pairs) kept on one line. */
export function prettyJson(v: unknown, indent = ""): string {
  const inner = indent + "  ";
  if (Array.isArray(v)) {
    if (v.every((x) => x === null || typeof x !== "object" || (Array.isArray(x) && x.every((y) => typeof y !== "object")))) {
      const flat = JSON.stringify(v);
      if (flat.length <= 100 || v.every((x) => !Array.isArray(x))) return flat;
    }
    if (v.length === 0) return "[]";
    return "[\n" + v.map((x) => inner + prettyJson(x, inner)).join(",\n") + "\n" + indent + "]";
  }
  if (v && typeof v === "object") {
    const entries = Object.entries(v);
    if (entries.length === 0) return "{}";
    return "{\n" + entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${prettyJson(x, inner)}`).join(",\n") + "\n" + indent + "}";
  }
  return JSON.stringify(v);
}
