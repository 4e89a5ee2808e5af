// Modules from other proxy-wasm SDKs, as Envoy loads and serves them. No Rust, Go, TinyGo, wasi-sdk or
// Emscripten toolchain is available here, so each tests/modules/sdk-*.wat reproduces the shape of a real
// build — imports, exports, start mechanism, the calls its runtime makes at start and its SDK makes
// around root creation — reasoned from the SDK sources named in the file's header.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createHost, LoadError } from "../../host/index.ts";
import { checkEnvoyImports } from "../../host/abi/imports-check.ts";
import { wasiFunctions } from "../../host/abi/signatures.ts";
import { header, host, messages, mod, until, value, values } from "./helpers.ts";

const SHAPES = ["sdk-rust", "sdk-cpp-emscripten", "sdk-cpp-wasi", "sdk-go-wasip1", "sdk-tinygo", "sdk-as-legacy"];

let upstream: http.Server;
let cluster = "";
before(async () => {
  upstream = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("pong");
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", () => r()));
  cluster = `127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
after(() => {
  upstream.closeAllConnections();
  upstream.close();
});

function imports(name: string): string[] {
  return WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(mod(name)))).map((i) => `${i.module}.${i.name}`);
}
/** Every value logged for `tag`, which must all be `expected` (each VM logs it once). */
function allEqual(logs: Parameters<typeof values>[0], tag: string, expected: string): void {
  const v = values(logs, tag);
  assert.ok(v.length > 0, `${tag} was never logged`);
  assert.deepEqual([...new Set(v)], [expected], `${tag}: ${v.join(", ")}`);
}
const errors = (logs: { level: string; message: string }[]) => logs.filter((l) => l.level === "error" || l.level === "critical").map((l) => l.message);

test("every SDK shape imports only what Envoy provides (the build's import check)", () => {
  for (const name of SHAPES) assert.deepEqual(checkEnvoyImports(readFileSync(mod(name)), name), [], name);
});

// ---- Rust: proxy-wasm-rust-sdk 0.2.x, cdylib for wasm32-wasip1 ----

test("rust sdk: ABI 0.2.1, _initialize, proxy_on_memory_allocate, the whole trait-reachable import list links", (t) => {
  const h = host(t, { module: mod("sdk-rust"), config: "auth", clusters: { auth: cluster } });
  const loaded = h.filters[0].loaded;
  assert.equal(loaded.abi, "0.2.1");
  assert.deepEqual(loaded.startFunctions, ["_initialize"]);
  assert.equal(loaded.allocator, "proxy_on_memory_allocate");
  assert.ok(!loaded.callbacks.has("malloc"));
  assert.ok(loaded.callbacks.has("proxy_on_foreign_function"), "exported with no result, as Envoy wants it");
  const env = imports("sdk-rust").filter((i) => i.startsWith("env."));
  assert.equal(env.length, 32);
  for (const f of ["proxy_grpc_call", "proxy_grpc_stream", "proxy_call_foreign_function", "proxy_done", "proxy_close_stream"]) {
    assert.ok(env.includes(`env.${f}`), f);
  }
  assert.deepEqual(imports("sdk-rust").filter((i) => !i.startsWith("env.")).sort(),
    ["wasi_snapshot_preview1.environ_get", "wasi_snapshot_preview1.environ_sizes_get", "wasi_snapshot_preview1.fd_write", "wasi_snapshot_preview1.proc_exit"]);
  allEqual(h.logs(), "rust_root_factory", "1");
  allEqual(h.logs(), "rust_config", "auth"); // read with max_size = usize::MAX
});

test("rust sdk: http_auth_random shape — callout on the root, set_effective_context, resume; tick from on_vm_start", async (t) => {
  const h = host(t, { module: mod("sdk-rust"), config: "auth", clusters: { auth: cluster } });
  const out = await h.request({ path: "/x" });
  assert.equal(out.response.status, 200);
  assert.equal(value(out.logs, "rust_call"), "0");
  assert.equal(value(out.logs, "rust_resp_ctx"), "1", "on_http_call_response runs on the root context");
  assert.equal(header(out.request?.headers, "x-rust-callout"), "pong", "added after set_effective_context, then resumed");
  assert.equal(header(out.response.headers, "x-sdk"), "rust");
  assert.ok(Number(value(out.logs, "rust_req_pairs")) >= 3);
  assert.deepEqual(errors(out.logs), []);
  await until(() => values(h.logs(), "rust_tick").length > 0, 2000, "rust on_tick");
  allEqual(h.logs(), "rust_tick", "1");
});

// ---- C++: proxy-wasm-cpp-sdk with Emscripten (the SDK's build) and with wasi-sdk ----

test("cpp sdk, Emscripten: heap growth during _initialize notifies; Envoy allows that only from 1.37 (cpp-host #461)", () => {
  assert.ok(imports("sdk-cpp-emscripten").includes("env.emscripten_notify_memory_growth"));
  assert.throws(() => createHost({ module: mod("sdk-cpp-emscripten"), rootId: "cpp_root" }),
    /restricted_callback: emscripten_notify_memory_growth is not allowed during VM start/);
  const h = createHost({ module: mod("sdk-cpp-emscripten"), rootId: "cpp_root", envoyVersion: "1.37" });
  try {
    assert.deepEqual(h.filters[0].loaded.startFunctions, ["_initialize"], "--no-entry: a reactor, no main, no _start");
    assert.equal(h.filters[0].loaded.allocator, "malloc");
    allEqual(h.logs(), "em_start_grows", "1");
  } finally {
    h.close();
  }
});

test("cpp sdk, Emscripten: plugin_root_id read while the root is created selects the registered root", async (t) => {
  const h = host(t, { module: mod("sdk-cpp-emscripten"), rootId: "cpp_root", config: "cfg-em", envoyVersion: "1.37" });
  const out = await h.request({ method: "POST", path: "/", body: "x".repeat(100) });
  assert.equal(out.response.status, 200);
  allEqual(h.logs(), "cpp_root_id", "cpp_root");
  allEqual(h.logs(), "cpp_factory_root", "1");
  assert.equal(header(out.request?.headers, "x-cpp-root"), "cpp_root");
  assert.equal(header(out.response.headers, "x-sdk"), "cpp-emscripten");
  assert.equal(header(out.response.headers, "x-cpp-config"), "cfg-em");
  assert.equal(value(out.logs, "cpp_body"), "100");

  const other = host(t, { module: mod("sdk-cpp-emscripten"), rootId: "elsewhere", config: "cfg-em", envoyVersion: "1.37" });
  const plain = await other.request({ path: "/" });
  allEqual(other.logs(), "cpp_factory_root", "0");
  assert.equal(header(plain.request?.headers, "x-cpp-root"), undefined, "a plain RootContext/Context does nothing");
  assert.equal(header(plain.response.headers, "x-sdk"), undefined);
});

test("cpp sdk, Emscripten: a host copy that makes malloc grow the heap notifies inside malloc — restricted in Envoy", async (t) => {
  const h = host(t, { module: mod("sdk-cpp-emscripten"), rootId: "cpp_root", envoyVersion: "1.37" });
  const out = await h.request({ method: "POST", path: "/", body: "x".repeat(100_000) });
  assert.equal(out.response.status, 503);
  assert.equal(out.details, "wasm_fail_stream");
  assert.ok(errors(out.logs).some((m) => /proxy_on_request_body failed: .*restricted_callback: emscripten_notify_memory_growth is not allowed inside malloc/.test(m)));
});

test("cpp sdk, wasi-sdk: wasi-libc's constructors read the environment and scan preopens at start; root by root id", async (t) => {
  const h = host(t, { module: mod("sdk-cpp-wasi"), rootId: "cpp_root", config: "cfg-wasi", environment: { WASMGATE_MODE: "test" } });
  assert.deepEqual(h.filters[0].loaded.startFunctions, ["_initialize"]);
  assert.equal(h.filters[0].loaded.allocator, "malloc");
  assert.ok(!imports("sdk-cpp-wasi").includes("env.emscripten_notify_memory_growth"));
  allEqual(h.logs(), "cpp_envc", "1");
  allEqual(h.logs(), "cpp_env", "WASMGATE_MODE=test");
  allEqual(h.logs(), "cpp_prestat", "8"); // EBADF ends the preopen scan
  const out = await h.request({ method: "POST", path: "/", body: "x".repeat(100_000) });
  assert.equal(out.response.status, 200, "dlmalloc grows memory without notifying anyone");
  assert.equal(value(out.logs, "cpp_body"), "100000");
  assert.equal(header(out.request?.headers, "x-cpp-root"), "cpp_root");
  assert.equal(header(out.response.headers, "x-sdk"), "cpp-wasi");
  assert.equal(header(out.response.headers, "x-cpp-config"), "cfg-wasi");
});

// ---- Go: proxy-wasm-go-sdk with Go 1.24, GOOS=wasip1 -buildmode=c-shared ----

test("go sdk: the Go runtime's and syscall's WASI calls during _initialize succeed as Envoy answers them", async (t) => {
  const h = host(t, { module: mod("sdk-go-wasip1"), config: "cfg-go", vmConfig: "vm-go", environment: { PWD: "/" } });
  const loaded = h.filters[0].loaded;
  assert.equal(loaded.abi, "0.2.0");
  assert.deepEqual(loaded.startFunctions, ["_initialize"]);
  assert.equal(loaded.allocator, "proxy_on_memory_allocate");
  const logs = h.logs();
  allEqual(logs, "go_argc", "0");
  allEqual(logs, "go_envc", "1");
  allEqual(logs, "go_env", "PWD=/");
  allEqual(logs, "go_clock", "1");
  allEqual(logs, "go_random", "0");
  allEqual(logs, "go_fdstat0", "8"); // stdin: EBADF, SetNonblock gives up
  allEqual(logs, "go_fdstat1", "0");
  allEqual(logs, "go_fdstat2", "0");
  allEqual(logs, "go_setflags", "52"); // ENOSYS, ignored by syscall's init
  allEqual(logs, "go_prestat", "8");
  allEqual(logs, "go_vm_config", "vm-go");
  allEqual(logs, "go_config", "cfg-go");
  const out = await h.request({ path: "/" });
  assert.equal(out.response.status, 200);
  assert.equal(header(out.request?.headers, "x-go-config"), "cfg-go");
  assert.equal(header(out.response.headers, "x-sdk"), "go");
});

test("go sdk: needs Envoy ≥ 1.33 (the WASI imports of cpp-host #427)", () => {
  assert.throws(() => createHost({ module: mod("sdk-go-wasip1"), envoyVersion: "1.32" }), (e: unknown) => {
    assert.ok(e instanceof LoadError);
    assert.match((e as Error).message, /^Failed to load Wasm module due to a missing import: wasi_snapshot_preview1\.(poll_oneoff|sched_yield|fd_fdstat_set_flags)$/);
    return true;
  });
  const wasi = wasiFunctions(1.38);
  assert.equal(wasi.fd_fdstat_set_rights, "iII>i", "cpp-host #533 registers it (larger Go plugins import it)");
  assert.equal(wasi.proc_raise, undefined, "cpp-host never registered proc_raise");
});

test("go sdk: poll_oneoff answers ENOSYS before 1.38, which Go's runtime turns into a fatal throw (golang/go#78513)", async (t) => {
  const old = host(t, { module: mod("sdk-go-wasip1"), config: "c" });
  const failed = await old.request({ path: "/", headers: [["x-go-gc", "1"]] });
  assert.equal(failed.response.status, 503);
  assert.equal(failed.details, "wasm_fail_stream");
  assert.ok(errors(failed.logs).some((m) => /proxy_on_request_headers failed: Uncaught RuntimeError: unreachable/.test(m)));

  const cur = host(t, { module: mod("sdk-go-wasip1"), config: "c", envoyVersion: "1.38" });
  const ok = await cur.request({ path: "/", headers: [["x-go-gc", "1"]] });
  assert.equal(ok.response.status, 200);
  assert.equal(value(ok.logs, "go_gc"), "1");
});

// ---- TinyGo: tetratelabs/proxy-wasm-go-sdk ----

test("tinygo sdk: _start, malloc preferred over the SDK's allocator, root told apart by plugin_root_id", async (t) => {
  const h = host(t, { filters: [
    { module: mod("sdk-tinygo"), rootId: "first", config: "cfg-a", vmConfig: "vm-a" },
    { module: mod("sdk-tinygo"), rootId: "second" },
  ] });
  const loaded = h.filters[0].loaded;
  assert.equal(loaded.abi, "0.2.0");
  assert.deepEqual(loaded.startFunctions, ["_start"]);
  assert.equal(loaded.allocator, "malloc");
  assert.ok(loaded.callbacks.has("proxy_on_memory_allocate"));
  const out = await h.request({ path: "/" });
  assert.equal(out.response.status, 200);
  assert.deepEqual(out.request?.headers.filter(([k]) => k === "x-tinygo-root").map(([, v]) => v), ["first", "second"]);
  assert.equal(header(out.response.headers, "x-sdk"), "tinygo");
  const roots = new Set(values(h.logs(), "tinygo_root_id"));
  assert.deepEqual([...roots].sort(), ["first", "second"]);
  allEqual(h.logs(), "tinygo_vm_config", "vm-a");
  allEqual(h.logs(), "tinygo_config", "cfg-a");
  assert.ok(values(out.logs, "tinygo_malloc_calls").every((n) => Number(n) > 0));
  allEqual(out.logs, "tinygo_poma_calls", "0");
});

test("tinygo sdk built for ABI 0.1.0 (v0.0.x, tag abi_010): three-parameter headers callbacks, refused", () => {
  assert.throws(() => createHost({ module: mod("sdk-tinygo-abi010") }), (e: unknown) => {
    assert.ok(e instanceof LoadError);
    assert.equal((e as Error).message,
      "Bad function signature for: proxy_on_request_headers, want: (i32, i32) -> (i32), but the module exports: (i32, i32, i32) -> (i32)");
    return true;
  });
});

// ---- AssemblyScript: solo-io/proxy-runtime (the old AS SDK) ----

test("old AS sdk: start section, wasi_unstable.proc_exit for abort, plugin_root_id read during root creation", async (t) => {
  const h = host(t, { module: mod("sdk-as-legacy"), rootId: "add_header", config: "from-config" });
  const loaded = h.filters[0].loaded;
  assert.ok(loaded.shape.hasStart, "top-level code runs from the Wasm start section");
  assert.deepEqual(loaded.startFunctions, []);
  assert.equal(loaded.allocator, "malloc");
  const imp = imports("sdk-as-legacy");
  assert.ok(imp.includes("wasi_unstable.proc_exit"));
  assert.ok(!imp.includes("env.abort"), "built with --use abort=abort_proc_exit");
  allEqual(h.logs(), "as_root_id", "add_header");
  allEqual(h.logs(), "as_config", "from-config");
  const out = await h.request({ path: "/" });
  assert.equal(header(out.response.headers, "hello"), "from-config");

  const bare = host(t, { module: mod("sdk-as-legacy"), rootId: "add_header" });
  assert.equal(header((await bare.request({ path: "/" })).response.headers, "hello"), "world!");
});

test("old AS sdk: an unregistered root id aborts in root on_context_create — Envoy accepts the config, then 503s", async (t) => {
  const h = host(t, { module: mod("sdk-as-legacy"), rootId: "other" });
  assert.ok(messages(h.logs()).includes("abort: Missing root context factory for root id: other"));
  const out = await h.request({ path: "/" });
  assert.equal(out.response.status, 503);
  assert.equal(out.details, "wasm_fail_stream");
});
