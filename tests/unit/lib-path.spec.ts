import { percentDecode, percentDecodeStrict, percentEncode, escapeAt, escapeByte, isUnreserved, hexVal } from "../../assembly/lib/percent";
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

// The two-pass model canonicalizePath must agree with: decode escapes and backslashes into a new
// string (refusing what the options refuse), then removeDotSegments.
function reference(raw: string, o: PathOptions): string {
  let end = raw.length;
  let q = -1;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c == 63) { if (q < 0) q = i; } else if (c == 35) { end = i; break; }
  }
  const pathEnd = q >= 0 && q < end ? q : end;
  if (pathEnd == 0) return "/";
  if (raw.charCodeAt(0) == 42 && pathEnd == 1) return "*";
  if (raw.charCodeAt(0) != 47 && raw.charCodeAt(0) != 92) return "ERR:path must start with /";
  let d = "";
  for (let i = 0; i < pathEnd; i++) {
    const c = raw.charCodeAt(i);
    if (c < 0x20 || c == 0x7F) return "ERR:control character in path";
    if (c == 92) {
      if (o.backslash == Backslash.Reject) return "ERR:backslash in path";
      d += o.backslash == Backslash.ToSlash ? "/" : "\\";
      continue;
    }
    const v = c == 37 ? escapeAt(raw, i) : -1;
    if (v < 0) { d += String.fromCharCode(c); continue; }
    i += 2;
    if (isUnreserved(v)) { d += String.fromCharCode(v); continue; }
    if (v == 0x2F || v == 0x5C || v == 0) {
      if (o.escapedSlashes == EscapedSlashes.Reject) return v == 0 ? "ERR:encoded NUL in path" : "ERR:encoded slash or backslash in path";
      if (o.escapedSlashes == EscapedSlashes.Unescape) {
        if (v == 0) return "ERR:encoded NUL in path";
        if (v == 0x5C && o.backslash == Backslash.Reject) return "ERR:backslash in path";
        d += v == 0x5C && o.backslash == Backslash.Keep ? "\\" : "/";
        continue;
      }
    }
    d += escapeByte(v);
  }
  if (d.charCodeAt(0) != 47) return "ERR:path must start with /";
  return removeDotSegments(d, o.mergeSlashes);
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
    expect(percentDecode("%C3é%A9")).toBe("\uFFFDé\uFFFD"); // a literal character ends an escaped sequence
    expect(percentDecode("x\ud800%41")).toBe("x\uFFFDA");
    expect(percentDecode("%F0%9F%98")).toBe("\uFFFD");
    expect(percentDecode("%ED%A0%80")).toBe("\uFFFD\uFFFD\uFFFD"); // an encoded surrogate
  });
  it("has a strict mode that reports failure", () => {
    expect(percentDecodeStrict("a%20b")).toBe("a b");
    expect(percentDecodeStrict("100%")).toBeNull();
    expect(percentDecodeStrict("%G1")).toBeNull();
    expect(percentDecodeStrict("%FF")).toBeNull();
    expect(percentDecodeStrict("%E0%A4%A")).toBeNull();
    expect(percentDecodeStrict("x+y", true)).toBe("x y");
  });
  it("classifies hex digits and unreserved characters", () => {
    for (let c = -1; c < 0x10000; c++) {
      const l = c | 0x20;
      const unres = (l >= 97 && l <= 122) || (c >= 48 && c <= 57) || c == 45 || c == 46 || c == 95 || c == 126;
      if (isUnreserved(c) != unres) expect(c).toBe(-1);
      const hex = c >= 48 && c <= 57 ? c - 48 : l >= 97 && l <= 102 ? l - 87 : -1;
      if (hexVal(c) != hex) expect(c).toBe(-1);
    }
    expect(escapeAt("%2f", 0)).toBe(0x2F);
    expect(escapeAt("%2", 0)).toBe(-1);
    expect(escapeAt("x%Fg", 1)).toBe(-1);
    expect(escapeAt("%ff", -1)).toBe(-1);
    expect(escapeByte(0xAB)).toBe("%AB");
    expect(escapeByte(0x05)).toBe("%05");
  });
  it("encodes everything outside the unreserved set", () => {
    expect(percentEncode("a\ud800b\udc00\ud83d\ude00")).toBe("a%EF%BF%BDb%EF%BF%BD%F0%9F%98%80"); // lone surrogates as U+FFFD
    expect(percentEncode("\ud800")).toBe("%EF%BF%BD");
    expect(percentEncode("é/x", "é/")).toBe("%C3%A9/x"); // only ASCII keep characters count
    expect(percentEncode("safe-._~")).toBe("safe-._~");
    expect(percentEncode("")).toBe("");
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
  it("cuts an already canonical path from the raw one, and works out any other in full", () => {
    // (the first loop's plain case: '/' first, printable ASCII but '%' and '\\', no "//", no segment starting with '.')
    expect(canon("/a.b/c.")).toBe("/a.b/c.");
    expect(canon("/a/.b")).toBe("/a/.b"); // not plain, and canonical as it is
    expect(canon("/a/..b/c")).toBe("/a/..b/c");
    expect(canon("/a//b")).toBe("/a/b");
    expect(canon("//")).toBe("/");
    expect(canon("/.")).toBe("/");
    expect(canon("/a/%7Eb")).toBe("/a/~b");
    expect(canon("/a/~b")).toBe("/a/~b");
    expect(canon("/caf\u00e9/x")).toBe("/caf\u00e9/x");
    expect(canon("/a\u007Fb")).toBe("ERR:" + canonicalizePath("/\u0001").error);
    expect(canon("\\a/b")).toBe("/a/b");
    expect(canon("a/b")).toBe("ERR:" + canonicalizePath("x").error);
    expect(canon("/a b")).toBe("/a b");
    const q = canonicalizePath("/a/./b?x=1&y#f?z");
    expect(q.path).toBe("/a/b");
    expect(q.query).toBe("x=1&y");
    expect(canonicalizePath("/?").query).toBe("");
    expect(canonicalizePath("/?").hasQuery).toBe(true);
    expect(canonicalizePath("/a%zz?q").query).toBe("q");
    expect(canonicalizePath("/a\u0001?q").query).toBe("q"); // a refused path keeps its query
    expect(canonicalizePath("/a#?q").query).toBe("");
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
  it("resolves segments and escapes together in one pass", () => {
    expect(canon("/a/%2e%2e/%2e/b")).toBe("/b");
    expect(canon("/a/b/../../..")).toBe("/");
    expect(canon("/a/b/../../../")).toBe("/");
    expect(canon("/.%2E")).toBe("/");
    expect(canon("/a/.%2E%2F")).toBe("/a/..%2F");
    expect(canon("/%2e%2e%2fadmin")).toBe("/..%2Fadmin"); // %2F is no separator by default
    expect(canon("/a%2F..%2Fb")).toBe("/a%2F..%2Fb");
    expect(canon("/a%2fb%2F/./c")).toBe("/a%2Fb%2F/c");
    expect(canon("/x/%41%42/..")).toBe("/x/");
    expect(canon("/ab/.../..")).toBe("/ab/");
    expect(canon("/a/..%2e")).toBe("/a/...");
    expect(canon("\\\\")).toBe("/");
    expect(canon("/a\\.\\b")).toBe("/a/b");
    const keep = new PathOptions(); keep.mergeSlashes = false;
    expect(canonWith("/a//b/..//c", keep)).toBe("/a///c");
    expect(canonWith("///..", keep)).toBe("//");
    expect(canonWith("/a/../../", keep)).toBe("/");
    const kb = new PathOptions(); kb.backslash = Backslash.Keep;
    expect(canonWith("\\a", kb)).toBe("ERR:path must start with /");
    expect(canonWith("\\a\n", kb)).toBe("ERR:control character in path"); // checked before the start
    expect(canonWith("/a\\..\\b", kb)).toBe("/a\\..\\b"); // kept backslashes are no separators
    const un = new PathOptions(); un.escapedSlashes = EscapedSlashes.Unescape; un.backslash = Backslash.Keep;
    expect(canonWith("/a%5C..%2F%2e%2e/b", un)).toBe("/b");
    expect(canonWith("/a%5Cb", un)).toBe("/a\\b");
    const ur = new PathOptions(); ur.escapedSlashes = EscapedSlashes.Unescape; ur.backslash = Backslash.Reject;
    expect(canonWith("/a%5Cb", ur)).toBe("ERR:backslash in path");
    expect(canonWith("/a%2Fb", ur)).toBe("/a/b");
    const r = canonicalizePath("x?q#f");
    expect(r.error).toBe("path must start with /");
    expect(r.query).toBe("q");
    const f = canonicalizePath("/a#b?c");
    expect(f.path).toBe("/a");
    expect(f.hasQuery).toBe(false);
    expect(f.query).toBe("");
    const q = canonicalizePath("/a?b?c#d?e");
    expect(q.path).toBe("/a");
    expect(q.hasQuery).toBe(true);
    expect(q.query).toBe("b?c");
    expect(canonicalizePath("?x").path).toBe("/");
    expect(canonicalizePath("?x").query).toBe("x");
    expect(canonicalizePath("#?x").hasQuery).toBe(false);
    expect(canonicalizePath("*?x").path).toBe("*");
  });
  it("agrees with decoding first and then removeDotSegments (random paths, every option)", () => {
    const atoms: string[] = ["/", "/", "/", ".", ".", "..", "a", "%2e", "%2E", "%2f", "%2F", "%5c", "%5C", "%00",
      "%41", "%7e", "%20", "%zz", "%", "%2", "\\", "?", "#", "\n", "\x7f", "é", ";", "*", "%3f"];
    let seed: u32 = 12345;
    let checked = 0;
    for (let k = 0; k < 3000; k++) {
      let p = "";
      seed = seed * 1103515245 + 12345;
      const len = <i32>((seed >> 16) % 10);
      for (let j = 0; j < len; j++) {
        seed = seed * 1103515245 + 12345;
        p += atoms[<i32>((seed >> 16) % <u32>atoms.length)];
      }
      seed = seed * 1103515245 + 12345;
      if ((seed >> 16) % 4 != 0) p = ((seed >> 18) % 4 != 0 ? "/" : "\\") + p;
      for (let m = 0; m < 2; m++) for (let e = 0; e < 3; e++) for (let b = 0; b < 3; b++) {
        const o = new PathOptions();
        o.mergeSlashes = m == 0; o.escapedSlashes = <EscapedSlashes>e; o.backslash = <Backslash>b;
        const want = reference(p, o);
        const got = canonWith(p, o);
        if (got != want) expect(p + " => " + got).toBe(p + " => " + want);
        checked++;
      }
    }
    expect(checked).toBe(54000);
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
