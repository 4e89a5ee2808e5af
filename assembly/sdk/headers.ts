// Header maps (request/response headers and trailers, HTTP-call response headers/trailers,
// gRPC metadata). Envoy lower-cases keys on write and lookup.
// Lifetime (envoy-host-abi.md §2.4/§3.4): a map is usable inside its callback and while that
// callback's Stop is in effect; after Continue it is gone — get() returns null, pairs() is empty,
// writes return false (BadArgument). Request headers are readable again in onLog. Types 4–7 are
// read-only and only exist inside their callout callback.
import {
  proxy_add_header_map_value, proxy_get_header_map_pairs, proxy_get_header_map_size,
  proxy_get_header_map_value, proxy_remove_header_map_value, proxy_replace_header_map_value,
  proxy_set_header_map_pairs,
} from "../abi/imports";
import { MapType, WasmResult } from "../abi/enums";
import { RET_AUX, RET_PTR, RET_SIZE, SMALL_U32S, clearReturn, discardReturn, scratchLength, scratchUtf8, takeString } from "./memory";
import { HeaderPair, deserializePairs, findAllPairs, serializePairs } from "./pairs";
import { HeaderList } from "./headerList";
import { emptyArray } from "../lib/emptyArray";

/**
 * One header map, named by its MapType. Methods never trap. Unmanaged (not collected): use the
 * eight constants below rather than constructing one.
 */
@unmanaged
export class HeaderMap {
  constructor(readonly type: MapType) {}

  /** First value of `name` (Envoy does not join duplicates here), or null if absent or the map is gone. */
  get(name: string): string | null {
    const k = scratchUtf8(0, name);
    clearReturn();
    const st = proxy_get_header_map_value(<u32>this.type, k, scratchLength(0), RET_PTR, RET_SIZE);
    if (st != WasmResult.Ok) { discardReturn(); return null; }
    return takeString();
  }

  /** Whether `name` is present. */
  has(name: string): bool {
    return this.get(name) !== null;
  }

  /** All values of `name` in order (from pairs(); the name should be lower-case). */
  getAll(name: string): string[] {
    return findAllPairs(this.pairs(), name);
  }

  /** All entries, pseudo-headers first, duplicates as separate entries. Empty when the map is gone. */
  pairs(): HeaderPair[] {
    clearReturn();
    const st = proxy_get_header_map_pairs(<u32>this.type, RET_PTR, RET_SIZE);
    if (st != WasmResult.Ok) { discardReturn(); return emptyArray<HeaderPair[]>(); }
    const ptr = load<u32>(RET_PTR);
    const size = load<u32>(RET_SIZE);
    store<u64>(RET_PTR, 0);
    if (ptr == 0) return emptyArray<HeaderPair[]>();
    const out = deserializePairs(<usize>ptr, <usize>size);
    heap.free(<usize>ptr);
    return out;
  }

  /**
   * All entries as a HeaderList: one host call, the bytes kept as they came, values decoded only
   * when asked for — cheaper than pairs() when a few of many headers are read. Empty when the map is gone.
   */
  list(): HeaderList {
    clearReturn();
    const ok = proxy_get_header_map_pairs(<u32>this.type, RET_PTR, RET_SIZE) == WasmResult.Ok;
    const ptr = <usize>load<u32>(RET_PTR), size = <usize>load<u32>(RET_SIZE);
    store<u64>(RET_PTR, 0);
    // (one fromBlob call: a failed read is an empty list; freeing 0 is ignored, it is below the heap)
    const out = HeaderList.fromBlob(ptr, ok && ptr != 0 ? size : 0);
    heap.free(ptr);
    return out;
  }

  /** Replaces the WHOLE map, pseudo-headers included (so keep ":path", ":method", … in `pairs`). */
  setPairs(pairs: HeaderPair[]): bool {
    const buf = serializePairs(pairs);
    return proxy_set_header_map_pairs(<u32>this.type, changetype<u32>(buf), <u32>buf.byteLength) == WasmResult.Ok;
  }

  /** Appends an entry. For existing Envoy "inline" headers the value is joined with "," instead. */
  add(name: string, value: string): bool { return this.put(name, value, false); }

  /** Sets `name` to exactly one value (removes all duplicates; adds it if absent). */
  set(name: string, value: string): bool { return this.put(name, value, true); }

  /** set (`replace`) or add: for a caller that chooses at run time (one encoding of name and value). */
  put(name: string, value: string, replace: bool): bool {
    const t = <u32>this.type;
    const k = scratchUtf8(0, name), v = scratchUtf8(1, value);
    const kl = scratchLength(0), vl = scratchLength(1);
    return (replace ? proxy_replace_header_map_value(t, k, kl, v, vl) : proxy_add_header_map_value(t, k, kl, v, vl)) == WasmResult.Ok;
  }

  /** Removes every entry of `name`. True even if it was absent; false when the map is gone. */
  remove(name: string): bool {
    const k = scratchUtf8(0, name);
    return proxy_remove_header_map_value(<u32>this.type, k, scratchLength(0)) == WasmResult.Ok;
  }

  /** Envoy's byte size of the map (Σ key + value lengths, not a count), or -1 if unavailable (types 4–7 too). */
  byteSize(): i64 {
    store<u32>(RET_AUX, 0);
    if (proxy_get_header_map_size(<u32>this.type, RET_AUX) != WasmResult.Ok) return -1;
    return <i64>load<u32>(RET_AUX);
  }
}

// The eight maps are unmanaged objects in static memory (their one field, the MapType, is all
// they hold): nothing to allocate at start, nothing for the collector to visit. (The table is
// memory.ts's SMALL_U32S, shared with buffers.ts's buffers: one data segment for both.)
const MAPS = SMALL_U32S;
export const requestHeaders = changetype<HeaderMap>(MAPS + (<usize>MapType.RequestHeaders << 2));
export const requestTrailers = changetype<HeaderMap>(MAPS + (<usize>MapType.RequestTrailers << 2));
export const responseHeaders = changetype<HeaderMap>(MAPS + (<usize>MapType.ResponseHeaders << 2));
export const responseTrailers = changetype<HeaderMap>(MAPS + (<usize>MapType.ResponseTrailers << 2));
/** gRPC initial metadata; inside GrpcStreamHandler.onInitialMetadata only. */
export const grpcInitialMetadata = changetype<HeaderMap>(MAPS + (<usize>MapType.GrpcReceiveInitialMetadata << 2));
/** gRPC trailing metadata; inside GrpcStreamHandler.onTrailingMetadata only. */
export const grpcTrailingMetadata = changetype<HeaderMap>(MAPS + (<usize>MapType.GrpcReceiveTrailingMetadata << 2));
/** Headers of an HTTP call response; inside HttpCallHandler.onHttpCallResponse only. */
export const httpCallResponseHeaders = changetype<HeaderMap>(MAPS + (<usize>MapType.HttpCallResponseHeaders << 2));
/** Trailers of an HTTP call response; inside HttpCallHandler.onHttpCallResponse only. */
export const httpCallResponseTrailers = changetype<HeaderMap>(MAPS + (<usize>MapType.HttpCallResponseTrailers << 2));
