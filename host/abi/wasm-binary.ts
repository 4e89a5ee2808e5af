// A small reader for the parts of a wasm binary the loader checks: function types of imports and
// exports, and the start section. JS's WebAssembly API does not expose signatures in Node 20.
import type { Sig } from "./signatures.ts";

export interface WasmImport { module: string; name: string; kind: "func" | "table" | "memory" | "global" | "tag"; sig?: Sig }
export interface WasmExport { name: string; kind: "func" | "table" | "memory" | "global" | "tag"; sig?: Sig }
export interface WasmShape { imports: WasmImport[]; exports: WasmExport[]; hasStart: boolean; customSections: string[] }

const VALTYPE: Record<number, string> = { 0x7f: "i", 0x7e: "I", 0x7d: "f", 0x7c: "F", 0x7b: "v", 0x70: "r", 0x6f: "x" };
const KINDS = ["func", "table", "memory", "global", "tag"] as const;

export function readWasmShape(bytes: Uint8Array): WasmShape {
  let p = 8;
  const u32 = (): number => { let r = 0, s = 0, b: number; do { b = bytes[p++]; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80); return r >>> 0; };
  const name = (): string => { const n = u32(); const s = new TextDecoder().decode(bytes.subarray(p, p + n)); p += n; return s; };
  const limits = () => { const f = u32(); u32(); if (f & 1) u32(); };
  const types: Sig[] = [];
  const funcTypes: number[] = []; // type index per function (imports first)
  const shape: WasmShape = { imports: [], exports: [], hasStart: false, customSections: [] };
  const rawExports: { name: string; kind: number; index: number }[] = [];
  while (p < bytes.length) {
    const id = bytes[p++];
    const size = u32();
    const end = p + size;
    if (id === 0) shape.customSections.push(name());
    else if (id === 1) {
      for (let n = u32(), i = 0; i < n; i++) {
        p++; // 0x60 func
        const params: string[] = []; for (let k = u32(), j = 0; j < k; j++) params.push(VALTYPE[bytes[p++]] ?? "?");
        const results: string[] = []; for (let k = u32(), j = 0; j < k; j++) results.push(VALTYPE[bytes[p++]] ?? "?");
        types.push(params.join("") + ">" + results.join(""));
      }
    } else if (id === 2) {
      for (let n = u32(), i = 0; i < n; i++) {
        const module = name(), field = name(), kind = bytes[p++];
        const imp: WasmImport = { module, name: field, kind: KINDS[kind] };
        if (kind === 0) { const t = u32(); imp.sig = types[t]; funcTypes.push(t); }
        else if (kind === 1) { p++; limits(); }
        else if (kind === 2) limits();
        else if (kind === 3) { p += 2; }
        else if (kind === 4) { p++; u32(); }
        shape.imports.push(imp);
      }
    } else if (id === 3) {
      for (let n = u32(), i = 0; i < n; i++) funcTypes.push(u32());
    } else if (id === 7) {
      for (let n = u32(), i = 0; i < n; i++) rawExports.push({ name: name(), kind: bytes[p++], index: u32() });
    } else if (id === 8) shape.hasStart = true;
    p = end;
  }
  for (const e of rawExports) shape.exports.push({ name: e.name, kind: KINDS[e.kind], sig: e.kind === 0 ? types[funcTypes[e.index]] : undefined });
  return shape;
}
