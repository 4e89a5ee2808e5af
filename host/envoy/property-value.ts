// Typed property values and Envoy's binary encodings for proxy_get_property (research/envoy-host-abi.md §5):
// strings raw, ints 8-byte LE, bools 1 byte, timestamps/durations int64 ns, doubles 8-byte LE,
// maps in the pairs format (nested values serialized the same way), lists as pairs with empty values.
import { serializePairs } from "../abi/pairs.ts";

export type PV =
  | { t: "string"; v: string }
  | { t: "bytes"; v: Uint8Array }
  | { t: "int"; v: bigint }
  | { t: "uint"; v: bigint }
  | { t: "double"; v: number }
  | { t: "bool"; v: boolean }
  | { t: "timestamp"; v: bigint }
  | { t: "duration"; v: bigint }
  | { t: "map"; v: Map<string, PV> }
  | { t: "list"; v: PV[] }
  | { t: "proto"; bytes: Uint8Array; fields: Map<string, PV> }
  | { t: "null" };

export const pv = {
  str: (v: string): PV => ({ t: "string", v }),
  int: (v: number | bigint): PV => ({ t: "int", v: BigInt(v) }),
  uint: (v: number | bigint): PV => ({ t: "uint", v: BigInt(v) }),
  bool: (v: boolean): PV => ({ t: "bool", v }),
  ts: (ns: bigint): PV => ({ t: "timestamp", v: ns }),
  dur: (ns: bigint): PV => ({ t: "duration", v: ns }),
  map: (m: Map<string, string> | Record<string, PV>): PV => ({
    t: "map", v: m instanceof Map ? new Map([...m].map(([k, v]) => [k, pv.str(v)])) : new Map(Object.entries(m)),
  }),
};

/** A JSON value from a request file's "properties" as a typed property value. */
export function fromJson(v: unknown): PV {
  if (v === null || v === undefined) return { t: "null" };
  if (typeof v === "string") return pv.str(v);
  if (typeof v === "boolean") return pv.bool(v);
  if (typeof v === "number") return Number.isInteger(v) ? pv.int(v) : { t: "double", v };
  if (Array.isArray(v)) return { t: "list", v: v.map(fromJson) };
  return { t: "map", v: new Map(Object.entries(v as object).map(([k, x]) => [k, fromJson(x)])) };
}

/** Encoded bytes, or null for values Envoy cannot serialize (→ SerializationFailure). */
export function encode(value: PV): Uint8Array | null {
  switch (value.t) {
    case "string": return Buffer.from(value.v, "utf8");
    case "bytes": return value.v;
    case "int": case "uint": case "timestamp": case "duration": {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(BigInt.asUintN(64, value.v));
      return b;
    }
    case "double": { const b = Buffer.alloc(8); b.writeDoubleLE(value.v); return b; }
    case "bool": return Uint8Array.of(value.v ? 1 : 0);
    case "map": {
      const pairs: [string, Uint8Array][] = [];
      for (const [k, v] of value.v) { const e = encode(v); if (e === null) return null; pairs.push([k, e]); }
      return serializePairs(pairs);
    }
    case "list": {
      const items: [Uint8Array, string][] = [];
      for (const x of value.v) { const e = encode(x); if (e === null) return null; items.push([e, ""]); }
      return serializePairs(items);
    }
    case "proto": return value.bytes;
    case "null": return null;
  }
}

/** Index into a value by one path segment: map key, proto field name or list index. */
export function child(value: PV, seg: string): PV | undefined {
  if (value.t === "map") return value.v.get(seg);
  if (value.t === "proto") return value.fields.get(seg);
  if (value.t === "list") return /^\d+$/.test(seg) ? value.v[Number(seg)] : undefined;
  return undefined;
}
