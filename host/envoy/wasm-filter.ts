// One envoy.filters.http.wasm filter: a module compiled once, a base VM, a throw-away canary that
// validates the configuration (a rejected config throws, as Envoy refuses it), then one VM per worker
// plus the main thread's, each running _initialize → on_context_create(root) → on_vm_start →
// on_configure (research/envoy-host-abi.md §2.1, §6). On a trap the worker's VM is failed and new
// requests follow failure_policy (§7).
import { loadModule, LoadError, type LoadedModule } from "../abi/loader.ts";
import { Vm, VmTrap } from "../vm/vm.ts";
import type { RootContext } from "../vm/contexts.ts";
import type { Logger } from "../vm/logger.ts";
import type { ProcessState } from "./process.ts";
import type { Transport } from "./transport.ts";
import type { PluginSettings } from "./plugin-settings.ts";
import { nodeInfo, type NodeInfo } from "../hostcalls/properties.ts";

export class ConfigError extends Error {}

export type FilterSlot =
  | { kind: "filter"; filter: WasmFilter; vm: Vm; root: RootContext }
  | { kind: "bypass" }
  | { kind: "fail-closed"; filter: WasmFilter };

interface Worker { vm: Vm | null; root: RootContext | null; failedAt: number; reloads: number }

export interface WasmFilterOptions {
  module: Uint8Array | LoadedModule;
  settings: PluginSettings;
  envoyVersion: number;
  workers: number;
  process: ProcessState;
  logger: Logger;
  transport: Transport;
  node?: NodeInfo;
}

export class WasmFilter {
  readonly loaded: LoadedModule;
  readonly workers: Worker[] = [];
  main: Worker | null = null;
  readonly stats = { vmReloadSuccess: 0, vmReloadFailure: 0, failClosed: 0, failOpen: 0 };

  private constructor(readonly opts: WasmFilterOptions) {
    this.loaded = opts.module instanceof Uint8Array ? loadModule(opts.module, opts.envoyVersion) : opts.module;
  }
  get settings(): PluginSettings { return this.opts.settings; }
  get envoyVersion(): number { return this.opts.envoyVersion; }
  get logger(): Logger { return this.opts.logger; }

  /** Load, validate in a canary, start every worker. Throws LoadError or ConfigError as Envoy would refuse. */
  static create(opts: WasmFilterOptions): WasmFilter {
    const f = new WasmFilter(opts);
    f.newVm("base").start();
    const canary = f.newVm("canary");
    try {
      if (!f.startPlugin(canary)) {
        throw new ConfigError(`Unable to create Wasm plugin ${opts.settings.name || "(unnamed)"}: the plugin rejected its configuration (on_vm_start or on_configure returned false)`);
      }
    } finally {
      canary.shutdown();
    }
    f.main = f.startWorker("main");
    for (let i = 0; i < Math.max(1, opts.workers); i++) f.workers.push(f.startWorker(`worker ${i}`));
    return f;
  }

  private newVm(label: string): Vm {
    const vm = new Vm({
      loaded: this.loaded, process: this.opts.process, logger: this.opts.logger, transport: this.opts.transport,
      vmId: this.settings.vmId, vmConfiguration: this.settings.vmConfiguration, environment: this.settings.environment,
      envoyVersion: this.opts.envoyVersion, label,
    });
    if (this.opts.node) nodeInfo.set(vm, this.opts.node);
    return vm;
  }

  /** on_context_create(root) → on_vm_start → on_configure. false = config rejected. */
  private startPlugin(vm: Vm): boolean {
    if (vm.failed) return false;
    try { if (!vm.exports) vm.start(); } catch (e) { if (e instanceof VmTrap) return false; throw e; }
    const root = vm.createRootContext(this.settings);
    root.configuring = true;
    vm.call("proxy_on_context_create", root.id, root.id, 0);
    if (vm.failed) { root.configuring = false; return true; } // Envoy skips configure and reports success: the VM serves 503s
    const started = vm.has("proxy_on_vm_start") ? vm.call("proxy_on_vm_start", root.id, root.id, this.settings.vmConfiguration.length) : 1;
    const configured = started ? (vm.has("proxy_on_configure") ? vm.call("proxy_on_configure", root.id, root.id, this.settings.configuration.length) : 1) : 0;
    root.configuring = false;
    return Boolean(started) && Boolean(configured);
  }

  private startWorker(label: string): Worker {
    const vm = this.newVm(label);
    const ok = this.startPlugin(vm);
    const root = [...vm.contexts.values()].find((c) => c.kind === "root") as RootContext | undefined;
    if (!ok) {
      this.opts.logger.host("error", `Wasm plugin ${this.settings.name}: start or configure failed on ${label}; its requests pass through without the filter`, label);
      vm.shutdown();
      return { vm: null, root: null, failedAt: 0, reloads: 0 };
    }
    return { vm, root: root ?? null, failedAt: vm.failed ? Date.now() : 0, reloads: 0 };
  }

  /** The filter instance a new request on worker `i` gets, after applying failure_policy. */
  slotFor(i: number): FilterSlot {
    const w = this.workers[i % this.workers.length];
    if (!w.vm || !w.root) return { kind: "bypass" }; // the worker's filter factory returned no filter
    if (!w.vm.failed) return { kind: "filter", filter: this, vm: w.vm, root: w.root };
    if (!w.failedAt) w.failedAt = Date.now();
    const policy = this.settings.failOpen ? "FAIL_OPEN" : this.settings.failurePolicy;
    if (policy === "FAIL_OPEN") { this.stats.failOpen++; return { kind: "bypass" }; }
    if (policy === "FAIL_RELOAD" && this.envoyVersion >= 1.33 && Date.now() - w.failedAt >= this.backoffMs(w)) {
      const fresh = this.startWorker(w.vm.opts.label);
      if (fresh.vm && fresh.root && !fresh.vm.failed) {
        this.stats.vmReloadSuccess++;
        Object.assign(w, { vm: fresh.vm, root: fresh.root, failedAt: 0, reloads: w.reloads + 1 });
        return { kind: "filter", filter: this, vm: fresh.vm, root: fresh.root };
      }
      this.stats.vmReloadFailure++;
      w.failedAt = Date.now();
      w.reloads++;
    }
    this.stats.failClosed++;
    return { kind: "fail-closed", filter: this };
  }

  private backoffMs(w: Worker): number {
    return this.settings.reloadBackoffMs * Math.min(2 ** w.reloads, 30); // exponential, no jitter (deterministic)
  }

  /** Every live VM: workers and main thread (for metrics, memory, shutdown). */
  vms(): Vm[] {
    return [this.main, ...this.workers].flatMap((w) => (w?.vm ? [w.vm] : []));
  }

  /** Plugin removal / Envoy exit: proxy_on_done(root), then on_delete unless on_done returned 0. */
  shutdown(): void {
    for (const vm of this.vms()) {
      for (const ctx of [...vm.contexts.values()]) {
        if (ctx.kind !== "root" || vm.failed) continue;
        const done = vm.call("proxy_on_done", ctx.id, ctx.id);
        if (done === 0) { ctx.pendingDone = true; continue; }
        vm.call("proxy_on_delete", ctx.id, ctx.id);
        ctx.deleted = true;
        vm.contexts.delete(ctx.id);
      }
      vm.shutdown();
    }
  }
}

export { LoadError };
