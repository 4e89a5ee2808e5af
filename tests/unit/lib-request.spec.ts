// The per-request helpers behind RequestView: client-IP selection (clientIp.ts), header syntax
// checks (http.ts), host normalisation (request.ts), UTF-8 decoding (utf8.ts), joining (join.ts).
import { isIPv4, isIPv6, stripPort, selectClientIp } from "../../assembly/lib/clientIp";
import { isTokenChar, isValidHeaderName, isSafeHeaderValue, isWritableHeaderValue, lowerAscii, lastIndexOfUnit, indexOfUnit, isUpperCaseMethod, trimAscii } from "../../assembly/lib/http";
import { normalizeHost, RequestView, RequestOptions, HeaderPair } from "../../assembly/lib/request";
import { decodeUtf8Lossy, isWellFormedUtf8 } from "../../assembly/lib/utf8";
import { joinStrings } from "../../assembly/lib/join";
import { parseCookies, getCookie, Cookie } from "../../assembly/lib/cookie";
import { parseQuery } from "../../assembly/lib/query";

function bytes(list: i32[]): Uint8Array {
  const b = new Uint8Array(list.length);
  for (let i = 0; i < list.length; i++) b[i] = <u8>list[i];
  return b;
}

// (Moved from lib-matcher.spec.ts: these test clientIp.ts and http.ts, not the matchers.)
describe("http syntax checks", () => {
  it("trims ASCII whitespace only, as Envoy's StringUtil does", () => {
    expect(trimAscii(" \t a b \r\n\v\f")).toBe("a b");
    expect(trimAscii("abc")).toBe("abc");
    expect(trimAscii("   ")).toBe("");
    expect(trimAscii("")).toBe("");
    // Unicode spaces stay (String#trim would take them): U+00A0, U+3000, U+FEFF
    expect(trimAscii("\u00A0a\u3000")).toBe("\u00A0a\u3000");
    expect(trimAscii(" \uFEFFa ")).toBe("\uFEFFa");
  });
  it("validates header names as RFC 9110 tokens", () => {
    expect(isValidHeaderName("x-user-id")).toBe(true);
    expect(isValidHeaderName("X_Weird!#$%&'*+.^`|~9")).toBe(true);
    expect(isValidHeaderName("")).toBe(false);
    expect(isValidHeaderName("bad name")).toBe(false);
    expect(isValidHeaderName("x:y")).toBe(false);
    expect(isValidHeaderName(":path")).toBe(false);
    expect(isValidHeaderName("x\r\ny")).toBe(false);
    expect(isValidHeaderName("é")).toBe(false);
  });
  it("refuses header values that could inject", () => {
    expect(isSafeHeaderValue("plain value\twith tab")).toBe(true);
    expect(isSafeHeaderValue("é ok")).toBe(true);
    expect(isSafeHeaderValue("a\r\nx-admin: true")).toBe(false);
    expect(isSafeHeaderValue("a\nb")).toBe(false);
    expect(isSafeHeaderValue("a\u0000b")).toBe(false);
    expect(isSafeHeaderValue("a\u007fb")).toBe(false);
    expect(isSafeHeaderValue("x".repeat(9000))).toBe(false);
    expect(isSafeHeaderValue("x".repeat(10), 5)).toBe(false);
    expect(lowerAscii("AbC-É")).toBe("abc-É");
  });
});

describe("client IP", () => {
  it("parses addresses", () => {
    expect(isIPv4("192.168.0.1")).toBe(true);
    expect(isIPv4("256.1.1.1")).toBe(false);
    expect(isIPv4("01.1.1.1")).toBe(false);
    expect(isIPv4("1.1.1")).toBe(false);
    expect(isIPv4("1.1.1.1.")).toBe(false);
    expect(isIPv6("::1")).toBe(true);
    expect(isIPv6("2001:db8::8a2e:370:7334")).toBe(true);
    expect(isIPv6("::ffff:10.0.0.1")).toBe(true);
    expect(isIPv6("1:2:3:4:5:6:7:8")).toBe(true);
    expect(isIPv6("1:2:3:4:5:6:7:8:9")).toBe(false);
    expect(isIPv6("1::2::3")).toBe(false);
    expect(isIPv6("12345::")).toBe(false);
    expect(isIPv6("g::")).toBe(false);
  });
  it("strips ports", () => {
    expect(stripPort("1.2.3.4:5678")).toBe("1.2.3.4");
    expect(stripPort("[::1]:8080")).toBe("::1");
    expect(stripPort("[2001:db8::1]")).toBe("2001:db8::1");
    expect(stripPort("::1")).toBe("::1");
    expect(stripPort(" 1.2.3.4 ")).toBe("1.2.3.4");
    expect(stripPort("1.2.3.4:99999")).toBe("");
    expect(stripPort("[::1")).toBe("");
    expect(stripPort("[::1]x")).toBe("");
    expect(stripPort("evil.example")).toBe("");
    expect(stripPort("")).toBe("");
  });
  it("uses the peer unless hops are trusted", () => {
    expect(selectClientIp("10.0.0.1:5555", "6.6.6.6", 0)).toBe("10.0.0.1");
    expect(selectClientIp("10.0.0.1:5555", null, 1)).toBe("10.0.0.1");
  });
  it("counts trusted hops from the right of x-forwarded-for", () => {
    const xff = "6.6.6.6, 203.0.113.7, 10.1.1.1";
    expect(selectClientIp("10.0.0.1:1", xff, 1)).toBe("10.1.1.1");
    expect(selectClientIp("10.0.0.1:1", xff, 2)).toBe("203.0.113.7");
    expect(selectClientIp("10.0.0.1:1", xff, 3)).toBe("6.6.6.6");
    expect(selectClientIp("10.0.0.1:1", xff, 4)).toBe("10.0.0.1"); // too short: peer
    expect(selectClientIp("10.0.0.1:1", "[2001:db8::1]:443,1.2.3.4:80", 2)).toBe("2001:db8::1");
  });
  it("falls back to the peer on garbage", () => {
    expect(selectClientIp("10.0.0.1:1", "1.1.1.1, not-an-ip", 1)).toBe("10.0.0.1");
    expect(selectClientIp("10.0.0.1:1", "", 1)).toBe("10.0.0.1");
    expect(selectClientIp("10.0.0.1:1", ",,,", 2)).toBe("10.0.0.1");
    expect(selectClientIp("10.0.0.1:1", "1.1.1.1,".repeat(10000), 3)).toBe("1.1.1.1");
    expect(selectClientIp("garbage", "x", 1)).toBe("");
  });
});

describe("client addresses", () => {
  it("validates IPv4", () => {
    expect(isIPv4("1.2.3.4")).toBe(true);
    expect(isIPv4("0.0.0.0")).toBe(true);
    expect(isIPv4("255.255.255.255")).toBe(true);
    expect(isIPv4("10.0.0.10")).toBe(true);
    expect(isIPv4("01.2.3.4")).toBe(false); // leading zero
    expect(isIPv4("00.1.2.3")).toBe(false);
    expect(isIPv4("1.2.3.256")).toBe(false);
    expect(isIPv4("1000.2.3.4")).toBe(false);
    expect(isIPv4("1.2.3")).toBe(false);
    expect(isIPv4("1.2.3.4.5")).toBe(false);
    expect(isIPv4("1..2.3")).toBe(false);
    expect(isIPv4("1.2.3.")).toBe(false);
    expect(isIPv4("1.2.3.4 ")).toBe(false);
    expect(isIPv4("1.2.3.a")).toBe(false);
    expect(isIPv4("111.222.233.2444")).toBe(false);
  });
  it("validates IPv6", () => {
    expect(isIPv6("::1")).toBe(true);
    expect(isIPv6("::")).toBe(true);
    expect(isIPv6("2001:db8::1")).toBe(true);
    expect(isIPv6("2001:DB8:0:0:0:0:0:1")).toBe(true);
    expect(isIPv6("1:2:3:4:5:6:7:8")).toBe(true);
    expect(isIPv6("::ffff:1.2.3.4")).toBe(true);
    expect(isIPv6("1:2:3:4:5:6:1.2.3.4")).toBe(true);
    expect(isIPv6("1:2:3:4:5:6:7:8:9")).toBe(false);
    expect(isIPv6("1:2:3:4:5:6:7")).toBe(false);
    expect(isIPv6("1::2::3")).toBe(false);
    expect(isIPv6(":1")).toBe(false);
    expect(isIPv6("1:")).toBe(false);
    expect(isIPv6("12345::")).toBe(false);
    expect(isIPv6("g::")).toBe(false);
    expect(isIPv6("::ffff:1.2.3.256")).toBe(false);
    expect(isIPv6("1.2.3.4")).toBe(false);
  });
  it("strips ports and brackets", () => {
    expect(stripPort("1.2.3.4:80")).toBe("1.2.3.4");
    expect(stripPort("1.2.3.4:65535")).toBe("1.2.3.4");
    expect(stripPort("1.2.3.4:65536")).toBe("");
    expect(stripPort("1.2.3.4:")).toBe("");
    expect(stripPort("1.2.3.4:123456")).toBe("");
    expect(stripPort("[::1]:443")).toBe("::1");
    expect(stripPort("[::1]")).toBe("::1");
    expect(stripPort("[::1]x")).toBe("");
    expect(stripPort("[::1")).toBe("");
    expect(stripPort("[1.2.3.4]")).toBe("");
    expect(stripPort("::1")).toBe("::1");
    expect(stripPort(" 10.0.0.1 ")).toBe("10.0.0.1");
    // only ASCII white space is trimmed, as Envoy trims an XFF entry (StringUtil::ltrim/rtrim in
    // Utility::getLastAddressFromXFF, source/common/http/utility.cc): U+00A0 and U+3000 stay
    expect(stripPort("\u00A010.0.0.1\u3000")).toBe("");
    expect(stripPort("")).toBe("");
    expect(stripPort("host:80")).toBe("");
  });
  it("selects the trusted x-forwarded-for entry, or the peer", () => {
    const xff = "198.51.100.1, 203.0.113.7 ,[2001:db8::2]:8080";
    expect(selectClientIp("10.0.0.1:5555", xff, 0)).toBe("10.0.0.1");
    expect(selectClientIp("10.0.0.1:5555", xff, 1)).toBe("2001:db8::2");
    expect(selectClientIp("10.0.0.1:5555", xff, 2)).toBe("203.0.113.7");
    expect(selectClientIp("10.0.0.1:5555", xff, 3)).toBe("198.51.100.1");
    expect(selectClientIp("10.0.0.1:5555", xff, 4)).toBe("10.0.0.1"); // list too short
    expect(selectClientIp("10.0.0.1:5555", "forged, 1.2.3.4", 2)).toBe("10.0.0.1");
    expect(selectClientIp("10.0.0.1:5555", null, 1)).toBe("10.0.0.1");
    expect(selectClientIp("10.0.0.1", "1.2.3.4", 65)).toBe("10.0.0.1");
    expect(selectClientIp("10.0.0.1", ",1.2.3.4", 2)).toBe("10.0.0.1"); // an empty entry
    expect(selectClientIp("bad", "", 1)).toBe("");
    expect(selectClientIp("10.0.0.1", "1.2.3.4,".repeat(70) + "5.6.7.8", 64)).toBe("1.2.3.4");
  });
});

describe("header syntax", () => {
  it("checks names and values", () => {
    expect(isValidHeaderName("x-api-key")).toBe(true);
    expect(isValidHeaderName("!#$%&'*+-.^_`|~09AZaz")).toBe(true);
    expect(isValidHeaderName("")).toBe(false);
    expect(isValidHeaderName("a b")).toBe(false);
    expect(isValidHeaderName(":path")).toBe(false);
    expect(isValidHeaderName("é")).toBe(false);
    expect(isValidHeaderName("a".repeat(1024))).toBe(true);
    expect(isValidHeaderName("a".repeat(1025))).toBe(false);
    expect(isTokenChar(0x7F)).toBe(false);
    expect(isTokenChar(-1)).toBe(false);
    expect(isSafeHeaderValue("a\tb é")).toBe(true);
    expect(isSafeHeaderValue("a\r\nb")).toBe(false);
    expect(isSafeHeaderValue("\u007F")).toBe(false);
    expect(isSafeHeaderValue("abc", 2)).toBe(false);
    expect(isSafeHeaderValue("\uD800")).toBe(true); // counted in units, surrogates not checked
    expect(isWritableHeaderValue("a\tb é", 100)).toBe(true);
    expect(isWritableHeaderValue("a\nb", 100)).toBe(false);
    expect(isWritableHeaderValue("\u0000", 100)).toBe(false);
    expect(isWritableHeaderValue("x\uD83D\uDE00", 100)).toBe(true);
    expect(isWritableHeaderValue("x\uD83D", 100)).toBe(false); // unpaired high surrogate at the end
    expect(isWritableHeaderValue("\uD83Dx", 100)).toBe(false);
    expect(isWritableHeaderValue("\uDE00\uD83D", 100)).toBe(false); // low before high
    expect(isWritableHeaderValue("ééé", 6)).toBe(true); // UTF-8 bytes: 6
    expect(isWritableHeaderValue("ééé", 5)).toBe(false);
    expect(isWritableHeaderValue("\uD83D\uDE00", 4)).toBe(true);
    expect(isWritableHeaderValue("\uD83D\uDE00", 3)).toBe(false);
    expect(isWritableHeaderValue("abc", 2)).toBe(false);
    expect(isWritableHeaderValue("\t", 1)).toBe(true); // HTAB is one byte (found by the fuzz test)
    expect(isWritableHeaderValue("a\tb", 3)).toBe(true);
    expect(isWritableHeaderValue("a\tb", 2)).toBe(false);
    expect(isWritableHeaderValue("\u20AC\u20AC", 6)).toBe(true); // 3 bytes each
    expect(isWritableHeaderValue("\u20AC\u20AC", 5)).toBe(false);
    expect(isWritableHeaderValue("a\u07FF\u0800", 6)).toBe(true); // 1 + 2 + 3
    expect(isWritableHeaderValue("a\u07FF\u0800", 5)).toBe(false);
    // the byte limit is the UTF-8 length exactly, on random well-formed values
    let seed: u32 = 11;
    const units: u16[] = [0x41, 0x7E, 0x09, 0xA0, 0xE9, 0x7FF, 0x800, 0x20AC, 0xFFFD, 0xD83D];
    for (let t = 0; t < 500; t++) {
      let v = "";
      seed = seed * 1103515245 + 12345;
      const len = (seed >>> 16) % 12;
      for (let k: u32 = 0; k < len; k++) {
        seed = seed * 1103515245 + 12345;
        const u = units[(seed >>> 16) % <u32>units.length];
        v += u == 0xD83D ? "\uD83D\uDE00" : String.fromCharCode(u);
      }
      const b = String.UTF8.byteLength(v);
      if (!isWritableHeaderValue(v, b) || (b > 0 && isWritableHeaderValue(v, b - 1))) { expect(v).toBe("(limit not at its UTF-8 length)"); break; }
    }
    // the edges of the printable-ASCII fast path
    expect(isWritableHeaderValue(" ~!", 100)).toBe(true);
    expect(isWritableHeaderValue("a\u007F", 100)).toBe(false);
    expect(isWritableHeaderValue("a\u001F", 100)).toBe(false);
    expect(isWritableHeaderValue("\u0080\u00FF", 100)).toBe(true);
  });
  it("accepts upper-case method names: tokens without a-z", () => {
    for (let c = 0; c < 0x110; c++) {
      const s = "GET" + String.fromCharCode(c);
      const want = isValidHeaderName(s) && !(c >= 97 && c <= 122);
      expect(isUpperCaseMethod(s)).toBe(want, c.toString());
      expect(isUpperCaseMethod(String.fromCharCode(c))).toBe(want, c.toString());
    }
    expect(isUpperCaseMethod("")).toBe(false);
    expect(isUpperCaseMethod("M-SEARCH")).toBe(true);
    expect(isUpperCaseMethod("A".repeat(1024))).toBe(true);
    expect(isUpperCaseMethod("A".repeat(1025))).toBe(false);
  });
  it("lower-cases ASCII only", () => {
    expect(lowerAscii("Content-TYPE")).toBe("content-type");
    expect(lowerAscii("already")).toBe("already");
    expect(lowerAscii("ÉA@[Z`")).toBe("Éa@[z`");
    expect(lowerAscii("")).toBe("");
    expect(lastIndexOfUnit("a,b,c", 44, 4)).toBe(3);
    expect(lastIndexOfUnit("a,b,c", 44, 2)).toBe(1);
    expect(lastIndexOfUnit("a,b,c", 44, 100)).toBe(3);
    expect(lastIndexOfUnit("abc", 44, 2)).toBe(-1);
    expect(lastIndexOfUnit("", 44, -1)).toBe(-1);
    expect(indexOfUnit("a,b,c", 44, 0)).toBe(1);
    expect(indexOfUnit("a,b,c", 44, 1)).toBe(1);
    expect(indexOfUnit("a,b,c", 44, 2)).toBe(3);
    expect(indexOfUnit("a,b,c", 44, 4)).toBe(-1);
    expect(indexOfUnit("a,b,c", 44, 100)).toBe(-1);
    expect(indexOfUnit("", 44, 0)).toBe(-1);
    expect(indexOfUnit("a\u00e9", 0xE9, 0)).toBe(1);
  });
  it("normalises hosts", () => {
    expect(normalizeHost("Example.COM:8080")).toBe("example.com");
    expect(normalizeHost("[::1]:80")).toBe("[::1]");
    expect(normalizeHost("[::1]")).toBe("[::1]");
    expect(normalizeHost("[::1")).toBe("[::1");
    expect(normalizeHost("a.example.")).toBe("a.example");
    expect(normalizeHost("a.example.:443")).toBe("a.example");
    expect(normalizeHost(".")).toBe(".");
    expect(normalizeHost("")).toBe("");
    expect(normalizeHost(":80")).toBe("");
    const v = RequestView.build("GET", "/", "", [new HeaderPair("Host", "WWW.X.ORG.:8080"), new HeaderPair("X-Forwarded-For", "1.2.3.4")],
      "10.0.0.1:9", new RequestOptions());
    expect(v.host).toBe("www.x.org");
    expect(v.clientIp).toBe("10.0.0.1");
    expect(v.method).toBe("GET");
    expect(v.rawPath).toBe("/");
    const o = new RequestOptions();
    o.pathOptions.mergeSlashes = false;
    o.trustedHops = 1;
    const w = RequestView.build("GET", "/a//b/./c", "", [new HeaderPair("x-forwarded-for", "1.2.3.4")], "10.0.0.1:9", o);
    expect(w.path).toBe("/a//b/c");
    expect(w.clientIp).toBe("1.2.3.4");
    expect(RequestView.build("GET", "/a//b", "", [], "", new RequestOptions()).path).toBe("/a/b");
    const empty = new RequestView(); // no header source at all
    expect(empty.header("x")).toBeNull();
    expect(empty.headerValues("x").length).toBe(0);
    expect(empty.method).toBe("");
    expect(empty.rawPath).toBe("");
    expect(empty.path).toBe("/");
    expect(empty.host).toBe("");
    expect(empty.clientIp).toBe("");
    expect(empty.cookie("a")).toBeNull();
    expect(empty.queryParam("a")).toBeNull();
  });
});

describe("UTF-8 and joining", () => {
  it("decodes lead bytes by Unicode Table 3-7", () => {
    expect(decodeUtf8Lossy(bytes([0xC2, 0xA9]))).toBe("©");
    expect(decodeUtf8Lossy(bytes([0xC1, 0xBF]))).toBe("\uFFFD\uFFFD"); // overlong
    expect(decodeUtf8Lossy(bytes([0xE0, 0x80, 0x80]))).toBe("\uFFFD\uFFFD\uFFFD");
    expect(decodeUtf8Lossy(bytes([0xE0, 0xA0, 0x80]))).toBe("\u0800");
    expect(decodeUtf8Lossy(bytes([0xED, 0x9F, 0xBF]))).toBe("\uD7FF");
    expect(decodeUtf8Lossy(bytes([0xED, 0xA0, 0x80]))).toBe("\uFFFD\uFFFD\uFFFD"); // a surrogate
    expect(decodeUtf8Lossy(bytes([0xEF, 0xBF, 0xBD]))).toBe("\uFFFD");
    expect(decodeUtf8Lossy(bytes([0xF0, 0x90, 0x80, 0x80]))).toBe("\uD800\uDC00");
    expect(decodeUtf8Lossy(bytes([0xF0, 0x8F, 0xBF, 0xBF]))).toBe("\uFFFD\uFFFD\uFFFD\uFFFD");
    expect(decodeUtf8Lossy(bytes([0xF4, 0x8F, 0xBF, 0xBF]))).toBe("\uDBFF\uDFFF");
    expect(decodeUtf8Lossy(bytes([0xF4, 0x90, 0x80, 0x80]))).toBe("\uFFFD\uFFFD\uFFFD\uFFFD");
    expect(decodeUtf8Lossy(bytes([0xF5, 0x80]))).toBe("\uFFFD\uFFFD");
    expect(decodeUtf8Lossy(bytes([0xF1, 0x80, 0x80, 0x41]))).toBe("\uFFFDA"); // truncated: one U+FFFD
    expect(decodeUtf8Lossy(bytes([0xC2]))).toBe("\uFFFD");
    expect(decodeUtf8Lossy(bytes([0xFF, 0xFE, 0x41]))).toBe("\uFFFD\uFFFDA");
    expect(isWellFormedUtf8(bytes([0x41, 0xE2, 0x82, 0xAC]))).toBe(-1);
    expect(isWellFormedUtf8(bytes([0x41, 0xE2, 0x82]))).toBe(1);
  });
  it("joins strings", () => {
    expect(joinStrings([])).toBe("");
    expect(joinStrings([], ", ")).toBe("");
    expect(joinStrings(["a"], ", ")).toBe("a");
    expect(joinStrings(["a", "", "b"], "; ")).toBe("a; ; b");
    expect(joinStrings(["ab", "c"])).toBe("abc");
    expect(joinStrings(["", ""], "")).toBe("");
  });
  it("trims cookie names and values on both sides", () => {
    const c = parseCookies("\ta\t=\t b \t;c= \"\" ; d=\"x;y=\"z\"");
    expect(getCookie(c, "a")).toBe("b");
    expect(getCookie(c, "c")).toBe("");
    expect(getCookie(c, "d")).toBe("\"x");
    expect(getCookie(c, "y")).toBe("z");
    expect(parseCookies(" \t ; \t= x").length).toBe(0);
    const own: Cookie[] = [new Cookie("n", "v")];
    expect(getCookie(own, "n")).toBe("v");
    expect(c[0].name).toBe("a");
    expect(c[0].value).toBe("b");
  });
  it("splits query pieces at their first '='", () => {
    const q = parseQuery("a=b=c&=x&y&%3D=1");
    expect(q.params.length).toBe(4);
    expect(q.get("a")).toBe("b=c");
    expect(q.get("")).toBe("x");
    expect(q.params[2].bare).toBe(true);
    expect(q.get("=")).toBe("1");
    const e = parseQuery("&&a&");
    expect(e.params.length).toBe(1);
    expect(e.get("a")).toBe("");
    expect(parseQuery("").params.length).toBe(0);
    expect(parseCookies("a=1;;b=2;").length).toBe(2);
    expect(getCookie(parseCookies("a=1;;b=2;"), "b")).toBe("2");
  });
});
