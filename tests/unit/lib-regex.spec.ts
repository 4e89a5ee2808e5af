import { compileRegex, compileReplacement, programWords, Regex } from "../../assembly/lib/regex";

function re(p: string): Regex {
  const r = compileRegex(p);
  if (!r.ok) trace("compile error: " + p + " → " + r.error);
  expect(r.ok).toBe(true);
  return r.regex!;
}
function err(p: string): string {
  const r = compileRegex(p);
  expect(r.ok).toBe(false, "should be refused: " + p);
  return r.error;
}
function first(p: string, s: string): string {
  const m = re(p).exec(s);
  return m === null ? "<none>" : m.group(0)!;
}
function sub(p: string, s: string, t: string, all: bool = true): string {
  const r = re(p);
  const rep = compileReplacement(r, t);
  if (!rep.ok) trace("replacement error: " + rep.error);
  return r.replace(s, rep.replacement!, all)!;
}

describe("regex: matching", () => {
  it("matches literals, classes and dot", () => {
    expect(re("abc").test("xxabcxx")).toBe(true);
    expect(re("abc").test("ab")).toBe(false);
    expect(first("[a-c]+", "xxbcaz")).toBe("bca");
    expect(first("[^a-c]+", "abxyzc")).toBe("xyz");
    expect(re("a.c").test("a-c")).toBe(true);
    expect(re("a.c").test("a\nc")).toBe(false);
    expect(re("(?s)a.c").test("a\nc")).toBe(true);
    expect(first("[]a]+", "x]a]y")).toBe("]a]");
    expect(first("[a-]+", "x-a-y")).toBe("-a-");
    expect(first("[\\]\\\\]+", "x]\\y")).toBe("]\\");
  });
  it("knows the escapes", () => {
    expect(first("\\d+", "ab1234cd")).toBe("1234");
    expect(first("\\w+", "  foo_bar9! ")).toBe("foo_bar9");
    expect(first("\\s+", "a \t\nb")).toBe(" \t\n");
    expect(first("\\D+", "12ab34")).toBe("ab");
    expect(first("\\W+", "ab-+cd")).toBe("-+");
    expect(first("\\S+", "  xy  ")).toBe("xy");
    expect(first("[\\d.]+", "v1.2.3-rc")).toBe("1.2.3");
    expect(first("[^\\W_]+", "__ab1__")).toBe("ab1");
    expect(first("\\x41\\u0042\\x{43}", "zABCz")).toBe("ABC");
    expect(re("a\\.b").test("axb")).toBe(false);
    expect(re("a\\.b").test("a.b")).toBe(true);
    expect(re("\\bfoo\\b").test("a foo b")).toBe(true);
    expect(re("\\bfoo\\b").test("afoo")).toBe(false);
    expect(re("\\Bfoo").test("afoo")).toBe(true);
  });
  it("anchors", () => {
    expect(re("^/api").test("/api/x")).toBe(true);
    expect(re("^/api").test("/x/api")).toBe(false);
    expect(re("json$").test("application/json")).toBe(true);
    expect(re("json$").test("json; charset")).toBe(false);
    expect(re("^$").test("")).toBe(true);
    expect(re("(?m)^b$").test("a\nb\nc")).toBe(true);
    expect(re("^b$").test("a\nb\nc")).toBe(false);
    expect(re("\\Aab\\z").test("ab")).toBe(true);
  });
  it("is leftmost-first with greedy and lazy quantifiers", () => {
    expect(first("a+", "baaac")).toBe("aaa");
    expect(first("a+?", "baaac")).toBe("a");
    expect(first("<.*>", "<a><b>")).toBe("<a><b>");
    expect(first("<.*?>", "<a><b>")).toBe("<a>");
    expect(first("a|ab", "ab")).toBe("a");
    expect(first("ab|a", "ab")).toBe("ab");
    expect(first("colou?r", "the color")).toBe("color");
    expect(first("a??b", "ab")).toBe("ab");
    expect(first("x*", "abc")).toBe("");
  });
  it("counts repetitions", () => {
    expect(first("a{3}", "aaaaa")).toBe("aaa");
    expect(first("a{2,}", "aaaaa")).toBe("aaaaa");
    expect(first("a{2,3}", "aaaaa")).toBe("aaa");
    expect(first("a{2,3}?", "aaaaa")).toBe("aa");
    expect(first("a{0}b", "ab")).toBe("b");
    expect(re("^\\d{3}-\\d{4}$").test("555-1234")).toBe(true);
    expect(re("^\\d{3}-\\d{4}$").test("55-1234")).toBe(false);
    expect(first("a{,2}", "a{,2}")).toBe("a{,2}"); // not a quantifier: literal
    expect(first("x{", "x{")).toBe("x{");
  });
  it("folds ASCII case with (?i)", () => {
    expect(re("(?i)bearer ").test("BEARER abc")).toBe(true);
    expect(re("(?i)[a-c]+x").test("ABCX")).toBe(true);
    expect(re("bearer").test("Bearer")).toBe(false);
    expect(re("(?i:a)b").test("Ab")).toBe(true);
    expect(re("(?i:a)b").test("AB")).toBe(false);
    expect(re("(?i)a(?-i)b").test("Ab")).toBe(true);
    expect(re("(?i)a(?-i)b").test("AB")).toBe(false);
  });
  it("full-matches like Envoy's safe_regex", () => {
    const r = re("/api/v[0-9]+/.*");
    expect(r.fullMatch("/api/v2/users")).toBe(true);
    expect(r.fullMatch("/x/api/v2/users")).toBe(false);
    expect(re("a|ab").fullMatch("ab")).toBe(true); // needs the second alternative
    expect(re("a*").fullMatch("aab")).toBe(false);
    expect(re("").fullMatch("")).toBe(true);
  });
  it("handles non-ASCII text as UTF-16 code units", () => {
    expect(first("é+", "café")).toBe("é");
    expect(re("^.$").test("😀")).toBe(false); // two code units
    expect(re("^..$").test("😀")).toBe(true);
    expect(first("[^\\x00-\\x7F]+", "abcé€d")).toBe("é€");
  });
});

describe("regex: groups and exec", () => {
  it("reports capture spans", () => {
    const m = re("(\\w+)@(\\w+)\\.com").exec("mail bob@example.com now")!;
    expect(m.start).toBe(5);
    expect(m.end).toBe(20);
    expect(m.group(1)).toBe("bob");
    expect(m.group(2)).toBe("example");
    expect(m.group(3)).toBeNull();
    expect(m.group(-1)).toBeNull();
  });
  it("supports named and non-capturing groups", () => {
    const r = re("/users/(?P<id>\\d+)(?:/(?<tab>\\w+))?");
    expect(r.groupCount).toBe(3);
    const m = r.exec("/users/42/posts")!;
    expect(m.named("id")).toBe("42");
    expect(m.named("tab")).toBe("posts");
    expect(m.named("nope")).toBeNull();
    const m2 = r.exec("/users/7")!;
    expect(m2.named("tab")).toBeNull(); // did not take part
  });
  it("keeps the last iteration of a repeated group", () => {
    expect(re("(a|b)+").exec("abba")!.group(1)).toBe("a");
    expect(re("(?:(a)|b)+").exec("ab")!.group(1)).toBe("a");
  });
  it("searches from an offset", () => {
    expect(re("\\d").exec("a1b2", 2)!.start).toBe(3);
    expect(re("\\d").exec("a1b2", 9)).toBeNull();
    expect(re("^a").exec("aa", 1)).toBeNull();
  });
});

describe("regex: replace", () => {
  it("substitutes groups by number and name", () => {
    expect(sub("^/api/v(\\d+)/(.*)$", "/api/v1/users", "/v$1-api/$2")).toBe("/v1-api/users");
    expect(sub("(?P<user>\\w+)@(?P<dom>\\w+)", "bob@corp", "${dom}\\${user}")).toBe("corp\\bob");
    expect(sub("(\\d+)", "a1b22", "<${1}>")).toBe("a<1>b<22>");
    expect(sub("(\\d+)", "a1b22", "<$1>", false)).toBe("a<1>b22");
    expect(sub("x", "abc", "$$")).toBe("abc");
    expect(sub("b", "abc", "$$")).toBe("a$c");
    expect(sub("(a)|(b)", "ab", "[$2]")).toBe("[][b]");
  });
  it("handles empty matches without looping", () => {
    expect(sub("x*", "abc", "-")).toBe("-a-b-c-");
    expect(sub("", "", "-")).toBe("-");
    expect(sub("\\b", "hi yo", "|")).toBe("|hi| |yo|");
  });
  it("refuses bad replacement templates at configure time", () => {
    const r = re("(a)(?<n>b)");
    expect(compileReplacement(r, "$3").error).toBe("unknown group");
    expect(compileReplacement(r, "x$3").offset).toBe(1);
    expect(compileReplacement(r, "${m}").error).toBe("unknown group");
    expect(compileReplacement(r, "$1234567").error).toBe("unknown group");
    expect(compileReplacement(r, "${99999999999}").error).toBe("unknown group");
    expect(compileReplacement(r, "${0002}x$0001").ok).toBe(true);
    expect(compileReplacement(r, "${n").error).toBe("unterminated '${'");
    expect(compileReplacement(r, "a$").error).toBe("'$' needs a group or '$'");
    expect(compileReplacement(r, "$x").ok).toBe(false);
    expect(compileReplacement(r, "${2}$1").ok).toBe(true);
  });
});

describe("regex: bounded replace and mismatched replacements", () => {
  it("replaceAtMost gives the same output up to its bound and null past it", () => {
    const r = re("");
    const rep = compileReplacement(r, "<>").replacement!;
    const s = "abc";
    expect(r.replace(s, rep)!).toBe("<>a<>b<>c<>");
    expect(r.replaceAtMost(s, rep, true, 11)!).toBe("<>a<>b<>c<>");
    expect(r.replaceAtMost(s, rep, true, 10)).toBeNull();
    // An empty match around each of 60,000 characters would make 180,000: stopped at the bound.
    expect(r.replaceAtMost("x".repeat(60000), rep, true, 8192)).toBeNull();
    const one = re("b+");
    expect(one.replaceAtMost("abbbc", compileReplacement(one, "[$0]").replacement!, true, 7)!).toBe("a[bbb]c");
    expect(one.replaceAtMost("abbbc", compileReplacement(one, "[$0]").replacement!, true, 6)).toBeNull();
    expect(one.replaceAtMost("xyz", compileReplacement(one, "[$0]").replacement!, true, 1)!).toBe("xyz"); // no match: s itself
    // One match and a template that repeats it: null past the bound, the whole output within it.
    const whole = re("(?s).+");
    const many = compileReplacement(whole, "$0".repeat(50)).replacement!;
    expect(whole.replaceAtMost("y".repeat(1000), many, true, 5000)).toBeNull();
    expect(whole.replaceAtMost("y".repeat(100), many, true, 5000)!.length).toBe(5000);
  });
  it("replace gives up (null) once its searches have scanned the input about 8 times over", () => {
    // Each search of a leftmost-first engine runs its preferred alternative to the end of the input
    // before the short match wins: replacing every match is quadratic (9 s for 20,000 units).
    const quad = re("a*b|a");
    const rep = compileReplacement(quad, "-").replacement!;
    expect(quad.replaceAtMost("a".repeat(5000), rep, true, 1 << 20)).toBeNull();
    expect(quad.replace("a".repeat(8), rep)!).toBe("--------"); // short inputs: within the budget
    expect(quad.replace("aab" + "a".repeat(4), rep)!).toBe("-" + "----");
    // Ordinary patterns stay well within it, however many matches.
    const x = re("x*");
    expect(x.replaceAtMost("a".repeat(20000), compileReplacement(x, "").replacement!, true, 1 << 20)!.length).toBe(20000);
    const comma = re(",\\s*");
    expect(comma.replaceAtMost(", ".repeat(20000), compileReplacement(comma, ";").replacement!, true, 1 << 20)!.length).toBe(20000);
    const all = re("(?s).*");
    expect(all.replaceAtMost("q".repeat(20000), compileReplacement(all, "$0").replacement!, true, 1 << 20)!.length).toBe(20000);
  });
  it("a replacement compiled against a regex with more groups leaves the input as it is", () => {
    const many = re("(a)(b)(c)");
    const rep = compileReplacement(many, "$3$2$1").replacement!;
    expect(many.replace("abc", rep)!).toBe("cba");
    const few = re("a");
    expect(few.replace("xax", rep)!).toBe("xax");
    expect(few.replace("xax", compileReplacement(few, "[$0]").replacement!)!).toBe("x[a]x");
  });
});

describe("regex: refused at compile time", () => {
  it("names unsupported constructs", () => {
    expect(err("(a)\\1")).toBe("backreferences are not supported");
    expect(err("(?<n>a)\\k<n>")).toBe("backreferences are not supported");
    expect(err("a(?=b)")).toBe("lookarounds are not supported");
    expect(err("a(?!b)")).toBe("lookarounds are not supported");
    expect(err("(?<=a)b")).toBe("lookarounds are not supported");
    expect(err("(?<!a)b")).toBe("lookarounds are not supported");
    expect(err("(?>a+)b")).toBe("atomic groups are not supported");
    expect(err("a*+")).toBe("possessive quantifiers are not supported");
    expect(err("a++")).toBe("possessive quantifiers are not supported");
    expect(err("\\p{L}")).toBe("Unicode classes are not supported");
    expect(err("[[:alpha:]]")).toBe("POSIX classes are not supported");
    expect(err("(?(1)a|b)")).toBe("conditionals are not supported");
  });
  it("refuses malformed patterns", () => {
    expect(err("(a")).toBe("missing ')'");
    expect(err("a)")).toBe("unmatched ')'");
    expect(err("[a")).toBe("missing ']'");
    expect(err("*a")).toBe("nothing to repeat");
    expect(err("a**")).toBe("repeated quantifier");
    expect(err("{2}")).toBe("nothing to repeat");
    expect(err("a{3,2}")).toBe("bad range");
    expect(err("[z-a]")).toBe("bad range");
    expect(err("a\\")).toBe("trailing '\\'");
    expect(err("\\q")).toBe("bad escape");
    expect(err("\\xZZ")).toBe("bad escape");
    expect(err("(?P<1a>x)")).toBe("bad group name");
    expect(err("(?<a>x)(?<a>y)")).toBe("duplicate group name");
    expect(err("(?x)a")).toBe("bad group flag");
    expect(compileRegex("ab(").offset).toBe(2);
  });
  it("says where", () => {
    expect(compileRegex("a(?=b)").offset).toBe(1);
    expect(compileRegex("x[b-a]").offset).toBe(2);
    expect(compileRegex("ab\\q").offset).toBe(2);
    expect(compileRegex("a{2}{3}").offset).toBe(4);
    expect(compileRegex("(?x)").offset).toBe(2);
    expect(compileRegex("ab(").message).toBe("missing ')' at 2");
    const r = re("(a)");
    expect(compileReplacement(r, "ab${x").offset).toBe(2);
    expect(compileReplacement(r, "ab$2").message).toBe("unknown group at 2");
  });
  it("bounds repetition, program size, nesting and group count", () => {
    expect(err("a{1001}")).toBe("repeat count > 1000");
    expect(err("a{99999999999999}")).toBe("repeat count > 1000");
    expect(err("a{0,1234567}")).toBe("repeat count > 1000");
    expect(err("a{1234567,2}")).toBe("repeat count > 1000"); // (the count before the range)
    expect(compileRegex("a{0001000}").ok).toBe(true);
    expect(err("a{2,0001}")).toBe("bad range");
    expect(err("(a{1000}){1000}")).toBe("pattern too large");
    expect(err("(?:".repeat(200) + "a" + ")".repeat(200))).toBe("nesting too deep");
    expect(compileRegex("(?:".repeat(50000)).ok).toBe(false);
    expect(err("(a)".repeat(101))).toBe("too many groups");
    expect(re("(a)".repeat(100)).groupCount).toBe(101);
    expect(err("a".repeat(9000))).toBe("pattern too long");
  });
});

describe("regex: edge cases of the dialect", () => {
  it("knows exactly which escapes exist", () => {
    expect(first("\\t\\n\\r\\f\\v", "x\t\n\r\f\vy")).toBe("\t\n\r\f\v");
    expect(re("a\\0b").test("a\0b")).toBe(true);
    expect(err("\\01")).toBe("backreferences are not supported");
    expect(err("\\a")).toBe("bad escape");
    expect(err("\\Z")).toBe("bad escape");
    expect(err("\\K")).toBe("bad escape");
    expect(err("\\X41")).toBe("bad escape");
    expect(err("\\U0041")).toBe("bad escape");
    expect(err("\\T")).toBe("bad escape");
    expect(err("[\\b]")).toBe("bad escape");
    expect(err("[\\A]")).toBe("bad escape");
    expect(err("\\x{}")).toBe("bad escape");
    expect(err("\\x{12345}")).toBe("bad escape");
    expect(err("\\u004")).toBe("bad escape");
    expect(err("\\é")).toBe("bad escape");
    expect(first("\\x{2d}+", "a--b")).toBe("--");
    expect(first("\\-\\#\\ ", "x-# y")).toBe("-# ");
    expect(err("\\P{L}")).toBe("Unicode classes are not supported");
  });
  it("negates sets inside and outside classes alike", () => {
    expect(first("\\D+", "12ab 34")).toBe("ab ");
    expect(first("[\\D]+", "12ab 34")).toBe("ab ");
    expect(first("[\\W]+", "ab-+cd")).toBe("-+");
    expect(first("[\\S]+", "  xy  ")).toBe("xy");
    expect(re("[^\\d]").test("")).toBe(false);
    expect(re("a[^b]").test("a")).toBe(false);
    expect(first("(?i)[^a-c]+", "ABCxyzABC")).toBe("xyz");
    expect(first("[\\d-z]+", "9-z")).toBe("9-z");
    expect(err("[a-\\d]")).toBe("bad range");
  });
  it("parses group names and flags strictly", () => {
    expect(re("(?<_a1>x)").groupIndex("_a1")).toBe(1);
    expect(err("(?P>x)")).toBe("bad group name");
    expect(err("(?<>x)")).toBe("bad group name");
    expect(err("(?P<a-b>x)")).toBe("bad group name");
    expect(re("(?-)a").test("a")).toBe(true);
    expect(err("(?--i)a")).toBe("bad group flag");
    expect(compileRegex("a(?i-x)").offset).toBe(5);
    expect(re("(?i-i)a").test("A")).toBe(false);
    expect(re("(?s-s:.)").test("\n")).toBe(false);
    expect(err("(?")).toBe("bad group flag");
  });
  it("looks at the text before the start of an exec", () => {
    expect(re("\\bb").exec("ab", 1)).toBeNull();
    expect(re("\\Bb").exec("ab", 1)!.start).toBe(1);
    expect(re("(?m)^b").exec("a\nb", 2)!.start).toBe(2);
    expect(re("x*").exec("ab", 2)!.start).toBe(2);
  });
  it("keeps leftmost-first priorities with loops and alternations", () => {
    expect(re("(a|ab)(c|bcd)(d*)").exec("abcd")!.group(3)).toBe("");
    expect(re("(a*)*").exec("b")!.group(1)).toBeNull();
    expect(re("(a*)+").exec("b")!.group(1)).toBe("");
    expect(re("(a|b)*?c").exec("abc")!.group(1)).toBe("b");
    expect(re("(?:a{2,3}){2}").exec("aaaaaaa")!.group(0)).toBe("aaaaaa");
    expect(sub("(a)|b", "ab", "[$1]")).toBe("[a][]");
    expect(sub("a|", "baac", "-")).toBe("-b---c-");
    expect(sub("${x}", "x", "y")).toBe("x");
  });
  it("refuses replacement references precisely", () => {
    const r = re("(a)(?<n1>b)");
    expect(compileReplacement(r, "${01}").ok).toBe(true);
    expect(compileReplacement(r, "${}").error).toBe("unknown group");
    expect(compileReplacement(r, "${1a}").error).toBe("unknown group");
    expect(compileReplacement(r, "$").offset).toBe(0);
    expect(compileReplacement(r, "a$$$").error).toBe("'$' needs a group or '$'");
    expect(compileReplacement(r, "x${n1").offset).toBe(1);
  });
});

describe("regex: no catastrophic backtracking (correctness; timing lives in the benchmarks)", () => {
  it("answers pathological patterns correctly on long inputs", () => {
    const s = "a".repeat(3000) + "!";
    expect(re("^(a+)+$").test(s)).toBe(false);
    expect(re("^(a|a)*$").test(s)).toBe(false);
    expect(re("^(a*)*b").test(s)).toBe(false);
    expect(re("(x+x+)+y").test("x".repeat(2000))).toBe(false);
    expect(re("^(a+)+!$").test(s)).toBe(true);
    const m = re("^(a+)+$").exec("a".repeat(500))!;
    expect(m.group(0)!.length).toBe(500);
  });
  it("keeps the VM inside the regex's own memory when many threads are live (few groups)", () => {
    // m is the program and then the VM's scratch (programWords). A layout one word per instruction
    // short let these runs write past the end of m into the heap: the bytes after m must not change.
    const cases = [
      ["/.*" + "a".repeat(30), "/" + "a".repeat(100)],
      [".*a{20}b", "a".repeat(100)],
      ["(a{50})c", "a".repeat(120)],
      ["[ab]{40}", "ab".repeat(80)],
    ];
    for (let i = 0; i < cases.length; i++) {
      const guard = new StaticArray<u8>(64); // made before the regex, so taking the copy moves nothing
      const r = re(cases[i][0]);
      expect(r.m.length).toBe(programWords(r.size, r.groupCount));
      const end = changetype<usize>(r.m) + (<usize>r.m.length << 2);
      memory.copy(changetype<usize>(guard), end, 64);
      r.fullMatch(cases[i][1]);
      r.test(cases[i][1]);
      r.exec(cases[i][1], 1);
      let same = true;
      for (let k = 0; k < 64; k++) if (load<u8>(end + k) != guard[k]) same = false;
      expect(same).toBe(true, "bytes after m changed: " + cases[i][0]);
    }
  });
  it("survives empty loops", () => {
    expect(first("(a*)*", "aaa")).toBe("aaa");
    expect(first("(a*)+b", "aab")).toBe("aab");
    expect(re("(|a)*").test("aa")).toBe(true);
    expect(re("(?:^)*a").test("ba")).toBe(true);
  });
});
