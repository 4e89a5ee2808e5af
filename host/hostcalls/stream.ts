// Stream control (research/envoy-host-abi.md §2.3, §3.6): continue and close are deferred until the VM
// call returns; continue_stream clears the stored request/response pointers at once;
// send_local_response is recorded and carried out after the callback, which is then forced to Stop.
import type { Vm } from "../vm/vm.ts";
import { WasmResult } from "../abi/enums.ts";
import { parsePairs } from "../abi/pairs.ts";
import type { HostFn } from "./index.ts";

export function streamHostcalls(vm: Vm): Record<string, HostFn> {
  const m = vm.memory;
  return {
    proxy_continue_stream(type: number) {
      type >>>= 0;
      if (type === 3) return WasmResult.Unimplemented;
      if (type > 3) return WasmResult.BadArgument;
      const ctx = vm.context();
      if (ctx?.kind !== "stream" || type === 2) return WasmResult.Ok;
      const s = ctx.stream;
      if (type === 0) { s.requestHeaders = null; s.requestBody = null; s.requestTrailers = null; }
      else { s.responseHeaders = null; s.responseBody = null; s.responseTrailers = null; }
      s.continueStream(type as 0 | 1);
      return WasmResult.Ok;
    },
    proxy_close_stream(type: number) {
      type >>>= 0;
      if (type > 3) return WasmResult.BadArgument;
      const ctx = vm.context();
      if (ctx?.kind === "stream") ctx.stream.closeStream(type === 1 || type === 3 ? 1 : 0);
      return WasmResult.Ok;
    },
    proxy_send_local_response(code: number, dp: number, dn: number, bp: number, bn: number, hp: number, hn: number, grpc: number) {
      const details = m.readString(dp, dn), body = m.read(bp, bn), hdrs = m.read(hp, hn);
      if (details === null || body === null || hdrs === null) return WasmResult.InvalidMemoryAccess;
      const ctx = vm.context();
      if (ctx?.kind !== "stream") return WasmResult.Ok; // nothing happens in a root context
      const g = grpc | 0;
      ctx.stream.localReply({
        status: code >>> 0,
        details: details.replace(/\s/g, "_"),
        body: Buffer.from(body),
        headers: parsePairs(hdrs) ?? [],
        grpcStatus: g >= 0 && g <= 16 ? g : null,
      });
      return WasmResult.Ok;
    },
  };
}
