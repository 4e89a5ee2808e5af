// Header-map host calls (research/envoy-host-abi.md §3.4, pitfalls 2 and 14). Maps 0–3 belong to the
// stream; 4/5 are gRPC metadata visible only inside the matching gRPC callback; 6/7 are the HTTP-call
// response, read from the root context (so still visible after set_effective_context).
//
// Route cache. Every successful write to the REQUEST headers (map 0) — add, replace, remove, set pairs —
// clears the stream's route cache; request trailers and the response maps never do. Envoy does it in
// Context::{add,replace,remove}HeaderMapValue / setHeaderMapPairs through decoder_callbacks_, which an
// HTTP stream context keeps for its whole life, so the phase does not matter: what limits it is that the
// write succeeds only while Envoy still holds the request-header map (on_request_headers, and later
// callbacks as long as the headers have not been continued — FilterStreamState.map() models that).
//  - envoyproxy/envoy PR #14318 (Dec 2020, so from 1.17.0): added the clearing, for every ABI (0.1.0
//    modules also have the explicit proxy_clear_route_cache, core.ts).
//  - envoyproxy/envoy PR #36671 (Oct 2024, released in 1.33.0): the four calls now go through
//    Context::onHeadersModified(type), which skips the clearing only when the plugin's ABI is newer than
//    0.2.1 (1.33.0 changelog, behavior_changes: "The route cache will not be cleared by default if the
//    Wasm extension modified the request headers and the ABI version of Wasm extension is larger then
//    0.2.1"). The PR's first draft used a runtime flag (wasm_no_automatic_route_refresh); the released
//    changelog names none. No such ABI exists — proxy-wasm-cpp-host loads only 0.1.0/0.2.0/0.2.1 — so
//    every module Envoy (or this host) can load still clears, on every version from 1.17 on. The same PR
//    added the clear_route_cache foreign function (core.ts), registered from 1.33.
import type { Vm } from "../vm/vm.ts";
import { WasmResult } from "../abi/enums.ts";
import { asciiPairsData, parsePairs, releaseLengths, releaseScratch, serializePairsScratch, takeLengths, type Pair } from "../abi/pairs.ts";
import { HeaderMap, lowerName } from "../envoy/header-map.ts";
import type { FilterStreamState } from "../envoy/filter-stream.ts";
import type { HostFn } from "./index.ts";

/** Read-only maps a root context exposes while a callout callback runs (types 4–7). */
export interface CalloutMaps { [type: number]: HeaderMap | undefined }
export const activeCalloutMaps = new WeakMap<Vm, CalloutMaps>();
const EMPTY = new Uint8Array(0);

/** The stream a host call acts on (the effective or current context), or null outside a stream context. */
function streamOf(vm: Vm): FilterStreamState | null {
  const ctx = vm.context();
  return ctx !== undefined && ctx.kind === "stream" ? ctx.stream : null;
}

function resolveMap(vm: Vm, type: number, forWrite: boolean): HeaderMap | null | "bad-type" {
  type >>>= 0;
  if (type > 7) return "bad-type";
  if (type >= 4) {
    if (forWrite) return null;
    return activeCalloutMaps.get(vm)?.[type] ?? null;
  }
  const stream = streamOf(vm);
  return stream === null ? null : stream.map(type, forWrite);
}

/** The stream whose map `type` a write addresses (types 0–3; 4–7 are never writable), else null. */
function writeStreamOf(vm: Vm, type: number): FilterStreamState | null {
  return type >>> 0 > 3 ? null : streamOf(vm);
}

/** After a successful write: map 0 (request headers) clears the route cache (see the top of the file). */
function headersModified(stream: FilterStreamState, type: number): void {
  if (type >>> 0 === 0) stream.clearRouteCache();
}

const ADD = 0, REPLACE = 1;

export function headerHostcalls(vm: Vm): Record<string, HostFn> {
  const m = vm.memory;
  /** add / replace: read key and value, find the writable map, apply. */
  function writeValue(op: number, type: number, kp: number, kn: number, vp: number, vn: number): number {
    const k = m.readName(kp, kn, lowerName), v = m.readString(vp, vn);
    if (k === null || v === null) return WasmResult.InvalidMemoryAccess;
    const stream = writeStreamOf(vm, type);
    const map = stream === null ? null : stream.map(type >>> 0, true);
    if (map === null) return WasmResult.BadArgument;
    if (op === ADD) map.addLowered(k, v); else map.setLowered(k, v);
    headersModified(stream!, type);
    return WasmResult.Ok;
  }
  return {
    proxy_get_header_map_value(type: number, kp: number, kn: number, vpp: number, vsp: number) {
      const k = m.readName(kp, kn, lowerName);
      if (k === null) return WasmResult.InvalidMemoryAccess;
      const map = resolveMap(vm, type, false);
      if (map === "bad-type") return WasmResult.BadArgument;
      if (map === null) {
        if (type >>> 0 >= 4) return WasmResult.NotFound;
        const stream = streamOf(vm);
        return stream !== null && stream.inLog ? WasmResult.NotFound : WasmResult.BadArgument;
      }
      const v = map.getLowered(k);
      if (v === undefined) {
        if (vm.loaded.abi === "0.1.0") return vm.giveBytes(new Uint8Array(), vpp, vsp);
        return WasmResult.NotFound;
      }
      return vm.giveString(v, vpp, vsp);
    },
    proxy_get_header_map_pairs(type: number, vpp: number, vsp: number) {
      const map = resolveMap(vm, type, false);
      if (map === "bad-type") return WasmResult.BadArgument;
      if (map === null || map.count === 0) return vm.giveBytes(EMPTY, vpp, vsp);
      // Serialized before the guest's malloc runs, then copied in: all-ASCII pairs as their field
      // lengths in a reused array plus the data part as one string, both written straight into guest
      // memory; anything else entirely into a reused buffer.
      const n = map.count;
      const lens = takeLengths(2 * n);
      const data = asciiPairsData(map.entries, lens);
      if (data !== null) {
        const r = vm.givePairsAscii(n, lens, data, vpp, vsp);
        releaseLengths(lens);
        return r;
      }
      releaseLengths(lens);
      const { buf, size } = serializePairsScratch(map.entries);
      const r = vm.giveBytes(buf, vpp, vsp, size);
      releaseScratch(buf);
      return r;
    },
    proxy_set_header_map_pairs(type: number, ptr: number, size: number) {
      const bytes = m.read(ptr, size);
      if (bytes === null) return WasmResult.InvalidMemoryAccess;
      const stream = writeStreamOf(vm, type);
      const map = stream === null ? null : stream.map(type >>> 0, true);
      if (map === null) return WasmResult.BadArgument;
      const pairs: Pair[] = parsePairs(bytes) ?? []; // malformed input silently clears the map
      map.replaceAll(pairs);
      headersModified(stream!, type);
      return WasmResult.Ok;
    },
    proxy_add_header_map_value(type: number, kp: number, kn: number, vp: number, vn: number) {
      return writeValue(ADD, type, kp, kn, vp, vn);
    },
    proxy_replace_header_map_value(type: number, kp: number, kn: number, vp: number, vn: number) {
      return writeValue(REPLACE, type, kp, kn, vp, vn);
    },
    proxy_remove_header_map_value(type: number, kp: number, kn: number) {
      const k = m.readName(kp, kn, lowerName);
      if (k === null) return WasmResult.InvalidMemoryAccess;
      const stream = writeStreamOf(vm, type);
      const map = stream === null ? null : stream.map(type >>> 0, true);
      if (map === null) return WasmResult.BadArgument;
      map.removeLowered(k);
      headersModified(stream!, type);
      return WasmResult.Ok;
    },
    proxy_get_header_map_size(type: number, out: number) {
      const map = resolveMap(vm, type, true); // Envoy uses the mutable lookup here
      if (map === "bad-type" || map === null) return WasmResult.BadArgument;
      return m.writeU32(out, map.byteSize()) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
  };
}
