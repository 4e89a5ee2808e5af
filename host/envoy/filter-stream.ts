// What one Wasm filter instance can reach of an HTTP stream, at the moment a host call is made:
// Envoy's Wasm Context keeps a pointer to each header map / body only while the matching callback has
// not returned Continue (research/envoy-host-abi.md §2.4). The stream driver sets and clears these
// fields; the host calls read them. Actions (local reply, continue, close) are requested here and
// carried out by the driver after the VM call returns.
import { HeaderMap } from "./header-map.ts";
import type { StreamInfo } from "./stream-info.ts";

export interface Body { data: Buffer }

export interface StreamActions {
  localReply(filter: FilterStreamState, reply: LocalReply): void;
  continueStream(filter: FilterStreamState, dir: 0 | 1): void;
  closeStream(filter: FilterStreamState, dir: 0 | 1): void;
  clearRouteCache(filter: FilterStreamState): void;
}

export interface LocalReply {
  status: number;
  details: string;
  body: Buffer;
  headers: [string, string][];
  grpcStatus: number | null;
}

export class FilterStreamState {
  requestHeaders: HeaderMap | null = null;
  requestTrailers: HeaderMap | null = null;
  responseHeaders: HeaderMap | null = null;
  responseTrailers: HeaderMap | null = null;
  requestBody: Body | null = null;
  responseBody: Body | null = null;
  /** During a body callback with end_of_stream, writing the trailers map creates trailers. */
  mayCreateRequestTrailers = false;
  mayCreateResponseTrailers = false;
  createdRequestTrailers: HeaderMap | null = null;
  createdResponseTrailers: HeaderMap | null = null;
  /** on_log: the access-log copies of request headers, response headers and trailers are readable. */
  inLog = false;
  logMaps: { request?: HeaderMap; response?: HeaderMap; responseTrailers?: HeaderMap } = {};
  readonly declaredProperties = new Map<string, { readonly: boolean }>();
  /** Set while the request phase is in a callback (request.* properties readable). */
  inRequestCallback = false;

  constructor(readonly info: StreamInfo, private readonly actions: StreamActions) {}

  /** The map a host call addresses (types 0–3), or null when Envoy's pointer is cleared. */
  map(type: number, forWrite: boolean): HeaderMap | null {
    if (this.inLog && !forWrite) {
      if (type === 0) return this.logMaps.request ?? null;
      if (type === 2) return this.logMaps.response ?? null;
      if (type === 3) return this.logMaps.responseTrailers ?? null;
      return null;
    }
    switch (type) {
      case 0: return this.requestHeaders;
      case 1:
        if (!this.requestTrailers && forWrite && this.mayCreateRequestTrailers) {
          this.requestTrailers = this.createdRequestTrailers = new HeaderMap("request-trailers");
        }
        return this.requestTrailers;
      case 2: return this.responseHeaders;
      case 3:
        if (!this.responseTrailers && forWrite && this.mayCreateResponseTrailers) {
          this.responseTrailers = this.createdResponseTrailers = new HeaderMap("response-trailers");
        }
        return this.responseTrailers;
      default: return null;
    }
  }

  localReply(r: LocalReply): void { this.actions.localReply(this, r); }
  continueStream(dir: 0 | 1): void { this.actions.continueStream(this, dir); }
  closeStream(dir: 0 | 1): void { this.actions.closeStream(this, dir); }
  clearRouteCache(): void { this.actions.clearRouteCache(this); }
}
