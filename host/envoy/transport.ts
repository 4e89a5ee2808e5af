// Real callouts to named clusters (cluster name → host:port), the way Envoy's async clients behave
// towards a plugin (research/envoy-host-abi.md §3.7, §3.8): any HTTP response is a success, including
// the router's own 503 for a dead target and 504 on timeout; a reset or an over-limit response is a
// failure; gRPC unary calls and bidirectional streams carry raw protobuf bytes.
import http from "node:http";
import * as grpc from "@grpc/grpc-js";
import type { Pair } from "../abi/pairs.ts";

export interface ClusterTarget { host: string; port: number }
export type HttpResult = { ok: true; headers: Pair[]; body: Buffer; trailers: Pair[] } | { ok: false; reason: string };
export interface GrpcResult { status: number; message: string; response?: Buffer; initialMetadata: Pair[]; trailingMetadata: Pair[] }
export interface GrpcStreamHandlers {
  onInitialMetadata(md: Pair[]): void;
  onMessage(msg: Buffer): void;
  onClose(status: number, message: string, trailing: Pair[]): void;
}
export interface GrpcStreamHandle { send(msg: Buffer, end: boolean): void; halfClose(): void; cancel(): void }

/** Envoy's per-connection buffer limit also bounds a callout response. */
export const CALLOUT_BODY_LIMIT = 1 << 20;

export class Transport {
  readonly clusters = new Map<string, ClusterTarget>();
  private grpcClients = new Map<string, grpc.Client>();
  private agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  addCluster(name: string, target: ClusterTarget | string): void {
    if (typeof target === "string") {
      const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
      if (!m) throw new Error(`cluster ${name}: expected HOST:PORT, got '${target}'`);
      target = { host: m[1], port: Number(m[2]) };
    }
    this.clusters.set(name, target);
  }

  http(target: ClusterTarget, headers: Pair[], body: Buffer, trailers: Pair[], timeoutMs: number): { promise: Promise<HttpResult>; cancel(): void } {
    let req: http.ClientRequest | null = null;
    let timer: NodeJS.Timeout | null = null;
    let settled = false;
    const promise = new Promise<HttpResult>((resolve) => {
      const done = (r: HttpResult) => { if (!settled) { settled = true; if (timer) clearTimeout(timer); resolve(r); } };
      const pseudo = new Map(headers.filter(([k]) => k.startsWith(":")));
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of headers) {
        if (k.startsWith(":")) continue;
        const cur = out[k];
        out[k] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [cur, v];
      }
      out.host = pseudo.get(":authority") ?? "";
      if (body.length) out["content-length"] = String(body.length);
      if (trailers.length) { delete out["content-length"]; out["transfer-encoding"] = "chunked"; out.trailer = trailers.map(([k]) => k).join(", "); }
      const started = Date.now();
      req = http.request({ host: target.host, port: target.port, method: pseudo.get(":method"), path: pseudo.get(":path"), headers: out, agent: this.agent });
      req.on("error", (e: NodeJS.ErrnoException) => {
        if (settled) return;
        if (e.code === "ECONNREFUSED" || e.code === "ENOTFOUND" || e.code === "EHOSTUNREACH" || e.code === "ECONNRESET") {
          const text = `upstream connect error or disconnect/reset before headers. reset reason: ${e.code === "ECONNRESET" ? "connection termination" : "remote connection failure"}, transport failure reason: ${e.message}`;
          done(routerReply(503, text));
        } else done({ ok: false, reason: e.message });
      });
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > CALLOUT_BODY_LIMIT) { res.destroy(); done({ ok: false, reason: "response body over the buffer limit" }); return; }
          chunks.push(c);
        });
        res.on("error", () => done({ ok: false, reason: "reset" }));
        res.on("aborted", () => done({ ok: false, reason: "reset" }));
        res.on("end", () => {
          const hs: Pair[] = [[":status", String(res.statusCode ?? 0)]];
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            const k = res.rawHeaders[i].toLowerCase();
            if (k === "connection" || k === "keep-alive" || k === "transfer-encoding") continue;
            hs.push([k, res.rawHeaders[i + 1]]);
          }
          hs.push(["x-envoy-upstream-service-time", String(Date.now() - started)]);
          const tr: Pair[] = [];
          for (let i = 0; i < res.rawTrailers.length; i += 2) tr.push([res.rawTrailers[i].toLowerCase(), res.rawTrailers[i + 1]]);
          done({ ok: true, headers: hs, body: Buffer.concat(chunks), trailers: tr });
        });
      });
      if (timeoutMs > 0) {
        timer = setTimeout(() => { req?.destroy(); done(routerReply(504, "upstream request timeout")); }, timeoutMs);
      }
      if (trailers.length) { req.write(body); req.addTrailers(Object.fromEntries(trailers)); req.end(); }
      else req.end(body);
    });
    return { promise, cancel: () => { settled = true; if (timer) clearTimeout(timer); req?.destroy(); } };
  }

  private grpcClient(target: ClusterTarget): grpc.Client {
    const key = `${target.host}:${target.port}`;
    let c = this.grpcClients.get(key);
    if (!c) this.grpcClients.set(key, (c = new grpc.Client(key, grpc.credentials.createInsecure())));
    return c;
  }

  grpcUnary(target: ClusterTarget, service: string, method: string, metadata: Pair[], message: Buffer, timeoutMs: number): { promise: Promise<GrpcResult>; cancel(): void } {
    let call: grpc.ClientUnaryCall | null = null;
    const promise = new Promise<GrpcResult>((resolve) => {
      const md = toMetadata(metadata);
      const opts: grpc.CallOptions = timeoutMs > 0 ? { deadline: Date.now() + timeoutMs } : {};
      let initial: Pair[] = [];
      call = this.grpcClient(target).makeUnaryRequest(`/${service}/${method}`, (b: Buffer) => b, (b: Buffer) => b, message, md, opts,
        (err: grpc.ServiceError | null, value?: Buffer) => {
          if (err) resolve({ status: err.code, message: err.details, initialMetadata: initial, trailingMetadata: fromMetadata(err.metadata) });
          else resolve({ status: 0, message: "", response: value ?? Buffer.alloc(0), initialMetadata: initial, trailingMetadata: [] });
        });
      call.on("metadata", (m: grpc.Metadata) => { initial = fromMetadata(m); });
    });
    return { promise, cancel: () => (call as grpc.ClientUnaryCall | null)?.cancel() };
  }

  grpcStream(target: ClusterTarget, service: string, method: string, metadata: Pair[], h: GrpcStreamHandlers): GrpcStreamHandle {
    const call = this.grpcClient(target).makeBidiStreamRequest(`/${service}/${method}`, (b: Buffer) => b, (b: Buffer) => b, toMetadata(metadata), {});
    call.on("metadata", (m: grpc.Metadata) => h.onInitialMetadata(fromMetadata(m)));
    call.on("data", (b: Buffer) => h.onMessage(b));
    call.on("error", () => {}); // reported through "status"
    call.on("status", (s: grpc.StatusObject) => h.onClose(s.code, s.details, fromMetadata(s.metadata)));
    return {
      send: (msg, end) => { call.write(msg); if (end) call.end(); },
      halfClose: () => call.end(),
      cancel: () => call.cancel(),
    };
  }

  close(): void {
    for (const c of this.grpcClients.values()) c.close();
    this.grpcClients.clear();
    this.agent.destroy();
  }
}

function routerReply(status: number, text: string): HttpResult {
  return { ok: true, headers: [[":status", String(status)], ["content-length", String(Buffer.byteLength(text))], ["content-type", "text/plain"]], body: Buffer.from(text), trailers: [] };
}
function toMetadata(pairs: Pair[]): grpc.Metadata {
  const md = new grpc.Metadata();
  for (const [k, v] of pairs) if (!k.startsWith(":")) md.add(k, k.endsWith("-bin") ? Buffer.from(v, "base64") : v);
  return md;
}
function fromMetadata(md: grpc.Metadata | undefined): Pair[] {
  const out: Pair[] = [];
  if (!md) return out;
  for (const [k, vs] of Object.entries(md.getMap())) out.push([k, Buffer.isBuffer(vs) ? vs.toString("base64") : String(vs)]);
  return out;
}
