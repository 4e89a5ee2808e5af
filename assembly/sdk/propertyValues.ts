// Decoders for the byte encodings Envoy uses for property values (envoy-host-abi.md §5).
// Pure code, no host calls, so as-pect tests them with hand-laid byte arrays.
// AssemblyScript has no nullable primitives, so numeric decoders return a small box or null.
import { HeaderPair, deserializePairsBuffer } from "./pairs";
import { decodeUtf8Buffer, encodeUtf8 } from "./utf8";
import { newArray } from "../lib/emptyArray";

/** A decoded 64-bit integer (int64/uint64, or a timestamp/duration in nanoseconds). */
export class Int64Value {
  constructor(public value: i64) {}
}

/** A decoded boolean. */
export class BoolValue {
  constructor(public value: bool) {}
}

/** A decoded IEEE-754 double (Struct numbers). */
export class Float64Value {
  constructor(public value: f64) {}
}

/** string / bytes: raw UTF-8, no terminator. */
export function decodeStringValue(buf: ArrayBuffer): string {
  return decodeUtf8Buffer(buf);
}

/** int64 / uint64 / timestamp / duration: exactly 8 bytes little-endian, else null. */
export function decodeInt64Value(buf: ArrayBuffer): Int64Value | null {
  if (buf.byteLength != 8) return null;
  return new Int64Value(load<i64>(changetype<usize>(buf)));
}

/** bool: exactly 1 byte, 0 or 1 (any non-zero byte counts as true), else null. */
export function decodeBoolValue(buf: ArrayBuffer): BoolValue | null {
  if (buf.byteLength != 1) return null;
  return new BoolValue(load<u8>(changetype<usize>(buf)) != 0);
}

/** double: exactly 8 bytes little-endian, else null. */
export function decodeFloat64Value(buf: ArrayBuffer): Float64Value | null {
  if (buf.byteLength != 8) return null;
  return new Float64Value(load<f64>(changetype<usize>(buf)));
}

/** map: the pairs format. Order is unspecified for Envoy's header maps; duplicates arrive joined with ",". */
export function decodeMapValue(buf: ArrayBuffer): HeaderPair[] {
  return deserializePairsBuffer(buf);
}

/** list: the pairs format with empty values; returns the keys. */
export function decodeListValue(buf: ArrayBuffer): string[] {
  const pairs = deserializePairsBuffer(buf);
  const out = newArray<string[]>(pairs.length);
  for (let i = 0, n = pairs.length; i < n; i++) unchecked(out[i] = unchecked(pairs[i]).name);
  return out;
}

/** Joins path segments with NUL, the separator proxy_get_property expects ("request\0path"): the
 *  UTF-8 of path.join("\0"), encoded in place (a hole counts as ""). */
export function encodePropertyPath(path: string[]): ArrayBuffer {
  const n = path.length;
  let room: usize = <usize>n; // the NULs, and up to 3 bytes per unit
  for (let i = 0; i < n; i++) room += <usize>changetype<string>(nonNull(unchecked(path[i]))).length * 3;
  const b = __new(room, idof<ArrayBuffer>());
  let at = b;
  for (let i = 0; i < n; i++) {
    if (i > 0) store<u8>(at++, 0);
    at += encodeUtf8(nonNull(unchecked(path[i])), at);
  }
  return changetype<ArrayBuffer>(__renew(b, at - b));
}

/** `s`, or "" for a hole. */
function nonNull(s: string): string {
  return changetype<usize>(s) != 0 ? s : "";
}
