// `wasmgate package <filter | module.wasm> [--out DIR] [--tag TAG] [--push REF] [--plain-http] [--json]`
// (DESIGN.md §2): an OCI image of a module that Istio's WasmPlugin can pull (host/deploy/oci.ts),
// written as an OCI image layout and optionally pushed to a registry. A filter name is built first
// (release), so the image never holds a stale module; a .wasm path is packaged as it is, after the
// checks a build makes (it must be a proxy-wasm module importing nothing Envoy lacks).
// Exit 0 when packaged (and pushed), 1 when the module or the push fails, 2 on a usage error.
import { existsSync, readFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { flag, parseArgs, rejectUnknown, UsageError } from "./options.ts";
import { REPO_ROOT } from "./main.ts";
import { checkEnvoyImports } from "../abi/imports-check.ts";

const USAGE = "usage: wasmgate package <filter | module.wasm> [--out DIR] [--tag TAG] [--push REGISTRY/REPO[:TAG]] [--plain-http] [--json]";

export async function packageCommand(argv: string[]): Promise<number> {
  let p;
  try {
    p = parseArgs(argv);
    rejectUnknown(p, ["out", "tag", "push", "plain-http", "json"]);
    if (p.positional.length !== 1) throw new UsageError("package takes one filter name or .wasm file");
    const plain = flag(p, "plain-http");
    if (plain !== undefined && plain !== "true") throw new UsageError("--plain-http takes no value");
    if (plain !== undefined && flag(p, "push") === undefined) throw new UsageError("--plain-http is for --push");
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`wasmgate package: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  const oci = await import("../deploy/oci.ts");
  const target = p.positional[0];
  const json = flag(p, "json") === "true";
  const say = (line: string) => { if (!json) process.stdout.write(line + "\n"); };
  const pushRef = flag(p, "push");
  let ref: ReturnType<typeof oci.parseRef> | undefined;
  try {
    ref = pushRef === undefined ? undefined : oci.parseRef(pushRef);
    if (ref?.digest !== undefined) throw new Error(`${pushRef}: push to a tag, not a digest (the digest is printed after the push)`);
  } catch (e) {
    process.stderr.write(`wasmgate package: --push ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const version = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version as string;
  const tagFlag = flag(p, "tag");
  if (tagFlag !== undefined && ref?.tag !== undefined && tagFlag !== ref.tag) {
    process.stderr.write(`wasmgate package: --tag ${tagFlag} and --push …:${ref.tag} name two tags\n${USAGE}\n`);
    return 2;
  }
  const tag = tagFlag ?? ref?.tag ?? version;
  if (!oci.TAG.test(tag)) { process.stderr.write(`wasmgate package: --tag '${tag}' is not a valid tag\n${USAGE}\n`); return 2; }

  // The module: a .wasm file as given, or a filter built now.
  let name: string, modulePath: string;
  if (target.endsWith(".wasm")) {
    if (!existsSync(target)) { process.stderr.write(`wasmgate package: ${target}: no such file\n`); return 2; }
    name = basename(target, ".wasm");
    modulePath = target;
  } else {
    const { build, discoverTargets } = await import("./build.ts");
    if (!discoverTargets(REPO_ROOT, false).some((t) => t.name === target)) {
      process.stderr.write(`wasmgate package: no filter named '${target}' (filters/<name> or examples/<name> with an asconfig.json), and not a .wasm file\n${USAGE}\n`);
      return 2;
    }
    // With --json the build's progress lines stay out of stdout, which carries one JSON document.
    const code = await build(REPO_ROOT, [target], false, json ? () => {} : undefined);
    if (code !== 0) { process.stderr.write(`wasmgate package: building ${target} failed\n`); return 1; }
    name = target;
    modulePath = join(REPO_ROOT, "build", `${target}.wasm`);
  }
  const wasm = new Uint8Array(readFileSync(modulePath));
  const problems = moduleProblems(wasm, modulePath);
  if (problems.length) { for (const x of problems) process.stderr.write(`wasmgate package: ${x}\n`); return 1; }

  const image = oci.buildImage(wasm); // the digest depends on the module's bytes alone
  const out = flag(p, "out") ?? join(REPO_ROOT, "build", "oci", name);
  try {
    oci.writeLayout(out, image, tag);
  } catch (e) {
    process.stderr.write(`wasmgate package: ${(e as Error).message}\n`);
    return 1;
  }
  const hex = image.digest.slice("sha256:".length);
  // Paths as the user gave them; the defaults relative to where they run the command.
  const show = (f: string, given: string | undefined) => given ?? (relative(process.cwd(), f) || ".");
  say(`module   ${show(modulePath, target.endsWith(".wasm") ? target : undefined)} (${wasm.length} bytes, ${oci.sha256(wasm)})`);
  say(`layout   ${show(out, flag(p, "out"))} (tag ${tag})`);
  say(`digest   ${image.digest}`);
  const result: Record<string, unknown> = { module: modulePath, moduleBytes: wasm.length, moduleSha256: oci.sha256(wasm), layout: out, tag, digest: image.digest, layerDigest: image.layer.digest };
  if (ref !== undefined) {
    const creds = oci.findCredentials(ref.registry, process.env, (f) => (existsSync(f) ? readFileSync(f, "utf8") : null));
    try {
      const d = await oci.pushImage(image, { ...ref, tag }, { plainHttp: flag(p, "plain-http") === "true", credentials: creds ?? undefined, log: (l) => say(`push     ${l}`) });
      const url = `oci://${ref.registry}/${ref.repository}:${tag}`;
      say(`pushed   ${url} (${d})`);
      say(`\nIn the WasmPlugin:\n  url: ${url}\n  sha256: "${hex}"`);
      Object.assign(result, { pushed: url });
    } catch (e) {
      if (json) process.stdout.write(JSON.stringify({ ...result, error: (e as Error).message }, null, 2) + "\n");
      process.stderr.write(`wasmgate package: push failed: ${(e as Error).message}\n`);
      return 1;
    }
  } else {
    say(`\nPush it with --push REGISTRY/REPO[:TAG]; in the WasmPlugin, sha256: "${hex}"`);
  }
  if (json) process.stdout.write(JSON.stringify(result, null, 2) + "\n");
  return 0;
}

/** What makes a file unfit to ship: not Wasm, not proxy-wasm, or an import Envoy does not provide. */
function moduleProblems(wasm: Uint8Array, label: string): string[] {
  let module: WebAssembly.Module;
  try { module = new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>); } catch (e) { return [`${label}: not a valid Wasm module: ${(e as Error).message}`]; }
  const exports = WebAssembly.Module.exports(module).map((e) => e.name);
  if (!exports.some((e) => /^proxy_abi_version_0_[12]_[01]$/.test(e))) return [`${label}: not a proxy-wasm module (it exports no proxy_abi_version_* marker)`];
  return checkEnvoyImports(wasm, label);
}
