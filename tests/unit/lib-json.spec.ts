import { parseJson, parseJsonUtf8, JsonKind, JsonValue, MAX_SAFE_INTEGER, listItem, parseJsonBuffer } from "../../assembly/lib/json";
import { ConfigObject, Problems, itemPath, keyPath, listIndex } from "../../assembly/lib/configReader";
import { isWellFormedUtf8 } from "../../assembly/lib/utf8";

function ok(text: string): JsonValue {
  const r = parseJson(text);
  if (!r.ok) trace("unexpected error: " + r.toString());
  expect(r.ok).toBe(true);
  return r.value!;
}
function bad(text: string): string {
  const r = parseJson(text);
  expect(r.ok).toBe(false, "should reject: " + text);
  return r.error;
}

describe("parseJson: valid documents", () => {
  it("parses scalars", () => {
    expect(ok("null").kind).toBe(JsonKind.Null);
    expect(ok("true").bool).toBe(true);
    expect(ok(" false ").bool).toBe(false);
    expect(ok("0").num).toBe(0);
    expect(ok("-12.5e2").num).toBe(-1250);
    expect(ok("1E+2").num).toBe(100);
    expect(ok("\"hi\"").str).toBe("hi");
  });
  it("keeps object key order and nested values", () => {
    const v = ok("{\"b\":1,\"a\":[true,null,\"x\"],\"c\":{\"d\":\"e\"}}");
    const o = v.obj!;
    expect(o.keys).toStrictEqual(["b", "a", "c"]);
    expect(o.getInt("b", -1)).toBe(1);
    const a = o.getArray("a")!;
    expect(a.length).toBe(3);
    expect(a[2].str).toBe("x");
    expect(o.getObject("c")!.getString("d")).toBe("e");
    expect(o.getString("missing")).toBeNull();
    expect(o.getString("b")).toBeNull(); // wrong type is not a string
    expect(o.kindOf("nope")).toBe(-1);
  });
  it("decodes escapes and surrogate pairs", () => {
    expect(ok("\"a\\\"b\\\\c\\/d\\n\\t\\u0041\"").str).toBe("a\"b\\c/d\n\tA");
    expect(ok("\"\\ud83d\\ude00\"").str).toBe("😀");
    expect(ok("\"😀 raw\"").str).toBe("😀 raw");
    expect(ok("\"\\u00e9\"").str).toBe("é");
  });
  it("accepts empty containers and whitespace", () => {
    expect(ok(" { } ").obj!.size).toBe(0);
    expect(ok("[\n]\t").items().length).toBe(0);
  });
  it("says which numbers are integers", () => {
    expect(ok("42").isInteger()).toBe(true);
    expect(ok("-9007199254740991").isInteger()).toBe(true);
    expect(ok("9007199254740993").isInteger()).toBe(false); // beyond 2^53: not exact
    expect(ok("1.5").isInteger()).toBe(false);
    expect(ok("\"1\"").isInteger()).toBe(false);
    expect(MAX_SAFE_INTEGER).toBe(9007199254740991.0);
  });
  it("reads integers and ordinary decimals exactly (no strtod)", () => {
    expect(ok("9007199254740991").num).toBe(9007199254740991.0);
    expect(ok("-1234567890123").num).toBe(-1234567890123.0);
    expect(ok("0.5").num).toBe(0.5);
    expect(ok("1e3").num).toBe(1000.0);
    expect(ok("2.5e-3").num).toBe(0.0025);
    expect(ok("0.1").num).toBe(0.1);
    expect(ok("12.75").num).toBe(12.75);
    expect(ok("3.14159").num).toBe(3.14159);
    expect(ok("299792.458").num).toBe(299792.458);
    expect(ok("6.02214076e23").num).toBe(6.02214076e23);
    expect(ok("1e23").num).toBe(1e23);
    expect(ok("0.1000000000000000055511151231257827").num).toBe(0.1); // > 18 digits: the rest is dropped
    expect(ok("123456789012345678901234567890").num).toBe(1.2345678901234568e29);
    expect(ok("1.7976931348623157e308").num).toBe(f64.MAX_VALUE);
    expect(1 / ok("-0").num).toBe(-Infinity);
    expect(ok("1e-400").num).toBe(0);
    expect(ok("0e400").num).toBe(0);
    expect(ok("2.2250738585072014e-308").num > 0).toBe(true); // smallest normal: not flushed to 0
    expect(ok("1" + "0".repeat(400) + "e-400").num).toBe(1);
    expect(ok("1e000000000000000000002").num).toBe(100); // leading zeros in the exponent
    expect(ok("-1E-1234567").num).toBe(0);
    expect(bad("1e1234567")).toBe("number out of range");
    expect(ok("0." + "0".repeat(99) + "5e100").num).toBe(5);
  });
});

describe("parseJson: rejects malformed input with an offset", () => {
  it("rejects trailing garbage", () => {
    const r = parseJson("{\"a\":1}}garbage");
    expect(r.ok).toBe(false);
    expect(r.offset).toBe(7);
    expect(r.toString()).toBe("offset 7: trailing data");
  });
  it("rejects bad numbers", () => {
    expect(bad("01")).toBe("bad number");
    bad("-01"); bad("+1"); bad(".5"); bad("1."); bad("1e"); bad("1e+"); bad("-"); bad("NaN"); bad("Infinity");
    expect(bad("1e400")).toBe("number out of range");
    expect(bad("-1.8e308")).toBe("number out of range");
    expect(bad("1e99999999999")).toBe("number out of range");
    expect(bad("[1.e5]")).toBe("bad number");
    expect(bad("1e+-2")).toBe("bad number");
  });
  it("rejects bad strings", () => {
    expect(bad("\"a\\x\"")).toBe("bad escape");
    expect(bad("\"abc")).toBe("unterminated string");
    expect(bad("\"a\nb\"")).toBe("control character");
    expect(bad("\"\u0000\"")).toBe("control character");
    expect(bad("\"\\u12\"")).toBe("bad escape");
    expect(bad("\"\\ud83d\"")).toBe("unpaired surrogate");
    expect(bad("\"\\ude00\\ud83d\"")).toBe("unpaired surrogate");
    expect(bad("\"\\ud83d\\u0041\"")).toBe("unpaired surrogate");
    expect(bad("\"" + String.fromCharCode(0xD800) + "\"")).toBe("unpaired surrogate");
    // a pair is two raw code units or two \u escapes, not one of each
    expect(bad("\"" + String.fromCharCode(0xD83D) + "\\ude00\"")).toBe("unpaired surrogate");
    expect(bad("\"\\ud83d" + String.fromCharCode(0xDE00) + "\"")).toBe("unpaired surrogate");
    expect(bad("\"\\u00G0\"")).toBe("bad escape");
    expect(ok("\"\\b\\f\\n\\r\\t\\/\\\\\\\"\"").str).toBe("\b\f\n\r\t/\\\"");
    const letters = "acdeghijklmopqsvwxyzBFNRTU0'";
    for (let i = 0; i < letters.length; i++) expect(bad("\"\\" + letters.charAt(i) + "\"")).toBe("bad escape");
    expect(ok("\"\\uD83D\\uDE00\\u0000\"").str).toBe("😀" + String.fromCharCode(0));
  });
  it("says where the error is", () => {
    let r = parseJson("[1,]");
    expect(r.toString()).toBe("offset 3: unexpected character");
    r = parseJson("{\"a\":1");
    expect(r.toString()).toBe("offset 6: unexpected end");
    r = parseJson("[\"ok\", \"abc");
    expect(r.toString()).toBe("offset 7: unterminated string");
    r = parseJson("{\"a\":1, \"a\":2}");
    expect(r.toString()).toBe("offset 8: duplicate key \"a\"");
    r = parseJson("{\"a\\x\":1}"); // an error in a key is the one reported
    expect(r.toString()).toBe("offset 3: bad escape");
    r = parseJson("{\"a\\x\" 1}");
    expect(r.toString()).toBe("offset 3: bad escape");
    r = parseJson("{\"ab");
    expect(r.toString()).toBe("offset 1: unterminated string");
    r = parseJson("{\"\\u0041\":1,\"A\":2}"); // keys compare decoded
    expect(r.toString()).toBe("offset 12: duplicate key \"A\"");
    r = parseJson("[1, -01]");
    expect(r.toString()).toBe("offset 4: bad number");
    expect(parseJson("[1]").ok).toBe(true); // no state left over from a failed parse
  });
  it("reports the first error when more follow", () => {
    // (a bad string or number is the first problem found, whatever comes after it)
    let r = parseJson("[01, \"\\x\", {\"a\":1,\"a\":2}, 1e400, tru");
    expect(r.toString()).toBe("offset 1: bad number");
    expect(r.value).toBeNull();
    r = parseJson("{\"a\":1e400,\"a\":2,\"b\":}");
    expect(r.toString()).toBe("offset 5: number out of range");
    r = parseJson("{\"a\":\"\\x\",\"a\":2}");
    expect(r.toString()).toBe("offset 6: bad escape");
    r = parseJson("[\"\\u12\" 1]");
    expect(r.toString()).toBe("offset 2: bad escape");
    r = parseJson("{\"a\":[1.5, -, \"x\"]}");
    expect(r.toString()).toBe("offset 11: bad number");
    r = parseJson("-01 2");
    expect(r.toString()).toBe("offset 0: bad number");
    r = parseJson("\"abc");
    expect(r.toString()).toBe("offset 0: unterminated string");
    r = parseJson("1.");
    expect(r.ok).toBe(false);
    expect(r.value).toBeNull();
  });
  it("rejects structural errors", () => {
    bad(""); bad("   "); bad("{"); bad("["); bad("[1,]"); bad("{\"a\":1,}"); bad("{a:1}");
    bad("{\"a\" 1}"); bad("[1 2]"); bad("tru"); bad("nul"); bad("{\"a\":}"); bad("'a'");
    expect(bad("{\"a\":1,\"a\":2}")).toBe("duplicate key \"a\"");
  });
  it("finds duplicate keys per object, also in big objects", () => {
    expect(ok("{\"a\":{\"a\":1},\"b\":{\"a\":2,\"b\":[{\"a\":3}]}}").obj!.size).toBe(2);
    let doc = "{";
    for (let i = 0; i < 5000; i++) doc += "\"k" + i.toString() + "\":" + i.toString() + ",";
    const big = ok(doc + "\"k\":{\"k1\":1}}").obj!;
    expect(big.size).toBe(5001);
    expect(big.getInt("k4999", -1)).toBe(4999);
    expect(bad(doc + "\"k2500\":0}")).toBe("duplicate key \"k2500\"");
    expect(bad("{\"x:\":1,\"x:\":2}")).toBe("duplicate key \"x:\"");
  });
  it("bounds nesting depth without trapping", () => {
    expect(parseJson("[".repeat(64) + "]".repeat(64)).ok).toBe(true);
    const deep = parseJson("[".repeat(65) + "]".repeat(65));
    expect(deep.ok).toBe(false);
    expect(deep.error).toBe("nested too deep");
    // a hostile 100k-deep document is rejected, not a stack overflow
    expect(parseJson("[".repeat(100000)).ok).toBe(false);
    expect(parseJson("{\"a\":".repeat(5000)).ok).toBe(false);
    expect(parseJson("[[1]]", 1).ok).toBe(false);
  });
  it("bounds document size", () => {
    const r = parseJson("[1,2,3]", 64, 5);
    expect(r.ok).toBe(false);
    expect(r.error).toBe("document too large");
  });
  it("never traps on truncations of a valid document", () => {
    const doc = "{\"rules\":[{\"match\":{\"path\":{\"prefix\":\"/a\\u0041\"}},\"n\":-1.5e3}],\"x\":[true,false,null]}";
    expect(parseJson(doc).ok).toBe(true);
    for (let i = 0; i < doc.length; i++) {
      expect(parseJson(doc.substring(0, i)).ok).toBe(false);
    }
  });
});

describe("parseJsonUtf8", () => {
  it("parses well-formed UTF-8", () => {
    const r = parseJsonUtf8(Uint8Array.wrap(String.UTF8.encode("{\"k\":\"é\"}")));
    expect(r.ok).toBe(true);
    expect(r.value!.obj!.getString("k")).toBe("é");
  });
  it("rejects invalid UTF-8 with the byte offset", () => {
    const b = new Uint8Array(6);
    b[0] = 0x22; b[1] = 0x61; b[2] = 0xC0; b[3] = 0xAF; b[4] = 0x22; b[5] = 0x20; // overlong '/'
    const r = parseJsonUtf8(b);
    expect(r.ok).toBe(false);
    expect(r.error).toBe("invalid UTF-8");
    expect(r.offset).toBe(2);
    const r2 = parseJsonBuffer(b.buffer);
    expect(r2.error).toBe("invalid UTF-8");
    expect(r2.offset).toBe(2);
    const r3 = parseJsonBuffer(String.UTF8.encode("[1, \"é\"]"));
    expect(r3.ok).toBe(true);
    expect(r3.value!.arr![1].str).toBe("é");
    expect(parseJsonBuffer(new ArrayBuffer(0)).toString()).toBe("offset 0: unexpected end");
    expect(parseJsonBuffer(String.UTF8.encode("{}"), 64, 1).error).toBe("document too large");
  });
  it("checks UTF-8 edge cases", () => {
    const mk = (xs: i32[]): Uint8Array => { const u = new Uint8Array(xs.length); for (let i = 0; i < xs.length; i++) u[i] = <u8>xs[i]; return u; };
    expect(isWellFormedUtf8(mk([0x41, 0xE2, 0x82, 0xAC]))).toBe(-1); // A€
    expect(isWellFormedUtf8(mk([0xF0, 0x9F, 0x98, 0x80]))).toBe(-1); // 😀
    expect(isWellFormedUtf8(mk([0xED, 0xA0, 0x80]))).toBe(0); // encoded surrogate
    expect(isWellFormedUtf8(mk([0xF4, 0x90, 0x80, 0x80]))).toBe(0); // > U+10FFFF
    expect(isWellFormedUtf8(mk([0x41, 0xE2, 0x82]))).toBe(1); // truncated
    expect(isWellFormedUtf8(mk([0x80]))).toBe(0); // stray continuation
    expect(isWellFormedUtf8(mk([0xE0, 0x80, 0x80]))).toBe(0); // overlong
    expect(isWellFormedUtf8(mk([0xFF]))).toBe(0);
  });
});

function reader(text: string, p: Problems): ConfigObject {
  return ConfigObject.root(parseJson(text).value, "config", p)!;
}

describe("ConfigObject: path-named validation", () => {
  it("reads typed fields", () => {
    const p = new Problems();
    const c = reader("{\"name\":\"n\",\"limit\":10,\"on\":true,\"tags\":[\"a\",\"b\"],\"sub\":{\"x\":1}}", p);
    expect(c.requiredString("name")).toBe("n");
    expect(c.requiredInt("limit", 1, 100)).toBe(10);
    expect(c.optionalBool("on", false)).toBe(true);
    expect(c.optionalBool("off", true)).toBe(true);
    expect(c.optionalString("absent", "dflt")).toBe("dflt");
    expect(c.stringArray("tags")!).toStrictEqual(["a", "b"]);
    expect(c.object("sub")!.requiredInt("x")).toBe(1);
    expect(c.rejectUnknown(["name", "limit", "on", "tags", "sub"])).toBe(true);
    expect(p.ok).toBe(true);
  });
  it("names the path of a wrong type", () => {
    const p = new Problems();
    const c = reader("{\"limit\":\"10\"}", p);
    expect(c.requiredInt("limit")).toBe(0);
    expect(p.first).toBe("config.limit: must be an integer, not string");
  });
  it("reports missing, out-of-range, fractional and huge integers", () => {
    const p = new Problems();
    const c = reader("{\"a\":0,\"b\":1.5,\"c\":1e300,\"d\":9007199254740992}", p);
    c.requiredInt("a", 1, 5);
    c.requiredInt("b");
    c.requiredInt("c");
    c.requiredInt("d");
    c.requiredString("e");
    expect(p.list).toStrictEqual([
      "config.a: must be between 1 and 5",
      "config.b: must be an integer",
      "config.c: must be an integer",
      "config.d: must be an integer",
      "config.e: is required",
    ]);
  });
  it("rejects unknown fields so typos fail loudly", () => {
    const p = new Problems();
    const c = reader("{\"limit\":1,\"limti\":2}", p);
    expect(c.rejectUnknown(["limit"])).toBe(false);
    expect(p.first).toBe("config.limti: unknown field");
  });
  it("names array items", () => {
    const p = new Problems();
    const c = reader("{\"rules\":[{\"n\":1},{\"n\":2},7]}", p);
    expect(c.objectArray("rules")).toBeNull();
    expect(p.first).toBe("config.rules[2]: must be an object, not number");
    const p2 = new Problems();
    const rules = reader("{\"rules\":[{\"n\":1},{\"m\":2}]}", p2).objectArray("rules")!;
    rules[1].requiredInt("n");
    expect(p2.first).toBe("config.rules[1].n: is required");
    const p3 = new Problems();
    reader("{\"t\":[\"a\",1]}", p3).stringArray("t");
    expect(p3.first).toBe("config.t[1]: must be a string, not number");
  });
  it("checks one-of groups", () => {
    const p = new Problems();
    const c = reader("{\"exact\":\"/a\",\"prefix\":\"/b\"}", p);
    expect(c.oneOf(["exact", "prefix", "regex"])).toBe(-1);
    expect(p.first).toBe("config: only one of exact, prefix, regex may be set");
    const p2 = new Problems();
    expect(reader("{\"regex\":\"x\"}", p2).oneOf(["exact", "prefix", "regex"])).toBe(2);
    expect(p2.ok).toBe(true);
  });
  it("names the expected type and range", () => {
    const p = new Problems();
    const c = reader("{\"n\":7,\"e\":\"\",\"a\":{},\"o\":[],\"b\":null,\"f\":2.5,\"s\":1}", p);
    expect(c.optionalInt("n", 0, -5, 5)).toBe(0);
    expect(c.optionalInt("absent", 3, -5, 5)).toBe(3);
    expect(c.requiredNonEmpty("e")).toBe("");
    expect(c.array("a")).toBeNull();
    expect(c.object("o")).toBeNull();
    expect(c.optionalBool("b", true)).toBe(true);
    expect(c.optionalNumber("f", 0)).toBe(2.5);
    expect(c.optionalString("s", "d")).toBe("d");
    expect(c.requiredBool("nope")).toBe(false);
    expect(p.list).toStrictEqual([
      "config.n: must be between -5 and 5",
      "config.e: must not be empty",
      "config.a: must be an array, not object",
      "config.o: must be an object, not array",
      "config.b: must be a boolean, not null",
      "config.s: must be a string, not number",
      "config.nope: is required",
    ]);
    const p2 = new Problems();
    expect(reader("{\"x\":1}", p2).oneOf(["exact", "prefix"])).toBe(-1);
    expect(p2.first).toBe("config: needs one of exact, prefix");
    expect(keyPath("config", "a")).toBe("config.a");
    expect(itemPath("config.a", 3)).toBe("config.a[3]");
  });
  it("refuses a non-object root", () => {
    const p = new Problems();
    expect(ConfigObject.root(parseJson("[]").value, "config", p)).toBeNull();
    expect(p.first).toBe("config: must be an object, not array");
    const p2 = new Problems();
    expect(ConfigObject.root(null, "config", p2)).toBeNull();
    expect(p2.first).toBe("config: is required");
  });
});

describe("string lists", () => {
  it("listIndex finds a whole name in \"a, b, c\"", () => {
    const l = "set, append, set_if_absent, host";
    expect(listIndex(l, "set")).toBe(0);
    expect(listIndex(l, "append")).toBe(1);
    expect(listIndex(l, "set_if_absent")).toBe(2);
    expect(listIndex(l, "host")).toBe(3);
    expect(listIndex(l, "se")).toBe(-1);
    expect(listIndex(l, "sett")).toBe(-1);
    expect(listIndex(l, "hos")).toBe(-1);
    expect(listIndex(l, "")).toBe(-1);
    expect(listIndex(l, "set, append")).toBe(-1);
    expect(listIndex("", "")).toBe(0);
    expect(listIndex("a, ", "")).toBe(1);
    expect(listIndex("a,b", "b")).toBe(-1); // items are separated by ", "
    expect(listIndex("client_ip, path", "path")).toBe(1);
  });
  it("listItem reads item i of \"a|b|c\"", () => {
    expect(listItem("a|bc||d", 0)).toBe("a");
    expect(listItem("a|bc||d", 1)).toBe("bc");
    expect(listItem("a|bc||d", 2)).toBe("");
    expect(listItem("a|bc||d", 3)).toBe("d");
  });
});
