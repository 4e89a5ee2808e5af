// The Envoy files we ship (envoy/*.yaml, envoy/docker-compose.yml) agree with the built modules —
// checked here, without Envoy: every Wasm filter in a bootstrap names a module that `wasmgate build`
// produces, and that module, given the filter's own configuration and root_id in this host, accepts
// it (envoy/envoy.yaml) or refuses it with the log line the file promises (envoy/envoy-bad-config.yaml).
// Whether Envoy itself agrees is the docker-compose suite's job (tests/envoy).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { createHost, type LogRecord } from "../../host/index.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const WASM_TYPE = "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm";
const MOUNT = "/etc/envoy/wasm/"; // where envoy/docker-compose.yml mounts ../build

interface WasmFilter { name: string; rootId: string; file: string; config: string }

/** Every HTTP Wasm filter of a bootstrap, with what Envoy would hand the module. */
function wasmFilters(file: string): WasmFilter[] {
  const doc = parse(readFileSync(`${ROOT}envoy/${file}`, "utf8"));
  const out: WasmFilter[] = [];
  for (const l of doc.static_resources.listeners) {
    for (const chain of l.filter_chains) {
      for (const f of chain.filters) {
        for (const h of f.typed_config.http_filters ?? []) {
          if (h.typed_config["@type"] !== WASM_TYPE) continue;
          const c = h.typed_config.config;
          assert.equal(c.configuration["@type"], "type.googleapis.com/google.protobuf.StringValue", `${file}: ${h.name}: configuration type`);
          out.push({ name: h.name, rootId: c.root_id ?? "", file: c.vm_config.code.local.filename, config: c.configuration.value });
        }
      }
    }
  }
  return out;
}

function moduleOf(f: WasmFilter): string {
  assert.ok(f.file.startsWith(MOUNT), `${f.name}: ${f.file} is not under ${MOUNT}`);
  const path = `${ROOT}build/${f.file.slice(MOUNT.length)}`;
  assert.ok(existsSync(path), `${f.name}: ${path} is not built`);
  return path;
}

test("envoy/envoy.yaml: each Wasm filter's module is built and accepts the filter's configuration", async () => {
  const filters = wasmFilters("envoy.yaml");
  assert.deepEqual(filters.map((f) => f.name), ["wasmgate.headers"]);
  for (const f of filters) {
    const host = createHost({ module: moduleOf(f), config: f.config, rootId: f.rootId, name: f.name });
    try {
      // The filter is live: the suite's first expectation holds here too.
      const r = await host.request({ method: "GET", path: "/anything/x", authority: "localhost", headers: [["x-internal-trace", "1"]] });
      assert.ok(r.request, `forwarded (status ${r.response.status})`);
      const up = r.request.headers;
      assert.ok(up.some(([k, v]) => k === "x-gateway" && v === "wasmgate"), "x-gateway written");
      assert.ok(!up.some(([k]) => k === "x-internal-trace"), "x-internal-* removed");
    } finally { host.close(); }
  }
});

test("envoy/envoy-bad-config.yaml: the module refuses the configuration with the line the file names", () => {
  const [f] = wasmFilters("envoy-bad-config.yaml");
  const text = readFileSync(`${ROOT}envoy/envoy-bad-config.yaml`, "utf8");
  const promised = text.match(/^#\s+(headers: config\.\S+: .*?)\s*\(one of …\)$/m);
  assert.ok(promised, "the file's comment names the expected log line");
  let logs: LogRecord[] = [];
  assert.throws(() => createHost({ module: moduleOf(f), config: f.config, rootId: f.rootId, name: f.name }), (e: Error & { logs?: LogRecord[] }) => {
    logs = e.logs ?? [];
    return /rejected its configuration/.test(e.message);
  });
  const lines = logs.filter((l) => l.source === "wasm").map((l) => l.message);
  assert.equal(lines.length, 1, `one log line, got ${JSON.stringify(lines)}`);
  assert.ok(lines[0].startsWith(promised[1]), `${lines[0]} starts with ${promised[1]}`);
});

test("envoy/docker-compose.yml mounts the bootstraps and the build directory the configs refer to", () => {
  const doc = parse(readFileSync(`${ROOT}envoy/docker-compose.yml`, "utf8"));
  for (const [svc, file] of [["envoy", "envoy.yaml"], ["envoy-bad-config", "envoy-bad-config.yaml"]]) {
    const vols: string[] = doc.services[svc].volumes;
    assert.ok(vols.includes(`./${file}:/etc/envoy/envoy.yaml:ro`), `${svc} mounts ${file}`);
    assert.ok(vols.includes(`../build:${MOUNT.slice(0, -1)}:ro`), `${svc} mounts ../build at ${MOUNT}`);
    assert.deepEqual(doc.services[svc].command.slice(0, 2), ["-c", "/etc/envoy/envoy.yaml"]);
  }
  const upstream = wasmFilters("envoy.yaml").length > 0 && parse(readFileSync(`${ROOT}envoy/envoy.yaml`, "utf8"))
    .static_resources.clusters.find((c: { name: string }) => c.name === "upstream");
  const port = upstream.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value;
  assert.deepEqual(doc.services.upstream.command, ["/bin/go-httpbin", "-port", String(port)]);
});
