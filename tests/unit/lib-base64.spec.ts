import {
  base64Encode, base64UrlEncode, base64Decode, base64UrlDecode, decodeBase64, encodeBase64,
  base64EncodeString, base64DecodeToString, Padding,
} from "../../assembly/lib/base64";

function bytes(s: string): Uint8Array { return Uint8Array.wrap(String.UTF8.encode(s)); }
function str(b: Uint8Array | null): string {
  if (b === null) return "<null>";
  return String.UTF8.decodeUnsafe(b.dataStart, b.length);
}

describe("base64 encode", () => {
  it("matches the RFC 4648 test vectors", () => {
    const plain = ["", "f", "fo", "foo", "foob", "fooba", "foobar"];
    const std = ["", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"];
    const url = ["", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"];
    for (let i = 0; i < plain.length; i++) {
      expect(base64Encode(bytes(plain[i]))).toBe(std[i]);
      expect(base64UrlEncode(bytes(plain[i]))).toBe(url[i]);
      expect(str(base64Decode(std[i]))).toBe(plain[i]);
      expect(str(base64Decode(url[i]))).toBe(plain[i]); // padding optional
      expect(str(base64UrlDecode(url[i]))).toBe(plain[i]);
    }
  });
  it("uses the right alphabet for bytes 62 and 63", () => {
    const b = new Uint8Array(3); b[0] = 0xFB; b[1] = 0xFF; b[2] = 0xBF;
    expect(base64Encode(b)).toBe("+/+/");
    expect(base64UrlEncode(b)).toBe("-_-_");
    expect(encodeBase64(b.subarray(0, 1), true, true)).toBe("-w==");
  });
  it("round-trips every byte value and length", () => {
    const all = new Uint8Array(256);
    for (let i = 0; i < 256; i++) all[i] = <u8>i;
    for (let len = 0; len < 70; len++) {
      const part = all.subarray(256 - len);
      const e1 = base64Decode(base64Encode(part))!;
      const e2 = base64UrlDecode(base64UrlEncode(part))!;
      expect(e1.length).toBe(len);
      expect(e2.length).toBe(len);
      for (let i = 0; i < len; i++) { expect(e1[i]).toBe(part[i]); expect(e2[i]).toBe(part[i]); }
    }
  });
  it("encodes strings as UTF-8", () => {
    expect(base64EncodeString("alice:s3cret")).toBe("YWxpY2U6czNjcmV0");
    expect(base64EncodeString("é")).toBe("w6k=");
  });
});

describe("base64 strict decode", () => {
  it("rejects characters outside the alphabet", () => {
    expect(base64Decode("Zm9v YmFy")).toBeNull();
    expect(base64Decode("Zm9v\nYmFy")).toBeNull();
    expect(base64Decode("-_-_")).toBeNull();   // url chars in standard
    expect(base64UrlDecode("+/+/")).toBeNull(); // standard chars in url
    expect(base64Decode("Zm9*")).toBeNull();
    expect(base64Decode("Zm9\u00e9")).toBeNull();
    expect(base64Decode("Zm9\u0000")).toBeNull();
    expect(base64Decode("😀😀")).toBeNull();
  });
  it("checks padding when present", () => {
    expect(base64Decode("Zg=")).toBeNull();     // wrong length
    expect(base64Decode("Zg===")).toBeNull();
    expect(base64Decode("Z===")).toBeNull();
    expect(base64Decode("====")).toBeNull();
    expect(base64Decode("Zm8==")).toBeNull();
    expect(base64Decode("Zg==Zg==")).toBeNull(); // padding in the middle
    expect(base64Decode("=Zg=")).toBeNull();
    expect(base64Decode("Zm9v=")).toBeNull();
  });
  it("enforces a required or forbidden padding form", () => {
    expect(decodeBase64("Zg", false, Padding.Required)).toBeNull();
    expect(str(decodeBase64("Zg==", false, Padding.Required))).toBe("f");
    expect(decodeBase64("Zg==", true, Padding.Forbidden)).toBeNull();
    expect(str(decodeBase64("Zg", true, Padding.Forbidden))).toBe("f");
    expect(str(decodeBase64("Zm9v", false, Padding.Required))).toBe("foo");
  });
  it("rejects impossible lengths and non-zero trailing bits", () => {
    expect(base64Decode("Z")).toBeNull();
    expect(base64Decode("Zm9vY")).toBeNull();
    expect(base64Decode("Zh==")).toBeNull();  // 'h' leaves bits set; canonical is Zg==
    expect(base64Decode("Zm9=")).toBeNull();  // canonical is Zm8=
    expect(base64UrlDecode("Zh")).toBeNull();
    expect(base64Decode("")!.length).toBe(0);
  });
  it("decodes to strings only when the result is well-formed UTF-8", () => {
    expect(base64DecodeToString("YWxpY2U6czNjcmV0")).toBe("alice:s3cret");
    expect(base64DecodeToString("/w==")).toBeNull(); // 0xFF
    expect(base64DecodeToString("not base64!")).toBeNull();
  });
  it("handles a large input without trouble", () => {
    const big = new Uint8Array(30000);
    for (let i = 0; i < big.length; i++) big[i] = <u8>(i * 7);
    const d = base64UrlDecode(base64UrlEncode(big))!;
    expect(d.length).toBe(30000);
    expect(d[29999]).toBe(<u8>(29999 * 7));
  });
});
