// Preloaded by scripts/asp-ci.mjs into the as-pect process (node --import): the specs are compiled
// with wasmgate's memory manager, assembly/rt/alloc.ts, in place of AssemblyScript's TLSF, as
// `wasmgate build` compiles the modules (host/cli/build.ts, useWasmgateAllocator). as-pect imports
// this same compiler module, so the override reaches its builds. (The specs use as-pect's default
// incremental runtime, not the modules' "minimal" one; both run on __alloc/__realloc/__free and read
// only `mmInfo & ~3` of a block.) tests/unit/rt-alloc.spec.ts checks the allocator directly.
import asc from "assemblyscript/dist/asc.js";
import { readFileSync } from "node:fs";

asc.libraryFiles["rt/tlsf"] = readFileSync(new URL("../assembly/rt/alloc.ts", import.meta.url), "utf8");
