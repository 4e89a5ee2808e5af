// Property value decoders (assembly/sdk/propertyValues.ts) and the lenient UTF-8 decoder.
import {
  decodeBoolValue, decodeInt64Value, decodeFloat64Value, decodeListValue, decodeMapValue,
  decodeStringValue, encodePropertyPath,
} from "../../assembly/sdk/propertyValues";
import { decodeUtf8Buffer } from "../../assembly/sdk/utf8";

function blob(bytes: u8[]): ArrayBuffer {
  const b = new ArrayBuffer(bytes.length);
  for (let i = 0; i < bytes.length; i++) store<u8>(changetype<usize>(b) + i, bytes[i]);
  return b;
}

describe("scalar property values", () => {
  it("decodes int64 as 8 bytes little-endian", () => {
    const v = decodeInt64Value(blob([0x39, 0x30, 0, 0, 0, 0, 0, 0])); // 12345
    expect(v).not.toBeNull();
    expect(v!.value).toBe(12345);
    const neg = decodeInt64Value(blob([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    expect(neg!.value).toBe(-1);
  });
  it("rejects ints of the wrong width", () => {
    expect(decodeInt64Value(blob([1, 0, 0, 0]))).toBeNull();
    expect(decodeInt64Value(new ArrayBuffer(0))).toBeNull();
  });
  it("decodes a timestamp in nanoseconds", () => {
    // 1_700_000_000_000_000_000 ns = 0x17979CFE362A0000
    const v = decodeInt64Value(blob([0x00, 0x00, 0x2a, 0x36, 0xfe, 0x9c, 0x97, 0x17]));
    expect(v!.value).toBe(1700000000000000000);
  });
  it("decodes bool as exactly one byte", () => {
    expect(decodeBoolValue(blob([1]))!.value).toBe(true);
    expect(decodeBoolValue(blob([0]))!.value).toBe(false);
    expect(decodeBoolValue(blob([1, 0]))).toBeNull();
  });
  it("decodes doubles", () => {
    // 1.5 = 0x3FF8000000000000
    expect(decodeFloat64Value(blob([0, 0, 0, 0, 0, 0, 0xf8, 0x3f]))!.value).toBe(1.5);
  });
  it("decodes strings as raw UTF-8", () => {
    expect(decodeStringValue(blob([0x31, 0x30, 0x2e, 0x30, 0x2e, 0x30, 0x2e, 0x31, 0x3a, 0x38]))).toBe("10.0.0.1:8");
  });
});

describe("map and list property values", () => {
  it("decodes request.headers-style maps", () => {
    const m = decodeMapValue(blob([
      1, 0, 0, 0,                 // one entry
      1, 0, 0, 0, 3, 0, 0, 0,     // key 1 byte, value 3 bytes
      0x61, 0,                    // "a"
      0x31, 0x2c, 0x32, 0,        // "1,2" (duplicates joined by Envoy)
    ]));
    expect(m.length).toBe(1);
    expect(m[0].name).toBe("a");
    expect(m[0].value).toBe("1,2");
  });
  it("decodes lists as pairs with empty values", () => {
    const l = decodeListValue(blob([
      2, 0, 0, 0,                 // two elements
      2, 0, 0, 0, 0, 0, 0, 0,     // "h2", ""
      8, 0, 0, 0, 0, 0, 0, 0,     // "http/1.1", ""
      0x68, 0x32, 0, 0,
      0x68, 0x74, 0x74, 0x70, 0x2f, 0x31, 0x2e, 0x31, 0, 0,
    ]));
    expect(l).toStrictEqual(["h2", "http/1.1"]);
  });
  it("joins path segments with NUL", () => {
    const p = encodePropertyPath(["request", "path"]);
    expect(p.byteLength).toBe(12);
    expect(load<u8>(changetype<usize>(p) + 7)).toBe(0);
  });
});

describe("lenient UTF-8", () => {
  it("keeps valid multi-byte text", () => {
    expect(decodeUtf8Buffer(blob([0x68, 0xc3, 0xa9, 0xe6, 0x97, 0xa5, 0xf0, 0x9f, 0x98, 0x80]))).toBe("hé日😀");
  });
  it("replaces overlong encodings instead of decoding them", () => {
    // C0 AF would be an overlong "/"
    expect(decodeUtf8Buffer(blob([0x2e, 0xc0, 0xaf, 0x2e]))).toBe(".\uFFFD\uFFFD.");
    // E0 80 AF: overlong "/" in three bytes; 80 cannot follow E0, so three maximal subparts (as TextDecoder)
    expect(decodeUtf8Buffer(blob([0xe0, 0x80, 0xaf]))).toBe("\uFFFD\uFFFD\uFFFD");
  });
  it("replaces surrogates, out-of-range and truncated sequences", () => {
    // one U+FFFD per maximal subpart (Unicode §3.9, WHATWG TextDecoder): A0 cannot follow ED, 90 cannot follow F4
    expect(decodeUtf8Buffer(blob([0xed, 0xa0, 0x80]))).toBe("\uFFFD\uFFFD\uFFFD");              // U+D800
    expect(decodeUtf8Buffer(blob([0xf4, 0x90, 0x80, 0x80]))).toBe("\uFFFD\uFFFD\uFFFD\uFFFD"); // > U+10FFFF
    expect(decodeUtf8Buffer(blob([0xf0, 0x90, 0x80]))).toBe("\uFFFD");                          // truncated 4-byte sequence
    expect(decodeUtf8Buffer(blob([0x41, 0xe2, 0x82, 0x41]))).toBe("A\uFFFDA");                    // E2 82 then A
    expect(decodeUtf8Buffer(blob([0xf0, 0x9f, 0x98, 0x80, 0xc3, 0xa9]))).toBe("\u{1F600}\u00e9");
    expect(decodeUtf8Buffer(blob([0x61, 0xe6, 0x97]))).toBe("a\uFFFD");      // truncated at end
    expect(decodeUtf8Buffer(blob([0x80, 0x61]))).toBe("\uFFFDa");            // stray continuation
    expect(decodeUtf8Buffer(blob([0xc3, 0x41]))).toBe("\uFFFDA");            // bad continuation
  });
});
