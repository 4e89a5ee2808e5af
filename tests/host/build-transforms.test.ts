// The compiler transforms of `wasmgate build` (host/cli/compact-visitor.ts, constructed-this.ts).
//
// compact-visitor.ts rewrites the collector's member visitor of every module `wasmgate build` makes. A visitor that misses a reference is a use-after-free: the object is freed while
// still reachable, and the next allocation overwrites it. This suite compiles one program of many
// class shapes (inheritance with references in the base and the subclass, references between
// plain fields, nullable references, arrays, a StaticArray, a Map, a Set, a closure, a class that
// extends Array) twice, with the compiler's visitor and with the compact one, and checks that a
// graph of such objects survives collections interleaved with garbage, in both.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import binaryen from "binaryen";
import { CompactVisitor } from "../../host/cli/compact-visitor.ts";
import { ConstructedThis } from "../../host/cli/constructed-this.ts";
import { useWasmgateAllocator } from "../../host/cli/build.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

const PROGRAM = `
class Base { a: string; n: i32 = 7; b: string[] = []; constructor(s: string) { this.a = s; } }
class Mixed extends Base {
  x: f64 = 1.5; c: string | null = null; y: i64 = 3; d: StaticArray<string>; e: Map<string, Base | null> = new Map();
  f: Set<string> = new Set(); g: Base | null = null; z: u8 = 1; h: Words = new Words();
  constructor(s: string) { super(s); this.d = new StaticArray<string>(3); }
}
class Words extends Array<string> { tag: string = "w"; }
class Holder { fn: (x: i32) => string; constructor(public s: string) { const t = s; this.fn = (x: i32): string => x.toString(); } }
let roots: Mixed[] = [];
let holders: Holder[] = [];
function text(i: i32, k: i32): string { return "s" + i.toString() + "-" + k.toString(); }
export function make(n: i32): void {
  for (let i = 0; i < n; i++) {
    const m = new Mixed(text(i, 0));
    m.b.push(text(i, 1)); m.b.push(text(i, 2));
    if (i & 1) m.c = text(i, 3);
    m.d[0] = text(i, 4); m.d[2] = text(i, 5);
    m.e.set(text(i, 6), new Base(text(i, 7))); m.e.set(text(i, 8), null);
    m.f.add(text(i, 9));
    if (i > 0) m.g = roots[i - 1];
    m.h.push(text(i, 10)); m.h.tag = text(i, 11);
    roots.push(m);
    holders.push(new Holder(text(i, 12)));
  }
}
export function churn(n: i32): void {
  for (let i = 0; i < n; i++) { const s = text(i * 7, 99) + "garbage-garbage"; const a = [s, s + "x"]; a.push(s); }
}
function h(acc: i32, s: string): i32 { for (let i = 0; i < s.length; i++) acc = acc * 31 + s.charCodeAt(i); return acc; }
export function checksum(): i32 {
  let acc = 0;
  for (let i = 0; i < roots.length; i++) {
    const m = roots[i];
    acc = h(acc, m.a); for (let k = 0; k < m.b.length; k++) acc = h(acc, m.b[k]);
    const c = m.c; if (c !== null) acc = h(acc, c);
    acc = h(acc, m.d[0]); acc = h(acc, m.d[2]);
    const keys = m.e.keys(); for (let k = 0; k < keys.length; k++) { acc = h(acc, keys[k]); const v = m.e.get(keys[k]); if (v !== null) acc = h(acc, v.a); }
    const items = m.f.values(); for (let k = 0; k < items.length; k++) acc = h(acc, items[k]);
    const g = m.g; if (g !== null) acc = h(acc, g.a);
    for (let k = 0; k < m.h.length; k++) acc = h(acc, m.h[k]); acc = h(acc, m.h.tag);
    acc = h(acc, holders[i].s); acc = h(acc, holders[i].fn(i));
  }
  return acc;
}
`;

async function compile(dir: string, visitor: object | null, source = "program.ts"): Promise<Buffer> {
  const asc = (await import("assemblyscript/asc")).default;
  useWasmgateAllocator(asc, ROOT);
  const out = join(dir, visitor ? "compact.wasm" : "compiler.wasm");
  const stderr: string[] = [];
  const { error } = await asc.main([join(dir, source), "--runtime", "minimal", "--exportRuntime", "-O3", "-o", out], {
    transforms: (visitor ? [visitor] : []) as any[],
    stdout: { write: () => true } as any,
    stderr: { write: (s: string) => (stderr.push(String(s)), true) } as any,
  });
  assert.equal(error, null, stderr.join(""));
  return readFileSync(out);
}

async function survives(bytes: Buffer): Promise<void> {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(bytes)), { env: { abort: () => { throw new Error("abort"); } } });
  const x = instance.exports as any;
  x.make(300);
  const before = x.checksum();
  for (let round = 0; round < 12; round++) {
    x.__collect();
    x.churn(2000);
    x.__collect();
    assert.equal(x.checksum(), before, `round ${round}: the object graph changed after a collection`);
  }
}

test("the compact collector visitor keeps every object the compiler's visitor keeps", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wasmgate-visitor-"));
  try {
    writeFileSync(join(dir, "program.ts"), PROGRAM);
    const visitor = new CompactVisitor(binaryen);
    const compact = await compile(dir, visitor);
    assert.equal(visitor.skipped, null, "the rewrite applies to every shape in the program");
    assert.ok(visitor.classes > 10 && visitor.cases < visitor.classes, `classes ${visitor.classes}, cases ${visitor.cases}`);
    const plain = await compile(dir, null);
    assert.ok(compact.length < plain.length, `compact ${compact.length} B, compiler's ${plain.length} B`);
    await survives(plain);
    await survives(compact);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a shape it does not know leaves the compiler's visitor in place and says why", async () => {
  // A visitor function of another shape: an extra statement the compiler never emits.
  const b = binaryen;
  const m = new b.Module();
  const i32 = b.i32;
  m.addFunction("~lib/rt/tcms/__visit", b.createType([i32, i32]), b.none, [], m.nop());
  m.addFunction("A~visit", b.createType([i32, i32]), b.none, [], m.drop(m.i32.const(1)));
  const sw = m.block("invalid", [m.block("A", [m.switch(["A"], "invalid", m.i32.const(0))]),
    m.block(null, [m.call("A~visit", [m.local.get(0, i32), m.local.get(1, i32)], b.none), m.return()])]);
  m.addFunction("~lib/rt/__visit_members", b.createType([i32, i32]), b.none, [], m.block(null, [sw, m.unreachable()]));
  const before = m.emitText();
  const v = new CompactVisitor(b);
  v.afterCompile(m);
  assert.match(String(v.skipped), /^__visit_members: an expression of kind \d+ in A~visit$/);
  assert.equal(m.emitText(), before, "the module is unchanged");
  m.dispose();
});

test("each of the two functions is kept or rewritten on its own, and the reason names it", async () => {
  // A visitor the transform knows (one reference field at byte 4), and a __visit_globals with a
  // statement the compiler never emits.
  const b = binaryen;
  const m = new b.Module();
  const i32 = b.i32;
  const get = (i: number) => m.local.get(i, i32);
  m.addGlobal("g", i32, true, m.i32.const(0));
  m.addFunction("~lib/rt/tcms/__visit", b.createType([i32, i32]), b.none, [], m.nop());
  m.addFunction("A~visit", b.createType([i32, i32]), b.none, [i32],
    m.if(m.local.tee(2, m.i32.load(4, 4, get(0)), i32), m.call("~lib/rt/tcms/__visit", [get(2), get(1)], b.none)));
  const sw = m.block("invalid", [m.block("A", [m.switch(["A"], "invalid", m.i32.const(0))]),
    m.block(null, [m.call("A~visit", [get(0), get(1)], b.none), m.return()])]);
  m.addFunction("~lib/rt/__visit_members", b.createType([i32, i32]), b.none, [], m.block(null, [sw, m.unreachable()]));
  m.addFunction("~lib/rt/__visit_globals", b.createType([i32]), b.none, [],
    m.block(null, [m.call("~lib/rt/tcms/__visit", [m.global.get("g", i32), get(0)], b.none)]));
  const globalsBefore = b.emitText(b.getFunctionInfo(m.getFunction("~lib/rt/__visit_globals")).body);
  const v = new CompactVisitor(b);
  v.afterCompile(m);
  assert.equal(v.skipped, "__visit_globals: a global visit of another shape");
  assert.equal(v.classes, 1, "__visit_members was rewritten");
  assert.equal(b.emitText(b.getFunctionInfo(m.getFunction("~lib/rt/__visit_globals")).body), globalsBefore);
  m.dispose();
});

// constructed-this.ts: a subclass's constructor calls its base's without the base's allocation test.
// The program below builds objects of a three-level hierarchy (fields initialised at each level, a
// base constructor with arguments computed by the subclass), of the middle and the base class on
// their own (`new` of a base class must still allocate), and one whose constructor allocates through
// an explicit super() call after field writes; the two builds must report the same fields.
const HIERARCHY = `
class A { a: i32 = 1; s: string; constructor(public k: i32, t: string) { this.s = t + k.toString(); this.a += k; } }
class B extends A { b: i64 = 2; u: string = "u"; constructor(k: i32) { super(k * 3, "b"); this.b += <i64>k; } }
class C extends B { c: f64 = 0.5; w: string | null = null; constructor(k: i32) { super(k + 1); this.c *= <f64>k; this.w = this.s + "!"; } }
class D { x: i32 = 7; }
class E extends D { y: i32; constructor(v: i32) { super(); this.y = v + this.x; } }
let keep: A[] = [];
export function run(n: i32): i32 {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const c = new C(i), b = new B(i), a = new A(i, "a"), e = new E(i), d = new D();
    keep.push(c); keep.push(b); keep.push(a);
    acc = acc * 31 + c.a + <i32>c.b + <i32>(c.c * 2) + c.k + c.s.length + changetype<string>(c.w).length;
    acc = acc * 31 + b.a + <i32>b.b + b.k + b.s.length + b.u.length + a.a + a.k + a.s.length + e.x + e.y + d.x;
  }
  return acc;
}
`;

test("base class constructors called without the allocation test build the same objects", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wasmgate-ctor-"));
  try {
    writeFileSync(join(dir, "hierarchy.ts"), HIERARCHY);
    const t = new ConstructedThis(binaryen);
    const changed = await compile(dir, t, "hierarchy.ts");
    // (D's constructor calls Object's; B's, C's and E's call A's, B's and D's)
    assert.ok(t.removed >= 1 && t.redirected >= 3, `removed ${t.removed}, redirected ${t.redirected}`);
    const plain = await compile(dir, null, "hierarchy.ts");
    const run = async (bytes: Uint8Array) => {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(bytes)), { env: { abort: () => { throw new Error("abort"); } } });
      return (instance.exports as any).run(200);
    };
    assert.equal(await run(changed), await run(plain));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
