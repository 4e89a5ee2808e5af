// The proxy-wasm serialized map ("pairs") format, used for header maps, local-reply headers,
// callout headers/trailers, gRPC metadata and map/list property values:
//   u32 count; count × (u32 keyLen, u32 valueLen); then per pair: key bytes, 0x00, value bytes, 0x00
// All integers little-endian; lengths exclude the NULs. Pure code, no host calls.
import { decodeUtf8, encodeUtf8 } from "./utf8";
import { HeaderPair } from "../lib/headerPair";
import { emptyArray } from "../lib/emptyArray";
/** One header / metadata entry. Names are whatever the host gave (Envoy lower-cases keys). */
export { HeaderPair };

/** Upper bound on the pairs the decoder accepts from one blob (Envoy itself caps input at 1024). */
const MAX_DECODE_PAIRS: u32 = 1 << 16;

/** Serializes pairs into one buffer the host accepts. An empty array gives a 4-byte zero count. */
export function serializePairs(pairs: HeaderPair[]): ArrayBuffer {
  const n = pairs.length;
  let total: i32 = 4 + n * 8;
  for (let i = 0; i < n; i++) {
    const p = unchecked(pairs[i]);
    total += String.UTF8.byteLength(p.name) + String.UTF8.byteLength(p.value) + 2;
  }
  const buf = new ArrayBuffer(total); // zero-filled, so the NUL terminators are already there
  const base = changetype<usize>(buf);
  store<u32>(base, <u32>n);
  let sizes = base + 4;
  let data = base + 4 + <usize>n * 8;
  for (let i = 0; i < n; i++) {
    const p = unchecked(pairs[i]);
    const kl = encodeUtf8(p.name, data);
    data += kl + 1;
    const vl = encodeUtf8(p.value, data);
    data += vl + 1;
    store<u32>(sizes, <u32>kl);
    store<u32>(sizes, <u32>vl, 4);
    sizes += 8;
  }
  return buf;
}

/**
 * Decodes a pairs blob at (ptr, len). Never traps: a blob too short for its count, or a pair whose
 * bytes run past the end, ends decoding there and returns the pairs decoded so far (possibly none).
 * A missing NUL terminator is tolerated (the lengths are authoritative). UTF-8 is decoded leniently.
 */
export function deserializePairs(ptr: usize, len: usize): HeaderPair[] {
  const out = emptyArray<HeaderPair[]>();
  if (len < 4) return out;
  const count = load<u32>(ptr);
  if (count > MAX_DECODE_PAIRS) return out;
  const headerEnd = <u64>4 + <u64>count * 8;
  if (headerEnd > <u64>len) return out;
  let data = <u64>headerEnd;
  const end = <u64>len;
  for (let i: u32 = 0; i < count; i++) {
    const kl = <u64>load<u32>(ptr + 4 + <usize>i * 8);
    const vl = <u64>load<u32>(ptr + 8 + <usize>i * 8);
    if (data + kl + vl + 2 > end) {
      // Tolerate a blob whose very last value lacks only its final NUL.
      if (data + kl + vl + 1 != end) break;
    }
    const name = decodeUtf8(ptr + <usize>data, <usize>kl);
    data += kl + 1;
    const value = decodeUtf8(ptr + <usize>data, <usize>vl);
    data += vl + 1;
    out.push(new HeaderPair(name, value));
  }
  return out;
}

/** Decodes a pairs blob held in an ArrayBuffer. */
export function deserializePairsBuffer(buf: ArrayBuffer): HeaderPair[] {
  return deserializePairs(changetype<usize>(buf), <usize>buf.byteLength);
}

/** First value for `name` (exact, case-sensitive match), or null. */
export function findPair(pairs: HeaderPair[], name: string): string | null {
  for (let i = 0, n = pairs.length; i < n; i++) {
    const p = unchecked(pairs[i]);
    if (p.name == name) return p.value;
  }
  return null;
}

/** All values for `name` in order (exact match). */
export function findAllPairs(pairs: HeaderPair[], name: string): string[] {
  const out = emptyArray<string[]>();
  for (let i = 0, n = pairs.length; i < n; i++) {
    const p = unchecked(pairs[i]);
    if (p.name == name) out.push(p.value);
  }
  return out;
}
