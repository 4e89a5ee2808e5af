// Pitfalls 2 and 14: header-map lifetime (request headers die when on_request_headers returns
// Continue) and header-map details (first of duplicates, inline joins, replace, set pairs, byte size).
import { test } from "node:test";
import assert from "node:assert/strict";
import { host, mod, value, header } from "./helpers.ts";
import { HeaderMap } from "../../host/envoy/header-map.ts";

test("pitfall 2: request headers are unreadable in on_response_headers after Continue, readable again in on_log", async (t) => {
  const h = host(t, { module: mod("header-lifetime") });
  const out = await h.request({ path: "/lifetime" });
  assert.equal(value(out.logs, "req_get"), "0");
  assert.equal(value(out.logs, "req_prop"), "0");
  assert.equal(value(out.logs, "resp_get"), "2", "get_header_map_value(REQUEST_HEADERS) → BadArgument");
  assert.equal(header(out.response.headers, "x-req-get"), "2");
  assert.equal(value(out.logs, "resp_pairs"), "0", "get_header_map_pairs → Ok ...");
  assert.equal(value(out.logs, "resp_pairs_size"), "0", "... with an empty map");
  assert.equal(value(out.logs, "resp_prop"), "1", "request.path is NotFound once the headers are gone");
  assert.equal(value(out.logs, "log_get"), "0");
  assert.equal(value(out.logs, "log_path"), "/lifetime");
  assert.equal(value(out.logs, "log_prop"), "0");
});

// The request headers as the host builds them: the given ones plus :scheme and x-forwarded-proto.
const dupHeaders: [string, string][] = [
  ["x-request-id", "rid-1"], ["x-dup", "a"], ["x-dup", "b"], ["x-forwarded-for", "10.0.0.1"],
  ["x-multi", "1"], ["x-multi", "2"],
];

test("pitfall 14: get returns the first duplicate, get_header_map_size is a byte size, add joins inline headers, replace drops duplicates", async (t) => {
  const h = host(t, { module: mod("headers") });
  const out = await h.request({ method: "GET", path: "/h", authority: "example.com", headers: dupHeaders });
  const sent: [string, string][] = [[":method", "GET"], [":path", "/h"], [":authority", "example.com"], [":scheme", "http"], ...dupHeaders, ["x-forwarded-proto", "http"]];
  assert.equal(value(out.logs, "count"), String(sent.length));
  assert.equal(value(out.logs, "size_rc"), "0");
  assert.equal(value(out.logs, "size"), String(sent.reduce((n, [k, v]) => n + k.length + v.length, 0)), "Σ key+value bytes, not a count");
  assert.equal(value(out.logs, "dup"), "a", "first value only, not joined");
  assert.equal(value(out.logs, "get_missing"), "1", "missing key → NotFound (0.2.x)");
  const fwd = out.request!.headers;
  assert.deepEqual(fwd.filter(([k]) => k === "x-forwarded-for"), [["x-forwarded-for", "10.0.0.1,10.0.0.2"]]);
  assert.deepEqual(fwd.filter(([k]) => k === "x-dup"), [["x-dup", "a"], ["x-dup", "b"], ["x-dup", "c"]]);
  assert.deepEqual(fwd.filter(([k]) => k === "x-multi"), [["x-multi", "one"]]);
});

test("pitfall 14: set_header_map_pairs removes every entry, pseudo-headers included", async (t) => {
  const h = host(t, { module: mod("headers") });
  const out = await h.request({ path: "/p", headers: [["x-op", "p"], ["x-keep", "no"]] });
  assert.equal(value(out.logs, "set_pairs"), "0");
  assert.deepEqual(out.request!.headers, [[":method", "POST"], ["x-only", "1"]]);
});

test("pitfall 14: a malformed serialized map silently clears the header map", async (t) => {
  const h = host(t, { module: mod("headers") });
  const out = await h.request({ path: "/m", headers: [["x-op", "m"]] });
  assert.equal(value(out.logs, "set_malformed"), "0", "no error code");
  assert.deepEqual(out.request!.headers, []);
});

// The header map itself, against Envoy's HeaderMapImpl (source/common/http/header_map_impl.cc) and the
// inline lists of envoy/http/header_map.h (INLINE_REQ_*, INLINE_RESP_*, INLINE_REQ_RESP_*,
// INLINE_RESP_HEADERS_TRAILERS), as Envoy 1.33–1.36 has them. Context::{add,replace}HeaderMapValue
// (source/extensions/common/wasm/context.cc) call addCopy / setCopy.
test("header map: add of an empty value onto an existing inline header changes nothing (appendToHeader returns at empty data)", () => {
  const m = new HeaderMap("request", [["x-forwarded-for", "10.0.0.1"], ["x-a", "1"]]);
  m.add("x-forwarded-for", "");
  assert.deepEqual(m.entries, [["x-forwarded-for", "10.0.0.1"], ["x-a", "1"]]);
  m.add("x-a", ""); // not inline: a new (empty) entry
  assert.deepEqual(m.entries, [["x-forwarded-for", "10.0.0.1"], ["x-a", "1"], ["x-a", ""]]);
  const e = new HeaderMap("request", [["user-agent", ""]]);
  e.add("user-agent", "u"); // an empty inline value takes the data without a delimiter
  assert.deepEqual(e.entries, [["user-agent", "u"]]);
});

test("header map: replace of an inline header moves it to the end, as for any header (setCopy is remove + addCopy)", () => {
  const m = new HeaderMap("request", [[":method", "GET"], [":path", "/"], [":authority", "a"], ["user-agent", "u"], ["x-a", "1"]]);
  m.set("user-agent", "v");
  assert.deepEqual(m.entries, [[":method", "GET"], [":path", "/"], [":authority", "a"], ["x-a", "1"], ["user-agent", "v"]]);
  m.set(":path", "/b"); // a pseudo-header goes to the end of the pseudo-headers (HeaderList::insert)
  assert.deepEqual(m.entries, [[":method", "GET"], [":authority", "a"], [":path", "/b"], ["x-a", "1"], ["user-agent", "v"]]);
  const r = new HeaderMap("response", [[":status", "200"], ["server", "s"], ["x-b", "1"]]);
  r.set("server", "ours");
  assert.deepEqual(r.entries, [[":status", "200"], ["x-b", "1"], ["server", "ours"]]);
});

test("header map: the inline sets are Envoy's: cookie is not inline, referer is (registered by the CEL attributes Wasm links)", () => {
  const joined = (kind: "request" | "response", name: string) => {
    const m = new HeaderMap(kind, [[name, "1"], [name, "2"]]);
    return m.getAll(name);
  };
  // cookie: a plain header unless bootstrap inline_headers registers it, so two adds are two entries.
  assert.deepEqual(joined("request", "cookie"), ["1", "2"]);
  // source/extensions/filters/common/expr/context.cc: referer_handle registers referer for request maps.
  assert.deepEqual(joined("request", "referer"), ["1,2"]);
  assert.deepEqual(joined("request", "x-envoy-upstream-stream-duration-ms"), ["1,2"]);
  // INLINE_REQ_RESP_NUMERIC_HEADERS: x-envoy-attempt-count is inline in response maps too.
  assert.deepEqual(joined("response", "x-envoy-attempt-count"), ["1,2"]);
  // INLINE_RESP_HEADERS_TRAILERS is registered for response header maps as well as trailers.
  assert.deepEqual(joined("response", "grpc-status"), ["1,2"]);
  assert.deepEqual(joined("response", "grpc-message"), ["1,2"]);
  // x-envoy-overloaded left the inline list (no longer in INLINE_RESP_STRING_HEADERS).
  assert.deepEqual(joined("response", "x-envoy-overloaded"), ["1", "2"]);
});

test("header map: keys are lower-cased as Envoy's LowerCaseString does it: ASCII only (absl::ascii_tolower)", () => {
  const m = new HeaderMap("request", [["X-Étag", "1"], ["\u212Aey", "2"], ["key", "3"], ["\u0130d", "4"]]);
  // É, the Kelvin sign and İ are not ASCII: Envoy keeps them; JavaScript's toLowerCase would turn
  // the Kelvin sign into "k" (a second "key") and İ into two code units.
  assert.deepEqual(m.entries, [["x-Étag", "1"], ["\u212Aey", "2"], ["key", "3"], ["\u0130d", "4"]]);
  assert.equal(m.get("KEY"), "3");
  assert.equal(m.get("\u212AEY"), "2");
});

// Envoy before 1.24 let a module make any host call from inside its malloc (proxy-wasm-cpp-host #306
// restricted it). get_header_map_pairs serialises the map before it calls the guest's malloc, so a
// map the module changes from inside that malloc reaches it as it was before, and well-formed (the
// field lengths and the data were taken together): set_header_map_pairs of what it got back gives
// exactly the headers from before the change. Compiled here from WAT (wabt), not a tests/modules one.
test("get_header_map_pairs: a header added from inside the guest's malloc (Envoy 1.23) is not in the map handed over, which is well-formed", async (t) => {
  const wabt = await (await import("wabt")).default();
  const wat = (setBack: boolean) => `(module
    (import "env" "proxy_get_header_map_pairs" (func $pairs (param i32 i32 i32) (result i32)))
    (import "env" "proxy_set_header_map_pairs" (func $set (param i32 i32 i32) (result i32)))
    (import "env" "proxy_add_header_map_value" (func $add (param i32 i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 2)
    (data (i32.const 1024) "x-late")
    (data (i32.const 1040) "1")
    (global $bump (mut i32) (i32.const 32768))
    (global $reenter (mut i32) (i32.const 0))
    (func (export "proxy_abi_version_0_2_1"))
    (func (export "proxy_on_memory_allocate") (param $n i32) (result i32)
      (local $p i32)
      (if (global.get $reenter) (then
        (global.set $reenter (i32.const 0))
        (drop (call $add (i32.const 0) (i32.const 1024) (i32.const 6) (i32.const 1040) (i32.const 1)))))
      (local.set $p (global.get $bump))
      (global.set $bump (i32.and (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 7)) (i32.const -8)))
      (local.get $p))
    (func (export "proxy_on_context_create") (param i32 i32))
    (func (export "proxy_on_vm_start") (param i32 i32) (result i32) (i32.const 1))
    (func (export "proxy_on_configure") (param i32 i32) (result i32) (i32.const 1))
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
      (global.set $reenter (i32.const 1))
      (drop (call $pairs (i32.const 0) (i32.const 0) (i32.const 4)))
      ${setBack ? "(drop (call $set (i32.const 0) (i32.load (i32.const 0)) (i32.load (i32.const 4))))" : ""}
      (i32.const 0))
    (func (export "proxy_on_done") (param i32) (result i32) (i32.const 1))
    (func (export "proxy_on_delete") (param i32)))`;
  const compile = (setBack: boolean) => new Uint8Array(wabt.parseWat("reenter.wat", wat(setBack)).toBinary({}).buffer);
  // Without the set_header_map_pairs, the header added inside malloc is there (the add did run).
  const plain = await host(t, { module: compile(false), envoyVersion: "1.23" }).request({ method: "GET", path: "/p", authority: "a.example", headers: [] });
  assert.ok(plain.request!.headers.some(([k, v]) => k === "x-late" && v === "1"), JSON.stringify(plain.request));
  const bytes = compile(true);
  for (const [name, value] of [["x-a", "1"], ["x-b", "ünïcode"]] as const) {
    const h = host(t, { module: bytes, envoyVersion: "1.23" });
    const out = await h.request({ method: "GET", path: "/p", authority: "a.example", headers: [["x-z", "0"], [name, value]] });
    assert.ok(out.forwarded);
    const got = out.request!.headers;
    assert.ok(got.some(([k, v]) => k === name && v === value), JSON.stringify(got));
    assert.ok(got.some(([k, v]) => k === "x-z" && v === "0"), JSON.stringify(got));
    assert.ok(!got.some(([k]) => k === "x-late"), JSON.stringify(got));
  }
});
