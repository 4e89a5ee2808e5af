// One Wasm filter's part in one HTTP stream: creates the stream context lazily at decodeHeaders, calls
// the plugin with the right maps and bodies reachable, converts its return values the way
// proxy-wasm-cpp-host and Envoy do (research/envoy-host-abi.md §4), and tells the driver what to do.
import type { Vm } from "../vm/vm.ts";
import type { RootContext, StreamContext } from "../vm/contexts.ts";
import type { WasmFilter } from "./wasm-filter.ts";
import { FilterStreamState, type StreamActions } from "./filter-stream.ts";
import type { StreamInfo } from "./stream-info.ts";
import type { Direction, StageInput, StreamEvent } from "./events.ts";

export type HeadersVerdict = "continue" | "stop-iteration" | "stop-all" | "abort";
export type DataVerdict = "continue" | "buffer" | "no-buffer" | "abort";
export type TrailersVerdict = "continue" | "stop" | "abort";

export interface FilterHooks {
  /** Did a local reply, reset or trap end the stream during (or right after) the last call? */
  ended(): boolean;
  trapped(run: FilterRun): void;
}

export class FilterRun {
  ctx: StreamContext | null = null;
  readonly state: FilterStreamState;
  /** false once the filter is out of the stream (pass-through slot, or failed open). */
  active: boolean;

  constructor(
    readonly index: number,
    readonly filter: WasmFilter | null,
    readonly vm: Vm | null,
    readonly root: RootContext | null,
    info: StreamInfo,
    actions: StreamActions,
    private readonly hooks: FilterHooks,
  ) {
    this.state = new FilterStreamState(info, actions);
    this.active = vm !== null && root !== null;
  }

  get id(): number { return this.ctx?.id ?? 0; }
  /** Is a context alive in a healthy VM (so its callbacks still run)? */
  get live(): boolean { return this.active && this.ctx !== null && !this.vm!.failed; }

  private call(fn: string, ...args: number[]): number | undefined | "trap" {
    const vm = this.vm!;
    const r = vm.call(fn, this.ctx!.id, this.ctx!.id, ...args);
    if (vm.failed) { this.hooks.trapped(this); return "trap"; }
    return r;
  }

  createContext(): boolean {
    if (!this.active || this.ctx) return this.live;
    const vm = this.vm!;
    if (vm.failed) return false;
    this.ctx = vm.createStreamContext(this.root!, this.state);
    vm.call("proxy_on_context_create", this.ctx.id, this.ctx.id, this.root!.id);
    if (vm.failed) { this.hooks.trapped(this); return false; }
    return true;
  }

  headers(dir: Direction, ev: Extract<StreamEvent, { kind: "headers" }>): HeadersVerdict {
    if (dir === "request" && !this.createContext()) return this.active ? "abort" : "continue";
    if (!this.live) return "continue";
    const s = this.state;
    if (dir === "request") s.requestHeaders = ev.map; else s.responseHeaders = ev.map;
    const fn = dir === "request" ? "proxy_on_request_headers" : "proxy_on_response_headers";
    const r = this.vm!.loaded.abi === "0.1.0" ? this.call(fn, ev.map.count) : this.call(fn, ev.map.count, ev.eos ? 1 : 0);
    if (r === "trap" || this.hooks.ended()) return this.hooks.ended() ? "abort" : "continue";
    let v: HeadersVerdict;
    const code = r ?? 0;
    if (code === 0 || code === 2) v = "continue";
    else if (code === 1 && this.filter!.settings.allowOnHeadersStopIteration && this.filter!.envoyVersion >= 1.35) v = "stop-iteration";
    else v = "stop-all";
    if (v === "continue") { if (dir === "request") s.requestHeaders = null; else s.responseHeaders = null; }
    return v;
  }

  data(dir: Direction, body: { data: Buffer }, eos: boolean, trailersFollow: boolean): DataVerdict {
    if (!this.live) return "continue";
    const s = this.state;
    if (dir === "request") { s.requestBody = body; s.mayCreateRequestTrailers = eos && !trailersFollow; }
    else { s.responseBody = body; s.mayCreateResponseTrailers = eos && !trailersFollow; }
    const fn = dir === "request" ? "proxy_on_request_body" : "proxy_on_response_body";
    const r = this.call(fn, body.data.length, eos ? 1 : 0);
    if (dir === "request") { s.requestBody = null; s.mayCreateRequestTrailers = false; }
    else { s.responseBody = null; s.mayCreateResponseTrailers = false; }
    if (r === "trap" || this.hooks.ended()) return this.hooks.ended() ? "abort" : "continue";
    const code = r ?? 0;
    if (code === 0) {
      if (dir === "request") s.requestHeaders = null; else s.responseHeaders = null;
      return "continue";
    }
    return code === 1 || code === 2 ? "buffer" : "no-buffer";
  }

  trailers(dir: Direction, ev: Extract<StreamEvent, { kind: "trailers" }>): TrailersVerdict {
    if (!this.live) return "continue";
    const s = this.state;
    if (dir === "request") s.requestTrailers = ev.map; else s.responseTrailers = ev.map;
    const fn = dir === "request" ? "proxy_on_request_trailers" : "proxy_on_response_trailers";
    const r = this.call(fn, ev.map.count);
    if (r === "trap" || this.hooks.ended()) return this.hooks.ended() ? "abort" : "continue";
    if ((r ?? 0) === 0) { if (dir === "request") s.requestTrailers = null; else s.responseTrailers = null; return "continue"; }
    return "stop";
  }

  /** Trailers the plugin created while handling the last body chunk (writes to a trailers map at eos). */
  takeCreatedTrailers(dir: Direction) {
    const s = this.state;
    const t = dir === "request" ? s.createdRequestTrailers : s.createdResponseTrailers;
    if (dir === "request") s.createdRequestTrailers = null; else s.createdResponseTrailers = null;
    return t;
  }

  // ---- continue_stream plumbing: a continue is a control event in the stage's input queue ----
  readonly inputs: { request: ((e: StageInput) => void) | null; response: ((e: StageInput) => void) | null } = { request: null, response: null };
  signalContinue(dir: 0 | 1): void {
    this.inputs[dir === 0 ? "request" : "response"]?.({ kind: "continue" });
  }

  // ---- end of stream ----
  log(info: StreamInfo, finalRequest: StreamInfo["finalRequestHeaders"]): void {
    // Envoy's Context::log creates the in-VM context if decodeHeaders never reached this filter.
    if (this.active && this.ctx === null && !this.vm!.failed && !this.createContext()) return;
    if (!this.live) return;
    const s = this.state;
    s.requestHeaders = s.requestTrailers = s.responseHeaders = s.responseTrailers = null;
    s.inLog = true;
    s.logMaps = { request: finalRequest ?? undefined, response: info.finalResponseHeaders ?? undefined, responseTrailers: info.finalResponseTrailers ?? undefined };
    this.call("proxy_on_log");
    s.inLog = false;
  }
  destroy(): void {
    if (!this.live) { if (this.ctx) this.vm!.contexts.delete(this.ctx.id); return; }
    this.call("proxy_on_done");
    if (this.vm!.failed) return;
    this.call("proxy_on_delete");
    this.ctx!.deleted = true;
    this.vm!.contexts.delete(this.ctx!.id);
  }
}
