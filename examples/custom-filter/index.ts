// custom-filter: a small filter written on the wasmgate SDK, the way a user would.
// - Requests whose path equals or is under a denied prefix get a local 403 "forbidden\n".
// - Other requests get the configured request header.
// - Every response gets "x-custom-filter: 1".
// See README.md for the configuration.
import {
  Counter, FilterHeadersStatus, LogLevel, RootContext, StreamContext, log, registerRootContext,
  requestHeaders, responseHeaders, sendLocalText,
} from "../../assembly/sdk";
import { Problems } from "../../assembly/lib/configReader";
import { canonicalizePath } from "../../assembly/lib/path";
import { CustomConfig, parseConfig } from "./config";
export * from "../../assembly/sdk/exports";

class CustomRoot extends RootContext {
  config: CustomConfig = new CustomConfig();
  denied: Counter | null = null;

  onConfigure(configuration: ArrayBuffer): bool {
    const problems = new Problems();
    const cfg = parseConfig(configuration, problems);
    if (cfg === null) {
      log(LogLevel.Error, "custom-filter: " + problems.first);
      return false;
    }
    this.config = cfg;
    if (this.denied === null) this.denied = new Counter("custom_filter.denied");
    return true;
  }

  createStreamContext(id: u32): StreamContext | null {
    return new CustomStream(id, this);
  }
}

/** Segment-aware prefix match: "/admin" matches "/admin" and "/admin/x", not "/administrator". */
function underPrefix(path: string, prefix: string): bool {
  if (prefix == "/") return true;
  if (!path.startsWith(prefix)) return false;
  return path.length == prefix.length || path.charCodeAt(prefix.length) == 47 /* / */;
}

class CustomStream extends StreamContext {
  constructor(id: u32, readonly plugin: CustomRoot) { super(id, plugin); }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const cfg = this.plugin.config;
    const raw = requestHeaders.get(":path");
    if (raw !== null && cfg.deny.length > 0) {
      const c = canonicalizePath(raw);
      // A path that cannot be canonicalised cannot be proven safe: deny it (fail closed).
      let deny = !c.ok;
      for (let i = 0; !deny && i < cfg.deny.length; i++) deny = underPrefix(c.path, unchecked(cfg.deny[i]));
      if (deny) {
        const counter = this.plugin.denied;
        if (counter !== null) counter.increment(1);
        sendLocalText(403, "custom_filter_denied", "forbidden\n", null);
        return FilterHeadersStatus.StopIteration; // Envoy forces Stop after a local reply anyway
      }
    }
    if (cfg.headerName.length > 0) requestHeaders.set(cfg.headerName, cfg.headerValue);
    return FilterHeadersStatus.Continue;
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    responseHeaders.set("x-custom-filter", "1");
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((id: u32): RootContext => new CustomRoot(id));
