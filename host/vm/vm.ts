// One Wasm VM instance, as proxy-wasm-cpp-host runs it on one Envoy thread: its own linear memory,
// context-id counter, callout tokens and metric ids; host→VM calls with the effective context reset on
// entry; deferred "after VM call" actions; the restricted phases (start, malloc); and the trap rule:
// a trap fails the VM for good and every later callback into it is skipped (§1.1, §2, §7).
import type { LoadedModule } from "../abi/loader.ts";
import type { ProcessState } from "../envoy/process.ts";
import type { PluginSettings } from "../envoy/plugin-settings.ts";
import type { FilterStreamState } from "../envoy/filter-stream.ts";
import type { Transport } from "../envoy/transport.ts";
import { GuestMemory } from "./memory.ts";
import { utf8Length, writeUtf8 } from "./utf8.ts";
import { Logger } from "./logger.ts";
import { RootContext, StreamContext, type HostContext } from "./contexts.ts";
import { buildImports } from "../hostcalls/index.ts";

export type Phase = "idle" | "start" | "malloc" | "callback";

export interface VmOptions {
  loaded: LoadedModule;
  process: ProcessState;
  logger: Logger;
  transport: Transport;
  vmId: string;
  vmConfiguration: Uint8Array;
  environment: Record<string, string>;
  envoyVersion: number;
  /** Shown in host log lines: "worker 0", "canary", "main". */
  label: string;
}

export class VmTrap extends Error {}

export class Vm {
  readonly memory: GuestMemory;
  exports!: Record<string, (...a: any[]) => any>;
  private instance!: WebAssembly.Instance;
  phase: Phase = "idle";
  depth = 0;
  failed = false;
  failure = "";
  readonly contexts = new Map<number, HostContext>();
  private nextContextId = 1;
  currentContextId = 0;
  effectiveContextId = 0;
  private afterCall: (() => void)[] = [];
  private nextCallout = 0;
  private nextMetric = 0;
  readonly metricIds = new Map<number, string>();
  readonly callouts = new Map<number, { root: RootContext; cancel: () => void }>();
  readonly onFail: ((vm: Vm) => void)[] = [];
  /** Host calls made, by name (observability for tests and `bench`). */
  readonly hostCallCounts = new Map<string, number>();
  countHostCalls = false;

  private mem!: WebAssembly.Memory;
  private allocator!: (size: number) => number;

  constructor(readonly opts: VmOptions) {
    this.memory = new GuestMemory(() => this.mem);
  }

  get loaded(): LoadedModule { return this.opts.loaded; }
  get logger(): Logger { return this.opts.logger; }

  /** Instantiate and run the start functions (_initialize then main/__main_void, or _start). */
  start(): void {
    const imports = buildImports(this);
    this.phase = "start";
    try {
      this.instance = new WebAssembly.Instance(this.loaded.module, imports);
      // Envoy uses the module's first exported memory, whatever its name.
      this.mem = Object.values(this.instance.exports).find((e) => e instanceof WebAssembly.Memory) as WebAssembly.Memory;
      this.exports = this.instance.exports as any;
      this.allocator = this.exports[this.loaded.allocator];
      for (const fn of this.loaded.startFunctions) {
        if (fn === "main") this.exports.main(0, 0);
        else this.exports[fn]();
      }
    } catch (e) {
      this.markFailed(this.loaded.startFunctions[0] ?? "start", e);
      throw new VmTrap(`Failed to start Wasm VM (${this.opts.label}): ${this.failure}`);
    } finally {
      this.phase = "idle";
      this.afterCall = [];
    }
  }

  // ---- contexts ----
  newContextId(): number { return this.nextContextId++; }
  createRootContext(plugin: PluginSettings): RootContext {
    const ctx = new RootContext(this.newContextId(), plugin);
    this.contexts.set(ctx.id, ctx);
    return ctx;
  }
  createStreamContext(root: RootContext, stream: FilterStreamState): StreamContext {
    const ctx = new StreamContext(this.newContextId(), root, stream);
    this.contexts.set(ctx.id, ctx);
    return ctx;
  }
  /** The context host calls act on: the effective context if one is set and alive, else the caller. */
  context(): HostContext | undefined {
    if (this.effectiveContextId !== 0) {
      const eff = this.contexts.get(this.effectiveContextId);
      if (eff) return eff;
    }
    return this.contexts.get(this.currentContextId);
  }
  rootOf(ctx: HostContext | undefined): RootContext | undefined {
    return ctx === undefined ? undefined : ctx.kind === "root" ? ctx : ctx.root;
  }
  nextCalloutToken(kind: 0 | 1 | 2): number {
    this.nextCallout += 4;
    return (this.nextCallout + kind) >>> 0;
  }
  nextMetricId(type: number): number {
    this.nextMetric += 4;
    return this.nextMetric + type;
  }

  // ---- host→VM calls ----
  has(fn: string): boolean { return this.loaded.callbacks.has(fn); }

  /**
   * Call an exported callback in the context `ctxId`. Returns the result, or undefined when the
   * callback is absent, the VM has failed (the call is skipped), or the call trapped.
   */
  call(fn: string, ctxId: number, ...args: number[]): number | undefined {
    if (this.failed || !this.has(fn)) return undefined;
    const outer = this.depth === 0;
    const saved = [this.currentContextId, this.effectiveContextId, this.phase] as const;
    this.currentContextId = ctxId;
    this.effectiveContextId = 0;
    this.phase = "callback";
    this.depth++;
    let result: number | undefined;
    try {
      result = this.exports[fn](...args);
      if (typeof result === "boolean") result = result ? 1 : 0;
    } catch (e) {
      this.markFailed(fn, e);
      result = undefined;
    } finally {
      this.depth--;
      [this.currentContextId, this.effectiveContextId, this.phase] = saved;
    }
    if (outer) this.runAfterCall();
    return result;
  }

  /** Queue an action Envoy runs once the current VM call has returned. */
  defer(action: () => void): void {
    if (this.depth === 0) action();
    else this.afterCall.push(action);
  }
  private runAfterCall(): void {
    while (this.afterCall.length) {
      const actions = this.afterCall.splice(0);
      for (const a of actions) a();
    }
  }

  /** The module's allocator, called re-entrantly from a host call; 0 on failure. */
  allocate(size: number): number {
    const saved = this.phase;
    this.phase = "malloc";
    try {
      return (this.allocator(size) as number) >>> 0;
    } finally {
      this.phase = saved;
    }
  }
  /**
   * The first half of copyToPointerSize: checks the two out-pointers and allocates `length` bytes in
   * the guest. Returns the guest address; 0 when `length` is 0 (then (0, 0) is already written and
   * nothing allocated); -1 when a pointer or the allocation is bad (InvalidMemoryAccess).
   */
  private reserve(length: number, ptrPtr: number, sizePtr: number): number {
    const m = this.memory;
    if (!m.inBounds(ptrPtr, 4) || !m.inBounds(sizePtr, 4)) return -1;
    if (length === 0) {
      m.writeU32(ptrPtr, 0);
      m.writeU32(sizePtr, 0);
      return 0;
    }
    const p = this.allocate(length);
    return p === 0 || !m.inBounds(p, length) ? -1 : p;
  }
  /** The second half: writes (ptr, size) once the bytes are in place; Ok. */
  private handOver(p: number, length: number, ptrPtr: number, sizePtr: number): number {
    this.memory.writeU32(ptrPtr, p);
    this.memory.writeU32(sizePtr, length);
    return 0;
  }
  /**
   * copyToPointerSize: allocate in the guest, copy bytes [0, length) of `bytes`, write (ptr, size);
   * empty → (0, 0) without allocating. `bytes` must not change while the guest's malloc runs.
   */
  giveBytes(bytes: Uint8Array, ptrPtr: number, sizePtr: number, length: number = bytes.length): number {
    const p = this.reserve(length, ptrPtr, sizePtr);
    if (p <= 0) return p < 0 ? 6 : 0; // InvalidMemoryAccess, or empty
    const out = this.memory.bytes;
    if (length === bytes.length) out.set(bytes, p);
    else if (length > 256) out.set(new Uint8Array(bytes.buffer, bytes.byteOffset, length), p); // (a Buffer's subarray is slow)
    else for (let i = 0; i < length; i++) out[p + i] = bytes[i];
    return this.handOver(p, length, ptrPtr, sizePtr);
  }
  /**
   * giveBytes for a pairs map of `count` all-ASCII pairs: the header (count, then the field lengths
   * lens[0, 2 × count)) and `data`, the data part (one byte per character), written straight into the
   * allocated guest memory. `lens` must not change while the guest's malloc runs (`data` cannot).
   */
  givePairsAscii(count: number, lens: Uint32Array, data: string, ptrPtr: number, sizePtr: number): number {
    const headLength = 4 + 8 * count;
    const length = headLength + data.length;
    const p = this.reserve(length, ptrPtr, sizePtr);
    if (p <= 0) return p < 0 ? 6 : 0;
    this.memory.writePairsHead(p, count, lens);
    this.memory.writeLatin1(p + headLength, data);
    return this.handOver(p, length, ptrPtr, sizePtr);
  }
  /** giveBytes for a string, as UTF-8, written straight into the allocated guest memory. */
  giveString(s: string, ptrPtr: number, sizePtr: number): number {
    const length = utf8Length(s);
    const p = this.reserve(length, ptrPtr, sizePtr);
    if (p <= 0) return p < 0 ? 6 : 0;
    writeUtf8(s, this.memory.bytes, p);
    return this.handOver(p, length, ptrPtr, sizePtr);
  }

  // ---- failure ----
  markFailed(fn: string, e: unknown): void {
    if (this.failed) return;
    this.failed = true;
    const err = e as Error;
    const kind = err instanceof WebAssembly.RuntimeError ? "RuntimeError" : err?.name === "RangeError" ? "RangeError" : err?.name ?? "Error";
    this.failure = `Function: ${fn} failed: Uncaught ${kind}: ${err?.message ?? String(e)}`;
    const frames = String(err?.stack ?? "").split("\n").filter((l) => l.includes("wasm://") || l.includes("wasm-function")).slice(0, 20);
    const trace = frames.length ? `\nProxy-Wasm plugin in-VM backtrace:\n${frames.map((f, i) => `  ${i}: ${f.trim().replace(/^at /, "")}`).join("\n")}` : "";
    this.logger.host("error", this.failure + trace, this.opts.label);
    for (const r of this.contexts.values()) if (r.kind === "root" && r.tickTimer) { clearTimeout(r.tickTimer); r.tickTimer = null; }
    for (const c of this.callouts.values()) c.cancel();
    this.callouts.clear();
    for (const l of this.onFail) l(this);
  }

  /** Stop timers and outstanding callouts (plugin removed or host closed). */
  shutdown(): void {
    for (const r of this.contexts.values()) if (r.kind === "root" && r.tickTimer) { clearTimeout(r.tickTimer); r.tickTimer = null; }
    for (const c of this.callouts.values()) c.cancel();
    this.callouts.clear();
  }

  /** Pages of linear memory (64 KiB each). */
  memoryPages(): number { return this.memory.size / 65536; }
}

/** Thrown by a host function to trap the calling module (restricted callback, proc_exit is NOT one). */
export function trap(message: string): never {
  throw new WebAssembly.RuntimeError(message);
}
