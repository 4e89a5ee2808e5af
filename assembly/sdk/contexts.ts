// Contexts: one RootContext per plugin (root_id) per VM, one StreamContext per HTTP request.
//
//   VM (one per Envoy worker + main thread + canary) ──1:N── RootContext ──1:N── StreamContext
//
// Subclass them and override the hooks you need; every hook has a pass-through default.
// Register a root factory with registerRootContext() in the entry file's top-level code.
import { FilterDataStatus, FilterHeadersStatus, FilterTrailersStatus, GrpcStatus, WasmResult } from "../abi/enums";

/**
 * A plugin instance. Envoy creates it with proxy_on_context_create(id, 0), then calls
 * onVmStart and onConfigure (each may run several times per process: canary, main thread, every
 * worker). Root callbacks run with no stream: most properties are NotFound there.
 * Callouts issued with a null handler come back to this root's callout hooks (onHttpCallResponse,
 * onGrpcCallResponse); if a stream issued them, that stream is the effective context meanwhile.
 */
export class RootContext {
  // (a parameter property: a field declared apart is stored twice, zero first, in every constructor)
  constructor(
    /** Envoy's context id (1 for the first root in a VM). */
    readonly id: u32,
  ) {}

  /** VM configuration (vm_config.configuration, empty if unset). Return false to fail the VM start. */
  onVmStart(vmConfiguration: ArrayBuffer): bool { return true; }

  /**
   * Plugin configuration (the filter's `configuration`). Parse and validate it here, once.
   * Return false to reject it: Envoy then fails startup or NACKs the update. Only here may
   * metrics be defined and shared queues registered with the config at hand.
   */
  onConfigure(configuration: ArrayBuffer): bool { return true; }

  /** The tick timer set with setTickPeriod() fired. */
  onTick(): void {}

  /** A shared queue registered by this root has data; dequeue with dequeueSharedQueue(token). */
  onQueueReady(queueToken: u32): void {}

  /** Access-log phase for a root context (envoy.access_loggers.wasm only). */
  onLog(): void {}

  /** The plugin is shutting down. Return false to finish later with done(). */
  onDone(): bool { return true; }

  /** Last callback for this root; the SDK forgets the context afterwards. */
  onDelete(): void {}

  /** Envoy called a foreign function on this root; the arguments are in foreignFunctionArguments. */
  onForeignFunction(functionId: u32, argumentsSize: u32): WasmResult { return WasmResult.Ok; }

  /**
   * Creates the context for a new HTTP stream. Return null to let this stream pass through
   * untouched (no further callbacks reach user code for it).
   */
  createStreamContext(id: u32): StreamContext | null { return null; }

  /** Response of an HTTP call issued with a null handler (see HttpCallHandler for the arguments). */
  onHttpCallResponse(token: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void {}

  /** Outcome of a unary gRPC call issued with a null handler (see GrpcCallHandler). */
  onGrpcCallResponse(token: u32, status: GrpcStatus, messageSize: u32): void {}
}

/**
 * One HTTP request/response through the filter. Callback order in Envoy:
 * onRequestHeaders → onRequestBody* → onRequestTrailers? → onResponseHeaders → onResponseBody*
 * → onResponseTrailers? → onLog → onDone → onDelete. Any of the request/response callbacks may be
 * skipped (a local reply from another filter gives just onLog → onDone → onDelete).
 *
 * Header maps are only readable/writable inside their callback, and while that callback's Stop is in
 * effect; request headers are NOT readable in response callbacks (they are again in onLog).
 * After sendLocalResponse(), Envoy overrides the callback's return value with Stop.
 */
export class StreamContext {
  // (parameter properties: fields declared apart are stored twice, zero first, for every stream)
  constructor(
    /** Envoy's context id for this stream (unique within the VM). */
    readonly id: u32,
    /** The plugin this stream belongs to. */
    readonly root: RootContext,
  ) {}

  /**
   * Request headers (numHeaders entries, pseudo-headers included). endOfStream: no body follows.
   * StopIteration is turned into StopAllIterationAndWatermark by Envoy (no body callbacks until
   * continueRequest()), unless allow_on_headers_stop_iteration is set.
   */
  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus { return FilterHeadersStatus.Continue; }

  /** A request body chunk (bodySize bytes; cumulative after StopIterationAndBuffer). */
  onRequestBody(bodySize: u32, endOfStream: bool): FilterDataStatus { return FilterDataStatus.Continue; }

  /** Request trailers; with trailers no body callback has endOfStream = true. */
  onRequestTrailers(numTrailers: u32): FilterTrailersStatus { return FilterTrailersStatus.Continue; }

  /** Response headers (also for local replies, including this filter's own). */
  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus { return FilterHeadersStatus.Continue; }

  /** A response body chunk. */
  onResponseBody(bodySize: u32, endOfStream: bool): FilterDataStatus { return FilterDataStatus.Continue; }

  /** Response trailers. */
  onResponseTrailers(numTrailers: u32): FilterTrailersStatus { return FilterTrailersStatus.Continue; }

  /** Access-log phase: request/response headers readable again (request trailers are not). */
  onLog(): void {}

  /** The stream is finished (Envoy ignores any result for streams). */
  onDone(): void {}

  /** Last callback; the SDK forgets the context afterwards. Late callout responses are dropped. */
  onDelete(): void {}
}
