// The abort handler every filter build uses (asconfig.base.json: use abort=assembly/sdk/abort/proxyAbort),
// so modules never import env.abort (Envoy does not provide it). It logs one line at critical, then
// traps: proc_exit would not stop execution in Envoy. A trap fails this worker's VM (see
// envoy-host-abi.md §7), so SDK code never aborts on a host status; this is for real bugs only.
import { proxy_log } from "../abi/imports";
import { decimal } from "../lib/decimal";
import { utf8Bytes } from "./utf8";

export function proxyAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  const text = "abort: " + (message !== null ? message : "") + " at " +
    (fileName !== null ? fileName : "?") + ":" + decimal(line) + ":" + decimal(column);
  const buf = utf8Bytes(text);
  proxy_log(5, changetype<u32>(buf), <u32>buf.byteLength);
  unreachable();
}
