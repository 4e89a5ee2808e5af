// proxy_get_property / proxy_set_property (research/envoy-host-abi.md §3.3, §5, pitfall 13): NUL-separated
// paths (a dotted path is just an unknown name), Envoy's encodings, NotFound for stream properties in a
// root context, header-based request.* values gone once request headers are released (back in on_log),
// the ≤1.32 top-level names, and set_property writing filter state `wasm.<path>`.
import type { Vm } from "../vm/vm.ts";
import type { HostContext } from "../vm/contexts.ts";
import { WasmResult } from "../abi/enums.ts";
import { child, encode, pv, type PV } from "../envoy/property-value.ts";
import { encodeProtoString } from "../envoy/protobuf.ts";
import type { HostFn } from "./index.ts";

export interface NodeInfo { id: string; cluster: string; metadata: Record<string, unknown> }
export const nodeInfo = new WeakMap<Vm, NodeInfo>();

const LEGACY_TOP_LEVEL = new Set(["node", "cluster_name", "cluster_metadata", "route_name", "route_metadata",
  "listener_direction", "listener_metadata", "upstream_host_metadata"]);

function nodeValue(node: NodeInfo): PV {
  const meta = new Map<string, PV>();
  for (const [k, v] of Object.entries(node.metadata)) {
    meta.set(k, typeof v === "number" ? { t: "double", v } : typeof v === "boolean" ? pv.bool(v) : pv.str(String(v)));
  }
  const bytes = Buffer.concat([encodeProtoString(1, node.id), encodeProtoString(2, node.cluster)]);
  return { t: "proto", bytes, fields: new Map<string, PV>([["id", pv.str(node.id)], ["cluster", pv.str(node.cluster)], ["metadata", { t: "map", v: meta }]]) };
}

/** The value at `segs`, or undefined (NotFound). */
export function lookupProperty(vm: Vm, ctx: HostContext | undefined, segs: string[]): PV | undefined {
  const root = vm.rootOf(ctx);
  const stream = ctx?.kind === "stream" ? ctx.stream : undefined;
  const info = stream?.info;
  if (info) {
    for (let i = segs.length; i >= 1; i--) {
      const o = info.overrides.get(segs.slice(0, i).join("."));
      if (o) return walk(o, segs.slice(i));
    }
  }
  const [first, second] = segs;
  const rest2 = segs.slice(2);
  const version = vm.opts.envoyVersion;
  switch (first) {
    case "plugin_name": return root ? pv.str(root.plugin.name) : undefined;
    case "plugin_root_id": return root ? pv.str(root.plugin.rootId) : undefined;
    case "plugin_vm_id": return pv.str(vm.opts.vmId);
    case "connection_id": return info ? pv.uint(info.connection.connectionId) : undefined;
    case "xds": {
      if (version < 1.25) break;
      if (second === "node") { const n = nodeInfo.get(vm); return n ? walk(nodeValue(n), rest2) : undefined; }
      if (!info) return undefined;
      if (second === "cluster_name") return info.clusterName ? pv.str(info.clusterName) : undefined;
      if (second === "route_name") return pv.str(info.routeName);
      if (second === "listener_direction") return pv.int(0);
      return undefined;
    }
  }
  if (LEGACY_TOP_LEVEL.has(first)) {
    if (version >= 1.33) return info ? filterState(info.filterState, segs) : undefined; // removed by envoy#36619
    if (first === "node") { const n = nodeInfo.get(vm); return n ? walk(nodeValue(n), segs.slice(1)) : undefined; }
    if (!info) return undefined;
    if (first === "cluster_name") return info.clusterName ? pv.str(info.clusterName) : undefined;
    if (first === "route_name") return pv.str(info.routeName);
    if (first === "listener_direction") return pv.int(0);
    return undefined;
  }
  if (!stream || !info) return undefined; // no stream info in root contexts
  switch (first) {
    case "request": {
      const h = stream.requestHeaders ?? (stream.inLog ? stream.logMaps.request ?? null : null);
      const v = second === undefined ? undefined : info.request(second, h);
      return v && walk(v, rest2);
    }
    case "response": {
      const h = stream.responseHeaders ?? (stream.inLog ? stream.logMaps.response ?? null : null);
      const t = stream.responseTrailers ?? (stream.inLog ? stream.logMaps.responseTrailers ?? null : null);
      const v = second === undefined ? undefined : info.response(second, h, t);
      return v && walk(v, rest2);
    }
    case "source": return second === undefined ? undefined : info.source(second);
    case "destination": return second === undefined ? undefined : info.destination(second);
    case "connection": return second === undefined ? undefined : info.connectionProp(second);
    case "upstream": return second === undefined ? undefined : info.upstream(second);
    case "metadata": case "filter_state": case "upstream_filter_state": return undefined;
  }
  return filterState(info.filterState, segs);
}

function filterState(fs: Map<string, Uint8Array>, segs: string[]): PV | undefined {
  const v = fs.get(`wasm.${segs[0]}`);
  return v && segs.length === 1 ? { t: "bytes", v } : undefined;
}

function walk(v: PV | undefined, segs: string[]): PV | undefined {
  for (const s of segs) { if (!v) return undefined; v = child(v, s); }
  return v;
}

export function splitPath(bytes: Uint8Array): string[] {
  let s = Buffer.from(bytes).toString("utf8");
  if (s.endsWith("\0")) s = s.slice(0, -1);
  return s.split("\0");
}

export function propertyHostcalls(vm: Vm): Record<string, HostFn> {
  const m = vm.memory;
  return {
    proxy_get_property(pathPtr: number, pathSize: number, vpp: number, vsp: number) {
      const path = m.read(pathPtr, pathSize);
      if (path === null) return WasmResult.InvalidMemoryAccess;
      const value = lookupProperty(vm, vm.context(), splitPath(path));
      if (value === undefined) return WasmResult.NotFound;
      const bytes = encode(value);
      if (bytes === null) return WasmResult.SerializationFailure;
      return vm.giveBytes(bytes, vpp, vsp);
    },
    proxy_set_property(pathPtr: number, pathSize: number, valPtr: number, valSize: number) {
      const path = m.read(pathPtr, pathSize), value = m.read(valPtr, valSize);
      if (path === null || value === null) return WasmResult.InvalidMemoryAccess;
      const ctx = vm.context();
      if (ctx?.kind !== "stream") return WasmResult.NotFound; // no stream info
      const name = Buffer.from(path).toString("utf8");
      const key = `wasm.${name}`;
      const decl = ctx.stream.declaredProperties.get(name);
      if (decl?.readonly && ctx.stream.info.filterState.has(key)) return WasmResult.BadArgument;
      ctx.stream.info.filterState.set(key, value);
      return WasmResult.Ok;
    },
  };
}
