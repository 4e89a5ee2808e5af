// The callbacks a proxy-wasm 0.2.1 module exports, with exactly the wasm signatures
// proxy-wasm-cpp-host checks (envoy-host-abi.md §1.1 step 5). Each one only forwards to the SDK
// dispatcher; parameters and results are i32 (u32 here), "void" where the host expects no result.
// A filter does not import this file directly: its entry file does
//   export * from "<path>/assembly/sdk/exports";
// which re-exports everything below and pulls in the abort handler.
import * as d from "../sdk/dispatcher";
import { allocate } from "../sdk/memory";
import { callbackDone, collect, workDone } from "../sdk/gc";

/** ABI marker: Envoy scans exports for this name; it is never called. */
export function proxy_abi_version_0_2_1(): void {}

/** Allocator the host uses for every buffer it returns (malloc is absent, so the host uses this). */
export function proxy_on_memory_allocate(size: u32): u32 { return allocate(size); }

export function proxy_on_context_create(contextId: u32, parentContextId: u32): void { d.onContextCreate(contextId, parentContextId); }
export function proxy_on_vm_start(rootContextId: u32, vmConfigurationSize: u32): u32 { const r = d.onVmStart(rootContextId, vmConfigurationSize); collect(); return r; }
export function proxy_on_configure(rootContextId: u32, pluginConfigurationSize: u32): u32 { const r = d.onConfigure(rootContextId, pluginConfigurationSize); collect(); return r; }
export function proxy_on_tick(rootContextId: u32): void { d.onTick(rootContextId); workDone(); }
export function proxy_on_done(contextId: u32): u32 { return d.onDone(contextId); }
export function proxy_on_log(contextId: u32): void { d.onLog(contextId); }
export function proxy_on_delete(contextId: u32): void { if (d.onDelete(contextId)) collect(); else workDone(); }

export function proxy_on_request_headers(contextId: u32, numHeaders: u32, endOfStream: u32): u32 { const r = d.onRequestHeaders(contextId, numHeaders, endOfStream); callbackDone(); return r; }
export function proxy_on_request_body(contextId: u32, bodySize: u32, endOfStream: u32): u32 { const r = d.onRequestBody(contextId, bodySize, endOfStream); callbackDone(); return r; }
export function proxy_on_request_trailers(contextId: u32, numTrailers: u32): u32 { const r = d.onRequestTrailers(contextId, numTrailers); callbackDone(); return r; }
export function proxy_on_response_headers(contextId: u32, numHeaders: u32, endOfStream: u32): u32 { const r = d.onResponseHeaders(contextId, numHeaders, endOfStream); callbackDone(); return r; }
export function proxy_on_response_body(contextId: u32, bodySize: u32, endOfStream: u32): u32 { const r = d.onResponseBody(contextId, bodySize, endOfStream); callbackDone(); return r; }
export function proxy_on_response_trailers(contextId: u32, numTrailers: u32): u32 { const r = d.onResponseTrailers(contextId, numTrailers); callbackDone(); return r; }

export function proxy_on_http_call_response(rootContextId: u32, token: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void {
  d.onHttpCallResponse(rootContextId, token, numHeaders, bodySize, numTrailers); workDone();
}
export function proxy_on_grpc_receive_initial_metadata(rootContextId: u32, token: u32, numHeaders: u32): void { d.onGrpcReceiveInitialMetadata(rootContextId, token, numHeaders); workDone(); }
export function proxy_on_grpc_receive(rootContextId: u32, token: u32, messageSize: u32): void { d.onGrpcReceive(rootContextId, token, messageSize); workDone(); }
export function proxy_on_grpc_receive_trailing_metadata(rootContextId: u32, token: u32, numTrailers: u32): void { d.onGrpcReceiveTrailingMetadata(rootContextId, token, numTrailers); workDone(); }
export function proxy_on_grpc_close(rootContextId: u32, token: u32, statusCode: u32): void { d.onGrpcClose(rootContextId, token, statusCode); workDone(); }

export function proxy_on_queue_ready(rootContextId: u32, queueToken: u32): void { d.onQueueReady(rootContextId, queueToken); workDone(); }
// No result: Envoy (cpp-host's WasmCallVoid<3>) refuses a module whose proxy_on_foreign_function returns one.
export function proxy_on_foreign_function(rootContextId: u32, functionId: u32, argumentsSize: u32): void { d.onForeignFunction(rootContextId, functionId, argumentsSize); workDone(); }
