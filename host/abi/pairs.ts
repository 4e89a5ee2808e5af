// The proxy-wasm serialized map ("pairs") format (research/envoy-host-abi.md §3.4):
//   u32 count; count × (u32 key_len, u32 value_len); then for each pair key bytes \0 value bytes \0.
// Host parsing of guest input is strict: every NUL present, no trailing bytes, ≤ 1 MiB, ≤ 1024 pairs;
// any violation makes the whole map empty (Envoy returns no error for it).
import { decodeUtf8, utf8Length } from "../vm/utf8.ts";

export type Pair = [string, string];
export type BytesPair = [Uint8Array, Uint8Array];

export const MAX_PAIRS = 1024;
export const MAX_PAIRS_BYTES = 1 << 20;

type Field = string | Uint8Array;
type Pairs = ReadonlyArray<readonly [Field, Field]>;
const enc = new TextEncoder();

function fieldLength(x: Field): number {
  if (typeof x !== "string") return x.length;
  const n = x.length;
  for (let i = 0; i < n; i++) if (x.charCodeAt(i) > 0x7f) return utf8Length(x);
  return n;
}
/** Writes a field at out[p…] (ASCII byte by byte, anything else through the standard encoder). */
function putField(x: Field, out: Uint8Array, p: number): number {
  if (typeof x !== "string") { out.set(x, p); return x.length; }
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const c = x.charCodeAt(i);
    if (c > 0x7f) return enc.encodeInto(x, out.subarray(p)).written;
    out[p + i] = c;
  }
  return n;
}
function putU32(out: Uint8Array, p: number, v: number): void {
  out[p] = v; out[p + 1] = v >>> 8; out[p + 2] = v >>> 16; out[p + 3] = v >>> 24;
}

/** The serialized size of `pairs` in bytes. */
export function pairsSize(pairs: Pairs): number {
  const n = pairs.length;
  let size = 4 + n * 10; // count, n × (key_len, value_len), and the two NULs of each pair
  for (let i = 0; i < n; i++) size += fieldLength(pairs[i][0]) + fieldLength(pairs[i][1]);
  return size;
}

/**
 * Serializes `pairs` into out[at…] (which must have pairsSize(pairs) bytes of room) and returns the
 * end offset. Strings are written as UTF-8 (lone surrogates as U+FFFD, like TextEncoder), byte fields
 * as they are.
 */
export function writePairs(pairs: Pairs, out: Uint8Array, at: number): number {
  const n = pairs.length;
  putU32(out, at, n);
  let h = at + 4;
  let p = h + n * 8;
  for (let i = 0; i < n; i++, h += 8) {
    const kl = putField(pairs[i][0], out, p); p += kl; out[p++] = 0;
    const vl = putField(pairs[i][1], out, p); p += vl; out[p++] = 0;
    putU32(out, h, kl); putU32(out, h + 4, vl);
  }
  return p;
}

export function serializePairs(pairs: Pairs): Uint8Array {
  const out = new Uint8Array(pairsSize(pairs));
  writePairs(pairs, out, 0);
  return out;
}

/** The data part of the format, "k\0v\0k\0v\0…", as one string; null if a field is not a string. */
function stringData(pairs: Pairs): string | null {
  let d = "";
  for (let i = 0; i < pairs.length; i++) {
    const k = pairs[i][0], v = pairs[i][1];
    if (typeof k !== "string" || typeof v !== "string") return null;
    d += k + "\0" + v + "\0";
  }
  return d;
}

/**
 * All-ASCII string pairs for a write straight into guest memory: returns the data part ("k\0v\0…")
 * as one string whose characters are its bytes, and stores each field's length in lens[2i] (key) and
 * lens[2i + 1] (value); null when a field is not an ASCII string. `lens` (from takeLengths) must have
 * room for 2 × pairs.length entries. The count and lens are the header part of the format.
 */
export function asciiPairsData(pairs: Pairs, lens: Uint32Array): string | null {
  let d = "";
  for (let i = 0, j = 0; i < pairs.length; i++, j += 2) {
    const x = pairs[i];
    const k = x[0], v = x[1];
    if (typeof k !== "string" || typeof v !== "string") return null;
    lens[j] = k.length; lens[j + 1] = v.length;
    // (k + NUL) and (v + NUL) each come out flat when short (V8 copies results under 13 characters),
    // so the rope has fewer pieces for the flattening below.
    d = d + (k + "\0") + (v + "\0");
  }
  // One native count over the whole data part (it also flattens the string once, for the write).
  return Buffer.byteLength(d, "utf8") === d.length ? d : null;
}

// A reusable array of field lengths for asciiPairsData, taken while in use like the scratch buffer below.
let lengths: Uint32Array | null = new Uint32Array(64);
export function takeLengths(count: number): Uint32Array {
  let l = lengths;
  lengths = null;
  if (l === null || l.length < count) l = new Uint32Array(Math.max(count, 64));
  return l;
}
export function releaseLengths(l: Uint32Array): void {
  if (l.length <= 2 * MAX_PAIRS) lengths = l;
}

// One reusable buffer for serialising a map before it is copied into guest memory (the copy must be
// complete before the guest's malloc runs). It is taken while in use, so a re-entrant use (a host call
// from inside malloc, which Envoy < 1.24 allows) gets a buffer of its own.
let scratch: Uint8Array | null = new Uint8Array(4096);
const SCRATCH_KEEP = 1 << 20;
function takeScratch(size: number): Uint8Array {
  let buf = scratch;
  scratch = null;
  if (buf === null || buf.length < size) buf = new Uint8Array(Math.max(size, 4096));
  return buf;
}
/** Hand back the buffer of a serializePairsScratch result once its bytes have been copied. */
export function releaseScratch(buf: Uint8Array): void {
  if (buf.length <= SCRATCH_KEEP) scratch = buf;
}

/**
 * serializePairs into a borrowed buffer: the map is buf[0, size). The same bytes as serializePairs,
 * without allocating; release the buffer with releaseScratch.
 */
export function serializePairsScratch(pairs: Pairs): { buf: Uint8Array; size: number } {
  // The common case, every key and value an ASCII string (then each field's byte length is its string
  // length): the data part built as one string and encoded by one native call, which also tells
  // whether it was all ASCII (one byte per character). Anything else: the size-first writer.
  const n = pairs.length;
  const d = stringData(pairs);
  if (d !== null) {
    const h = 4 + n * 8;
    const buf = takeScratch(h + d.length);
    const r = enc.encodeInto(d, new Uint8Array(buf.buffer, buf.byteOffset + h, d.length));
    if (r.read === d.length && r.written === d.length) {
      putU32(buf, 0, n);
      for (let i = 0, q = 4; i < n; i++, q += 8) {
        putU32(buf, q, (pairs[i][0] as string).length);
        putU32(buf, q + 4, (pairs[i][1] as string).length);
      }
      return { buf, size: h + d.length };
    }
    releaseScratch(buf);
  }
  const size = pairsSize(pairs);
  const buf = takeScratch(size);
  writePairs(pairs, buf, 0);
  return { buf, size };
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
