// `wasmgate validate`: check a configuration before it reaches Envoy (DESIGN.md §2).
//  - An Envoy bootstrap (YAML or JSON): Envoy's API schema, strictly (envoy-api.ts); then what the
//    schema cannot say — a router last in every HTTP filter chain, filter names unique in a chain,
//    routes naming clusters that exist — and then every HTTP Wasm filter's module, loaded in this host
//    and given its configuration, root_id, vm configuration and environment the way Envoy gives them: a
//    configuration the module refuses is an error, with the module's own log lines. Disabled filters
//    are configured too (Envoy creates their factories at start-up).
//  - An Istio WasmPlugin: the API server's checks (wasmplugin.ts), then its pluginConfig through the
//    module (--module, or a file:// url found locally).
//  - A bare filter configuration with --module: that module's on_configure, given the file's bytes.
// What is not checked is said in a warning (so "valid" is never read as more than it is).
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { parseAllDocuments } from "yaml";
import { createHost, type FilterOptions, type LogRecord } from "../index.ts";
import { envoyApi, protoNames } from "./envoy-api.ts";
import { wasmPluginProblems } from "./wasmplugin.ts";
import { moduleFromImage, parseRef, readLayout, type ImageSelector } from "./oci.ts";

const T = "type.googleapis.com/";
const HCM = `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`;
const WASM = `${T}envoy.extensions.filters.http.wasm.v3.Wasm`;
const ROUTER = `${T}envoy.extensions.filters.http.router.v3.Router`;
const TYPED_STRUCTS = [`${T}xds.type.v3.TypedStruct`, `${T}udpa.type.v1.TypedStruct`];
const OTHER_WASM = [`${T}envoy.extensions.filters.network.wasm.v3.Wasm`, `${T}envoy.extensions.access_loggers.wasm.v3.WasmAccessLog`];

export interface ValidateOptions {
  /** Path prefixes as Envoy sees them → local directories (e.g. "/etc/envoy/wasm" → "build"). */
  map?: [string, string][];
  /** For a bare filter configuration or a WasmPlugin: the module to configure. */
  module?: string;
  /** For a WasmPlugin with an oci:// url: the OCI image layout `wasmgate package` wrote (its module
   *  is configured, and spec.sha256 must be its digest). */
  image?: string;
  /** Relative paths (local filenames, --map targets) are taken from here. */
  cwd?: string;
}

/** errors: what makes the file invalid; warnings: what was not (or could not be) checked; notes: what passed. */
export interface Report { ok: boolean; errors: string[]; warnings: string[]; notes: string[] }

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Validate a file (see the top of this file). A YAML file may hold several documents (---). */
export function validateFile(file: string, opts: ValidateOptions = {}): Report {
  const r: Report = { ok: true, errors: [], warnings: [], notes: [] };
  const text = readFileSync(file);
  let docs: unknown[] | null = null;
  try {
    const all = parseAllDocuments(text.toString("utf8"));
    if (all.every((d) => d.errors.length === 0)) docs = all.map((d) => d.toJS());
  } catch { /* not YAML */ }
  const wasmPlugins = (docs ?? []).filter((d) => (d as Json | null)?.kind === "WasmPlugin");
  // With --module, a file that is not a WasmPlugin is the filter's own configuration: its bytes go to
  // the module as they are (the module says what is wrong with them, however malformed).
  if (opts.module !== undefined && wasmPlugins.length === 0) {
    return checkModule(r, file, { module: opts.module, config: text, name: "", rootId: "", vmId: "" }, opts);
  }
  if (docs === null) return fail(r, `${file}: not YAML/JSON`);
  docs.forEach((doc, i) => {
    const where = docs.length > 1 ? `${file} (document ${i + 1})` : file;
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) { fail(r, `${where}: expected an object at the top`); return; }
    const d = doc as Json;
    if (d.kind === "WasmPlugin") validateWasmPlugin(r, where, d, opts);
    else if (["static_resources", "staticResources", "dynamic_resources", "dynamicResources", "admin", "node"].some((k) => k in d)) validateBootstrap(r, where, d, opts);
    else if (typeof d.kind === "string") r.warnings.push(`${where}: a ${d.kind}: not checked`);
    else fail(r, `${where}: neither an Envoy bootstrap (no static_resources), an Istio WasmPlugin, nor a filter configuration given with --module`);
  });
  return r;
}

function fail(r: Report, msg: string): Report { r.ok = false; r.errors.push(msg); return r; }

/** A WasmPlugin: the API server's checks (wasmplugin.ts); then its pluginConfig through the module —
 *  the one given with --module, or a file:// url found locally (through --map). */
function validateWasmPlugin(r: Report, where: string, d: Json, opts: ValidateOptions): void {
  const problems = wasmPluginProblems(d);
  for (const p of problems) fail(r, `${where}: ${p}`);
  if (problems.length > 0) return;
  r.notes.push(`${where}: a valid WasmPlugin`);
  const spec = d.spec as Json;
  let module: string | Uint8Array | undefined = opts.module;
  if (opts.image !== undefined) {
    const m = imageModule(r, where, spec, opts);
    if (m === null) return;
    module = m;
  } else if (module === undefined && /^file:\/\//.test(spec.url)) {
    const path = spec.url.slice("file://".length);
    const local = localPath(path, opts);
    if (local === null) { fail(r, `${where}: spec.url: ${notFound(path, opts)}`); return; }
    module = local;
  }
  if (module === undefined) { r.warnings.push(`${where}: pluginConfig not checked: give the module with --module <file.wasm>`); return; }
  if (spec.type === "NETWORK") { r.warnings.push(`${where}: a NETWORK plugin: its module is not checked (the host runs HTTP filters)`); return; }
  // What istiod gives Envoy: pluginConfig as JSON (nothing when empty), pluginName as root_id.
  const config = spec.pluginConfig && Object.keys(spec.pluginConfig).length > 0 ? JSON.stringify(spec.pluginConfig) : "";
  const env: Record<string, string> = {};
  for (const e of spec.vmConfig?.env ?? []) if (e.valueFrom !== "HOST") env[e.name] = e.value ?? "";
  checkModule(r, where, { module, config, name: `${d.metadata?.namespace ?? "default"}.${d.metadata.name}`, rootId: spec.pluginName ?? "", vmId: "", environment: env, label: `plugin.wasm of ${opts.image}` }, opts);
}

/** The module in the image layout given with --image, checked against the WasmPlugin's url and
 *  sha256 the way Istio's agent checks what it pulled; null (and an error) when it does not fit. */
function imageModule(r: Report, where: string, spec: Json, opts: ValidateOptions): Uint8Array | null {
  // No scheme means oci:// to Istio (pilot/pkg/model/extensions.go) — but only once Go's url.Parse has
  // read it: a first segment with a ':' ("localhost:5000/…") parses as a scheme or fails to parse.
  if (!/^oci:\/\//.test(spec.url)) {
    if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(spec.url)) { fail(r, `${where}: --image: spec.url is not an oci:// image (${spec.url})`); return null; }
    if (spec.url.split("/")[0].includes(":")) { fail(r, `${where}: spec.url: Istio cannot read a registry with a port without a scheme: write oci://${spec.url}`); return null; }
  }
  const dir = isAbsolute(opts.image!) ? opts.image! : join(opts.cwd ?? process.cwd(), opts.image!);
  // What Istio pulls: the url's digest, else its tag, else "latest" (go-containerregistry's default).
  let want: ImageSelector;
  try {
    const ref = parseRef(spec.url);
    want = ref.digest !== undefined ? { digest: ref.digest } : { tag: ref.tag ?? "latest" };
  } catch (e) { fail(r, `${where}: spec.url: ${(e as Error).message}`); return null; }
  const named = "tag" in want ? ` tagged ${want.tag}` : ` with digest ${want.digest}`;
  try {
    const img = readLayout(dir, want);
    const module = moduleFromImage(img.manifest, img.blob);
    const hex = img.digest.slice("sha256:".length);
    if (spec.sha256 && spec.sha256 !== hex) {
      fail(r, `${where}: spec.sha256 is ${spec.sha256}, but the image in ${opts.image}${named} has digest ${hex}: Istio would refuse to load it`);
      return null;
    }
    if (!spec.sha256 && "tag" in want) r.warnings.push(`${where}: spec.sha256 is not set: the image is not pinned (its digest is ${hex})`);
    r.notes.push(`${where}: the image in ${opts.image}${named} holds plugin.wasm as Istio reads it${spec.sha256 ? ", and its digest is spec.sha256" : ""}`);
    return module;
  } catch (e) {
    fail(r, `${where}: --image: ${(e as Error).message}`);
    return null;
  }
}

function validateBootstrap(r: Report, file: string, raw: Json, opts: ValidateOptions): Report {
  let d: Json;
  try {
    envoyApi().parse("envoy.config.bootstrap.v3.Bootstrap", raw);
    d = protoNames("envoy.config.bootstrap.v3.Bootstrap", raw) as Json; // camelCase names → the proto's
  } catch (e) {
    return fail(r, `${file}: not a valid Envoy bootstrap: ${(e as Error).message}`);
  }
  r.notes.push(`${file}: valid against Envoy's API schema`);
  const sr: Json = d.static_resources ?? {};
  const clusters = new Set<string>((sr.clusters ?? []).map((c: Json) => c.name));
  const dynamicClusters = d.dynamic_resources?.cds_config !== undefined || d.dynamic_resources?.cds_resources_locator !== undefined;
  if (d.dynamic_resources?.lds_config !== undefined) r.warnings.push(`${file}: listeners from LDS are not checked`);
  for (const l of sr.listeners ?? []) {
    const where = `${file}: listener ${l.name ?? "(unnamed)"}`;
    const chains: Json[] = [...(l.filter_chains ?? []), ...(l.default_filter_chain ? [l.default_filter_chain] : [])];
    for (const chain of chains) {
      for (const f of chain.filters ?? []) {
        const type = f.typed_config?.["@type"];
        if (type === HCM) checkHcm(r, where, f.typed_config, clusters, dynamicClusters, opts);
        else if (OTHER_WASM.includes(type)) r.warnings.push(`${where}: ${f.name}: a network Wasm filter: its module is not checked`);
      }
    }
  }
  return r;
}

function checkHcm(r: Report, where: string, hcm: Json, clusters: Set<string>, dynamicClusters: boolean, opts: ValidateOptions): void {
  const filters: Json[] = hcm.http_filters ?? [];
  const names = new Set<string>();
  filters.forEach((h, i) => {
    if (names.has(h.name)) fail(r, `${where}: http_filters[${i}]: the name '${h.name}' is used twice in this chain`);
    names.add(h.name);
  });
  const last = filters.length - 1;
  const routerAt = filters.findIndex((h) => h.typed_config?.["@type"] === ROUTER);
  if (routerAt < 0 && filters.length > 0 && filters[last].config_discovery === undefined) {
    fail(r, `${where}: http_filters: the last filter must be the router (envoy.filters.http.router)`);
  } else if (routerAt >= 0 && routerAt !== last) {
    fail(r, `${where}: http_filters[${routerAt}]: the router must be the last filter`);
  } else if (routerAt === last && filters[last].disabled === true) {
    fail(r, `${where}: http_filters[${last}]: the last (terminal) filter cannot be disabled`);
  }
  if (hcm.rds !== undefined) r.warnings.push(`${where}: routes from RDS are not checked`);
  if (!dynamicClusters) {
    for (const vh of hcm.route_config?.virtual_hosts ?? []) {
      for (const [i, rt] of (vh.routes ?? []).entries()) {
        const p = `${where}: virtual host ${vh.name}: routes[${i}]`;
        const used: string[] = [];
        if (rt.route?.cluster !== undefined) used.push(rt.route.cluster);
        for (const w of rt.route?.weighted_clusters?.clusters ?? []) used.push(w.name);
        for (const m of rt.route?.request_mirror_policies ?? []) if (m.cluster) used.push(m.cluster);
        for (const c of used) if (!clusters.has(c)) fail(r, `${p}: cluster '${c}' is not defined`);
        if (rt.route?.cluster_header !== undefined) r.warnings.push(`${p}: cluster_header: the cluster is chosen per request (not checked)`);
      }
    }
  }
  for (const h of filters) {
    const type = h.typed_config?.["@type"];
    if (h.config_discovery !== undefined) r.warnings.push(`${where}: ${h.name}: configured by discovery (ECDS): not checked`);
    else if (TYPED_STRUCTS.includes(type)) r.warnings.push(`${where}: ${h.name}: a TypedStruct configuration: not checked`);
    else if (type === WASM) checkWasmFilter(r, `${where}: ${h.name}`, h.typed_config.config ?? {}, opts);
  }
}

/** The bytes Envoy hands the plugin for an Any: a StringValue's text and a BytesValue's bytes as they
 *  are, anything else (a Struct too) as its protobuf encoding — Envoy's anyToBytes for Wasm
 *  (source/extensions/common/wasm: StringValue, BytesValue, else any.value()). */
function anyBytes(a: Json | undefined): Buffer {
  if (a === undefined) return Buffer.alloc(0);
  const t = a["@type"];
  if (t === `${T}google.protobuf.StringValue`) return Buffer.from(a.value ?? "", "utf8");
  if (t === `${T}google.protobuf.BytesValue`) return Buffer.from(a.value ?? "", "base64");
  return Buffer.from(envoyApi().packAny(a));
}

/** What a Wasm filter's PluginConfig gives the plugin, as host filter options; or why it cannot be
 *  run here (`error`: the module is missing; `unchecked`: code from a remote source, an environment
 *  variable or nowhere). Shared by validate and serve. */
export type WasmFilterSpec =
  | { kind: "ok"; filter: FilterOptions & { module: string | Uint8Array }; struct: boolean; warnings: string[] }
  | { kind: "error"; message: string }
  | { kind: "unchecked"; message: string };

export function wasmFilterSpec(c: Json, opts: ValidateOptions): WasmFilterSpec {
  const vm: Json = c.vm_config ?? {};
  const warnings: string[] = [];
  if (vm.runtime !== "envoy.wasm.runtime.v8") warnings.push(`runtime ${vm.runtime ?? "(none)"}: Envoy's release images have only envoy.wasm.runtime.v8`);
  let module: string | Uint8Array;
  const local = vm.code?.local ?? {};
  if (local.filename !== undefined) {
    const path = localPath(local.filename, opts);
    if (path === null) return { kind: "error", message: `module ${notFound(local.filename, opts)}` };
    module = path;
  } else if (local.inline_bytes !== undefined) {
    module = Buffer.from(local.inline_bytes, "base64");
  } else if (local.inline_string !== undefined) {
    module = Buffer.from(local.inline_string, "utf8");
  } else {
    return { kind: "unchecked", message: `code from ${vm.code?.remote ? "a remote source" : local.environment_variable ? "an environment variable" : "nowhere"}: the module is not checked` };
  }
  const env: Record<string, string> = { ...(vm.environment_variables?.key_values ?? {}) };
  for (const k of vm.environment_variables?.host_env_keys ?? []) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  if (c.capability_restriction_config !== undefined) warnings.push("capability_restriction_config is not applied here");
  const policy = c.failure_policy;
  return {
    kind: "ok", warnings, struct: c.configuration?.["@type"] === `${T}google.protobuf.Struct`,
    filter: {
      module, config: anyBytes(c.configuration), vmConfig: anyBytes(vm.configuration), environment: env,
      name: c.name ?? "", rootId: c.root_id ?? "", vmId: vm.vm_id ?? "", failOpen: c.fail_open === true,
      ...(policy === "FAIL_CLOSED" || policy === "FAIL_OPEN" || policy === "FAIL_RELOAD" ? { failurePolicy: policy } : {}),
      allowOnHeadersStopIteration: c.allow_on_headers_stop_iteration === true,
    },
  };
}

function checkWasmFilter(r: Report, where: string, c: Json, opts: ValidateOptions): void {
  const spec = wasmFilterSpec(c, opts);
  if (spec.kind === "error") { fail(r, `${where}: ${spec.message}`); return; }
  if (spec.kind === "unchecked") { r.warnings.push(`${where}: ${spec.message}`); return; }
  const f = spec.filter;
  for (const w of spec.warnings.filter((x) => x.startsWith("runtime"))) r.warnings.push(`${where}: ${w}`);
  const before = r.errors.length;
  checkModule(r, where, { module: f.module, config: f.config as Buffer, vmConfig: f.vmConfig as Buffer, environment: f.environment, name: f.name ?? "", rootId: f.rootId ?? "", vmId: f.vmId ?? "" }, opts);
  if (r.errors.length > before && spec.struct) r.errors[r.errors.length - 1] += "\n  (Envoy hands a google.protobuf.Struct configuration to the plugin as protobuf bytes, not JSON: put the JSON in a google.protobuf.StringValue)";
  for (const w of spec.warnings.filter((x) => !x.startsWith("runtime"))) r.warnings.push(`${where}: ${w}`);
}

function dirOf(p: string): string { return p.includes("/") ? p.replace(/\/[^/]*$/, "") || "/" : "."; }

function notFound(p: string, opts: ValidateOptions): string {
  return (opts.map ?? []).length > 0 ? `${p} not found here (not under any --map)` : `${p} not found here (map the proxy's path to a local directory with --map ${dirOf(p)}=<dir>)`;
}

export function localPath(p: string, opts: ValidateOptions): string | null {
  const cwd = opts.cwd ?? process.cwd();
  const abs = (x: string) => (isAbsolute(x) ? x : join(cwd, x));
  for (const [from, to] of opts.map ?? []) {
    const prefix = from.endsWith("/") ? from : `${from}/`;
    if (p.startsWith(prefix) && existsSync(abs(join(to, p.slice(prefix.length))))) return abs(join(to, p.slice(prefix.length)));
  }
  return existsSync(abs(p)) ? abs(p) : null;
}

interface ModuleCheck {
  module: string | Uint8Array; config: Buffer | string; vmConfig?: Buffer | string; environment?: Record<string, string>;
  name: string; rootId: string; vmId: string;
  /** How the report names an in-memory module (default "inline module"). */
  label?: string;
}

function checkModule(r: Report, where: string, m: ModuleCheck, opts: ValidateOptions): Report {
  const module = typeof m.module === "string" ? localPath(m.module, opts) ?? m.module : m.module;
  const label = typeof m.module === "string" ? m.module : m.label ?? "inline module";
  try {
    const host = createHost({ module, config: m.config, vmConfig: m.vmConfig, environment: m.environment, name: m.name, rootId: m.rootId, vmId: m.vmId });
    host.close();
    r.notes.push(`${where}: ${label} accepted its configuration`);
  } catch (e) {
    const logs: LogRecord[] = (e as { logs?: LogRecord[] }).logs ?? [];
    const own = logs.filter((l) => l.source === "wasm" && (l.level === "error" || l.level === "critical" || l.level === "warning")).map((l) => l.message);
    fail(r, `${where}: ${label}: ${(e as Error).message}${own.length ? `\n  ${own.join("\n  ")}` : ""}`);
  }
  return r;
}
