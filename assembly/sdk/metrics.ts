// Metrics: counters, gauges and histograms, process-wide aggregates across worker VMs.
// Define them once per VM in RootContext.onConfigure (NOT in top-level code: host calls are not
// allowed during _initialize). Envoy stores them as "wasmcustom.<name>" (Context::defineMetric): so they
// appear in /stats text and stats sinks; only /stats/prometheus drops the namespace (and the "envoy_"
// prefix): wasmcustom.a.b → a_b. Every operation
// returns a status and never traps; a metric whose definition failed answers BadArgument/NotFound.
import { proxy_define_metric, proxy_get_metric, proxy_increment_metric, proxy_record_metric } from "../abi/imports";
import { MetricType, WasmResult } from "../abi/enums";
import { RET_AUX } from "./memory";
import { utf8Bytes } from "./utf8";

/** Shared part of the three metric kinds. */
export class Metric {
  /** Host id (type in the low 2 bits), 0 if the definition failed. */
  readonly id: u32;
  /** Status of proxy_define_metric. */
  readonly defineStatus: WasmResult;

  constructor(readonly name: string, readonly type: MetricType) {
    const n = utf8Bytes(name);
    store<u32>(RET_AUX, 0);
    const st = <WasmResult>proxy_define_metric(<u32>type, changetype<u32>(n), <u32>n.byteLength, RET_AUX);
    this.defineStatus = st;
    this.id = st == WasmResult.Ok ? load<u32>(RET_AUX) : 0;
  }

  /** Whether the host accepted the definition. */
  get defined(): bool { return this.defineStatus == WasmResult.Ok; }
}

/** A monotonically increasing count. */
export class Counter extends Metric {
  constructor(name: string) { super(name, MetricType.Counter); }

  /** Adds `delta` (> 0; Envoy answers BadArgument for ≤ 0). */
  increment(delta: i64 = 1): WasmResult {
    return <WasmResult>proxy_increment_metric(this.id, delta);
  }

  /** The process-wide value, or 0 if it cannot be read. */
  get(): u64 { return readMetric(this.id); }
}

/** A value that goes up and down. */
export class Gauge extends Metric {
  constructor(name: string) { super(name, MetricType.Gauge); }

  /** Adds `delta` (negative subtracts). */
  add(delta: i64): WasmResult {
    return <WasmResult>proxy_increment_metric(this.id, delta);
  }

  /** Sets the value. */
  set(value: u64): WasmResult {
    return <WasmResult>proxy_record_metric(this.id, value);
  }

  /** The process-wide value, or 0 if it cannot be read. */
  get(): u64 { return readMetric(this.id); }
}

/** A distribution of recorded values (not readable back: Envoy answers BadArgument). */
export class Histogram extends Metric {
  constructor(name: string) { super(name, MetricType.Histogram); }

  /** Records one sample. */
  record(value: u64): WasmResult {
    return <WasmResult>proxy_record_metric(this.id, value);
  }
}

/** proxy_get_metric, 0 on failure. Use getMetricValue for the status. */
function readMetric(id: u32): u64 {
  store<u64>(RET_AUX, 0);
  if (proxy_get_metric(id, RET_AUX) != WasmResult.Ok) return 0;
  return load<u64>(RET_AUX);
}

/** A metric value with its read status. */
export class MetricValue {
  constructor(public status: WasmResult, public value: u64) {}
}

/** proxy_get_metric with the status (NotFound for unknown ids, BadArgument for histograms). */
export function getMetricValue(id: u32): MetricValue {
  store<u64>(RET_AUX, 0);
  const st = <WasmResult>proxy_get_metric(id, RET_AUX);
  return new MetricValue(st, st == WasmResult.Ok ? load<u64>(RET_AUX) : 0);
}
