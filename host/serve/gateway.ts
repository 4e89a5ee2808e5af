// `wasmgate serve`: a local HTTP/1.1 gateway run from an Envoy bootstrap — its listeners, their HTTP
// connection managers' Wasm filters (run by this host, one stream per request, as Envoy runs them),
// routes (routes.ts) and clusters — for development and demos, not production. The bootstrap is first
// checked as `wasmgate validate` checks it (Envoy would refuse to start on what that refuses); then
// every field serve does not run as Envoy does is refused at start with the field named (a few that
// change nothing a request shows are a `warn` line), rather than served differently.
//
// What the connection manager and router do around the filters, as in Envoy
// (source/common/http/conn_manager_impl.cc, conn_manager_utility.cc, source/common/router/router.cc):
//  - the codec: HTTP/1.0 is answered 426 (accept_http_10 is off by default); an Upgrade without
//    upgrade_configs 403; request headers over max_request_headers_kb (60) or more than 100 of them
//    431; a fragment in the path 400; Expect: 100-continue answered, not forwarded;
//  - before the filters (mutateRequestHeaders; every request is external): the internal-only x-envoy-*
//    headers and x-forwarded-client-cert removed; with use_remote_address (an edge request) the peer
//    appended to x-forwarded-for (the local address for a loopback peer), x-envoy-external-address,
//    a new x-request-id, x-forwarded-proto; without it the last x-forwarded-for entry is the downstream
//    address filters see; x-request-id when missing; strip_any_host_port; via;
//  - the router, after the filters: the route chosen from the headers the filters left (a filter's
//    header write clears the route cache, so Envoy picks it again); the timeout (the route's, or an
//    x-envoy-upstream-rq-timeout-ms a filter set); its header mutations, then its rewrites;
//    x-envoy-expected-rq-timeout-ms (not with suppress_envoy_headers); 404 when no route matches, 503
//    when the upstream cannot be reached, 504 after the timeout (default 15 s) before the response
//    started, a reset after; an upstream that resets after its headers resets the downstream stream;
//    the route's response header mutations before the encoder filters see the response;
//  - after the encoder filters: date (when missing), server per server_header_transformation, via.
// Bodies are read whole (up to BODY_LIMIT) and given to the filters in one callback each; Envoy
// streams them. The admin listener answers /ready, /stats (the plugins' metrics as "wasmcustom.") and /stats/prometheus.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { hostname, networkInterfaces } from "node:os";
import { isIP } from "node:net";
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { createHost, streamInfoFor, type FilterOptions, type Host } from "../index.ts";
import { HttpStream, type ForwardedRequest, type UpstreamResponse } from "../envoy/http-stream.ts";
import type { Pair } from "../abi/pairs.ts";
import type { LogLevelName } from "../abi/enums.ts";
import { Logger } from "../vm/logger.ts";
import { protoNames } from "../deploy/envoy-api.ts";
import { validateFile, wasmFilterSpec, type ValidateOptions } from "../deploy/validate.ts";
import { fromWire, toWire } from "./wire.ts";
import { dropHeaders, mutateRequest, mutateResponse, rewrite, routeProblems, selectRoute, type FormatContext } from "./routes.ts";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const T = "type.googleapis.com/";
const HCM = `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`;
const WASM = `${T}envoy.extensions.filters.http.wasm.v3.Wasm`;
const ROUTER = `${T}envoy.extensions.filters.http.router.v3.Router`;
/** The bytes Envoy's check_authority_h1_h2 accepts in :authority (source/common/http/header_validation.cc). */
const VALID_AUTHORITY = /^[!$%&'()*+,\-.0-9:;=@A-Z[\]_a-z~]*$/;
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "http2-settings"]);
/** The most of a request or response body serve holds (it reads bodies whole). */
export const BODY_LIMIT = 16 << 20;

// Connection-manager fields serve runs as Envoy does; those that change nothing a request shows here
// are only warned about; anything else is refused.
const HCM_RUN = new Set(["stat_prefix", "route_config", "http_filters", "codec_type", "server_name", "server_header_transformation",
  "generate_request_id", "use_remote_address", "via", "always_set_request_id_in_response", "max_request_headers_kb", "strip_any_host_port"]);
const HCM_WARN = new Set(["access_log", "tracing", "stream_idle_timeout", "request_timeout", "request_headers_timeout", "drain_timeout",
  "delayed_close_timeout"]);
// What conn_manager_utility.cc cleanInternalHeaders strips from every external request (serve treats
// every request as external: no internal_address_config, and since Envoy 1.33 no address is internal
// by default), and from edge requests (use_remote_address) too.
const EXTERNAL_STRIP = ["x-envoy-retriable-status-codes", "x-envoy-retriable-header-names", "x-envoy-retry-on", "x-envoy-retry-grpc-on",
  "x-envoy-max-retries", "x-envoy-upstream-alt-stat-name", "x-envoy-upstream-rq-timeout-ms", "x-envoy-upstream-rq-per-try-timeout-ms",
  "x-envoy-upstream-rq-timeout-alt-response", "x-envoy-expected-rq-timeout-ms", "x-envoy-force-trace", "x-envoy-ip-tags",
  "x-envoy-original-url", "x-envoy-hedge-on-per-try-timeout", "x-envoy-internal", "x-forwarded-client-cert"];
const EDGE_STRIP = ["x-envoy-decorator-operation", "x-envoy-downstream-service-cluster", "x-envoy-downstream-service-node"];
const MAX_HEADERS = 100; // Envoy's default max_headers_count
const ROUTER_RUN = new Set(["@type", "suppress_envoy_headers", "dynamic_stats", "start_child_span"]);
const LISTENER_RUN = new Set(["name", "address", "filter_chains", "default_filter_chain", "per_connection_buffer_limit_bytes", "stat_prefix", "traffic_direction"]);

export interface ServeOptions extends ValidateOptions {
  /** Cluster name → "host:port", over the bootstrap's endpoints. */
  clusters?: Record<string, string>;
  /** Send every cluster that `clusters` does not name to this "host:port" (the built-in echo). */
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

interface ListenerPlan { name: string; address: string; port: number; hcm: Json; router: Json; filters: FilterOptions[] }

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
    const eps = (c.load_assignment?.endpoints ?? []).flatMap((e: Json) => e.lb_endpoints ?? []);
    const ep = eps[0]?.endpoint?.address?.socket_address;
    const overridden = opts.clusters?.[c.name] !== undefined || opts.fallbackUpstream !== undefined;
    if (opts.clusters?.[c.name] !== undefined) clusters[c.name] = opts.clusters[c.name];
    else if (opts.fallbackUpstream !== undefined) clusters[c.name] = opts.fallbackUpstream;
    else if (ep?.address !== undefined && ep.port_value !== undefined) clusters[c.name] = `${ep.address.includes(":") ? `[${ep.address}]` : ep.address}:${ep.port_value}`;
    if (!overridden) {
      if (c.transport_socket !== undefined) problems.push(`cluster ${c.name}: transport_socket (TLS to the upstream) is not supported by wasmgate serve: point it elsewhere with --cluster ${c.name}=HOST:PORT`);
      if (c.typed_extension_protocol_options !== undefined || c.http2_protocol_options !== undefined) problems.push(`cluster ${c.name}: upstream protocol options (HTTP/2 to the upstream) are not supported by wasmgate serve: point it elsewhere with --cluster ${c.name}=HOST:PORT`);
      if (eps.length > 1) warnings.push(`cluster ${c.name}: ${eps.length} endpoints: serve sends every request to the first`);
    }
  }
  for (const name of Object.keys(opts.clusters ?? {})) if (!(name in clusters)) problems.push(`--cluster ${name}: the bootstrap has no cluster of that name`);
  const offset = opts.portOffset ?? 0;
  const listeners: ListenerPlan[] = [];
  for (const [li, l] of (d.static_resources.listeners ?? []).entries()) {
    const where = `listener ${l.name ?? li}`;
    for (const k of Object.keys(l)) if (!LISTENER_RUN.has(k)) problems.push(`${where}: ${k}: not supported by wasmgate serve`);
    const sa = l.address?.socket_address;
    if (sa?.port_value === undefined) { problems.push(`${where}: only socket_address listeners are supported by wasmgate serve`); continue; }
    const chains: Json[] = [...(l.filter_chains ?? []), ...(l.default_filter_chain ? [l.default_filter_chain] : [])];
    if (chains.length !== 1) { problems.push(`${where}: ${chains.length} filter chains: wasmgate serve runs listeners with exactly one`); continue; }
    for (const k of Object.keys(chains[0])) if (k !== "filters" && k !== "name") problems.push(`${where}: filter chain ${k}: not supported by wasmgate serve`);
    const nf: Json[] = chains[0].filters ?? [];
    const hcmAt = nf.findIndex((f) => f.typed_config?.["@type"] === HCM);
    if (hcmAt < 0 || nf.length !== 1) { problems.push(`${where}: wasmgate serve runs listeners whose only network filter is the HTTP connection manager`); continue; }
    const hcm = nf[hcmAt].typed_config;
    for (const k of Object.keys(hcm)) {
      if (k === "@type" || HCM_RUN.has(k)) continue;
      if (HCM_WARN.has(k)) warnings.push(`${where}: ${k}: not applied by wasmgate serve`);
      else problems.push(`${where}: ${k}: not supported by wasmgate serve`);
    }
    if (hcm.route_config === undefined) { problems.push(`${where}: routes from RDS are not supported by wasmgate serve (give route_config)`); continue; }
    if (hcm.codec_type !== undefined && hcm.codec_type !== "AUTO" && hcm.codec_type !== "HTTP1") problems.push(`${where}: codec_type ${hcm.codec_type}: wasmgate serve speaks HTTP/1.1 only`);
    if (hcm.generate_request_id === false) problems.push(`${where}: generate_request_id: false is not supported by wasmgate serve`);
    for (const p of routeProblems(hcm.route_config, new Set(Object.keys(clusters)))) problems.push(`${where}: ${p}`);
    const filters: FilterOptions[] = [];
    let router: Json = {};
    for (const [i, h] of (hcm.http_filters ?? []).entries()) {
      const type = h.typed_config?.["@type"];
      const fw = `${where}: http_filters[${i}] ${h.name}`;
      if (type === ROUTER) {
        router = h.typed_config;
        for (const k of Object.keys(router)) if (!ROUTER_RUN.has(k)) problems.push(`${fw}: ${k}: not supported by wasmgate serve`);
        continue;
      }
      if (type !== WASM) { problems.push(`${fw}: ${type ?? "no typed_config"}: wasmgate serve runs Wasm filters and the router only`); continue; }
      if (h.disabled === true) { problems.push(`${fw}: disabled (enabled per route): not supported by wasmgate serve`); continue; }
      const spec = wasmFilterSpec(h.typed_config.config ?? {}, opts);
      if (spec.kind !== "ok") { problems.push(`${fw}: ${spec.message}`); continue; }
      filters.push(spec.filter);
    }
    listeners.push({ name: l.name ?? `listener-${li}`, address: opts.address ?? sa.address ?? "0.0.0.0", port: opts.anyPort || sa.port_value === 0 ? 0 : sa.port_value + offset, hcm, router, filters });
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
  const inflight = new Set<AbortController>();
  const close = async () => {
    for (const a of inflight) a.abort();
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
      const server = createServer({ maxHeaderSize: (l.hcm.max_request_headers_kb ?? 60) * 1024 }, (req, res) => {
        const abort = new AbortController();
        inflight.add(abort);
        res.on("close", () => { abort.abort(); inflight.delete(abort); });
        handle(host, logger, l, plan.clusters, req, res, abort.signal).catch((e) => fail(res, e));
      });
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

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": "text/plain", "content-length": Buffer.byteLength(text), date: new Date().toUTCString() });
  res.end(text);
}

let nextWorker = 0;

/**
 * The request headers as the HTTP/1 codec and the connection manager hand them to the filters
 * (ConnectionManagerUtility::mutateRequestHeaders), and the downstream address filters see.
 */
function downstreamHeaders(l: ListenerPlan, req: IncomingMessage, authority: string, path: string, scheme: string | null): { headers: Pair[]; remote: string } {
  if (l.hcm.strip_any_host_port === true) authority = authority.replace(/:\d+$/, "");
  const headers: Pair[] = [[":method", req.method ?? "GET"], [":path", path], [":authority", authority]];
  const xff: string[] = [], via: string[] = [], referer: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const k = req.rawHeaders[i].toLowerCase(), v = fromWire(req.rawHeaders[i + 1]);
    // x-forwarded-for and via are inline in Envoy's map: their lines are joined with ","
    if (k === "x-forwarded-for") xff.push(v);
    else if (k === "via") via.push(v);
    else if (k === "referer") referer.push(v);
    else if (k !== "host" && k !== "expect" && !HOP_BY_HOP.has(k)) headers.push([k, v]);
  }
  // The connection manager's request mutations (ConnectionManagerUtility::mutateRequestHeaders).
  const peer = req.socket.remoteAddress ?? "127.0.0.1";
  const edge = l.hcm.use_remote_address === true;
  let finalRemote = peer, fromXff = false;
  if (edge) {
    xff.push(isLoopback(peer) ? localAddress() : peer);
    dropHeaders(headers, "x-envoy-external-address", "x-request-id", "x-forwarded-proto", ...EDGE_STRIP);
    headers.push(["x-envoy-external-address", peer], ["x-forwarded-proto", "http"]);
  } else if (xff.length) {
    const last = xff.join(",").split(",").at(-1)!.trim();
    if (isIP(last)) { finalRemote = last; fromXff = true; } // the downstream address filters see: the last XFF entry
  }
  dropHeaders(headers, ...EXTERNAL_STRIP);
  if (xff.length) headers.push(["x-forwarded-for", xff.join(",")]);
  if (via.length || l.hcm.via) headers.push(["via", appendVia(via.join(","), l.hcm.via)]);
  // One referer, a valid absolute URL or an absolute path, or none (isValidRefererValue).
  if (referer.length === 1 && validReferer(referer[0])) headers.push(["referer", referer[0]]);
  // :scheme: HTTP/1 origin-form sets none; the connection manager takes x-forwarded-proto's when it is
  // http or https (an edge request's was just set), else the connection's.
  const xfp = headers.find(([k]) => k === "x-forwarded-proto")?.[1];
  headers.splice(3, 0, [":scheme", scheme ?? (xfp === "http" || xfp === "https" ? xfp : "http")]);
  const bracket = (ip: string) => (ip.includes(":") ? `[${ip}]` : ip);
  const remote = fromXff ? `${bracket(finalRemote)}:0` : `${bracket(peer)}:${req.socket.remotePort}`;
  return { headers, remote };
}

/** Raised from the upstream call when the upstream reset after its headers: the client stream is reset. */
class ResetAfterHeaders extends Error {}

async function handle(host: Host | null, logger: Logger, l: ListenerPlan, clusters: Record<string, string>, req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
  // The codec's and connection manager's own answers.
  if (req.httpVersion === "1.0") { plain(res, 426, "Upgrade Required"); return; }
  if (req.headers.upgrade !== undefined) { plain(res, 403, "upgrade_failed"); return; }
  if (req.rawHeaders.length / 2 > MAX_HEADERS) { plain(res, 431, "Request Header Fields Too Large"); return; }
  let path = req.url ?? "/", authority = fromWire(req.headers.host ?? ""), scheme: string | null = null;
  const abs = /^(https?):\/\/([^/?#]*)/i.exec(path); // absolute form: scheme and authority from it, the rest as sent
  if (abs) { scheme = abs[1].toLowerCase(); authority = fromWire(abs[2]); path = path.slice(abs[0].length) || "/"; }
  if (path.includes("#")) { plain(res, 400, "Bad Request"); return; } // http_reject_path_with_fragment
  // The connection manager's header check (HeaderValidation::requestHeadersValid): an authority with a
  // byte outside its table (space, / ? # < > \ ^ ` { | } ", controls, anything ≥ 0x80) is a 400
  // (http.invalid_authority) before any filter runs.
  if (!VALID_AUTHORITY.test(authority)) { plain(res, 400, "Bad Request"); return; }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > BODY_LIMIT) { plain(res, 413, "Payload Too Large"); req.destroy(); return; }
    chunks.push(c as Buffer);
  }
  const { headers, remote } = downstreamHeaders(l, req, authority, path, scheme);
  const protocol = "HTTP/1.1" as const;
  const info = streamInfoFor({ source: remote, destination: `${req.socket.localAddress}:${req.socket.localPort}`, protocol });
  // A filter that reads route_name or cluster_name sees the route for the headers as they came.
  const first = selectRoute(l.hcm.route_config, headers);
  info.routeName = first?.route.name ?? "";
  info.clusterName = first?.route.route?.cluster ?? null;
  const worker = nextWorker++ % Math.max(1, host?.options.workers ?? 1);
  const slots = host?.filters.map((f) => f.slotFor(worker)) ?? [];
  let resetAfterHeaders = false;
  const upstream = async (fwd: ForwardedRequest): Promise<UpstreamResponse> => {
    try {
      return await route(l, clusters, fwd, { remote, protocol }, info, signal);
    } catch (e) {
      if (e instanceof ResetAfterHeaders) { resetAfterHeaders = true; return { status: 503, headers: [], body: [], details: "upstream_reset_after_response_started" }; }
      logger.host("error", `wasmgate serve: ${(e as Error).stack ?? e}`);
      return { status: 500, headers: [["content-type", "text/plain"]], body: [Buffer.from("wasmgate serve: internal error\n")], details: "wasmgate_serve_error" };
    }
  };
  const stream = new HttpStream(slots, info, upstream, { bufferLimit: BODY_LIMIT, idleTimeoutMs: 300_000, logger });
  const out = await stream.run({ headers, body: chunks.length ? [Buffer.concat(chunks)] : [] });
  logger.take(); // lines were echoed; keep memory flat
  if (out.reset || resetAfterHeaders || signal.aborted) { res.destroy(); return; }
  const status = out.response.status;
  const isHead = req.method === "HEAD";
  const rh = out.response.headers.filter(([k]) => !k.startsWith(":") && !HOP_BY_HOP.has(k) && !(k === "content-length" && !isHead));
  // The connection manager's last word, after the encoder filters.
  if (!rh.some(([k]) => k === "date")) rh.push(["date", new Date().toUTCString()]);
  const t = l.hcm.server_header_transformation ?? "OVERWRITE";
  if (t === "OVERWRITE" || (t === "APPEND_IF_ABSENT" && !rh.some(([k]) => k === "server"))) {
    dropHeaders(rh, "server");
    rh.push(["server", l.hcm.server_name ?? "envoy"]);
  }
  if (l.hcm.via) {
    const lines = rh.filter(([k]) => k === "via").map(([, v]) => v);
    dropHeaders(rh, "via");
    rh.push(["via", appendVia(lines.join(","), l.hcm.via)]);
  }
  if (l.hcm.always_set_request_id_in_response === true) {
    const id = (out.request?.headers ?? headers).find(([k]) => k === "x-request-id")?.[1];
    if (id) { dropHeaders(rh, "x-request-id"); rh.push(["x-request-id", id]); }
  }
  const body = stream.responseBody ?? Buffer.alloc(0);
  const flat: string[] = [];
  for (const [k, v] of rh) flat.push(k, toWire(v));
  // A 1xx, 204 or 304 has no content-length; HEAD keeps the upstream's.
  if (!isHead && status !== 204 && status !== 304 && status >= 200) flat.push("content-length", String(body.length));
  res.writeHead(status, flat);
  res.end(isHead || status === 204 || status === 304 ? undefined : body);
}

/** Utility::appendVia: the connection manager's via value after the existing one, with ", ". */
function appendVia(existing: string, ours: string | undefined): string {
  if (!ours) return existing;
  return existing ? `${existing}, ${ours}` : ours;
}
function validReferer(v: string): boolean {
  if (v.startsWith("/")) return !/[\s]/.test(v);
  try { const u = new URL(v); return u.host !== "" && /^[a-z][a-z0-9+.-]*:\/\//i.test(v); } catch { return false; }
}

/** The local address Envoy appends to x-forwarded-for for a loopback peer (its config.localAddress(),
 *  found once at start-up as Envoy finds it). */
let localAddressOnce: string | null = null;
function localAddress(): string {
  localAddressOnce ??= Object.values(networkInterfaces()).flat().find((a) => a && !a.internal && a.family === "IPv4")?.address ?? "127.0.0.1";
  return localAddressOnce;
}
const HOSTNAME = hostname(); // %HOSTNAME%: the machine's name, read once
function isLoopback(ip: string): boolean {
  return /^127\./.test(ip) || ip === "::1" || /^::ffff:127\./.test(ip);
}

async function route(l: ListenerPlan, clusters: Record<string, string>, fwd: ForwardedRequest, conn: { remote: string; protocol: string }, info: { routeName: string; clusterName: string | null }, signal: AbortSignal): Promise<UpstreamResponse> {
  const headers = fwd.headers.map(([k, v]) => [k, v] as Pair);
  const sel = selectRoute(l.hcm.route_config, headers);
  info.routeName = sel?.route.name ?? "";
  info.clusterName = sel?.route.route?.cluster ?? null;
  if (sel === null) return { status: 404, headers: [], body: [], details: "route_not_found" };
  // %REQ()% reads the request headers as they are when the value is computed (after this level's removes).
  const ctx = (upstreamHost: string): FormatContext => ({ request: headers, remote: conn.remote, protocol: conn.protocol, upstreamHost, hostname: HOSTNAME });
  if (sel.route.direct_response !== undefined) {
    const dr = sel.route.direct_response;
    // inline_string is sent as its UTF-8 bytes, inline_bytes as they are
    const body = dr.body?.inline_string !== undefined ? Buffer.from(dr.body.inline_string, "utf8")
      : dr.body?.inline_bytes !== undefined ? Buffer.from(dr.body.inline_bytes, "base64") : null;
    const rh: Pair[] = body !== null && body.length > 0 ? [["content-type", "text/plain"]] : [];
    mutateResponse(sel, rh, ctx("-"));
    return { status: dr.status, headers: rh, body: body !== null && body.length > 0 ? [body] : [], details: "direct_response" };
  }
  const target = clusters[sel.route.route.cluster];
  const envoyHeaders = l.router.suppress_envoy_headers !== true;
  // The timeout first (FilterUtility::finalTimeout, before finalizeRequestHeaders): the route's, or an
  // x-envoy-upstream-rq-timeout-ms a filter set (the connection manager removed the client's).
  let timeoutMs = durationMs(sel.route.route.timeout) ?? 15_000;
  const ti = headers.findIndex(([k]) => k === "x-envoy-upstream-rq-timeout-ms");
  if (ti >= 0) {
    const n = Number(headers[ti][1]);
    if (/^\d+$/.test(headers[ti][1]) && Number.isSafeInteger(n)) timeoutMs = n;
    headers.splice(ti, 1);
  }
  dropHeaders(headers, "x-envoy-expected-rq-timeout-ms", "x-envoy-upstream-rq-per-try-timeout-ms");
  if (envoyHeaders && timeoutMs > 0) headers.push(["x-envoy-expected-rq-timeout-ms", String(timeoutMs)]);
  mutateRequest(sel, headers, ctx(target));
  rewrite(sel, headers, envoyHeaders);
  const started = Date.now();
  const { response, fromUpstream } = await forward(target, headers, fwd.body, timeoutMs, signal);
  if (fromUpstream && envoyHeaders) response.headers.push(["x-envoy-upstream-service-time", String(Date.now() - started)]);
  mutateResponse(sel, response.headers, ctx(target));
  return response;
}

function durationMs(d: unknown): number | null {
  if (typeof d !== "string") return null;
  const m = /^(\d+)(?:\.(\d{1,9}))?s$/.exec(d);
  return m ? Number(m[1]) * 1000 + Math.round(Number(`0.${m[2] ?? "0"}`) * 1000) : null;
}

/** One request to the upstream over HTTP/1.1; Envoy's answers when it cannot complete. */
function forward(target: string, headers: Pair[], body: Buffer, timeoutMs: number, signal: AbortSignal): Promise<{ response: UpstreamResponse; fromUpstream: boolean }> {
  const colon = target.lastIndexOf(":");
  const host = target.slice(0, colon).replace(/^\[(.*)\]$/, "$1"), port = Number(target.slice(colon + 1));
  const get = (n: string) => headers.find(([k]) => k === n)?.[1];
  const out: string[] = ["host", toWire(get(":authority") ?? "")];
  for (const [k, v] of headers) if (!k.startsWith(":") && !HOP_BY_HOP.has(k) && k !== "content-length") out.push(k, toWire(v));
  if (body.length > 0 || !["GET", "HEAD", "DELETE", "OPTIONS"].includes(get(":method") ?? "GET")) out.push("content-length", String(body.length));
  const local = (status: number, text: string, details: string) => ({ response: { status, headers: [["content-type", "text/plain"]] as Pair[], body: [Buffer.from(text)], details }, fromUpstream: false });
  return new Promise((resolve, reject) => {
    let headersIn = false, done = false;
    const finish = (f: () => void) => { if (!done) { done = true; clearTimeout(timer); signal.removeEventListener("abort", onAbort); f(); } };
    const rq = httpRequest({ host, port, method: get(":method") ?? "GET", path: get(":path") ?? "/", headers: out, setHost: false }, (rs) => {
      headersIn = true;
      const chunks: Buffer[] = [];
      let size = 0;
      rs.on("data", (c: Buffer) => {
        size += c.length;
        if (size > BODY_LIMIT) { rq.destroy(); finish(() => reject(new ResetAfterHeaders())); return; }
        chunks.push(c);
      });
      rs.on("end", () => finish(() => {
        const rh: Pair[] = [];
        for (let i = 0; i < rs.rawHeaders.length; i += 2) {
          const k = rs.rawHeaders[i].toLowerCase();
          if (!HOP_BY_HOP.has(k)) rh.push([k, fromWire(rs.rawHeaders[i + 1])]);
        }
        resolve({ response: { status: rs.statusCode ?? 502, headers: rh, body: chunks.length ? [Buffer.concat(chunks)] : [] }, fromUpstream: true });
      }));
      rs.on("aborted", () => finish(() => reject(new ResetAfterHeaders())));
      rs.on("error", () => finish(() => reject(new ResetAfterHeaders())));
    });
    // A timeout once the response has started resets the stream (router.cc onResponseTimeout).
    const timer = timeoutMs > 0 ? setTimeout(() => { rq.destroy(); finish(() => (headersIn ? reject(new ResetAfterHeaders()) : resolve(local(504, "upstream request timeout", "upstream_response_timeout")))); }, timeoutMs) : undefined;
    const onAbort = () => { rq.destroy(); finish(() => resolve(local(503, "downstream went away", "downstream_remote_disconnect"))); };
    signal.addEventListener("abort", onAbort);
    rq.on("error", (e: Error & { code?: string }) => finish(() => {
      if (headersIn) { reject(new ResetAfterHeaders()); return; }
      const refused = e.code === "ECONNREFUSED" || e.code === "EHOSTUNREACH" || e.code === "ENOTFOUND" || e.code === "EAI_AGAIN";
      resolve(local(503, `upstream connect error or disconnect/reset before headers. reset reason: ${refused ? "connection failure" : "connection termination"}${refused ? `, transport failure reason: ${e.message}` : ""}`, refused ? "upstream_reset_before_response_started{connection_failure}" : "upstream_reset_before_response_started{connection_termination}"));
    }));
    rq.end(body);
  });
}

function admin(hosts: Host[], req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? "/").split("?")[0];
  if (path === "/ready") { res.writeHead(200, { "content-type": "text/plain" }); res.end("LIVE\n"); return; }
  if (path === "/stats" || path === "/stats/prometheus") {
    // Counters and gauges (histograms are left out); summed over the listeners' hosts, as Envoy's
    // stats are process-wide. /stats names them wasmcustom.<name>; Envoy's Prometheus output strips
    // that namespace and turns what is not [a-zA-Z0-9_] into "_" (PrometheusStatsFormatter::metricName).
    const sum = new Map<string, { kind: string; value: number }>();
    for (const h of hosts) {
      for (const [name, m] of h.process.metrics) {
        if (m.kind === "histogram") continue;
        const e = sum.get(name) ?? { kind: m.kind, value: 0 };
        e.value += Number(m.value);
        sum.set(name, e);
      }
    }
    const names = [...sum.keys()].sort();
    const lines = path === "/stats"
      ? names.map((n) => `wasmcustom.${n}: ${sum.get(n)!.value}`)
      : names.flatMap((n) => { const p = n.replace(/[^a-zA-Z0-9_]/g, "_"); return [`# TYPE ${p} ${sum.get(n)!.kind}`, `${p} ${sum.get(n)!.value}`]; });
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(lines.join("\n") + (lines.length ? "\n" : ""));
    return;
  }
  res.writeHead(404, { "content-type": "text/plain" });
  res.end("wasmgate serve admin: /ready, /stats and /stats/prometheus\n");
}
