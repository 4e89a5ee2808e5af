// The programmatic API: a proxy-wasm host for Node modelled on Envoy. In the spirit of
// proxy-wasm-go-sdk's proxytest, but with Envoy's semantics (header-map lifetime, deferred local
// replies, StopIteration conversion, canary config validation, worker VMs, real callouts).
//
//   const host = createHost({ module: "build/custom-filter.wasm", config: { header: {...} } });
//   const out = await host.request({ method: "GET", path: "/", authority: "example.com", headers: [] });
//   host.close();
import { readFileSync } from "node:fs";
import { loadModule } from "./abi/loader.ts";
import { Logger, type LogRecord } from "./vm/logger.ts";
import { ProcessState } from "./envoy/process.ts";
import { Transport } from "./envoy/transport.ts";
import { WasmFilter, ConfigError, type FilterSlot } from "./envoy/wasm-filter.ts";
import { HttpStream, type Outcome, type Upstream, type UpstreamResponse } from "./envoy/http-stream.ts";
import { StreamInfo } from "./envoy/stream-info.ts";
import { fromJson } from "./envoy/property-value.ts";
import { defaultPluginSettings, parseEnvoyVersion, type FailurePolicy } from "./envoy/plugin-settings.ts";
import type { LogLevelName } from "./abi/enums.ts";
import type { NodeInfo } from "./hostcalls/properties.ts";
import type { Pair } from "./abi/pairs.ts";
import { nowNs } from "./vm/clock.ts";

export { ConfigError } from "./envoy/wasm-filter.ts";
export { LoadError } from "./abi/loader.ts";
export type { Outcome } from "./envoy/http-stream.ts";
export type { LogRecord } from "./vm/logger.ts";

export interface FilterOptions {
  /** Path to a .wasm file, or its bytes. */
  module: string | Uint8Array;
  /** Plugin configuration: bytes, a string (given as is), or an object (sent as JSON). */
  config?: string | Uint8Array | object;
  name?: string;
  rootId?: string;
  vmId?: string;
  vmConfig?: string | Uint8Array | object;
  environment?: Record<string, string>;
  failurePolicy?: FailurePolicy;
  failOpen?: boolean;
  reloadBackoffMs?: number;
  allowOnHeadersStopIteration?: boolean;
}

export interface HostOptions extends Partial<FilterOptions> {
  /** A chain of Wasm filters (in decoder order); or give one filter's fields at the top level. */
  filters?: FilterOptions[];
  envoyVersion?: string | number;
  /** Worker threads simulated (one VM each, plus the main thread's). Default 1. */
  workers?: number;
  /** Callout targets: cluster name → "host:port". */
  clusters?: Record<string, string>;
  /** Envoy's `wasm` logger level (default info). */
  logLevel?: LogLevelName;
  /** per_connection_buffer_limit_bytes (default 1 MiB). */
  bufferLimit?: number;
  /** How long a stopped stream may wait for continue_stream before the host gives up (default 30 s). */
  idleTimeoutMs?: number;
  node?: NodeInfo;
  /** Where forwarded requests go; default: the request's `response`, or 200 with no body. */
  upstream?: Upstream;
}

export interface RequestSpec {
  method?: string;
  path?: string;
  authority?: string;
  scheme?: string;
  headers?: Pair[];
  body?: string;
  /** The body split into chunks (one on_request_body per chunk); overrides body. */
  bodyChunks?: string[];
  trailers?: Pair[];
  source?: string;
  destination?: string;
  protocol?: "HTTP/1.0" | "HTTP/1.1" | "HTTP/2" | "HTTP/3";
  properties?: Record<string, unknown>;
  response?: { status?: number; headers?: Pair[]; body?: string; bodyChunks?: string[]; trailers?: Pair[] };
}

export interface RequestResult extends Outcome {
  logs: { level: string; message: string }[];
  metrics: Record<string, number | number[]>;
  worker: number;
}

function toBytes(v: string | Uint8Array | object | undefined): Uint8Array {
  if (v === undefined) return new Uint8Array();
  if (typeof v === "string") return Buffer.from(v);
  if (v instanceof Uint8Array) return v;
  return Buffer.from(JSON.stringify(v));
}

let connectionIds = 0;

export class Host {
  readonly logger: Logger;
  readonly process = new ProcessState();
  readonly transport = new Transport();
  readonly filters: WasmFilter[] = [];
  private next = 0;
  private readonly workers: number;

  constructor(readonly options: HostOptions) {
    const envoyVersion = parseEnvoyVersion(options.envoyVersion);
    this.logger = new Logger(options.logLevel ?? "info");
    this.workers = Math.max(1, options.workers ?? 1);
    for (const [name, target] of Object.entries(options.clusters ?? {})) this.transport.addCluster(name, target);
    const list = options.filters ?? (options.module ? [options as FilterOptions] : []);
    if (list.length === 0) throw new Error("createHost: give `module` or `filters`");
    const compiled = new Map<string, ReturnType<typeof loadModule>>();
    try {
      for (const f of list) {
        const bytes = typeof f.module === "string" ? readFileSync(f.module) : f.module;
        const key = typeof f.module === "string" ? f.module : "";
        const loaded = (key && compiled.get(key)) || loadModule(bytes, envoyVersion);
        if (key) compiled.set(key, loaded);
        const settings = defaultPluginSettings({
          name: f.name ?? "", rootId: f.rootId ?? "", vmId: f.vmId ?? "",
          configuration: toBytes(f.config), vmConfiguration: toBytes(f.vmConfig), environment: f.environment ?? {},
          failurePolicy: f.failurePolicy ?? "FAIL_CLOSED", failOpen: f.failOpen ?? false,
          reloadBackoffMs: f.reloadBackoffMs ?? 1000, allowOnHeadersStopIteration: f.allowOnHeadersStopIteration ?? false,
        });
        this.filters.push(WasmFilter.create({
          module: loaded, settings, envoyVersion, workers: this.workers, process: this.process,
          logger: this.logger, transport: this.transport, node: options.node,
        }));
      }
    } catch (e) {
      this.close();
      // Carry the plugin's own log lines (e.g. "headers: config.rules[0]: …") with the refusal.
      if (e instanceof Error) (e as Error & { logs?: LogRecord[] }).logs = this.logger.records.slice();
      throw e;
    }
  }

  /** Send one request through the filter chain (on the next worker, round-robin). */
  async request(spec: RequestSpec, opts: { worker?: number } = {}): Promise<RequestResult> {
    const worker = opts.worker ?? this.next++ % this.workers;
    const slots: FilterSlot[] = this.filters.map((f) => f.slotFor(worker));
    const info = streamInfoFor(spec);
    const upstream: Upstream = this.options.upstream ?? (async () => fixedResponse(spec.response));
    const headers = requestHeaderPairs(spec);
    const body = spec.bodyChunks ? spec.bodyChunks.map((c) => Buffer.from(c)) : spec.body ? [Buffer.from(spec.body)] : [];
    const mark = this.logger.records.length;
    const stream = new HttpStream(slots, info, upstream, {
      bufferLimit: this.options.bufferLimit ?? 1 << 20, idleTimeoutMs: this.options.idleTimeoutMs ?? 30_000, logger: this.logger,
    });
    const out = await stream.run({ headers, body, trailers: spec.trailers });
    const logs = this.logger.records.slice(mark).map((r) => ({ level: r.level, message: r.line }));
    return { ...out, logs, metrics: this.metrics(), worker };
  }

  /** Process-wide metric values by name (counters and gauges as numbers, histograms as samples). */
  metrics(): Record<string, number | number[]> { return this.process.metricValues(); }
  logs(): LogRecord[] { return this.logger.records; }

  close(): void {
    for (const f of this.filters) f.shutdown();
    this.transport.close();
  }
}

/** The request headers a RequestSpec describes: pseudo-headers first, names lower-cased. */
export function requestHeaderPairs(spec: RequestSpec): Pair[] {
  return [
    [":method", spec.method ?? "GET"], [":path", spec.path ?? "/"], [":authority", spec.authority ?? "localhost"],
    ...(spec.scheme ? [[":scheme", spec.scheme] as Pair] : []),
    ...(spec.headers ?? []).map(([k, v]) => [k.toLowerCase(), v] as Pair),
  ];
}

/** Stream info for one request: connection facts from the spec, its `properties` as overrides. */
export function streamInfoFor(spec: RequestSpec): StreamInfo {
  const info = new StreamInfo({
    sourceAddress: spec.source ?? "127.0.0.1:50000", destinationAddress: spec.destination ?? "127.0.0.1:8080",
    connectionId: ++connectionIds, mtls: false, requestedServerName: "", protocol: spec.protocol ?? "HTTP/1.1",
  }, nowNs());
  for (const [k, v] of Object.entries(spec.properties ?? {})) info.overrides.set(k, fromJson(v));
  return info;
}

export function fixedResponse(r: RequestSpec["response"]): UpstreamResponse {
  const chunks = r?.bodyChunks ?? (r?.body ? [r.body] : []);
  const headers = [...(r?.headers ?? [])].map(([k, v]) => [k.toLowerCase(), v] as Pair);
  const len = chunks.reduce((n, c) => n + Buffer.byteLength(c), 0);
  if (len && !headers.some(([k]) => k === "content-length")) headers.push(["content-length", String(len)]);
  return { status: r?.status ?? 200, headers, body: chunks.map((c) => Buffer.from(c)), trailers: r?.trailers };
}

export function createHost(options: HostOptions): Host {
  return new Host(options);
}
