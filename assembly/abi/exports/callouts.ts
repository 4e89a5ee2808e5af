// Callout callbacks: HTTP call responses and gRPC events (abi/exports.ts explains the sets). The SDK's
// httpCall/grpcCall/grpcStream refuse to start a callout when these are not exported (the response
// would have nowhere to go), so importing this file is what marks them available.
import * as d from "../../sdk/dispatcher";
import { begin, endWork } from "../../sdk/gc";
import { Exported, markExported } from "../../sdk/exportSets";

markExported(Exported.Callouts);

export function proxy_on_http_call_response(rootContextId: u32, token: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void { begin();
  d.onHttpCallResponse(rootContextId, token, numHeaders, bodySize, numTrailers); endWork();
}
export function proxy_on_grpc_receive_initial_metadata(rootContextId: u32, token: u32, numHeaders: u32): void { begin(); d.onGrpcReceiveInitialMetadata(rootContextId, token, numHeaders); endWork(); }
export function proxy_on_grpc_receive(rootContextId: u32, token: u32, messageSize: u32): void { begin(); d.onGrpcReceive(rootContextId, token, messageSize); endWork(); }
export function proxy_on_grpc_receive_trailing_metadata(rootContextId: u32, token: u32, numTrailers: u32): void { begin(); d.onGrpcReceiveTrailingMetadata(rootContextId, token, numTrailers); endWork(); }
export function proxy_on_grpc_close(rootContextId: u32, token: u32, statusCode: u32): void { begin(); d.onGrpcClose(rootContextId, token, statusCode); endWork(); }
