// regexParse.ts — parser for the regex dialect of regex.ts (an RE2 subset). Produces an AST;
// regex.ts compiles it. Errors are returned (message + offset), never thrown.
//
// Supported: literals; escapes \d \w \s \D \W \S \b \B \A \z \t \n \r \f \v \xHH \x{H…} \uHHHH and
// any escaped punctuation; classes [a-z] [^…] with escapes inside; '.'; ^ $; groups ( ), (?: ),
// (?P<name> ), (?<name> ); alternation; * + ? {n} {n,} {n,m} and their lazy forms (…?); flags
// (?i) (?s) (?m) (?-i) and scoped (?i: ). Case folding is ASCII-only.
// Refused at compile time, naming the construct: backreferences (\1, \k<…>), lookahead and
// lookbehind, atomic groups (?>…), possessive quantifiers (a*+), conditionals, Unicode classes
// (\p{…}), POSIX classes ([[:alpha:]]), repeat counts above MAX_REPEAT, nesting deeper than
// MAX_DEPTH, more than MAX_GROUPS groups, patterns longer than MAX_PATTERN.

export const MAX_REPEAT: i32 = 1000;
export const MAX_DEPTH: i32 = 100;
export const MAX_GROUPS: i32 = 100;
export const MAX_PATTERN: i32 = 8192;

export const enum NodeKind { Empty, Char, Class, Any, Concat, Alt, Repeat, Group, Assert }
export const enum AssertKind { Begin, End, LineBegin, LineEnd, WordB, NotWordB }

const F_I: i32 = 1, F_S: i32 = 2, F_M: i32 = 4;

/** A set of UTF-16 code units: a bitmap for ASCII and ranges above. */
export class CharClass {
  ascii: StaticArray<u32> = new StaticArray<u32>(4);
  ranges: i32[] = []; // lo, hi pairs, all >= 128
  negated: bool = false;

  addRange(lo: i32, hi: i32, fold: bool): void {
    if (lo > hi) return;
    for (let c = lo; c <= hi && c < 128; c++) {
      this.setAscii(c);
      if (fold) {
        if (c >= 65 && c <= 90) this.setAscii(c + 32);
        else if (c >= 97 && c <= 122) this.setAscii(c - 32);
      }
    }
    if (hi >= 128) { this.ranges.push(lo < 128 ? 128 : lo); this.ranges.push(hi); }
  }
  @inline setAscii(c: i32): void { unchecked(this.ascii[c >> 5] |= 1 << (c & 31)); }
  /** Adds the complement of a sorted list of ranges (for \D \W \S inside a class). */
  addComplement(r: i32[]): void {
    let next = 0;
    for (let i = 0; i < r.length; i += 2) {
      this.addRange(next, unchecked(r[i]) - 1, false);
      next = unchecked(r[i + 1]) + 1;
    }
    this.addRange(next, 0xFFFF, false);
  }
  matches(c: i32): bool {
    let hit = false;
    if (c < 128) hit = (unchecked(this.ascii[c >> 5]) & (1 << (c & 31))) != 0;
    else {
      const r = this.ranges;
      for (let i = 0, n = r.length; i < n; i += 2) {
        if (c >= unchecked(r[i]) && c <= unchecked(r[i + 1])) { hit = true; break; }
      }
    }
    return hit != this.negated;
  }
}

const DIGIT: i32[] = [48, 57];
const WORD: i32[] = [48, 57, 65, 90, 95, 95, 97, 122];
const SPACE: i32[] = [9, 13, 32, 32];

export class Node {
  kind: NodeKind = NodeKind.Empty;
  c: i32 = 0;          // Char: code unit; Class: index; Assert: kind; Group: capture index (-1 none)
  fold: bool = false;  // Char: case-insensitive
  min: i32 = 0;
  max: i32 = 0;        // Repeat: -1 = unbounded
  greedy: bool = true;
  kids: Node[] = [];
  constructor(kind: NodeKind) { this.kind = kind; }
}

export class ParseResult {
  root: Node | null = null;
  error: string = "";
  offset: i32 = 0;
  classes: CharClass[] = [];
  groupCount: i32 = 1; // group 0 is the whole match
  names: string[] = []; // names[i] for group i ("" when unnamed)
}

@inline function isDigitC(c: i32): bool { return c >= 48 && c <= 57; }

export function parseRegex(pattern: string): ParseResult {
  const p = new Parser(pattern);
  const r = p.res;
  r.names.push("");
  if (pattern.length > MAX_PATTERN) { r.error = "pattern longer than " + MAX_PATTERN.toString(); return r; }
  const root = p.alt(0);
  if (root !== null && p.pos < pattern.length) p.fail("unmatched ')'", p.pos);
  if (r.error.length == 0) r.root = root;
  return r;
}

class Parser {
  pos: i32 = 0;
  flags: i32 = 0;
  res: ParseResult = new ParseResult();
  constructor(public s: string) {}

  @inline peek(): i32 { return this.pos < this.s.length ? <i32>this.s.charCodeAt(this.pos) : -1; }
  @inline at(i: i32): i32 { return i < this.s.length ? <i32>this.s.charCodeAt(i) : -1; }
  fail(msg: string, at: i32): Node | null {
    if (this.res.error.length == 0) { this.res.error = msg; this.res.offset = at; }
    return null;
  }

  alt(depth: i32): Node | null {
    if (depth > MAX_DEPTH) return this.fail("nesting deeper than " + MAX_DEPTH.toString(), this.pos);
    const first = this.concat(depth);
    if (first === null) return null;
    if (this.peek() != 124 /* | */) return first;
    const n = new Node(NodeKind.Alt);
    n.kids.push(first);
    while (this.peek() == 124) {
      this.pos++;
      const k = this.concat(depth);
      if (k === null) return null;
      n.kids.push(k);
    }
    return n;
  }

  concat(depth: i32): Node | null {
    const n = new Node(NodeKind.Concat);
    while (true) {
      const c = this.peek();
      if (c < 0 || c == 124 || c == 41 /* ) */) break;
      const a = this.repeat(depth);
      if (a === null) { if (this.res.error.length > 0) return null; continue; } // flag group: no node
      n.kids.push(a);
    }
    return n;
  }

  /** Parses {n}, {n,}, {n,m} at pos; returns false (pos unchanged) if it is not a quantifier. */
  counted(out: StaticArray<i32>): bool {
    let i = this.pos + 1;
    let a = 0, b = 0, digits = 0;
    while (isDigitC(this.at(i))) { if (a <= 100000) a = a * 10 + this.at(i) - 48; i++; digits++; }
    if (digits == 0) return false;
    b = a;
    if (this.at(i) == 44 /* , */) {
      i++;
      digits = 0; b = 0;
      while (isDigitC(this.at(i))) { if (b <= 100000) b = b * 10 + this.at(i) - 48; i++; digits++; }
      if (digits == 0) b = -1;
    }
    if (this.at(i) != 125 /* } */) return false;
    out[0] = a; out[1] = b; out[2] = i + 1;
    return true;
  }

  repeat(depth: i32): Node | null {
    const atom = this.atom(depth);
    if (atom === null) return null;
    let node: Node = atom;
    let quantified = false;
    const q = new StaticArray<i32>(3);
    while (true) {
      const c = this.peek();
      let min = 0, max = 0, qpos = this.pos;
      if (c == 42) { min = 0; max = -1; this.pos++; }
      else if (c == 43) { min = 1; max = -1; this.pos++; }
      else if (c == 63) { min = 0; max = 1; this.pos++; }
      else if (c == 123 && this.counted(q)) {
        min = q[0]; max = q[1]; this.pos = q[2];
        if (min > MAX_REPEAT || max > MAX_REPEAT) return this.fail("repeat count above " + MAX_REPEAT.toString(), qpos);
        if (max >= 0 && max < min) return this.fail("bad repeat range {n,m} with m < n", qpos);
      } else break;
      if (quantified) return this.fail("repeated quantifier", qpos);
      quantified = true;
      const r = new Node(NodeKind.Repeat);
      r.min = min; r.max = max;
      if (this.peek() == 63) { r.greedy = false; this.pos++; }
      else if (this.peek() == 43) return this.fail("possessive quantifiers are not supported", this.pos);
      r.kids.push(node);
      node = r;
    }
    return node;
  }

  atom(depth: i32): Node | null {
    const c = this.peek();
    const at = this.pos;
    if (c == 40 /* ( */) return this.group(depth);
    if (c == 91 /* [ */) return this.klass();
    this.pos++;
    if (c == 46 /* . */) {
      const n = new Node(NodeKind.Any);
      n.c = (this.flags & F_S) != 0 ? 1 : 0;
      return n;
    }
    if (c == 94 /* ^ */) return assertNode((this.flags & F_M) != 0 ? AssertKind.LineBegin : AssertKind.Begin);
    if (c == 36 /* $ */) return assertNode((this.flags & F_M) != 0 ? AssertKind.LineEnd : AssertKind.End);
    if (c == 42 || c == 43 || c == 63) return this.fail("nothing to repeat", at);
    if (c == 123) {
      this.pos = at;
      const q = new StaticArray<i32>(3);
      if (this.counted(q)) return this.fail("nothing to repeat", at);
      this.pos = at + 1;
    }
    if (c == 92 /* \ */) return this.escape(false, null);
    return this.char(c);
  }

  char(c: i32): Node {
    const n = new Node(NodeKind.Char);
    const fold = (this.flags & F_I) != 0 && ((c | 0x20) >= 97 && (c | 0x20) <= 122);
    n.c = fold ? c | 0x20 : c;
    n.fold = fold;
    return n;
  }

  newClass(): CharClass { const k = new CharClass(); this.res.classes.push(k); return k; }
  classNode(k: CharClass): Node {
    const n = new Node(NodeKind.Class);
    n.c = this.res.classes.length - 1;
    return n;
  }

  /** After '\'. In a class (cls != null) adds to it and returns null with code in `lastChar`. */
  lastChar: i32 = -1;
  escape(inClass: bool, cls: CharClass | null): Node | null {
    const at = this.pos - 1;
    const c = this.peek();
    if (c < 0) return this.fail("trailing backslash", at);
    this.pos++;
    this.lastChar = -1;
    const fold = (this.flags & F_I) != 0;
    // class shorthands
    if (c == 100 || c == 119 || c == 115 || c == 68 || c == 87 || c == 83) {
      const lower = c | 0x20;
      const set = lower == 100 ? DIGIT : lower == 119 ? WORD : SPACE;
      const k = cls !== null ? cls : this.newClass();
      if (c == lower) { for (let i = 0; i < set.length; i += 2) k.addRange(set[i], set[i + 1], false); }
      else k.addComplement(set);
      return inClass ? null : this.classNode(k);
    }
    let v = -1;
    if (c == 116) v = 9; else if (c == 110) v = 10; else if (c == 114) v = 13;
    else if (c == 102) v = 12; else if (c == 118) v = 11;
    else if (c == 120 /* x */ || c == 117 /* u */) {
      v = this.hexEscape(c == 117);
      if (v < 0) return this.fail("bad \\" + String.fromCharCode(c) + " escape", at);
    } else if (isDigitC(c)) {
      if (c == 48 && !isDigitC(this.peek())) v = 0;
      else return this.fail("backreferences are not supported", at);
    } else if (c == 107 /* k */) return this.fail("backreferences are not supported", at);
    else if (c == 112 || c == 80) return this.fail("Unicode classes (\\p) are not supported", at);
    else if (!inClass && (c == 98 || c == 66 || c == 65 || c == 122)) {
      return assertNode(c == 98 ? AssertKind.WordB : c == 66 ? AssertKind.NotWordB : c == 65 ? AssertKind.Begin : AssertKind.End);
    } else if (c < 128 && !((c | 0x20) >= 97 && (c | 0x20) <= 122)) v = c; // escaped punctuation
    else return this.fail("unknown escape \\" + String.fromCharCode(c), at);
    if (inClass) { this.lastChar = v; return null; }
    if (fold && ((v | 0x20) >= 97 && (v | 0x20) <= 122)) return this.char(v);
    const n = new Node(NodeKind.Char);
    n.c = v;
    return n;
  }

  hexEscape(u: bool): i32 {
    let v = 0, digits = 0;
    const braced = !u && this.peek() == 123;
    if (braced) this.pos++;
    const max = u ? 4 : braced ? 4 : 2;
    while (digits < max) {
      const c = this.peek();
      const l = c | 0x20;
      let d = -1;
      if (isDigitC(c)) d = c - 48; else if (l >= 97 && l <= 102) d = l - 87;
      if (d < 0) break;
      v = (v << 4) | d; digits++; this.pos++;
    }
    if (braced) { if (this.peek() != 125 || digits == 0) return -1; this.pos++; }
    else if (digits != max) return -1;
    return v;
  }

  klass(): Node | null {
    const at = this.pos;
    this.pos++; // [
    const k = this.newClass();
    const fold = (this.flags & F_I) != 0;
    if (this.peek() == 94) { k.negated = true; this.pos++; }
    let first = true;
    while (true) {
      const c = this.peek();
      if (c < 0) return this.fail("missing ']'", at);
      if (c == 93 && !first) { this.pos++; break; }
      first = false;
      if (c == 91 && this.at(this.pos + 1) == 58) return this.fail("POSIX classes are not supported", this.pos);
      let lo: i32;
      if (c == 92) {
        this.pos++;
        this.escape(true, k);
        if (this.res.error.length > 0) return null;
        if (this.lastChar < 0) continue; // a shorthand class was added
        lo = this.lastChar;
      } else { lo = c; this.pos++; }
      let hi = lo;
      if (this.peek() == 45 && this.at(this.pos + 1) != 93 && this.at(this.pos + 1) >= 0) {
        this.pos++;
        const d = this.peek();
        if (d == 92) {
          this.pos++;
          this.escape(true, null);
          if (this.res.error.length > 0) return null;
          if (this.lastChar < 0) return this.fail("bad class range", this.pos);
          hi = this.lastChar;
        } else { hi = d; this.pos++; }
        if (hi < lo) return this.fail("bad class range", this.pos);
      }
      k.addRange(lo, hi, fold);
    }
    return this.classNode(k);
  }

  group(depth: i32): Node | null {
    const at = this.pos;
    this.pos++; // (
    const saved = this.flags;
    let cap = -1;
    if (this.peek() == 63 /* ? */) {
      this.pos++;
      const c = this.peek();
      if (c == 61 || c == 33) return this.fail("lookahead is not supported", at);
      if (c == 62) return this.fail("atomic groups are not supported", at);
      if (c == 40) return this.fail("conditionals are not supported", at);
      if (c == 60 && (this.at(this.pos + 1) == 61 || this.at(this.pos + 1) == 33)) return this.fail("lookbehind is not supported", at);
      if (c == 80 || c == 60) { // (?P<name> or (?<name>
        if (c == 80) { this.pos++; if (this.peek() != 60) return this.fail("bad named group", at); }
        this.pos++;
        const ns = this.pos;
        while (isNameChar(this.peek(), this.pos == ns)) this.pos++;
        if (this.pos == ns || this.peek() != 62) return this.fail("bad group name", at);
        const name = this.s.substring(ns, this.pos);
        this.pos++;
        if (this.res.names.includes(name)) return this.fail("duplicate group name " + name, at);
        cap = this.newGroup(name, at);
        if (cap < 0) return null;
      } else {
        // flags: (?i) (?-i) (?i:…) (?:…)
        let on = true, nf = this.flags;
        while (true) {
          const f = this.peek();
          if (f == 105) nf = on ? nf | F_I : nf & ~F_I;
          else if (f == 115) nf = on ? nf | F_S : nf & ~F_S;
          else if (f == 109) nf = on ? nf | F_M : nf & ~F_M;
          else if (f == 45 && on) on = false;
          else break;
          this.pos++;
        }
        const end = this.peek();
        if (end == 41) { this.pos++; this.flags = nf; return null; } // (?i): rest of this group
        if (end != 58) return this.fail("unknown group flag", this.pos);
        this.pos++;
        this.flags = nf;
      }
    } else {
      cap = this.newGroup("", at);
      if (cap < 0) return null;
    }
    const inner = this.alt(depth + 1);
    this.flags = saved;
    if (inner === null) return null;
    if (this.peek() != 41) return this.fail("missing ')'", at);
    this.pos++;
    const g = new Node(NodeKind.Group);
    g.c = cap;
    g.kids.push(inner);
    return g;
  }

  newGroup(name: string, at: i32): i32 {
    if (this.res.groupCount > MAX_GROUPS) { this.fail("more than " + MAX_GROUPS.toString() + " groups", at); return -1; }
    this.res.names.push(name);
    return this.res.groupCount++;
  }
}

function isNameChar(c: i32, first: bool): bool {
  const l = c | 0x20;
  return (l >= 97 && l <= 122) || c == 95 || (!first && isDigitC(c));
}

function assertNode(kind: AssertKind): Node {
  const n = new Node(NodeKind.Assert);
  n.c = kind;
  return n;
}
