// `wasmgate serve`: a local HTTP/1.1 gateway run from an Envoy bootstrap — its listeners, their HTTP
// connection managers' Wasm filters (run by this host, one stream per request, as Envoy runs them),
// routes (routes.ts) and clusters — for development and demos, not production. The bootstrap is first
// checked as `wasmgate validate` checks it (Envoy would refuse to start on what that refuses), then
// anything serve cannot do as Envoy does is refused at start with the field named, rather than served
// differently.
//
// What the connection manager and router do around the filters, as in Envoy:
//  - before the filters: x-request-id (when missing), x-forwarded-proto, :scheme (HttpStream);
//  - the router after the filters: the route chosen from the headers the filters left (a filter's
//    header write clears the route cache, so Envoy picks it again), its rewrites and header mutations,
//    x-envoy-expected-rq-timeout-ms; 404 when no route matches, 503 when the upstream cannot be
//    reached, 504 after the route's timeout (default 15 s); the route's response header mutations
//    before the encoder filters see the response;
//  - after the encoder filters: date (when missing) and server per server_header_transformation
//    (conn_manager_impl.cc ActiveStream::encodeHeaders).
// The admin listener answers /ready and /stats (the plugins' metrics under Envoy's "wasmcustom." names).
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { hostname } from "node:os";
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { createHost, streamInfoFor, type FilterOptions, type Host } from "../index.ts";
import { HttpStream, type ForwardedRequest, type UpstreamResponse } from "../envoy/http-stream.ts";
import type { Pair } from "../abi/pairs.ts";
import type { LogLevelName } from "../abi/enums.ts";
import { Logger } from "../vm/logger.ts";
import { protoNames } from "../deploy/envoy-api.ts";
import { validateFile, wasmFilterSpec, type ValidateOptions } from "../deploy/validate.ts";
import { mutateRequest, mutateResponse, rewrite, routeProblems, selectRoute, type FormatContext } from "./routes.ts";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const T = "type.googleapis.com/";
const HCM = `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`;
const WASM = `${T}envoy.extensions.filters.http.wasm.v3.Wasm`;
const ROUTER = `${T}envoy.extensions.filters.http.router.v3.Router`;
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "http2-settings"]);

export interface ServeOptions extends ValidateOptions {
  /** Cluster name → "host:port", over the bootstrap's endpoints. */
  clusters?: Record<string, string>;
  /** Send every cluster that --cluster does not name to this "host:port" (the built-in echo). */
  fallbackUpstream?: string;
  /** Listen on this address instead of the bootstrap's (e.g. 127.0.0.1). */
  address?: string;
  /** Add this to every port of the bootstrap (0: as written). */
  portOffset?: number;
  /** Listen on ports the system picks, whatever the bootstrap says (tests). */
  anyPort?: boolean;
  workers?: number;
  envoyVersion?: string;
  logLevel?: LogLevelName;
  /** Each log line (the plugins' and the host's) as it happens. */
  onLog?: (line: string) => void;
}

/** Why the gateway cannot start: Envoy's refusal of the bootstrap, or what serve cannot do. */
export class StartError extends Error {
  constructor(readonly problems: string[]) { super(problems.join("\n")); }
}

export interface Listening { name: string; address: string; port: number; kind: "http" | "admin" }

export interface Gateway {
  listening: Listening[];
  hosts: Host[];
  close(): Promise<void>;
}

interface ListenerPlan { name: string; address: string; port: number; hcm: Json; filters: FilterOptions[] }

/** Reads the bootstrap and plans the gateway; throws StartError with every problem found. */
export function planGateway(file: string, opts: ServeOptions): { listeners: ListenerPlan[]; admin: { address: string; port: number } | null; clusters: Record<string, string>; warnings: string[] } {
  const report = validateFile(file, opts);
  if (!report.ok) throw new StartError(report.errors);
  const warnings = [...report.warnings];
  const docs = parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS());
  if (docs.length !== 1 || typeof docs[0] !== "object" || docs[0] === null || !("static_resources" in docs[0] || "staticResources" in docs[0])) {
    throw new StartError([`${file}: serve takes one Envoy bootstrap with static_resources`]);
  }
  const d = protoNames("envoy.config.bootstrap.v3.Bootstrap", docs[0]) as Json;
  const problems: string[] = [];
  if (d.dynamic_resources !== undefined) problems.push("dynamic_resources: xDS is not supported by wasmgate serve");
  const clusters: Record<string, string> = {};
  for (const c of d.static_resources.clusters ?? []) {
    const ep = c.load_assignment?.endpoints?.[0]?.lb_endpoints?.[0]?.endpoint?.address?.socket_address;
    if (opts.clusters?.[c.name] !== undefined) clusters[c.name] = opts.clusters[c.name];
    else if (opts.fallbackUpstream !== undefined) clusters[c.name] = opts.fallbackUpstream;
    else if (ep?.address !== undefined && ep.port_value !== undefined) clusters[c.name] = `${ep.address}:${ep.port_value}`;
    if (c.transport_socket !== undefined && opts.clusters?.[c.name] === undefined && opts.fallbackUpstream === undefined) problems.push(`cluster ${c.name}: transport_socket (TLS to the upstream) is not supported by wasmgate serve: point it elsewhere with --cluster ${c.name}=HOST:PORT`);
  }
  for (const name of Object.keys(opts.clusters ?? {})) if (!(name in clusters)) problems.push(`--cluster ${name}: the bootstrap has no cluster of that name`);
  const offset = opts.portOffset ?? 0;
  const listeners: ListenerPlan[] = [];
  for (const [li, l] of (d.static_resources.listeners ?? []).entries()) {
    const where = `listener ${l.name ?? li}`;
    const sa = l.address?.socket_address;
    if (sa?.port_value === undefined) { problems.push(`${where}: only socket_address listeners are supported by wasmgate serve`); continue; }
    const chains: Json[] = [...(l.filter_chains ?? []), ...(l.default_filter_chain ? [l.default_filter_chain] : [])];
    if (chains.length !== 1) { problems.push(`${where}: ${chains.length} filter chains: wasmgate serve runs listeners with exactly one`); continue; }
    if (chains[0].transport_socket !== undefined) { problems.push(`${where}: TLS (transport_socket) is not supported by wasmgate serve`); continue; }
    const nf: Json[] = chains[0].filters ?? [];
    const hcmAt = nf.findIndex((f) => f.typed_config?.["@type"] === HCM);
    if (hcmAt < 0 || nf.length !== 1) { problems.push(`${where}: wasmgate serve runs listeners whose only network filter is the HTTP connection manager`); continue; }
    const hcm = nf[hcmAt].typed_config;
    if (hcm.route_config === undefined) { problems.push(`${where}: routes from RDS are not supported by wasmgate serve (give route_config)`); continue; }
    if (hcm.codec_type === "HTTP2" || hcm.codec_type === "HTTP3") problems.push(`${where}: codec_type ${hcm.codec_type}: wasmgate serve speaks HTTP/1.1 only`);
    for (const p of routeProblems(hcm.route_config, new Set(Object.keys(clusters)))) problems.push(`${where}: ${p}`);
    const filters: FilterOptions[] = [];
    for (const [i, h] of (hcm.http_filters ?? []).entries()) {
      const type = h.typed_config?.["@type"];
      const fw = `${where}: http_filters[${i}] ${h.name}`;
      if (type === ROUTER) continue;
      if (type !== WASM) { problems.push(`${fw}: ${type ?? "no typed_config"}: wasmgate serve runs Wasm filters and the router only`); continue; }
      if (h.disabled === true) { warnings.push(`${fw}: disabled: not run (per-route enabling is not supported)`); continue; }
      const spec = wasmFilterSpec(h.typed_config.config ?? {}, opts);
      if (spec.kind !== "ok") { problems.push(`${fw}: ${spec.message}`); continue; }
      filters.push(spec.filter);
    }
    listeners.push({ name: l.name ?? `listener-${li}`, address: opts.address ?? sa.address ?? "0.0.0.0", port: opts.anyPort || sa.port_value === 0 ? 0 : sa.port_value + offset, hcm, filters });
  }
  if (listeners.length === 0 && problems.length === 0) problems.push("the bootstrap has no listener to serve");
  if (problems.length) throw new StartError(problems);
  const as = d.admin?.address?.socket_address;
  const admin = as?.port_value !== undefined ? { address: opts.address ?? as.address ?? "127.0.0.1", port: opts.anyPort || as.port_value === 0 ? 0 : as.port_value + offset } : null;
  return { listeners, admin, clusters, warnings };
}

/** Starts the gateway planned from `file`; resolves once every listener is bound. */
export async function startGateway(file: string, opts: ServeOptions = {}): Promise<Gateway & { warnings: string[] }> {
  const plan = planGateway(file, opts);
  const hosts: Host[] = [];
  const servers: Server[] = [];
  const listening: Listening[] = [];
  const close = async () => {
    await Promise.all(servers.map((s) => new Promise<void>((r) => { s.close(() => r()); s.closeAllConnections(); })));
    for (const h of hosts) h.close();
  };
  try {
    for (const l of plan.listeners) {
      // A chain without Wasm filters runs the stream with no host behind it.
      const host = l.filters.length ? createHost({ filters: l.filters, workers: opts.workers ?? 1, clusters: plan.clusters, envoyVersion: opts.envoyVersion, logLevel: opts.logLevel ?? "info" }) : null;
      const logger = host?.logger ?? new Logger(opts.logLevel ?? "info");
      logger.echo = opts.onLog ? (r) => opts.onLog!(r.line) : null;
      if (host) hosts.push(host);
      const server = createServer((req, res) => { handle(host, logger, l, plan.clusters, req, res).catch((e) => fail(res, e)); });
      servers.push(server);
      listening.push(await listen(server, l.name, l.address, l.port, "http"));
    }
    if (plan.admin) {
      const server = createServer((req, res) => admin(hosts, req, res));
      servers.push(server);
      listening.push(await listen(server, "admin", plan.admin.address, plan.admin.port, "admin"));
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { listening, hosts, close, warnings: plan.warnings };
}

function listen(server: Server, name: string, address: string, port: number, kind: "http" | "admin"): Promise<Listening> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, address, () => {
      server.off("error", reject);
      resolve({ name, address, port: (server.address() as { port: number }).port, kind });
    });
  });
}

function fail(res: ServerResponse, e: unknown): void {
  if (!res.headersSent) { res.writeHead(500, { "content-type": "text/plain" }); res.end(`wasmgate serve: ${(e as Error).message}\n`); }
  else res.destroy();
}

let nextWorker = 0;

async function handle(host: Host | null, logger: Logger, l: ListenerPlan, clusters: Record<string, string>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const headers: Pair[] = [[":method", req.method ?? "GET"], [":path", req.url ?? "/"], [":authority", req.headers.host ?? ""], [":scheme", "http"]];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const k = req.rawHeaders[i].toLowerCase();
    if (k !== "host" && !HOP_BY_HOP.has(k)) headers.push([k, req.rawHeaders[i + 1]]);
  }
  const remote = `${req.socket.remoteAddress?.includes(":") ? `[${req.socket.remoteAddress}]` : req.socket.remoteAddress}:${req.socket.remotePort}`;
  const protocol = `HTTP/${req.httpVersion}` as "HTTP/1.1";
  const info = streamInfoFor({ source: remote, destination: `${req.socket.localAddress}:${req.socket.localPort}`, protocol });
  const worker = nextWorker++ % Math.max(1, host?.options.workers ?? 1);
  const slots = host?.filters.map((f) => f.slotFor(worker)) ?? [];
  const upstream = (fwd: ForwardedRequest): Promise<UpstreamResponse> => route(l, clusters, fwd, { remote, protocol });
  const stream = new HttpStream(slots, info, upstream, { bufferLimit: 1 << 20, idleTimeoutMs: 300_000, logger });
  const out = await stream.run({ headers, body: chunks.length ? [Buffer.concat(chunks)] : [] });
  logger.take(); // lines were echoed; keep memory flat
  if (out.reset) { res.destroy(); return; }
  const rh = out.response.headers.filter(([k]) => !k.startsWith(":") && !HOP_BY_HOP.has(k) && k !== "content-length");
  // The connection manager's last word, after the encoder filters.
  if (!rh.some(([k]) => k === "date")) rh.push(["date", new Date().toUTCString()]);
  const t = l.hcm.server_header_transformation ?? "OVERWRITE";
  const hasServer = rh.some(([k]) => k === "server");
  if (t === "OVERWRITE" || (t === "APPEND_IF_ABSENT" && !hasServer)) {
    for (let i = rh.length - 1; i >= 0; i--) if (rh[i][0] === "server") rh.splice(i, 1);
    rh.push(["server", l.hcm.server_name ?? "envoy"]);
  }
  const body = stream.responseBody ?? Buffer.alloc(0);
  const flat: string[] = [];
  for (const [k, v] of rh) flat.push(k, v);
  flat.push("content-length", String(body.length));
  res.writeHead(out.response.status, flat);
  res.end(req.method === "HEAD" ? undefined : body);
}

async function route(l: ListenerPlan, clusters: Record<string, string>, fwd: ForwardedRequest, conn: { remote: string; protocol: string }): Promise<UpstreamResponse> {
  const headers = fwd.headers.map(([k, v]) => [k, v] as Pair);
  const sel = selectRoute(l.hcm.route_config, headers);
  if (sel === null) return { status: 404, headers: [], body: [] };
  const ctx = (upstreamHost: string): FormatContext => ({ request: fwd.headers, remote: conn.remote, protocol: conn.protocol, upstreamHost, hostname: hostname() });
  if (sel.route.direct_response !== undefined) {
    const dr = sel.route.direct_response;
    const text: string | undefined = dr.body?.inline_string ?? (dr.body?.inline_bytes !== undefined ? Buffer.from(dr.body.inline_bytes, "base64").toString("latin1") : undefined);
    const rh: Pair[] = text ? [["content-type", "text/plain"]] : [];
    mutateResponse(sel, rh, ctx("-"));
    return { status: dr.status, headers: rh, body: text ? [Buffer.from(text, "latin1")] : [] };
  }
  const target = clusters[sel.route.route.cluster];
  rewrite(sel, headers);
  mutateRequest(sel, headers, ctx(target));
  const timeoutMs = durationMs(sel.route.route.timeout) ?? 15_000;
  if (timeoutMs > 0 && !headers.some(([k]) => k === "x-envoy-expected-rq-timeout-ms")) headers.push(["x-envoy-expected-rq-timeout-ms", String(timeoutMs)]);
  const started = Date.now();
  const { response, fromUpstream } = await forward(target, headers, fwd.body, timeoutMs);
  if (fromUpstream) response.headers.push(["x-envoy-upstream-service-time", String(Date.now() - started)]);
  mutateResponse(sel, response.headers, ctx(target));
  return response;
}

function durationMs(d: unknown): number | null {
  if (typeof d !== "string") return null;
  const m = /^(\d+)(?:\.(\d{1,9}))?s$/.exec(d);
  return m ? Number(m[1]) * 1000 + Math.round(Number(`0.${m[2] ?? "0"}`) * 1000) : null;
}

/** One request to the upstream over HTTP/1.1; Envoy's answers when it cannot complete. */
function forward(target: string, headers: Pair[], body: Buffer, timeoutMs: number): Promise<{ response: UpstreamResponse; fromUpstream: boolean }> {
  const colon = target.lastIndexOf(":");
  const host = target.slice(0, colon).replace(/^\[(.*)\]$/, "$1"), port = Number(target.slice(colon + 1));
  const get = (n: string) => headers.find(([k]) => k === n)?.[1];
  const out: string[] = ["host", get(":authority") ?? ""];
  for (const [k, v] of headers) if (!k.startsWith(":") && !HOP_BY_HOP.has(k) && k !== "content-length") out.push(k, v);
  if (body.length > 0 || !["GET", "HEAD", "DELETE", "OPTIONS"].includes(get(":method") ?? "GET")) out.push("content-length", String(body.length));
  const local = (status: number, text: string) => ({ response: { status, headers: [["content-type", "text/plain"]] as Pair[], body: [Buffer.from(text)] }, fromUpstream: false });
  return new Promise((resolve) => {
    const rq = httpRequest({ host, port, method: get(":method") ?? "GET", path: get(":path") ?? "/", headers: out, setHost: false }, (rs) => {
      const chunks: Buffer[] = [];
      rs.on("data", (c: Buffer) => chunks.push(c));
      rs.on("end", () => {
        clearTimeout(timer);
        const rh: Pair[] = [];
        for (let i = 0; i < rs.rawHeaders.length; i += 2) {
          const k = rs.rawHeaders[i].toLowerCase();
          if (!HOP_BY_HOP.has(k)) rh.push([k, rs.rawHeaders[i + 1]]);
        }
        resolve({ response: { status: rs.statusCode ?? 502, headers: rh, body: chunks.length ? [Buffer.concat(chunks)] : [] }, fromUpstream: true });
      });
      rs.on("error", () => { clearTimeout(timer); resolve(local(503, "upstream connect error or disconnect/reset before headers. reset reason: connection termination")); });
    });
    const timer = timeoutMs > 0 ? setTimeout(() => { rq.destroy(); resolve(local(504, "upstream request timeout")); }, timeoutMs) : undefined;
    rq.on("error", (e) => { clearTimeout(timer); resolve(local(503, `upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: ${(e as Error).message}`)); });
    rq.end(body);
  });
}

function admin(hosts: Host[], req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? "/").split("?")[0];
  if (path === "/ready") { res.writeHead(200, { "content-type": "text/plain" }); res.end("LIVE\n"); return; }
  if (path === "/stats") {
    // Counters and gauges (histograms are left out); summed over the listeners' hosts, as Envoy's
    // stats are process-wide.
    const sum = new Map<string, number>();
    for (const h of hosts) for (const [name, v] of Object.entries(h.metrics())) if (!Array.isArray(v)) sum.set(name, (sum.get(name) ?? 0) + v);
    const lines = [...sum].map(([name, v]) => `wasmcustom.${name}: ${v}`);
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(lines.sort().join("\n") + (lines.length ? "\n" : ""));
    return;
  }
  res.writeHead(404, { "content-type": "text/plain" });
  res.end("wasmgate serve admin: /ready and /stats\n");
}
