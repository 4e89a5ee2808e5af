// The host-call floor of filters/headers/bench: the same seven host calls the headers filter makes
// for bench/request.json (read the request headers; remove, set, set, append; one response set; one
// metric increment), with no filter logic — tests/host/headers-floor.test.ts checks they are the
// filter's. Its ratio to the baseline is what the headers filter would cost in this host if its own
// wasm work were free. Built by `wasmgate build --all` (npm test) into build/test/headers-floor.wasm;
// `npm run bench` then shows it under the headers filter.
// Its configuration picks a part, to price the calls one kind at a time: "read" (the request headers
// only), "writes" (the four request writes), "response" (the response write), "metric"; none (or any
// other text): all of them. For example
//   node bin/wasmgate.mjs bench build/test/headers-floor.wasm --config read --request filters/headers/bench/request.json
import { Counter, FilterHeadersStatus, RootContext, StreamContext, decodeUtf8Buffer, registerRootContext, requestHeaders, responseHeaders } from "../../../assembly/sdk";
// The headers filter's exports: the core callback set without proxy_on_log.
export {
  proxy_abi_version_0_2_1, proxy_on_memory_allocate, proxy_on_context_create, proxy_on_vm_start,
  proxy_on_configure, proxy_on_done, proxy_on_delete, proxy_on_request_headers, proxy_on_response_headers,
} from "../../../assembly/sdk/exports/core";
const READ = 1, WRITES = 2, RESPONSE = 4, METRIC = 8;
let parts = READ | WRITES | RESPONSE | METRIC;
let c: Counter | null = null;
class S extends StreamContext {
  onRequestHeaders(n: u32, eos: bool): FilterHeadersStatus {
    if (parts & READ) requestHeaders.list();
    if (parts & WRITES) {
      requestHeaders.remove("x-internal-trace");
      requestHeaders.set("x-gateway", "wasmgate");
      requestHeaders.set("x-user", "alice");
      requestHeaders.add("via", "1.1 wasmgate");
    }
    return FilterHeadersStatus.Continue;
  }
  onResponseHeaders(n: u32, eos: bool): FilterHeadersStatus {
    if (parts & RESPONSE) responseHeaders.set("x-frame-options", "DENY");
    return FilterHeadersStatus.Continue;
  }
  onDone(): void { const k = c; if (k !== null && (parts & METRIC) != 0) k.increment(5); }
}
class R extends RootContext {
  onConfigure(b: ArrayBuffer): bool {
    const s = decodeUtf8Buffer(b);
    parts = s == "read" ? READ : s == "writes" ? WRITES : s == "response" ? RESPONSE : s == "metric" ? METRIC : READ | WRITES | RESPONSE | METRIC;
    if (c === null) c = new Counter("floor.ops");
    return true;
  }
  createStreamContext(id: u32): StreamContext | null { return new S(id, this); }
}
registerRootContext((id: u32): RootContext => new R(id));
