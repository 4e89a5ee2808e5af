// The callbacks a proxy-wasm 0.2.1 module exports, with exactly the wasm signatures
// proxy-wasm-cpp-host checks (envoy-host-abi.md §1.1 step 5). Each one only forwards to the SDK
// dispatcher; parameters and results are i32 (u32 here), "void" where the host expects no result.
// A filter does not import this file directly: its entry file does
//   export * from "<path>/assembly/sdk/exports";
// which re-exports everything below and pulls in the abort handler. Every callback but the
// allocator is bracketed by gc.ts begin()/end…(): garbage is collected only at the end of the
// outermost one.
import * as d from "../sdk/dispatcher";
import { allocate } from "../sdk/memory";
import { begin, end, endCallback, endCollect, endWork } from "../sdk/gc";

/** ABI marker: Envoy scans exports for this name; it is never called. */
export function proxy_abi_version_0_2_1(): void {}

/** Allocator the host uses for every buffer it returns (malloc is absent, so the host uses this). */
export function proxy_on_memory_allocate(size: u32): u32 { return allocate(size); }

export function proxy_on_context_create(contextId: u32, parentContextId: u32): void { begin(); d.onContextCreate(contextId, parentContextId); end(); }
export function proxy_on_vm_start(rootContextId: u32, vmConfigurationSize: u32): u32 { begin(); const r = d.onVmStart(rootContextId, vmConfigurationSize); endCollect(); return r; }
export function proxy_on_configure(rootContextId: u32, pluginConfigurationSize: u32): u32 { begin(); const r = d.onConfigure(rootContextId, pluginConfigurationSize); endCollect(); return r; }
export function proxy_on_tick(rootContextId: u32): void { begin(); d.onTick(rootContextId); endWork(); }
export function proxy_on_done(contextId: u32): u32 { begin(); const r = d.onDone(contextId); end(); return r; }
export function proxy_on_log(contextId: u32): void { begin(); d.onLog(contextId); end(); }
export function proxy_on_delete(contextId: u32): void { begin(); if (d.onDelete(contextId)) endCollect(); else endWork(); }

export function proxy_on_request_headers(contextId: u32, numHeaders: u32, endOfStream: u32): u32 { begin(); const r = d.onRequestHeaders(contextId, numHeaders, endOfStream); endCallback(); return r; }
export function proxy_on_request_body(contextId: u32, bodySize: u32, endOfStream: u32): u32 { begin(); const r = d.onRequestBody(contextId, bodySize, endOfStream); endCallback(); return r; }
export function proxy_on_request_trailers(contextId: u32, numTrailers: u32): u32 { begin(); const r = d.onRequestTrailers(contextId, numTrailers); endCallback(); return r; }
export function proxy_on_response_headers(contextId: u32, numHeaders: u32, endOfStream: u32): u32 { begin(); const r = d.onResponseHeaders(contextId, numHeaders, endOfStream); endCallback(); return r; }
export function proxy_on_response_body(contextId: u32, bodySize: u32, endOfStream: u32): u32 { begin(); const r = d.onResponseBody(contextId, bodySize, endOfStream); endCallback(); return r; }
export function proxy_on_response_trailers(contextId: u32, numTrailers: u32): u32 { begin(); const r = d.onResponseTrailers(contextId, numTrailers); endCallback(); return r; }

export function proxy_on_http_call_response(rootContextId: u32, token: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void { begin();
  d.onHttpCallResponse(rootContextId, token, numHeaders, bodySize, numTrailers); endWork();
}
export function proxy_on_grpc_receive_initial_metadata(rootContextId: u32, token: u32, numHeaders: u32): void { begin(); d.onGrpcReceiveInitialMetadata(rootContextId, token, numHeaders); endWork(); }
export function proxy_on_grpc_receive(rootContextId: u32, token: u32, messageSize: u32): void { begin(); d.onGrpcReceive(rootContextId, token, messageSize); endWork(); }
export function proxy_on_grpc_receive_trailing_metadata(rootContextId: u32, token: u32, numTrailers: u32): void { begin(); d.onGrpcReceiveTrailingMetadata(rootContextId, token, numTrailers); endWork(); }
export function proxy_on_grpc_close(rootContextId: u32, token: u32, statusCode: u32): void { begin(); d.onGrpcClose(rootContextId, token, statusCode); endWork(); }

export function proxy_on_queue_ready(rootContextId: u32, queueToken: u32): void { begin(); d.onQueueReady(rootContextId, queueToken); endWork(); }
// No result: Envoy (cpp-host's WasmCallVoid<3>) refuses a module whose proxy_on_foreign_function returns one.
export function proxy_on_foreign_function(rootContextId: u32, functionId: u32, argumentsSize: u32): void { begin(); d.onForeignFunction(rootContextId, functionId, argumentsSize); endWork(); }
