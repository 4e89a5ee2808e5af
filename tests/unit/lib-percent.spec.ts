// percent.ts against its previous implementation (a UTF-16 to UTF-8 loop of its own, kept here as the
// reference) on random strings: escapes good and bad, '+', non-ASCII, surrogate pairs and lone surrogates.
import { percentDecode, percentDecodeStrict, percentEncode, percentEncodeExcept, escapeAt, escapeByte, hexVal } from "../../assembly/lib/percent";
import { decodeUtf8At } from "../../assembly/lib/utf8";

let used: i32 = 1;
function refPutUtf8(s: string, i: i32, o: usize): usize {
  let c = <u32>s.charCodeAt(i);
  used = 1;
  if ((c & 0xF800) == 0xD800) {
    const d = <u32>s.charCodeAt(i + 1);
    if (c < 0xDC00 && (d & 0xFC00) == 0xDC00) { c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00); used = 2; }
    else c = 0xFFFD;
  }
  const k: usize = c < 0x80 ? 0 : c < 0x800 ? 1 : c < 0x10000 ? 2 : 3;
  for (let p = o + k; p > o; p--) { store<u8>(p, 0x80 | (c & 63)); c >>= 6; }
  store<u8>(o, k != 0 ? (0xFF00 >> <u32>(k + 1)) | c : c);
  return o + 1 + k;
}
function refDecode(s: string, plusAsSpace: bool, strict: bool): string | null {
  const n = s.length;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c == 37 || (plusAsSpace && c == 43)) break;
  }
  if (i == n) return s;
  const buf = new ArrayBuffer(n * 3);
  const base = changetype<usize>(buf);
  let o = base;
  for (i = 0; i < n;) {
    const c = s.charCodeAt(i);
    if (c == 37) {
      const v = escapeAt(s, i);
      if (v >= 0) { store<u8>(o++, v); i += 3; continue; }
      if (strict) return null;
    }
    if (c == 43 && plusAsSpace) { store<u8>(o++, 32); i++; continue; }
    o = refPutUtf8(s, i, o);
    i += used;
  }
  return decodeUtf8At(base, <i32>(o - base), strict);
}
function refEncode(s: string, set: usize): string {
  let out = "";
  const bytes = new ArrayBuffer(4);
  const b0 = changetype<usize>(bytes);
  for (let i = 0; i < s.length;) {
    const end = refPutUtf8(s, i, b0);
    i += used;
    for (let p = b0; p < end; p++) {
      const b = <i32>load<u8>(p);
      const keep = b < 128 && ((<i32>load<u8>(set + (b >> 3)) >> (b & 7)) & 1) != 0;
      out += keep ? String.fromCharCode(b) : escapeByte(b);
    }
  }
  return out;
}
function show(s: string | null): string {
  if (s === null) return "null";
  let t = "";
  for (let i = 0; i < s!.length; i++) t += s!.charCodeAt(i).toString(16) + " ";
  return t;
}
// The unreserved set plus '/', '?' and '=' (a `keep` as a filter passes one).
const SET = memory.data<u8>([0, 0, 0, 0, 0, 224, 255, 163, 254, 255, 255, 135, 254, 255, 255, 71]);

describe("percent coding", () => {
  it("decodes and encodes as the previous implementation (random strings)", () => {
    const atoms: string[] = ["%", "%", "%2", "%41", "%e9", "%C3%A9", "%c3", "%zz", "%0", "%%", "+", "a", "Z", "0", "f",
      "~", " ", "/", "?", "=", "&", "é", "\u20ac", "\uD83D\uDE00", "\uD83D", "\uDE00", "\u00ff", "\u0000", "\u007f"];
    let seed: u32 = 987654321;
    for (let k = 0; k < 4000; k++) {
      let s = "";
      seed = seed * 1103515245 + 12345;
      const len = <i32>((seed >> 16) % 9);
      for (let j = 0; j < len; j++) {
        seed = seed * 1103515245 + 12345;
        s += atoms[<i32>((seed >> 16) % <u32>atoms.length)];
      }
      for (let plus = 0; plus < 2; plus++) {
        const a = percentDecode(s, plus == 1), b = refDecode(s, plus == 1, false);
        if (a != b) expect(show(s) + "=> " + show(a)).toBe(show(s) + "=> " + show(b));
        const c = percentDecodeStrict(s, plus == 1), d = refDecode(s, plus == 1, true);
        if (c != d) expect(show(s) + "=> " + show(c)).toBe(show(s) + "=> " + show(d));
      }
      const e = percentEncode(s), f = refEncode(s, memory.data<u8>([0, 0, 0, 0, 0, 96, 255, 3, 254, 255, 255, 135, 254, 255, 255, 71]));
      if (e != f) expect(show(s) + "=> " + e).toBe(show(s) + "=> " + f);
      const g = percentEncodeExcept(s, SET), h = refEncode(s, SET);
      if (g != h) expect(show(s) + "=> " + g).toBe(show(s) + "=> " + h);
    }
  });
  it("keeps the examples", () => {
    expect(percentDecode("a%20b+c", true)).toBe("a b c");
    expect(percentDecode("a%20b+c")).toBe("a b+c");
    expect(percentDecode("%zz%E0%A4%A")).toBe("%zz\uFFFD%A");
    expect(percentDecodeStrict("%zz")).toBeNull();
    expect(percentDecodeStrict("%C3%A9")).toBe("é");
    expect(percentDecodeStrict("%C3")).toBeNull();
    expect(percentEncode("a b/é\uD83D")).toBe("a%20b%2F%C3%A9%EF%BF%BD");
    expect(percentEncode("a/b", "/")).toBe("a/b");
    expect(hexVal(0x66)).toBe(15);
    expect(hexVal(0x67)).toBe(-1);
    expect(escapeByte(0xAB)).toBe("%AB");
  });
});
