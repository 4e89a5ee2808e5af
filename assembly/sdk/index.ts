// The wasmgate proxy-wasm SDK: everything a filter needs, on top of assembly/abi.
//
//   import { RootContext, StreamContext, registerRootContext, requestHeaders, … } from "<path>/assembly/sdk";
//   export * from "<path>/assembly/sdk/exports";   // the ABI callbacks, allocator and ABI marker
//
// Host statuses never abort: calls that can legitimately fail return null, false, -1 or a
// WasmResult. See each file for the phase rules of its calls.
export {
  WasmResult, FilterHeadersStatus, FilterDataStatus, FilterTrailersStatus, MapType, BufferType,
  StreamType, MetricType, LogLevel, PeerType, GrpcStatus,
} from "../abi/enums";
export { RootContext, StreamContext } from "./contexts";
export {
  RootContextFactory, registerRootContext, getRootContext, getStreamContext, droppedCalloutResponses,
  liveStreamContexts,
} from "./dispatcher";
export { HeaderList } from "./headerList";
export { HeaderSource, PairsSource } from "../lib/headerPair";
export { HeaderPair, serializePairs, deserializePairs, deserializePairsBuffer, findPair, findAllPairs } from "./pairs";
export {
  HeaderMap, requestHeaders, requestTrailers, responseHeaders, responseTrailers, grpcInitialMetadata,
  grpcTrailingMetadata, httpCallResponseHeaders, httpCallResponseTrailers,
} from "./headers";
export {
  HostBuffer, requestBody, responseBody, httpCallResponseBody, grpcReceiveBuffer, vmConfiguration,
  pluginConfiguration, foreignFunctionArguments,
} from "./buffers";
export {
  getProperty, getPropertyString, getPropertyInt64, getPropertyBool, getPropertyTimestampNanos,
  getPropertyMap, getPropertyList, setProperty,
} from "./properties";
export {
  Int64Value, BoolValue, Float64Value, decodeStringValue, decodeInt64Value, decodeBoolValue,
  decodeFloat64Value, decodeMapValue, decodeListValue, encodePropertyPath,
} from "./propertyValues";
export { HttpCallHandler, GrpcCallHandler, GrpcStreamHandler, isHttpCallFailure } from "./handlers";
export {
  CalloutResult, HostStatus, httpCall, grpcCall, grpcStream, grpcSend, grpcClose, grpcCancel, getStatus,
} from "./callouts";
export { SharedValue, getSharedData, setSharedData } from "./sharedData";
export { DequeueResult, registerSharedQueue, resolveSharedQueue, enqueueSharedQueue, dequeueSharedQueue } from "./sharedQueue";
export { Metric, Counter, Gauge, Histogram, MetricValue, getMetricValue } from "./metrics";
export {
  log, logEnabled, getLogLevel, logTrace, logDebug, logInfo, logWarn, logError, logCritical,
} from "./log";
export { sendLocalResponse, sendLocalText, continueRequest, continueResponse, closeStream } from "./stream";
export { setCollectEvery } from "./gc";
export { currentTimeNanos, setTickPeriod, ForeignResult, callForeignFunction, done } from "./host";
export { decodeUtf8, decodeUtf8Buffer } from "./utf8";
