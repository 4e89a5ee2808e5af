// Properties (proxy_get_property / proxy_set_property). A path is a list of segments, sent joined
// with NUL: ["request", "path"], never "request.path" (that is NotFound). Values use Envoy's
// encodings (propertyValues.ts). In root contexts almost everything except xds.*, plugin_* and
// values set with setProperty is NotFound; header-based request.* properties disappear once the
// request headers have been continued (they come back in onLog).
import { proxy_get_property, proxy_set_property } from "../abi/imports";
import { WasmResult } from "../abi/enums";
import { RET_PTR, RET_SIZE, clearReturn, discardReturn, lenOf, ptrOf, takeBuffer } from "./memory";
import { HeaderPair } from "./pairs";
import {
  BoolValue, Int64Value, decodeBoolValue, decodeInt64Value, decodeListValue, decodeMapValue,
  decodeStringValue, encodePropertyPath,
} from "./propertyValues";

/** Raw bytes of a property, or null when it is missing (NotFound) or cannot be read. Empty value → empty buffer. */
export function getProperty(path: string[]): ArrayBuffer | null {
  const p = encodePropertyPath(path);
  clearReturn();
  const st = proxy_get_property(changetype<u32>(p), <u32>p.byteLength, RET_PTR, RET_SIZE);
  if (st != WasmResult.Ok) { discardReturn(); return null; }
  return takeBuffer();
}

/** A string/bytes property decoded as UTF-8, or null. */
export function getPropertyString(path: string[]): string | null {
  const b = getProperty(path);
  return b !== null ? decodeStringValue(b) : null;
}

/** An int64/uint64 property (8 bytes LE), or null if missing or not 8 bytes. */
export function getPropertyInt64(path: string[]): Int64Value | null {
  const b = getProperty(path);
  return b !== null ? decodeInt64Value(b) : null;
}

/** A bool property (1 byte), or null. */
export function getPropertyBool(path: string[]): BoolValue | null {
  const b = getProperty(path);
  return b !== null ? decodeBoolValue(b) : null;
}

/** A timestamp (request.time) or duration property in nanoseconds, or null. */
export function getPropertyTimestampNanos(path: string[]): Int64Value | null {
  return getPropertyInt64(path);
}

/** A map property (e.g. request.headers: keys unique, duplicates joined with ","), or null. */
export function getPropertyMap(path: string[]): HeaderPair[] | null {
  const b = getProperty(path);
  return b !== null ? decodeMapValue(b) : null;
}

/** A list property, or null. */
export function getPropertyList(path: string[]): string[] | null {
  const b = getProperty(path);
  return b !== null ? decodeListValue(b) : null;
}

/**
 * Stores `value` in the stream's filter state as `wasm.<name>`, readable by other filters and by
 * getProperty([name]) (single-segment names only). NotFound in root contexts (no stream),
 * BadArgument when the property is read-only.
 */
export function setProperty(path: string[], value: ArrayBuffer | null): WasmResult {
  const p = encodePropertyPath(path);
  return <WasmResult>proxy_set_property(changetype<u32>(p), <u32>p.byteLength, ptrOf(value), lenOf(value));
}
