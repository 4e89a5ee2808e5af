// Callout response handlers. AssemblyScript has no closures, so a callout's continuation is an
// object: subclass one of these, keep whatever state you need in fields, and pass the instance to
// httpCall / grpcCall / grpcStream. The SDK remembers which stream context issued the call and,
// when the response arrives (on the root context, as Envoy delivers it), makes that stream the
// effective context before calling the handler; if the stream is already gone, the response is
// dropped and the handler is not called.
import { GrpcStatus } from "../abi/enums";

/** Receives the response of one proxy_http_call. */
export abstract class HttpCallHandler {
  /**
   * A response arrived. numHeaders includes ":status". Read it with httpCallResponseHeaders,
   * httpCallResponseBody and httpCallResponseTrailers, valid only during this call.
   * A failed call (reset, connect failure, response over the buffer limit) arrives as
   * (0, 0, 0): then getStatus() reports code 11 (BrokenConnection) and "reset". Router-made
   * 503/504 responses are ordinary responses. Use isHttpCallFailure() to tell them apart.
   */
  abstract onHttpCallResponse(token: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void;
}

/** Receives the outcome of one unary proxy_grpc_call. */
export abstract class GrpcCallHandler {
  /**
   * Success: status is Ok and the response message (raw protobuf, no gRPC frame) is in
   * grpcReceiveBuffer, messageSize bytes, readable only during this call.
   * Failure: status is the gRPC status (getStatus() has the message) and messageSize is 0.
   * Called exactly once per call (never after grpcCancel/grpcClose of the call).
   */
  abstract onGrpcCallResponse(token: u32, status: GrpcStatus, messageSize: u32): void;
}

/** Receives the events of one proxy_grpc_stream. Override what you need; all default to no-ops. */
export abstract class GrpcStreamHandler {
  /** Initial metadata; read it with grpcInitialMetadata during this call. */
  onInitialMetadata(token: u32, numHeaders: u32): void {}
  /** One message (raw protobuf) in grpcReceiveBuffer, messageSize bytes. */
  onMessage(token: u32, messageSize: u32): void {}
  /** Trailing metadata; read it with grpcTrailingMetadata during this call. */
  onTrailingMetadata(token: u32, numTrailers: u32): void {}
  /** The stream ended (status Ok) or failed; getStatus() has the message. Last event for this token. */
  onClose(token: u32, status: GrpcStatus): void {}
}

/** True for the (0, 0, 0) counts Envoy uses for a failed HTTP call; a real response has ":status". */
export function isHttpCallFailure(numHeaders: u32, bodySize: u32, numTrailers: u32): bool {
  return numHeaders == 0 && bodySize == 0 && numTrailers == 0;
}
