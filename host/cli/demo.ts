// `wasmgate demo` (the second half of `npm start`): runs examples/custom-filter through the host the way
// Envoy would, for an allowed and a denied request, and prints what the client and upstream see.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createHost } from "../index.ts";
import { REPO_ROOT } from "./main.ts";

export async function demoCommand(): Promise<number> {
  const module = join(REPO_ROOT, "build/custom-filter.wasm");
  if (!existsSync(module)) {
    process.stderr.write("build/custom-filter.wasm is missing: run `wasmgate build` first\n");
    return 1;
  }
  const config = { header: { name: "x-hello", value: "world" }, deny: ["/admin"] };
  console.log(`wasmgate demo: examples/custom-filter in the Envoy-faithful host\nconfig: ${JSON.stringify(config)}\n`);
  const host = createHost({ module, name: "custom-filter", config, workers: 2 });
  try {
    for (const path of ["/hello", "/admin/users", "/administrator"]) {
      const r = await host.request({ method: "GET", path, authority: "demo.local", headers: [["user-agent", "curl/8"]] });
      console.log(`GET ${path}`);
      if (r.forwarded) {
        const added = r.request!.headers.filter(([k]) => k === "x-hello").map(([k, v]) => `${k}: ${v}`);
        console.log(`  forwarded upstream with ${added.join(", ") || "no added header"}`);
      } else console.log("  not forwarded (local reply)");
      console.log(`  client got ${r.response.status} ${JSON.stringify(r.response.body)} headers ${JSON.stringify(r.response.headers.filter(([k]) => !k.startsWith(":")))}`);
    }
    console.log(`\nmetrics: ${JSON.stringify(host.metrics())}`);
    console.log("\nnext: `npx wasmgate run build/custom-filter.wasm --config '{...}' --request req.json`, `npm test`, `npm run bench`");
  } finally {
    host.close();
  }
  return 0;
}
