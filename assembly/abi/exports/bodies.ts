// Body and trailer callbacks (abi/exports.ts explains the sets). Envoy calls a callback only if the
// module exports it, so a filter that never looks at bodies leaves these out and Envoy skips the
// per-chunk VM call as well.
import * as d from "../../sdk/dispatcher";
import { begin, endCallback } from "../../sdk/gc";

export function proxy_on_request_body(contextId: u32, bodySize: u32, endOfStream: u32): u32 { begin(); const r = d.onRequestBody(contextId, bodySize, endOfStream); endCallback(); return r; }
export function proxy_on_request_trailers(contextId: u32, numTrailers: u32): u32 { begin(); const r = d.onRequestTrailers(contextId, numTrailers); endCallback(); return r; }
export function proxy_on_response_body(contextId: u32, bodySize: u32, endOfStream: u32): u32 { begin(); const r = d.onResponseBody(contextId, bodySize, endOfStream); endCallback(); return r; }
export function proxy_on_response_trailers(contextId: u32, numTrailers: u32): u32 { begin(); const r = d.onResponseTrailers(contextId, numTrailers); endCallback(); return r; }
