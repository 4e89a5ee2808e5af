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

import { base as P, ch as at, decimalDigits as readNum, emptyArray, hexDigits, len as PL, newInts, numEnd, setText } from "../../../assembly/lib/json";
import { Msg, msg } from "../../../assembly/lib/messages";
import { decimal } from "../../../assembly/lib/decimal";

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
// P (the text's code units), PL (its length) and at() are json.ts's base, len and ch().
let pos: i32 = 0;
let n: i32 = 0;            // words (code units in replace()) in the buffer
let codeRef: StaticArray<i32> | null = null;
let C: usize = 0;          // codeRef's words
let cap: i32 = 0;          // codeRef's length
let err: i32 = -1;
let errAt: i32 = 0;
// compiler only (P is the pattern, which the caller keeps alive)
let flags: i32 = 0;
let names: string[] = changetype<string[]>(0); // names[i] of group i ("" when unnamed); set by compileRegex
let qmin: i32 = 0;
let qmax: i32 = 0;

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
    C = changetype<usize>(d);
  }
}
/** A new array of k words that starts with the buffer's n. */
function take(k: i32): StaticArray<i32> {
  const a = newInts(k);
  memory.copy(changetype<usize>(a), C, <usize>n << 2);
  return a;
}
function put(w: i32): void { room(1); store<i32>(word(C, n++), w); }
function emit(op: i32, arg: i32): void { put((arg << 4) | op); }
function range(lo: i32, hi: i32): void { put(lo | (hi << 16)); }
/** Sets the CLASS header at h over the ranges after it. */
function close(h: i32, neg: i32): void { setw(h, CLASS, ((n - h - 1) << 1) | neg); }
/** Sets word i of the buffer to an instruction. */
function setw(i: i32, op: i32, arg: i32): void { store<i32>(word(C, i), (arg << 4) | op); }

/** alternative ('|' alternative)*: SPLIT → B; A; JMP end; SPLIT → C; B; JMP end; C. */
function alt(depth: i32): void {
  if (depth > 100) { fail(E_DEPTH, pos); return; }
  let start = n, jumps = -1;
  while (true) {
    for (let c = peek(); c >= 0 && c != 124 /* | */ && c != 41 /* ) */; c = peek()) {
      const a0 = n;
      if (atom(depth)) quantifiers(a0);
    }
    if (!eat(124)) break;
    room(2);
    const end = n;
    memory.copy(word(C, start + 1), word(C, start), <usize>(end - start) << 2);
    setw(start, SPLIT, end + 2 - start);
    setw(end + 1, JMP, jumps); // pending jumps are chained through their args
    jumps = end + 1;
    start = n = end + 2;
  }
  while (jumps >= 0) {
    const prev = load<i32>(word(C, jumps)) >> 4;
    setw(jumps, JMP, n - jumps);
    jumps = prev;
  }
}

/** A quantifier at pos: sets qmin/qmax (-1 = unbounded) and skips it, or returns false. */
function quantifier(): bool {
  const c = peek();
  if (c == 123 /* { */) { // {n}, {n,}, {n,m}
    const lo = readNum(pos + 1);
    let hi = lo, i = numEnd;
    if (at(i) == 44 /* , */) { hi = readNum(i + 1); i = numEnd; }
    if (lo < 0 || at(i) != 125 /* } */) return false;
    qmin = lo; qmax = hi; pos = i + 1;
    return true;
  }
  qmin = <i32>(c == 43); qmax = c == 63 ? 1 : -1;
  return (<u32>(c - 42) < 2 || c == 63) && eat(c); // * + ?
}

function quantifiers(a0: i32): void {
  for (let seen = false; ; seen = true) {
    const q = pos;
    if (!quantifier()) return;
    const lo = qmin, hi = qmax; // (hi -1: unbounded)
    const e = seen ? E_REPEATED : max(lo, hi) > 1000 ? E_COUNT : <u32>hi < <u32>lo ? E_RANGE : -1;
    if (e >= 0) { fail(e, q); return; }
    if (peek() == 43) { fail(E_POSSESSIVE, pos); return; }
    repeat(a0, lo, hi, eat(63), q);
  }
}

/** Rewrites the piece [a0, n) as x{lo,hi} (hi -1: unbounded): lo copies of x, then hi - lo optional
 * ones (SPLIT → end; x); x+ loops back over its last copy, x* is L: SPLIT → end; x; JMP L. */
// @ts-ignore: decorator
@inline function repeat(a0: i32, lo: i32, hi: i32, lazy: bool, q: i32): void {
  const len = n - a0, e = hi < 0 ? max(lo, 1) : hi, size = e * (len + 1) - lo + <i32>(hi < 0), end = a0 + size;
  if (end > MAX_PROGRAM) { fail(E_LARGE, q); return; }
  room(size);
  const src = word(C, end), bytes = <usize>len << 2, skip = SPLIT + <i32>lazy;
  memory.copy(src, word(C, a0), bytes); // park the piece after the result
  let p = a0;
  for (let i = 0; i < e; i++) {
    if (i >= lo) { setw(p, skip, end - p); p++; }
    memory.copy(word(C, p), src, bytes);
    p += len;
  }
  if (hi < 0) setw(p, lo == 0 ? JMP : skip ^ 1, -len - <i32>(lo == 0));
  n = end;
}

/** One atom; false when there is nothing to quantify (a flag group, or an error). */
function atom(depth: i32): bool {
  const a = pos;
  if (quantifier()) return fail(E_NOTHING, a);
  const c = next(), f = flags;
  if (c == 40 /* ( */) return group(depth, a);
  if (c == 91 /* [ */) return klass(a);
  if (c == 46 /* . */) emit(ANY, f & F_S);
  else if (c == 94 /* ^ */ || c == 36 /* $ */) emit(ASSERT, <i32>(c == 36) | ((f & F_M) >> 1));
  else {
    const v = c == 92 ? escape(false) : c, fold = <i32>((f & F_I) != 0 && isLetter(v)); // CHARI : CHAR
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
      const b = byte(ESC, l - 97), t = c == l ? b & 15 : b >> 4;
      if (t > 10) return t - 2; // \t \n \v \f \r
      if (t == 1) { // \d \w \s; upper case negates
        const neg = c != l, h = n;
        if (!inClass) put(0);
        // the ranges of \d \w \s, or of their complement
        let next = 0;
        const complement = neg && inClass;
        for (let i = l == 100 ? 0 : l == 119 ? 3 : 12, lo = 0; (lo = byte(SETS, i)) != 0; i += 2) {
          const hi = byte(SETS, i + 1);
          if (complement) range(next, lo - 1); else range(lo, hi); // (a set never starts at 0)
          next = hi + 1;
        }
        if (complement) range(next, 0xFFFF);
        if (!inClass) close(h, <i32>neg);
        return -1;
      }
      if (t == 2) { // \xHH, \x{H…} (1 to 4 digits), \uHHHH
        const braced = c == 120 && eat(123), want = c == 117 || braced ? 4 : 2;
        const v = hexDigits(pos, want), k = numEnd - pos; // (json.ts's hexDigits sets numEnd: hexEnd was merged into it)
        pos = numEnd;
        if (braced ? k > 0 && eat(125) : k == want) return v;
      }
      else if (t == 3) e = E_BACKREF;
      else if (t == 6) e = E_UNICODE;
      else if (t >= 4 && !inClass) { emit(ASSERT, t - 4); return -1; } // \A \z \b \B
    } else if (isDigit(c)) {
      if (c == 48 && !isDigit(peek())) return 0;
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
    if (c == 91 && at(i + 1) == 58) return fail(E_POSIX, i);
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
        const x = max(lo, b), y = min(hi, b + 25), o = 162 - 2 * b; // 32, then -32
        if (x <= y) range(x + o, y + o);
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
        x = peek();
        const bit = x == 105 ? F_I : x == 115 ? F_S : x == 109 ? F_M : 0;
        if (bit != 0) f = (f | bit) ^ (bit & off);
        else if (x == 45 && off == 0) off = -1;
        else break;
        next();
      }
      next();
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
  names = emptyArray<string[]>();
  names.push(""); // (no array literal: its static copy costs more)
  if (PL > 8192) fail(E_LONG, 8192);
  emit(SAVE, 0);
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
  return size + 1 + size + slots + (3 * size + 1) + 2 * size * (1 + slots);
}

let vBest: usize = 0; // the match's slots after a successful run()
let vEnd: i32 = 0;     // where the last run() stopped stepping

/** Runs the VM over s from `start`; on success the match's slots are at vBest. */
function run(re: Regex, s: string, start: i32, full: bool): bool {
  // m: the program, the mark generation, a mark per pc, the best slots, a stack of 3 × size + 1,
  // two thread lists of size threads (pc, slots).
  const prog = changetype<usize>(re.m), size = re.size, slots = <usize>re.groupCount << 3, len = s.length;
  setText(changetype<usize>(s), len);
  const genAt = word(prog, size), marks = genAt + 4, best = word(marks, size), base = best + slots, rec = slots + 4;
  vBest = best;
  let cl = word(base, 3 * size + 1), nl = cl + <usize>size * rec, cn = 0, matched = false, gen = load<i32>(genAt);
  if (gen > 1 << 30) { memory.fill(marks, 0, <usize>size << 2); gen = 0; } // a run adds < 2^30
  const anchored = full || load<i32>(prog, 4) == ((A_BEGIN << 4) | ASSERT);
  // Step the threads waiting at pos (in priority order), then a new thread starting at pos + 1,
  // into the list for pos + 1; each adds what it reaches without input (a fresh mark generation
  // per list, so each pc is added once per position).
  let pos = start - 1;
  for (; pos <= len; pos++) {
    const ch = at(pos);
    let nn = 0;
    gen++;
    for (let i = 0; i <= cn; i++) {
      const t = cl + <usize>i * rec;
      let ok = true, next = 0, work = best;
      if (i == cn) { // the new start
        if (matched || (anchored && pos >= start) || pos >= len) break;
        memory.fill(best, 0xFF, slots); // (best is free until a match)
      } else {
        const pc = load<i32>(t), w = load<i32>(word(prog, pc)), op = w & 15, a = w >> 4;
        if (op == MATCH) {
          if (full && pos != len) continue;
          memory.copy(best, t + 4, slots);
          matched = true;
          break; // lower-priority threads are cut off
        }
        next = pc + 1;
        work = t + 4;
        if (op <= CHARI) ok = (ch | (op << 5)) == a;
        else if (op == ANY) ok = ch >= 0 && (a != 0 || ch != 10);
        else { // CLASS
          next += a >> 1;
          let r = pc + 1;
          for (; r < next; r++) {
            const x = load<i32>(word(prog, r));
            if (ch >= (x & 0xFFFF) && ch <= (x >>> 16)) break;
          }
          ok = ch >= 0 && (r < next) != ((a & 1) != 0);
        }
      }
      if (!ok) continue;
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
          if (op != JMP) { store<i32>(sp, op == SPLIT ? j : nx); sp += 4; } // the other way, for later
          if (op != SPLIT) nx = j;
        } else if (op == SAVE) {
          const slot = word(work, a);
          store<i32>(sp, load<i32>(slot));
          store<i32>(sp, -a - 1, 4); sp += 8;
          store<i32>(slot, pos + 1);
        } else if (op == ASSERT) {
          const y = at(pos + 1), c = a & 1 ? y : ch; // before, after
          if (!(a >= A_WORD ? (isWord(ch) != isWord(y)) == (a == A_WORD) : c < 0 || (a >= A_LBEGIN && c == 10))) continue;
        } else { // a thread waits here
          const u = nl + <usize>(nn++) * rec;
          store<i32>(u, e);
          memory.copy(u + 4, work, slots);
          continue;
        }
        store<i32>(sp, nx); sp += 4;
      }
    }
    const t = cl; cl = nl; nl = t; cn = nn;
    if (cn == 0 && (matched || anchored)) break;
  }
  vEnd = pos;
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
      if ((budget -= vEnd - pos) < 0) { codeRef = null; return null; }
      const ms = load<i32>(vBest), me = load<i32>(vBest, 4);
      text(sp, last, ms);
      for (let q = parts; q < pe; q += 8) {
        let x = load<i32>(q), y = load<i32>(q, 4), p = tp;
        if (x < 0) { x = load<i32>(word(vBest, ~x)); y = load<i32>(word(vBest, ~y)); p = sp; }
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
    memory.copy(out, C, k);
    codeRef = null;
    return changetype<string>(out);
  }
}

/** Appends code units [a, b) of the string at p to the buffer. */
function text(p: usize, a: i32, b: i32): void {
  const k = b - a;
  room(k);
  memory.copy(C + (<usize>n << 1), p + (<usize>a << 1), <usize>k << 1);
  n += k;
}

/** A replacement template compiled against a Regex: literal spans of the template and groups. */
export class Replacement {
  // word pairs: (start, end) of a literal span of t, or (~slot, ~slot) of a group's start and end
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
    let g: i32;
    if (eat(123 /* { */)) {
      const ns = pos;
      while (peek() != 125) if (next() < 0) { fail(E_UNTERMINATED, i); break; }
      g = readNum(ns);
      if (numEnd != pos) g = re.names.indexOf(t.substring(ns, pos));
      next();
    } else {
      g = readNum(pos);
      pos = numEnd;
      if (g < 0) fail(E_DOLLAR, i);
    }
    if (<u32>g >= <u32>re.groupCount) fail(E_UNKNOWN, i);
    put(~(2 * g)); put(~(2 * g + 1));
    from = pos;
  }
  let rep: Replacement | null = null;
  if (err < 0) {
    rep = new Replacement(t, take(n), re.groupCount);
  }
  return result(null, rep);
}
