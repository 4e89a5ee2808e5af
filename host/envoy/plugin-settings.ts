// The Envoy-side settings of one Wasm filter: the fields of envoy.extensions.wasm.v3.PluginConfig that
// change behaviour (research/envoy-host-abi.md §8), plus the emulator's own knobs.
export type FailurePolicy = "FAIL_CLOSED" | "FAIL_OPEN" | "FAIL_RELOAD";

export interface PluginSettings {
  /** PluginConfig.name: log prefix and the plugin_name property. */
  name: string;
  /** PluginConfig.root_id: selects the root context inside the VM. */
  rootId: string;
  /** vm_config.vm_id: namespace of shared data and queues. */
  vmId: string;
  /** PluginConfig.configuration bytes (buffer 7 during on_configure). */
  configuration: Uint8Array;
  /** vm_config.configuration bytes (buffer 6, on_vm_start). */
  vmConfiguration: Uint8Array;
  /** vm_config.environment_variables (key_values plus copied host_env_keys). */
  environment: Record<string, string>;
  failurePolicy: FailurePolicy;
  /** Deprecated PluginConfig.fail_open: the in-flight stream continues after a trap. */
  failOpen: boolean;
  /** reload_config.backoff.base_interval for FAIL_RELOAD, in ms. */
  reloadBackoffMs: number;
  /** allow_on_headers_stop_iteration (Envoy ≥ 1.35). */
  allowOnHeadersStopIteration: boolean;
}

export function defaultPluginSettings(over: Partial<PluginSettings> = {}): PluginSettings {
  return {
    name: "", rootId: "", vmId: "", configuration: new Uint8Array(), vmConfiguration: new Uint8Array(),
    environment: {}, failurePolicy: "FAIL_CLOSED", failOpen: false, reloadBackoffMs: 1000,
    allowOnHeadersStopIteration: false, ...over,
  };
}

/** "1.32" → 1.32; the Envoy version whose behaviour the host imitates where it changed. */
export function parseEnvoyVersion(v: string | number | undefined): number {
  if (v === undefined) return DEFAULT_ENVOY_VERSION;
  const n = typeof v === "number" ? v : Number(/^1\.(\d+)/.exec(v) ? `1.${String(/^1\.(\d+)/.exec(v)![1]).padStart(2, "0")}` : NaN);
  if (!Number.isFinite(n) || n < 1.17) throw new Error(`unsupported Envoy version '${v}' (use 1.17 or later, e.g. 1.32, 1.34, 1.35)`);
  return n;
}
export const DEFAULT_ENVOY_VERSION = 1.36;
