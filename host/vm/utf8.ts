// UTF-8 for the many short strings that cross the host boundary (header names and values, property
// paths). Node's TextEncoder/TextDecoder cost about a microsecond per call on short strings, which
// dwarfed the filters being measured; ASCII — nearly every header — takes a plain loop here, and
// anything else falls back to the standard codecs, so results are identical.
const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true }); // Envoy keeps a leading U+FEFF

/** Byte length of `s` in UTF-8 if it is pure ASCII, else -1. */
function asciiLength(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return -1;
  return s.length;
}

export function encodeUtf8(s: string): Uint8Array {
  if (asciiLength(s) < 0) return enc.encode(s);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Writes `s` at `out[p…]` and returns the byte count; `out` must have room (see utf8Length). */
export function writeUtf8(s: string, out: Uint8Array, p: number): number {
  if (asciiLength(s) < 0) return enc.encodeInto(s, out.subarray(p)).written;
  for (let i = 0; i < s.length; i++) out[p + i] = s.charCodeAt(i);
  return s.length;
}

export function utf8Length(s: string): number {
  const n = asciiLength(s);
  return n >= 0 ? n : Buffer.byteLength(s, "utf8");
}

export function decodeUtf8(b: Uint8Array): string {
  const n = b.length;
  if (n > 64) return dec.decode(b);
  const s = asciiAt(b, 0, n);
  return s !== null ? s : dec.decode(b);
}

/** Every byte of b[p, p+n) is ASCII. */
export function isAscii(b: Uint8Array, p: number, n: number): boolean {
  const end = p + n;
  let i = p;
  for (; i + 4 <= end; i += 4) if ((b[i] | b[i + 1] | b[i + 2] | b[i + 3]) > 0x7f) return false;
  for (; i < end; i++) if (b[i] > 0x7f) return false;
  return true;
}

/** b[p, p+n) as a string if every byte is ASCII, else null (no copy, no view). */
export function asciiAt(b: Uint8Array, p: number, n: number): string | null {
  let s = "";
  let i = p;
  const end = p + n;
  for (; i + 4 <= end; i += 4) {
    const c0 = b[i], c1 = b[i + 1], c2 = b[i + 2], c3 = b[i + 3];
    if ((c0 | c1 | c2 | c3) > 0x7f) return null;
    s += String.fromCharCode(c0, c1, c2, c3);
  }
  for (; i < end; i++) {
    const c = b[i];
    if (c > 0x7f) return null;
    s += String.fromCharCode(c);
  }
  return s;
}
