// Envoy's API schema for checking bootstrap files without Envoy: the .proto files that
// @grpc/grpc-js-xds ships (deps/envoy-api and the repositories it imports), loaded by protobufjs 8,
// whose ProtoJSON parser is strict (unknown fields, bad enum names, bad durations and unknown Any
// types are errors) — what Envoy's own YAML loader rejects too. research/deploy.md §4.1.
//
// That snapshot is Envoy's API of mid-2024 (about Envoy 1.31). What later versions added to the Wasm
// plugin configuration is added here by number, as in envoyproxy/data-plane-api
// envoy/extensions/wasm/v3/wasm.proto: PluginConfig.failure_policy = 7 (enum FailurePolicy:
// UNSPECIFIED 0, FAIL_RELOAD 1, FAIL_CLOSED 2, FAIL_OPEN 3), reload_config = 8 (ReloadConfig
// { envoy.config.core.v3.BackoffStrategy backoff = 1 }), allow_on_headers_stop_iteration = 9
// (google.protobuf.BoolValue). Other fields newer than the snapshot are reported as unknown.
import { createRequire } from "node:module";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import protobuf from "protobufjs";
import protojson from "protobufjs/ext/protojson.js";

const require = createRequire(import.meta.url);

function depsDir(): string {
  return join(dirname(require.resolve("@grpc/grpc-js-xds/package.json")), "deps");
}

/** The include directories, in the order Envoy's build searches them. */
function includeDirs(): string[] {
  const deps = depsDir();
  return ["envoy-api", "xds", "googleapis", "protoc-gen-validate"].map((d) => join(deps, d))
    .concat(join(dirname(require.resolve("protobufjs/package.json"))));
}

/** Every message and enum name (fully qualified) → the .proto file (relative to its include dir). */
function typeIndex(dirs: string[]): Map<string, string> {
  const index = new Map<string, string>();
  const walk = (root: string, dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) { walk(root, p); continue; }
      if (!name.endsWith(".proto")) continue;
      const text = readFileSync(p, "utf8");
      const pkg = /^package\s+([\w.]+)\s*;/m.exec(text)?.[1];
      if (!pkg) continue;
      // Top-level declarations only (nested ones resolve once their file is loaded).
      for (const m of text.matchAll(/^(?:message|enum)\s+(\w+)/gm)) {
        const full = `${pkg}.${m[1]}`;
        if (!index.has(full)) index.set(full, relative(root, p));
      }
    }
  };
  for (const d of dirs.slice(0, 4)) walk(d, d);
  return index;
}

export interface EnvoyApi {
  /** The type of a type URL or full name, loading its file on first use; null if Envoy's API has none. */
  type(nameOrUrl: string): protobuf.Type | null;
  /** Strict ProtoJSON parse of `json` as `typeName`; throws with protobufjs's message on the first problem. */
  parse(typeName: string, json: unknown): void;
  /** The packed bytes of an Any given in ProtoJSON ({"@type": …, …}): what Any.value holds. */
  packAny(json: unknown): Uint8Array;
}

// Types whose ProtoJSON form is not an object of fields (left as they are by protoNames).
const SPECIAL_JSON = new Set(["google.protobuf.Any", "google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue",
  "google.protobuf.Duration", "google.protobuf.Timestamp", "google.protobuf.FieldMask", "google.protobuf.DoubleValue",
  "google.protobuf.FloatValue", "google.protobuf.Int64Value", "google.protobuf.UInt64Value", "google.protobuf.Int32Value",
  "google.protobuf.UInt32Value", "google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.BytesValue"]);

/**
 * A ProtoJSON value (already valid for `typeName`) with every field under its proto name: ProtoJSON
 * also accepts the lowerCamelCase JSON names (staticResources, typedConfig), and so does Envoy, but
 * the checks after the schema read the proto names. Any values are renamed by their own @type.
 */
export function protoNames(typeName: string, json: unknown): unknown {
  const a = envoyApi();
  const walk = (type: protobuf.Type, v: unknown): unknown => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    const full = type.fullName.replace(/^\./, "");
    if (full === "google.protobuf.Any") {
      const t = (v as Record<string, unknown>)["@type"];
      const inner = typeof t === "string" ? a.type(t) : null;
      if (inner === null || SPECIAL_JSON.has(inner.fullName.replace(/^\./, ""))) return v;
      const { "@type": at, ...rest } = v as Record<string, unknown>;
      return { "@type": at, ...(walk(inner, rest) as object) };
    }
    if (SPECIAL_JSON.has(full)) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as object)) {
      const f = type.fields[k] ?? type.fieldsArray.find((g) => g.jsonName === k);
      if (f === undefined) { out[k] = x; continue; }
      f.resolve();
      const sub = f.resolvedType instanceof protobuf.Type ? f.resolvedType : null;
      const conv = (y: unknown) => (sub === null ? y : walk(sub, y));
      if (f.map && x !== null && typeof x === "object") out[f.name] = Object.fromEntries(Object.entries(x as object).map(([mk, mv]) => [mk, conv(mv)]));
      else if (f.repeated && Array.isArray(x)) out[f.name] = x.map(conv);
      else out[f.name] = conv(x);
    }
    return out;
  };
  const type = a.type(typeName);
  if (type === null) throw new Error(`no such type ${typeName} in Envoy's API`);
  return walk(type, json);
}

let api: EnvoyApi | null = null;

/** The schema, loaded once per process (~1 s). */
export function envoyApi(): EnvoyApi {
  if (api !== null) return api;
  const dirs = includeDirs();
  const index = typeIndex(dirs);
  const root = new protobuf.Root();
  root.resolvePath = (_origin: string, target: string) => {
    for (const d of dirs) if (existsSync(join(d, target))) return join(d, target);
    return target;
  };
  const loaded = new Set<string>();
  const load = (file: string) => {
    if (loaded.has(file)) return;
    loaded.add(file);
    root.loadSync(file, { keepCase: true });
    if (file === "envoy/extensions/wasm/v3/wasm.proto") patchWasm(root);
    root.resolveAll();
  };
  // The types a bootstrap always needs; typed_config types are loaded when a document names them.
  for (const f of ["envoy/config/bootstrap/v3/bootstrap.proto", "google/protobuf/wrappers.proto",
    "google/protobuf/struct.proto", "google/protobuf/any.proto", "envoy/extensions/wasm/v3/wasm.proto"]) load(f);

  const typeOf = (nameOrUrl: string): protobuf.Type | null => {
    const name = nameOrUrl.replace(/^.*\//, "");
    const file = index.get(name) ?? index.get(name.replace(/\.[^.]+$/, "")); // a nested type: its parent's file
    if (file !== undefined) load(file); // (google.protobuf types are protobufjs's own, loaded already)
    try { return root.lookupType(name); } catch { return null; }
  };
  api = {
    type: typeOf,
    parse(typeName: string, json: unknown) {
      // Load every Any's type first: protobufjs resolves "@type" only among loaded types.
      const visit = (v: unknown): void => {
        if (Array.isArray(v)) { v.forEach(visit); return; }
        if (v === null || typeof v !== "object") return;
        const t = (v as Record<string, unknown>)["@type"];
        if (typeof t === "string") typeOf(t);
        for (const x of Object.values(v as object)) visit(x);
      };
      visit(json);
      const type = typeOf(typeName);
      if (type === null) throw new Error(`no such type ${typeName} in Envoy's API`);
      protojson.fromJson(type, json);
    },
    packAny(json: unknown) {
      this.parse("google.protobuf.Any", json);
      const anyType = typeOf("google.protobuf.Any")!;
      const msg = protojson.fromJson(anyType, json) as unknown as { value?: Uint8Array };
      return msg.value ?? new Uint8Array(0);
    },
  };
  return api;
}

function patchWasm(root: protobuf.Root): void {
  const ns = root.lookup("envoy.extensions.wasm.v3") as protobuf.Namespace;
  const plugin = root.lookupType("envoy.extensions.wasm.v3.PluginConfig");
  if (plugin.fields.failure_policy) return; // a newer snapshot has them
  ns.add(new protobuf.Enum("FailurePolicy", { UNSPECIFIED: 0, FAIL_RELOAD: 1, FAIL_CLOSED: 2, FAIL_OPEN: 3 }));
  ns.add(new protobuf.Type("ReloadConfig").add(new protobuf.Field("backoff", 1, "envoy.config.core.v3.BackoffStrategy")));
  plugin.add(new protobuf.Field("failure_policy", 7, "FailurePolicy"));
  plugin.add(new protobuf.Field("reload_config", 8, "ReloadConfig"));
  plugin.add(new protobuf.Field("allow_on_headers_stop_iteration", 9, "google.protobuf.BoolValue"));
  root.loadSync("envoy/config/core/v3/backoff.proto", { keepCase: true });
}
