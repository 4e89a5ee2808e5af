// The host-call floor of filters/headers/bench: the same seven host calls the headers filter makes
// for bench/request.json (read the request headers; remove, set, set, append; one response set; one
// metric increment), with no filter logic. Its ratio to the baseline is what the headers filter would
// cost in this host if its own wasm work were free. Built by `wasmgate build --all` (npm test) into
// build/test/headers-floor.wasm; `npm run bench` then shows it under the headers filter.
import { Counter, FilterHeadersStatus, RootContext, StreamContext, registerRootContext, requestHeaders, responseHeaders } from "../../../assembly/sdk";
// The headers filter's exports: the core callback set without proxy_on_log.
export {
  proxy_abi_version_0_2_1, proxy_on_memory_allocate, proxy_on_context_create, proxy_on_vm_start,
  proxy_on_configure, proxy_on_done, proxy_on_delete, proxy_on_request_headers, proxy_on_response_headers,
} from "../../../assembly/sdk/exports/core";
let c: Counter | null = null;
class S extends StreamContext {
  onRequestHeaders(n: u32, eos: bool): FilterHeadersStatus {
    requestHeaders.list();
    requestHeaders.remove("x-internal-trace");
    requestHeaders.set("x-gateway", "wasmgate");
    requestHeaders.set("x-user", "alice");
    requestHeaders.add("via", "1.1 wasmgate");
    return FilterHeadersStatus.Continue;
  }
  onResponseHeaders(n: u32, eos: bool): FilterHeadersStatus {
    responseHeaders.set("x-frame-options", "DENY");
    return FilterHeadersStatus.Continue;
  }
  onDone(): void { const k = c; if (k !== null) k.increment(5); }
}
class R extends RootContext {
  onConfigure(b: ArrayBuffer): bool { if (c === null) c = new Counter("floor.ops"); return true; }
  createStreamContext(id: u32): StreamContext | null { return new S(id, this); }
}
registerRootContext((id: u32): RootContext => new R(id));
