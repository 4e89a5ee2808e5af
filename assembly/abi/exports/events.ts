// Root-context events: the tick timer, shared-queue notifications and foreign-function calls
// (abi/exports.ts explains the sets). setTickPeriod and registerSharedQueue refuse (Unimplemented,
// with a log line) when these are not exported, so importing this file marks them available.
import * as d from "../../sdk/dispatcher";
import { begin, endWork } from "../../sdk/gc";
import { Exported, markExported } from "../../sdk/exportSets";

markExported(Exported.Events);

export function proxy_on_tick(rootContextId: u32): void { begin(); d.onTick(rootContextId); endWork(); }
export function proxy_on_queue_ready(rootContextId: u32, queueToken: u32): void { begin(); d.onQueueReady(rootContextId, queueToken); endWork(); }
// No result: Envoy (cpp-host's WasmCallVoid<3>) refuses a module whose proxy_on_foreign_function returns one.
export function proxy_on_foreign_function(rootContextId: u32, functionId: u32, argumentsSize: u32): void { begin(); d.onForeignFunction(rootContextId, functionId, argumentsSize); endWork(); }
