// Differential spec: the engine in assembly/lib/regex.ts against a frozen copy of an earlier one
// (tests/unit/ref/regex-old.ts, used only here) on random patterns and inputs: the same compile
// results (ok, error text, offset), test/fullMatch answers, exec captures and replace outputs,
// including replaceAtMost's bound and search budget.
import { compileRegex, compileReplacement, Regex } from "../../assembly/lib/regex";
import * as Old from "./ref/regex-old";

let seed: u32 = 0x9E3779B9;
function rnd(k: i32): i32 {
  seed ^= seed << 13; seed ^= seed >> 17; seed ^= seed << 5;
  return <i32>(seed % <u32>k);
}

const TOKENS: string[] = [
  "a", "b", "c", "A", "x", ".", "\\d", "\\w", "\\s", "\\D", "\\W", "\\S", "\\b", "\\B", "^", "$", "\\A", "\\z",
  "[a-c]", "[^b]", "[\\w-]", "[\\D]", "[A-b]", "[]a]", "(a|b)", "(?:ab|a)", "(a*)", "b+", "a?", "c{1,3}", "a{2}",
  "b{0,}", "(?i)", "(?i:a)", "(?-i)", "(?s).", "(?m)^", "(?m)$", "\\n", "x*?", "(a|)", "(?P<n>b)", "(?<m>a+)",
  "(", ")", "|", "*", "+", "?", "{2}", "{1,}", "??", "+?", "{3,2}", "\\x41", "\\u0062", "\\1", "[", "]",
  "(?=a)", "a++", "-", " ", "(a+)+", "(|a)*", "((a)|b)*", "(?:a|b)*?c", "\\.", "\\-", "a*b|a",
];
const CHARS = "abcAB x\n-_1.";

function pattern(): string {
  let p = "";
  for (let k = rnd(7), i = 0; i <= k; i++) p += TOKENS[rnd(TOKENS.length)];
  return p;
}
function input(): string {
  let s = "";
  for (let k = rnd(14), i = 0; i < k; i++) s += CHARS.charAt(rnd(CHARS.length));
  return s;
}
function caps(c: StaticArray<i32>): string {
  let s = "";
  for (let i = 0; i < c.length; i++) s += c[i].toString() + ",";
  return s;
}
function str(s: string | null): string { return s === null ? "<null>" : s!; }

/** The earlier engine's regex for the pattern compileBoth compiled last (null when not ok). */
let old: Old.Regex | null = null;
/** Compiles p with both engines, expecting the same ok, error text and offset; the new engine's
 *  regex (null when not ok), the old one's in `old`. */
function compileBoth(p: string): Regex | null {
  const a = compileRegex(p), b = Old.compileRegex(p);
  expect(a.ok).toBe(b.ok, p);
  expect(a.error).toBe(b.error, p);
  expect(a.offset).toBe(b.offset, p);
  old = b.regex;
  return a.ok ? a.regex : null;
}
/** Expects both engines to find the same match (or none) in s from `from`; true when they matched. */
function sameExec(r: Regex, o: Old.Regex, s: string, from: i32, what: string): bool {
  const x = r.exec(s, from), y = o.exec(s, from);
  expect(x === null).toBe(y === null, what);
  if (x === null || y === null) return false;
  expect(caps(x.caps)).toBe(caps(y.caps), what);
  return true;
}

const TEMPLATES: string[] = ["<$0>", "$1-$$", "", "${1}x$0", "[$2]"];

describe("regex: differential against the earlier engine", () => {
  it("compiles, matches, captures and replaces the same on random patterns and inputs", () => {
    let compiled = 0, matched = 0;
    for (let round = 0; round < 1200; round++) {
      const p = pattern();
      const rn = compileBoth(p);
      if (rn === null) continue;
      compiled++;
      const r = rn!, o = old!;
      const t = TEMPLATES[rnd(TEMPLATES.length)];
      const ra = compileReplacement(r, t), rb = Old.compileReplacement(o, t);
      expect(ra.ok).toBe(rb.ok, p + " / " + t);
      expect(ra.error).toBe(rb.error);
      for (let k = 0; k < 6; k++) {
        const s = input();
        const what = p + " on " + s;
        expect(r.test(s)).toBe(o.test(s), what);
        expect(r.fullMatch(s)).toBe(o.fullMatch(s), what);
        for (let from = 0; from <= s.length; from += 1 + rnd(3)) {
          if (sameExec(r, o, s, from, what)) matched++;
        }
        if (ra.ok) {
          const all = rnd(2) == 0, max = rnd(3) == 0 ? rnd(40) : i32.MAX_VALUE;
          expect(str(r.replaceAtMost(s, ra.replacement!, all, max)))
            .toBe(str(o.replaceAtMost(s, rb.replacement!, all, max)), what + " / " + t);
        }
      }
      // long inputs, where replace's search budget can run out
      const long = input().repeat(20 + rnd(60));
      if (ra.ok) {
        expect(str(r.replace(long, ra.replacement!))).toBe(str(o.replace(long, rb.replacement!)), p + " (long)");
      }
      expect(r.test(long)).toBe(o.test(long), p + " (long)");
    }
    expect(compiled).toBeGreaterThan(500);
    expect(matched).toBeGreaterThan(2000);
  });
  it("treats every escape, in and out of classes, the same", () => {
    let all = "";
    for (let c = 0; c < 130; c++) all += String.fromCharCode(c);
    const forms: string[] = ["\\#", "[\\#]", "[^\\#]", "(?i)\\#", "[a-\\#]", "[\\#-z]", "\\#{2}", "\\#0", "\\#41}", "\\#{41}", "\\#0062", "\\#{}"];
    for (let c = 32; c < 128; c++) {
      for (let f = 0; f < forms.length; f++) {
        const p = forms[f].replace("#", String.fromCharCode(c));
        const r = compileBoth(p);
        if (r === null) continue;
        let ta = "", tb = "";
        for (let u = 0; u < all.length; u++) {
          const one = all.charAt(u);
          ta += r!.test(one) ? "1" : "0";
          tb += old!.test(one) ? "1" : "0";
        }
        expect(ta).toBe(tb, p);
        for (let from = 0; from < all.length; from += 7) sameExec(r!, old!, all, from, p);
      }
    }
  });
  it("treats every group and flag prefix the same", () => {
    const forms: string[] = ["(?#)", "(?#:aB)", "(?-#)", "(?i#)", "(?#-i)AB", "(?P#n>a)", "(?<#>a)", "(?<n#>a)", "(?P<n#>a)",
      "(?#", "(?s#:.)", "(?-#:a)A", "(?i)(?#)a", "(?m-#)$", "(#)", "(?#=a)", "(?<#a)", "[#]", "[a#]", "[#-]", "[^#-a]", "a{1,#}", "a{#}"];
    const ins: string[] = ["a", "A", "aB", "ab\nAB", "", "\n", "-", "xa"];
    for (let c = 32; c < 128; c++) {
      for (let f = 0; f < forms.length; f++) {
        const p = forms[f].replace("#", String.fromCharCode(c));
        const r = compileBoth(p);
        if (r === null) continue;
        for (let k = 0; k < ins.length; k++) sameExec(r!, old!, ins[k], 0, p);
      }
    }
  });
  it("runs out of the replace budget at the same point", () => {
    for (let k = 4000; k < 4200; k += 29) {
      const r = compileRegex("a*b|a").regex!, o = Old.compileRegex("a*b|a").regex!;
      const s = "a".repeat(k >> 6) + "b" + "a".repeat(k);
      expect(str(r.replace(s, compileReplacement(r, "-").replacement!)))
        .toBe(str(o.replace(s, Old.compileReplacement(o, "-").replacement!)));
    }
  });
});
