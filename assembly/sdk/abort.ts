// The abort handler every filter build uses (asconfig.base.json: use abort=assembly/sdk/abort/proxyAbort),
// so modules never import env.abort (Envoy does not provide it). It logs one line at critical, then
// traps: proc_exit would not stop execution in Envoy. A trap fails this worker's VM (see
// envoy-host-abi.md §7), so SDK code never aborts on a host status; this is for real bugs only.
import { proxy_log } from "../abi/imports";
import { decimal } from "../lib/decimal";
import { decodeUtf8, utf8Bytes } from "./utf8";

/** ASCII: "abort: " (0, 7 bytes), " at " (6, 4), "?" (10, 1), ":" (11, 1): less data than UTF-16 literals. */
const TEXT = memory.data<u8>([0x61, 0x62, 0x6f, 0x72, 0x74, 0x3a, 0x20, 0x61, 0x74, 0x20, 0x3f, 0x3a]);

export function proxyAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  const colon = decodeUtf8(TEXT + 11, 1);
  // (null tests by address: `!== null` on a string is a String.__eq call)
  const text = decodeUtf8(TEXT, 7) + (changetype<usize>(message) != 0 ? changetype<string>(message) : "") + decodeUtf8(TEXT + 6, 4) +
    (changetype<usize>(fileName) != 0 ? changetype<string>(fileName) : decodeUtf8(TEXT + 10, 1)) + colon + decimal(line) + colon + decimal(column);
  const buf = utf8Bytes(text);
  proxy_log(5, changetype<u32>(buf), <u32>buf.byteLength);
  unreachable();
}
