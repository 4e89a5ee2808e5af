// When garbage is collected. Modules are built with AssemblyScript's minimal runtime (a
// two-colour mark & sweep that runs only when called, over wasmgate's allocator assembly/rt/alloc.ts): unlike the incremental runtime it keeps no
// shadow stack, which made every function that holds a reference larger and slower (a third of
// the module and of the time per request, measured on the headers filter). Its rule is that
// collection runs only when no reference lives on the wasm stack — so the SDK runs it here, at the
// very end of an exported callback (assembly/abi/exports.ts), never from inside filter code.
//
// Policy: a full collection after on_vm_start, on_configure and the deletion of a root context
// (configuration garbage); at the end of a unit of work — a stream deleted, a tick, a queue,
// callout or foreign-function callback — once `collectEvery` of them have passed, or as many as
// there are live streams if that is more (marking the live heap, configuration + open streams,
// then costs a bounded amount per request however many streams are open), or once the host has
// handed the module 1 MiB since the last collection (big requests make garbage in proportion);
// and at the end of any callback during which linear memory grew, so one hostile request cannot
// make the next ones grow it again.
import { liveStreamContexts } from "./dispatcher";

/** Units of work between collections (at least; see above). */
let collectEvery: i32 = 16;
let pending: i32 = 0;
let pages: i32 = 0;
/** Bytes the host handed the module (proxy_on_memory_allocate) since the last collection. */
let received: usize = 0;
const RECEIVED_LIMIT: usize = 1 << 20;

/** Counts a buffer the host is about to write (sdk/memory.ts allocate). */
@inline export function noteReceived(size: usize): void { received += size; }

/** Changes how many units of work may pass between collections (1 collects after every one). */
export function setCollectEvery(n: i32): void { collectEvery = n < 1 ? 1 : n; }

/**
 * Exported callbacks on the wasm stack. A host that delivered a callback synchronously inside a
 * host call (Envoy never does: queue, tick and callout callbacks are deferred; only
 * proxy_on_memory_allocate runs inside host calls, and it never collects) would otherwise collect
 * while the outer callback still holds references in locals; only the outermost callback collects.
 */
let depth: i32 = 0;

/**
 * Test builds only (`--use WASMGATE_GC_STRESS=1`, tests/modules/headers-gcstress): a full
 * collection at the end of every outermost callback, so a reference the collector cannot see is
 * freed — and its memory reused — as early as possible. tests/host/gc-stress.test.ts compares such
 * a build with the release one.
 */
// @ts-ignore: decorator
@inline const STRESS: bool = isDefined(WASMGATE_GC_STRESS);

/** Start of an exported callback (exports.ts). */
// @ts-ignore: decorator
@inline export function begin(): void { depth++; }
/** End of on_context_create, on_done or on_log: no collection (except in stress builds). */
// @ts-ignore: decorator
@inline export function end(): void { if (--depth == 0 && STRESS) collect(); }
/** End of on_vm_start, on_configure or a root's deletion: a full collection. */
export function endCollect(): void { if (--depth == 0) collect(); }
/** End of a unit of work (see workDone). */
export function endWork(): void { if (--depth == 0) { if (STRESS) collect(); else workDone(); } }
/** End of a stream callback (see callbackDone). */
export function endCallback(): void { if (--depth == 0) { if (STRESS) collect(); else callbackDone(); } }

/** A full collection now. Only at the end of an exported callback (see the top of this file). */
function collect(): void {
  pending = 0;
  received = 0;
  __collect();
  pages = memory.size();
}

/** End of a unit of work: collect when enough of them passed, or when memory grew meanwhile. */
function workDone(): void {
  const live = liveStreamContexts();
  if (++pending >= (live > collectEvery ? live : collectEvery) || received >= RECEIVED_LIMIT || memory.size() != pages) collect();
}

/** End of a stream callback (headers, body, trailers): collect only if memory grew meanwhile. */
function callbackDone(): void {
  if (memory.size() != pages) collect();
}
