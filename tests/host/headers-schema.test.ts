// filters/headers/schema.json and the filter's on_configure agree (DESIGN §4): one table of
// configurations (headers-config-cases.ts, plus every example of filters/headers/README.md read from
// it) fed to both ajv with the schema and build/headers.wasm through the host.
//   good       both accept;
//   bad        both reject; the filter logs exactly one error line "headers: <path>: <reason>" naming
//              the case's field, and ajv reports an error at that same field;
//   code-only  the filter rejects (same one-line rule), the schema accepts: checks JSON Schema cannot
//              express (regex and template syntax, replacement groups, control characters in constants …).
// A bad case with `todo` is a disagreement between the filter and its README (test written as the
// README says, marked todo until the filter is fixed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import fc from "fast-check";
import { createHost, ConfigError, type LogRecord } from "../../host/index.ts";
import { CASES, readmeExamples, readmeErrorLines, type Bad, type CodeOnly, type Config, type Good } from "./headers-config-cases.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MODULE = `${ROOT}build/headers.wasm`;
const SCHEMA = JSON.parse(readFileSync(`${ROOT}filters/headers/schema.json`, "utf8"));

// Strict mode (unknown keywords, missing types …) except strictRequired, which would forbid the
// usual "exactly one of these properties" oneOf-of-required form the matchers use.
const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
const validate = ajv.compile(SCHEMA);

const asJson = (c: Config): unknown => (typeof c === "string" ? JSON.parse(c) : c);

/** The schema's verdict, and where each error is, written as the filter writes paths. */
function schema(config: Config): { ok: boolean; at: string[]; errors: ErrorObject[] } {
  const ok = validate(asJson(config)) as boolean;
  const errors = validate.errors ?? [];
  const at = errors.map((e) => {
    const segs = e.instancePath.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    const p = e.params as { missingProperty?: string; additionalProperty?: string; propertyName?: string };
    const key = p.missingProperty ?? p.additionalProperty ?? (e.keyword === "propertyNames" ? p.propertyName : undefined);
    if (key !== undefined) segs.push(key);
    return "config" + segs.map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`)).join("");
  });
  return { ok, at, errors };
}

/** The filter's verdict: accepted, or refused with the error lines it logged ("headers: …"). */
function filter(config: Config): { ok: true } | { ok: false; lines: string[] } {
  if (!existsSync(MODULE)) throw new Error(`${MODULE} is missing: run \`node bin/wasmgate.mjs build headers\` first`);
  try {
    createHost({ module: MODULE, config }).close();
    return { ok: true };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const logs = (e as ConfigError & { logs?: LogRecord[] }).logs ?? [];
    const mine = logs.filter((l) => l.source === "wasm" && l.message.startsWith("headers: "));
    assert.ok(mine.every((l) => l.level === "error"), `logged at error level: ${mine.map((l) => l.level).join(", ")}`);
    return { ok: false, lines: mine.map((l) => l.message) };
  }
}

/** The filter refused `config` with exactly one line naming `path`; returns that line's reason. */
function refusedAt(config: Config, path: string, reason: RegExp): string {
  const f = filter(config);
  assert.equal(f.ok, false, "the filter must refuse it");
  const { lines } = f as { lines: string[] };
  assert.equal(lines.length, 1, `exactly one error line, got: ${lines.join(" | ")}`);
  const prefix = `headers: ${path}: `;
  assert.ok(lines[0].startsWith(prefix) && lines[0].length > prefix.length, `expected "${prefix}<reason>", got "${lines[0]}"`);
  const why = lines[0].slice(prefix.length);
  assert.match(why, reason);
  return why;
}

const GOOD = CASES.filter((c): c is Good => c.kind === "good");
const BAD = CASES.filter((c): c is Bad => c.kind === "bad");
const CODE_ONLY = CASES.filter((c): c is CodeOnly => c.kind === "code-only");
const README = readmeExamples();

test("the schema is a valid draft 2020-12 schema that ajv compiles in strict mode", () => {
  assert.equal(SCHEMA.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.ok(ajv.validateSchema(SCHEMA), JSON.stringify(ajv.errors));
});

test("the README's examples are all read: 4 json examples, the Envoy and the Istio configuration", () => {
  const names = README.good.map((g) => g.name);
  assert.equal(names.filter((n) => n.startsWith("README example: ")).length, 4, names.join(", "));
  assert.ok(names.includes("README Envoy configuration") && names.includes("README Istio pluginConfig"), names.join(", "));
  assert.equal(README.sketches, 1, "the one sketch is the Configuration overview");
});

for (const c of [...README.good, ...GOOD]) {
  test(`good: ${c.name}`, () => {
    const s = schema(c.config);
    assert.ok(s.ok, `schema rejects it: ${JSON.stringify(s.errors)}`);
    const f = filter(c.config);
    assert.ok(f.ok, `filter refuses it: ${f.ok ? "" : f.lines.join(" | ")}`);
  });
}

for (const c of BAD) {
  test(`bad: ${c.name} → ${c.path}`, c.todo ? { todo: c.todo } : {}, () => {
    const s = schema(c.config);
    assert.equal(s.ok, false, "the schema must reject it");
    assert.ok(s.at.includes(c.path), `the schema names ${c.path}; it names ${[...new Set(s.at)].join(", ")}`);
    refusedAt(c.config, c.path, c.reason);
  });
}

for (const c of CODE_ONLY) {
  test(`code-only (${c.why}): ${c.name} → ${c.path}`, () => {
    refusedAt(c.config, c.path, c.reason);
    const s = schema(c.config);
    assert.ok(s.ok, `the schema is expected to accept it (a check only the filter makes): ${JSON.stringify(s.errors)}`);
  });
}

test("the README's 'Configuration errors' lines are what the filter logs for those fields", () => {
  const lines = readmeErrorLines();
  assert.ok(lines.length >= 4, `${lines.length} lines`);
  for (const { path, message } of lines) {
    const c = [...BAD, ...CODE_ONLY].find((x) => x.path === path && x.name.endsWith("(README)"));
    assert.ok(c, `a table case named "… (README)" for the README line at ${path}`);
    const why = refusedAt(c.config, path, /./);
    // "…" in the README elides the rest of the message.
    const cut = message.indexOf("…");
    if (cut >= 0) assert.ok(why.startsWith(message.slice(0, cut)), `README: "${message}"; filter: "${why}"`);
    else assert.equal(why, message);
  }
});

// Every operation and every field the schema defines is exercised by a bad (or code-only) case.
function schemaFields(node: unknown, out = new Set<string>()): Set<string> {
  if (node && typeof node === "object") {
    const props = (node as { properties?: Record<string, unknown> }).properties;
    if (props) for (const k of Object.keys(props)) out.add(k);
    for (const v of Object.values(node)) schemaFields(v, out);
  }
  return out;
}

test("the table covers every operation, every field and the limits", () => {
  const refused = [...BAD, ...CODE_ONLY];
  const ops: string[] = SCHEMA.$defs.requestOperation.properties.op.enum;
  for (const op of ops) {
    assert.ok(refused.some((c) => c.path.includes(".ops[") && JSON.stringify(c.config).includes(`"op":"${op}"`)), `a bad case for op ${op}`);
    assert.ok(GOOD.some((c) => JSON.stringify(c.config).includes(`"op":"${op}"`)), `a good case for op ${op}`);
  }
  const segments = new Set(refused.flatMap((c) => c.path.split(/[.[\]]+/)));
  for (const field of schemaFields(SCHEMA)) assert.ok(segments.has(field), `a bad case naming field ${field}`);
  assert.ok(BAD.length >= 40 && GOOD.length + README.good.length >= 15, `${BAD.length} bad, ${GOOD.length + README.good.length} good`);
});

// Random values for the fields the schema checks with patterns: both must say the same.
const agree = (config: Config) => {
  const f = filter(config).ok;
  assert.equal(schema(config).ok, f, `schema and filter disagree on ${JSON.stringify(config)} (filter ${f ? "accepts" : "refuses"})`);
};
const chars = (s: string) => fc.constantFrom(...s.split(""));
const someString = (alphabet: string, extra: string[]) =>
  fc.oneof(fc.constantFrom(...extra), fc.string({ unit: chars(alphabet), maxLength: 12 }), fc.string({ unit: "binary-ascii", maxLength: 6 }));

test("property: header names in operations (tokens, reserved names in any case)", () => {
  const name = someString("aZ-_!~:. é\t*", ["", "host", "HoSt", "content-LENGTH", "Transfer-Encoding", ":path", "x".repeat(1024), "x".repeat(1025)]);
  fc.assert(fc.property(name, (h) => agree({ request: [{ ops: [{ op: "copy", header: "x-a", to: h }] }] })), { numRuns: 100 });
});

test("property: host conditions (plain, \"*.\" wildcard)", () => {
  const host = someString("a.*-Z:", ["", "*", "*.", "*.a", "*.*.a", "a*", ".a"]);
  fc.assert(fc.property(host, (h) => agree({ request: [{ match: { host: h }, ops: [{ op: "remove", header: "x-a" }] }] })), { numRuns: 100 });
});

test("property: methods and status items", () => {
  const method = someString("GETpost-!_ 1", ["GET", "M-SEARCH", "get", ""]);
  const status = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 9900, max: 60000 }).map((n) => n / 100),
    someString("0123456xX", ["1xx", "5xx", "6xx", "0xx", "5XX", "200"]));
  fc.assert(fc.property(method, status, (m, s) => {
    agree({ request: [{ match: { methods: [m] }, ops: [{ op: "remove", header: "x-a" }] }] });
    agree({ response: [{ match: { status: [s] }, ops: [{ op: "remove", header: "x-a" }] }] });
  }), { numRuns: 100 });
});

test("an empty configuration (no bytes) is valid for the filter (README); JSON Schema has nothing to validate", () => {
  assert.ok(filter("").ok);
});
