// Running envoy/docker-compose.yml from Node: shared by the Envoy suite (tests/envoy) and the Envoy
// benchmark (scripts/bench-envoy.mjs, run through tsx).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const COMPOSE_FILE = fileURLToPath(new URL("./docker-compose.yml", import.meta.url));

/** `docker compose` or the older `docker-compose`, as argv; a string says why neither can run. */
export function composeCli(): string[] | string {
  const ok = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: "ignore", timeout: 20_000 }).status === 0;
  const cli = ok("docker", ["compose", "version"]) ? ["docker", "compose"] : ok("docker-compose", ["version"]) ? ["docker-compose"] : null;
  if (cli === null) return "Docker with compose is not installed (neither `docker compose` nor `docker-compose` runs)";
  if (!ok("docker", ["info"])) return "no Docker engine answers (`docker info` failed)";
  return cli;
}

/** A runner of compose commands for one project of envoy/docker-compose.yml (`pre`: global options
 *  such as `--profile bench`), with output captured (up to 64 MiB). */
export function composeRunner(cli: string[], project: string, pre: string[] = []) {
  const [cmd, ...base] = cli;
  return (args: string[], timeoutMs = 600_000) =>
    spawnSync(cmd, [...base, "-p", project, "-f", COMPOSE_FILE, ...pre, ...args], { encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 << 20 });
}
