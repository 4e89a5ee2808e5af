// regex.ts — a linear-time regular-expression engine (Thompson NFA run as a Pike VM), in one file.
//
// compileRegex(pattern) compiles once, at configure time, in a single recursive-descent pass
// straight into a flat program of i32 words (no AST); unsupported constructs are compile errors,
// never match-time failures. Matching never backtracks: time is O(len(input) × program size) and
// memory O(program size × groups), whatever the pattern — `^(a+)+$` on a long non-matching input
// is linear. The program is capped at MAX_PROGRAM words (counted repeats are expanded, so
// `(a{1000}){1000}` is refused at compile time).
//
// Dialect (an RE2 subset): literals; escapes \d \w \s \D \W \S \b \B \A \z \t \n \r \f \v \xHH
// \x{H…} \uHHHH \0 and any escaped ASCII punctuation; classes [a-z] [^…] with escapes inside; '.';
// ^ $; groups ( ), (?: ), (?P<name> ), (?<name> ); alternation; * + ? {n} {n,} {n,m} and their lazy
// forms (…?); flags (?i) (?s) (?m) (?-i) and scoped (?i: ). Refused, naming the construct:
// backreferences (\1, \k<…>), lookahead/lookbehind, atomic groups, possessive quantifiers,
// conditionals, \p classes, POSIX classes; repeat counts above 1000, nesting deeper than 100,
// more than 100 groups, patterns longer than 8192. On failure RegexResult.error says what and
// .offset where (`message` gives both: "missing ')' at 2").
//
// Semantics are leftmost-first (Perl/RE2: the first alternative that matches wins, greedy
// quantifiers prefer more). Input is the UTF-16 string: '.' and classes consume one code unit
// (a non-BMP character counts as two). '.' does not match '\n' unless (?s). (?i) folds ASCII only.
//
// API: test(s) (a match anywhere), fullMatch(s) (the whole string, as Envoy's safe_regex does),
// exec(s, from) → RegexMatch with group spans, replace(s, replacement, all) with a Replacement
// compiled by compileReplacement ($1, ${1}, ${name}, $$). Replacing every match repeats the search
// from each match's end, which is quadratic for patterns whose preferred alternative runs far and
// fails while a later one matches short (a*b|a on "aaa…", as in any leftmost-first engine): replace
// gives up (null) once its searches have stepped over about 8 times the input.
//
// Size: the compiler and the VM are written C-style — module globals and raw loads/stores instead
// of objects — because in AssemblyScript every managed local or field access costs shadow-stack
// code. The compiler, the template parser and the VM share one text cursor (P, PL, pos) and one
// word buffer; compileRegex and compileReplacement both return a RegexResult (ReplacementResult
// is the same class). Neither compiling nor matching is re-entrant (nothing in them calls back out).

import { base as P, ch as at, decimalDigits as readNum, emptyArray, errAt, hexDigits, len as PL, newInts, numEnd, pos, setText } from "./json";
import { Msg, msg } from "./messages";
import { decimal } from "./decimal";

export const MAX_PROGRAM: i32 = 20000;

// Program word: (arg << 4) | op. CLASS is followed by arg >> 1 range words (lo | hi << 16) and
// arg & 1 negates it. Jumps are relative, so a compiled piece can be copied or moved as it is.
// Ops up to MATCH are the ones a thread waits on.
const CHAR = 0, CHARI = 1 /* arg: a lower-case ASCII letter */, ANY = 2 /* arg != 0: also '\n' */,
  CLASS = 3, MATCH = 4, ASSERT = 5, SAVE = 6, JMP = 7,
  SPLIT = 8 /* prefer next, else pc + arg */, SPLITJ = 9 /* prefer pc + arg, else next */;
// Odd kinds look at the code unit after the position, even ones at the one before.
const A_BEGIN = 0, A_END = 1, A_LBEGIN = 2, A_LEND = 3, A_WORD = 4; // A_WORD + 1: \B
const F_I = 1, F_S = 2, F_M = 4;

// Error codes; the text is Msg.RegexBackreferences + code (messages.txt keeps that order); codes
// below E_SUPPORTED get " are not supported" appended.
const E_BACKREF = 0, E_LOOK = 1, E_ATOMIC = 2, E_POSSESSIVE = 3, E_UNICODE = 4, E_POSIX = 5, E_COND = 6,
  E_SUPPORTED = 7, E_NOCLOSE = 7, E_UNMATCHED = 8, E_NOBRACKET = 9, E_NOTHING = 10, E_REPEATED = 11,
  E_COUNT = 12, E_RANGE = 13, E_TRAILING = 14, E_ESCAPE = 15, E_NAME = 16, E_DUPNAME = 17, E_FLAG = 18,
  E_DEPTH = 19, E_GROUPS = 20, E_LONG = 21, E_LARGE = 22, E_UNTERMINATED = 23, E_UNKNOWN = 24, E_DOLLAR = 25;

function message(code: i32): string {
  const m = msg(<Msg>(Msg.RegexBackreferences + code));
  return code < E_SUPPORTED ? m + msg(Msg.RegexNotSupported) : m;
}

// Static byte tables (memory.data, not strings: reading a string constant costs shadow-stack code).
// \d (at 0), \w (at 3), \s (at 12) as sorted range pairs, each ended by a 0.
// (One block for both tables: each memory.data is a data segment of its own.)
const SETS = memory.data<u8>([48, 57, 0, 48, 57, 65, 90, 95, 95, 97, 122, 0, 9, 13, 32, 32, 0,
  0x40, 0x98, 0, 0x11, 0, 0x0E, 0, 0, 0, 0, 0x03, 0, 0, 0x0C, 0, 0x66, 0,
  0x0F, 0x11, 0x0B, 0x02, 0x0D, 0x11, 0x02, 0, 0x05]);
// What \ and a letter mean, for a to z: low nibble for the lower-case letter, high for the upper
// case: 0 bad escape, 1 set, 2 hex, 3 backreference, 4 + kind an assertion (\A \z \b \B),
// 6 Unicode class, 11 to 15 a control character + 2 (\t \n \v \f \r).
const ESC = SETS + 17;

@inline function isDigit(c: i32): bool { return <u32>(c - 48) < 10; }
@inline function isLetter(c: i32): bool { return <u32>((c | 32) - 97) < 26; }
function isWord(c: i32): bool { return isLetter(c) || isDigit(c) || c == 95; }
@inline function word(p: usize, i: i32): usize { return p + (<usize>i << 2); }
@inline function byte(p: usize, i: i32): i32 { return load<u8>(p + <usize>i); }

// ---- shared state (module globals): the text being read — the pattern or template while
// compiling, the input while matching — and the word buffer the compiler and replace() fill ----
// P (the text's code units), PL (its length) and at() are json.ts's base, len and ch(); pos, the
// compiler's position in the text, errAt (where its error is) and numEnd (also where the last run()
// stopped stepping) are json.ts's globals (AssemblyScript lets a module assign an imported global;
// one global for both, as the two never parse at the same time).
let n: i32 = 0;            // words (code units in replace()) in the buffer
let codeRef: StaticArray<i32> | null = null;
/** codeRef's words. */
// @ts-ignore: decorator
@inline function C(): usize { return changetype<usize>(codeRef); }
let cap: i32 = 0;          // codeRef's length
let err: i32 = -1;
// compiler only (P is the pattern, which the caller keeps alive)
let flags: i32 = 0;
let names: string[] = changetype<string[]>(0); // names[i] of group i ("" when unnamed); set by compileRegex

function peek(): i32 { return at(pos); }
/** The code unit at pos (-1 at the end); moves past it. */
function next(): i32 { return at(pos++); }
/** Skips c if it is next. */
function eat(c: i32): bool {
  const r = peek() == c;
  pos += <i32>r;
  return r;
}
function begin(s: string): void {
  setText(changetype<usize>(s), s.length);
  pos = n = cap = errAt = 0; err = -1;
}
// readNum(i) (json.ts's decimalDigits): the decimal digits at i, or -1 if none; numEnd is where they stop.
/** Records the first error and ends parsing (every loop stops at the end of the text). */
function fail(e: i32, where: i32): bool {
  if (err < 0) { err = e; errAt = where; }
  pos = PL;
  return false;
}
function room(k: i32): void {
  const need = n + k;
  if (need > cap) {
    const d = take(cap = need << 1);
    codeRef = d;
  }
}
/** A new array of k words that starts with the buffer's n. */
function take(k: i32): StaticArray<i32> {
  const a = newInts(k);
  memory.copy(changetype<usize>(a), C(), <usize>n << 2);
  return a;
}
function put(w: i32): void { room(1); store<i32>(word(C(), n++), w); }
function emit(op: i32, arg: i32): void { put((arg << 4) | op); }
function range(lo: i32, hi: i32): void { put(lo | (hi << 16)); }
/** Sets the CLASS header at h over the ranges after it. */
function close(h: i32, neg: i32): void { setw(h, CLASS, ((n - h - 1) << 1) | neg); }
/** Sets word i of the buffer to an instruction. */
function setw(i: i32, op: i32, arg: i32): void { store<i32>(word(C(), i), (arg << 4) | op); }

/** alternative ('|' alternative)*: SPLIT → B; A; JMP end; SPLIT → C; B; JMP end; C. */
function alt(depth: i32): void {
  if (depth > 100) { fail(E_DEPTH, pos); return; }
  let start = n, jumps = -1;
  while (true) {
    // a0: where the last atom starts; -1: nothing to repeat, -2: it has a quantifier already
    for (let c = peek(), a0 = -1; c >= 0 && c != 124 /* | */ && c != 41 /* ) */; c = peek()) {
      // a quantifier: * + ? {n} {n,} {n,m} (lo to hi times, hi -1: unbounded)
      const q = pos;
      let lo = <i32>(c == 43), hi = c == 63 ? 1 : -1, i = pos + 1, isq = <bool>(<i32>(<u32>(c - 42) < 2) | <i32>(c == 63));
      if (c == 123 /* { */) {
        hi = lo = readNum(i);
        i = numEnd;
        if (at(i) == 44 /* , */) { hi = readNum(i + 1); i = numEnd; }
        isq = lo >= 0 && at(i++) == 125 /* } */;
      }
      if (isq) {
        pos = i;
        const e = a0 < 0 ? E_NOTHING - 1 - a0 /* E_REPEATED for -2 */ : max(lo, hi) > 1000 ? E_COUNT : <u32>hi < <u32>lo ? E_RANGE : -1;
        if (e >= 0) fail(e, q);
        else if (peek() == 43) fail(E_POSSESSIVE, pos);
        else repeat(a0, lo, hi, eat(63), q);
        a0 = -2;
      } else {
        a0 = n;
        if (!atom(depth)) a0 = -1;
      }
    }
    if (!eat(124)) break;
    room(2);
    const end = n;
    memory.copy(word(C(), start + 1), word(C(), start), <usize>(end - start) << 2);
    setw(start, SPLIT, end + 2 - start);
    setw(end + 1, JMP, jumps); // pending jumps are chained through their args
    jumps = end + 1;
    start = n = end + 2;
  }
  while (jumps >= 0) {
    const prev = load<i32>(word(C(), jumps)) >> 4;
    setw(jumps, JMP, n - jumps);
    jumps = prev;
  }
}

/** Rewrites the piece [a0, n) as x{lo,hi} (hi -1: unbounded): lo copies of x, then hi - lo optional
 * ones (SPLIT → end; x); x+ loops back over its last copy, x* is L: SPLIT → end; x; JMP L. */
// @ts-ignore: decorator
@inline function repeat(a0: i32, lo: i32, hi: i32, lazy: bool, q: i32): void {
  const len = n - a0, e = hi < 0 ? max(lo, 1) : hi, size = e * (len + 1) - lo + <i32>(hi < 0), end = a0 + size;
  if (end > MAX_PROGRAM) { fail(E_LARGE, q); return; }
  room(size);
  const src = word(C(), end), bytes = <usize>len << 2, skip = SPLIT + <i32>lazy;
  memory.copy(src, word(C(), a0), bytes); // park the piece after the result
  let p = a0;
  for (let i = 0; i < e; i++) {
    if (i >= lo) { setw(p, skip, end - p); p++; }
    memory.copy(word(C(), p), src, bytes);
    p += len;
  }
  if (hi < 0) setw(p, lo == 0 ? JMP : skip ^ 1, -len - <i32>(lo == 0));
  n = end;
}

/** One atom; false when there is nothing to quantify (a flag group, or an error). */
function atom(depth: i32): bool {
  const a = pos, c = next(), f = flags;
  if (c == 40 /* ( */) return group(depth, a);
  if (c == 91 /* [ */) return klass(a);
  if (c == 46 /* . */) emit(ANY, f & F_S);
  else if (c == 94 /* ^ */ || c == 36 /* $ */) emit(ASSERT, <i32>(c == 36) | ((f & F_M) >> 1));
  else {
    const v = c == 92 ? escape(false) : c, fold = f & <i32>isLetter(v); // CHARI : CHAR (F_I is 1)
    if (v >= 0) emit(fold, v | (fold << 5));
  }
  return true;
}

/** After '\': returns the code unit, or -1 when it emitted a set or an assertion (or failed). */
function escape(inClass: bool): i32 {
  const a = pos - 1, c = next(), l = c | 32;
  let e = E_TRAILING;
  if (c >= 0) {
    e = E_ESCAPE;
    if (isLetter(c)) {
      const t = (byte(ESC, l - 97) >> (<i32>(c != l) << 2)) & 15;
      if (t > 10) return t - 2; // \t \n \v \f \r
      if (t == 1) { // \d \w \s; upper case negates
        const neg = c != l, h = n;
        if (!inClass) put(0);
        // the ranges of \d \w \s, or of their complement
        let next = 0;
        const complement = neg & inClass;
        for (let i = l == 100 ? 0 : l & 4 ? 3 : 12 /* d, w, s */, lo = 0; (lo = byte(SETS, i)) != 0; i += 2) {
          const hi = byte(SETS, i + 1);
          if (complement) range(next, lo - 1); else range(lo, hi); // (a set never starts at 0)
          next = hi + 1;
        }
        if (complement) range(next, 0xFFFF);
        if (!inClass) close(h, <i32>neg);
        return -1;
      }
      if (t == 2) { // \xHH, \x{H…} (1 to 4 digits), \uHHHH
        const braced = c == 120 && eat(123), want = 2 << (<i32>(c == 117) | <i32>braced);
        const v = hexDigits(pos, want), k = numEnd - pos;
        pos = numEnd;
        if (braced ? <i32>(k > 0) & <i32>eat(125) : k == want) return v;
      }
      else if (t == 3 || t == 6) e = t & 4; // E_BACKREF, E_UNICODE
      else if (t >= 4 && !inClass) { emit(ASSERT, t - 4); return -1; } // \A \z \b \B
    } else if (isDigit(c)) {
      if (<i32>(c == 48) & <i32>!isDigit(peek())) return 0;
      e = E_BACKREF;
    } else if (c < 128) return c; // escaped punctuation
  }
  fail(e, a);
  return -1;
}

/** A char (or escape) inside [ ]: its code unit, or -1 when a set was added (or on error). */
function classChar(): i32 {
  const c = next();
  return c == 92 ? escape(true) : c;
}

// @ts-ignore: decorator
@inline function klass(a: i32): bool {
  const h = n;
  put(0);
  const neg = <i32>eat(94 /* ^ */), s = pos;
  while (true) {
    const c = peek(), i = pos;
    if (c < 0) return fail(E_NOBRACKET, a);
    if (c == 93 && i > s) break; // a ']' first is a literal
    if (<i32>(c == 91) & <i32>(at(i + 1) == 58)) return fail(E_POSIX, i);
    const lo = classChar();
    if (lo < 0) continue;
    let hi = lo;
    const d = at(pos + 1);
    if (peek() == 45 /* - */ && d != 93 && d >= 0) {
      next();
      hi = classChar();
      if (hi < lo) return fail(E_RANGE, i);
    }
    range(lo, hi);
    if (flags & F_I) { // the other case of the letters in lo..hi
      for (let b = 65; b <= 97; b += 32) {
        const x = max(lo, b), y = min(hi, b + 25);
        if (x <= y) range(x ^ 32, y ^ 32);
      }
    }
  }
  next();
  close(h, neg);
  return true;
}

// @ts-ignore: decorator
@inline function group(depth: i32, a: i32): bool {
  const saved = flags;
  let g = -1;
  if (eat(63 /* ? */)) {
    const c = peek(), d = at(pos + 1), l = c == 60 ? d : c; // (?= (?! (?<= (?<!
    const e = l == 61 || l == 33 ? E_LOOK
      : c == 62 ? E_ATOMIC : c == 40 ? E_COND : c == 80 && d != 60 ? E_NAME : -1;
    if (e >= 0) return fail(e, a);
    if (c == 80 /* P */ || c == 60 /* < */) {
      pos += 1 + <i32>(c == 80);
      const ns = pos;
      let x: i32;
      while (isWord(x = peek()) && (pos > ns || !isDigit(x))) next();
      if (pos == ns || x != 62) return fail(E_NAME, a);
      g = newGroup(ns, pos, a);
      next();
    } else { // flags: (?i) (?-i) (?i:…) (?:…)
      let off = 0, f = flags, x: i32; // off: -1 after '-'
      while (true) {
        x = next();
        const bit = <i32>(x == 105) | (<i32>(x == 115) << 1) | (<i32>(x == 109) << 2); // F_I, F_S, F_M
        if (bit != 0) f = (f | bit) ^ (bit & off);
        else if (x == 45 && off == 0) off = -1;
        else break;
      }
      flags = f;
      if (x == 41) return false; // (?i): for the rest of the enclosing group
      if (x != 58) return fail(E_FLAG, pos - 1);
    }
  } else g = newGroup(0, 0, a);
  alt(depth + 1);
  flags = saved;
  if (!eat(41)) return fail(E_NOCLOSE, a);
  if (g >= 0) emit(SAVE, g * 2 + 1);
  return true;
}

/** A new capture group named pattern[ns, ne) ("" when ns == ne), opened by a SAVE; its index, or -1 on error. */
function newGroup(ns: i32, ne: i32, a: i32): i32 {
  const name = changetype<string>(P).substring(ns, ne);
  if (names.length > 100) fail(E_GROUPS, a);
  else if (ne > ns && names.includes(name)) fail(E_DUPNAME, a);
  else { const g = names.push(name) - 1; emit(SAVE, g * 2); return g; } // opens it
  return -1;
}

/** What compileRegex (regex set on success) and compileReplacement (replacement set) return: one
 *  class for both, so a regex result's `replacement` and a replacement result's `regex` are null. */
export class RegexResult {
  // (the references first, at 0, 4 and 8: classes with the same layout share a case of the
  // collector's member visitor)
  constructor(public regex: Regex | null, public error: string, public replacement: Replacement | null, public offset: i32,
              /** Whether it compiled (regex or replacement is set). */ readonly ok: bool) {}
  /** What and where, e.g. "missing ')' at 2". */
  get message(): string { return this.error + " at " + decimal(this.offset); }
}
export type ReplacementResult = RegexResult;

/** The result of a compilation (err < 0: success, with re or rep). */
function result(re: Regex | null, rep: Replacement | null): RegexResult {
  codeRef = null;
  const ok = err < 0;
  return new RegexResult(re, ok ? "" : message(err), rep, errAt, ok);
}

/** Compiles a pattern; on failure `error` names the problem and `offset` where it is. */
export function compileRegex(s: string): RegexResult {
  begin(s);
  flags = 0;
  names = emptyArray<string[]>(); // (no array literal: its static copy costs more)
  newGroup(0, 0, 0); // group 0, "": SAVE 0
  if (PL > 8192) fail(E_LONG, 8192);
  alt(0);
  if (pos < PL) fail(E_UNMATCHED, pos);
  emit(SAVE, 1);
  emit(MATCH, 0);
  if (n > MAX_PROGRAM) fail(E_LARGE, 0);
  let re: Regex | null = null;
  if (err < 0) {
    re = new Regex(take(programWords(n, names.length)), names, n, names.length);
  }
  return result(re, null);
}

export class RegexMatch {
  constructor(public input: string, public caps: StaticArray<i32>, private names: string[]) {}
  get start(): i32 { return this.caps[0]; }
  get end(): i32 { return this.caps[1]; }
  get groupCount(): i32 { return this.caps.length >> 1; }
  /** Text of group i (0 = whole match), or null when it did not take part or does not exist. */
  group(i: i32): string | null {
    if (i < 0 || 2 * i + 1 >= this.caps.length) return null;
    const a = this.caps[2 * i], b = this.caps[2 * i + 1];
    return a < 0 || b < 0 ? null : this.input.substring(a, b);
  }
  named(name: string): string | null { return this.group(this.names.indexOf(name)); }
}

/**
 * Words of a Regex's `m` for a program of `size` words and `groups` groups: the program, then the
 * VM's scratch as run() lays it out — the mark generation (1), a mark per pc (size), the best slots
 * (2 × groups), a stack of 3 × size + 1, and two thread lists of size threads, each thread a pc and
 * its slots (1 + 2 × groups).
 */
export function programWords(size: i32, groups: i32): i32 {
  const slots = 2 * groups;
  return size * (7 + 2 * slots) + slots + 2; // (the sum above, collected)
}

let vBest: usize = 0; // the match's slots after a successful run()

/** Runs the VM over s from `start`; on success the match's slots are at vBest. */
function run(re: Regex, s: string, start: i32, full: bool): bool {
  // m: the program, the mark generation, a mark per pc, the best slots, a stack of 3 × size + 1,
  // two thread lists of size threads (pc, slots).
  const prog = changetype<usize>(re.m), size = re.size, slots = <usize>re.groupCount << 3, len = s.length;
  setText(changetype<usize>(s), len);
  const genAt = word(prog, size), marks = genAt + 4, best = word(marks, size), base = best + slots, rec = slots + 4;
  vBest = best;
  let cl = word(base, 3 * size + 1), nl = cl + <usize>size * rec, ce = cl, matched = false, gen = load<i32>(genAt);
  if (gen > 1 << 30) { memory.fill(marks, 0, <usize>size << 2); gen = 0; } // a run adds < 2^30
  const anchored = full || load<i32>(prog, 4) == ((A_BEGIN << 4) | ASSERT);
  // A list (cl up to ce) holds the threads waiting at pos, each known to accept the code unit
  // there (a thread at the MATCH at size - 1 accepts anything), as the pc after its instruction.
  // Stepping them (in priority order), then a new thread starting at pos + 1, adds what each
  // reaches without input to the list for pos + 1 (from nl up to np): a thread that reaches a
  // consuming instruction which rejects the unit at pos + 1 goes no further (a fresh mark
  // generation per list, so each pc is added once per position).
  let pos = start - 1;
  for (; pos <= len; pos++) {
    const ch = at(pos), y = at(pos + 1);
    let np = nl, waits = false;
    gen++;
    for (let t = cl; t <= ce; t += rec) {
      let next = 0, work = best;
      if (t == ce) { // the new start
        if (<i32>matched | (<i32>anchored & <i32>(pos >= start)) | <i32>(pos >= len)) break;
        memory.fill(best, 0xFF, slots); // (best is free until a match)
      } else {
        next = load<i32>(t);
        work = t + 4;
        if (next == size) { // after the MATCH at size - 1
          if (full && pos != len) continue;
          memory.copy(best, work, slots);
          matched = true;
          break; // lower-priority threads are cut off
        }
      }
      // Add the thread at next with the slots at work (used as scratch, restored by the undo
      // entries on the stack) and all it reaches.
      let sp = base;
      store<i32>(sp, next); sp += 4;
      while (sp > base) {
        sp -= 4;
        const e = load<i32>(sp);
        if (e < 0) { sp -= 4; store<i32>(word(work, -e - 1), load<i32>(sp)); continue; } // undo a SAVE
        const mk = word(marks, e);
        if (load<i32>(mk) == gen) continue;
        store<i32>(mk, gen);
        const w = load<i32>(word(prog, e)), op = w & 15, a = w >> 4;
        let nx = e + 1;
        if (op >= JMP) {
          const j = e + a;
          store<i32>(sp, op == SPLIT ? j : nx); sp += <i32>(op != JMP) << 2; // the other way, for later (JMP: overwritten below)
          if (op != SPLIT) nx = j;
        } else if (op == SAVE) {
          const slot = word(work, a);
          store<i32>(sp, load<i32>(slot));
          store<i32>(sp, -a - 1, 4); sp += 8;
          store<i32>(slot, pos + 1);
        } else if (op == ASSERT) {
          const c = a & 1 ? y : ch; // before, after
          if (!(a >= A_WORD ? (isWord(ch) != isWord(y)) == (a == A_WORD) : c < 0 || (a >= A_LBEGIN && c == 10))) continue;
        } else { // a thread waits here: for the unit at pos + 1, or (MATCH) for the end of the run
          waits = true;
          if (op == CLASS) {
            let r = nx;
            nx += a >> 1;
            for (; r < nx; r++) {
              const x = load<i32>(word(prog, r));
              if (y >= (x & 0xFFFF) && y <= (x >>> 16)) break;
            }
            if (y < 0 || (r < nx) == ((a & 1) != 0)) continue;
          } else if (op != MATCH && (op == ANY ? y < 0 || (a == 0 && y == 10) : (y | (op << 5)) != a)) continue;
          store<i32>(np, nx);
          memory.copy(np + 4, work, slots);
          np += rec;
          continue;
        }
        store<i32>(sp, nx); sp += 4;
      }
    }
    ce = np; np = cl; cl = nl; nl = np;
    if (!waits && (matched || anchored)) break;
  }
  numEnd = pos; // where it stopped stepping
  store<i32>(genAt, gen);
  return matched;
}

export class Regex {
  /** m: the program (size words), then the VM's scratch; groupCount: names.length. (The
   *  references first, as in RegexResult.) */
  constructor(readonly m: StaticArray<i32>, readonly names: string[], readonly size: i32, readonly groupCount: i32) {}

  /** Index of a named group, or -1. */
  groupIndex(name: string): i32 { return name.length == 0 ? -1 : this.names.indexOf(name); }

  /** Does the pattern match anywhere in s? */
  test(s: string): bool { return run(this, s, 0, false); }
  /** Does the pattern match the whole of s? */
  fullMatch(s: string): bool { return run(this, s, 0, true); }
  /** The leftmost-first match at or after `from`, or null. */
  exec(s: string, from: i32 = 0): RegexMatch | null {
    if (from < 0 || from > s.length || !run(this, s, from, false)) return null;
    const slots = this.groupCount * 2, caps = newInts(slots);
    memory.copy(changetype<usize>(caps), vBest, <usize>slots << 2);
    return new RegexMatch(s, caps, this.names);
  }

  /**
   * Replaces the first (or every, when all) match with the compiled replacement. A replacement
   * compiled against another regex with more groups leaves s as it is. Null when the searches ran
   * out of their budget (replaceAtMost).
   */
  replace(s: string, r: Replacement, all: bool = true): string | null {
    return this.replaceAtMost(s, r, all, i32.MAX_VALUE);
  }

  /**
   * replace(), or null as soon as the output passes `max` code units (so a hostile input cannot
   * make it build a huge string: an empty match between every character of a long value, say), or
   * once its searches have stepped over about 8 × the input (so it stays linear in the input).
   */
  replaceAtMost(s: string, r: Replacement, all: bool, max: i32): string | null {
    if (r.groups > this.groupCount) return s; // its group slots are not this regex's
    // Builds the output in the compiler's word buffer (as code units), then copies it out.
    const sp = changetype<usize>(s), len = s.length, tp = changetype<usize>(r.t),
      parts = changetype<usize>(r.parts), pe = word(parts, r.parts.length);
    n = cap = 0;
    // Positions the searches may step over in all: each search also runs its preferred threads past
    // the match it returns, so a pattern like a*b|a on "aaa…" would make replacing every match quadratic.
    let pos = 0, last = 0, budget = (len + 16) << 3;
    while (pos <= len && run(this, s, pos, false)) {
      if ((budget -= numEnd - pos) < 0) { codeRef = null; return null; }
      const ms = load<i32>(vBest), me = load<i32>(vBest, 4);
      text(sp, last, ms);
      for (let q = parts; q < pe; q += 8) {
        let x = load<i32>(q), y = load<i32>(q, 4), p = tp;
        if (x < 0) { const g = vBest + ~x; x = load<i32>(g); y = load<i32>(g, 4); p = sp; }
        if ((x | y) >= 0) text(p, x, y); // (a group that did not take part adds nothing)
        // (checked per part: one match of a template repeating "$0" could otherwise add many times s)
        if (n > max) { codeRef = null; return null; }
      }
      last = me;
      pos = me + <i32>(me == ms);
      if (!all) break;
    }
    if (pos == 0) return s; // no match
    text(sp, last, len);
    if (n > max) { codeRef = null; return null; }
    const k = <usize>n << 1, out = __new(k, idof<string>());
    memory.copy(out, C(), k);
    codeRef = null;
    return changetype<string>(out);
  }
}

/** Appends code units [a, b) of the string at p to the buffer. */
function text(p: usize, a: i32, b: i32): void {
  const k = b - a;
  room(k);
  memory.copy(C() + (<usize>n << 1), p + (<usize>a << 1), <usize>k << 1);
  n += k;
}

/** A replacement template compiled against a Regex: literal spans of the template and groups. */
export class Replacement {
  // word pairs: (start, end) of a literal span of t, or (~offset, 0) of a group's start slot (its end slot follows it)
  constructor(readonly t: string, readonly parts: StaticArray<i32>, readonly groups: i32) {}
}

/** Parses "$1", "${1}", "${name}", "$$" in a template; unknown groups are errors. */
export function compileReplacement(re: Regex, t: string): ReplacementResult {
  begin(t);
  let from = 0; // start of the pending literal
  while (true) {
    const i = pos, c = next();
    if (c >= 0 && c != 36 /* $ */) continue;
    if (i > from) { put(from); put(i); }
    if (c < 0) break;
    from = pos;
    if (eat(36)) continue; // "$$": the second '$' starts the next literal
    const braced = eat(123 /* { */), ns = pos;
    let g = readNum(ns); // (numEnd stays where the digits stop: the loop below only moves pos)
    if (braced) {
      while (peek() != 125) if (next() < 0) { fail(E_UNTERMINATED, i); break; }
      if (numEnd != pos) g = re.names.indexOf(t.substring(ns, pos));
      next();
    } else {
      pos = numEnd;
      if (g < 0) fail(E_DOLLAR, i);
    }
    if (<u32>g >= <u32>re.groupCount) fail(E_UNKNOWN, i);
    put(~(g << 3)); put(0);
    from = pos;
  }
  let rep: Replacement | null = null;
  if (err < 0) {
    rep = new Replacement(t, take(n), re.groupCount);
  }
  return result(null, rep);
}
