// Shared queues: process-wide FIFOs keyed by (vm_id, name). Registering makes this root the one
// notified (proxy_on_queue_ready → RootContext.onQueueReady, asynchronously, only to the VM that
// registered last). Any VM may enqueue and dequeue. Tokens are never 0.
import {
  proxy_dequeue_shared_queue, proxy_enqueue_shared_queue, proxy_register_shared_queue,
  proxy_resolve_shared_queue,
} from "../abi/imports";
import { WasmResult } from "../abi/enums";
import { Exported, requireExported } from "./exportSets";
import { RET_AUX, RET_PTR, RET_SIZE, clearReturn, discardReturn, lenOf, ptrOf, takeBuffer } from "./memory";
import { utf8Bytes } from "./utf8";

/**
 * Registers (or re-registers, keeping items) the queue `name` in this vm_id and makes the calling
 * root context its notification target. Returns the token, or 0 on failure. Call it from a root
 * callback (onConfigure or later), not from top-level code.
 */
export function registerSharedQueue(name: string): u32 {
  if (!requireExported(Exported.Events)) return 0;
  const n = utf8Bytes(name);
  store<u32>(RET_AUX, 0);
  if (proxy_register_shared_queue(changetype<u32>(n), <u32>n.byteLength, RET_AUX) != WasmResult.Ok) return 0;
  return load<u32>(RET_AUX);
}

/** Token of queue `name` in `vmId` ("" = own vm_id), or 0 if it does not exist (NotFound). */
export function resolveSharedQueue(vmId: string, name: string): u32 {
  const v = utf8Bytes(vmId);
  const n = utf8Bytes(name);
  store<u32>(RET_AUX, 0);
  if (proxy_resolve_shared_queue(changetype<u32>(v), <u32>v.byteLength, changetype<u32>(n), <u32>n.byteLength, RET_AUX) != WasmResult.Ok) return 0;
  return load<u32>(RET_AUX);
}

/** Appends an item. Ok, or NotFound for an unknown token. */
export function enqueueSharedQueue(token: u32, data: ArrayBuffer | null): WasmResult {
  return <WasmResult>proxy_enqueue_shared_queue(token, ptrOf(data), lenOf(data));
}

/** Outcome of a dequeue: status Ok with data, Empty (nothing queued: a normal value), or NotFound. */
export class DequeueResult {
  constructor(public status: WasmResult, public data: ArrayBuffer | null) {}
}

/** Takes the oldest item. */
export function dequeueSharedQueue(token: u32): DequeueResult {
  clearReturn();
  const st = <WasmResult>proxy_dequeue_shared_queue(token, RET_PTR, RET_SIZE);
  if (st != WasmResult.Ok) { discardReturn(); return new DequeueResult(st, null); }
  return new DequeueResult(st, takeBuffer());
}
