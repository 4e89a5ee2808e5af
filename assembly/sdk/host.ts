// Small host services: time, tick timer, foreign functions, finishing a root context.
import {
  proxy_call_foreign_function, proxy_done, proxy_get_current_time_nanoseconds,
  proxy_set_tick_period_milliseconds,
} from "../abi/imports";
import { WasmResult } from "../abi/enums";
import { Exported, requireExported } from "./exportSets";
import { RET_AUX, RET_PTR, RET_SIZE, clearReturn, discardReturn, lenOf, ptrOf, takeBuffer } from "./memory";
import { utf8Bytes } from "./utf8";

/** Wall-clock nanoseconds since the Unix epoch (not monotonic, not frozen per callback); 0 on failure. */
export function currentTimeNanos(): u64 {
  store<u64>(RET_AUX, 0);
  if (proxy_get_current_time_nanoseconds(RET_AUX) != WasmResult.Ok) return 0;
  return load<u64>(RET_AUX);
}

/**
 * Sets the tick period of the current root context (0 disables). The first onTick fires `ms` after
 * the call; ticks fire in every worker VM independently. Call from a root callback (onConfigure…).
 */
export function setTickPeriod(ms: u32): WasmResult {
  if (!requireExported(Exported.Events)) return WasmResult.Unimplemented;
  return <WasmResult>proxy_set_tick_period_milliseconds(ms);
}

/** Result of a foreign function: its status and output bytes (empty buffer if none, null on failure). */
export class ForeignResult {
  constructor(public status: WasmResult, public data: ArrayBuffer | null) {}
}

/**
 * Calls an Envoy foreign function by name ("compress", "uncompress", "set_envoy_filter_state",
 * "declare_property", …). Unknown name → NotFound; otherwise the function's own status.
 */
export function callForeignFunction(name: string, args: ArrayBuffer | null): ForeignResult {
  const n = utf8Bytes(name);
  clearReturn();
  const st = <WasmResult>proxy_call_foreign_function(changetype<u32>(n), <u32>n.byteLength, ptrOf(args), lenOf(args), RET_PTR, RET_SIZE);
  if (st != WasmResult.Ok) { discardReturn(); return new ForeignResult(st, null); }
  return new ForeignResult(st, takeBuffer());
}

/** Finishes a root context whose onDone returned false. NotFound if nothing is pending. */
export function done(): WasmResult {
  return <WasmResult>proxy_done();
}
