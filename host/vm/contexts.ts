// Host-side records of in-VM contexts. Context ids are per VM: 0 is the VM context, roots and streams
// share one counter starting at 1 (research/envoy-host-abi.md §6).
import type { PluginSettings } from "../envoy/plugin-settings.ts";
import type { FilterStreamState } from "../envoy/filter-stream.ts";

export class RootContext {
  readonly kind = "root" as const;
  tickPeriodMs = 0;
  tickTimer: NodeJS.Timeout | null = null;
  /** proxy_get_status: set by a failed HTTP call (11, "reset") or a gRPC close. */
  status = { code: 0, message: "" };
  /** on_configure is running: the plugin configuration buffer (7) is readable. */
  configuring = false;
  /** on_done returned 0: the root stays until proxy_done. */
  pendingDone = false;
  deleted = false;
  constructor(readonly id: number, readonly plugin: PluginSettings) {}
}

export class StreamContext {
  readonly kind = "stream" as const;
  deleted = false;
  constructor(readonly id: number, readonly root: RootContext, readonly stream: FilterStreamState) {}
}

export type HostContext = RootContext | StreamContext;
