// `wasmgate validate` (host/deploy/validate.ts) and the Envoy files we ship, checked here without
// Envoy: envoy/envoy.yaml and envoy/envoy-bad-config.yaml (the docker-compose suite's bootstraps),
// envoy/docker-compose.yml, and the Envoy snippet in filters/headers/README.md. Whether Envoy itself
// agrees is the docker-compose suite's job (tests/envoy).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { validateFile } from "../../host/deploy/validate.ts";
import { envoyApi } from "../../host/deploy/envoy-api.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MOUNT = "/etc/envoy/wasm"; // where envoy/docker-compose.yml mounts ../build
const opts = { map: [[MOUNT, "build"]] as [string, string][], cwd: ROOT };
const tmp = mkdtempSync(join(tmpdir(), "wasmgate-validate-"));

/** envoy/envoy.yaml with one textual change, as a file to validate. */
function variant(name: string, from: string, to: string): string {
  const text = readFileSync(`${ROOT}envoy/envoy.yaml`, "utf8");
  assert.ok(text.includes(from), `envoy.yaml contains ${from}`);
  const p = join(tmp, `${name}.yaml`);
  writeFileSync(p, text.replace(from, to));
  return p;
}

test("envoy/envoy.yaml is a valid bootstrap whose headers filter accepts its configuration", () => {
  const r = validateFile(`${ROOT}envoy/envoy.yaml`, opts);
  assert.deepEqual(r.errors, []);
  assert.ok(r.notes.some((n) => n.includes("wasmgate.headers") && n.includes("accepted its configuration")), r.notes.join("\n"));
});

test("envoy/envoy-bad-config.yaml passes the schema, and the module refuses it with the line the file names", () => {
  const file = `${ROOT}envoy/envoy-bad-config.yaml`;
  const promised = readFileSync(file, "utf8").match(/^#\s+(headers: config\.\S+: .*?)\s*\(one of …\)$/m);
  assert.ok(promised, "the file's comment names the expected log line");
  const r = validateFile(file, opts);
  assert.ok(r.notes.some((n) => n.includes("valid against Envoy's API schema")));
  assert.equal(r.errors.length, 1, r.errors.join("\n"));
  assert.match(r.errors[0], /rejected its configuration/);
  assert.ok(r.errors[0].includes(`\n  ${promised[1]}`), r.errors[0]);
});

test("validate reports what Envoy would reject: typos, bad enums and durations, unknown types, chain and route mistakes", () => {
  const cases: [string, string, string, RegExp][] = [
    ["field", "root_id: wasmgate_headers", "rootid: wasmgate_headers", /unknown field: "rootid"/],
    ["enum", "failure_policy: FAIL_CLOSED", "failure_policy: FAIL_CLOSE", /unknown enum value: "FAIL_CLOSE"/],
    ["duration", "connect_timeout: 2s", "connect_timeout: 2sec", /invalid duration/],
    ["type", "filters.http.router.v3.Router", "filters.http.routr.v3.Router", /no such type/],
    ["cluster", "route: { cluster: upstream }", "route: { cluster: upstreem }", /cluster 'upstreem' is not defined/],
    ["module", "filename: /etc/envoy/wasm/headers.wasm", "filename: /etc/envoy/wasm/header.wasm", /header\.wasm not found here/],
    ["config", `"op": "set", "header": "x-gateway"`, `"op": "set", "header": "x-gateway", "valu": 1`, /config\.request\[0\]\.ops\[1\]\.valu/],
  ];
  for (const [name, from, to, want] of cases) {
    const r = validateFile(variant(name, from, to), opts);
    assert.equal(r.ok, false, name);
    assert.match(r.errors.join("\n"), want, name);
  }
  // The router must come last.
  const text = readFileSync(`${ROOT}envoy/envoy.yaml`, "utf8");
  const doc = parse(text);
  const hcm = doc.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
  hcm.http_filters.reverse();
  const p = join(tmp, "order.json");
  writeFileSync(p, JSON.stringify(doc));
  assert.match(validateFile(p, opts).errors.join("\n"), /the router must be the last filter/);
});

test("validate --module checks a bare filter configuration", () => {
  const good = join(tmp, "good.json"), bad = join(tmp, "bad.json");
  writeFileSync(good, JSON.stringify({ request: [{ ops: [{ op: "set", header: "x-a", value: "1" }] }] }));
  writeFileSync(bad, JSON.stringify({ request: [{ ops: [{ op: "set", header: "x a", value: "1" }] }] }));
  assert.deepEqual(validateFile(good, { module: "build/headers.wasm", cwd: ROOT }).errors, []);
  assert.match(validateFile(bad, { module: "build/headers.wasm", cwd: ROOT }).errors.join("\n"), /headers: config\.request\[0\]\.ops\[0\]\.header: /);
});

test("the Envoy snippet in filters/headers/README.md is valid against Envoy's API schema", () => {
  const md = readFileSync(`${ROOT}filters/headers/README.md`, "utf8");
  const block = md.slice(md.indexOf("\n## Envoy\n")).match(/```yaml\n([\s\S]*?)```/);
  assert.ok(block, "a yaml block under ## Envoy");
  const doc = parse(block[1]);
  const api = envoyApi();
  for (const h of doc.http_filters) api.parse("envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter", h);
  // (that the filter accepts the snippet's configuration is headers-schema.test.ts's "README Envoy configuration")
});

test("the Istio WasmPlugin snippet in filters/headers/README.md uses WasmPlugin's API version and enum values", () => {
  const md = readFileSync(`${ROOT}filters/headers/README.md`, "utf8");
  const block = md.slice(md.indexOf("\n## Istio\n")).match(/```yaml\n([\s\S]*?)```/);
  assert.ok(block, "a yaml block under ## Istio");
  const doc = parse(block[1]);
  assert.equal(doc.apiVersion, "extensions.istio.io/v1alpha1"); // the only version WasmPlugin has (research/deploy.md §1.1)
  assert.equal(doc.kind, "WasmPlugin");
  assert.ok(["UNSPECIFIED_PHASE", "AUTHN", "AUTHZ", "STATS"].includes(doc.spec.phase), doc.spec.phase);
  assert.ok(["FAIL_CLOSE", "FAIL_OPEN", "FAIL_RELOAD"].includes(doc.spec.failStrategy), doc.spec.failStrategy);
  assert.match(doc.spec.url, /^oci:\/\//);
  // (that the filter accepts its pluginConfig is headers-schema.test.ts's "README Istio pluginConfig")
});

test("envoy/docker-compose.yml mounts the bootstraps and the build directory they refer to", () => {
  const doc = parse(readFileSync(`${ROOT}envoy/docker-compose.yml`, "utf8"));
  for (const [svc, file] of [["envoy", "envoy.yaml"], ["envoy-bad-config", "envoy-bad-config.yaml"]]) {
    const vols: string[] = doc.services[svc].volumes;
    assert.ok(vols.includes(`./${file}:/etc/envoy/envoy.yaml:ro`), `${svc} mounts ${file}`);
    assert.ok(vols.includes(`../build:${MOUNT}:ro`), `${svc} mounts ../build at ${MOUNT}`);
    assert.deepEqual(doc.services[svc].command.slice(0, 2), ["-c", "/etc/envoy/envoy.yaml"]);
  }
  const boot = parse(readFileSync(`${ROOT}envoy/envoy.yaml`, "utf8"));
  const upstream = boot.static_resources.clusters.find((c: { name: string }) => c.name === "upstream");
  const port = upstream.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value;
  assert.deepEqual(doc.services.upstream.command, ["/bin/go-httpbin", "-port", String(port)]);
});
