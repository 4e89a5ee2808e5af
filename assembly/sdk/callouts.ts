// HTTP and gRPC callouts. Envoy owns every callout by the ROOT context and delivers responses to it
// (proxy_on_http_call_response(rootId, token, …)). The SDK records, per token, the handler and the
// stream context that issued the call, so the dispatcher can make that stream the effective context
// before calling the handler — or drop the response if the stream is gone.
// Tokens: HTTP ≡ 0 mod 4, gRPC calls ≡ 1 mod 4, gRPC streams ≡ 2 mod 4 (per VM).
import {
  proxy_get_status, proxy_grpc_call, proxy_grpc_cancel, proxy_grpc_close, proxy_grpc_send,
  proxy_grpc_stream, proxy_http_call,
} from "../abi/imports";
import { WasmResult } from "../abi/enums";
import { HttpCallHandler, GrpcCallHandler, GrpcStreamHandler } from "./handlers";
import { RET_AUX, RET_PTR, RET_SIZE, clearReturn, discardReturn, lenOf, ptrOf, takeString } from "./memory";
import { HeaderPair, serializePairs } from "./pairs";
import { currentContextId, currentIsStream } from "./state";
import { Exported, requireExported } from "./exportSets";
import { IdTable } from "./idTable";
import { utf8Bytes } from "./utf8";

/** Result of starting a callout: status Ok and the token, or the host's error status (token 0). */
export class CalloutResult {
  constructor(public status: WasmResult, public token: u32) {}
  get ok(): bool { return this.status == WasmResult.Ok; }
}

/** What the SDK remembers about one pending callout. streamId 0 = owned by the root itself. */
export class PendingCallout {
  constructor(
    public streamId: u32,
    public http: HttpCallHandler | null,
    public grpcCall: GrpcCallHandler | null,
    public grpcStream: GrpcStreamHandler | null,
  ) {}
}

/** token → PendingCallout. The dispatcher removes entries when the final callback arrives. */
// @ts-ignore: decorator (created only in modules that use it: the others neither build nor visit it)
@lazy export const pendingCallouts = new IdTable();

/** The stream id a callout issued now should be delivered to (0 when issued from a root callback). */
function issuingStream(): u32 {
  return currentIsStream ? currentContextId : 0;
}

/**
 * proxy_http_call: sends an HTTP request to the Envoy cluster `cluster`.
 * headers must contain ":method", ":path" and ":authority" (else BadArgument); an unknown cluster
 * is BadArgument too. timeoutMs 0 means no timeout. body/trailers may be null.
 * The response goes to `handler`, or to the root's onHttpCallResponse when handler is null. If the
 * call was issued from a stream callback, that stream is made the effective context first, and the
 * response is dropped (handler not called) if the stream is gone by then. A stream paused while
 * waiting stays paused until the handler calls continueRequest() (or sends a local reply).
 */
export function httpCall(
  cluster: string, headers: HeaderPair[], body: ArrayBuffer | null, trailers: HeaderPair[] | null,
  timeoutMs: u32, handler: HttpCallHandler | null,
): CalloutResult {
  if (!requireExported(Exported.Callouts)) return new CalloutResult(WasmResult.Unimplemented, 0);
  const up = utf8Bytes(cluster);
  const hs = serializePairs(headers);
  const ts = trailers !== null ? serializePairs(trailers) : null;
  store<u32>(RET_AUX, 0);
  const st = <WasmResult>proxy_http_call(
    changetype<u32>(up), <u32>up.byteLength, changetype<u32>(hs), <u32>hs.byteLength,
    ptrOf(body), lenOf(body), ptrOf(ts), lenOf(ts), timeoutMs, RET_AUX);
  if (st != WasmResult.Ok) return new CalloutResult(st, 0);
  const token = load<u32>(RET_AUX);
  pendingCallouts.set(token, new PendingCallout(issuingStream(), handler, null, null));
  return new CalloutResult(st, token);
}

/**
 * proxy_grpc_call: a unary gRPC call. `service` is a cluster name (or a serialized GrpcService);
 * an unknown cluster gives ParseFailure. message is the raw protobuf request (no gRPC frame).
 * The outcome arrives once at handler.onGrpcCallResponse (or the root's, if handler is null).
 */
export function grpcCall(
  service: string, serviceName: string, method: string, metadata: HeaderPair[] | null,
  message: ArrayBuffer | null, timeoutMs: u32, handler: GrpcCallHandler | null,
): CalloutResult {
  if (!requireExported(Exported.Callouts)) return new CalloutResult(WasmResult.Unimplemented, 0);
  const svc = utf8Bytes(service);
  const sn = utf8Bytes(serviceName);
  const mn = utf8Bytes(method);
  const md = metadata !== null ? serializePairs(metadata) : null;
  store<u32>(RET_AUX, 0);
  const st = <WasmResult>proxy_grpc_call(
    changetype<u32>(svc), <u32>svc.byteLength, changetype<u32>(sn), <u32>sn.byteLength,
    changetype<u32>(mn), <u32>mn.byteLength, ptrOf(md), lenOf(md), ptrOf(message), lenOf(message),
    timeoutMs, RET_AUX);
  if (st != WasmResult.Ok) return new CalloutResult(st, 0);
  const token = load<u32>(RET_AUX);
  pendingCallouts.set(token, new PendingCallout(issuingStream(), null, handler, null));
  return new CalloutResult(st, token);
}

/**
 * proxy_grpc_stream: opens a gRPC stream; send with grpcSend. Events go to `handler`
 * (required: a root-owned stream passes a handler too).
 */
export function grpcStream(
  service: string, serviceName: string, method: string, metadata: HeaderPair[] | null,
  handler: GrpcStreamHandler,
): CalloutResult {
  if (!requireExported(Exported.Callouts)) return new CalloutResult(WasmResult.Unimplemented, 0);
  const svc = utf8Bytes(service);
  const sn = utf8Bytes(serviceName);
  const mn = utf8Bytes(method);
  const md = metadata !== null ? serializePairs(metadata) : null;
  store<u32>(RET_AUX, 0);
  const st = <WasmResult>proxy_grpc_stream(
    changetype<u32>(svc), <u32>svc.byteLength, changetype<u32>(sn), <u32>sn.byteLength,
    changetype<u32>(mn), <u32>mn.byteLength, ptrOf(md), lenOf(md), RET_AUX);
  if (st != WasmResult.Ok) return new CalloutResult(st, 0);
  const token = load<u32>(RET_AUX);
  pendingCallouts.set(token, new PendingCallout(issuingStream(), null, null, handler));
  return new CalloutResult(st, token);
}

/** proxy_grpc_send: a message on a stream. A call token → BadArgument; unknown stream → NotFound. */
export function grpcSend(token: u32, message: ArrayBuffer | null, endStream: bool): WasmResult {
  return <WasmResult>proxy_grpc_send(token, ptrOf(message), lenOf(message), endStream ? 1 : 0);
}

/**
 * proxy_grpc_close: for a unary call, cancels it (no callback follows, the SDK forgets the token);
 * for a stream, half-closes the local side (onClose still follows when the remote side ends).
 */
export function grpcClose(token: u32): WasmResult {
  const st = <WasmResult>proxy_grpc_close(token);
  if ((token & 3) == 1 || st == WasmResult.NotFound) pendingCallouts.delete(token);
  return st;
}

/** proxy_grpc_cancel: cancels a call or resets a stream; no further callbacks, the token is forgotten. */
export function grpcCancel(token: u32): WasmResult {
  const st = <WasmResult>proxy_grpc_cancel(token);
  pendingCallouts.delete(token);
  return st;
}

/** The root context's last status (proxy_get_status). */
export class HostStatus {
  constructor(public code: u32, public message: string) {}
}

/**
 * proxy_get_status: set by a failed HTTP call (11, "reset") and by gRPC close (gRPC status, message).
 * Not reset by a successful HTTP call, so read it only on the failure path. Null if the call fails.
 */
export function getStatus(): HostStatus | null {
  clearReturn();
  store<u32>(RET_AUX, 0);
  const st = proxy_get_status(RET_AUX, RET_PTR, RET_SIZE);
  if (st != WasmResult.Ok) { discardReturn(); return null; }
  const code = load<u32>(RET_AUX);
  return new HostStatus(code, takeString());
}
