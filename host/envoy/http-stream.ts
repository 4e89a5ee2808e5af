// Envoy's filter manager for one HTTP stream through a chain of Wasm filters, then the router.
// Reproduces what a plugin can observe (research/envoy-host-abi.md §2.2–§2.4, §4, §7):
//  - decoder filters in order, encoder filters in reverse; a filter that stops holds everything behind it;
//  - StopIteration from headers becomes StopAllIterationAndWatermark (unless allowed, ≥1.35): no body
//    callbacks until continue_stream, then the buffered body is delivered in one callback;
//  - StopIterationAndBuffer makes the next body callback see the accumulated body; over the buffer
//    limit Envoy answers 413 (request) or 500 (response);
//  - send_local_response is deferred, forces Stop, and the reply then runs through the encoder
//    callbacks of every filter that saw the request: Envoy's FilterManager calls every encoder filter
//    (commonEncodePrefix(nullptr) = encoder_filters_.begin()), but a Wasm Context without an in-VM
//    context (its decodeHeaders never ran) returns Continue from encode* untouched (a reply from the
//    response phase goes out directly, or resets the stream once headers have gone downstream); gRPC
//    requests get trailers-only replies;
//  - a trap fails the VM: the stream gets 503 wasm_fail_stream (unless the legacy fail_open is set);
//  - at the end on_log, then on_done and on_delete, for every filter whose context exists.
import { randomUUID } from "node:crypto";
import type { Pair } from "../abi/pairs.ts";
import { httpToGrpcStatus } from "../abi/enums.ts";
import { HeaderMap } from "./header-map.ts";
import { FilterRun } from "./filter-run.ts";
import { AsyncQueue } from "./async-queue.ts";
import type { Direction, StageInput, StreamEvent } from "./events.ts";
import type { FilterStreamState, LocalReply, StreamActions } from "./filter-stream.ts";
import type { StreamInfo } from "./stream-info.ts";
import type { FilterSlot } from "./wasm-filter.ts";
import type { Logger } from "../vm/logger.ts";
import { nowNs } from "../vm/clock.ts";

export interface DownstreamRequest { headers: Pair[]; body: Buffer[]; trailers?: Pair[] }
export interface UpstreamResponse {
  status: number; headers: Pair[]; body: Buffer[]; trailers?: Pair[];
  /** For a reply the router made itself (no route, upstream unreachable …): its response code details. */
  details?: string;
}
export interface ForwardedRequest { headers: Pair[]; body: Buffer; trailers: Pair[] | null }
export type Upstream = (req: ForwardedRequest, info: StreamInfo) => Promise<UpstreamResponse>;

export interface Outcome {
  forwarded: boolean;
  request?: { headers: Pair[]; body: string; trailers?: Pair[] };
  response: { status: number; headers: Pair[]; body: string; trailers?: Pair[] };
  localReply: boolean;
  details: string;
  reset: boolean;
  stalled: boolean;
  routeCacheCleared: number;
}

export interface StreamOptions {
  bufferLimit: number;
  /** Envoy waits stream_idle_timeout (300 s) for a stalled stream; the host gives up after this. */
  idleTimeoutMs: number;
  logger: Logger;
}

type End =
  | { kind: "local"; reply: LocalReply; from: number; phase: Direction; trap?: boolean }
  | { kind: "reset"; details: string };

export class HttpStream implements StreamActions {
  readonly runs: FilterRun[];
  private end: End | null = null;
  private abortListeners: (() => void)[] = [];
  private responseStarted = false;
  private phase: Direction = "request";
  private isGrpc = false;
  private stalled = false;
  private awaitingUpstream = false;
  /** The response body as bytes once run() has finished (the Outcome has it as UTF-8 text). */
  responseBody: Buffer | null = null;

  constructor(slots: FilterSlot[], readonly info: StreamInfo, private readonly upstream: Upstream, private readonly opts: StreamOptions) {
    const hooks = { ended: () => this.end !== null, trapped: (r: FilterRun) => this.onTrap(r) };
    this.runs = slots.map((s, i) => {
      if (s.kind === "fail-closed") return new FilterRun(i, s.filter, null, null, info, this, hooks);
      if (s.kind === "bypass") return new FilterRun(i, null, null, null, info, this, hooks);
      return new FilterRun(i, s.filter, s.vm, s.root, info, this, hooks);
    });
    this.failClosedAt = slots.findIndex((s) => s.kind === "fail-closed");
  }
  private readonly failClosedAt: number;

  // ---- StreamActions (called from host functions) ----
  private runOf(fs: FilterStreamState): FilterRun { return this.runs.find((r) => r.state === fs)!; }
  localReply(fs: FilterStreamState, reply: LocalReply): void {
    const run = this.runOf(fs);
    run.vm!.defer(() => this.finish({ kind: "local", reply, from: run.index, phase: this.phase }));
  }
  continueStream(fs: FilterStreamState, dir: 0 | 1): void {
    const run = this.runOf(fs);
    run.vm!.defer(() => run.signalContinue(dir));
  }
  closeStream(fs: FilterStreamState): void {
    this.runOf(fs).vm!.defer(() => this.finish({ kind: "reset", details: "wasm_close_stream" }));
  }
  clearRouteCache(): void { this.info.routeCacheCleared++; }

  private onTrap(run: FilterRun): void {
    run.active = false;
    if (run.filter?.settings.failOpen) return; // legacy fail_open: the stream goes on without the plugin
    this.finish({ kind: "local", reply: failReply(), from: run.index, phase: this.phase, trap: true });
  }

  private finish(end: End): void {
    if (this.end) {
      this.opts.logger.host("warning", `stream already ending (${this.end.kind}); ignoring a second ${end.kind === "local" ? "local reply" : "reset"}`);
      return;
    }
    this.end = end;
    for (const l of this.abortListeners.splice(0)) l();
  }

  // ---- the pipeline of one direction ----
  private pipeline(dir: Direction, runs: FilterRun[], source: StreamEvent[]): AsyncQueue<StageInput> {
    const sink = new AsyncQueue<StageInput>();
    let next: (e: StageInput) => void = (e) => sink.push(e);
    for (let k = runs.length - 1; k >= 0; k--) {
      const q = new AsyncQueue<StageInput>();
      const fwd = next;
      runs[k].inputs[dir] = (e) => q.push(e);
      this.abortListeners.push(() => q.push({ kind: "abort" }));
      void this.stage(runs[k], dir, q, fwd);
      next = (e) => q.push(e);
    }
    this.abortListeners.push(() => sink.push({ kind: "abort" }));
    for (const e of source) next(e);
    return sink;
  }

  private async stage(run: FilterRun, dir: Direction, q: AsyncQueue<StageInput>, fwd: (e: StageInput) => void): Promise<void> {
    let heldHeaders: Extract<StreamEvent, { kind: "headers" }> | null = null;
    let heldTrailers: Extract<StreamEvent, { kind: "trailers" }> | null = null;
    let acc: Buffer | null = null;
    let accEos = false;
    let stopAll = false;
    let bufferMode = false;
    let done = false;
    const release = () => {
      if (heldHeaders) { fwd(heldHeaders); heldHeaders = null; }
      if (acc !== null) { fwd({ kind: "data", data: acc, eos: accEos && !heldTrailers }); if (accEos && !heldTrailers) done = true; acc = null; }
      if (heldTrailers) { fwd(heldTrailers); heldTrailers = null; done = true; }
      bufferMode = false;
    };
    const overLimit = (n: number) => {
      if (n <= this.opts.bufferLimit) return false;
      this.finish(dir === "request"
        ? { kind: "local", reply: plainReply(413, "Payload Too Large", "request_payload_too_large"), from: run.index, phase: dir }
        : { kind: "local", reply: plainReply(500, "Internal Server Error", "response_payload_too_large"), from: run.index, phase: dir });
      return true;
    };
    const onData = (data: Buffer, eos: boolean): boolean => {
      // A new chunk joins the buffered body before the plugin sees it: over the limit is 413/500 then.
      if (bufferMode && acc !== null && overLimit(acc.length + data.length)) return false;
      const body = { data: bufferMode && acc !== null ? Buffer.concat([acc, data]) : data };
      if (bufferMode) acc = null;
      const v = run.data(dir, body, eos, false);
      if (v === "abort") return false;
      const created = eos ? run.takeCreatedTrailers(dir) : null;
      if (v === "continue") {
        if (heldHeaders) { fwd(heldHeaders); heldHeaders = null; }
        bufferMode = false;
        if (created) { fwd({ kind: "data", data: body.data, eos: false }); fwd({ kind: "trailers", map: created }); done = true; }
        else { fwd({ kind: "data", data: body.data, eos }); if (eos) done = true; }
      } else if (v === "buffer") {
        acc = body.data; accEos = eos; bufferMode = true;
        if (created) { heldTrailers = { kind: "trailers", map: created }; accEos = false; }
        if (overLimit(acc.length)) return false;
      } else if (eos) {
        acc = Buffer.alloc(0); accEos = true; // NoBuffer: the chunk is gone; end of stream waits for continue
      }
      return true;
    };
    const onTrailers = (ev: Extract<StreamEvent, { kind: "trailers" }>): boolean => {
      const v = run.trailers(dir, ev);
      if (v === "abort") return false;
      if (v === "continue") { heldTrailers = ev; release(); } else heldTrailers = ev;
      return true;
    };
    while (!done) {
      const e = await q.next();
      if (e.kind === "abort") return;
      if (this.end && e.kind !== "continue") return;
      if (e.kind === "headers") {
        const v = run.headers(dir, e);
        if (v === "abort") return;
        if (v === "continue") { fwd(e); if (e.eos) done = true; }
        else { heldHeaders = e; stopAll = v === "stop-all"; }
      } else if (e.kind === "data") {
        if (stopAll) {
          acc = acc ? Buffer.concat([acc, e.data]) : e.data; accEos = e.eos;
          if (overLimit(acc.length)) return;
        } else if (!onData(e.data, e.eos)) return;
      } else if (e.kind === "trailers") {
        if (stopAll) heldTrailers = e;
        else if (!onTrailers(e)) return;
      } else if (e.kind === "continue") {
        if (this.end) return;
        if (stopAll) {
          stopAll = false;
          if (heldHeaders) { const h = heldHeaders; heldHeaders = null; fwd(h); if (h.eos) done = true; }
          if (acc !== null) {
            const data: Buffer = acc;
            const trailers: Extract<StreamEvent, { kind: "trailers" }> | null = heldTrailers;
            acc = null; heldTrailers = null;
            if (!onData(data, accEos)) return;
            if (trailers && !bufferMode && !heldHeaders) { if (!onTrailers(trailers)) return; }
            else if (trailers) heldTrailers = trailers;
          } else if (heldTrailers) {
            const t = heldTrailers; heldTrailers = null;
            if (!onTrailers(t)) return;
          }
        } else release();
      }
    }
  }

  /** Read a direction's output until end of stream, or null when the stream ended another way. */
  private async collect(sink: AsyncQueue<StageInput>, dir: Direction) {
    let headers: HeaderMap | null = null;
    const body: Buffer[] = [];
    let trailers: HeaderMap | null = null;
    for (;;) {
      const e = await sink.next();
      if (e.kind === "abort" || e.kind === "continue") return null;
      if (e.kind === "headers") {
        headers = e.map;
        if (dir === "response") { this.responseStarted = true; this.info.finalResponseHeaders = e.map; }
        if (e.eos) break;
      } else if (e.kind === "data") { body.push(e.data); if (e.eos) break; }
      else { trailers = e.map; break; }
    }
    return { headers: headers!, body: Buffer.concat(body), trailers };
  }

  /** Detects a stream that nothing can resume: Envoy would sit until stream_idle_timeout. */
  private watchStall(): () => void {
    const started = Date.now();
    const timer = setInterval(() => {
      if (this.end || this.awaitingUpstream) return; // the upstream's own timeout governs that wait
      const waiting = this.runs.filter((r) => r.live);
      const canResume = waiting.some((r) => r.vm!.callouts.size > 0 || [...r.vm!.contexts.values()].some((c) => c.kind === "root" && c.tickPeriodMs > 0));
      if (!canResume || Date.now() - started > this.opts.idleTimeoutMs) {
        this.stalled = true;
        this.opts.logger.host("warning", "stream stalled: a filter stopped iteration and nothing can resume it; Envoy would wait for stream_idle_timeout (default 300 s) and then reply 408");
        this.finish({ kind: "local", reply: plainReply(408, "stream timeout", "stream_idle_timeout"), from: this.runs.length - 1, phase: this.phase });
      }
    }, 25);
    return () => clearInterval(timer); // not unref'd: the pending request must keep the process alive until it ends
  }

  async run(req: DownstreamRequest): Promise<Outcome> {
    const reqHeaders = new HeaderMap("request", req.headers);
    if (!reqHeaders.has(":scheme")) reqHeaders.add(":scheme", "http");
    if (!reqHeaders.has("x-forwarded-proto")) reqHeaders.add("x-forwarded-proto", reqHeaders.get(":scheme") ?? "http");
    if (!reqHeaders.has("x-request-id")) reqHeaders.add("x-request-id", randomUUID());
    this.isGrpc = (reqHeaders.get("content-type") ?? "").startsWith("application/grpc");
    this.info.bytesReceived = req.body.reduce((n, b) => n + b.length, 0);
    this.info.finalRequestHeaders = reqHeaders;
    const stopWatch = this.watchStall();
    let forwarded: Outcome["request"];
    let response: { headers: HeaderMap; body: Buffer; trailers: HeaderMap | null } | null = null;
    try {
      if (this.failClosedAt >= 0) {
        for (const r of this.runs.slice(0, this.failClosedAt)) r.createContext();
      }
      const source = requestEvents(reqHeaders, req);
      const upTo = this.failClosedAt >= 0 ? this.failClosedAt : this.runs.length;
      const out = await this.collect(this.pipeline("request", this.runs.slice(0, upTo), source), "request");
      if (this.failClosedAt >= 0 && !this.end) this.finish({ kind: "local", reply: failReply(), from: this.failClosedAt, phase: "request" });
      if (out && !this.end) {
        forwarded = { headers: out.headers.pairs(), body: out.body.toString("utf8"), ...(out.trailers ? { trailers: out.trailers.pairs() } : {}) };
        this.info.finalRequestHeaders = out.headers;
        this.phase = "response";
        this.awaitingUpstream = true;
        let up: UpstreamResponse;
        try {
          up = await this.upstream({ headers: out.headers.pairs(), body: out.body, trailers: out.trailers?.pairs() ?? null }, this.info);
        } finally {
          this.awaitingUpstream = false;
        }
        const rh = new HeaderMap("response", [[":status", String(up.status)], ...up.headers.filter(([k]) => k !== ":status")]);
        this.info.responseCode = up.status;
        this.info.responseCodeDetails = up.details ?? "via_upstream";
        const encoders = this.runs.filter((r) => r.ctx !== null).reverse();
        response = await this.collect(this.pipeline("response", encoders, responseEvents(rh, up.body, up.trailers)), "response");
      }
      if (this.end?.kind === "local") response = await this.encodeLocalReply(this.end);
    } finally {
      stopWatch();
    }
    const end = this.end as End | null;
    if (response) {
      this.info.finalResponseHeaders = response.headers;
      this.info.finalResponseTrailers = response.trailers;
      this.info.bytesSent = response.body.length;
      this.responseBody = response.body;
    }
    this.info.endNs = nowNs();
    for (const r of this.runs) r.log(this.info, this.info.finalRequestHeaders);
    for (const r of this.runs) r.destroy();
    const reset = end?.kind === "reset" || response === null;
    return {
      forwarded: forwarded !== undefined,
      ...(forwarded ? { request: forwarded } : {}),
      response: response && !reset
        ? { status: Number(response.headers.get(":status") ?? 0), headers: response.headers.pairs(), body: response.body.toString("utf8"), ...(response.trailers ? { trailers: response.trailers.pairs() } : {}) }
        : { status: 0, headers: [], body: "" },
      localReply: end?.kind === "local",
      details: end?.kind === "local" ? end.reply.details : end?.kind === "reset" ? end.details : "via_upstream",
      reset,
      stalled: this.stalled,
      routeCacheCleared: this.info.routeCacheCleared,
    };
  }

  /** sendLocalReply: through the encoder callbacks if no response has started, direct if headers exist, else a reset. */
  private async encodeLocalReply(end: Extract<End, { kind: "local" }>) {
    const r = end.reply;
    this.info.responseCode = r.status;
    this.info.responseCodeDetails = r.details;
    if (this.responseStarted) { this.end = { kind: "reset", details: r.details }; return null; }
    const { headers, body } = localReplyHeaders(r, this.isGrpc);
    if (end.phase === "response") return { headers, body, trailers: null }; // direct reply: encoder filters are not re-run
    // Replay through the encoders of every filter that saw the request, with the stream no longer "ending".
    const saved = this.end;
    this.end = null;
    this.abortListeners = [];
    this.phase = "response";
    const encoders = this.runs.filter((x) => x.live).reverse();
    const out = await this.collect(this.pipeline("response", encoders, responseEvents(headers, body.length ? [body] : [], undefined)), "response");
    if (this.end === null) this.end = saved;
    return out ?? { headers, body, trailers: null };
  }
}

function requestEvents(headers: HeaderMap, req: DownstreamRequest): StreamEvent[] {
  const trailers = req.trailers && req.trailers.length ? new HeaderMap("request-trailers", req.trailers) : null;
  const chunks = req.body.filter((b) => b.length > 0);
  const ev: StreamEvent[] = [{ kind: "headers", map: headers, eos: chunks.length === 0 && !trailers }];
  chunks.forEach((c, i) => ev.push({ kind: "data", data: c, eos: i === chunks.length - 1 && !trailers }));
  if (trailers) ev.push({ kind: "trailers", map: trailers });
  return ev;
}

function responseEvents(headers: HeaderMap, body: Buffer[], trailers: Pair[] | undefined): StreamEvent[] {
  return requestEvents(headers, { headers: [], body, trailers }).map((e) =>
    e.kind === "trailers" ? { kind: "trailers", map: new HeaderMap("response-trailers", e.map.pairs()) } : e);
}

/** The reply's headers and body as Utility::prepareLocalReply (source/common/http/utility.cc) builds
 *  them: :status, the plugin's headers (addCopy), then the gRPC trailers-only form, or content-length
 *  and a default content-type for a body (both removed without one). Typed setters change in place. */
export function localReplyHeaders(r: LocalReply, isGrpc: boolean): { headers: HeaderMap; body: Buffer } {
  const headers = new HeaderMap("response", [[":status", String(r.status)]]);
  for (const [k, v] of r.headers) headers.add(k, v);
  if (isGrpc) {
    headers.setInline(":status", "200");
    headers.setInline("content-type", "application/grpc");
    if (!headers.get("grpc-status")) headers.setInline("grpc-status", String(r.grpcStatus ?? httpToGrpcStatus(r.status)));
    if (r.body.length) headers.setInline("grpc-message", grpcPercentEncode(r.body));
    headers.remove("content-length");
    return { headers, body: Buffer.alloc(0) };
  }
  if (r.body.length) {
    headers.setInline("content-length", String(r.body.length));
    if (!headers.has("content-type")) headers.setInline("content-type", "text/plain");
  } else {
    headers.remove("content-length");
    headers.remove("content-type");
  }
  return { headers, body: r.body };
}

/** PercentEncoding::encode for grpc-message: bytes below ' ', from '~' up, and '%' become %XX. */
function grpcPercentEncode(b: Buffer): string {
  let out = "";
  for (const c of b) out += c < 0x20 || c >= 0x7e || c === 0x25 ? "%" + c.toString(16).toUpperCase().padStart(2, "0") : String.fromCharCode(c);
  return out;
}

function failReply(): LocalReply {
  return { status: 503, details: "wasm_fail_stream", body: Buffer.alloc(0), headers: [], grpcStatus: 14 };
}
function plainReply(status: number, text: string, details: string): LocalReply {
  return { status, details, body: Buffer.from(text), headers: [], grpcStatus: null };
}
