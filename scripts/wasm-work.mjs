// `node --import tsx scripts/wasm-work.mjs <module.wasm> [--config FILE] [--request FILE] [--requests N]`
// The wasm work a module does per request, counted deterministically: a copy of the module is
// instrumented with binaryen (a counter bumped at every function entry and every loop iteration
// reached through blocks and ifs, where AssemblyScript puts its loops), run through the host for N
// requests after a warm-up, and the count per request printed. Unlike `npm run bench` it does not
// move with the machine's load, so two builds can be compared on a shared machine; it counts work,
// not time (host calls, memory.copy/fill and the cost of each instruction are not in it).
import { readFileSync } from "node:fs";
import binaryen from "binaryen";
import { createHost } from "../host/index.ts";

const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
const module = args[0];
if (!module || module.startsWith("--")) {
  console.error("usage: node --import tsx scripts/wasm-work.mjs <module.wasm> [--config FILE] [--request FILE] [--requests N]");
  process.exit(2);
}
const config = opt("config") !== undefined ? readFileSync(opt("config"), "utf8") : undefined;
const request = opt("request") !== undefined ? JSON.parse(readFileSync(opt("request"), "utf8")) : { path: "/" };
const requests = Number(opt("requests") ?? 1600);

/** The module with a counter (exported as __wasm_work) bumped at function entries and loop iterations. */
function instrument(bytes) {
  const m = binaryen.readBinary(bytes);
  m.setFeatures(binaryen.Features.All);
  m.addGlobal("__work", binaryen.i64, true, m.i64.const(0, 0));
  const bump = () => m.global.set("__work", m.i64.add(m.global.get("__work", binaryen.i64), m.i64.const(1, 0)));
  const walk = (e) => {
    if (!e) return;
    const id = binaryen.getExpressionId(e);
    if (id === binaryen.LoopId) {
      const body = binaryen.Loop.getBody(e);
      walk(body);
      binaryen.Loop.setBody(e, m.block(null, [bump(), body], binaryen.getExpressionType(body)));
    } else if (id === binaryen.BlockId) {
      for (let i = 0, n = binaryen.Block.getNumChildren(e); i < n; i++) walk(binaryen.Block.getChildAt(e, i));
    } else if (id === binaryen.IfId) {
      walk(binaryen.If.getIfTrue(e));
      walk(binaryen.If.getIfFalse(e));
    }
  };
  const defined = [];
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const f = binaryen.getFunctionInfo(m.getFunctionByIndex(i));
    if (f.module === "") defined.push(f);
  }
  for (const f of defined) {
    walk(f.body);
    m.removeFunction(f.name);
    m.addFunction(f.name, f.params, f.results, f.vars, m.block(null, [bump(), f.body], binaryen.getExpressionType(f.body)));
  }
  m.addFunction("__wasm_work", binaryen.none, binaryen.i64, [], m.global.get("__work", binaryen.i64));
  m.addFunctionExport("__wasm_work", "__wasm_work");
  if (!m.validate()) throw new Error("the instrumented module does not validate");
  return m.emitBinary();
}

const { writeFileSync, mkdtempSync } = await import("node:fs");
const { join } = await import("node:path");
const { tmpdir } = await import("node:os");
const copy = join(mkdtempSync(join(tmpdir(), "wasm-work-")), "instrumented.wasm");
writeFileSync(copy, instrument(readFileSync(module)));
const host = createHost({ module: copy, config, workers: 1 });
try {
  const slot = host.filters[0].slotFor(0);
  if (slot.kind !== "filter") throw new Error(`the filter is not running (${slot.kind})`);
  const work = () => slot.vm.exports.__wasm_work();
  for (let i = 0; i < 100; i++) await host.request(request);
  const before = work();
  for (let i = 0; i < requests; i++) await host.request(request);
  const perRequest = Number(work() - before) / requests;
  console.log(`${module}: ${perRequest.toFixed(1)} function entries + loop iterations per request (${requests} requests; collections included)`);
} finally {
  host.close();
}
