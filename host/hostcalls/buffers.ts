// Buffer host calls (research/envoy-host-abi.md §3.5, pitfall 15): reads are clamped, an HTTP body
// outside its callback reads as Ok/empty, writes follow Envoy's copyFrom (start 0: drain `length` then
// prepend; start ≥ size: append; anything between: BadArgument), content-length is never touched.
import type { Vm } from "../vm/vm.ts";
import { WasmResult } from "../abi/enums.ts";
import type { HostFn } from "./index.ts";

/** Buffers a root context exposes during one callback (4 http-call body, 5 gRPC message, 8 call data). */
export const activeBuffers = new WeakMap<Vm, { [type: number]: Uint8Array | undefined }>();

type Resolved = { bytes: Uint8Array; set?: (b: Buffer) => void } | "not-found" | "bad-type";

function resolve(vm: Vm, type: number): Resolved {
  type >>>= 0;
  if (type > 8) return "bad-type";
  const ctx = vm.context();
  const root = vm.rootOf(ctx);
  switch (type) {
    case 0: case 1: {
      if (ctx?.kind !== "stream") return "not-found";
      const body = type === 0 ? ctx.stream.requestBody : ctx.stream.responseBody;
      if (!body) return { bytes: new Uint8Array() };
      return { bytes: body.data, set: (b) => { body.data = b; } };
    }
    case 2: case 3: return "not-found"; // network-filter buffers
    case 4: case 8: {
      const b = activeBuffers.get(vm)?.[type];
      return b ? { bytes: b } : "not-found";
    }
    case 5: return { bytes: activeBuffers.get(vm)?.[5] ?? new Uint8Array() };
    case 6: return { bytes: vm.opts.vmConfiguration };
    case 7: return root?.configuring ? { bytes: root.plugin.configuration } : "not-found";
  }
  return "not-found";
}

export function bufferHostcalls(vm: Vm): Record<string, HostFn> {
  const m = vm.memory;
  return {
    proxy_get_buffer_bytes(type: number, start: number, max: number, vpp: number, vsp: number) {
      const r = resolve(vm, type);
      if (r === "bad-type") return WasmResult.BadArgument;
      if (r === "not-found") return WasmResult.NotFound;
      start >>>= 0; max >>>= 0;
      const size = r.bytes.length;
      const from = Math.min(start, size), to = Math.min(size, from + max);
      return vm.giveBytes(r.bytes.subarray(from, to), vpp, vsp);
    },
    proxy_get_buffer_status(type: number, lenPtr: number, flagsPtr: number) {
      const r = resolve(vm, type);
      if (r === "bad-type") return WasmResult.BadArgument;
      if (r === "not-found") return WasmResult.NotFound;
      return m.writeU32(lenPtr, r.bytes.length) && m.writeU32(flagsPtr, 0) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_set_buffer_bytes(type: number, start: number, length: number, ptr: number, size: number) {
      const data = m.read(ptr, size);
      if (data === null) return WasmResult.InvalidMemoryAccess;
      const r = resolve(vm, type);
      if (r === "bad-type" || r === "not-found" || !r.set) return WasmResult.BadArgument;
      start >>>= 0; length >>>= 0;
      const cur = Buffer.from(r.bytes);
      if (start === 0) r.set(Buffer.concat([data, cur.subarray(Math.min(length, cur.length))]));
      else if (start >= cur.length) r.set(Buffer.concat([cur, data]));
      else return WasmResult.BadArgument;
      return WasmResult.Ok;
    },
  };
}
