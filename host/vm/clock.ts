// Wall-clock nanoseconds since the epoch, as Envoy's dispatcher time source and WASI clock 0 give them
// (sub-millisecond part from the monotonic clock so consecutive reads differ).
export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
}
