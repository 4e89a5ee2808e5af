// regex.ts — a linear-time regular-expression engine (Thompson NFA run as a Pike VM).
//
// compileRegex(pattern) parses (regexParse.ts: an RE2 subset, listed there) and compiles once, at
// configure time, into a small program; unsupported constructs are compile errors, never match-
// time failures. Matching never backtracks: time is O(len(input) × program size) and memory is
// O(program size × groups), whatever the pattern — `^(a+)+$` on a long non-matching input is
// linear. Program size is capped at MAX_PROGRAM instructions (counted repeats are expanded, so
// `(a{1000}){1000}` is refused at compile time).
//
// Semantics are leftmost-first (Perl/RE2: the first alternative that matches wins, greedy
// quantifiers prefer more). Input is the UTF-16 string: '.' and classes consume one code unit
// (header values and paths are ASCII in practice; a non-BMP character counts as two). '.' does
// not match '\n' unless (?s). Case-insensitive matching (?i) folds ASCII letters only.
//
// API: test(s) (a match anywhere), fullMatch(s) (the whole string, as Envoy's safe_regex does),
// exec(s, from) → RegexMatch with group spans, replace(s, replacement, all) with a Replacement
// compiled by compileReplacement ($1, ${1}, ${name}, $$). A Regex keeps scratch buffers: do not
// call it re-entrantly (nothing in it calls back out, so ordinary use is safe).

import { parseRegex, Node, NodeKind, AssertKind, CharClass } from "./regexParse";

export const MAX_PROGRAM: i32 = 20000;

const OP_CHAR: i32 = 0, OP_CHARI: i32 = 1, OP_CLASS: i32 = 2, OP_ANY: i32 = 3, OP_SPLIT: i32 = 4,
  OP_JMP: i32 = 5, OP_SAVE: i32 = 6, OP_ASSERT: i32 = 7, OP_MATCH: i32 = 8;

class Compiler {
  prog: i32[] = [];
  error: string = "";
  get pc(): i32 { return this.prog.length / 3; }
  emit(op: i32, a: i32, b: i32): i32 {
    const pc = this.pc;
    if (pc >= MAX_PROGRAM) { this.error = "pattern too large (more than " + MAX_PROGRAM.toString() + " instructions)"; return pc; }
    this.prog.push(op); this.prog.push(a); this.prog.push(b);
    return pc;
  }
  patchA(pc: i32, v: i32): void { if (pc * 3 + 1 < this.prog.length) this.prog[pc * 3 + 1] = v; }
  patchB(pc: i32, v: i32): void { if (pc * 3 + 2 < this.prog.length) this.prog[pc * 3 + 2] = v; }

  node(n: Node): bool {
    if (this.error.length > 0) return false;
    switch (n.kind) {
      case NodeKind.Empty: return true;
      case NodeKind.Char: this.emit(n.fold ? OP_CHARI : OP_CHAR, n.c, 0); break;
      case NodeKind.Class: this.emit(OP_CLASS, n.c, 0); break;
      case NodeKind.Any: this.emit(OP_ANY, n.c, 0); break;
      case NodeKind.Assert: this.emit(OP_ASSERT, n.c, 0); break;
      case NodeKind.Concat: {
        for (let i = 0; i < n.kids.length; i++) if (!this.node(unchecked(n.kids[i]))) return false;
        break;
      }
      case NodeKind.Alt: {
        const jumps: i32[] = [];
        const last = n.kids.length - 1;
        for (let i = 0; i < last; i++) {
          const split = this.emit(OP_SPLIT, this.pc + 1, 0);
          if (!this.node(unchecked(n.kids[i]))) return false;
          jumps.push(this.emit(OP_JMP, 0, 0));
          this.patchB(split, this.pc);
        }
        if (!this.node(unchecked(n.kids[last]))) return false;
        for (let i = 0; i < jumps.length; i++) this.patchA(unchecked(jumps[i]), this.pc);
        break;
      }
      case NodeKind.Group: {
        if (n.c >= 0) this.emit(OP_SAVE, 2 * n.c, 0);
        if (!this.node(unchecked(n.kids[0]))) return false;
        if (n.c >= 0) this.emit(OP_SAVE, 2 * n.c + 1, 0);
        break;
      }
      case NodeKind.Repeat: return this.repeat(n);
    }
    return this.error.length == 0;
  }

  repeat(n: Node): bool {
    const x = unchecked(n.kids[0]);
    const min = n.min, max = n.max, greedy = n.greedy;
    if (max < 0 && min >= 1) {
      for (let i = 0; i < min - 1; i++) if (!this.node(x)) return false;
      const top = this.pc;
      if (!this.node(x)) return false;
      const next = this.pc + 1;
      this.emit(OP_SPLIT, greedy ? top : next, greedy ? next : top);
      return this.error.length == 0;
    }
    for (let i = 0; i < min; i++) if (!this.node(x)) return false;
    if (max < 0) { // x*
      const split = this.emit(OP_SPLIT, 0, 0);
      if (!this.node(x)) return false;
      this.emit(OP_JMP, split, 0);
      this.setSplit(split, split + 1, this.pc, greedy);
      return this.error.length == 0;
    }
    const splits: i32[] = [];
    for (let i = min; i < max; i++) { // nested optional copies
      splits.push(this.emit(OP_SPLIT, 0, 0));
      if (!this.node(x)) return false;
    }
    const end = this.pc;
    for (let i = 0; i < splits.length; i++) { const s = unchecked(splits[i]); this.setSplit(s, s + 1, end, greedy); }
    return this.error.length == 0;
  }
  setSplit(pc: i32, body: i32, out: i32, greedy: bool): void {
    this.patchA(pc, greedy ? body : out);
    this.patchB(pc, greedy ? out : body);
  }
}

/** One thread list of the VM: a sparse set of pcs with each thread's capture slots. */
class ThreadList {
  pcs: Int32Array;
  caps: Int32Array;
  mark: Int32Array;
  gen: i32 = 1;
  n: i32 = 0;
  constructor(size: i32, public slots: i32) {
    this.pcs = new Int32Array(size);
    this.caps = new Int32Array(size * slots);
    this.mark = new Int32Array(size);
  }
  clear(): void { this.n = 0; this.gen++; }
}

export class RegexResult {
  constructor(public regex: Regex | null, public error: string, public offset: i32) {}
  get ok(): bool { return this.regex !== null; }
}

/** Compiles a pattern; on failure `error` names the problem and `offset` where it is. */
export function compileRegex(pattern: string): RegexResult {
  const parsed = parseRegex(pattern);
  const root = parsed.root;
  if (root === null) return new RegexResult(null, parsed.error, parsed.offset);
  const c = new Compiler();
  c.emit(OP_SAVE, 0, 0);
  c.node(root);
  c.emit(OP_SAVE, 1, 0);
  c.emit(OP_MATCH, 0, 0);
  if (c.error.length > 0) return new RegexResult(null, c.error, 0);
  const prog = new StaticArray<i32>(c.prog.length);
  for (let i = 0; i < c.prog.length; i++) unchecked(prog[i] = c.prog[i]);
  let anchored = false;
  if (root.kind == NodeKind.Concat && root.kids.length > 0) {
    const f = unchecked(root.kids[0]);
    anchored = f.kind == NodeKind.Assert && f.c == AssertKind.Begin;
  }
  return new RegexResult(new Regex(pattern, prog, parsed.classes, parsed.groupCount, parsed.names, anchored), "", 0);
}

@inline function isWordChar(c: i32): bool {
  const l = c | 0x20;
  return (l >= 97 && l <= 122) || (c >= 48 && c <= 57) || c == 95;
}
@inline function foldAscii(c: i32): i32 { return c >= 65 && c <= 90 ? c | 0x20 : c; }

export class RegexMatch {
  constructor(public input: string, public caps: Int32Array, private names: string[]) {}
  get start(): i32 { return this.caps[0]; }
  get end(): i32 { return this.caps[1]; }
  get groupCount(): i32 { return this.caps.length >> 1; }
  /** Text of group i (0 = whole match), or null when it did not take part or does not exist. */
  group(i: i32): string | null {
    if (i < 0 || 2 * i + 1 >= this.caps.length) return null;
    const a = unchecked(this.caps[2 * i]), b = unchecked(this.caps[2 * i + 1]);
    return a < 0 || b < 0 ? null : this.input.substring(a, b);
  }
  named(name: string): string | null { return this.group(this.names.indexOf(name)); }
}

export class Regex {
  private clist: ThreadList;
  private nlist: ThreadList;
  private work: Int32Array;
  private best: Int32Array;
  private stack: i32[] = [];
  readonly slots: i32;

  constructor(public pattern: string, private prog: StaticArray<i32>, private classes: CharClass[],
              public groupCount: i32, public names: string[], private anchored: bool) {
    const size = prog.length / 3;
    const slots = groupCount * 2;
    this.clist = new ThreadList(size, slots);
    this.nlist = new ThreadList(size, slots);
    this.work = new Int32Array(slots);
    this.best = new Int32Array(slots);
    this.slots = slots;
  }

  /** Index of a named group, or -1. */
  groupIndex(name: string): i32 { return name.length == 0 ? -1 : this.names.indexOf(name); }

  /** Does the pattern match anywhere in s? */
  test(s: string): bool { return this.run(s, 0, false); }
  /** Does the pattern match the whole of s? */
  fullMatch(s: string): bool { return this.run(s, 0, true); }
  /** The leftmost-first match at or after `from`, or null. */
  exec(s: string, from: i32 = 0): RegexMatch | null {
    if (from < 0 || from > s.length || !this.run(s, from, false)) return null;
    return new RegexMatch(s, this.best.slice(0), this.names);
  }

  /** Replaces the first (or every, when all) match with the compiled replacement. */
  replace(s: string, r: Replacement, all: bool = true): string {
    let pos = 0, last = 0;
    const out: string[] = [];
    const len = s.length;
    while (pos <= len && this.run(s, pos, false)) {
      const ms = unchecked(this.best[0]), me = unchecked(this.best[1]);
      out.push(s.substring(last, ms));
      r.appendTo(out, s, this.best);
      last = me;
      if (me == ms) {
        if (me < len) out.push(s.charAt(me));
        last = me + 1;
        pos = me + 1;
      } else pos = me;
      if (!all) break;
    }
    if (last == 0 && out.length == 0) return s;
    if (last < len) out.push(s.substring(last));
    return out.join("");
  }

  private addThread(list: ThreadList, pc0: i32, s: string, pos: i32): void {
    const prog = this.prog, work = this.work, stack = this.stack, len = s.length;
    stack.length = 0;
    stack.push(pc0);
    while (stack.length > 0) {
      const e = stack.pop();
      if (e < 0) { unchecked(work[-e - 1] = stack.pop()); continue; }
      if (unchecked(list.mark[e]) == list.gen) continue;
      unchecked(list.mark[e] = list.gen);
      const op = unchecked(prog[e * 3]), a = unchecked(prog[e * 3 + 1]);
      if (op == OP_JMP) { stack.push(a); continue; }
      if (op == OP_SPLIT) { stack.push(unchecked(prog[e * 3 + 2])); stack.push(a); continue; }
      if (op == OP_SAVE) {
        stack.push(unchecked(work[a])); stack.push(-a - 1);
        unchecked(work[a] = pos);
        stack.push(e + 1);
        continue;
      }
      if (op == OP_ASSERT) {
        if (this.assertHolds(a, s, pos, len)) stack.push(e + 1);
        continue;
      }
      const t = list.n++;
      unchecked(list.pcs[t] = e);
      memory.copy(list.caps.dataStart + ((t * list.slots) << 2), work.dataStart, list.slots << 2);
    }
  }

  private assertHolds(kind: i32, s: string, pos: i32, len: i32): bool {
    if (kind == AssertKind.Begin) return pos == 0;
    if (kind == AssertKind.End) return pos == len;
    if (kind == AssertKind.LineBegin) return pos == 0 || s.charCodeAt(pos - 1) == 10;
    if (kind == AssertKind.LineEnd) return pos == len || s.charCodeAt(pos) == 10;
    const before = pos > 0 && isWordChar(s.charCodeAt(pos - 1));
    const after = pos < len && isWordChar(s.charCodeAt(pos));
    return kind == AssertKind.WordB ? before != after : before == after;
  }

  /** Runs the VM from `start`; on success the match's slots are in `best`. */
  private run(s: string, start: i32, full: bool): bool {
    const len = s.length, prog = this.prog, slots = this.slots;
    let clist = this.clist, nlist = this.nlist;
    clist.clear();
    let matched = false;
    const anchorStart = this.anchored || full;
    for (let pos = start; pos <= len; pos++) {
      if (!matched && (!anchorStart || pos == start)) {
        this.work.fill(-1);
        this.addThread(clist, 0, s, pos);
      }
      if (clist.n == 0) {
        if (matched || anchorStart) break;
        clist.clear(); // forget the pcs the dead start thread marked at this position
        continue;
      }
      nlist.clear();
      const ch = pos < len ? <i32>s.charCodeAt(pos) : -1;
      for (let i = 0; i < clist.n; i++) {
        const pc = unchecked(clist.pcs[i]);
        const op = unchecked(prog[pc * 3]), a = unchecked(prog[pc * 3 + 1]);
        let ok = false;
        if (op == OP_MATCH) {
          if (full && pos != len) continue;
          memory.copy(this.best.dataStart, clist.caps.dataStart + ((i * slots) << 2), slots << 2);
          matched = true;
          break; // lower-priority threads are cut off
        }
        if (ch < 0) continue;
        if (op == OP_CHAR) ok = ch == a;
        else if (op == OP_CHARI) ok = foldAscii(ch) == a;
        else if (op == OP_CLASS) ok = unchecked(this.classes[a]).matches(ch);
        else if (op == OP_ANY) ok = a == 1 || ch != 10;
        if (ok) {
          memory.copy(this.work.dataStart, clist.caps.dataStart + ((i * slots) << 2), slots << 2);
          this.addThread(nlist, pc + 1, s, pos + 1);
        }
      }
      const t = clist; clist = nlist; nlist = t;
      if (matched && clist.n == 0) break;
    }
    this.clist = clist; this.nlist = nlist;
    return matched;
  }
}

/** A replacement template compiled against a Regex: literal pieces and group references. */
export class Replacement {
  // group[i] >= 0: insert that group; -1: insert literal[i]
  group: i32[] = [];
  literal: string[] = [];
  appendTo(out: string[], s: string, caps: Int32Array): void {
    for (let i = 0, n = this.group.length; i < n; i++) {
      const g = unchecked(this.group[i]);
      if (g < 0) { out.push(unchecked(this.literal[i])); continue; }
      const a = unchecked(caps[2 * g]), b = unchecked(caps[2 * g + 1]);
      if (a >= 0 && b >= 0) out.push(s.substring(a, b));
    }
  }
}

export class ReplacementResult {
  constructor(public replacement: Replacement | null, public error: string) {}
  get ok(): bool { return this.replacement !== null; }
}

/** Parses "$1", "${1}", "${name}", "$$" in a template; unknown groups are errors. */
export function compileReplacement(re: Regex, t: string): ReplacementResult {
  const r = new Replacement();
  let lit = "";
  let i = 0;
  const n = t.length;
  while (i < n) {
    const c = t.charCodeAt(i);
    if (c != 36) { let j = t.indexOf("$", i); if (j < 0) j = n; lit += t.substring(i, j); i = j; continue; }
    const d = i + 1 < n ? <i32>t.charCodeAt(i + 1) : -1;
    if (d == 36) { lit += "$"; i += 2; continue; }
    let g = -1;
    if (d >= 48 && d <= 57) {
      let j = i + 1; g = 0;
      while (j < n && t.charCodeAt(j) >= 48 && t.charCodeAt(j) <= 57) { if (g < 100000) g = g * 10 + t.charCodeAt(j) - 48; j++; }
      i = j;
    } else if (d == 123) {
      const close = t.indexOf("}", i + 2);
      if (close < 0) return new ReplacementResult(null, "unterminated ${ in replacement");
      const name = t.substring(i + 2, close);
      g = isAllDigits(name) ? I32.parseInt(name) : re.groupIndex(name);
      if (g < 0) return new ReplacementResult(null, "unknown group ${" + name + "} in replacement");
      i = close + 1;
    } else return new ReplacementResult(null, "'$' must be followed by a group or '$' (use $$ for a dollar)");
    if (g >= re.groupCount) return new ReplacementResult(null, "group $" + g.toString() + " does not exist");
    if (lit.length > 0) { r.group.push(-1); r.literal.push(lit); lit = ""; }
    r.group.push(g); r.literal.push("");
  }
  if (lit.length > 0) { r.group.push(-1); r.literal.push(lit); }
  return new ReplacementResult(r, "");
}

function isAllDigits(s: string): bool {
  if (s.length == 0 || s.length > 6) return false;
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c < 48 || c > 57) return false; }
  return true;
}
