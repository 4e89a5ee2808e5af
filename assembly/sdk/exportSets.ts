// Which optional callback sets (abi/exports/*.ts) this module exports. Each set's file marks itself
// from top-level code; SDK calls that need a set check it with requireExported() and refuse, with one
// log line naming the file to export, instead of starting something whose result could never arrive.
import { LogLevel } from "../abi/enums";
import { log } from "./log";

export const enum Exported { Callouts = 1, Events = 2 }
let exportedSets: u32 = 0;

export function markExported(set: Exported): void {
  exportedSets |= <u32>set;
}

export function isExported(set: Exported): bool {
  return (exportedSets & <u32>set) != 0;
}

/** True if `set` is exported; otherwise logs at error what to export and returns false. */
export function requireExported(set: Exported): bool {
  if (isExported(set)) return true;
  log(LogLevel.Error, set == Exported.Callouts
    ? "sdk: callouts need the callout callbacks: export * from \".../assembly/sdk/exports/callouts\" in the filter's entry file"
    : "sdk: ticks and shared queues need the event callbacks: export * from \".../assembly/sdk/exports/events\" in the filter's entry file");
  return false;
}
