// Shared data: a process-wide key/value store shared by every VM with the same vm_id (all workers).
// Each value carries a cas; a read-modify-write is get → compute → set(value, cas) and must retry on
// CasMismatch, because workers run in parallel. cas 0 writes unconditionally; a set on an absent key
// ignores cas (two workers may both "create" a key: make initial values idempotent).
import { proxy_get_shared_data, proxy_set_shared_data } from "../abi/imports";
import { WasmResult } from "../abi/enums";
import { RET_AUX, RET_PTR, RET_SIZE, clearReturn, discardReturn, lenOf, ptrOf, takeBuffer } from "./memory";
import { utf8Bytes } from "./utf8";

/** A value read from shared data with the cas to pass back to setSharedData. */
export class SharedValue {
  constructor(public value: ArrayBuffer, public cas: u32) {}
}

/** The value and cas of `key`, or null if absent (NotFound) or unreadable. */
export function getSharedData(key: string): SharedValue | null {
  const k = utf8Bytes(key);
  clearReturn();
  store<u32>(RET_AUX, 0);
  const st = proxy_get_shared_data(changetype<u32>(k), <u32>k.byteLength, RET_PTR, RET_SIZE, RET_AUX);
  if (st != WasmResult.Ok) { discardReturn(); return null; }
  const cas = load<u32>(RET_AUX);
  return new SharedValue(takeBuffer(), cas);
}

/**
 * Writes `value` under `key`. Ok, or CasMismatch when cas != 0 and the key changed since it was
 * read (re-read and retry), or another host status.
 */
export function setSharedData(key: string, value: ArrayBuffer | null, cas: u32 = 0): WasmResult {
  const k = utf8Bytes(key);
  return <WasmResult>proxy_set_shared_data(changetype<u32>(k), <u32>k.byteLength, ptrOf(value), lenOf(value), cas);
}
