// Logging through proxy_log. Envoy drops messages below its `wasm` logger level (default info), so
// check logEnabled(level) before building an expensive message. The level is read once per host
// callback (proxy_get_log_level, ABI 0.2.1) and cached until the next callback starts.
import { proxy_get_log_level, proxy_log } from "../abi/imports";
import { LogLevel, WasmResult } from "../abi/enums";
import { RET_AUX } from "./memory";
import { hostReady } from "./state";
import { utf8Bytes } from "./utf8";

let cachedLevel: i32 = -1;

/** Forgets the cached level; the dispatcher calls this at the start of every callback. */
export function resetLogLevelCache(): void {
  cachedLevel = -1;
}

/** The host's current log level (0 trace … 5 critical, 6 off). Trace if it cannot be read. */
export function getLogLevel(): LogLevel {
  if (cachedLevel < 0) {
    // During _initialize only proxy_log is allowed; assume everything is enabled.
    if (!hostReady) return LogLevel.Trace;
    store<u32>(RET_AUX, 0);
    cachedLevel = proxy_get_log_level(RET_AUX) == WasmResult.Ok ? <i32>load<u32>(RET_AUX) : 0;
  }
  return <LogLevel>cachedLevel;
}

/** Whether a message at `level` would be kept by the host. */
export function logEnabled(level: LogLevel): bool {
  return <i32>level >= <i32>getLogLevel();
}

/** Logs `message` at `level` if enabled. Returns the host status (Ok when skipped). */
export function log(level: LogLevel, message: string): WasmResult {
  if (!logEnabled(level)) return WasmResult.Ok;
  const buf = utf8Bytes(message);
  return <WasmResult>proxy_log(<u32>level, changetype<u32>(buf), <u32>buf.byteLength);
}

export function logTrace(message: string): void { log(LogLevel.Trace, message); }
export function logDebug(message: string): void { log(LogLevel.Debug, message); }
export function logInfo(message: string): void { log(LogLevel.Info, message); }
export function logWarn(message: string): void { log(LogLevel.Warn, message); }
export function logError(message: string): void { log(LogLevel.Error, message); }
export function logCritical(message: string): void { log(LogLevel.Critical, message); }
