// Host functions Envoy registers for proxy-wasm ABI 0.2.1, declared 1:1 (names, arity, wasm types).
// Every function returns a WasmResult (enums.ts). Pointers and sizes are u32 (wasm32); the only
// 64-bit parameters are the metric value of proxy_increment_metric (i64) and proxy_record_metric
// (u64). Out-params ("…Ptr" ending in Ptr/SizePtr) receive a u32 address/size, or a u64 for time and
// metric values. Buffers the host returns were allocated through proxy_on_memory_allocate and are
// owned by the module. No logic lives here; the SDK (assembly/sdk) wraps each call.
// Reference: shared/research/envoy-host-abi.md §3.

// ---- logging, time, timers (§3.2)
@external("env", "proxy_log")
export declare function proxy_log(level: u32, messagePtr: u32, messageSize: u32): u32;
/** 0.2.1 only. Writes the wasm logger level (0 trace … 5 critical, 6 off). */
@external("env", "proxy_get_log_level")
export declare function proxy_get_log_level(levelPtr: u32): u32;
@external("env", "proxy_get_current_time_nanoseconds")
export declare function proxy_get_current_time_nanoseconds(timePtr: u32): u32;
@external("env", "proxy_set_tick_period_milliseconds")
export declare function proxy_set_tick_period_milliseconds(periodMs: u32): u32;

// ---- buffers (§3.5)
@external("env", "proxy_get_buffer_bytes")
export declare function proxy_get_buffer_bytes(bufferType: u32, start: u32, maxSize: u32, dataPtrPtr: u32, dataSizePtr: u32): u32;
@external("env", "proxy_set_buffer_bytes")
export declare function proxy_set_buffer_bytes(bufferType: u32, start: u32, length: u32, dataPtr: u32, dataSize: u32): u32;
@external("env", "proxy_get_buffer_status")
export declare function proxy_get_buffer_status(bufferType: u32, lengthPtr: u32, flagsPtr: u32): u32;

// ---- header maps (§3.4)
@external("env", "proxy_get_header_map_pairs")
export declare function proxy_get_header_map_pairs(mapType: u32, dataPtrPtr: u32, dataSizePtr: u32): u32;
@external("env", "proxy_set_header_map_pairs")
export declare function proxy_set_header_map_pairs(mapType: u32, dataPtr: u32, dataSize: u32): u32;
@external("env", "proxy_get_header_map_value")
export declare function proxy_get_header_map_value(mapType: u32, keyPtr: u32, keySize: u32, valuePtrPtr: u32, valueSizePtr: u32): u32;
@external("env", "proxy_replace_header_map_value")
export declare function proxy_replace_header_map_value(mapType: u32, keyPtr: u32, keySize: u32, valuePtr: u32, valueSize: u32): u32;
@external("env", "proxy_remove_header_map_value")
export declare function proxy_remove_header_map_value(mapType: u32, keyPtr: u32, keySize: u32): u32;
@external("env", "proxy_add_header_map_value")
export declare function proxy_add_header_map_value(mapType: u32, keyPtr: u32, keySize: u32, valuePtr: u32, valueSize: u32): u32;
@external("env", "proxy_get_header_map_size")
export declare function proxy_get_header_map_size(mapType: u32, sizePtr: u32): u32;

// ---- properties (§3.3)
@external("env", "proxy_get_property")
export declare function proxy_get_property(pathPtr: u32, pathSize: u32, valuePtrPtr: u32, valueSizePtr: u32): u32;
@external("env", "proxy_set_property")
export declare function proxy_set_property(pathPtr: u32, pathSize: u32, valuePtr: u32, valueSize: u32): u32;

// ---- stream control (§3.6)
@external("env", "proxy_continue_stream")
export declare function proxy_continue_stream(streamType: u32): u32;
@external("env", "proxy_close_stream")
export declare function proxy_close_stream(streamType: u32): u32;
@external("env", "proxy_send_local_response")
export declare function proxy_send_local_response(
  statusCode: u32, detailsPtr: u32, detailsSize: u32, bodyPtr: u32, bodySize: u32,
  headersPtr: u32, headersSize: u32, grpcStatus: i32): u32;
@external("env", "proxy_get_status")
export declare function proxy_get_status(codePtr: u32, messagePtrPtr: u32, messageSizePtr: u32): u32;

// ---- HTTP callouts (§3.7)
@external("env", "proxy_http_call")
export declare function proxy_http_call(
  upstreamPtr: u32, upstreamSize: u32, headersPtr: u32, headersSize: u32, bodyPtr: u32, bodySize: u32,
  trailersPtr: u32, trailersSize: u32, timeoutMs: u32, tokenPtr: u32): u32;

// ---- gRPC (§3.8)
@external("env", "proxy_grpc_call")
export declare function proxy_grpc_call(
  servicePtr: u32, serviceSize: u32, serviceNamePtr: u32, serviceNameSize: u32, methodPtr: u32, methodSize: u32,
  metadataPtr: u32, metadataSize: u32, messagePtr: u32, messageSize: u32, timeoutMs: u32, tokenPtr: u32): u32;
@external("env", "proxy_grpc_stream")
export declare function proxy_grpc_stream(
  servicePtr: u32, serviceSize: u32, serviceNamePtr: u32, serviceNameSize: u32, methodPtr: u32, methodSize: u32,
  metadataPtr: u32, metadataSize: u32, tokenPtr: u32): u32;
@external("env", "proxy_grpc_send")
export declare function proxy_grpc_send(token: u32, messagePtr: u32, messageSize: u32, endStream: u32): u32;
@external("env", "proxy_grpc_close")
export declare function proxy_grpc_close(token: u32): u32;
@external("env", "proxy_grpc_cancel")
export declare function proxy_grpc_cancel(token: u32): u32;

// ---- shared data and queues (§3.10)
@external("env", "proxy_set_shared_data")
export declare function proxy_set_shared_data(keyPtr: u32, keySize: u32, valuePtr: u32, valueSize: u32, cas: u32): u32;
@external("env", "proxy_get_shared_data")
export declare function proxy_get_shared_data(keyPtr: u32, keySize: u32, valuePtrPtr: u32, valueSizePtr: u32, casPtr: u32): u32;
@external("env", "proxy_register_shared_queue")
export declare function proxy_register_shared_queue(namePtr: u32, nameSize: u32, tokenPtr: u32): u32;
@external("env", "proxy_resolve_shared_queue")
export declare function proxy_resolve_shared_queue(vmIdPtr: u32, vmIdSize: u32, namePtr: u32, nameSize: u32, tokenPtr: u32): u32;
@external("env", "proxy_enqueue_shared_queue")
export declare function proxy_enqueue_shared_queue(token: u32, dataPtr: u32, dataSize: u32): u32;
@external("env", "proxy_dequeue_shared_queue")
export declare function proxy_dequeue_shared_queue(token: u32, dataPtrPtr: u32, dataSizePtr: u32): u32;

// ---- metrics (§3.9)
@external("env", "proxy_define_metric")
export declare function proxy_define_metric(metricType: u32, namePtr: u32, nameSize: u32, idPtr: u32): u32;
@external("env", "proxy_increment_metric")
export declare function proxy_increment_metric(metricId: u32, offset: i64): u32;
@external("env", "proxy_record_metric")
export declare function proxy_record_metric(metricId: u32, value: u64): u32;
@external("env", "proxy_get_metric")
export declare function proxy_get_metric(metricId: u32, valuePtr: u32): u32;

// ---- contexts and foreign functions (§3.11)
@external("env", "proxy_set_effective_context")
export declare function proxy_set_effective_context(contextId: u32): u32;
@external("env", "proxy_done")
export declare function proxy_done(): u32;
@external("env", "proxy_call_foreign_function")
export declare function proxy_call_foreign_function(
  namePtr: u32, nameSize: u32, argsPtr: u32, argsSize: u32, resultPtrPtr: u32, resultSizePtr: u32): u32;
