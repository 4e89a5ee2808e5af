// Enum values of the proxy-wasm ABI as Envoy uses them (research/envoy-host-abi.md §4).
export const enum WasmResult {
  Ok = 0, NotFound = 1, BadArgument = 2, SerializationFailure = 3, ParseFailure = 4, BadExpression = 5,
  InvalidMemoryAccess = 6, Empty = 7, CasMismatch = 8, ResultMismatch = 9, InternalFailure = 10,
  BrokenConnection = 11, Unimplemented = 12,
}
export const enum MapType {
  RequestHeaders = 0, RequestTrailers = 1, ResponseHeaders = 2, ResponseTrailers = 3,
  GrpcReceiveInitialMetadata = 4, GrpcReceiveTrailingMetadata = 5, HttpCallResponseHeaders = 6, HttpCallResponseTrailers = 7,
}
export const enum BufferType {
  HttpRequestBody = 0, HttpResponseBody = 1, DownstreamData = 2, UpstreamData = 3, HttpCallResponseBody = 4,
  GrpcReceiveBuffer = 5, VmConfiguration = 6, PluginConfiguration = 7, CallData = 8,
}
export const enum HeadersStatus { Continue = 0, StopIteration = 1, ContinueAndEndStream = 2, StopAllIterationAndBuffer = 3, StopAllIterationAndWatermark = 4 }
export const enum DataStatus { Continue = 0, StopIterationAndBuffer = 1, StopIterationAndWatermark = 2, StopIterationNoBuffer = 3 }
export const enum TrailersStatus { Continue = 0, StopIteration = 1 }
export const enum StreamType { Request = 0, Response = 1, Downstream = 2, Upstream = 3 }
export const enum MetricType { Counter = 0, Gauge = 1, Histogram = 2 }
export const LOG_LEVELS = ["trace", "debug", "info", "warning", "error", "critical", "off"] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];
export const enum WasiErrno { Success = 0, Badf = 8, Fault = 21, Inval = 28, Noent = 44, Nosys = 52, Notsup = 58, Notcapable = 76 }

/** gRPC status for an HTTP status, as Envoy's Grpc::Utility::httpToGrpcStatus maps it. */
export function httpToGrpcStatus(http: number): number {
  switch (http) {
    case 400: return 13; // INTERNAL
    case 401: return 16; // UNAUTHENTICATED
    case 403: return 7; // PERMISSION_DENIED
    case 404: return 12; // UNIMPLEMENTED
    case 429: case 502: case 503: case 504: return 14; // UNAVAILABLE
    default: return 2; // UNKNOWN
  }
}
