// wasmgate CLI entry: dispatches to one module per command (contracts in DESIGN.md §2).
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

const USAGE = `wasmgate — proxy-wasm filters for Envoy, and a host that runs them the way Envoy does

usage:
  wasmgate build [name…] [--all]           compile filters/ and examples/ to build/<name>.wasm
  wasmgate run <module.wasm> --config <json|@file> --request <file> [options]
  wasmgate bench [<module.wasm> --config … --request …] [--requests N] [--json]
  wasmgate validate <envoy.yaml> [--map ENVOY_PATH=DIR]…   check an Envoy bootstrap: Envoy's API schema,
                                           chains and routes, and each Wasm filter's module with its config
  wasmgate validate <wasmplugin.yaml> [--module <module.wasm> | --image <oci layout dir> | --map ENVOY_PATH=DIR]
                                           an Istio WasmPlugin (and its pluginConfig; with --image, the
                                           image wasmgate package wrote, checked against url and sha256)
  wasmgate validate <config.json> --module <module.wasm>   one filter configuration
  wasmgate serve [envoy.yaml] [--map ENVOY_PATH=DIR]… [--cluster NAME=HOST:PORT]… [--echo] [--address A] [--port-offset N]
                                           a local gateway run from an Envoy bootstrap (listeners, routes,
                                           clusters, Wasm filters); without a file: envoy/envoy.yaml with
                                           build/ mapped and every cluster sent to a built-in echo upstream
  wasmgate package <filter | module.wasm> [--out DIR] [--tag TAG] [--push REGISTRY/REPO[:TAG]] [--plain-http] [--json]
                                           an OCI image Istio's WasmPlugin can pull (oci://…): an OCI
                                           image layout in build/oci/<name>, optionally pushed; prints
                                           the digest for the WasmPlugin's sha256
  wasmgate demo                            what npm start shows: one request through the headers
                                           filter, then examples/custom-filter

run/bench options:
  --root-id ID  --vm-id ID  --vm-config <json|@file>  --name NAME
  --cluster NAME=HOST:PORT (repeatable)  --envoy-version 1.32|1.34|1.35
  --failure-policy FAIL_CLOSED|FAIL_OPEN|FAIL_RELOAD  --fail-open  --allow-on-headers-stop-iteration
  --log-level LEVEL
run only: --repeat N  --workers W
`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case "build": {
      const { build } = await import("./build.ts");
      return build(REPO_ROOT, rest.filter((a) => !a.startsWith("--")), rest.includes("--all"));
    }
    case "run": return (await import("./run.ts")).runCommand(rest);
    case "bench": return (await import("./bench.ts")).benchCommand(rest);
    case "validate": return (await import("./validate.ts")).validateCommand(rest);
    case "serve": return (await import("./serve.ts")).serveCommand(rest);
    case "package": return (await import("./package.ts")).packageCommand(rest);
    case "demo": return (await import("./demo.ts")).demoCommand();
    case undefined: case "help": case "--help": case "-h":
      process.stdout.write(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      process.stderr.write(`wasmgate: unknown command '${cmd}'\n\n${USAGE}`);
      return 2;
  }
}
