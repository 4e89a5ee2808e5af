import { percentDecode, percentDecodeStrict, percentEncode } from "../../assembly/lib/percent";
import { canonicalizePath, PathOptions, EscapedSlashes, Backslash, removeDotSegments } from "../../assembly/lib/path";
import { parseQuery, serializeQuery, QueryParam } from "../../assembly/lib/query";
import { parseCookies, getCookie } from "../../assembly/lib/cookie";
import { decodeUtf8Lossy } from "../../assembly/lib/utf8";

function canon(p: string): string {
  const r = canonicalizePath(p);
  return r.ok ? r.path : "ERR:" + r.error;
}
function canonWith(p: string, o: PathOptions): string {
  const r = canonicalizePath(p, o);
  return r.ok ? r.path : "ERR:" + r.error;
}

describe("percent decoding", () => {
  it("decodes valid escapes, including multi-byte UTF-8", () => {
    expect(percentDecode("a%20b%2Fc")).toBe("a b/c");
    expect(percentDecode("%C3%A9t%c3%a9")).toBe("été");
    expect(percentDecode("%F0%9F%98%80")).toBe("😀");
    expect(percentDecode("plain")).toBe("plain");
    expect(percentDecode("a+b")).toBe("a+b");
    expect(percentDecode("a+b", true)).toBe("a b");
  });
  it("is tolerant of bad escapes and bad UTF-8", () => {
    expect(percentDecode("100%")).toBe("100%");
    expect(percentDecode("%zz%4")).toBe("%zz%4");
    expect(percentDecode("%E0%A4%A")).toBe("\uFFFD%A"); // std decodeURIComponent aborts here; one U+FFFD for E0 A4 (maximal subpart)
    expect(percentDecode("%FF")).toBe("\uFFFD");
    expect(percentDecode("%C0%AF")).toBe("\uFFFD\uFFFD"); // overlong '/'
    expect(percentDecode("%00")).toBe("\u0000");
  });
  it("has a strict mode that reports failure", () => {
    expect(percentDecodeStrict("a%20b")).toBe("a b");
    expect(percentDecodeStrict("100%")).toBeNull();
    expect(percentDecodeStrict("%G1")).toBeNull();
    expect(percentDecodeStrict("%FF")).toBeNull();
    expect(percentDecodeStrict("%E0%A4%A")).toBeNull();
    expect(percentDecodeStrict("x+y", true)).toBe("x y");
  });
  it("encodes everything outside the unreserved set", () => {
    expect(percentEncode("a b&c=d/é~._-")).toBe("a%20b%26c%3Dd%2F%C3%A9~._-");
    expect(percentEncode("a/b", "/")).toBe("a/b");
    expect(percentEncode("😀")).toBe("%F0%9F%98%80");
    expect(percentEncode("\r\n")).toBe("%0D%0A");
  });
  it("decodes lossy UTF-8 without trapping", () => {
    const b = new Uint8Array(4); b[0] = 0x41; b[1] = 0xE2; b[2] = 0x82; b[3] = 0x41;
    expect(decodeUtf8Lossy(b)).toBe("A\uFFFDA"); // E2 82: one maximal subpart (as TextDecoder)
  });
});

describe("canonicalizePath", () => {
  it("leaves canonical paths alone and splits the query", () => {
    expect(canon("/")).toBe("/");
    expect(canon("/api/v1/users")).toBe("/api/v1/users");
    expect(canon("/a/b/")).toBe("/a/b/");
    const r = canonicalizePath("/search?q=a/../b&x=1#frag");
    expect(r.path).toBe("/search");
    expect(r.query).toBe("q=a/../b&x=1");
    expect(r.hasQuery).toBe(true);
    expect(canonicalizePath("/x?").hasQuery).toBe(true);
    expect(canonicalizePath("/x").hasQuery).toBe(false);
  });
  it("drops the fragment, even before a '?'", () => {
    expect(canon("/public#/../admin")).toBe("/public");
    const r = canonicalizePath("/a#x?y=1");
    expect(r.hasQuery).toBe(false);
  });
  it("resolves dot segments, never above the root", () => {
    expect(canon("/a/../admin")).toBe("/admin");
    expect(canon("/a/./b")).toBe("/a/b");
    expect(canon("/../../etc/passwd")).toBe("/etc/passwd");
    expect(canon("/a/b/..")).toBe("/a/");
    expect(canon("/a/b/.")).toBe("/a/b/");
    expect(canon("/..")).toBe("/");
    expect(canon("/a/..b/c")).toBe("/a/..b/c"); // "..b" is a name, not a dot segment
    expect(canon("/a/.../c")).toBe("/a/.../c");
  });
  it("decodes unreserved escapes before resolving segments", () => {
    expect(canon("/%2e%2e/admin")).toBe("/admin");
    expect(canon("/public/%2E%2E/admin")).toBe("/admin");
    expect(canon("/public/.%2e/admin")).toBe("/admin");
    expect(canon("/%61dmin")).toBe("/admin");
    expect(canon("/a%7Eb%2D%5F")).toBe("/a~b-_");
  });
  it("keeps reserved escapes encoded, upper-cased", () => {
    expect(canon("/a%2fb")).toBe("/a%2Fb");
    expect(canon("/a%5cb")).toBe("/a%5Cb");
    expect(canon("/a%20b%3f")).toBe("/a%20b%3F");
    expect(canon("/a%00b")).toBe("/a%00b");
    expect(canon("/100%")).toBe("/100%");
    expect(canon("/%zz/x")).toBe("/%zz/x");
    expect(canon("/%c3%a9")).toBe("/%C3%A9");
  });
  it("can reject or unescape encoded slashes", () => {
    const rej = new PathOptions(); rej.escapedSlashes = EscapedSlashes.Reject;
    expect(canonWith("/a%2Fb", rej)).toBe("ERR:encoded slash or backslash in path");
    expect(canonWith("/a%5cb", rej)).toBe("ERR:encoded slash or backslash in path");
    expect(canonWith("/a%00", rej)).toBe("ERR:encoded NUL in path");
    expect(canonWith("/a/b", rej)).toBe("/a/b");
    const un = new PathOptions(); un.escapedSlashes = EscapedSlashes.Unescape;
    expect(canonWith("/public%2F..%2Fadmin", un)).toBe("/admin");
    expect(canonWith("/a%5Cb", un)).toBe("/a/b");
    expect(canonWith("/a%00", un)).toBe("ERR:encoded NUL in path");
  });
  it("merges duplicate slashes (or not)", () => {
    expect(canon("//admin")).toBe("/admin");
    expect(canon("/a///b//")).toBe("/a/b/");
    const keep = new PathOptions(); keep.mergeSlashes = false;
    expect(canonWith("//admin", keep)).toBe("//admin");
    expect(canonWith("/a//..", keep)).toBe("/a/");
  });
  it("treats backslashes as configured", () => {
    expect(canon("/a\\..\\admin")).toBe("/admin");
    expect(canon("\\admin")).toBe("/admin");
    const keep = new PathOptions(); keep.backslash = Backslash.Keep;
    expect(canonWith("/a\\b", keep)).toBe("/a\\b");
    const rej = new PathOptions(); rej.backslash = Backslash.Reject;
    expect(canonWith("/a\\b", rej)).toBe("ERR:backslash in path");
  });
  it("refuses control characters and relative paths", () => {
    expect(canon("/a\nb")).toBe("ERR:control character in path");
    expect(canon("/a\u0000")).toBe("ERR:control character in path");
    expect(canon("/a\u007f")).toBe("ERR:control character in path");
    expect(canon("admin")).toBe("ERR:path must start with /");
    expect(canon("http://x/y")).toBe("ERR:path must start with /");
    expect(canon("")).toBe("/");
    expect(canon("?a=1")).toBe("/");
    expect(canon("*")).toBe("*");
  });
  it("does not interpret ';' path parameters", () => {
    expect(canon("/admin;x=1/../y")).toBe("/y");
    expect(canon("/admin;jsessionid=1")).toBe("/admin;jsessionid=1");
  });
  it("handles huge hostile paths", () => {
    expect(canon("/" + "../".repeat(20000) + "x")).toBe("/x");
    expect(canon("/".repeat(50000))).toBe("/");
    expect(canon("/" + "%2e%2e/".repeat(5000) + "a")).toBe("/a");
    expect(removeDotSegments("/a/b", true)).toBe("/a/b");
  });
});

describe("query strings", () => {
  it("parses pairs in order with tolerant decoding", () => {
    const q = parseQuery("a=1&b=x+y&c&a=%zz&&d=%C3%A9&e==");
    expect(q.params.length).toBe(6);
    expect(q.get("a")).toBe("1");
    expect(q.getAll("a")).toStrictEqual(["1", "%zz"]);
    expect(q.get("b")).toBe("x y");
    expect(q.get("c")).toBe("");
    expect(q.has("c")).toBe(true);
    expect(q.get("d")).toBe("é");
    expect(q.get("e")).toBe("=");
    expect(q.get("zz")).toBeNull();
    expect(parseQuery("").params.length).toBe(0);
    expect(parseQuery("a%3Db=c").get("a=b")).toBe("c");
  });
  it("bounds the number of parameters", () => {
    const q = parseQuery("a=1&".repeat(1000), 10);
    expect(q.params.length).toBe(10);
    expect(q.truncated).toBe(true);
    expect(parseQuery("&".repeat(100000)).params.length).toBe(0);
  });
  it("serialises with encoding", () => {
    const ps: QueryParam[] = [new QueryParam("a b", "c&d"), new QueryParam("flag", "", true), new QueryParam("e", "")];
    expect(serializeQuery(ps)).toBe("a%20b=c%26d&flag&e=");
    expect(serializeQuery(parseQuery("x=1&y&z=%2F").params)).toBe("x=1&y&z=%2F");
  });
});

describe("cookies", () => {
  it("parses name=value pairs", () => {
    const c = parseCookies("session=abc123; theme=dark;  lang = en ;empty=; q=\"quoted\"");
    expect(c.length).toBe(5);
    expect(getCookie(c, "session")).toBe("abc123");
    expect(getCookie(c, "theme")).toBe("dark");
    expect(getCookie(c, "lang")).toBe("en");
    expect(getCookie(c, "empty")).toBe("");
    expect(getCookie(c, "q")).toBe("quoted");
    expect(getCookie(c, "missing")).toBeNull();
  });
  it("skips malformed pieces", () => {
    const c = parseCookies(";;noequals; =novalue; a=b=c;");
    expect(c.length).toBe(1);
    expect(getCookie(c, "a")).toBe("b=c");
    expect(parseCookies("").length).toBe(0);
    expect(parseCookies("x=\"").length).toBe(1);
    expect(getCookie(parseCookies("x=\""), "x")).toBe("\"");
  });
  it("bounds the number of cookies", () => {
    expect(parseCookies("a=1;".repeat(1000), 5).length).toBe(5);
    expect(parseCookies("a=1;".repeat(1000)).length).toBe(128);
  });
});
