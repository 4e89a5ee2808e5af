// Process-wide state that Envoy shares across every worker VM (research/envoy-host-abi.md §3.9, §3.10, §6):
// shared data keyed by the vm_id string with one global CAS counter, shared queues keyed by (vm_id, name)
// with process-global tokens, and metrics aggregated by name. Per-VM things (ids, ticks, contexts) live
// in the VM.
export interface SharedEntry { value: Uint8Array; cas: number }
export interface QueueTarget { deliver(token: number): void }
interface Queue { token: number; vmId: string; name: string; items: Uint8Array[]; target: QueueTarget }
export type MetricKind = "counter" | "gauge" | "histogram";
export interface Metric { kind: MetricKind; value: bigint; samples: bigint[] }

export class ProcessState {
  private sharedData = new Map<string, Map<string, SharedEntry>>();
  private casCounter = 0;
  private queues = new Map<string, Queue>();
  private queuesByToken = new Map<number, Queue>();
  private nextQueueToken = 1;
  readonly metrics = new Map<string, Metric>();

  // ---- shared data ----
  getShared(vmId: string, key: string): SharedEntry | undefined {
    return this.sharedData.get(vmId)?.get(key);
  }
  /** Envoy's rule: CAS is checked only for an existing key and cas != 0. */
  setShared(vmId: string, key: string, value: Uint8Array, cas: number): boolean {
    let ns = this.sharedData.get(vmId);
    if (!ns) this.sharedData.set(vmId, (ns = new Map()));
    const cur = ns.get(key);
    if (cur && cas !== 0 && cas !== cur.cas) return false;
    this.casCounter = (this.casCounter + 1) >>> 0;
    if (this.casCounter === 0) this.casCounter = 1;
    ns.set(key, { value: value.slice(), cas: this.casCounter });
    return true;
  }
  sharedKeys(vmId: string): string[] { return [...(this.sharedData.get(vmId)?.keys() ?? [])]; }

  // ---- shared queues ----
  registerQueue(vmId: string, name: string, target: QueueTarget): number {
    const key = `${vmId}\0${name}`;
    let q = this.queues.get(key);
    if (!q) {
      q = { token: this.nextQueueToken++, vmId, name, items: [], target };
      this.queues.set(key, q);
      this.queuesByToken.set(q.token, q);
    }
    q.target = target; // the last registrant is notified
    return q.token;
  }
  resolveQueue(vmId: string, name: string): number | undefined { return this.queues.get(`${vmId}\0${name}`)?.token; }
  enqueue(token: number, item: Uint8Array): boolean {
    const q = this.queuesByToken.get(token);
    if (!q) return false;
    q.items.push(item.slice());
    const target = q.target;
    setImmediate(() => target.deliver(token)); // posted to the target's event loop, never synchronous
    return true;
  }
  dequeue(token: number): Uint8Array | null | undefined {
    const q = this.queuesByToken.get(token);
    if (!q) return undefined;
    return q.items.shift() ?? null;
  }
  queueSize(vmId: string, name: string): number { return this.queues.get(`${vmId}\0${name}`)?.items.length ?? 0; }

  // ---- metrics ----
  defineMetric(kind: MetricKind, name: string): Metric {
    let m = this.metrics.get(name);
    if (!m) this.metrics.set(name, (m = { kind, value: 0n, samples: [] }));
    return m;
  }
  metricValues(): Record<string, number | number[]> {
    const out: Record<string, number | number[]> = {};
    for (const [name, m] of this.metrics) out[name] = m.kind === "histogram" ? m.samples.map(Number) : Number(m.value);
    return out;
  }
}
