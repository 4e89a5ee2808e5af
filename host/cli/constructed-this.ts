// A compiler transform used by `wasmgate build`: no allocation test in a base class's constructor
// when a subclass's constructor calls it.
//
// AssemblyScript compiles every constructor `C#constructor(this, …)` to start with
//   if (!this) this = __new(sizeof<C>(), idof<C>());
// so that `new C()` (which passes 0) allocates, and then to call its base class's constructor with
// `this` — every class has one: Object's, whose body is only that test. A subclass's constructor has
// allocated already, so the base's test never holds there; but the optimiser cannot know that
// __new never returns 0, so when it inlines the base constructor (Object's, into every `new` of
// every class) it keeps the test and a second, dead __new call: ~15 bytes each time.
//
// This transform, run after compilation and before optimisation (afterCompile), changes only the
// calls a constructor makes to its base class's constructor after its own allocation test:
//  - a call to Object's constructor (which does nothing else) is removed;
//  - a call to another base constructor goes to a copy of it without the allocation test (made
//    once per base class, its own base call treated the same way).
// `new C()` itself still calls C#constructor with 0 and allocates. A constructor of any other shape
// is left as the compiler made it.
import type binaryenNs from "binaryen";

type Binaryen = typeof binaryenNs;
type Module = binaryenNs.Module;
/** binaryen.js's expression setters (not in its typings). */
interface Setters {
  Block: { setChildAt(block: number, index: number, child: number): void };
  Call: { setTarget(call: number, target: string): void };
}

const OBJECT_CTOR = "~lib/object/Object#constructor";
const NEW = "~lib/rt/tcms/__new";
const SUFFIX = "#constructor";
const COPY = "~allocated";

export class ConstructedThis {
  /** Base constructor calls removed (Object's) and redirected (others) in the last module. */
  removed = 0;
  redirected = 0;

  constructor(private readonly binaryen: Binaryen) {}

  afterCompile(m: Module): void {
    const b = this.binaryen;
    const set = b as unknown as Setters;
    const info = (e: number): any => b.getExpressionInfo(e);
    const isThis = (e: number): boolean => { const i = info(e); return i.id === b.LocalGetId && i.index === 0; };
    this.removed = this.redirected = 0;

    /** Whether e is `if (!this) this = __new(<const>, <const>)`. */
    const isAllocation = (e: number): boolean => {
      const i = info(e);
      if (i.id !== b.IfId || i.ifFalse) return false;
      const c = info(i.condition);
      if (c.id !== b.UnaryId || c.op !== b.EqZInt32 || !isThis(c.value)) return false;
      const s = info(i.ifTrue);
      if (s.id !== b.LocalSetId || s.index !== 0 || s.isTee) return false;
      const n = info(s.value);
      return n.id === b.CallId && n.target === NEW && n.operands.every((o: number) => info(o).id === b.ConstId);
    };
    /** The statements of a constructor: the top block's children, and those of a first nested
     *  block (where the compiler puts the allocation test with the field initialisers). */
    interface Slot { block: number; index: number; expr: number }
    const statements = (body: number): Slot[] => {
      const out: Slot[] = [];
      const top = info(body);
      if (top.id !== b.BlockId) return out;
      top.children.forEach((c: number, k: number) => {
        out.push({ block: body, index: k, expr: c });
        const ci = info(c);
        if (k === 0 && ci.id === b.BlockId && !ci.name) ci.children.forEach((d: number, j: number) => out.push({ block: c, index: j, expr: d }));
      });
      return out;
    };
    /** `this = Base#constructor(this, …)`: the call, or null. */
    const baseCall = (e: number): { call: number; target: string } | null => {
      const s = info(e);
      if (s.id !== b.LocalSetId || s.index !== 0 || s.isTee) return null;
      const c = info(s.value);
      if (c.id !== b.CallId || !c.target.endsWith(SUFFIX) || c.operands.length < 1 || !isThis(c.operands[0])) return null;
      return { call: s.value, target: c.target };
    };
    const objectCtorIsTrivial = (() => {
      const f = m.getFunction(OBJECT_CTOR);
      if (!f) return false;
      const st = statements(b.getFunctionInfo(f).body);
      return st.length === 2 && isAllocation(st[0].expr) && isThis(st[1].expr);
    })();

    const copies = new Map<string, string | null>();
    /** Rewrites the base calls that follow the allocation test in body (or all of them when
     *  `allocated`: a copy, entered with this already set). */
    const rewrite = (body: number, allocated: boolean): void => {
      let after = allocated;
      for (const s of statements(body)) {
        if (!after) { if (isAllocation(s.expr)) after = true; continue; }
        const bc = baseCall(s.expr);
        if (bc === null) continue;
        if (bc.target === OBJECT_CTOR) {
          if (!objectCtorIsTrivial) continue;
          set.Block.setChildAt(s.block, s.index, m.nop());
          this.removed++;
        } else {
          const copy = copyOf(bc.target);
          if (copy === null) continue;
          set.Call.setTarget(bc.call, copy);
          this.redirected++;
        }
      }
    };
    /** A copy of a constructor without its allocation test (null if it has none). */
    const copyOf = (name: string): string | null => {
      if (copies.has(name)) return copies.get(name)!;
      copies.set(name, null); // (no cycles in class hierarchies; this only guards the recursion)
      const f = m.getFunction(name);
      if (!f) return null;
      const fi = b.getFunctionInfo(f);
      const body = m.copyExpression(fi.body);
      const first = statements(body).find((s) => isAllocation(s.expr));
      if (!first) return null;
      set.Block.setChildAt(first.block, first.index, m.nop());
      rewrite(body, true);
      const copy = name + COPY;
      m.addFunction(copy, fi.params, fi.results, fi.vars, body);
      copies.set(name, copy);
      return copy;
    };

    const ctors: string[] = [];
    for (let i = 0, n = m.getNumFunctions(); i < n; i++) {
      const name = b.getFunctionInfo(m.getFunctionByIndex(i)).name;
      if (name.endsWith(SUFFIX) && name !== OBJECT_CTOR) ctors.push(name);
    }
    for (const name of ctors) rewrite(b.getFunctionInfo(m.getFunction(name)).body, false);
  }
}
