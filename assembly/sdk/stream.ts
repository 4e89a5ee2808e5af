// Controlling the current HTTP stream: local replies, resuming, resetting.
// All of these act on the context whose callback is running (or on the stream made effective for a
// callout response); their effect is deferred until the callback returns.
import { proxy_close_stream, proxy_continue_stream, proxy_send_local_response } from "../abi/imports";
import { StreamType, WasmResult } from "../abi/enums";
import { lenOf, ptrOf } from "./memory";
import { HeaderPair, serializePairs } from "./pairs";
import { utf8Bytes } from "./utf8";

/**
 * Answers the client without going upstream. Deferred: it is sent after the current callback
 * returns, and Envoy overrides that callback's return value with Stop. The filter's own
 * onResponseHeaders/onResponseBody then run for the generated reply — do not send a second local
 * reply from there. Once response headers went downstream, Envoy resets the stream instead.
 * `details` appears as %RESPONSE_CODE_DETAILS% (whitespace becomes "_"). grpcStatus 0..16 sets
 * grpc-status; -1 leaves it unset. For gRPC requests Envoy turns it into a trailers-only reply.
 */
export function sendLocalResponse(
  statusCode: u32, details: string, body: ArrayBuffer | null, headers: HeaderPair[] | null, grpcStatus: i32 = -1,
): WasmResult {
  const d = utf8Bytes(details);
  const h = headers !== null && headers.length > 0 ? serializePairs(headers) : null;
  return <WasmResult>proxy_send_local_response(
    statusCode, changetype<u32>(d), <u32>d.byteLength, ptrOf(body), lenOf(body), ptrOf(h), lenOf(h), grpcStatus);
}

/** sendLocalResponse with a UTF-8 text body. */
export function sendLocalText(
  statusCode: u32, details: string, body: string, headers: HeaderPair[] | null, grpcStatus: i32 = -1,
): WasmResult {
  return sendLocalResponse(statusCode, details, utf8Bytes(body), headers, grpcStatus);
}

/** Resumes a request paused by a Stop status (typically from a callout handler). Deferred; clears the held maps. */
export function continueRequest(): WasmResult {
  return <WasmResult>proxy_continue_stream(StreamType.Request);
}

/** Resumes a paused response. */
export function continueResponse(): WasmResult {
  return <WasmResult>proxy_continue_stream(StreamType.Response);
}

/** Resets the stream (the client sees a reset, response code details "wasm_close_stream"). */
export function closeStream(type: StreamType = StreamType.Request): WasmResult {
  return <WasmResult>proxy_close_stream(<u32>type);
}
