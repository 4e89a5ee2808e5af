// Header-map host calls (research/envoy-host-abi.md §3.4, pitfalls 2 and 14). Maps 0–3 belong to the
// stream; 4/5 are gRPC metadata visible only inside the matching gRPC callback; 6/7 are the HTTP-call
// response, read from the root context (so still visible after set_effective_context).
import type { Vm } from "../vm/vm.ts";
import { WasmResult } from "../abi/enums.ts";
import { parsePairs, serializePairs, type Pair } from "../abi/pairs.ts";
import { HeaderMap } from "../envoy/header-map.ts";
import type { HostFn } from "./index.ts";

/** Read-only maps a root context exposes while a callout callback runs (types 4–7). */
export interface CalloutMaps { [type: number]: HeaderMap | undefined }
export const activeCalloutMaps = new WeakMap<Vm, CalloutMaps>();

function resolveMap(vm: Vm, type: number, forWrite: boolean): HeaderMap | null | "bad-type" {
  type >>>= 0;
  if (type > 7) return "bad-type";
  if (type >= 4) {
    if (forWrite) return null;
    return activeCalloutMaps.get(vm)?.[type] ?? null;
  }
  const ctx = vm.context();
  if (ctx?.kind !== "stream") return null;
  return ctx.stream.map(type, forWrite);
}

export function headerHostcalls(vm: Vm): Record<string, HostFn> {
  const m = vm.memory;
  const key = (p: number, n: number) => m.readString(p, n);
  /** add / replace: read key and value, find the writable map, apply. */
  const writeValue = (type: number, kp: number, kn: number, vp: number, vn: number, op: (map: HeaderMap, k: string, v: string) => void) => {
    const k = key(kp, kn), v = m.readString(vp, vn);
    if (k === null || v === null) return WasmResult.InvalidMemoryAccess;
    const map = resolveMap(vm, type, true);
    if (map === "bad-type" || map === null) return WasmResult.BadArgument;
    op(map, k, v);
    return WasmResult.Ok;
  };
  return {
    proxy_get_header_map_value(type: number, kp: number, kn: number, vpp: number, vsp: number) {
      const k = key(kp, kn);
      if (k === null) return WasmResult.InvalidMemoryAccess;
      const map = resolveMap(vm, type, false);
      if (map === "bad-type") return WasmResult.BadArgument;
      if (map === null) {
        if (type >>> 0 >= 4) return WasmResult.NotFound;
        const ctx = vm.context();
        return ctx?.kind === "stream" && ctx.stream.inLog ? WasmResult.NotFound : WasmResult.BadArgument;
      }
      const v = map.get(k);
      if (v === undefined) {
        if (vm.loaded.abi === "0.1.0") return vm.giveBytes(new Uint8Array(), vpp, vsp);
        return WasmResult.NotFound;
      }
      return vm.giveBytes(Buffer.from(v), vpp, vsp);
    },
    proxy_get_header_map_pairs(type: number, vpp: number, vsp: number) {
      const map = resolveMap(vm, type, false);
      if (map === "bad-type") return WasmResult.BadArgument;
      if (map === null || map.count === 0) return vm.giveBytes(new Uint8Array(), vpp, vsp);
      return vm.giveBytes(serializePairs(map.entries), vpp, vsp);
    },
    proxy_set_header_map_pairs(type: number, ptr: number, size: number) {
      const bytes = m.read(ptr, size);
      if (bytes === null) return WasmResult.InvalidMemoryAccess;
      const map = resolveMap(vm, type, true);
      if (map === "bad-type" || map === null) return WasmResult.BadArgument;
      const pairs: Pair[] = parsePairs(bytes) ?? []; // malformed input silently clears the map
      map.replaceAll(pairs);
      return WasmResult.Ok;
    },
    proxy_add_header_map_value(type: number, kp: number, kn: number, vp: number, vn: number) {
      return writeValue(type, kp, kn, vp, vn, (map, k, v) => map.add(k, v));
    },
    proxy_replace_header_map_value(type: number, kp: number, kn: number, vp: number, vn: number) {
      return writeValue(type, kp, kn, vp, vn, (map, k, v) => map.set(k, v));
    },
    proxy_remove_header_map_value(type: number, kp: number, kn: number) {
      const k = key(kp, kn);
      if (k === null) return WasmResult.InvalidMemoryAccess;
      const map = resolveMap(vm, type, true);
      if (map === "bad-type" || map === null) return WasmResult.BadArgument;
      map.remove(k);
      return WasmResult.Ok;
    },
    proxy_get_header_map_size(type: number, out: number) {
      const map = resolveMap(vm, type, true); // Envoy uses the mutable lookup here
      if (map === "bad-type" || map === null) return WasmResult.BadArgument;
      return m.writeU32(out, map.byteSize()) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
  };
}
