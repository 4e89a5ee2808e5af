// `wasmgate serve [envoy.yaml] [--map ENVOY_PATH=DIR]… [--cluster NAME=HOST:PORT]… [--echo] [--address A]
// [--port-offset N] [--workers N] [--envoy-version V] [--log-level L]` (DESIGN.md §2): a local gateway
// run from an Envoy bootstrap (host/serve/gateway.ts). Without a file: envoy/envoy.yaml with its
// module path mapped to build/, on 127.0.0.1, and every cluster sent to the built-in echo upstream —
// the filters in front of something that shows what they did (what npm start runs after the demo). Runs until interrupted (exit 0); exit 1 when the
// gateway cannot start (every reason printed), 2 on a usage error.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { flag, parseArgs, rejectUnknown, UsageError } from "./options.ts";
import { REPO_ROOT } from "./main.ts";
import { LOG_LEVELS, type LogLevelName } from "../abi/enums.ts";

const USAGE = "usage: wasmgate serve [envoy.yaml] [--map ENVOY_PATH=DIR]… [--cluster NAME=HOST:PORT]… [--echo] [--address ADDR] [--port-offset N] [--workers N] [--envoy-version V] [--log-level LEVEL]";

export async function serveCommand(argv: string[], signal?: AbortSignal): Promise<number> {
  let file: string, map: [string, string][], clusters: Record<string, string>, echo: boolean, workers: number, offset: number, logLevel: LogLevelName;
  let p;
  try {
    p = parseArgs(argv);
    rejectUnknown(p, ["map", "cluster", "echo", "address", "port-offset", "workers", "envoy-version", "log-level"]);
    if (p.positional.length > 1) throw new UsageError("serve takes one Envoy bootstrap");
    const defaults = p.positional.length === 0;
    file = p.positional[0] ?? join(REPO_ROOT, "envoy", "envoy.yaml");
    if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
    map = (p.flags.get("map") ?? (defaults ? [`/etc/envoy/wasm=${join(REPO_ROOT, "build")}`] : [])).map((m) => {
      const eq = m.indexOf("=");
      if (eq <= 0) throw new UsageError(`--map expects ENVOY_PATH=DIR, got '${m}'`);
      return [m.slice(0, eq), m.slice(eq + 1)] as [string, string];
    });
    clusters = {};
    for (const c of p.flags.get("cluster") ?? []) {
      const m = /^([^=]+)=(.+):(\d{1,5})$/.exec(c);
      if (!m) throw new UsageError(`--cluster expects NAME=HOST:PORT, got '${c}'`);
      clusters[m[1]] = `${m[2]}:${m[3]}`;
    }
    const e = flag(p, "echo");
    if (e !== undefined && e !== "true") throw new UsageError("--echo takes no value");
    echo = e === "true" || defaults;
    workers = Number(flag(p, "workers") ?? 1);
    if (!Number.isInteger(workers) || workers < 1) throw new UsageError("--workers must be a positive integer");
    offset = Number(flag(p, "port-offset") ?? 0);
    if (!Number.isInteger(offset) || offset < 0 || offset > 60000) throw new UsageError("--port-offset must be an integer from 0 to 60000");
    logLevel = (flag(p, "log-level") ?? "info") as LogLevelName;
    if (!LOG_LEVELS.includes(logLevel)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(", ")}`);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`wasmgate serve: ${err.message}\n${USAGE}\n`);
    return 2;
  }
  const { startGateway, StartError } = await import("../serve/gateway.ts");
  const { startEcho } = await import("../serve/echo.ts");
  const echoServer = echo ? await startEcho() : null;
  let gw;
  try {
    gw = await startGateway(file, {
      // The no-argument demo gateway listens on loopback only (envoy.yaml says 0.0.0.0, for a container).
      map, clusters, fallbackUpstream: echoServer?.target, address: flag(p, "address") ?? (p.positional.length === 0 ? "127.0.0.1" : undefined), portOffset: offset, workers,
      envoyVersion: flag(p, "envoy-version"), logLevel, onLog: (line) => process.stderr.write(line + "\n"),
    });
  } catch (err) {
    await echoServer?.close();
    if (err instanceof StartError) {
      process.stderr.write(`wasmgate serve: ${file}: cannot start:\n${err.problems.map((x) => `  ${x}`).join("\n")}\n`);
      return 1;
    }
    const e = err as Error & { code?: string; port?: number };
    process.stderr.write(`wasmgate serve: ${e.message}${e.code === "EADDRINUSE" ? ` (port ${e.port} is in use: --port-offset N moves every port)` : ""}\n`);
    return 1;
  }
  for (const w of gw.warnings) process.stdout.write(`warn    ${w}\n`);
  if (echoServer) process.stdout.write(`echo    http://${echoServer.target} (the upstream of every cluster${Object.keys(clusters).length ? " but those given with --cluster" : ""})\n`);
  for (const l of gw.listening) {
    const shown = l.address === "0.0.0.0" || l.address === "::" ? "localhost" : l.address.includes(":") ? `[${l.address}]` : l.address;
    process.stdout.write(`${l.kind === "admin" ? "admin  " : "listen "} ${l.name}: http://${shown}:${l.port}${l.kind === "admin" ? " (/ready, /stats, /stats/prometheus)" : ""}\n`);
  }
  const main = gw.listening.find((l) => l.kind === "http");
  if (p.positional.length === 0 && main) {
    process.stdout.write(`try:    curl -H 'x-api-user: alice' 'http://127.0.0.1:${main.port}/api/v1/orders?page=2'\n`);
  }
  process.stdout.write("serving; Ctrl-C stops\n");
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    signal?.addEventListener("abort", stop);
  });
  // In-flight requests are aborted; whatever still holds the event loop gets two seconds.
  setTimeout(() => process.exit(0), 2000).unref();
  await gw.close();
  await echoServer?.close();
  return 0;
}
