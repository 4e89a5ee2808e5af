// Runs the as-pect unit specs and ends with a plain "aspect: N passed, N failed" line.
// as-pect prints "[Tests]: 9 / 10" with colour codes that cannot be turned off; this strips them.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

// The package's "exports" hides bin/asp.js from require.resolve; run its entry the way bin/asp.js does.
const asp = fileURLToPath(new URL("../node_modules/@as-pect/cli/lib/test.js", import.meta.url));
// scripts/asp-alloc.mjs makes the specs use the modules' allocator (assembly/rt/alloc.ts).
const preload = fileURLToPath(new URL("./asp-alloc.mjs", import.meta.url));
const r = spawnSync(process.execPath, ["--experimental-wasi-unstable-preview1", "--no-warnings", "--import", preload, asp, ...process.argv.slice(2)], { encoding: "utf8", maxBuffer: 64 << 20 });
const out = ((r.stdout ?? "") + (r.stderr ?? "")).replace(/\x1b\[[0-9;]*m/g, "");
process.stdout.write(out.endsWith("\n") ? out : out + "\n");
const m = out.match(/\[Tests\]:\s*(\d+)\s*\/\s*(\d+)/);
if (!m) {
  console.log("aspect: 0 passed, 1 failed (no summary line: compile error?)");
  process.exit(r.status || 1);
}
const passed = +m[1], total = +m[2];
console.log(`aspect: ${passed} passed, ${total - passed} failed`);
process.exit(r.status !== 0 ? r.status : passed === total ? 0 : 1);
