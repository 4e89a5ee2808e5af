// WASI preview1 as Envoy provides it, under both wasi_snapshot_preview1 and wasi_unstable
// (research/envoy-host-abi.md §1.3): fd_write to 1/2 logs at info/error with one trailing newline
// stripped; environment from vm_config.environment_variables only; proc_exit only logs and returns.
import { randomFillSync } from "node:crypto";
import type { Vm } from "../vm/vm.ts";
import { WasiErrno } from "../abi/enums.ts";
import type { HostFn } from "./index.ts";
import { nowNs } from "../vm/clock.ts";

const enc = new TextEncoder();
const BOOT = process.hrtime.bigint();

export function wasiHostcalls(vm: Vm): Record<string, HostFn> {
  const m = vm.memory;
  const envEntries = () => Object.entries(vm.opts.environment).map(([k, v]) => enc.encode(`${k}=${v}\0`));
  const ok = WasiErrno.Success, nosys = WasiErrno.Nosys, badf = WasiErrno.Badf, fault = WasiErrno.Fault, notsup = WasiErrno.Notsup;
  const stub = (r: number) => () => r;
  return {
    fd_write(fd: number, iovs: number, n: number, nwritten: number) {
      if (fd !== 1 && fd !== 2) return badf;
      const parts: Uint8Array[] = [];
      let total = 0;
      for (let i = 0; i < n; i++) {
        const p = m.readU32(iovs + i * 8), l = m.readU32(iovs + i * 8 + 4);
        if (p === null || l === null) return fault;
        const b = m.read(p, l);
        if (b === null) return fault;
        parts.push(b); total += l;
      }
      if (!m.writeU32(nwritten, total)) return fault;
      let text = Buffer.concat(parts).toString("utf8");
      if (text.endsWith("\n")) text = text.slice(0, -1);
      if (text.length) vm.logger.wasm(fd === 1 ? 2 : 4, logPrefix(vm), text, vm.opts.label);
      return ok;
    },
    fd_read: stub(nosys),
    fd_seek: stub(ok),
    fd_close: stub(ok),
    fd_fdstat_get(fd: number, out: number) {
      if (fd !== 1 && fd !== 2) return badf;
      const b = new Uint8Array(24);
      new DataView(b.buffer).setBigUint64(8, 64n, true); // rights_base = FD_WRITE
      return m.write(out, b) ? ok : fault;
    },
    fd_fdstat_set_flags: stub(nosys),
    environ_sizes_get(countPtr: number, sizePtr: number) {
      const e = envEntries();
      return m.writeU32(countPtr, e.length) && m.writeU32(sizePtr, e.reduce((s, x) => s + x.length, 0)) ? ok : fault;
    },
    environ_get(ptrs: number, buf: number) {
      let p = buf;
      for (const [i, e] of envEntries().entries()) {
        if (!m.writeU32(ptrs + i * 4, p) || !m.write(p, e)) return fault;
        p += e.length;
      }
      return ok;
    },
    args_sizes_get(argc: number, size: number) { return m.writeU32(argc, 0) && m.writeU32(size, 0) ? ok : fault; },
    args_get: stub(ok),
    clock_time_get(id: number, _precision: bigint, out: number) {
      let t: bigint;
      if (id === 0) t = nowNs();
      else if (id === 1) t = process.hrtime.bigint() - BOOT;
      else return notsup;
      return m.writeU64(out, t) ? ok : fault;
    },
    clock_res_get(id: number, out: number) {
      if (id !== 0 && id !== 1) return notsup;
      return m.writeU64(out, 1n) ? ok : fault;
    },
    random_get(ptr: number, len: number) {
      if (len > 65536) return WasiErrno.Inval;
      if (len === 0) return ok;
      const b = new Uint8Array(len);
      randomFillSync(b);
      return m.write(ptr, b) ? ok : fault;
    },
    proc_exit(code: number) {
      vm.logger.host("trace", `wasi_unstable proc_exit(${code})`, vm.opts.label); // only logs; execution continues
    },
    sched_yield: stub(ok),
    // cpp-host #427 (Envoy 1.33) registered poll_oneoff as ENOSYS without touching nevents; #533 (1.38) writes
    // nevents = 0 and succeeds, because Go's runtime throws on any other errno (golang/go#78513).
    poll_oneoff(_in: number, _out: number, _n: number, nevents: number) {
      if (vm.opts.envoyVersion < 1.38) return nosys;
      return m.writeU32(nevents, 0) ? ok : fault;
    },
    path_open: stub(WasiErrno.Noent),
    fd_prestat_get: stub(badf),
    fd_prestat_dir_name: stub(nosys),
    fd_filestat_get: stub(badf),
    path_filestat_get: stub(notsup),
    fd_tell: stub(badf), fd_sync: stub(badf), fd_datasync: stub(badf), fd_advise: stub(badf), fd_allocate: stub(badf),
    fd_pread: stub(badf), fd_pwrite: stub(badf), fd_readdir: stub(badf), fd_renumber: stub(badf),
    fd_filestat_set_size: stub(badf), fd_filestat_set_times: stub(badf),
    path_create_directory: stub(notsup), path_remove_directory: stub(notsup), path_unlink_file: stub(notsup),
    path_readlink: stub(notsup), path_rename: stub(notsup), path_symlink: stub(notsup), path_link: stub(notsup),
    path_filestat_set_times: stub(notsup), sock_accept: stub(notsup), sock_recv: stub(notsup), sock_send: stub(notsup),
    sock_shutdown: stub(notsup),
    fd_fdstat_set_rights(fd: number) { return fd === 1 || fd === 2 ? ok : badf; },
  };
}

/** " <name> <root_id> <vm_id>" for stream contexts, " <root_id> <vm_id>" for roots; empty parts omitted. */
export function logPrefix(vm: Vm): string {
  const ctx = vm.context();
  const root = vm.rootOf(ctx);
  if (!root) return vm.opts.vmId ? ` ${vm.opts.vmId}` : "";
  const parts = ctx?.kind === "stream" ? [root.plugin.name, root.plugin.rootId, root.plugin.vmId] : [root.plugin.rootId, root.plugin.vmId];
  const s = parts.filter((p) => p !== "").join(" ");
  return s ? ` ${s}` : "";
}
