// Runs the as-pect unit specs and ends with a plain "aspect: N passed, N failed" line.
// as-pect prints "[Tests]: 9 / 10" with colour codes that cannot be turned off; this strips them.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const asp = require.resolve("@as-pect/cli/bin/asp.js");
const r = spawnSync(process.execPath, [asp, ...process.argv.slice(2)], { encoding: "utf8", maxBuffer: 64 << 20 });
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
