// Body and data buffers (proxy_get_buffer_bytes / _status / proxy_set_buffer_bytes).
// Availability (envoy-host-abi.md §3.5): request/response bodies are real only inside their body
// callbacks (elsewhere size 0, reads Ok-and-empty, writes BadArgument); the HTTP-call body (4) only
// inside the callout handler; the gRPC receive buffer (5) only inside the gRPC message callback;
// VM configuration (6) always; plugin configuration (7) during onConfigure; foreign-function
// arguments (8) during onForeignFunction.
import { proxy_get_buffer_bytes, proxy_get_buffer_status, proxy_set_buffer_bytes } from "../abi/imports";
import { BufferType, WasmResult } from "../abi/enums";
import { RET_AUX, RET_PTR, RET_SIZE, SMALL_U32S, clearReturn, discardReturn, lenOf, newBuffer, ptrOf, takeBuffer } from "./memory";
import { decodeUtf8Buffer, utf8Bytes } from "./utf8";

/** Start value that Envoy treats as "append" (any start ≥ the current size). Fits i32 and u32 readings. */
const APPEND_START: u32 = 0x7fffffff;

/**
 * One host buffer, named by its BufferType. Methods never trap; failures are null / false / -1.
 * Unmanaged (not collected): use the constants below rather than constructing one.
 */
@unmanaged
export class HostBuffer {
  constructor(readonly type: BufferType) {}

  /**
   * Up to `maxSize` bytes from `start` (the host clamps the range). Returns an empty buffer when
   * there is nothing there, and null when the buffer is unavailable (NotFound) or the call failed.
   */
  read(start: u32, maxSize: u32): ArrayBuffer | null {
    clearReturn();
    const st = proxy_get_buffer_bytes(<u32>this.type, start, maxSize, RET_PTR, RET_SIZE);
    if (st != WasmResult.Ok) { discardReturn(); return null; }
    return takeBuffer();
  }

  /** The whole buffer (size from status()), or null if unavailable. */
  readAll(): ArrayBuffer | null {
    const n = this.size();
    if (n < 0) return null;
    if (n == 0) return newBuffer(0);
    return this.read(0, <u32>n);
  }

  /** The whole buffer decoded as UTF-8 (invalid bytes become U+FFFD), or null if unavailable. */
  readText(): string | null {
    const b = this.readAll();
    return b !== null ? decodeUtf8Buffer(b) : null;
  }

  /** Current size in bytes (cumulative while buffering), or -1 if unavailable. */
  size(): i64 {
    store<u64>(RET_AUX, 0);
    const st = proxy_get_buffer_status(<u32>this.type, RET_AUX, RET_AUX + 4);
    if (st != WasmResult.Ok) return -1;
    return <i64>load<u32>(RET_AUX);
  }

  /**
   * Raw proxy_set_buffer_bytes with Envoy's semantics: start 0 drains `length` bytes from the front
   * then prepends `data`; start ≥ size appends; anything in between is BadArgument. Immutable
   * buffers (4, 6, 7) and bodies outside their callback give BadArgument. content-length is not
   * adjusted: remove or fix it while the headers are still held.
   */
  set(start: u32, length: u32, data: ArrayBuffer | null): WasmResult {
    return <WasmResult>proxy_set_buffer_bytes(<u32>this.type, start, length, ptrOf(data), lenOf(data));
  }

  /** Inserts `data` before the current contents. */
  prepend(data: ArrayBuffer): bool {
    return this.set(0, 0, data) == WasmResult.Ok;
  }

  /** Adds `data` after the current contents. */
  append(data: ArrayBuffer): bool {
    return this.set(APPEND_START, 0, data) == WasmResult.Ok;
  }

  /** Replaces the whole current contents with `data`. */
  replace(data: ArrayBuffer): bool {
    const n = this.size();
    if (n < 0) return false;
    return this.set(0, <u32>n, data) == WasmResult.Ok;
  }

  /** Appends UTF-8 text. */
  appendText(text: string): bool { return this.append(utf8Bytes(text)); }
  /** Prepends UTF-8 text. */
  prependText(text: string): bool { return this.prepend(utf8Bytes(text)); }
  /** Replaces the contents with UTF-8 text. */
  replaceText(text: string): bool { return this.replace(utf8Bytes(text)); }
}

// The buffers are unmanaged objects in static memory (their one field, the BufferType, is all
// they hold): nothing to allocate at start, nothing for the collector to visit. (The table is
// memory.ts's SMALL_U32S, shared with headers.ts's maps.)
const BUFFERS = SMALL_U32S;
/** The request body chunk (or the accumulated body after StopIterationAndBuffer); in onRequestBody. */
export const requestBody = changetype<HostBuffer>(BUFFERS + (<usize>BufferType.HttpRequestBody << 2));
/** The response body chunk (or accumulated body); in onResponseBody. */
export const responseBody = changetype<HostBuffer>(BUFFERS + (<usize>BufferType.HttpResponseBody << 2));
/** The body of an HTTP call response; inside HttpCallHandler.onHttpCallResponse only. Read-only. */
export const httpCallResponseBody = changetype<HostBuffer>(BUFFERS + (<usize>BufferType.HttpCallResponseBody << 2));
/** The gRPC message just received; inside onGrpcCallResponse / onMessage only. */
export const grpcReceiveBuffer = changetype<HostBuffer>(BUFFERS + (<usize>BufferType.GrpcReceiveBuffer << 2));
/** The VM configuration (vm_config.configuration). Read-only, always readable. */
export const vmConfiguration = changetype<HostBuffer>(BUFFERS + (<usize>BufferType.VmConfiguration << 2));
/** The plugin configuration; readable during onConfigure. Read-only. */
export const pluginConfiguration = changetype<HostBuffer>(BUFFERS + (<usize>BufferType.PluginConfiguration << 2));
/** Foreign-function arguments; during RootContext.onForeignFunction. */
export const foreignFunctionArguments = changetype<HostBuffer>(BUFFERS + (<usize>BufferType.CallData << 2));
