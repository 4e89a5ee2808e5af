#!/usr/bin/env node
// The wasmgate CLI. The host and CLI are TypeScript, run through tsx's loader (no separate compile step).
import { register } from "tsx/esm/api";
register();
const { main } = await import("../host/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
