// A module exporting only the core callback set (assembly/sdk/exports/core): what the SDK does when
// a filter uses a feature whose callbacks it left out. It logs "tag=value" lines at warn level for
// tests/host/export-sets.test.ts: the statuses of setTickPeriod and registerSharedQueue at configure,
// of httpCall at request headers, and "body=…" if a body callback ever ran (it must not).
import {
  FilterDataStatus, FilterHeadersStatus, HeaderPair, RootContext, StreamContext, httpCall, logWarn,
  registerRootContext, registerSharedQueue, setTickPeriod,
} from "../../../assembly/sdk";
import { decimal } from "../../../assembly/lib/decimal";
export * from "../../../assembly/sdk/exports/core";

class S extends StreamContext {
  onRequestHeaders(n: u32, eos: bool): FilterHeadersStatus {
    const hs: HeaderPair[] = [new HeaderPair(":method", "GET"), new HeaderPair(":path", "/"), new HeaderPair(":authority", "side")];
    const r = httpCall("side", hs, null, null, 1000, null);
    logWarn("http_call=" + decimal(<u32>r.status) + "," + decimal(r.token));
    return FilterHeadersStatus.Continue;
  }
  onRequestBody(size: u32, eos: bool): FilterDataStatus { logWarn("body=request"); return FilterDataStatus.Continue; }
  onResponseBody(size: u32, eos: bool): FilterDataStatus { logWarn("body=response"); return FilterDataStatus.Continue; }
}
class R extends RootContext {
  onConfigure(b: ArrayBuffer): bool {
    logWarn("tick=" + decimal(<u32>setTickPeriod(1000)));
    logWarn("queue=" + decimal(registerSharedQueue("q")));
    return true;
  }
  createStreamContext(id: u32): StreamContext | null { return new S(id, this); }
}
registerRootContext((id: u32): RootContext => new R(id));
