// Minimal protobuf wire-format reading and writing, enough for the few messages the ABI passes around
// (foreign-function arguments, gRPC service configs in tests). Never throws: malformed input → null.
export type ProtoValue = bigint | Uint8Array;

export function decodeProtoFields(buf: Uint8Array): Map<number, ProtoValue[]> | null {
  const out = new Map<number, ProtoValue[]>();
  let p = 0;
  const varint = (): bigint | null => {
    let r = 0n, s = 0n;
    for (let i = 0; i < 10; i++) {
      if (p >= buf.length) return null;
      const b = buf[p++];
      r |= BigInt(b & 0x7f) << s;
      if (!(b & 0x80)) return r;
      s += 7n;
    }
    return null;
  };
  while (p < buf.length) {
    const tag = varint();
    if (tag === null) return null;
    const field = Number(tag >> 3n), wt = Number(tag & 7n);
    let v: ProtoValue | null;
    if (wt === 0) v = varint();
    else if (wt === 2) {
      const len = varint();
      if (len === null || p + Number(len) > buf.length) return null;
      v = buf.subarray(p, p + Number(len)); p += Number(len);
    } else if (wt === 1) { if (p + 8 > buf.length) return null; v = new DataView(buf.buffer, buf.byteOffset + p).getBigUint64(0, true); p += 8; }
    else if (wt === 5) { if (p + 4 > buf.length) return null; v = BigInt(new DataView(buf.buffer, buf.byteOffset + p).getUint32(0, true)); p += 4; }
    else return null;
    if (v === null) return null;
    if (!out.has(field)) out.set(field, []);
    out.get(field)!.push(v);
  }
  return out;
}

export function encodeProtoString(field: number, s: string | Uint8Array): Uint8Array {
  const b = typeof s === "string" ? Buffer.from(s) : s;
  return Buffer.concat([varintBytes((field << 3) | 2), varintBytes(b.length), b]);
}
export function varintBytes(n: number): Uint8Array {
  const out: number[] = [];
  do { let b = n & 0x7f; n = Math.floor(n / 128); if (n) b |= 0x80; out.push(b); } while (n);
  return Uint8Array.from(out);
}
