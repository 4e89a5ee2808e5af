// The import allow-list Envoy enforces at link time, as a build check: a module may import only
// env.proxy_* (plus the few extra env functions Envoy registers) and WASI under either module name.
import { ENV_EXTRA } from "./signatures.ts";

export function checkEnvoyImports(bytes: Uint8Array, label: string): string[] {
  const problems: string[] = [];
  let mod: WebAssembly.Module;
  try {
    mod = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    return [`${label}: does not compile: ${(e as Error).message}`];
  }
  for (const i of WebAssembly.Module.imports(mod)) {
    const ok = (i.module === "env" && (i.name.startsWith("proxy_") || i.name in ENV_EXTRA))
      || i.module === "wasi_snapshot_preview1" || i.module === "wasi_unstable";
    if (!ok) problems.push(`${label}: imports ${i.module}.${i.name}, which Envoy does not provide`);
  }
  const exports = new Set(WebAssembly.Module.exports(mod).map((e) => e.name));
  if (![...exports].some((n) => n.startsWith("proxy_abi_version_"))) problems.push(`${label}: exports no proxy_abi_version_* marker`);
  if (!exports.has("malloc") && !exports.has("proxy_on_memory_allocate")) problems.push(`${label}: exports neither malloc nor proxy_on_memory_allocate`);
  return problems;
}
