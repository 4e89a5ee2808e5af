// A compiler transform used by `wasmgate build`: the collector's member visitor, table-driven.
//
// The "minimal" runtime's mark phase calls `__visit_members(ptr, cookie)` for every live object.
// The compiler generates it as a switch on the object's class id, each case calling a per-class
// `<Class>~visit` function that visits the class's own reference fields one by one (after its base
// class's), or, for the standard library's collections (Array, StaticArray, Map, Set, Function),
// their hand-written `#__visit`. After inlining, every reference field of every class costs ~14
// bytes of code: ~0.9 KB in the headers filter.
//
// This transform, run after compilation and before optimisation, reads that generated code back
// (afterCompile), reduces each class to (a bit set of the 4-byte words that hold references, the
// collection visitors to call), and replaces `__visit_members` with a switch to one case per
// distinct pair, each setting the bit set, and one loop that visits the set words. The objects are
// visited exactly as before (same fields, same order of collection visitors first, then fields
// from the lowest offset); it is only the code that is shorter.
//
// It rewrites nothing unless the generated code has exactly the shapes it knows (the ones
// AssemblyScript 0.27's compileVisitMembers and ensureVisitMembersOf emit): on any other shape, or
// a reference field beyond the 31st word, the compiler's own visitor is kept and `skipped` says
// why. tests/host/gc-stress.test.ts and the sdk-probe-gcstress suite run modules built with it
// under a collection after every callback.
import type binaryenNs from "binaryen";

type Binaryen = typeof binaryenNs;
type Module = binaryenNs.Module;

const VISIT_MEMBERS = "~lib/rt/__visit_members";
const VISIT_GLOBALS = "~lib/rt/__visit_globals";
const VISIT = "~lib/rt/tcms/__visit";
/** Reference fields at word offsets 0..MAX_WORD fit the 32-bit set. */
const MAX_WORD = 31;

/** How one class is visited: the words that hold references, then the collection visitors. */
interface Layout { words: number; calls: string[] }

class Unsupported extends Error {}

export class CompactVisitor {
  /** Why the last module kept the compiler's code for __visit_members or __visit_globals (each
   *  "<function>: <reason>"), or null when both were rewritten. */
  skipped: string | null = null;
  /** Class ids and cases of the last rewrite. */
  classes = 0;
  cases = 0;

  /** `binaryen`: the module the compiler uses (the "binaryen" package). */
  constructor(private readonly binaryen: Binaryen) {}

  afterCompile(module: Module): void {
    this.skipped = null;
    if (!module.getFunction(VISIT_MEMBERS)) { this.skipped = "no __visit_members (a runtime without a collector)"; return; }
    // (each part checks every shape before it changes anything, so a part that gives up leaves its
    // function as the compiler made it)
    const part = (what: string, run: () => void): void => {
      try {
        run();
      } catch (e) {
        if (!(e instanceof Unsupported)) throw e;
        this.skipped = (this.skipped !== null ? this.skipped + "; " : "") + `${what}: ${e.message}`;
      }
    };
    part("__visit_members", () => this.rewrite(module, this.readLayouts(module)));
    part("__visit_globals", () => this.rewriteGlobals(module));
  }

  /** The layout of each class id, read from the generated switch and visitor functions. */
  private readLayouts(module: Module): Layout[] {
    const b = this.binaryen;
    const info = (e: number): any => b.getExpressionInfo(e);
    const isLocal = (e: number, index: number): boolean => { const i = info(e); return i.id === b.LocalGetId && i.index === index; };
    const memo = new Map<string, Layout>();

    const layoutOf = (name: string): Layout => {
      const known = memo.get(name);
      if (known) return known;
      const f = module.getFunction(name);
      if (!f) throw new Unsupported(`${name} is missing`);
      const out: Layout = { words: 0, calls: [] };
      const walk = (e: number): void => {
        const i = info(e);
        if (i.id === b.NopId) return;
        if (i.id === b.BlockId) { for (const c of i.children) walk(c); return; }
        if (i.id === b.CallId) {
          // base class's visitor or a collection's own: (this, cookie)
          if (i.operands.length !== 2 || !isLocal(i.operands[0], 0) || !isLocal(i.operands[1], 1)) throw new Unsupported(`a call of another shape in ${name}`);
          if (i.target.endsWith("~visit")) {
            const base = layoutOf(i.target);
            out.words |= base.words;
            out.calls.push(...base.calls);
          } else out.calls.push(i.target);
          return;
        }
        if (i.id === b.IfId && !i.ifFalse) {
          // if (tmp = load<usize>(this, offset)) __visit(tmp, cookie)
          const c = info(i.condition);
          const load = c.id === b.LocalSetId && c.isTee ? info(c.value) : null;
          const call = info(i.ifTrue);
          if (load === null || load.id !== b.LoadId || load.bytes !== 4 || !isLocal(load.ptr, 0) || load.offset % 4 !== 0 ||
              call.id !== b.CallId || call.target !== VISIT || call.operands.length !== 2 ||
              !isLocal(call.operands[0], c.index) || !isLocal(call.operands[1], 1)) throw new Unsupported(`a field visit of another shape in ${name}`);
          const word = load.offset / 4;
          if (word > MAX_WORD) throw new Unsupported(`a reference field at byte ${load.offset} in ${name}`);
          out.words |= 1 << word;
          return;
        }
        throw new Unsupported(`an expression of kind ${i.id} in ${name}`);
      };
      walk(b.getFunctionInfo(f).body);
      memo.set(name, out);
      return out;
    };

    // block [ block $invalid [ block $cN [ … block $c0 [ br_table … ] case0 … ] caseN ], unreachable ]
    const top = info(b.getFunctionInfo(module.getFunction(VISIT_MEMBERS)).body);
    if (top.id !== b.BlockId || top.children.length !== 2) throw new Unsupported("__visit_members of another shape");
    const caseOf = new Map<string, number>();
    let block = info(top.children[0]);
    let table: any = null;
    while (table === null) {
      if (block.id !== b.BlockId || block.children.length < 1 || block.children.length > 2) throw new Unsupported("__visit_members of another shape");
      const inner = info(block.children[0]);
      if (block.children.length === 2) {
        if (!inner.name) throw new Unsupported("__visit_members of another shape");
        caseOf.set(inner.name, block.children[1]);
      }
      if (inner.id === b.SwitchId) table = inner;
      else block = inner;
    }
    return (table.names as string[]).map((label) => {
      const c = caseOf.get(label);
      if (c === undefined) throw new Unsupported(`no case for ${label}`);
      const i = info(c);
      if (i.id === b.ReturnId) return { words: 0, calls: [] };
      const first = i.id === b.BlockId && i.children.length === 2 ? info(i.children[0]) : null;
      if (first === null || first.id !== b.CallId || !first.target.endsWith("~visit") || info(i.children[1]).id !== b.ReturnId) {
        throw new Unsupported(`a case of another shape for ${label}`);
      }
      return layoutOf(first.target);
    });
  }

  /** __visit_globals tests each reference global for null before it calls __visit, which tests
   *  again: the global is passed as it is (~7 bytes less per global). */
  private rewriteGlobals(m: Module): void {
    const b = this.binaryen;
    const f = m.getFunction(VISIT_GLOBALS);
    if (!f) return;
    const fi = b.getFunctionInfo(f);
    const body: any = b.getExpressionInfo(fi.body);
    if (body.id !== b.BlockId || b.expandType(fi.params).length !== 1) throw new Unsupported("__visit_globals of another shape");
    const cookie = () => m.local.get(0, b.i32);
    const out = (body.children as number[]).map((e) => {
      const i: any = b.getExpressionInfo(e);
      if (i.id === b.CallId && i.target === VISIT) {
        // a static object: __visit(address, cookie)
        const a: any = b.getExpressionInfo(i.operands[0]);
        if (a.id !== b.ConstId) throw new Unsupported("a global visit of another shape");
        return m.call(VISIT, [m.i32.const(a.value), cookie()], b.none);
      }
      const c: any = i.id === b.IfId && !i.ifFalse ? b.getExpressionInfo(i.condition) : null;
      const g: any = c !== null && c.id === b.LocalSetId && c.isTee ? b.getExpressionInfo(c.value) : null;
      const call: any = g !== null ? b.getExpressionInfo(i.ifTrue) : null;
      if (g === null || g.id !== b.GlobalGetId || call.id !== b.CallId || call.target !== VISIT) throw new Unsupported("a global visit of another shape");
      return m.call(VISIT, [m.global.get(g.name, b.i32), cookie()], b.none);
    });
    m.removeFunction(VISIT_GLOBALS);
    m.addFunction(VISIT_GLOBALS, fi.params, b.none, [], m.block(null, out));
  }

  /** Replaces __visit_members: a switch to one case per distinct layout, then one loop over the words. */
  private rewrite(m: Module, layouts: Layout[]): void {
    const b = this.binaryen;
    const i32 = b.i32;
    const ptr = () => m.local.get(0, i32), cookie = () => m.local.get(1, i32), words = () => m.local.get(2, i32);
    const cases = new Map<string, Layout & { label: string }>();
    const labels = layouts.map((l) => {
      const key = `${l.words}|${l.calls.join(",")}`;
      let c = cases.get(key);
      if (!c) cases.set(key, c = { ...l, label: `case${cases.size}` });
      return c.label;
    });
    // rtId is the u32 at ptr - 8; an unknown id traps, as before.
    let body = m.block("invalid", [m.switch(labels, "invalid", m.i32.load(0, 4, m.i32.sub(ptr(), m.i32.const(8))))]);
    body = m.block(null, [body, m.unreachable()]);
    for (const c of cases.values()) {
      const tail = c.calls.map((f) => m.call(f, [ptr(), cookie()], b.none));
      tail.push(c.words !== 0 ? m.block(null, [m.local.set(2, m.i32.const(c.words | 0)), m.br("fields")]) : m.return());
      body = m.block(null, [m.block(c.label, [body]), ...tail]);
    }
    // do { if (words & 1) __visit(load<usize>(ptr), cookie); ptr += 4 } while (words >>>= 1)
    const loop = m.loop("word", m.block(null, [
      m.if(m.i32.and(words(), m.i32.const(1)), m.call(VISIT, [m.i32.load(0, 4, ptr()), cookie()], b.none)),
      m.local.set(0, m.i32.add(ptr(), m.i32.const(4))),
      m.br("word", m.local.tee(2, m.i32.shr_u(words(), m.i32.const(1)), i32)),
    ]));
    m.removeFunction(VISIT_MEMBERS);
    m.addFunction(VISIT_MEMBERS, b.createType([i32, i32]), b.none, [i32], m.block(null, [m.block("fields", [body]), loop]));
    this.classes = layouts.length;
    this.cases = cases.size;
  }
}
