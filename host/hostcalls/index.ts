// Builds the import object for one VM: every function the module imports, from the ABI's table, wrapped
// with Envoy's phase restrictions (only log/WASI during start; only log, fd_write, clock and poll_oneoff
// inside malloc; a restricted call traps with "restricted_callback").
import type { Vm } from "../vm/vm.ts";
import { trap } from "../vm/vm.ts";
import { wasiHostcalls } from "./wasi.ts";
import { coreHostcalls } from "./core.ts";
import { headerHostcalls } from "./headers.ts";
import { bufferHostcalls } from "./buffers.ts";
import { propertyHostcalls } from "./properties.ts";
import { streamHostcalls } from "./stream.ts";
import { calloutHostcalls } from "./callouts.ts";
import { sharedHostcalls } from "./shared.ts";

export type HostFn = (...args: any[]) => number | void;

const ALLOWED_IN_START = new Set(["proxy_log", "emscripten_notify_memory_growth"]);
const ALLOWED_IN_MALLOC = new Set(["proxy_log", "fd_write", "clock_time_get", "poll_oneoff"]);

export function buildImports(vm: Vm): WebAssembly.Imports {
  const env: Record<string, HostFn> = {
    ...coreHostcalls(vm), ...headerHostcalls(vm), ...bufferHostcalls(vm), ...propertyHostcalls(vm),
    ...streamHostcalls(vm), ...calloutHostcalls(vm), ...sharedHostcalls(vm),
  };
  const wasi = wasiHostcalls(vm);
  const out: Record<string, Record<string, HostFn>> = {};
  for (const imp of vm.loaded.imports) {
    const isWasi = imp.module !== "env";
    const impl = isWasi ? wasi[imp.name] : env[imp.name];
    if (!impl) throw new Error(`host has no implementation for ${imp.module}.${imp.name}`);
    (out[imp.module] ??= {})[imp.name] = guard(vm, imp.name, isWasi, impl);
  }
  return out;
}

function guard(vm: Vm, name: string, isWasi: boolean, impl: HostFn): HostFn {
  return (...args: any[]) => {
    if (vm.phase === "start" && !isWasi && !ALLOWED_IN_START.has(name)) trap(`restricted_callback: ${name} is not allowed during VM start`);
    if (vm.phase === "malloc" && !ALLOWED_IN_MALLOC.has(name)) trap(`restricted_callback: ${name} is not allowed inside malloc`);
    if (vm.countHostCalls) vm.hostCallCounts.set(name, (vm.hostCallCounts.get(name) ?? 0) + 1);
    return impl(...args);
  };
}
