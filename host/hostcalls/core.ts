// Logging, time, ticks, status, effective context, proxy_done, foreign functions and the env extras
// (research/envoy-host-abi.md §3.2, §3.6 get_status, §3.11).
import { deflateSync, inflateSync } from "node:zlib";
import type { Vm } from "../vm/vm.ts";
import { WasmResult } from "../abi/enums.ts";
import { logPrefix } from "./wasi.ts";
import { decodeProtoFields } from "../envoy/protobuf.ts";
import type { HostFn } from "./index.ts";
import { nowNs } from "../vm/clock.ts";

export function coreHostcalls(vm: Vm): Record<string, HostFn> {
  const m = vm.memory;
  return {
    proxy_log(level: number, ptr: number, size: number) {
      if (level >>> 0 > 5) return WasmResult.BadArgument;
      const msg = m.readString(ptr, size);
      if (msg === null) return WasmResult.InvalidMemoryAccess;
      vm.logger.wasm(level, logPrefix(vm), msg, vm.opts.label);
      return WasmResult.Ok;
    },
    proxy_get_log_level(out: number) {
      return m.writeU32(out, vm.logger.level) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_get_current_time_nanoseconds(out: number) {
      return m.writeU64(out, nowNs()) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_set_tick_period_milliseconds(ms: number) {
      const root = vm.rootOf(vm.context());
      if (!root) return WasmResult.Ok;
      root.tickPeriodMs = ms >>> 0;
      scheduleTick(vm, root.id);
      return WasmResult.Ok;
    },
    proxy_get_status(codePtr: number, msgPtrPtr: number, msgSizePtr: number) {
      const root = vm.rootOf(vm.context());
      const st = root?.status ?? { code: 0, message: "" };
      if (!m.writeU32(codePtr, st.code)) return WasmResult.InvalidMemoryAccess;
      return vm.giveBytes(Buffer.from(st.message), msgPtrPtr, msgSizePtr);
    },
    proxy_set_effective_context(id: number) {
      const ctx = vm.contexts.get(id >>> 0);
      if (!ctx) return WasmResult.BadArgument;
      vm.effectiveContextId = id >>> 0;
      return WasmResult.Ok;
    },
    proxy_done() {
      const root = vm.rootOf(vm.context());
      if (!root || !root.pendingDone) return WasmResult.NotFound;
      root.pendingDone = false;
      vm.defer(() => {
        vm.call("proxy_on_delete", root.id, root.id);
        vm.contexts.delete(root.id);
      });
      return WasmResult.Ok;
    },
    proxy_call_foreign_function(namePtr: number, nameSize: number, argsPtr: number, argsSize: number, resPtrPtr: number, resSizePtr: number) {
      const name = m.readString(namePtr, nameSize);
      const args = m.read(argsPtr, argsSize);
      if (name === null || args === null) return WasmResult.InvalidMemoryAccess;
      const fn = FOREIGN[name];
      if (!fn || vm.opts.envoyVersion < (FOREIGN_SINCE[name] ?? 0)) return WasmResult.NotFound;
      const r = fn(vm, args);
      if (r.status !== WasmResult.Ok) return r.status;
      return vm.giveBytes(r.result ?? new Uint8Array(), resPtrPtr, resSizePtr);
    },
    pthread_equal(a: number, b: number) { return a === b ? 1 : 0; },
    emscripten_notify_memory_growth() {},
    envoy_resolve_dns() { return WasmResult.Unimplemented; },
    // ABI 0.1.0 only.
    proxy_get_configuration(ptrPtr: number, sizePtr: number) {
      const root = vm.rootOf(vm.context());
      const bytes = root?.configuring ? root.plugin.configuration : vm.opts.vmConfiguration;
      return vm.giveBytes(bytes, ptrPtr, sizePtr);
    },
    proxy_continue_request() { return continueLegacy(vm, 0); },
    proxy_continue_response() { return continueLegacy(vm, 1); },
    proxy_clear_route_cache() {
      const ctx = vm.context();
      if (ctx?.kind === "stream") ctx.stream.clearRouteCache();
      return WasmResult.Ok;
    },
  };
}

function continueLegacy(vm: Vm, dir: 0 | 1): number {
  const ctx = vm.context();
  if (ctx?.kind !== "stream") return WasmResult.NotFound;
  ctx.stream.continueStream(dir);
  return WasmResult.Ok;
}

/** Arm (or disarm, period 0) the tick timer of a root context; re-armed after each on_tick returns. */
export function scheduleTick(vm: Vm, rootId: number): void {
  const root = vm.contexts.get(rootId);
  if (!root || root.kind !== "root") return;
  if (root.tickTimer) clearTimeout(root.tickTimer);
  root.tickTimer = null;
  if (root.tickPeriodMs === 0 || vm.failed || vm.opts.label === "canary") return;
  root.tickTimer = setTimeout(() => {
    root.tickTimer = null;
    if (vm.failed || root.deleted) return;
    vm.call("proxy_on_tick", root.id, root.id);
    if (!root.tickTimer) scheduleTick(vm, root.id);
  }, root.tickPeriodMs);
  root.tickTimer.unref();
}

type Foreign = (vm: Vm, args: Uint8Array) => { status: number; result?: Uint8Array };
/** First Envoy version that registers a foreign function; before it the name is unknown (NotFound). */
const FOREIGN_SINCE: Record<string, number> = {
  // envoyproxy/envoy PR #36671 (1.33.0 changelog, new_features: "Added clear_route_cache foreign
  // function"); not in 1.32 or earlier.
  clear_route_cache: 1.33,
};
const FOREIGN: Record<string, Foreign> = {
  compress(_vm, args) {
    try { return { status: WasmResult.Ok, result: deflateSync(args) }; } catch { return { status: WasmResult.SerializationFailure }; }
  },
  uncompress(_vm, args) {
    try { return { status: WasmResult.Ok, result: inflateSync(args) }; } catch { return { status: WasmResult.SerializationFailure }; }
  },
  // Envoy ≥1.33 (foreign.cc): Context::clearRouteCache() on the current or effective context, then Ok.
  // It acts only through a stream's decoder callbacks: from a root context it does nothing (still Ok).
  // Automatic clearing on request-header writes is separate (headers.ts).
  clear_route_cache(vm) {
    const ctx = vm.context();
    if (ctx?.kind === "stream") ctx.stream.clearRouteCache();
    return { status: WasmResult.Ok };
  },
  declare_property(vm, args) {
    const f = decodeProtoFields(args);
    if (!f) return { status: WasmResult.BadArgument };
    const name = f.get(1)?.[0];
    if (!(name instanceof Uint8Array)) return { status: WasmResult.BadArgument };
    const key = Buffer.from(name).toString("utf8");
    const ctx = vm.context();
    const stream = ctx?.kind === "stream" ? ctx.stream : undefined;
    if (!stream) return { status: WasmResult.Ok };
    if (stream.declaredProperties.has(key)) return { status: WasmResult.BadArgument };
    stream.declaredProperties.set(key, { readonly: f.get(2)?.[0] === 1n });
    return { status: WasmResult.Ok };
  },
  set_envoy_filter_state() {
    return { status: WasmResult.NotFound }; // no filter-state object factories are registered in this host
  },
};
