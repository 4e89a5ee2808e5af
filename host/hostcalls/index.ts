// Builds the import object for one VM: every function the module imports, from the ABI's table, wrapped
// with Envoy's phase restrictions (log and some WASI during start; only log, fd_write and the clock inside
// malloc; a restricted call traps with "restricted_callback"), per Envoy version.
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

// The allow-lists of proxy-wasm-cpp-host (src/wasm.cc startVm(), include/proxy-wasm/wasm.h allocMemory()),
// by function name (WASI ones under either module name), as they grew:
//   #306 (2022-08, Envoy 1.24): the restriction itself;
//   #427 (2024-12, 1.33): fd_fdstat_get and fd_fdstat_set_flags during start (Go's syscall init);
//   #461 (2025-11, 1.37): emscripten_notify_memory_growth during start (Emscripten heap growth);
//   #533 (2026-04, 1.38): clock_res_get, poll_oneoff and the stub WASI calls during start, poll_oneoff in malloc.
// fd_read, fd_seek, fd_close, path_open, sched_yield and proc_exit were never allowed during start.
const START_1_24 = ["proxy_log", "fd_write", "args_sizes_get", "args_get", "environ_sizes_get", "environ_get",
  "fd_prestat_get", "fd_prestat_dir_name", "clock_time_get", "random_get"];
const START_1_38 = ["clock_res_get", "poll_oneoff", "fd_advise", "fd_allocate", "fd_datasync", "fd_fdstat_set_rights",
  "fd_filestat_get", "fd_filestat_set_size", "fd_filestat_set_times", "fd_pread", "fd_pwrite", "fd_readdir",
  "fd_renumber", "fd_sync", "fd_tell", "path_create_directory", "path_filestat_get", "path_filestat_set_times",
  "path_link", "path_readlink", "path_remove_directory", "path_rename", "path_symlink", "path_unlink_file",
  "sock_accept", "sock_recv", "sock_send", "sock_shutdown"];

/** Host calls allowed during _initialize/_start/main for an Envoy version; null = not restricted. */
export function allowedInStart(envoyVersion: number): Set<string> | null {
  if (envoyVersion < 1.24) return null;
  return new Set([...START_1_24,
    ...(envoyVersion >= 1.33 ? ["fd_fdstat_get", "fd_fdstat_set_flags"] : []),
    ...(envoyVersion >= 1.37 ? ["emscripten_notify_memory_growth"] : []),
    ...(envoyVersion >= 1.38 ? START_1_38 : [])]);
}
/** Host calls allowed inside malloc / proxy_on_memory_allocate; null = not restricted. */
export function allowedInMalloc(envoyVersion: number): Set<string> | null {
  if (envoyVersion < 1.24) return null;
  return new Set(["proxy_log", "fd_write", "clock_time_get", ...(envoyVersion >= 1.38 ? ["poll_oneoff"] : [])]);
}

export function buildImports(vm: Vm): WebAssembly.Imports {
  const env: Record<string, HostFn> = {
    ...coreHostcalls(vm), ...headerHostcalls(vm), ...bufferHostcalls(vm), ...propertyHostcalls(vm),
    ...streamHostcalls(vm), ...calloutHostcalls(vm), ...sharedHostcalls(vm),
  };
  const wasi = wasiHostcalls(vm);
  const inStart = allowedInStart(vm.opts.envoyVersion), inMalloc = allowedInMalloc(vm.opts.envoyVersion);
  const out: Record<string, Record<string, HostFn>> = {};
  for (const imp of vm.loaded.imports) {
    const impl = imp.module === "env" ? env[imp.name] : wasi[imp.name];
    if (!impl) throw new Error(`host has no implementation for ${imp.module}.${imp.name}`);
    (out[imp.module] ??= {})[imp.name] = guard(vm, imp.name, inStart, inMalloc, impl, imp.sig.indexOf(">"));
  }
  return out;
}

/** The phase rules for a host call made outside a callback (trap when restricted), and the count. */
function restrict(vm: Vm, name: string, inStart: Set<string> | null, inMalloc: Set<string> | null): void {
  if (vm.phase === "start" && inStart && !inStart.has(name)) trap(`restricted_callback: ${name} is not allowed during VM start`);
  if (vm.phase === "malloc" && inMalloc && !inMalloc.has(name)) trap(`restricted_callback: ${name} is not allowed inside malloc`);
}
function count(vm: Vm, name: string): void {
  vm.hostCallCounts.set(name, (vm.hostCallCounts.get(name) ?? 0) + 1);
}

// A wrapper with the import's own arity (the module passes exactly its signature's parameters; V8's
// wasm-to-JS call is cheaper when the function declares as many, and nothing is allocated per call):
// inside a callback, where nearly every host call is made, nothing is checked but the phase.
function guard(vm: Vm, name: string, inStart: Set<string> | null, inMalloc: Set<string> | null, impl: HostFn, arity: number): HostFn {
  const pre = () => {
    if (vm.phase !== "callback") restrict(vm, name, inStart, inMalloc);
    if (vm.countHostCalls) count(vm, name);
  };
  switch (arity) {
    case 0: return () => { if (vm.phase !== "callback" || vm.countHostCalls) pre(); return impl(); };
    case 1: return (a: any) => { if (vm.phase !== "callback" || vm.countHostCalls) pre(); return impl(a); };
    case 2: return (a: any, b: any) => { if (vm.phase !== "callback" || vm.countHostCalls) pre(); return impl(a, b); };
    case 3: return (a: any, b: any, c: any) => { if (vm.phase !== "callback" || vm.countHostCalls) pre(); return impl(a, b, c); };
    case 4: return (a: any, b: any, c: any, d: any) => { if (vm.phase !== "callback" || vm.countHostCalls) pre(); return impl(a, b, c, d); };
    case 5: return (a: any, b: any, c: any, d: any, e: any) => { if (vm.phase !== "callback" || vm.countHostCalls) pre(); return impl(a, b, c, d, e); };
    case 6: return (a: any, b: any, c: any, d: any, e: any, f: any) => { if (vm.phase !== "callback" || vm.countHostCalls) pre(); return impl(a, b, c, d, e, f); };
    default: // up to 12 (proxy_grpc_call, the widest import)
      return (a?: any, b?: any, c?: any, d?: any, e?: any, f?: any, g?: any, h?: any, i?: any, j?: any, k?: any, l?: any) => {
        if (vm.phase !== "callback" || vm.countHostCalls) pre();
        return impl(a, b, c, d, e, f, g, h, i, j, k, l);
      };
  }
}
