// Checks of an Istio WasmPlugin (extensions.istio.io/v1alpha1, its only version) as the API server
// would make them — the facts of istio/api kubernetes/customresourcedefinitions.gen.yaml, written
// here as code (research/deploy.md §1.2): enums, lengths, patterns, the CEL rules (one of selector /
// targetRef / targetRefs; no '*' in selector labels; URL scheme; env `value` only with INLINE; no
// cross-namespace targetRefs), and unknown fields, which `kubectl apply` refuses by default
// (--validate=strict). pluginConfig is free-form for Istio: whether the filter accepts it is checked by
// configuring the module (validate.ts), since Istio hands it to the plugin as JSON with pluginName as
// root_id.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SPEC_FIELDS = ["selector", "targetRef", "targetRefs", "url", "sha256", "imagePullPolicy", "imagePullSecret",
  "pluginConfig", "pluginName", "phase", "priority", "failStrategy", "vmConfig", "match", "type", "verificationKey"];
const ENUMS: Record<string, string[]> = {
  imagePullPolicy: ["UNSPECIFIED_POLICY", "IfNotPresent", "Always"],
  phase: ["UNSPECIFIED_PHASE", "AUTHN", "AUTHZ", "STATS"],
  failStrategy: ["FAIL_CLOSE", "FAIL_OPEN", "FAIL_RELOAD"],
  type: ["UNSPECIFIED_PLUGIN_TYPE", "HTTP", "NETWORK"],
};
const REF_GROUP = /^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const REF_KIND = /^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;

const isObj = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === "string";

/** Problems with one WasmPlugin document, each "<path>: <reason>" (empty: valid). */
export function wasmPluginProblems(doc: Json): string[] {
  const out: string[] = [];
  const bad = (path: string, why: string) => out.push(`${path}: ${why}`);
  if (doc.apiVersion !== "extensions.istio.io/v1alpha1") bad("apiVersion", `must be extensions.istio.io/v1alpha1 (WasmPlugin has no other version), got ${JSON.stringify(doc.apiVersion)}`);
  if (!isObj(doc.metadata) || !isStr(doc.metadata.name) || doc.metadata.name === "") bad("metadata.name", "required");
  const spec = doc.spec;
  if (!isObj(spec)) { bad("spec", "required (an object)"); return out; }
  for (const k of Object.keys(spec)) if (!SPEC_FIELDS.includes(k)) bad(`spec.${k}`, "unknown field (kubectl apply refuses it)");
  const str = (path: string, v: unknown, min: number, max: number): v is string => {
    if (!isStr(v)) { bad(path, "must be a string"); return false; }
    if (v.length < min || v.length > max) bad(path, `length must be ${min}–${max}`);
    return true;
  };
  // url: required; scheme oci (the default when there is none), file, http or https.
  if (spec.url === undefined) bad("spec.url", "required");
  else if (str("spec.url", spec.url, 1, Infinity)) {
    const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(spec.url)?.[1]?.toLowerCase() ?? "";
    if (!["", "oci", "file", "http", "https"].includes(scheme)) bad("spec.url", `scheme must be oci, file, http or https, got ${scheme}`);
  }
  if (spec.sha256 !== undefined && !(isStr(spec.sha256) && /^(|[a-f0-9]{64})$/.test(spec.sha256))) bad("spec.sha256", "must be empty or 64 lower-case hex digits");
  for (const [k, values] of Object.entries(ENUMS)) {
    if (spec[k] !== undefined && !values.includes(spec[k])) bad(`spec.${k}`, `must be one of ${values.join(", ")}, got ${JSON.stringify(spec[k])}`);
  }
  if (spec.imagePullSecret !== undefined) str("spec.imagePullSecret", spec.imagePullSecret, 1, 253);
  if (spec.pluginName !== undefined) str("spec.pluginName", spec.pluginName, 1, 256);
  if (spec.priority !== undefined && spec.priority !== null && !(Number.isInteger(spec.priority) && Math.abs(spec.priority) <= 2 ** 31)) bad("spec.priority", "must be an int32");
  if (spec.pluginConfig !== undefined && !isObj(spec.pluginConfig)) bad("spec.pluginConfig", "must be an object");
  if (spec.verificationKey !== undefined && !isStr(spec.verificationKey)) bad("spec.verificationKey", "must be a string");
  // selector / targetRef / targetRefs: at most one.
  if (["selector", "targetRef", "targetRefs"].filter((k) => spec[k] !== undefined).length > 1) bad("spec", "only one of targetRefs, targetRef or selector can be set");
  if (spec.selector !== undefined) {
    const labels = isObj(spec.selector) ? spec.selector.matchLabels : undefined;
    if (!isObj(spec.selector) || Object.keys(spec.selector).some((k) => k !== "matchLabels")) bad("spec.selector", "only matchLabels is allowed");
    if (labels !== undefined) {
      if (!isObj(labels)) bad("spec.selector.matchLabels", "must be a map of strings");
      else for (const [k, v] of Object.entries(labels)) {
        if (k === "") bad("spec.selector.matchLabels", "key must not be empty");
        if (k.includes("*")) bad(`spec.selector.matchLabels.${k}`, "wildcard not allowed in label key match");
        if (!isStr(v) || v.length > 63) bad(`spec.selector.matchLabels.${k}`, "must be a string of at most 63 characters");
        else if (v.includes("*")) bad(`spec.selector.matchLabels.${k}`, "wildcard not allowed in label value match");
      }
    }
  }
  const ref = (path: string, r: unknown) => {
    if (!isObj(r)) { bad(path, "must be an object"); return; }
    for (const k of Object.keys(r)) if (!["group", "kind", "name", "namespace"].includes(k)) bad(`${path}.${k}`, "unknown field");
    if (r.group !== undefined && !(isStr(r.group) && r.group.length <= 253 && REF_GROUP.test(r.group))) bad(`${path}.group`, "must be a DNS subdomain (or empty)");
    if (!(isStr(r.kind) && r.kind.length >= 1 && r.kind.length <= 63 && REF_KIND.test(r.kind))) bad(`${path}.kind`, "required: a kind such as Gateway");
    if (!(isStr(r.name) && r.name.length >= 1 && r.name.length <= 253)) bad(`${path}.name`, "required: 1–253 characters");
    if (r.namespace !== undefined && r.namespace !== "") bad(`${path}.namespace`, "cross namespace referencing is not currently supported");
  };
  if (spec.targetRef !== undefined) ref("spec.targetRef", spec.targetRef);
  if (spec.targetRefs !== undefined) {
    if (!Array.isArray(spec.targetRefs) || spec.targetRefs.length > 16) bad("spec.targetRefs", "must be a list of at most 16");
    else spec.targetRefs.forEach((r: unknown, i: number) => ref(`spec.targetRefs[${i}]`, r));
  }
  if (spec.match !== undefined) {
    if (!Array.isArray(spec.match)) bad("spec.match", "must be a list");
    else spec.match.forEach((m: Json, i: number) => {
      const p = `spec.match[${i}]`;
      if (!isObj(m)) { bad(p, "must be an object"); return; }
      for (const k of Object.keys(m)) if (k !== "mode" && k !== "ports") bad(`${p}.${k}`, "unknown field");
      if (m.mode !== undefined && !["UNDEFINED", "CLIENT", "SERVER", "CLIENT_AND_SERVER"].includes(m.mode)) bad(`${p}.mode`, "must be one of UNDEFINED, CLIENT, SERVER, CLIENT_AND_SERVER");
      if (m.ports !== undefined) {
        if (!Array.isArray(m.ports)) bad(`${p}.ports`, "must be a list");
        else m.ports.forEach((port: Json, j: number) => {
          if (!isObj(port) || !Number.isInteger(port.number) || port.number < 1 || port.number > 65535) bad(`${p}.ports[${j}].number`, "required: 1–65535");
        });
      }
    });
  }
  if (spec.vmConfig !== undefined) {
    const env = isObj(spec.vmConfig) ? spec.vmConfig.env : undefined;
    if (!isObj(spec.vmConfig) || Object.keys(spec.vmConfig).some((k) => k !== "env")) bad("spec.vmConfig", "only env is allowed");
    if (env !== undefined) {
      if (!Array.isArray(env) || env.length > 256) bad("spec.vmConfig.env", "must be a list of at most 256");
      else {
        const names = new Set<string>();
        env.forEach((e: Json, i: number) => {
          const p = `spec.vmConfig.env[${i}]`;
          if (!isObj(e)) { bad(p, "must be an object"); return; }
          if (str(`${p}.name`, e.name, 1, 256)) { if (names.has(e.name)) bad(`${p}.name`, `duplicate name ${e.name}`); names.add(e.name); }
          if (e.valueFrom !== undefined && e.valueFrom !== "INLINE" && e.valueFrom !== "HOST") bad(`${p}.valueFrom`, "must be INLINE or HOST");
          if (e.value !== undefined) { str(`${p}.value`, e.value, 0, 2048); if (e.valueFrom === "HOST") bad(`${p}.value`, "value may only be set when valueFrom is INLINE"); }
        });
      }
    }
  }
  return out;
}
