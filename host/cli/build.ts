// `wasmgate build [name…] [--all]`: compile AssemblyScript filters to build/<name>.wasm (release) and
// build/<name>.debug.wasm, then check that each module imports nothing Envoy lacks.
// Targets: filters/<name>/asconfig.json and examples/<name>/asconfig.json; with --all also the test
// modules (tests/modules/*.wat through wabt, tests/modules/<name>/asconfig.json) into build/test/.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { checkEnvoyImports } from "../abi/imports-check.ts";
import { CompactVisitor } from "./compact-visitor.ts";
import { ConstructedThis } from "./constructed-this.ts";

export interface BuildTarget { name: string; config: string; outDir: string; checkImports: boolean }

function asconfigTargets(root: string, dir: string, outDir: string, checkImports: boolean): BuildTarget[] {
  const base = join(root, dir);
  if (!existsSync(base)) return [];
  return readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(base, d.name, "asconfig.json")))
    .map((d) => ({ name: d.name, config: join(dir, d.name, "asconfig.json"), outDir, checkImports }));
}

export function discoverTargets(root: string, all: boolean): BuildTarget[] {
  const targets = [
    ...asconfigTargets(root, "filters", "build", true),
    ...asconfigTargets(root, "examples", "build", true),
  ];
  if (all) targets.push(...asconfigTargets(root, "tests/modules", "build/test", false));
  return targets;
}

const HOOK_EXPORTS: Record<string, string> = {
  onRequestBody: "proxy_on_request_body", onRequestTrailers: "proxy_on_request_trailers",
  onResponseBody: "proxy_on_response_body", onResponseTrailers: "proxy_on_response_trailers",
  onLog: "proxy_on_log",
};

/**
 * Body, trailer and log hooks a filter's sources define whose callback the built module does not
 * export (its entry file picked callback sets without sdk/exports/bodies, or core's callbacks without
 * proxy_on_log, as the headers filter does): Envoy would never call them, so the filter would silently
 * not see bodies — fail open — or not log. One message per hook; [] when all is well.
 * The compiler drops such overrides without a word, so this reads the sources (every .ts file under
 * `sourceDir`) for method definitions of those names.
 */
export function missingHookExports(sourceDir: string, exportNames: ReadonlySet<string>, label: string): string[] {
  const found = new Map<string, string>();
  const walk = (dir: string) => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, d.name);
      if (d.isDirectory()) { if (d.name !== "node_modules") walk(p); continue; }
      if (!d.name.endsWith(".ts")) continue;
      const text = readFileSync(p, "utf8");
      for (const m of text.matchAll(/^[ \t]*(?:(?:public|override)\s+)*(on(?:Request|Response)(?:Body|Trailers)|onLog)\s*\(/gm)) {
        if (!found.has(m[1])) found.set(m[1], p);
      }
    }
  };
  walk(sourceDir);
  const out: string[] = [];
  for (const [hook, file] of found) {
    const exp = HOOK_EXPORTS[hook];
    if (!exportNames.has(exp)) {
      out.push(hook === "onLog"
        ? `${label}: ${file} defines onLog, but the module does not export proxy_on_log, so Envoy would never call it: export it (it is in ".../assembly/sdk/exports/core") from the entry file`
        : `${label}: ${file} defines ${hook}, but the module does not export ${exp}, so Envoy would never call it (the filter would not see bodies): add export * from ".../assembly/sdk/exports/bodies" to its entry file`);
    }
  }
  return out;
}

/**
 * The memory manager of every AssemblyScript module built here: assembly/rt/alloc.ts replaces the
 * standard library's TLSF (~lib/rt/tlsf) under the "minimal" runtime's mark & sweep — see that file
 * for why. It goes in through the compiler's table of library sources, so the runtime stays "minimal"
 * (a `--runtime <file>` would be compiled as the incremental runtime, with a shadow stack).
 * scripts/asp-ci.mjs does the same for the as-pect specs. A plain `npx asc` still uses TLSF.
 */
export const ALLOCATOR_SOURCE = "assembly/rt/alloc.ts";
export function useWasmgateAllocator(asc: { libraryFiles: Record<string, string> }, root: string): void {
  asc.libraryFiles["rt/tlsf"] = readFileSync(join(root, ALLOCATOR_SOURCE), "utf8");
}

async function compileAs(root: string, t: BuildTarget, target: "release" | "debug", log: (line: string) => void): Promise<string | null> {
  const asc = (await import("assemblyscript/asc")).default;
  useWasmgateAllocator(asc, root);
  const suffix = target === "debug" ? ".debug" : "";
  const outFile = join(t.outDir, `${t.name}${suffix}.wasm`);
  const argv = ["--config", t.config, "--target", target, "-o", outFile];
  if (target === "debug") argv.push("-t", join(t.outDir, `${t.name}.debug.wat`));
  const stderr: string[] = [];
  const binaryen = (await import("binaryen")).default;
  const visitor = new CompactVisitor(binaryen);
  const { error } = await asc.main(argv, {
    // (asc's Transform type also lists what asc itself sets on a transform class it instantiates)
    transforms: [visitor, new ConstructedThis(binaryen)] as any[],
    stdout: { write: (s: string) => (log(String(s).replace(/\n$/, "")), true) } as any,
    stderr: { write: (s: string) => (stderr.push(String(s)), true) } as any,
  });
  const errText = stderr.join("");
  if (error) return `${t.name} (${target}): ${error.message}\n${errText}`;
  if (/ERROR/.test(errText)) return `${t.name} (${target}):\n${errText}`;
  if (errText.trim()) process.stderr.write(errText);
  if (visitor.skipped) process.stderr.write(`${t.name} (${target}): kept the compiler's collector code (${visitor.skipped})\n`);
  return null;
}

async function compileWat(root: string, file: string, outDir: string): Promise<string | null> {
  const wabt = await (await import("wabt")).default();
  const name = basename(file, ".wat");
  try {
    const mod = wabt.parseWat(file, readFileSync(join(root, file), "utf8"), { mutable_globals: true, sign_extension: true, bulk_memory: true });
    const { buffer } = mod.toBinary({ write_debug_names: true });
    writeFileSync(join(root, outDir, `${name}.wasm`), buffer);
    return null;
  } catch (e) {
    return `${file}: ${(e as Error).message}`;
  }
}

/** `log` takes the progress lines ("built …"); errors always go to stderr. */
export async function build(root: string, names: string[], all: boolean, log: (line: string) => void = console.log): Promise<number> {
  const targets = discoverTargets(root, all).filter((t) => names.length === 0 || names.includes(t.name));
  if (names.length && targets.length === 0) {
    console.error(`wasmgate build: no filter named ${names.join(", ")} (looked in filters/ and examples/)`);
    return 2;
  }
  const errors: string[] = [];
  for (const t of targets) {
    mkdirSync(join(root, t.outDir), { recursive: true });
    const started = Date.now();
    for (const target of ["release", "debug"] as const) {
      if (t.outDir !== "build" && target === "debug") continue;
      const err = await compileAs(root, t, target, log);
      if (err) errors.push(err);
    }
    const out = join(root, t.outDir, `${t.name}.wasm`);
    if (existsSync(out)) {
      const size = readFileSync(out).length;
      log(`built ${join(t.outDir, t.name + ".wasm")} (${size} bytes, ${Date.now() - started} ms)`);
      if (t.checkImports) {
        const bytes = readFileSync(out);
        errors.push(...checkEnvoyImports(bytes, out));
        const exportNames = new Set(WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map((e) => e.name));
        errors.push(...missingHookExports(join(root, dirname(t.config)), exportNames, out));
      }
    }
  }
  if (all && existsSync(join(root, "tests/modules"))) {
    mkdirSync(join(root, "build/test"), { recursive: true });
    const wats = readdirSync(join(root, "tests/modules")).filter((f) => f.endsWith(".wat"));
    for (const f of wats) {
      const err = await compileWat(root, join("tests/modules", f), "build/test");
      if (err) errors.push(err);
    }
    if (wats.length) log(`built ${wats.length} WAT test modules into build/test/`);
  }
  for (const e of errors) console.error(e);
  return errors.length ? 1 : 0;
}
