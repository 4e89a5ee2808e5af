// Routes every exported callback (abi/exports.ts) to the user's context objects.
// Contexts are kept in two id tables (idTable.ts) and removed in proxy_on_delete, so memory stays flat over
// any number of requests. Unknown ids (a stream whose root returned null from
// createStreamContext, or anything unexpected) are answered with pass-through defaults, never a trap.
import { proxy_get_property, proxy_set_effective_context } from "../abi/imports";
import { FilterDataStatus, FilterHeadersStatus, FilterTrailersStatus, GrpcStatus, LogLevel, WasmResult } from "../abi/enums";
import { RootContext, StreamContext } from "./contexts";
import { PendingCallout, pendingCallouts } from "./callouts";
import { log, resetLogLevelCache } from "./log";
import { RET_PTR, RET_SIZE, clearReturn, discardReturn, newBuffer, takeString } from "./memory";
import { markHostReady, setCurrent } from "./state";
import { IdTable } from "./idTable";
import { HostBuffer, pluginConfiguration, vmConfiguration } from "./buffers";
import { decimal } from "../lib/decimal";
import { decodeUtf8 } from "./utf8";
import { emptyArray } from "../lib/emptyArray";

/** A non-capturing function that builds a root context for a given context id. */
export type RootContextFactory = (contextId: u32) => RootContext;

/** The registrations in order, two entries each: the factory (a function object, kept as a reference
 *  like the strings; one array for both is less code than two), then its root_id. */
const registry = emptyArray<string[]>();
const roots = new IdTable(); // id → RootContext
const streams = new IdTable(); // id → StreamContext
let droppedResponses: u32 = 0;

/**
 * Registers the root context factory for plugins whose root_id is `rootId` ("" matches an empty
 * root_id). Call it from the entry file's top-level code (it runs in _initialize, where no host
 * call other than logging is allowed). With a single registration the root_id is not checked.
 */
export function registerRootContext(factory: RootContextFactory, rootId: string = ""): void {
  registry.push(changetype<string>(factory));
  registry.push(rootId);
}

/** Callout responses dropped because their stream was gone (for tests and debugging). */
export function droppedCalloutResponses(): u32 {
  return droppedResponses;
}

/** Number of live stream contexts in this VM (for leak checks). */
export function liveStreamContexts(): i32 {
  return streams.size;
}

/** The root context with this id, or null. */
export function getRootContext(id: u32): RootContext | null {
  return changetype<RootContext | null>(roots.get(id));
}

/** The stream context with this id, or null (never created, passed through, or deleted). */
export function getStreamContext(id: u32): StreamContext | null {
  return changetype<StreamContext | null>(streams.get(id));
}

@inline function enter(contextId: u32, isStream: bool): void {
  resetLogLevelCache();
  setCurrent(contextId, isStream);
}

/** ASCII texts (bytes, not UTF-16 literals: less data): the property path "plugin_root_id" (14 bytes), then
 *  the start of the log line for an unknown root_id, `sdk: no root context registered for root_id "` (45 bytes; its last byte closes the line). */
const TEXT = memory.data<u8>([
  0x70, 0x6c, 0x75, 0x67, 0x69, 0x6e, 0x5f, 0x72, 0x6f, 0x6f, 0x74, 0x5f, 0x69, 0x64,
  0x73, 0x64, 0x6b, 0x3a, 0x20, 0x6e, 0x6f, 0x20, 0x72, 0x6f, 0x6f, 0x74, 0x20, 0x63, 0x6f, 0x6e, 0x74, 0x65, 0x78, 0x74, 0x20, 0x72, 0x65, 0x67, 0x69, 0x73, 0x74, 0x65, 0x72, 0x65, 0x64, 0x20, 0x66, 0x6f, 0x72, 0x20, 0x72, 0x6f, 0x6f, 0x74, 0x5f, 0x69, 0x64, 0x20, 0x22,
]);

/** plugin_root_id of the plugin being created ("" if unreadable). */
function readPluginRootId(): string {
  clearReturn();
  const st = proxy_get_property(<u32>TEXT, 14, RET_PTR, RET_SIZE);
  if (st != WasmResult.Ok) { discardReturn(); return ""; }
  return takeString();
}

/** The registry index of the factory for the plugin being created, or -1. */
function selectFactory(): i32 {
  const n = registry.length;
  if (n <= 2) return n - 2; // none (-2 < 0) or the only one (0): the root_id is not checked
  const rootId = readPluginRootId();
  for (let i = 1; i < n; i += 2) if (unchecked(registry[i]) == rootId) return i - 1;
  log(LogLevel.Critical, decodeUtf8(TEXT + 14, 45) + rootId + decodeUtf8(TEXT + 58, 1));
  return -1;
}

export function onContextCreate(contextId: u32, parentId: u32): void {
  markHostReady();
  if (parentId == 0) {
    enter(contextId, false);
    const i = selectFactory();
    if (i < 0) return; // onVmStart/onConfigure will then reject the plugin
    const f = changetype<RootContextFactory>(unchecked(registry[i]));
    roots.set(contextId, f(contextId));
    return;
  }
  enter(contextId, true);
  const r = getRootContext(parentId);
  if (r === null) return;
  const ctx = r.createStreamContext(contextId);
  if (ctx !== null) streams.set(contextId, ctx);
}

export function onVmStart(rootId: u32, size: u32): u32 {
  enter(rootId, false);
  const r = getRootContext(rootId);
  if (r === null) return 0;
  return r.onVmStart(readConfig(vmConfiguration, size)) ? 1 : 0;
}

export function onConfigure(rootId: u32, size: u32): u32 {
  enter(rootId, false);
  const r = getRootContext(rootId);
  if (r === null) return 0;
  return r.onConfigure(readConfig(pluginConfiguration, size)) ? 1 : 0;
}

/** The first `size` bytes of a configuration buffer (empty if unreadable). */
function readConfig(b: HostBuffer, size: u32): ArrayBuffer {
  const cfg = b.read(0, size);
  return cfg !== null ? cfg : newBuffer(0);
}

export function onTick(rootId: u32): void {
  enter(rootId, false);
  const r = getRootContext(rootId);
  if (r !== null) r.onTick();
}

export function onQueueReady(rootId: u32, token: u32): void {
  enter(rootId, false);
  const r = getRootContext(rootId);
  if (r !== null) r.onQueueReady(token);
}

export function onForeignFunction(rootId: u32, functionId: u32, size: u32): u32 {
  enter(rootId, false);
  const r = getRootContext(rootId);
  if (r === null) return WasmResult.NotFound;
  return <u32>r.onForeignFunction(functionId, size);
}

export function onDone(contextId: u32): u32 {
  const s = getStreamContext(contextId);
  if (s !== null) {
    enter(contextId, true);
    s.onDone();
    return 1;
  }
  enter(contextId, false);
  const r = getRootContext(contextId);
  if (r !== null) return r.onDone() ? 1 : 0;
  return 1;
}

export function onLog(contextId: u32): void {
  const s = getStreamContext(contextId);
  if (s !== null) {
    enter(contextId, true);
    s.onLog();
    return;
  }
  const r = getRootContext(contextId);
  if (r !== null) {
    enter(contextId, false);
    r.onLog();
  }
}

/** Returns whether a root context was deleted. */
export function onDelete(contextId: u32): bool {
  let root = false;
  const s = getStreamContext(contextId);
  if (s !== null) {
    enter(contextId, true);
    streams.delete(contextId);
    s.onDelete();
  } else {
    const r = getRootContext(contextId);
    if (r !== null) {
      enter(contextId, false);
      roots.delete(contextId);
      r.onDelete();
      root = true;
    }
  }
  setCurrent(0, false);
  return root;
}

// ---- stream callbacks

export function onRequestHeaders(id: u32, n: u32, eos: u32): u32 {
  const s = getStreamContext(id);
  if (s === null) return FilterHeadersStatus.Continue;
  enter(id, true);
  return <u32>s.onRequestHeaders(n, eos != 0);
}

export function onRequestBody(id: u32, size: u32, eos: u32): u32 {
  const s = getStreamContext(id);
  if (s === null) return FilterDataStatus.Continue;
  enter(id, true);
  return <u32>s.onRequestBody(size, eos != 0);
}

export function onRequestTrailers(id: u32, n: u32): u32 {
  const s = getStreamContext(id);
  if (s === null) return FilterTrailersStatus.Continue;
  enter(id, true);
  return <u32>s.onRequestTrailers(n);
}

export function onResponseHeaders(id: u32, n: u32, eos: u32): u32 {
  const s = getStreamContext(id);
  if (s === null) return FilterHeadersStatus.Continue;
  enter(id, true);
  return <u32>s.onResponseHeaders(n, eos != 0);
}

export function onResponseBody(id: u32, size: u32, eos: u32): u32 {
  const s = getStreamContext(id);
  if (s === null) return FilterDataStatus.Continue;
  enter(id, true);
  return <u32>s.onResponseBody(size, eos != 0);
}

export function onResponseTrailers(id: u32, n: u32): u32 {
  const s = getStreamContext(id);
  if (s === null) return FilterTrailersStatus.Continue;
  enter(id, true);
  return <u32>s.onResponseTrailers(n);
}

// ---- callout responses (delivered to the root; routed to the issuing stream)

@inline function pendingOf(token: u32): PendingCallout | null {
  return changetype<PendingCallout | null>(pendingCallouts.get(token));
}

/**
 * Looks up the pending callout for `token` and prepares delivery: for a stream-issued callout the
 * stream must still exist and become the effective context. Returns null when the response must be
 * dropped. `final` removes the token (last callback for it).
 */
function claim(rootId: u32, token: u32, final: bool): PendingCallout | null {
  enter(rootId, false);
  const p = pendingOf(token);
  if (p === null) {
    log(LogLevel.Debug, "sdk: callout response for unknown token " + decimal(token));
    return null;
  }
  if (final) pendingCallouts.delete(token);
  if (p.streamId == 0) return p;
  if (streams.get(p.streamId) === null || proxy_set_effective_context(p.streamId) != WasmResult.Ok) {
    if (!final) pendingCallouts.delete(token); // the stream is gone: nobody will want the rest
    droppedResponses++;
    log(LogLevel.Debug, "sdk: dropped callout response " + decimal(token) + " for gone stream " + decimal(p.streamId));
    return null;
  }
  setCurrent(p.streamId, true);
  return p;
}

export function onHttpCallResponse(rootId: u32, token: u32, nh: u32, bodySize: u32, nt: u32): void {
  const p = claim(rootId, token, true);
  if (p === null) return;
  const h = p.http;
  if (h !== null) { h.onHttpCallResponse(token, nh, bodySize, nt); return; }
  const r = getRootContext(rootId);
  if (r !== null) r.onHttpCallResponse(token, nh, bodySize, nt);
}

export function onGrpcReceiveInitialMetadata(rootId: u32, token: u32, n: u32): void {
  const p = claim(rootId, token, false);
  if (p === null) return;
  const h = p.grpcStream;
  if (h !== null) h.onInitialMetadata(token, n);
}

export function onGrpcReceiveTrailingMetadata(rootId: u32, token: u32, n: u32): void {
  const p = claim(rootId, token, false);
  if (p === null) return;
  const h = p.grpcStream;
  if (h !== null) h.onTrailingMetadata(token, n);
}

export function onGrpcReceive(rootId: u32, token: u32, size: u32): void {
  // For a unary call this is the success and the last callback; for a stream, one message.
  const q = pendingOf(token);
  const p = claim(rootId, token, q !== null && q.grpcStream === null);
  if (p === null) return;
  const s = p.grpcStream;
  if (s !== null) { s.onMessage(token, size); return; }
  const c = p.grpcCall;
  if (c !== null) { c.onGrpcCallResponse(token, GrpcStatus.Ok, size); return; }
  const r = getRootContext(rootId);
  if (r !== null) r.onGrpcCallResponse(token, GrpcStatus.Ok, size);
}

export function onGrpcClose(rootId: u32, token: u32, status: u32): void {
  // Failure for a unary call; the end of a stream. Either way the last callback for the token.
  const p = claim(rootId, token, true);
  if (p === null) return;
  const s = p.grpcStream;
  if (s !== null) { s.onClose(token, <GrpcStatus>status); return; }
  const c = p.grpcCall;
  if (c !== null) { c.onGrpcCallResponse(token, <GrpcStatus>status, 0); return; }
  const r = getRootContext(rootId);
  if (r !== null) r.onGrpcCallResponse(token, <GrpcStatus>status, 0);
}
