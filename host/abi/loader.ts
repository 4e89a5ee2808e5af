// Module loading as proxy-wasm-cpp-host does it (research/envoy-host-abi.md §1.1): ABI detection by the
// first marker export, strict linking (every import must exist with the same signature), the exported
// callbacks' signatures, the allocator (malloc preferred over proxy_on_memory_allocate) and the start
// functions. Errors carry Envoy's wording so a user can search for them.
import { ABI_MARKERS, callbackSignatures, envFunctions, printSig, wasiFunctions, type AbiVersion, type Sig } from "./signatures.ts";
import { readWasmShape, type WasmShape } from "./wasm-binary.ts";

export class LoadError extends Error {}

export interface LoadedModule {
  module: WebAssembly.Module;
  shape: WasmShape;
  abi: AbiVersion;
  bytes: Uint8Array;
  /** Host functions to provide, by import module, as the module imports them. */
  imports: { module: string; name: string; sig: Sig }[];
  allocator: "malloc" | "proxy_on_memory_allocate";
  startFunctions: string[];
  callbacks: Set<string>;
}

export function loadModule(bytes: Uint8Array, envoyVersion: number): LoadedModule {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new LoadError("Failed to load Wasm code: not a Wasm binary (bad magic number)");
  }
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new LoadError(`Failed to load Wasm code: ${(e as Error).message}`);
  }
  const shape = readWasmShape(bytes);
  const marker = shape.exports.find((e) => e.kind === "func" && e.name in ABI_MARKERS);
  if (!marker) throw new LoadError("Missing or unknown Proxy-Wasm ABI version");
  const abi = ABI_MARKERS[marker.name];

  const env = envFunctions(abi);
  const wasi = wasiFunctions(envoyVersion);
  const imports: LoadedModule["imports"] = [];
  for (const imp of shape.imports) {
    if (imp.kind === "global") throw new LoadError(`Failed to load Wasm module due to an imported global: ${imp.module}.${imp.name}`);
    if (imp.kind !== "func") continue; // memory and tables are created by the host
    const table = imp.module === "env" ? env : imp.module === "wasi_snapshot_preview1" || imp.module === "wasi_unstable" ? wasi : null;
    const want = table?.[imp.name];
    if (!want) throw new LoadError(`Failed to load Wasm module due to a missing import: ${imp.module}.${imp.name}`);
    if (want !== imp.sig) {
      throw new LoadError(`Failed to load Wasm module due to an import type mismatch for function ${imp.module}.${imp.name}, want: ${printSig(imp.sig ?? ">")}, but host exports: ${printSig(want)}`);
    }
    imports.push({ module: imp.module, name: imp.name, sig: want });
  }
  if (!shape.exports.some((e) => e.kind === "memory")) throw new LoadError("Failed to load Wasm module: the module exports no memory");

  const sigs = callbackSignatures(abi);
  const callbacks = new Set<string>();
  for (const e of shape.exports) {
    if (e.kind !== "func" || !(e.name in sigs)) continue;
    if (e.sig !== sigs[e.name]) {
      throw new LoadError(`Bad function signature for: ${e.name}, want: ${printSig(sigs[e.name])}, but the module exports: ${printSig(e.sig ?? ">")}`);
    }
    callbacks.add(e.name);
  }
  const allocator = callbacks.has("malloc") ? "malloc" : callbacks.has("proxy_on_memory_allocate") ? "proxy_on_memory_allocate" : null;
  if (!allocator) throw new LoadError("Wasm module is missing malloc function.");
  const startFunctions = callbacks.has("_initialize")
    ? ["_initialize", ...(callbacks.has("main") ? ["main"] : callbacks.has("__main_void") ? ["__main_void"] : [])]
    : callbacks.has("_start") ? ["_start"] : [];
  return { module, shape, abi, bytes, imports, allocator, startFunctions, callbacks };
}
