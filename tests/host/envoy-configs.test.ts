// `wasmgate validate` (host/deploy/validate.ts) and the Envoy and Istio files we ship, checked here
// without Envoy: envoy/envoy.yaml and envoy/envoy-bad-config.yaml (the docker-compose suite's
// bootstraps), envoy/envoy-bench.yaml, envoy/docker-compose.yml, the Envoy and Istio snippets in
// filters/headers/README.md, and examples/istio/*.yaml. Whether Envoy itself
// agrees is the docker-compose suite's job (tests/envoy).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
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
  // … and it is the configuration the shared scenarios expect (tests/scenarios/headers.json).
  const doc = parse(readFileSync(`${ROOT}envoy/envoy.yaml`, "utf8"));
  const value = doc.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.config.configuration.value;
  assert.deepEqual(JSON.parse(value), JSON.parse(readFileSync(`${ROOT}tests/scenarios/headers.json`, "utf8")).config);
});

test("envoy/envoy-bench.yaml (npm run bench:envoy) is valid, and both modules accept their configurations", () => {
  const r = validateFile(`${ROOT}envoy/envoy-bench.yaml`, opts);
  assert.deepEqual(r.errors, []);
  assert.equal(r.notes.filter((n) => n.includes("accepted its configuration")).length, 2, r.notes.join("\n"));
  // The headers listener runs the benchmark configuration of `npm run bench`.
  const doc = parse(readFileSync(`${ROOT}envoy/envoy-bench.yaml`, "utf8"));
  const headers = doc.static_resources.listeners.find((l: { name: string }) => l.name === "headers");
  const cfg = headers.filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.config.configuration.value;
  assert.deepEqual(JSON.parse(cfg), JSON.parse(readFileSync(`${ROOT}filters/headers/bench/config.json`, "utf8")));
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
  // A Struct configuration: Envoy hands the plugin its protobuf bytes, so the JSON filter refuses it.
  const structDoc = parse(readFileSync(`${ROOT}envoy/envoy.yaml`, "utf8"));
  const wasmCfg = structDoc.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.config;
  wasmCfg.configuration = { "@type": "type.googleapis.com/google.protobuf.Struct", value: JSON.parse(wasmCfg.configuration.value) };
  const ps = join(tmp, "struct.json");
  writeFileSync(ps, JSON.stringify(structDoc));
  const rs = validateFile(ps, opts);
  assert.match(rs.errors.join("\n"), /headers: config: invalid JSON[\s\S]*as protobuf bytes, not JSON: put the JSON in a google\.protobuf\.StringValue/);
  // A disabled filter is still configured by Envoy at start-up.
  const pd = variant("disabled", "- name: wasmgate.headers\n", "- name: wasmgate.headers\n            disabled: true\n");
  assert.equal(validateFile(pd, opts).ok, true);
  writeFileSync(pd, readFileSync(pd, "utf8").replace(`"op": "set", "header": "x-gateway"`, `"op": "sett", "header": "x-gateway"`));
  assert.match(validateFile(pd, opts).errors.join("\n"), /unknown operation 'sett'/);
  // lowerCamelCase names (which Envoy accepts) are checked like the proto names.
  const camel = JSON.stringify(parse(readFileSync(variant("camel-src", "route: { cluster: upstream }", "route: { cluster: upstreem }"), "utf8")))
    .replace(/"static_resources"/g, '"staticResources"').replace(/"http_filters"/g, '"httpFilters"').replace(/"typed_config"/g, '"typedConfig"')
    .replace(/"route_config"/g, '"routeConfig"').replace(/"virtual_hosts"/g, '"virtualHosts"');
  const pc = join(tmp, "camel.json");
  writeFileSync(pc, camel);
  assert.match(validateFile(pc, opts).errors.join("\n"), /cluster 'upstreem' is not defined/);
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

test("the Istio WasmPlugin snippet in filters/headers/README.md is a valid WasmPlugin whose pluginConfig the module accepts", () => {
  const md = readFileSync(`${ROOT}filters/headers/README.md`, "utf8");
  const block = md.slice(md.indexOf("\n## Istio\n")).match(/```yaml\n([\s\S]*?)```/);
  assert.ok(block, "a yaml block under ## Istio");
  const p = join(tmp, "istio.yaml");
  writeFileSync(p, block[1]);
  const r = validateFile(p, { module: "build/headers.wasm", cwd: ROOT });
  assert.deepEqual(r.errors, []);
  assert.ok(r.notes.some((n) => n.includes("a valid WasmPlugin")) && r.notes.some((n) => n.includes("accepted its configuration")), r.notes.join("\n"));
});

test("examples/istio/*.yaml are valid WasmPlugins whose pluginConfig the filter accepts", () => {
  const dir = `${ROOT}examples/istio`;
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));
  assert.ok(files.length > 0);
  for (const f of files) {
    const module = `build/${f.replace(/-wasmplugin\.yaml$/, "")}.wasm`; // <filter>-wasmplugin.yaml
    const r = validateFile(join(dir, f), { module, cwd: ROOT });
    assert.deepEqual(r.errors, [], f);
    assert.ok(r.notes.some((n) => n.includes("accepted its configuration")), `${f}: ${r.notes.join("; ")}`);
  }
});

test("validate: a WasmPlugin is checked as the API server and the module would", () => {
  const base = {
    apiVersion: "extensions.istio.io/v1alpha1", kind: "WasmPlugin", metadata: { name: "h", namespace: "istio-ingress" },
    spec: { selector: { matchLabels: { istio: "ingressgateway" } }, url: "oci://r.example/h:1", pluginName: "h", phase: "STATS", pluginConfig: { request: [{ ops: [{ op: "set", header: "x-a", value: "1" }] }] } },
  };
  const check = (name: string, change: (d: any) => void, withModule = true) => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const d = structuredClone(base);
    change(d);
    const p = join(tmp, `wp-${name}.json`);
    writeFileSync(p, JSON.stringify(d));
    return validateFile(p, withModule ? { module: "build/headers.wasm", cwd: ROOT } : { cwd: ROOT });
  };
  assert.deepEqual(check("good", () => {}).errors, []);
  assert.match(check("nomodule", () => {}, false).warnings.join("\n"), /pluginConfig not checked/);
  const bad: [string, (d: any) => void, RegExp][] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
    ["version", (d) => { d.apiVersion = "extensions.istio.io/v1"; }, /apiVersion: must be extensions\.istio\.io\/v1alpha1/],
    ["phase", (d) => { d.spec.phase = "AUTHENTICATION"; }, /spec\.phase: must be one of UNSPECIFIED_PHASE, AUTHN, AUTHZ, STATS/],
    ["fail", (d) => { d.spec.failStrategy = "FAIL_CLOSED"; }, /spec\.failStrategy: must be one of FAIL_CLOSE, FAIL_OPEN, FAIL_RELOAD/],
    ["unknown", (d) => { d.spec.pluginconfig = {}; }, /spec\.pluginconfig: unknown field/],
    ["both", (d) => { d.spec.targetRefs = [{ kind: "Gateway", group: "gateway.networking.k8s.io", name: "gw" }]; }, /only one of targetRefs, targetRef or selector/],
    ["wildcard", (d) => { d.spec.selector.matchLabels.app = "web-*"; }, /wildcard not allowed in label value match/],
    ["sha", (d) => { d.spec.sha256 = "ABC"; }, /spec\.sha256: must be empty or 64 lower-case hex digits/],
    ["scheme", (d) => { d.spec.url = "ftp://x/h.wasm"; }, /scheme must be oci, file, http or https/],
    ["env", (d) => { d.spec.vmConfig = { env: [{ name: "A", valueFrom: "HOST", value: "1" }] }; }, /value may only be set when valueFrom is INLINE/],
    ["port", (d) => { d.spec.match = [{ mode: "SERVER", ports: [{ number: 70000 }] }]; }, /spec\.match\[0\]\.ports\[0\]\.number: required: 1–65535/],
    ["config", (d) => { d.spec.pluginConfig.request[0].ops[0].op = "sett"; }, /headers: config\.request\[0\]\.ops\[0\]\.op: unknown operation 'sett'/],
  ];
  for (const [name, change, want] of bad) assert.match(check(name, change).errors.join("\n"), want, name);
});

test("envoy/docker-compose.yml mounts the bootstraps and the build directory they refer to", () => {
  const doc = parse(readFileSync(`${ROOT}envoy/docker-compose.yml`, "utf8"));
  for (const [svc, file] of [["envoy", "envoy.yaml"], ["envoy-bad-config", "envoy-bad-config.yaml"], ["envoy-bench", "envoy-bench.yaml"]]) {
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
