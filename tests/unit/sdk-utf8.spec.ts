// The SDK's UTF-8 encoder (assembly/sdk/utf8.ts encodeUtf8/utf8Bytes) against the std library's
// String.UTF8.encode, which it replaces in the SDK: the same bytes for every kind of unit, lone and
// paired surrogates included (WTF-8, the std default; with `replace`, U+FFFD as ErrorMode.REPLACE).
import { encodeUtf8, utf8Bytes } from "../../assembly/sdk/utf8";

function same(s: string, replace: bool = false): bool {
  const a = String.UTF8.encode(s, false, replace ? String.UTF8.ErrorMode.REPLACE : String.UTF8.ErrorMode.WTF8);
  let b = utf8Bytes(s);
  if (replace) {
    b = new ArrayBuffer(s.length * 3);
    b = b.slice(0, <i32>encodeUtf8(s, changetype<usize>(b), true));
  }
  if (a.byteLength != b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (load<u8>(changetype<usize>(a) + i) != load<u8>(changetype<usize>(b) + i)) return false;
  return true;
}

describe("SDK UTF-8 encoder", () => {
  it("encodes ASCII, 2-, 3- and 4-byte forms and lone surrogates as String.UTF8.encode does", () => {
    expect(same("")).toBe(true);
    expect(same("x-request-id: abc/123")).toBe(true);
    expect(same("caf\u00e9 \u07ff \u0800 \uffff \u{1F600} \u{10FFFF} \u{10000}")).toBe(true);
    expect(same("\ud800")).toBe(true); // lone high surrogate at the end
    expect(same("\udc00a")).toBe(true); // lone low surrogate
    expect(same("\ud800\ud800\udc00")).toBe(true); // high, then a pair
    expect(same("a\udbff")).toBe(true);
    expect(utf8Bytes("\u{1F600}").byteLength).toBe(4);
    // with replace (percent coding): a lone surrogate as U+FFFD, as ErrorMode.REPLACE
    expect(same("\ud800", true)).toBe(true);
    expect(same("a\udc00\ud800\udc00\udbff", true)).toBe(true);
  });

  it("agrees with String.UTF8.encode on random strings", () => {
    const units: u16[] = [0, 0x41, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xfffd, 0xffff];
    let seed: u32 = 7;
    for (let t = 0; t < 2000; t++) {
      let s = "";
      seed = seed * 1103515245 + 12345;
      const len = (seed >>> 16) % 9;
      for (let k: u32 = 0; k < len; k++) {
        seed = seed * 1103515245 + 12345;
        const r = seed >>> 8;
        const u = (r & 1) != 0 ? units[(r >>> 1) % <u32>units.length] : <u16>(r >>> 3);
        s += String.fromCharCode(u);
      }
      if (!same(s)) { expect(s).toBe("(differs)"); return; }
      if (!same(s, true)) { expect(s).toBe("(differs with replace)"); return; }
    }
    // the count returned is the bytes written
    const buf = new ArrayBuffer(12);
    expect(<i32>encodeUtf8("a\u00e9\u20ac\u{1F600}", changetype<usize>(buf))).toBe(10);
  });
});
