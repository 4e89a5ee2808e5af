// HTTP and gRPC callouts (research/envoy-host-abi.md §3.7, §3.8, pitfalls 6 and 7). Callouts belong to
// the ROOT context of the caller: responses arrive as root callbacks, are not cancelled when the stream
// ends, and are dropped only when the root context or the VM goes away.
import type { Vm } from "../vm/vm.ts";
import type { RootContext } from "../vm/contexts.ts";
import { WasmResult } from "../abi/enums.ts";
import { parsePairs, type Pair } from "../abi/pairs.ts";
import { HeaderMap } from "../envoy/header-map.ts";
import { decodeProtoFields } from "../envoy/protobuf.ts";
import type { GrpcStreamHandle } from "../envoy/transport.ts";
import { activeCalloutMaps } from "./headers.ts";
import { activeBuffers } from "./buffers.ts";
import type { HostFn } from "./index.ts";

const streams = new WeakMap<Vm, Map<number, GrpcStreamHandle>>();

/** Run a root-context callout callback with its maps and buffers reachable for its duration. */
function deliver(vm: Vm, root: RootContext, fn: string, args: number[], maps: Record<number, HeaderMap>, buffers: Record<number, Uint8Array>): void {
  if (vm.failed || root.deleted || !vm.contexts.has(root.id)) return;
  activeCalloutMaps.set(vm, maps);
  activeBuffers.set(vm, buffers);
  try {
    vm.call(fn, root.id, root.id, ...args);
  } finally {
    activeCalloutMaps.delete(vm);
    activeBuffers.delete(vm);
  }
}

function clusterFromGrpcService(bytes: Uint8Array): string {
  // envoy.config.core.v3.GrpcService{ envoy_grpc(1): EnvoyGrpc{ cluster_name(1) } }, else a plain cluster name.
  const f = decodeProtoFields(bytes);
  const eg = f?.get(1)?.[0];
  if (eg instanceof Uint8Array) {
    const cn = decodeProtoFields(eg)?.get(1)?.[0];
    if (cn instanceof Uint8Array) return Buffer.from(cn).toString("utf8");
  }
  return Buffer.from(bytes).toString("utf8");
}

export function calloutHostcalls(vm: Vm): Record<string, HostFn> {
  const m = vm.memory;
  const t = () => vm.opts.transport;
  const streamMap = () => { let s = streams.get(vm); if (!s) streams.set(vm, (s = new Map())); return s; };
  return {
    proxy_http_call(up: number, upn: number, hp: number, hn: number, bp: number, bn: number, tp: number, tn: number, timeout: number, tokenPtr: number) {
      if (!m.inBounds(tokenPtr, 4)) return WasmResult.InvalidMemoryAccess;
      const cluster = m.readString(up, upn), hb = m.read(hp, hn), body = m.read(bp, bn), tb = m.read(tp, tn);
      if (cluster === null || hb === null || body === null || tb === null) return WasmResult.InvalidMemoryAccess;
      const target = t().clusters.get(cluster);
      if (!target) return WasmResult.BadArgument;
      if (timeout >>> 0 >= 0x80000000) return WasmResult.BadArgument;
      const headers = parsePairs(hb);
      if (!headers) return WasmResult.BadArgument;
      const names = new Set(headers.map(([k]) => k.toLowerCase()));
      if (!names.has(":method") || !names.has(":path") || !names.has(":authority")) return WasmResult.BadArgument;
      const root = vm.rootOf(vm.context());
      if (!root) return WasmResult.InternalFailure;
      const token = vm.nextCalloutToken(0);
      m.writeU32(tokenPtr, token);
      const call = t().http(target, headers.map(([k, v]) => [k.toLowerCase(), v] as Pair), Buffer.from(body), parsePairs(tb) ?? [], timeout >>> 0);
      vm.callouts.set(token, { root, cancel: call.cancel });
      void call.promise.then((r) => {
        if (!vm.callouts.delete(token)) return; // cancelled
        if (!r.ok) {
          root.status = { code: WasmResult.BrokenConnection, message: "reset" };
          deliver(vm, root, "proxy_on_http_call_response", [token, 0, 0, 0], {}, {});
          return;
        }
        const maps = { 6: new HeaderMap("other", r.headers), 7: new HeaderMap("other", r.trailers) };
        deliver(vm, root, "proxy_on_http_call_response", [token, r.headers.length, r.body.length, r.trailers.length], maps, { 4: r.body });
      });
      return WasmResult.Ok;
    },
    proxy_grpc_call(sp: number, sn: number, svp: number, svn: number, mp: number, mn: number, mdp: number, mdn: number, msgp: number, msgn: number, timeout: number, tokenPtr: number) {
      if (!m.inBounds(tokenPtr, 4)) return WasmResult.InvalidMemoryAccess;
      const svc = m.read(sp, sn), service = m.readString(svp, svn), method = m.readString(mp, mn), md = m.read(mdp, mdn), msg = m.read(msgp, msgn);
      if (!svc || service === null || method === null || !md || !msg) return WasmResult.InvalidMemoryAccess;
      const target = t().clusters.get(clusterFromGrpcService(svc));
      if (!target) return WasmResult.ParseFailure;
      const root = vm.rootOf(vm.context());
      if (!root) return WasmResult.InternalFailure;
      const token = vm.nextCalloutToken(1);
      m.writeU32(tokenPtr, token);
      const call = t().grpcUnary(target, service, method, parsePairs(md) ?? [], Buffer.from(msg), timeout >>> 0);
      vm.callouts.set(token, { root, cancel: call.cancel });
      void call.promise.then((r) => {
        if (!vm.callouts.delete(token)) return;
        if (r.status === 0 && r.response) {
          deliver(vm, root, "proxy_on_grpc_receive", [token, r.response.length], {}, { 5: r.response });
        } else {
          root.status = { code: r.status, message: r.message };
          deliver(vm, root, "proxy_on_grpc_close", [token, r.status], {}, {});
        }
      });
      return WasmResult.Ok;
    },
    proxy_grpc_stream(sp: number, sn: number, svp: number, svn: number, mp: number, mn: number, mdp: number, mdn: number, tokenPtr: number) {
      if (!m.inBounds(tokenPtr, 4)) return WasmResult.InvalidMemoryAccess;
      const svc = m.read(sp, sn), service = m.readString(svp, svn), method = m.readString(mp, mn), md = m.read(mdp, mdn);
      if (!svc || service === null || method === null || !md) return WasmResult.InvalidMemoryAccess;
      const target = t().clusters.get(clusterFromGrpcService(svc));
      if (!target) return WasmResult.ParseFailure;
      const root = vm.rootOf(vm.context());
      if (!root) return WasmResult.InternalFailure;
      const token = vm.nextCalloutToken(2);
      m.writeU32(tokenPtr, token);
      const handle = t().grpcStream(target, service, method, parsePairs(md) ?? [], {
        onInitialMetadata: (md2) => deliver(vm, root, "proxy_on_grpc_receive_initial_metadata", [token, md2.length], { 4: new HeaderMap("other", md2) }, {}),
        onMessage: (b) => deliver(vm, root, "proxy_on_grpc_receive", [token, b.length], {}, { 5: b }),
        onClose: (code, message, trailing) => {
          streamMap().delete(token);
          if (!vm.callouts.delete(token)) return;
          if (trailing.length) deliver(vm, root, "proxy_on_grpc_receive_trailing_metadata", [token, trailing.length], { 5: new HeaderMap("other", trailing) }, {});
          root.status = { code, message };
          deliver(vm, root, "proxy_on_grpc_close", [token, code], {}, {});
        },
      });
      streamMap().set(token, handle);
      vm.callouts.set(token, { root, cancel: handle.cancel });
      return WasmResult.Ok;
    },
    proxy_grpc_send(token: number, p: number, n: number, end: number) {
      const msg = m.read(p, n);
      if (msg === null) return WasmResult.InvalidMemoryAccess;
      if (token % 4 !== 2) return WasmResult.BadArgument;
      const s = streamMap().get(token);
      if (!s) return WasmResult.NotFound;
      s.send(Buffer.from(msg), end !== 0);
      return WasmResult.Ok;
    },
    proxy_grpc_close(token: number) {
      const kind = token % 4;
      if (kind === 0 || kind === 3) return WasmResult.BadArgument;
      const c = vm.callouts.get(token);
      if (!c) return WasmResult.NotFound;
      if (kind === 1) { c.cancel(); vm.callouts.delete(token); }
      else streamMap().get(token)?.halfClose();
      return WasmResult.Ok;
    },
    proxy_grpc_cancel(token: number) {
      const kind = token % 4;
      if (kind === 0 || kind === 3) return WasmResult.BadArgument;
      const c = vm.callouts.get(token);
      if (!c) return WasmResult.NotFound;
      vm.callouts.delete(token);
      streamMap().delete(token);
      c.cancel();
      return WasmResult.Ok;
    },
  };
}
