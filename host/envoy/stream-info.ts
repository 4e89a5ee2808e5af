// Envoy's StreamInfo for one downstream request, as the property table sees it
// (research/envoy-host-abi.md §5): connection facts, timing, sizes, the response once it exists, the
// upstream once one is chosen, route/cluster names, and filter state (wasm.* keys) shared by every
// filter of the stream.
import type { HeaderMap } from "./header-map.ts";
import { pv, type PV } from "./property-value.ts";
import { httpToGrpcStatus } from "../abi/enums.ts";

export interface ConnectionInfo {
  sourceAddress: string; // "ip:port"
  destinationAddress: string; // "ip:port"
  connectionId: number;
  mtls: boolean;
  requestedServerName: string;
  protocol: "HTTP/1.0" | "HTTP/1.1" | "HTTP/2" | "HTTP/3";
}

export class StreamInfo {
  readonly startNs: bigint;
  endNs: bigint | null = null;
  bytesReceived = 0;
  bytesSent = 0;
  responseCode: number | null = null;
  responseCodeDetails = "";
  responseFlags = 0;
  upstreamAddress: string | null = null;
  upstreamLocalAddress: string | null = null;
  clusterName: string | null = null;
  routeName = "";
  routeCacheCleared = 0;
  readonly filterState = new Map<string, Uint8Array>();
  /** Values from a request file's "properties", by dotted path; they override computed ones. */
  readonly overrides = new Map<string, PV>();
  /** The final maps, as access logs see them (on_log). */
  finalRequestHeaders: HeaderMap | null = null;
  finalResponseHeaders: HeaderMap | null = null;
  finalResponseTrailers: HeaderMap | null = null;

  constructor(readonly connection: ConnectionInfo, startNs: bigint) {
    this.startNs = startNs;
  }

  /** The request.* value of `key`, computed from the request headers (when reachable) and stream info. */
  request(key: string, headers: HeaderMap | null): PV | undefined {
    const h = headers;
    const path = h?.get(":path");
    switch (key) {
      case "path": return path !== undefined ? pv.str(path) : undefined;
      case "url_path": return path !== undefined ? pv.str(path.split("?")[0]) : undefined;
      case "host": return h?.get(":authority") !== undefined ? pv.str(h.get(":authority")!) : undefined;
      case "scheme": return h?.get(":scheme") !== undefined ? pv.str(h.get(":scheme")!) : undefined;
      case "method": return h?.get(":method") !== undefined ? pv.str(h.get(":method")!) : undefined;
      case "referer": return h?.get("referer") !== undefined ? pv.str(h.get("referer")!) : undefined;
      case "useragent": return h?.get("user-agent") !== undefined ? pv.str(h.get("user-agent")!) : undefined;
      case "id": return h?.get("x-request-id") !== undefined ? pv.str(h.get("x-request-id")!) : undefined;
      case "query": {
        if (path === undefined) return undefined;
        const q = path.indexOf("?");
        return pv.str(q < 0 ? "" : path.slice(q + 1).split("#")[0]);
      }
      case "headers": return h ? pv.map(h.joined()) : undefined;
      case "time": return pv.ts(this.startNs);
      case "duration": return this.endNs === null ? undefined : pv.dur(this.endNs - this.startNs);
      case "size": { // an unparsable content-length gives no value (SimpleAtoi fails)
        const cl = h?.get("content-length");
        if (cl === undefined) return pv.int(this.bytesReceived);
        return /^\s*[+-]?\d+\s*$/.test(cl) ? pv.int(BigInt(cl.trim())) : undefined;
      }
      case "total_size": return pv.int(this.bytesReceived + (h?.byteSize() ?? 0)); // the headers as they are now
      case "protocol": return pv.str(this.connection.protocol);
    }
    return undefined;
  }

  response(key: string, headers: HeaderMap | null, trailers: HeaderMap | null): PV | undefined {
    switch (key) {
      case "code": return this.responseCode === null ? undefined : pv.int(this.responseCode);
      case "code_details": return this.responseCodeDetails ? pv.str(this.responseCodeDetails) : undefined;
      case "flags": return pv.int(this.responseFlags);
      case "grpc_status": {
        // Grpc::Common::getGrpcStatus(trailers, headers, info): trailers, headers, then the HTTP status mapped.
        for (const s of [trailers?.get("grpc-status"), headers?.get("grpc-status")]) if (s !== undefined && /^\d+$/.test(s)) return pv.int(Number(s));
        return this.responseCode === null ? undefined : pv.int(httpToGrpcStatus(this.responseCode));
      }
      case "headers": return headers ? pv.map(headers.joined()) : undefined;
      case "trailers": return trailers ? pv.map(trailers.joined()) : undefined;
      case "size": return pv.int(this.bytesSent);
      case "total_size": return pv.int(this.bytesSent + (headers?.byteSize() ?? 0) + (trailers?.byteSize() ?? 0));
    }
    return undefined;
  }

  source(key: string): PV | undefined { return addressPart(this.connection.sourceAddress, key); }
  destination(key: string): PV | undefined { return addressPart(this.connection.destinationAddress, key); }

  connectionProp(key: string): PV | undefined {
    switch (key) {
      case "id": return pv.uint(this.connection.connectionId);
      case "mtls": return pv.bool(this.connection.mtls);
      case "requested_server_name": return pv.str(this.connection.requestedServerName);
      case "termination_details": return undefined;
    }
    return undefined; // TLS fields: NotFound without TLS
  }

  upstream(key: string): PV | undefined {
    if (key === "request_attempt_count") return pv.uint(this.upstreamAddress === null ? 0 : 1); // attemptCount().value_or(0)
    if (this.upstreamAddress === null) return undefined;
    switch (key) {
      case "address": return pv.str(this.upstreamAddress);
      case "port": return pv.int(Number(this.upstreamAddress.split(":").pop()));
      case "local_address": return this.upstreamLocalAddress ? pv.str(this.upstreamLocalAddress) : undefined;
    }
    return undefined;
  }
}

function addressPart(addr: string, key: string): PV | undefined {
  if (key === "address") return pv.str(addr);
  if (key === "port") {
    const port = Number(addr.slice(addr.lastIndexOf(":") + 1));
    return Number.isFinite(port) ? pv.int(port) : undefined;
  }
  return undefined;
}
