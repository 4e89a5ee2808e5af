// The proxy-wasm pairs codec (assembly/sdk/pairs.ts): byte layout, round trips, and robustness
// against truncated or malformed blobs (decode must never trap).
import {
  HeaderPair, serializePairs, deserializePairsBuffer, findPair, findAllPairs,
} from "../../assembly/sdk/pairs";

function blob(bytes: u8[]): ArrayBuffer {
  const b = new ArrayBuffer(bytes.length);
  for (let i = 0; i < bytes.length; i++) store<u8>(changetype<usize>(b) + i, bytes[i]);
  return b;
}

function toBytes(buf: ArrayBuffer): u8[] {
  const out = new Array<u8>(buf.byteLength);
  for (let i = 0; i < buf.byteLength; i++) out[i] = load<u8>(changetype<usize>(buf) + i);
  return out;
}

// Two pairs: (":path", "/a") and ("x", ""), laid out by hand.
const TWO_PAIRS: u8[] = [
  2, 0, 0, 0,                         // count = 2
  5, 0, 0, 0, 2, 0, 0, 0,             // pair 0: key length 5, value length 2
  1, 0, 0, 0, 0, 0, 0, 0,             // pair 1: key length 1, value length 0
  0x3a, 0x70, 0x61, 0x74, 0x68, 0,    // ":path" NUL
  0x2f, 0x61, 0,                      // "/a" NUL
  0x78, 0,                            // "x" NUL
  0,                                  // "" NUL
];

describe("serializePairs", () => {
  it("lays out count, sizes, then NUL-terminated strings", () => {
    const pairs = [new HeaderPair(":path", "/a"), new HeaderPair("x", "")];
    expect(toBytes(serializePairs(pairs))).toStrictEqual(TWO_PAIRS);
  });
  it("writes an empty map as a 4-byte zero count", () => {
    expect(toBytes(serializePairs([]))).toStrictEqual([0, 0, 0, 0] as u8[]);
  });
  it("counts UTF-8 bytes, not UTF-16 units", () => {
    const buf = serializePairs([new HeaderPair("k", "é")]);
    expect(load<u32>(changetype<usize>(buf) + 8)).toBe(2); // value length: é is 2 bytes
    expect(buf.byteLength).toBe(4 + 8 + 2 + 3);
  });
});

describe("deserializePairs", () => {
  it("decodes the hand-laid blob", () => {
    const pairs = deserializePairsBuffer(blob(TWO_PAIRS));
    expect(pairs.length).toBe(2);
    expect(pairs[0].name).toBe(":path");
    expect(pairs[0].value).toBe("/a");
    expect(pairs[1].name).toBe("x");
    expect(pairs[1].value).toBe("");
  });
  it("round-trips duplicates and unicode", () => {
    const src = [new HeaderPair("a", "1"), new HeaderPair("a", "2"), new HeaderPair("ü", "日本")];
    const back = deserializePairsBuffer(serializePairs(src));
    expect(back.length).toBe(3);
    expect(back[2].name).toBe("ü");
    expect(back[2].value).toBe("日本");
    expect(findPair(back, "a")).toBe("1");
    expect(findAllPairs(back, "a")).toStrictEqual(["1", "2"]);
    expect(findPair(back, "missing")).toBeNull();
  });
  it("returns nothing for blobs shorter than the count", () => {
    expect(deserializePairsBuffer(new ArrayBuffer(0)).length).toBe(0);
    expect(deserializePairsBuffer(blob([1, 0, 0])).length).toBe(0);
  });
  it("returns nothing when the size table runs past the end", () => {
    // count = 3 but only one size entry follows
    expect(deserializePairsBuffer(blob([3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0])).length).toBe(0);
  });
  it("rejects an absurd count without allocating or trapping", () => {
    expect(deserializePairsBuffer(blob([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])).length).toBe(0);
  });
  it("returns the pairs before a truncation", () => {
    // every prefix of the blob decodes without trapping, and never yields more than 2 pairs
    for (let cut = 0; cut <= TWO_PAIRS.length; cut++) {
      const n = deserializePairsBuffer(blob(TWO_PAIRS.slice(0, cut))).length;
      expect(n <= 2).toBe(true);
    }
    // cut inside the second key: only the first pair survives
    const partial = deserializePairsBuffer(blob(TWO_PAIRS.slice(0, 30)));
    expect(partial.length).toBe(1);
    expect(partial[0].value).toBe("/a");
  });
  it("tolerates a missing final NUL", () => {
    const p = deserializePairsBuffer(blob([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0x6b, 0, 0x76]));
    expect(p.length).toBe(1);
    expect(p[0].value).toBe("v");
  });
  it("never traps on huge lengths", () => {
    // key length 0xffffffff
    expect(deserializePairsBuffer(blob([1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0x61, 0])).length).toBe(0);
  });
  it("decodes invalid UTF-8 leniently with U+FFFD", () => {
    // key "k", value bytes ff 41
    const p = deserializePairsBuffer(blob([1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0x6b, 0, 0xff, 0x41, 0]));
    expect(p[0].value).toBe("\uFFFDA");
  });
});
