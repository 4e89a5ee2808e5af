// `wasmgate validate`: check a configuration before it reaches Envoy (DESIGN.md §2).
//  - An Envoy bootstrap (YAML or JSON): Envoy's API schema, strictly (envoy-api.ts); then what the
//    schema cannot say — a router last in every HTTP filter chain, filter names unique in a chain,
//    routes naming clusters that exist — and then every HTTP Wasm filter's module, loaded in this host
//    and given its configuration, root_id and vm configuration the way Envoy gives them: a
//    configuration the module refuses is an error, with the module's own log lines.
//  - A bare filter configuration (JSON) with --module: that module's on_configure.
// Istio WasmPlugin files are refused for now: their checks come with the deployment work.
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { parse } from "yaml";
import { createHost, type LogRecord } from "../index.ts";
import { envoyApi } from "./envoy-api.ts";

const T = "type.googleapis.com/";
const HCM = `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`;
const WASM = `${T}envoy.extensions.filters.http.wasm.v3.Wasm`;
const ROUTER = `${T}envoy.extensions.filters.http.router.v3.Router`;

export interface ValidateOptions {
  /** Path prefixes as Envoy sees them → local directories (e.g. "/etc/envoy/wasm" → "build"). */
  map?: [string, string][];
  /** For a bare filter configuration: the module to configure. */
  module?: string;
  /** Relative paths (local filenames, --map targets) are taken from here. */
  cwd?: string;
}

export interface Report { ok: boolean; errors: string[]; notes: string[] }

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Validate a file (see the top of this file). */
export function validateFile(file: string, opts: ValidateOptions = {}): Report {
  const r: Report = { ok: true, errors: [], notes: [] };
  let doc: unknown;
  try { doc = parse(readFileSync(file, "utf8")); } catch (e) { return fail(r, `${file}: not YAML/JSON: ${(e as Error).message}`); }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return fail(r, `${file}: expected an object at the top`);
  const d = doc as Json;
  if (d.kind === "WasmPlugin") return fail(r, `${file}: Istio WasmPlugin checks are not implemented yet (they come with the deployment work)`);
  if (opts.module !== undefined) return checkModule(r, file, { module: opts.module, config: readFileSync(file), name: "", rootId: "", vmId: "" }, opts);
  if (!("static_resources" in d || "dynamic_resources" in d || "admin" in d || "node" in d)) {
    return fail(r, `${file}: neither an Envoy bootstrap (no static_resources) nor a filter configuration given with --module`);
  }
  return validateBootstrap(r, file, d, opts);
}

function fail(r: Report, msg: string): Report { r.ok = false; r.errors.push(msg); return r; }

function validateBootstrap(r: Report, file: string, d: Json, opts: ValidateOptions): Report {
  try { envoyApi().parse("envoy.config.bootstrap.v3.Bootstrap", d); } catch (e) {
    return fail(r, `${file}: not a valid Envoy bootstrap: ${(e as Error).message}`);
  }
  r.notes.push(`${file}: valid against Envoy's API schema`);
  const sr: Json = d.static_resources ?? {};
  const clusters = new Set<string>((sr.clusters ?? []).map((c: Json) => c.name));
  const dynamicClusters = d.dynamic_resources?.cds_config !== undefined || d.dynamic_resources?.cds_resources_locator !== undefined;
  for (const l of sr.listeners ?? []) {
    const chains: Json[] = [...(l.filter_chains ?? []), ...(l.default_filter_chain ? [l.default_filter_chain] : [])];
    for (const chain of chains) {
      for (const f of chain.filters ?? []) {
        if (f.typed_config?.["@type"] !== HCM) continue;
        const where = `${file}: listener ${l.name ?? "(unnamed)"}`;
        checkHcm(r, where, f.typed_config, clusters, dynamicClusters, opts);
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
    const isRouter = h.typed_config?.["@type"] === ROUTER;
    if (isRouter && i !== filters.length - 1) fail(r, `${where}: http_filters[${i}]: the router must be the last filter`);
  });
  if (filters.length === 0 || filters[filters.length - 1].typed_config?.["@type"] !== ROUTER) {
    fail(r, `${where}: http_filters: the last filter must be the router (envoy.filters.http.router)`);
  }
  if (!dynamicClusters) {
    for (const vh of hcm.route_config?.virtual_hosts ?? []) {
      for (const [i, rt] of (vh.routes ?? []).entries()) {
        const c = rt.route?.cluster;
        if (c !== undefined && !clusters.has(c)) fail(r, `${where}: virtual host ${vh.name}: routes[${i}]: cluster '${c}' is not defined`);
      }
    }
  }
  for (const h of filters) {
    if (h.typed_config?.["@type"] !== WASM || h.disabled === true) continue;
    checkWasmFilter(r, `${where}: ${h.name}`, h.typed_config.config ?? {}, opts);
  }
}

/** The bytes Envoy hands the plugin for an Any (StringValue/BytesValue raw, Struct as JSON). */
function anyBytes(a: Json | undefined): Buffer | string {
  if (a === undefined) return Buffer.alloc(0);
  const t = a["@type"];
  if (t === `${T}google.protobuf.StringValue`) return Buffer.from(a.value ?? "", "utf8");
  if (t === `${T}google.protobuf.BytesValue`) return Buffer.from(a.value ?? "", "base64");
  if (t === `${T}google.protobuf.Struct`) return Buffer.from(JSON.stringify(a.value ?? {}), "utf8");
  throw new Error(`configuration of type ${t}: Envoy hands only StringValue, BytesValue and Struct to a plugin`);
}

function checkWasmFilter(r: Report, where: string, c: Json, opts: ValidateOptions): void {
  const vm: Json = c.vm_config ?? {};
  if (vm.runtime !== "envoy.wasm.runtime.v8") r.notes.push(`${where}: runtime ${vm.runtime ?? "(none)"}: Envoy's release images have only envoy.wasm.runtime.v8`);
  let module: string | Uint8Array;
  if (vm.code?.local?.filename !== undefined) {
    const local = localPath(vm.code.local.filename, opts);
    if (local === null) { fail(r, `${where}: module ${vm.code.local.filename} not found here (map Envoy's path to a directory with --map ${dirOf(vm.code.local.filename)}=<dir>)`); return; }
    module = local;
  } else if (vm.code?.local?.inline_bytes !== undefined) {
    module = Buffer.from(vm.code.local.inline_bytes, "base64");
  } else {
    r.notes.push(`${where}: remote or missing code: the module is not checked`);
    return;
  }
  let config: Buffer | string, vmConfig: Buffer | string;
  try { config = anyBytes(c.configuration); vmConfig = anyBytes(vm.configuration); } catch (e) { fail(r, `${where}: ${(e as Error).message}`); return; }
  checkModule(r, where, { module, config, vmConfig, name: c.name ?? "", rootId: c.root_id ?? "", vmId: vm.vm_id ?? "" }, opts);
}

function dirOf(p: string): string { return p.replace(/\/[^/]*$/, "") || "/"; }

function localPath(p: string, opts: ValidateOptions): string | null {
  const cwd = opts.cwd ?? process.cwd();
  const abs = (x: string) => (isAbsolute(x) ? x : join(cwd, x));
  for (const [from, to] of opts.map ?? []) {
    const prefix = from.endsWith("/") ? from : `${from}/`;
    if (p.startsWith(prefix) && existsSync(abs(join(to, p.slice(prefix.length))))) return abs(join(to, p.slice(prefix.length)));
  }
  return existsSync(abs(p)) ? abs(p) : null;
}

interface ModuleCheck {
  module: string | Uint8Array; config: Buffer | string; vmConfig?: Buffer | string;
  name: string; rootId: string; vmId: string;
}

function checkModule(r: Report, where: string, m: ModuleCheck, opts: ValidateOptions): Report {
  const module = typeof m.module === "string" ? localPath(m.module, opts) ?? m.module : m.module;
  const label = typeof m.module === "string" ? m.module : "inline module";
  try {
    const host = createHost({ module, config: m.config, vmConfig: m.vmConfig, name: m.name, rootId: m.rootId, vmId: m.vmId });
    host.close();
    r.notes.push(`${where}: ${label} accepted its configuration`);
  } catch (e) {
    const logs: LogRecord[] = (e as { logs?: LogRecord[] }).logs ?? [];
    const own = logs.filter((l) => l.source === "wasm" && (l.level === "error" || l.level === "critical" || l.level === "warning")).map((l) => l.message);
    fail(r, `${where}: ${label}: ${(e as Error).message}${own.length ? `\n  ${own.join("\n  ")}` : ""}`);
  }
  return r;
}
