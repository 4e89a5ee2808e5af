// The table of headers-filter configurations that tests/host/headers-schema.test.ts feeds to both
// filters/headers/schema.json (ajv) and build/headers.wasm (the filter's on_configure, through the
// host). This file registers no tests of its own: it is data, kept apart so each file stays small.
//
//   good       accepted by both (plus every example of filters/headers/README.md, read from it)
//   bad        rejected by both; the filter logs one line "headers: <path>: <reason>"
//   code-only  rejected by the filter, accepted by the schema: checks JSON Schema cannot express
// A bad case with `todo` is one where the filter disagrees with its README; the test is written as
// the README says and marked todo (node:test) until the filter is fixed.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";

export type Config = object | string; // a string is sent as is (raw JSON text)
export interface Good { kind: "good"; name: string; config: Config }
export interface Bad { kind: "bad"; name: string; config: Config; path: string; reason: RegExp; todo?: string }
export interface CodeOnly { kind: "code-only"; name: string; config: Config; path: string; reason: RegExp; why: string }
export type Case = Good | Bad | CodeOnly;

type Op = Record<string, unknown>;
type Match = Record<string, unknown>;
const req = (...ops: unknown[]) => ({ request: [{ ops }] });
const reqm = (match: unknown, ...ops: unknown[]) => ({ request: [{ match, ops }] });
const resp = (...ops: unknown[]) => ({ response: [{ ops }] });
const respm = (match: unknown, ...ops: unknown[]) => ({ response: [{ match, ops }] });
const SET: Op = { op: "set", header: "x-a", value: "v" };
const R0 = "config.request[0]";
const P0 = "config.response[0]";
const OP0 = `${R0}.ops[0]`;
const M = `${R0}.match`;
/** A request rule whose header condition x-env is `m`. */
const hdr = (m: unknown) => reqm({ headers: { "x-env": m } }, SET);

const good = (name: string, config: Config): Good => ({ kind: "good", name, config });
const bad = (name: string, config: Config, path: string, reason: RegExp, todo?: string): Bad =>
  ({ kind: "bad", name, config, path, reason, ...(todo ? { todo } : {}) });
const codeOnly = (name: string, config: Config, path: string, reason: RegExp, why: string): CodeOnly =>
  ({ kind: "code-only", name, config, path, reason, why });

const TYPE_OBJECT = /must be an object/, TYPE_ARRAY = /must be an array/, TYPE_STRING = /must be a string/;
const TYPE_BOOL = /must be a boolean/, TYPE_INT = /must be an integer/, UNKNOWN = /unknown field/, REQUIRED = /is required/;
const HEADER_NAME = /must be a header name/, RESERVED = /is managed by Envoy/, REQUEST_ONLY = /is only allowed in request rules/;
const NEEDS_ONE = /needs one of/, ONLY_ONE = /only one of/, EMPTY = /must not be empty/, INVALID_REGEX = /invalid regex/;

const ALL_REQUEST_OPS: Op[] = [
  { op: "set", header: "x-set", value: "${header:x-in|none}", inbound: "keep" },
  { op: "append", header: "X-Forwarded-For", value: "${client_ip}", inbound: "keep" },
  { op: "set_if_absent", header: "x-request-id", value: "${request_id}", inbound: "strip" },
  { op: "remove", header: "x-drop" },
  { op: "remove", match: { prefix: "x-internal-", ignore_case: true } },
  { op: "rename", header: "x-old", to: "x-new", overwrite: true },
  { op: "copy", header: "authorization", to: "x-token", overwrite: false },
  { op: "replace", header: "x-token", regex: "^(?P<scheme>\\w+) (.+)$", with: "${scheme}:$2 $$" },
  { op: "dedupe", header: "accept", keep: "first", split: true },
  { op: "dedupe", header: "x-multi" },
  { op: "query_set", param: "api-version", value: "1" },
  { op: "query_add", param: "via", value: "${host}" },
  { op: "query_remove", param: "debug" },
  { op: "query_rename", param: "q", to: "query" },
  { op: "path_prefix", prefix: "/api/v1", to: "" },
  { op: "path_regex", regex: "^/users/([0-9]+)/profile$", with: "/profiles/$1" },
  { op: "host", value: "backend.internal:8080" },
];

export const CASES: Case[] = [
  // ---- good: accepted by both ----
  good("empty object", {}),
  good("empty rule lists and every root field at its default", { request: [], response: [], max_value_bytes: 8192, trusted_hops: 0 }),
  good("root integers at their lower bounds", { max_value_bytes: 1, trusted_hops: 0, request: [{ ops: [{ op: "set", header: "x-ip", value: "${client_ip}" }] }] }),
  good("root integers at their upper bounds", { max_value_bytes: 65536, trusted_hops: 10 }),
  good("every operation with every optional field, in a request rule", { request: [{ name: "all ops", match: {}, ops: ALL_REQUEST_OPS }] }),
  good("every header operation in a response rule", { response: [{ ops: ALL_REQUEST_OPS.slice(0, 10).map(({ inbound: _, ...o }) => o) }] }),
  good("every request condition", reqm({
    path: { exact: "/API/Items", ignore_case: true }, methods: ["GET", "POST", "M-SEARCH"], host: "*.example.com",
    headers: { "x-a": "exact", "x-b": { prefix: "p" }, "x-c": { suffix: "s" }, "x-d": { contains: "c", ignore_case: true },
      "x-e": { regex: "a|b" }, "x-f": { present: true }, "x-g": { absent: true, invert: true } },
    query: { debug: { exact: "1" }, "": "empty name" }, consumer: { prefix: "team-" }, claims: { "org.id": "acme", sub: { present: true } },
  }, SET)),
  good("path matcher kinds", { request: [
    { match: { path: { prefix: "/api" } }, ops: [SET] }, { match: { path: { suffix: ".json" } }, ops: [SET] },
    { match: { path: { regex: "/v[0-9]+/.*", ignore_case: false } }, ops: [SET] }, { match: { path: { exact: "/" } }, ops: [SET] }] }),
  good("host forms: plain (any case), wildcard, string matcher object", { request: [
    { match: { host: "API.Example.com" }, ops: [SET] }, { match: { host: "*.Example.COM" }, ops: [SET] },
    { match: { host: { suffix: ".example.com", ignore_case: true } }, ops: [SET] }, { match: { host: { regex: "a.*" } }, ops: [SET] }] }),
  good("response conditions: status items of every form, response headers, request-side conditions", respm(
    { status: [100, 599, "1xx", "5xx", 404], response_headers: { "Content-Type": { prefix: "application/json" } },
      path: { prefix: "/static" }, methods: ["GET"], consumer: "alice", claims: { sub: "1" } },
    { op: "set", header: "cache-control", value: "public, max-age=86400" })),
  good("header names: upper-case and every token punctuation character", req(
    { op: "set", header: "X-Custom-Header", value: "v" }, { op: "rename", header: "x!#$%&'*+.^_`|~-1", to: "X-2" })),
  good("a header name of 1024 characters", req({ op: "set", header: "x".repeat(1024), value: "v" })),
  good("remove by a plain-string matcher and by an inverted matcher", req({ op: "remove", match: "x-debug" }, { op: "remove", match: { prefix: "x-", invert: true } })),
  good("every template source, fallbacks and $$", req({ op: "set", header: "x-all", value:
    "${header:x-a}${query:q}${cookie:c}${method}${path}${host}${client_ip}${request_id}${consumer|anon}${claim:org.id|none}${property:xds.cluster_name} $$5" })),
  good("inbound on a constant value, keep (nothing to strip)", req({ op: "set", header: "x-a", value: "literal", inbound: "keep" })),
  good("path_prefix to a new prefix; query_rename keeping names", req({ op: "path_prefix", prefix: "/", to: "/v2" }, { op: "query_rename", param: "a", to: "b" })),

  // ---- bad: rejected by both, the filter naming the field ----
  bad("root is an array", [], "config", TYPE_OBJECT),
  bad("root is null", "null", "config", TYPE_OBJECT),
  bad("unknown root field", { requests: [] }, "config.requests", UNKNOWN),
  bad("request is not an array", { request: {} }, "config.request", TYPE_ARRAY),
  bad("response is not an array", { response: "remove server" }, "config.response", TYPE_ARRAY),
  bad("max_value_bytes 0", { max_value_bytes: 0 }, "config.max_value_bytes", /between 1 and 65536/),
  bad("max_value_bytes 65537", { max_value_bytes: 65537 }, "config.max_value_bytes", /between 1 and 65536/),
  bad("max_value_bytes as a string", { max_value_bytes: "8192" }, "config.max_value_bytes", TYPE_INT),
  bad("max_value_bytes not integral", { max_value_bytes: 1.5 }, "config.max_value_bytes", TYPE_INT),
  bad("trusted_hops -1", { trusted_hops: -1 }, "config.trusted_hops", /between 0 and 10/),
  bad("trusted_hops 11", { trusted_hops: 11 }, "config.trusted_hops", /between 0 and 10/),
  bad("clear_route_cache is gone (Envoy clears the route cache itself for ABI 0.2.1)", { clear_route_cache: true }, "config.clear_route_cache", UNKNOWN),
  bad("a rule that is not an object", { request: ["set x-a"] }, R0, TYPE_OBJECT),
  bad("unknown rule field", { request: [{ when: {}, ops: [SET] }] }, `${R0}.when`, UNKNOWN),
  bad("rule name not a string", { request: [{ name: 5, ops: [SET] }] }, `${R0}.name`, TYPE_STRING),
  bad("rule without ops", { request: [{ name: "x" }] }, `${R0}.ops`, REQUIRED),
  bad("rule with no operations", { request: [{ ops: [] }] }, `${R0}.ops`, /must not be empty/),
  bad("ops not an array", { request: [{ ops: SET }] }, `${R0}.ops`, TYPE_ARRAY),
  bad("an operation that is not an object", req(SET, "set"), `${R0}.ops[1]`, TYPE_OBJECT),
  bad("operation without op", req({ header: "x-a", value: "v" }), `${OP0}.op`, REQUIRED),
  bad("unknown operation (README)", req(SET, SET, { op: "sett", header: "x-a", value: "v" }), `${R0}.ops[2].op`, /unknown operation 'sett'/),
  bad("op names are case-sensitive", req({ op: "SET", header: "x-a", value: "v" }), `${OP0}.op`, /unknown operation/),
  bad("op not a string", req({ op: 5 }), `${OP0}.op`, TYPE_STRING),
  // match
  bad("match not an object", reqm("always", SET), M, TYPE_OBJECT),
  bad("unknown match field", reqm({ paths: { prefix: "/" } }, SET), `${M}.paths`, UNKNOWN),
  bad("status in a request rule", reqm({ status: [200] }, SET), `${M}.status`, UNKNOWN),
  bad("response_headers in a request rule", reqm({ response_headers: {} }, SET), `${M}.response_headers`, UNKNOWN),
  bad("path matcher as a string", reqm({ path: "/api" }, SET), `${M}.path`, TYPE_OBJECT),
  bad("path matcher without a kind", reqm({ path: { ignore_case: true } }, SET), `${M}.path`, NEEDS_ONE),
  bad("path matcher with two kinds", reqm({ path: { exact: "/a", prefix: "/a" } }, SET), `${M}.path`, ONLY_ONE),
  bad("path prefix without leading /", reqm({ path: { prefix: "api" } }, SET), `${M}.path.prefix`, /must start with \//),
  bad("path exact empty", reqm({ path: { exact: "" } }, SET), `${M}.path.exact`, /must start with \//),
  bad("path suffix empty", reqm({ path: { suffix: "" } }, SET), `${M}.path.suffix`, EMPTY),
  bad("path matcher has no contains", reqm({ path: { contains: "x" } }, SET), `${M}.path.contains`, UNKNOWN),
  bad("path ignore_case not a boolean", reqm({ path: { prefix: "/", ignore_case: "yes" } }, SET), `${M}.path.ignore_case`, TYPE_BOOL),
  bad("path regex not a string", reqm({ path: { regex: 5 } }, SET), `${M}.path.regex`, TYPE_STRING),
  bad("methods not an array", reqm({ methods: "GET" }, SET), `${M}.methods`, TYPE_ARRAY),
  bad("lower-case method", reqm({ methods: ["GET", "post"] }, SET), `${M}.methods[1]`, /upper-case method/),
  bad("method not a string", reqm({ methods: [1] }, SET), `${M}.methods[0]`, TYPE_STRING),
  bad("method not a token", reqm({ methods: ["GET POST"] }, SET), `${M}.methods[0]`, /upper-case method/),
  bad("host empty", reqm({ host: "" }, SET), `${M}.host`, EMPTY),
  bad("host wildcard not leading", reqm({ host: "api.*.com" }, SET), `${M}.host`, /wildcard/),
  bad("host wildcard without the dot", reqm({ host: "*example.com" }, SET), `${M}.host`, /wildcard/),
  bad("host a number", reqm({ host: 5 }, SET), `${M}.host`, TYPE_OBJECT),
  bad("host matcher object with two kinds", reqm({ host: { exact: "a", suffix: "b" } }, SET), `${M}.host`, ONLY_ONE),
  bad("host wildcard twice (only a leading \"*.\" is a wildcard)", reqm({ host: "*.*.example.com" }, SET), `${M}.host`, /wildcard/),
  bad("headers not an object", reqm({ headers: ["x-env"] }, SET), `${M}.headers`, TYPE_OBJECT),
  bad("header condition on an invalid name", reqm({ headers: { "x env": "1" } }, SET), `${M}.headers.x env`, /not a valid header name/),
  bad("header condition on a pseudo-header", reqm({ headers: { ":path": "/" } }, SET), `${M}.headers.:path`, /not a valid header name/),
  bad("string matcher with an unknown kind", hdr({ equals: "x" }), `${M}.headers.x-env.equals`, UNKNOWN),
  bad("string matcher without a kind", hdr({ ignore_case: true }), `${M}.headers.x-env`, NEEDS_ONE),
  bad("string matcher with two kinds", hdr({ prefix: "a", suffix: "b" }), `${M}.headers.x-env`, ONLY_ONE),
  bad("string matcher present: false", hdr({ present: false }), `${M}.headers.x-env.present`, /must be true/),
  bad("string matcher absent not a boolean", hdr({ absent: "yes" }), `${M}.headers.x-env.absent`, TYPE_BOOL),
  bad("string matcher exact not a string", hdr({ exact: 5 }), `${M}.headers.x-env.exact`, TYPE_STRING),
  bad("string matcher invert not a boolean", hdr({ contains: "a", invert: "no" }), `${M}.headers.x-env.invert`, TYPE_BOOL),
  bad("string matcher ignore_case not a boolean", hdr({ contains: "a", ignore_case: 1 }), `${M}.headers.x-env.ignore_case`, TYPE_BOOL),
  bad("query not an object", reqm({ query: [] }, SET), `${M}.query`, TYPE_OBJECT),
  bad("query matcher a number", reqm({ query: { debug: 1 } }, SET), `${M}.query.debug`, TYPE_OBJECT),
  bad("consumer matcher without a kind", reqm({ consumer: {} }, SET), `${M}.consumer`, NEEDS_ONE),
  bad("consumer a boolean", reqm({ consumer: true }, SET), `${M}.consumer`, TYPE_OBJECT),
  bad("claims not an object", reqm({ claims: "sub" }, SET), `${M}.claims`, TYPE_OBJECT),
  bad("claim matcher with a non-string value", reqm({ claims: { sub: { contains: 1 } } }, SET), `${M}.claims.sub.contains`, TYPE_STRING),
  // response match
  bad("status not an array", respm({ status: "5xx" }, SET), `${P0}.match.status`, TYPE_ARRAY),
  bad("status empty", respm({ status: [] }, SET), `${P0}.match.status`, EMPTY),
  bad("status 600", respm({ status: [600] }, SET), `${P0}.match.status[0]`, /status 100-599/),
  bad("status 99", respm({ status: [200, 99] }, SET), `${P0}.match.status[1]`, /status 100-599/),
  bad("status class 6xx", respm({ status: ["6xx"] }, SET), `${P0}.match.status[0]`, /status 100-599/),
  bad("status class upper-case", respm({ status: ["5XX"] }, SET), `${P0}.match.status[0]`, /status 100-599/),
  bad("status not integral", respm({ status: [200.5] }, SET), `${P0}.match.status[0]`, /status 100-599/),
  bad("status a boolean", respm({ status: [true] }, SET), `${P0}.match.status[0]`, /status 100-599/),
  bad("status as a numeric string", respm({ status: ["200"] }, SET), `${P0}.match.status[0]`, /status 100-599/),
  bad("response_headers on an invalid name", respm({ response_headers: { "bad name": "x" } }, SET), `${P0}.match.response_headers.bad name`, /not a valid header name/),
  bad("response_headers matcher without a kind", respm({ response_headers: { "content-type": {} } }, SET), `${P0}.match.response_headers.content-type`, NEEDS_ONE),
  bad("unknown response match field", respm({ statuses: [200] }, SET), `${P0}.match.statuses`, UNKNOWN),
  // set / append / set_if_absent
  bad("set without header", req({ op: "set", value: "v" }), `${OP0}.header`, REQUIRED),
  bad("set without value", req({ op: "set", header: "x-a" }), `${OP0}.value`, REQUIRED),
  bad("set value not a string", req({ op: "set", header: "x-a", value: 1 }), `${OP0}.value`, TYPE_STRING),
  bad("set a pseudo-header", req({ op: "set", header: ":path", value: "/x" }), `${OP0}.header`, HEADER_NAME),
  bad("set content-length (README)", req({ op: "set", header: "content-length", value: "0" }), `${OP0}.header`, /'content-length' is managed by Envoy/),
  bad("set Host (reserved in any case)", req({ op: "set", header: "Host", value: "a" }), `${OP0}.header`, RESERVED),
  bad("set Transfer-Encoding", req({ op: "set", header: "Transfer-Encoding", value: "chunked" }), `${OP0}.header`, RESERVED),
  bad("set a header name with a space", req({ op: "set", header: "x a", value: "v" }), `${OP0}.header`, HEADER_NAME),
  bad("set a header name of 1025 characters", req({ op: "set", header: "x".repeat(1025), value: "v" }), `${OP0}.header`, HEADER_NAME),
  bad("set a non-ASCII header name", req({ op: "set", header: "x-é", value: "v" }), `${OP0}.header`, HEADER_NAME),
  bad("set inbound neither strip nor keep", req({ op: "set", header: "x-a", value: "${path}", inbound: "drop" }), `${OP0}.inbound`, /strip or keep/),
  bad("set inbound not a string", req({ op: "set", header: "x-a", value: "${path}", inbound: true }), `${OP0}.inbound`, TYPE_STRING),
  bad("set inbound typo with a literal value", req({ op: "set", header: "x-a", value: "literal", inbound: "kepp" }), `${OP0}.inbound`, /strip or keep/),
  bad("set_if_absent inbound in a response rule", resp({ op: "set_if_absent", header: "x-a", value: "${path}", inbound: "strip" }), `${P0}.ops[0].inbound`, REQUEST_ONLY),
  bad("set has no overwrite", req({ op: "set", header: "x-a", value: "v", overwrite: true }), `${OP0}.overwrite`, UNKNOWN),
  bad("append inbound in a response rule", resp({ op: "append", header: "x-a", value: "v", inbound: "keep" }), `${P0}.ops[0].inbound`, REQUEST_ONLY),
  bad("append an empty header name", req({ op: "append", header: "", value: "v" }), `${OP0}.header`, HEADER_NAME),
  bad("set_if_absent has no to", req({ op: "set_if_absent", header: "x-a", value: "v", to: "x-b" }), `${OP0}.to`, UNKNOWN),
  // remove
  bad("remove with both header and match", req({ op: "remove", header: "x-a", match: { prefix: "x-" } }), `${OP0}.match`, /either header or match/),
  bad("remove with neither header nor match", req({ op: "remove" }), `${OP0}.header`, REQUIRED),
  bad("remove match without a kind", req({ op: "remove", match: {} }), `${OP0}.match`, NEEDS_ONE),
  bad("remove match a number", req({ op: "remove", match: 5 }), `${OP0}.match`, TYPE_OBJECT),
  bad("remove transfer-encoding", req({ op: "remove", header: "transfer-encoding" }), `${OP0}.header`, RESERVED),
  bad("remove has no value", req({ op: "remove", header: "x-a", value: "v" }), `${OP0}.value`, UNKNOWN),
  // rename / copy
  bad("rename without to", req({ op: "rename", header: "x-a" }), `${OP0}.to`, REQUIRED),
  bad("rename to host", req({ op: "rename", header: "x-host", to: "host" }), `${OP0}.to`, RESERVED),
  bad("rename to an invalid name", req({ op: "rename", header: "x-a", to: "x b" }), `${OP0}.to`, HEADER_NAME),
  bad("rename overwrite not a boolean", req({ op: "rename", header: "x-a", to: "x-b", overwrite: "yes" }), `${OP0}.overwrite`, TYPE_BOOL),
  bad("copy without header", req({ op: "copy", to: "x-b" }), `${OP0}.header`, REQUIRED),
  bad("copy has no keep", req({ op: "copy", header: "x-a", to: "x-b", keep: "first" }), `${OP0}.keep`, UNKNOWN),
  // replace
  bad("replace without regex", req({ op: "replace", header: "x-a", with: "b" }), `${OP0}.regex`, REQUIRED),
  bad("replace without with", req({ op: "replace", header: "x-a", regex: "a" }), `${OP0}.with`, REQUIRED),
  bad("replace content-length", req({ op: "replace", header: "content-length", regex: "1", with: "2" }), `${OP0}.header`, RESERVED),
  bad("replace regex not a string", req({ op: "replace", header: "x-a", regex: 1, with: "2" }), `${OP0}.regex`, TYPE_STRING),
  // dedupe
  bad("dedupe keep not one of unique/first/last", req({ op: "dedupe", header: "x-a", keep: "all" }), `${OP0}.keep`, /unique, first, last/),
  bad("dedupe split not a boolean", req({ op: "dedupe", header: "x-a", split: "yes" }), `${OP0}.split`, TYPE_BOOL),
  bad("dedupe without header", req({ op: "dedupe", keep: "last" }), `${OP0}.header`, REQUIRED),
  // query_*
  bad("query_set with an empty param", req({ op: "query_set", param: "", value: "1" }), `${OP0}.param`, EMPTY),
  bad("query_set without value", req({ op: "query_set", param: "a" }), `${OP0}.value`, REQUIRED),
  bad("query_set in a response rule", resp({ op: "query_set", param: "a", value: "1" }), `${P0}.ops[0].op`, REQUEST_ONLY),
  bad("query_set has no header", req({ op: "query_set", param: "a", value: "1", header: "x-a" }), `${OP0}.header`, UNKNOWN),
  bad("query_add without param", req({ op: "query_add", value: "1" }), `${OP0}.param`, REQUIRED),
  bad("query_add in a response rule", resp({ op: "query_add", param: "a", value: "1" }), `${P0}.ops[0].op`, REQUEST_ONLY),
  bad("query_remove param not a string", req({ op: "query_remove", param: 5 }), `${OP0}.param`, TYPE_STRING),
  bad("query_remove in a response rule", resp({ op: "query_remove", param: "a" }), `${P0}.ops[0].op`, REQUEST_ONLY),
  bad("query_rename to empty", req({ op: "query_rename", param: "a", to: "" }), `${OP0}.to`, EMPTY),
  bad("query_rename without to", req({ op: "query_rename", param: "a" }), `${OP0}.to`, REQUIRED),
  bad("query_rename in a response rule", resp({ op: "query_rename", param: "a", to: "b" }), `${P0}.ops[0].op`, REQUEST_ONLY),
  // path_* and host
  bad("path_prefix prefix without leading /", req({ op: "path_prefix", prefix: "api/v1", to: "/v1" }), `${OP0}.prefix`, /start with \//),
  bad("path_prefix to neither empty nor /…", req({ op: "path_prefix", prefix: "/api", to: "v1" }), `${OP0}.to`, /must be empty or a canonical path/),
  bad("path_prefix without to", req({ op: "path_prefix", prefix: "/api" }), `${OP0}.to`, REQUIRED),
  bad("path_prefix in a response rule", resp({ op: "path_prefix", prefix: "/a", to: "/b" }), `${P0}.ops[0].op`, REQUEST_ONLY),
  bad("path_regex without with", req({ op: "path_regex", regex: "^/a$" }), `${OP0}.with`, REQUIRED),
  bad("path_regex in a response rule", resp({ op: "path_regex", regex: "a", with: "b" }), `${P0}.ops[0].op`, REQUEST_ONLY),
  bad("host in a response rule (README)", resp({ op: "host", value: "a" }), `${P0}.ops[0].op`, /'host' is only allowed in request rules/),
  bad("host without value", req({ op: "host" }), `${OP0}.value`, REQUIRED),
  bad("host has no header", req({ op: "host", value: "a", header: "x-a" }), `${OP0}.header`, UNKNOWN),

  // ---- code-only: the filter refuses, JSON Schema cannot say why ----
  codeOnly("invalid path regex (README)", { request: [{ ops: [SET] }, { match: { path: { regex: "/users/(" } }, ops: [SET] }] },
    "config.request[1].match.path.regex", INVALID_REGEX, "regex syntax"),
  codeOnly("look-around in a header matcher regex", hdr({ regex: "(?=x)x" }), `${M}.headers.x-env.regex`, INVALID_REGEX, "regex syntax (unsupported construct)"),
  codeOnly("backreference in a host matcher regex", reqm({ host: { regex: "(a)\\1" } }, SET), `${M}.host.regex`, INVALID_REGEX, "regex syntax (unsupported construct)"),
  codeOnly("invalid claim matcher regex", reqm({ claims: { sub: { regex: "[a-" } } }, SET), `${M}.claims.sub.regex`, INVALID_REGEX, "regex syntax"),
  // What a rewrite to them would write is refused on every request (flushPath, isHost): refused at configure time.
  codeOnly("path_prefix to with a dot segment", req({ op: "path_prefix", prefix: "/api", to: "/v1/.." }), `${OP0}.to`, /canonical path/, "a canonical path"),
  codeOnly("path_prefix to with a query", req({ op: "path_prefix", prefix: "/api", to: "/b?x=1" }), `${OP0}.to`, /canonical path/, "a canonical path"),
  codeOnly("path_prefix to with an empty segment", req({ op: "path_prefix", prefix: "/api", to: "/a//b" }), `${OP0}.to`, /canonical path/, "a canonical path"),
  codeOnly("host constant with a space", req({ op: "host", value: "bad host" }), `${OP0}.value`, /must be a host\[:port\]/, "a host (the value is a template)"),
  codeOnly("host constant with a path", req({ op: "host", value: "a/b" }), `${OP0}.value`, /must be a host/, "a host (the value is a template)"),
  codeOnly("host constant with userinfo", req({ op: "host", value: "user@host" }), `${OP0}.value`, /must be a host/, "a host (the value is a template)"),
  bad("methods empty (matches no request)", reqm({ methods: [] }, SET), `${M}.methods`, EMPTY),
  codeOnly("replace with a CR LF in its literal text", req({ op: "replace", header: "x-a", regex: "a", with: "b\r\nx-evil: 1" }), `${OP0}.with`, /control characters/, "a value's characters (with is a template)"),
  codeOnly("path_regex with a query in its literal text", req({ op: "path_regex", regex: "^/a(.*)$", with: "/b$1?x=1" }), `${OP0}.with`, /must not contain \?, # or a space/, "a path (with is a template)"),
  codeOnly("dedupe split on set-cookie", resp({ op: "dedupe", header: "Set-Cookie", split: true }), `${P0}.ops[0].split`, /set-cookie cannot be split/, "depends on the header name"),
  codeOnly("path_regex with a space in its literal text", req({ op: "path_regex", regex: "^/a(.*)$", with: "/b $1" }), `${OP0}.with`, /must not contain \?, # or a space/, "a path (with is a template)"),
  codeOnly("path_regex with a fragment in its literal text", req({ op: "path_regex", regex: "^/a(.*)$", with: "/b$1#top" }), `${OP0}.with`, /must not contain/, "a path (with is a template)"),
  codeOnly("path_prefix to with a space", req({ op: "path_prefix", prefix: "/api", to: "/a b" }), `${OP0}.to`, /canonical path/, "a canonical path"),
  codeOnly("set with an empty constant value (never written)", req({ op: "set", header: "x-a", value: "" }), `${OP0}.value`, EMPTY, "depends on the op"),
  codeOnly("invalid replace regex", req({ op: "replace", header: "x-a", regex: "a)", with: "" }), `${OP0}.regex`, INVALID_REGEX, "regex syntax"),
  codeOnly("invalid path_regex regex", req({ op: "path_regex", regex: "*a", with: "/" }), `${OP0}.regex`, INVALID_REGEX, "regex syntax"),
  codeOnly("replacement refers to a missing group", req({ op: "replace", header: "x-a", regex: "(a)", with: "$2" }), `${OP0}.with`, /unknown group/, "replacement group reference"),
  codeOnly("replacement refers to a missing named group", req({ op: "path_regex", regex: "^/(?P<id>[0-9]+)$", with: "/${ID}" }), `${OP0}.with`, /unknown group/, "replacement group reference"),
  codeOnly("replacement with a bare $", req({ op: "replace", header: "x-a", regex: "a", with: "$x" }), `${OP0}.with`, /'\$'/, "replacement syntax"),
  codeOnly("template with an unknown source", req({ op: "set", header: "x-a", value: "${source}" }), `${OP0}.value`, /unknown source 'source'/, "template syntax"),
  codeOnly("template with a bare $", req({ op: "set", header: "x-a", value: "cost: $5" }), `${OP0}.value`, /'\$'/, "template syntax"),
  codeOnly("unterminated template variable", req({ op: "host", value: "${header:x-host" }), `${OP0}.value`, /unterminated/, "template syntax"),
  codeOnly("template header argument not a header name", req({ op: "query_set", param: "u", value: "${header:x user}" }), `${OP0}.value`, /not a valid header name/, "template syntax"),
  codeOnly("template source without its argument", resp({ op: "set", header: "x-a", value: "${claim}" }), `${P0}.ops[0].value`, /needs an argument/, "template syntax"),
  codeOnly("template source with an unexpected argument", req({ op: "append", header: "x-a", value: "${path:x}" }), `${OP0}.value`, /takes no argument/, "template syntax"),
  codeOnly("constant value with CR LF", req({ op: "set", header: "x-a", value: "a\r\nx-injected: 1" }), `${OP0}.value`, /control characters/, "control characters in a constant value"),
  codeOnly("constant value with a control character", resp({ op: "set_if_absent", header: "x-a", value: "a\u0001" }), `${P0}.ops[0].value`, /control characters/, "control characters in a constant value"),
  codeOnly("constant value with DEL", req({ op: "query_add", param: "a", value: "\u007f" }), `${OP0}.value`, /control characters/, "control characters in a constant value"),
  codeOnly("constant value longer than max_value_bytes", { max_value_bytes: 4, request: [{ ops: [{ op: "set", header: "x-a", value: "hello" }] }] },
    `${OP0}.value`, /max_value_bytes/, "a constant value's length against max_value_bytes (another field)"),
  codeOnly("duplicate key in one object", '{"trusted_hops": 1, "trusted_hops": 2}', "config", /duplicate key/, "duplicate JSON keys (a schema sees the parsed object)"),
];

// ---- filters/headers/README.md, read so that the README and this table cannot drift ----

const README_PATH = fileURLToPath(new URL("../../filters/headers/README.md", import.meta.url));
/** The fenced blocks of a Markdown text, each with the last non-empty line before it (its caption). */
const fences = (text: string) => [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)].map((m) => ({
  lang: m[1], body: m[2], caption: text.slice(0, m.index).trimEnd().split("\n").pop()!.replace(/:$/, ""),
}));

/** Every configuration the README shows: its ```json examples (a block with "…" is a sketch, not a
 *  configuration), the JSON inside the Envoy snippet and the Istio pluginConfig. */
export function readmeExamples(): { good: Good[]; sketches: number } {
  const text = readFileSync(README_PATH, "utf8");
  const out: Good[] = [];
  let sketches = 0;
  for (const f of fences(text)) {
    if (f.lang === "json") {
      if (f.body.includes("…")) { sketches++; continue; }
      out.push(good(`README example: ${f.caption}`, JSON.parse(f.body))); // a broken example throws here
    } else if (f.lang === "yaml") {
      const y = parseYaml(f.body);
      if (Array.isArray(y?.http_filters)) {
        for (const hf of y.http_filters) {
          const value = hf?.typed_config?.config?.configuration?.value;
          if (typeof value === "string" && hf.name === "wasmgate.headers") out.push(good("README Envoy configuration", JSON.parse(value)));
        }
      } else if (y?.kind === "WasmPlugin") out.push(good("README Istio pluginConfig", y.spec.pluginConfig));
    }
  }
  return { good: out, sketches };
}

/** The lines of the README's "Configuration errors" block: [path, message as written]. */
export function readmeErrorLines(): { path: string; message: string }[] {
  const text = readFileSync(README_PATH, "utf8");
  const section = text.slice(text.indexOf("## Configuration errors"));
  const block = fences(section)[0]?.body ?? "";
  return block.split("\n").filter(Boolean).map((line) => {
    const m = /^headers: (config\S*): (.*)$/.exec(line);
    if (!m) throw new Error(`README error line not in the form "headers: config.<path>: <reason>": ${line}`);
    return { path: m[1], message: m[2] };
  });
}
