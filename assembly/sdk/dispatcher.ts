// Routes every exported callback (abi/exports.ts) to the user's context objects.
// Contexts are kept in two maps by id and removed in proxy_on_delete, so memory stays flat over
// any number of requests. Unknown ids (a stream whose root returned null from
// createStreamContext, or anything unexpected) are answered with pass-through defaults, never a trap.
import { proxy_get_property, proxy_set_effective_context } from "../abi/imports";
import { FilterDataStatus, FilterHeadersStatus, FilterTrailersStatus, GrpcStatus, LogLevel, WasmResult } from "../abi/enums";
import { RootContext, StreamContext } from "./contexts";
import { PendingCallout, pendingCallouts } from "./callouts";
import { log, resetLogLevelCache } from "./log";
import { RET_PTR, RET_SIZE, clearReturn, discardReturn, takeString } from "./memory";
import { markHostReady, setCurrent } from "./state";
import { pluginConfiguration, vmConfiguration } from "./buffers";

/** A non-capturing function that builds a root context for a given context id. */
export type RootContextFactory = (contextId: u32) => RootContext;

const factories = new Array<RootContextFactory>();
const factoryRootIds = new Array<string>();
const roots = new Map<u32, RootContext>();
const streams = new Map<u32, StreamContext>();
let droppedResponses: u32 = 0;

/**
 * Registers the root context factory for plugins whose root_id is `rootId` ("" matches an empty
 * root_id). Call it from the entry file's top-level code (it runs in _initialize, where no host
 * call other than logging is allowed). With a single registration the root_id is not checked.
 */
export function registerRootContext(factory: RootContextFactory, rootId: string = ""): void {
  factories.push(factory);
  factoryRootIds.push(rootId);
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
  return roots.has(id) ? roots.get(id) : null;
}

/** The stream context with this id, or null (never created, passed through, or deleted). */
export function getStreamContext(id: u32): StreamContext | null {
  return streams.has(id) ? streams.get(id) : null;
}

@inline function enter(contextId: u32, rootId: u32): void {
  resetLogLevelCache();
  setCurrent(contextId, rootId);
}

/** plugin_root_id of the plugin being created ("" if unreadable). */
function readPluginRootId(): string {
  const path = String.UTF8.encode("plugin_root_id");
  clearReturn();
  const st = proxy_get_property(changetype<u32>(path), <u32>path.byteLength, RET_PTR, RET_SIZE);
  if (st != WasmResult.Ok) { discardReturn(); return ""; }
  return takeString();
}

function selectFactory(): i32 {
  const n = factories.length;
  if (n == 0) return -1;
  if (n == 1) return 0;
  const rootId = readPluginRootId();
  for (let i = 0; i < n; i++) if (unchecked(factoryRootIds[i]) == rootId) return i;
  log(LogLevel.Critical, "sdk: no root context registered for root_id \"" + rootId + "\"");
  return -1;
}

export function onContextCreate(contextId: u32, parentId: u32): void {
  markHostReady();
  if (parentId == 0) {
    enter(contextId, contextId);
    const i = selectFactory();
    if (i < 0) return; // onVmStart/onConfigure will then reject the plugin
    const f = unchecked(factories[i]);
    roots.set(contextId, f(contextId));
    return;
  }
  enter(contextId, parentId);
  if (!roots.has(parentId)) return;
  const ctx = roots.get(parentId).createStreamContext(contextId);
  if (ctx !== null) streams.set(contextId, ctx);
}

export function onVmStart(rootId: u32, size: u32): u32 {
  enter(rootId, rootId);
  if (!roots.has(rootId)) return 0;
  const cfg = vmConfiguration.read(0, size);
  return roots.get(rootId).onVmStart(cfg !== null ? cfg : new ArrayBuffer(0)) ? 1 : 0;
}

export function onConfigure(rootId: u32, size: u32): u32 {
  enter(rootId, rootId);
  if (!roots.has(rootId)) return 0;
  const cfg = pluginConfiguration.read(0, size);
  return roots.get(rootId).onConfigure(cfg !== null ? cfg : new ArrayBuffer(0)) ? 1 : 0;
}

export function onTick(rootId: u32): void {
  enter(rootId, rootId);
  if (roots.has(rootId)) roots.get(rootId).onTick();
}

export function onQueueReady(rootId: u32, token: u32): void {
  enter(rootId, rootId);
  if (roots.has(rootId)) roots.get(rootId).onQueueReady(token);
}

export function onForeignFunction(rootId: u32, functionId: u32, size: u32): u32 {
  enter(rootId, rootId);
  if (!roots.has(rootId)) return WasmResult.NotFound;
  return <u32>roots.get(rootId).onForeignFunction(functionId, size);
}

export function onDone(contextId: u32): u32 {
  if (streams.has(contextId)) {
    const s = streams.get(contextId);
    enter(contextId, s.root.id);
    s.onDone();
    return 1;
  }
  enter(contextId, contextId);
  if (roots.has(contextId)) return roots.get(contextId).onDone() ? 1 : 0;
  return 1;
}

export function onLog(contextId: u32): void {
  if (streams.has(contextId)) {
    const s = streams.get(contextId);
    enter(contextId, s.root.id);
    s.onLog();
  } else if (roots.has(contextId)) {
    enter(contextId, contextId);
    roots.get(contextId).onLog();
  }
}

/** Returns whether a root context was deleted. */
export function onDelete(contextId: u32): bool {
  let root = false;
  if (streams.has(contextId)) {
    const s = streams.get(contextId);
    enter(contextId, s.root.id);
    streams.delete(contextId);
    s.onDelete();
  } else if (roots.has(contextId)) {
    enter(contextId, contextId);
    const r = roots.get(contextId);
    roots.delete(contextId);
    r.onDelete();
    root = true;
  }
  setCurrent(0, 0);
  return root;
}

// ---- stream callbacks

export function onRequestHeaders(id: u32, n: u32, eos: u32): u32 {
  if (!streams.has(id)) return FilterHeadersStatus.Continue;
  const s = streams.get(id);
  enter(id, s.root.id);
  return <u32>s.onRequestHeaders(n, eos != 0);
}

export function onRequestBody(id: u32, size: u32, eos: u32): u32 {
  if (!streams.has(id)) return FilterDataStatus.Continue;
  const s = streams.get(id);
  enter(id, s.root.id);
  return <u32>s.onRequestBody(size, eos != 0);
}

export function onRequestTrailers(id: u32, n: u32): u32 {
  if (!streams.has(id)) return FilterTrailersStatus.Continue;
  const s = streams.get(id);
  enter(id, s.root.id);
  return <u32>s.onRequestTrailers(n);
}

export function onResponseHeaders(id: u32, n: u32, eos: u32): u32 {
  if (!streams.has(id)) return FilterHeadersStatus.Continue;
  const s = streams.get(id);
  enter(id, s.root.id);
  return <u32>s.onResponseHeaders(n, eos != 0);
}

export function onResponseBody(id: u32, size: u32, eos: u32): u32 {
  if (!streams.has(id)) return FilterDataStatus.Continue;
  const s = streams.get(id);
  enter(id, s.root.id);
  return <u32>s.onResponseBody(size, eos != 0);
}

export function onResponseTrailers(id: u32, n: u32): u32 {
  if (!streams.has(id)) return FilterTrailersStatus.Continue;
  const s = streams.get(id);
  enter(id, s.root.id);
  return <u32>s.onResponseTrailers(n);
}

// ---- callout responses (delivered to the root; routed to the issuing stream)

/**
 * Looks up the pending callout for `token` and prepares delivery: for a stream-issued callout the
 * stream must still exist and become the effective context. Returns null when the response must be
 * dropped. `final` removes the token (last callback for it).
 */
function claim(rootId: u32, token: u32, final: bool): PendingCallout | null {
  enter(rootId, rootId);
  if (!pendingCallouts.has(token)) {
    log(LogLevel.Debug, "sdk: callout response for unknown token " + token.toString());
    return null;
  }
  const p = pendingCallouts.get(token);
  if (final) pendingCallouts.delete(token);
  if (p.streamId == 0) return p;
  if (!streams.has(p.streamId) || proxy_set_effective_context(p.streamId) != WasmResult.Ok) {
    if (!final) pendingCallouts.delete(token); // the stream is gone: nobody will want the rest
    droppedResponses++;
    log(LogLevel.Debug, "sdk: dropped callout response " + token.toString() + " for gone stream " + p.streamId.toString());
    return null;
  }
  setCurrent(p.streamId, rootId);
  return p;
}

export function onHttpCallResponse(rootId: u32, token: u32, nh: u32, bodySize: u32, nt: u32): void {
  const p = claim(rootId, token, true);
  if (p === null) return;
  const h = p.http;
  if (h !== null) h.onHttpCallResponse(token, nh, bodySize, nt);
  else if (roots.has(rootId)) roots.get(rootId).onHttpCallResponse(token, nh, bodySize, nt);
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
  const unary = pendingCallouts.has(token) && pendingCallouts.get(token).grpcStream === null;
  const p = claim(rootId, token, unary);
  if (p === null) return;
  const s = p.grpcStream;
  if (s !== null) { s.onMessage(token, size); return; }
  const c = p.grpcCall;
  if (c !== null) c.onGrpcCallResponse(token, GrpcStatus.Ok, size);
  else if (roots.has(rootId)) roots.get(rootId).onGrpcCallResponse(token, GrpcStatus.Ok, size);
}

export function onGrpcClose(rootId: u32, token: u32, status: u32): void {
  // Failure for a unary call; the end of a stream. Either way the last callback for the token.
  const p = claim(rootId, token, true);
  if (p === null) return;
  const s = p.grpcStream;
  if (s !== null) { s.onClose(token, <GrpcStatus>status); return; }
  const c = p.grpcCall;
  if (c !== null) c.onGrpcCallResponse(token, <GrpcStatus>status, 0);
  else if (roots.has(rootId)) roots.get(rootId).onGrpcCallResponse(token, <GrpcStatus>status, 0);
}
