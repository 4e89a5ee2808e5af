// sdk-probe helpers for the property and shared-data actions (see the table in index.ts).
import {
  WasmResult, getPropertyBool, getPropertyInt64, getPropertyList, getPropertyMap, getPropertyString,
  getSharedData, requestHeaders, setSharedData,
} from "../../../assembly/sdk";

function pathOf(header: string): string[] | null {
  const v = requestHeaders.get(header);
  return v !== null && v.length > 0 ? v.split(".") : null;
}

/** props: typed property reads named by request headers, echoed as x-probe-prop-*. */
export function readProperties(): void {
  const p = getPropertyString(["request", "path"]);
  requestHeaders.add("x-probe-path", p !== null ? p : "<missing>");
  let path = pathOf("x-prop-string");
  if (path !== null) {
    const v = getPropertyString(path);
    requestHeaders.add("x-probe-prop-string", v !== null ? v : "<missing>");
  }
  path = pathOf("x-prop-int");
  if (path !== null) {
    const v = getPropertyInt64(path);
    requestHeaders.add("x-probe-prop-int", v !== null ? v.value.toString() : "<missing>");
  }
  path = pathOf("x-prop-bool");
  if (path !== null) {
    const v = getPropertyBool(path);
    requestHeaders.add("x-probe-prop-bool", v !== null ? (v.value ? "true" : "false") : "<missing>");
  }
  path = pathOf("x-prop-map");
  if (path !== null) {
    const v = getPropertyMap(path);
    requestHeaders.add("x-probe-prop-map", v !== null ? v.length.toString() : "<missing>");
  }
  path = pathOf("x-prop-list");
  if (path !== null) {
    const v = getPropertyList(path);
    requestHeaders.add("x-probe-prop-list", v !== null ? v.join(",") : "<missing>");
  }
}

function decimal(buf: ArrayBuffer): u64 {
  let n: u64 = 0;
  const p = changetype<usize>(buf);
  for (let i = 0; i < buf.byteLength; i++) {
    const c = <u32>load<u8>(p + i);
    if (c < 48 || c > 57) return 0;
    n = n * 10 + <u64>(c - 48);
  }
  return n;
}

/** shared-inc: get → +1 → set(cas), retrying on CasMismatch. */
export function sharedIncrement(key: string): void {
  let tries = 0;
  let value: u64 = 0;
  let st = WasmResult.InternalFailure;
  while (tries < 16) {
    tries++;
    const cur = getSharedData(key);
    value = (cur !== null ? decimal(cur.value) : 0) + 1;
    st = setSharedData(key, String.UTF8.encode(value.toString()), cur !== null ? cur.cas : 0);
    if (st != WasmResult.CasMismatch) break;
  }
  requestHeaders.add("x-probe-shared", st == WasmResult.Ok ? value.toString() : "error " + (<i32>st).toString());
  requestHeaders.add("x-probe-shared-tries", tries.toString());
}

/** shared-get: value and cas. */
export function sharedGet(key: string): void {
  const cur = getSharedData(key);
  if (cur === null) { requestHeaders.add("x-probe-shared-value", "<missing>"); return; }
  requestHeaders.add("x-probe-shared-value", String.UTF8.decode(cur.value));
  requestHeaders.add("x-probe-shared-cas", cur.cas.toString());
}
