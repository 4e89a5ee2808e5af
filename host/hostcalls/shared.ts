// Shared data, shared queues and metrics (research/envoy-host-abi.md §3.9, §3.10, pitfalls 11, 12, 16):
// process-wide and keyed by vm_id, CAS from one global counter; queue notifications posted
// asynchronously to the last registrant; metric ids per VM with the type in the low 2 bits, values
// aggregated process-wide; counters only go up.
import type { Vm } from "../vm/vm.ts";
import { WasmResult } from "../abi/enums.ts";
import type { Metric, MetricKind } from "../envoy/process.ts";
import type { HostFn } from "./index.ts";

const KINDS: MetricKind[] = ["counter", "gauge", "histogram"];

export function sharedHostcalls(vm: Vm): Record<string, HostFn> {
  const m = vm.memory;
  const ps = () => vm.opts.process;
  const vmId = vm.opts.vmId;
  // id → the process-wide metric it names (the same object for the process's life), resolved once per
  // id instead of through the name on every call.
  const byId = new Map<number, Metric>();
  function metric(id: number): Metric | undefined {
    id >>>= 0;
    let mt = byId.get(id);
    if (mt === undefined) {
      const name = vm.metricIds.get(id);
      mt = name === undefined ? undefined : ps().metrics.get(name);
      if (mt !== undefined) byId.set(id, mt);
    }
    return mt;
  }
  const unknownMetric = (id: number) => ((id & 3) === 0 || (id & 3) === 1 ? WasmResult.NotFound : WasmResult.BadArgument);
  return {
    proxy_get_shared_data(kp: number, kn: number, vpp: number, vsp: number, casPtr: number) {
      const key = m.readString(kp, kn);
      if (key === null) return WasmResult.InvalidMemoryAccess;
      const e = ps().getShared(vmId, key);
      if (!e) return WasmResult.NotFound;
      const r = vm.giveBytes(e.value, vpp, vsp);
      if (r !== WasmResult.Ok) return r;
      return m.writeU32(casPtr, e.cas) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_set_shared_data(kp: number, kn: number, vp: number, vn: number, cas: number) {
      const key = m.readString(kp, kn), value = m.read(vp, vn);
      if (key === null || value === null) return WasmResult.InvalidMemoryAccess;
      return ps().setShared(vmId, key, value, cas >>> 0) ? WasmResult.Ok : WasmResult.CasMismatch;
    },
    proxy_register_shared_queue(np: number, nn: number, tokenPtr: number) {
      const name = m.readString(np, nn);
      if (name === null) return WasmResult.InvalidMemoryAccess;
      const root = vm.rootOf(vm.context());
      const rootId = root?.id ?? 0;
      const token = ps().registerQueue(vmId, name, { deliver: (tok) => { if (!vm.failed) vm.call("proxy_on_queue_ready", rootId, rootId, tok); } });
      return m.writeU32(tokenPtr, token) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_resolve_shared_queue(vp: number, vn: number, np: number, nn: number, tokenPtr: number) {
      const id = m.readString(vp, vn), name = m.readString(np, nn);
      if (id === null || name === null) return WasmResult.InvalidMemoryAccess;
      const token = ps().resolveQueue(id === "" ? vmId : id, name);
      if (token === undefined) return WasmResult.NotFound;
      return m.writeU32(tokenPtr, token) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_enqueue_shared_queue(token: number, p: number, n: number) {
      const data = m.read(p, n);
      if (data === null) return WasmResult.InvalidMemoryAccess;
      return ps().enqueue(token >>> 0, data) ? WasmResult.Ok : WasmResult.NotFound;
    },
    proxy_dequeue_shared_queue(token: number, vpp: number, vsp: number) {
      const item = ps().dequeue(token >>> 0);
      if (item === undefined) return WasmResult.NotFound;
      if (item === null) return WasmResult.Empty;
      return vm.giveBytes(item, vpp, vsp);
    },
    proxy_define_metric(type: number, np: number, nn: number, idPtr: number) {
      if (type >>> 0 > 2) return WasmResult.BadArgument;
      const name = m.readString(np, nn);
      if (name === null) return WasmResult.InvalidMemoryAccess;
      ps().defineMetric(KINDS[type], name);
      const id = vm.nextMetricId(type);
      vm.metricIds.set(id, name);
      return m.writeU32(idPtr, id) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_increment_metric(id: number, delta: bigint) {
      const mt = metric(id);
      if (!mt) return unknownMetric(id);
      if (mt.kind === "histogram") return WasmResult.BadArgument;
      if (mt.kind === "counter") { if (delta <= 0n) return WasmResult.BadArgument; mt.value += delta; }
      else mt.value += delta;
      return WasmResult.Ok;
    },
    proxy_record_metric(id: number, value: bigint) {
      const mt = metric(id);
      if (!mt) return unknownMetric(id);
      const v = BigInt.asUintN(64, value);
      if (mt.kind === "counter") mt.value += v;
      else if (mt.kind === "gauge") mt.value = v;
      else { mt.samples.push(v); if (mt.samples.length > 10000) mt.samples.shift(); }
      return WasmResult.Ok;
    },
    proxy_get_metric(id: number, out: number) {
      const mt = metric(id);
      if (!mt) return unknownMetric(id);
      if (mt.kind === "histogram") return WasmResult.BadArgument;
      return m.writeU64(out, mt.value) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
  };
}
