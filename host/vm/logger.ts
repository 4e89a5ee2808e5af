// Captured logs in Envoy's format. proxy_log lines go to Envoy's `wasm` logger as
// "wasm log<prefix>: <message>" where the prefix is " <plugin name> <root_id> <vm_id>" for stream
// contexts and " <root_id> <vm_id>" for root contexts (empty parts omitted). Host events (traps, load
// failures) are logged by Envoy itself, at error level, without that prefix.
import { LOG_LEVELS, type LogLevelName } from "../abi/enums.ts";

export interface LogRecord { level: LogLevelName; message: string; line: string; vm: string; source: "wasm" | "host" }

export class Logger {
  readonly records: LogRecord[] = [];
  /** Envoy's `wasm` logger level: messages below it are dropped (default info). */
  level: number;
  echo: ((r: LogRecord) => void) | null = null;
  constructor(level: LogLevelName = "info", private readonly max = 100_000) {
    this.level = LOG_LEVELS.indexOf(level);
  }
  wasm(levelNum: number, prefix: string, message: string, vm: string): void {
    if (levelNum < this.level) return;
    this.push({ level: LOG_LEVELS[levelNum], message, line: `wasm log${prefix}: ${message}`, vm, source: "wasm" });
  }
  host(level: LogLevelName, message: string, vm = ""): void {
    if (LOG_LEVELS.indexOf(level) < this.level && level !== "error" && level !== "critical") return;
    this.push({ level, message, line: message, vm, source: "host" });
  }
  private push(r: LogRecord): void {
    if (this.records.length >= this.max) this.records.shift();
    this.records.push(r);
    this.echo?.(r);
  }
  take(): LogRecord[] { return this.records.splice(0); }
}
