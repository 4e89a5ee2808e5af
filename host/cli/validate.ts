// `wasmgate validate <file> [--map ENVOY_PATH=DIR]… [--module <module.wasm>]` (DESIGN.md §2; the checks
// are in host/deploy/validate.ts). Prints what was checked and every problem; exit 0 when valid,
// 1 when not, 2 on a usage error.
import { existsSync, statSync } from "node:fs";
import { parseArgs, flag, UsageError } from "./options.ts";

export async function validateCommand(argv: string[]): Promise<number> {
  try {
    const p = parseArgs(argv);
    for (const k of p.flags.keys()) if (k !== "map" && k !== "module" && k !== "image") throw new UsageError(`unknown option --${k}`);
    if (p.flags.has("image") && p.flags.has("module")) throw new UsageError("--image and --module both name the module: give one");
    const [file, ...extra] = p.positional;
    if (file === undefined || extra.length > 0) throw new UsageError("validate takes one file");
    if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`${file}: no such file`);
    const map: [string, string][] = (p.flags.get("map") ?? []).map((m) => {
      const eq = m.indexOf("=");
      if (eq <= 0) throw new UsageError(`--map expects ENVOY_PATH=DIR, got '${m}'`);
      return [m.slice(0, eq), m.slice(eq + 1)];
    });
    const { validateFile } = await import("../deploy/validate.ts");
    const r = validateFile(file, { map, module: flag(p, "module"), image: flag(p, "image") });
    for (const n of r.notes) process.stdout.write(`ok    ${n}\n`);
    for (const w of r.warnings) process.stdout.write(`warn  ${w}\n`);
    for (const e of r.errors) process.stdout.write(`error ${e}\n`);
    process.stdout.write(r.ok ? `${file}: valid\n` : `${file}: ${r.errors.length} problem(s)\n`);
    return r.ok ? 0 : 1;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`wasmgate validate: ${e.message}\nusage: wasmgate validate <envoy.yaml | wasmplugin.yaml | config.json> [--module m.wasm | --image OCI_LAYOUT_DIR] [--map ENVOY_PATH=DIR]…\n`);
    return 2;
  }
}
