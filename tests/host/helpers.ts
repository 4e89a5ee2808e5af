// Shared setup for the host tests: module paths, a host that is always closed, and parsing of the
// "tag=value" lines the WAT test modules (tests/modules/*.wat) log at warn level.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createHost, type Host, type HostOptions, type LogRecord } from "../../host/index.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** build/test/<name>.wasm, compiled from tests/modules/<name>.wat by `wasmgate build --all`. */
export function mod(name: string): string {
  const p = `${ROOT}build/test/${name}.wasm`;
  if (!existsSync(p)) throw new Error(`${p} is missing: run \`node bin/wasmgate.mjs build --all\` first`);
  return p;
}

/**
 * The SDK probe module the sdk-probe suites run: tests/modules/sdk-probe, or, when npm test runs
 * them a second time with WASMGATE_PROBE=sdk-probe-gcstress, the same module built to collect
 * garbage after every callback (assembly/sdk/gc.ts), which must pass the same tests.
 */
export const PROBE = process.env.WASMGATE_PROBE ?? "sdk-probe";

/** Create a host for one test and close it when the test ends. */
export function host(t: { after(fn: () => void): void }, options: HostOptions): Host {
  const h = createHost(options);
  t.after(() => h.close());
  return h;
}

type Logs = ReadonlyArray<{ message: string } | LogRecord>;

/** The plugin's own messages (the part after "wasm log<prefix>: "), in order. */
export function messages(logs: Logs): string[] {
  return logs.map((l) => ("line" in l ? l.line : l.message)).flatMap((m) => {
    const x = /^wasm log[^:]*: ([\s\S]*)$/.exec(m);
    return x ? [x[1]] : [];
  });
}

/** Every value logged as "<tag>=<value>", in order. */
export function values(logs: Logs, tag: string): string[] {
  return messages(logs).flatMap((m) => (m.startsWith(tag + "=") ? [m.slice(tag.length + 1)] : []));
}

/** The single value logged for `tag` (undefined if none; throws if logged more than once). */
export function value(logs: Logs, tag: string): string | undefined {
  const v = values(logs, tag);
  if (v.length > 1) throw new Error(`${tag} logged ${v.length} times: ${v.join(", ")}`);
  return v[0];
}

/** The "tag=value" lines, keeping only the given tags (for order assertions). */
export function trace(logs: Logs, tags: string[]): string[] {
  return messages(logs).filter((m) => tags.includes(m.split("=")[0]));
}

/** Resolve when `cond()` holds, polling every few ms; reject after `ms`. */
export async function until(cond: () => boolean, ms = 2000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Header value (first) from a list of pairs. */
export function header(pairs: ReadonlyArray<readonly [string, string]> | undefined, key: string): string | undefined {
  return pairs?.find(([k]) => k === key)?.[1];
}
