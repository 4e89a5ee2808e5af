// The proxy-wasm serialized map ("pairs") format (research/envoy-host-abi.md §3.4):
//   u32 count; count × (u32 key_len, u32 value_len); then for each pair key bytes \0 value bytes \0.
// Host parsing of guest input is strict: every NUL present, no trailing bytes, ≤ 1 MiB, ≤ 1024 pairs;
// any violation makes the whole map empty (Envoy returns no error for it).
import { decodeUtf8, utf8Length, writeUtf8 } from "../vm/utf8.ts";

export type Pair = [string, string];
export type BytesPair = [Uint8Array, Uint8Array];

export const MAX_PAIRS = 1024;
export const MAX_PAIRS_BYTES = 1 << 20;
const byteLen = (x: string | Uint8Array) => (typeof x === "string" ? utf8Length(x) : x.length);
function put(x: string | Uint8Array, out: Uint8Array, p: number): number {
  if (typeof x === "string") return writeUtf8(x, out, p);
  out.set(x, p);
  return x.length;
}

const NON_ASCII = /[^\x00-\x7f]/;
const enc = new TextEncoder();

export function serializePairs(pairs: ReadonlyArray<readonly [string | Uint8Array, string | Uint8Array]>): Uint8Array {
  const fast = serializeAscii(pairs);
  if (fast !== null) return fast;
  let size = 4;
  for (const [k, v] of pairs) size += 8 + byteLen(k) + 1 + byteLen(v) + 1;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, pairs.length, true);
  let h = 4;
  let p = 4 + pairs.length * 8;
  for (const [k, v] of pairs) {
    const kl = put(k, out, p); p += kl + 1;
    const vl = put(v, out, p); p += vl + 1;
    dv.setUint32(h, kl, true); dv.setUint32(h + 4, vl, true); h += 8;
  }
  return out;
}

/** Strict parse of guest-supplied pairs; null when malformed (callers treat null as an empty map). */
export function parsePairsBytes(buf: Uint8Array): BytesPair[] | null {
  if (buf.length === 0) return [];
  if (buf.length < 4 || buf.length > MAX_PAIRS_BYTES) return null;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = dv.getUint32(0, true);
  if (n > MAX_PAIRS) return null;
  let p = 4 + n * 8;
  if (p > buf.length) return null;
  const out: BytesPair[] = [];
  for (let i = 0; i < n; i++) {
    const kl = dv.getUint32(4 + i * 8, true), vl = dv.getUint32(8 + i * 8, true);
    if (p + kl + 1 + vl + 1 > buf.length) return null;
    const k = buf.subarray(p, p + kl); p += kl;
    if (buf[p++] !== 0) return null;
    const v = buf.subarray(p, p + vl); p += vl;
    if (buf[p++] !== 0) return null;
    out.push([k, v]);
  }
  return p === buf.length ? out : null;
}

export function parsePairs(buf: Uint8Array): Pair[] | null {
  const b = parsePairsBytes(buf);
  return b && b.map(([k, v]) => [decodeUtf8(k), decodeUtf8(v)]);
}

/** List property encoding: pairs whose values are empty. */
export function serializeList(items: ReadonlyArray<string | Uint8Array>): Uint8Array {
  return serializePairs(items.map((i) => [i, ""] as const));
}

/**
 * The common case — every key and value an ASCII string — in one native encode: the data part of
 * the format is exactly "k\0v\0k\0v\0…", and ASCII lengths are string lengths. null otherwise.
 */
function serializeAscii(pairs: ReadonlyArray<readonly [string | Uint8Array, string | Uint8Array]>): Uint8Array | null {
  const n = pairs.length;
  let data = "";
  for (let i = 0; i < n; i++) {
    const k = pairs[i][0], v = pairs[i][1];
    if (typeof k !== "string" || typeof v !== "string") return null;
    data += k + "\0" + v + "\0";
  }
  if (NON_ASCII.test(data)) return null;
  const out = new Uint8Array(4 + n * 8 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, n, true);
  for (let i = 0, h = 4; i < n; i++, h += 8) {
    dv.setUint32(h, (pairs[i][0] as string).length, true);
    dv.setUint32(h + 4, (pairs[i][1] as string).length, true);
  }
  enc.encodeInto(data, out.subarray(4 + n * 8));
  return out;
}
