// The callbacks every filter exports (abi/exports.ts explains the set): the ABI marker, the
// allocator, the context lifecycle and the request/response header callbacks, with exactly the
// wasm signatures proxy-wasm-cpp-host checks (envoy-host-abi.md §1.1 step 5). Each one only
// forwards to the SDK dispatcher; every callback but the allocator is bracketed by gc.ts
// begin()/end…(): garbage is collected only at the end of the outermost one.
import "../../sdk/abort";
import * as d from "../../sdk/dispatcher";
import { allocate } from "../../sdk/memory";
import { begin, end, endCallback, endCollect, endWork } from "../../sdk/gc";

/** ABI marker: Envoy scans exports for this name; it is never called. */
export function proxy_abi_version_0_2_1(): void {}

/** Allocator the host uses for every buffer it returns (malloc is absent, so the host uses this). */
export function proxy_on_memory_allocate(size: u32): u32 { return allocate(size); }

export function proxy_on_context_create(contextId: u32, parentContextId: u32): void { begin(); d.onContextCreate(contextId, parentContextId); end(); }
export function proxy_on_vm_start(rootContextId: u32, vmConfigurationSize: u32): u32 { begin(); const r = d.onVmStart(rootContextId, vmConfigurationSize); endCollect(); return r; }
export function proxy_on_configure(rootContextId: u32, pluginConfigurationSize: u32): u32 { begin(); const r = d.onConfigure(rootContextId, pluginConfigurationSize); endCollect(); return r; }
export function proxy_on_done(contextId: u32): u32 { begin(); const r = d.onDone(contextId); end(); return r; }
export function proxy_on_log(contextId: u32): void { begin(); d.onLog(contextId); end(); }
export function proxy_on_delete(contextId: u32): void { begin(); if (d.onDelete(contextId)) endCollect(); else endWork(); }

export function proxy_on_request_headers(contextId: u32, numHeaders: u32, endOfStream: u32): u32 { begin(); const r = d.onRequestHeaders(contextId, numHeaders, endOfStream); endCallback(); return r; }
export function proxy_on_response_headers(contextId: u32, numHeaders: u32, endOfStream: u32): u32 { begin(); const r = d.onResponseHeaders(contextId, numHeaders, endOfStream); endCallback(); return r; }
