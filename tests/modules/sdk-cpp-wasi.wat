;; Third-party SDK shape: the same C++ plugin on proxy-wasm/proxy-wasm-cpp-sdk, built with clang from
;; wasi-sdk instead of Emscripten: clang++ --target=wasm32-wasi -mexec-model=reactor -O3
;; -Wl,--export-dynamic -Wl,--export=malloc -Wl,--export=free (the SDK's PROXY_WASM_KEEPALIVE is
;; `used` + default visibility, so the proxy_on_* callbacks are exported by --export-dynamic).
;; Hand-written: no wasi-sdk is available here, and no third-party code or binary is copied.
;; Reasoned from:
;;   - proxy-wasm/proxy-wasm-cpp-sdk commit e5256b0c5463ea9961965ad5de3e379e00486640:
;;     proxy_wasm_intrinsics.h (PROXY_WASM_KEEPALIVE), proxy_wasm_intrinsics.cc (exports; ensureRootContext
;;     reads plugin_root_id with CHECK_RESULT during proxy_on_context_create(id, 0) and picks the factory
;;     registered under it), example/http_wasm_example.cc (static RegisterContextFactory objects). The SDK
;;     only documents Emscripten; nothing in it needs Emscripten but the .js library (unused here).
;;   - WebAssembly/wasi-libc: crt1-reactor.c (_initialize calls __wasm_call_ctors),
;;     libc-bottom-half/sources/environ.c (environ is read eagerly by a priority-50 constructor when the
;;     program uses getenv/environ: environ_sizes_get + environ_get), libc-bottom-half/sources/preopens.c
;;     (wasi-libc of 2021-2022: __wasilibc_populate_preopens is a priority-51 constructor when path
;;     functions are linked, calling fd_prestat_get from fd 3 until EBADF), stdio (fd_write, fd_close,
;;     fd_seek, fd_fdstat_get), exit (proc_exit). dlmalloc grows memory with memory.grow and notifies no one.
;;   - proxy-wasm/proxy-wasm-cpp-host src/wasm.cc startVm(): environ_*, fd_prestat_get and
;;     fd_prestat_dir_name are allowed during start since the restriction arrived (PR #306, 2022-08);
;;     src/exports.cc: fd_prestat_get answers EBADF, environ_* serve vm_config.environment_variables.
;; Behaviour: as sdk-cpp-emscripten (root id "cpp_root" selects the plugin's root; x-cpp-root on the
;; request, x-sdk: cpp-wasi and x-cpp-config on the response, the request body read through malloc), plus
;; the constructors' WASI calls at start. The cpp_* lines are test instrumentation at warn.
;; (Generated layout: string constants live at fixed offsets; the comment after each (i32.const off)
;; (i32.const len) pair shows the text.)
(module
  (import "env" "proxy_log" (func $proxy_log (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_property" (func $proxy_get_property (param i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_get_buffer_bytes" (func $proxy_get_buffer_bytes (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_add_header_map_value" (func $proxy_add_header_map_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))

  (memory (export "memory") 2)

  ;; Bump allocator over the heap (never frees); grows memory when needed, 0 when it cannot.
  (global $bump (mut i32) (i32.const 32768))
  (func $alloc (param $n i32) (result i32)
    (local $p i32) (local $end i32)
    (local.set $p (global.get $bump))
    (local.set $end (i32.add (local.get $p) (local.get $n)))
    (if (i32.gt_u (local.get $end) (i32.shl (memory.size) (i32.const 16)))
      (then
        (if (i32.eq (memory.grow (i32.sub (i32.shr_u (i32.add (local.get $end) (i32.const 65535)) (i32.const 16)) (memory.size))) (i32.const -1))
          (then (return (i32.const 0))))))
    (global.set $bump (i32.and (i32.add (local.get $end) (i32.const 7)) (i32.const -8)))
    (local.get $p))

  ;; ---- shared helpers (copied into every test module) ----
  ;; Memory map: 0..63 out-params (0: ptr, 4: size, 8: u32/u64, 16: cas, 24: token/id), 64..1023 scratch,
  ;; 1024..4095 string constants, 4096..8191 log-line buffer, 8192.. number buffer, 32768.. bump heap.
  ;; itoa: unsigned decimal of $v at $out; returns the length.
  (func $itoa (param $v i32) (param $out i32) (result i32)
    (local $len i32) (local $t i32) (local $i i32)
    (local.set $t (local.get $v))
    (local.set $len (i32.const 1))
    (block $done (loop $count
      (br_if $done (i32.lt_u (local.get $t) (i32.const 10)))
      (local.set $t (i32.div_u (local.get $t) (i32.const 10)))
      (local.set $len (i32.add (local.get $len) (i32.const 1)))
      (br $count)))
    (local.set $i (local.get $len))
    (loop $write
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (i32.store8 (i32.add (local.get $out) (local.get $i)) (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
      (local.set $v (i32.div_u (local.get $v) (i32.const 10)))
      (br_if $write (local.get $i)))
    (local.get $len))
  ;; report: log "<tag>=<decimal v>" at warn (3), which survives Envoy's default info level.
  (func $report (param $tp i32) (param $tl i32) (param $v i32)
    (local $n i32)
    (memory.copy (i32.const 4096) (local.get $tp) (local.get $tl))
    (i32.store8 (i32.add (i32.const 4096) (local.get $tl)) (i32.const 61))
    (local.set $n (call $itoa (local.get $v) (i32.add (i32.const 4097) (local.get $tl))))
    (drop (call $proxy_log (i32.const 3) (i32.const 4096) (i32.add (i32.add (local.get $tl) (i32.const 1)) (local.get $n)))))
  ;; logv: log "<tag>=<bytes>" at warn.
  (func $logv (param $tp i32) (param $tl i32) (param $p i32) (param $l i32)
    (memory.copy (i32.const 4096) (local.get $tp) (local.get $tl))
    (i32.store8 (i32.add (i32.const 4096) (local.get $tl)) (i32.const 61))
    (memory.copy (i32.add (i32.const 4097) (local.get $tl)) (local.get $p) (local.get $l))
    (drop (call $proxy_log (i32.const 3) (i32.const 4096) (i32.add (i32.add (local.get $tl) (i32.const 1)) (local.get $l)))))
  ;; logs: log a constant at warn.
  (func $logs (param $p i32) (param $l i32)
    (drop (call $proxy_log (i32.const 3) (local.get $p) (local.get $l))))
  ;; outp / outs: the (ptr, size) a host call wrote to 0 and 4.
  (func $outp (result i32) (i32.load (i32.const 0)))
  (func $outs (result i32) (i32.load (i32.const 4)))

  ;; ---- module-specific code ----

  (func (export "malloc") (param $n i32) (result i32) (call $alloc (local.get $n)))
  (func (export "free") (param $p i32))

  ;; crt1-reactor: _initialize = __wasm_call_ctors.
  (func (export "_initialize")
    (local $count i32) (local $size i32) (local $buf i32) (local $st i32)
    ;; priority 50: __wasilibc_initialize_environ_eagerly
    (if (call $environ_sizes_get (i32.const 8) (i32.const 12)) (then (call $proc_exit (i32.const 71)) (unreachable)))
    (local.set $count (i32.load (i32.const 8)))
    (local.set $size (i32.load (i32.const 12)))
    (call $report (i32.const 1024) (i32.const 8) (;"cpp_envc";) (local.get $count))
    (if (local.get $count)
      (then
        (local.set $buf (call $alloc (i32.add (i32.mul (local.get $count) (i32.const 4)) (local.get $size))))
        (if (call $environ_get (local.get $buf) (i32.add (local.get $buf) (i32.mul (local.get $count) (i32.const 4))))
          (then (call $proc_exit (i32.const 71)) (unreachable)))
        (call $logv (i32.const 1032) (i32.const 7) (;"cpp_env";) (i32.load (local.get $buf))
          (i32.sub (i32.sub (select (i32.load offset=4 (local.get $buf)) (i32.add (i32.load (local.get $buf)) (local.get $size)) (i32.gt_u (local.get $count) (i32.const 1)))
            (i32.load (local.get $buf))) (i32.const 1)))))
    ;; priority 51: __wasilibc_populate_preopens, from fd 3 until EBADF (8); another error exits (EX_OSERR)
    (local.set $st (call $fd_prestat_get (i32.const 3) (i32.const 256)))
    (call $report (i32.const 1039) (i32.const 11) (;"cpp_prestat";) (local.get $st))
    (if (i32.and (i32.ne (local.get $st) (i32.const 8)) (i32.ne (local.get $st) (i32.const 0)))
      (then (call $proc_exit (i32.const 71)) (unreachable)))
    ;; C++ static initialisers: RegisterContextFactory register_CppRoot(..., "cpp_root")
    (drop (call $alloc (i32.const 64)))
    (global.set $factory_registered (i32.const 1)))

  (global $factory_registered (mut i32) (i32.const 0))
  (global $factory_root (mut i32) (i32.const 0))
  (global $rootp (mut i32) (i32.const 0))
  (global $rootl (mut i32) (i32.const 0))
  (global $cfgp (mut i32) (i32.const 0))
  (global $cfgl (mut i32) (i32.const 0))

  (func $eq (param $a i32) (param $al i32) (param $b i32) (param $bl i32) (result i32)
    (local $i i32)
    (if (i32.ne (local.get $al) (local.get $bl)) (then (return (i32.const 0))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $al)))
      (if (i32.ne (i32.load8_u (i32.add (local.get $a) (local.get $i))) (i32.load8_u (i32.add (local.get $b) (local.get $i))))
        (then (return (i32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (i32.const 1))

  (func (export "proxy_abi_version_0_2_1"))
  ;; proxy_on_context_create: ensureRootContext() for a root, ensureContext() for a stream.
  (func (export "proxy_on_context_create") (param $ctx i32) (param $parent i32)
    (if (local.get $parent) (then (return)))
    ;; CHECK_RESULT(proxy_get_property("plugin_root_id", ...)): anything but Ok logs at critical and aborts.
    (if (call $proxy_get_property (i32.const 1050) (i32.const 14) (;"plugin_root_id";) (i32.const 0) (i32.const 4))
      (then
        (drop (call $proxy_log (i32.const 5) (i32.const 1064) (i32.const 41) (;"proxy_get_property(\"plugin_root_id\", ...)";)))
        (unreachable)))
    (global.set $rootp (call $outp))
    (global.set $rootl (call $outs))
    (call $logv (i32.const 1105) (i32.const 11) (;"cpp_root_id";) (global.get $rootp) (global.get $rootl))
    ;; root_factories->find(root_id): the registered RootContext, else a plain RootContext.
    (global.set $factory_root (i32.and (global.get $factory_registered) (call $eq (global.get $rootp) (global.get $rootl) (i32.const 1116) (i32.const 8) (;"cpp_root";))))
    (call $report (i32.const 1124) (i32.const 16) (;"cpp_factory_root";) (global.get $factory_root)))
  (func (export "proxy_on_vm_start") (param $root i32) (param $size i32) (result i32) (i32.const 1))
  (func (export "proxy_validate_configuration") (param $root i32) (param $size i32) (result i32) (i32.const 1))
  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    (if (i32.eqz (global.get $factory_root)) (then (return (i32.const 1)))) ;; RootContext::onConfigure
    (if (call $proxy_get_buffer_bytes (i32.const 7) (i32.const 0) (local.get $size) (i32.const 0) (i32.const 4))
      (then (return (i32.const 0))))
    (global.set $cfgp (call $outp))
    (global.set $cfgl (call $outs))
    (call $logv (i32.const 1140) (i32.const 10) (;"cpp_config";) (global.get $cfgp) (global.get $cfgl))
    (i32.const 1))
  (func (export "proxy_on_request_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (if (global.get $factory_root)
      (then (drop (call $proxy_add_header_map_value (i32.const 0) (i32.const 1150) (i32.const 10) (;"x-cpp-root";) (global.get $rootp) (global.get $rootl)))))
    (i32.const 0))
  ;; getBufferBytes(WasmBufferType::HttpRequestBody, 0, body_buffer_length): the host allocates a copy
  ;; through malloc.
  (func (export "proxy_on_request_body") (param $ctx i32) (param $size i32) (param $eos i32) (result i32)
    (if (i32.eqz (global.get $factory_root)) (then (return (i32.const 0))))
    (if (i32.eqz (call $proxy_get_buffer_bytes (i32.const 0) (i32.const 0) (local.get $size) (i32.const 0) (i32.const 4)))
      (then (call $report (i32.const 1160) (i32.const 8) (;"cpp_body";) (call $outs))))
    (i32.const 0))
  (func (export "proxy_on_response_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (if (global.get $factory_root)
      (then
        (drop (call $proxy_add_header_map_value (i32.const 2) (i32.const 1168) (i32.const 5) (;"x-sdk";) (i32.const 1173) (i32.const 8) (;"cpp-wasi";)))
        (drop (call $proxy_add_header_map_value (i32.const 2) (i32.const 1181) (i32.const 12) (;"x-cpp-config";) (global.get $cfgp) (global.get $cfgl)))))
    (i32.const 0))
  (func (export "proxy_on_done") (param $ctx i32) (result i32) (i32.const 1))
  (func (export "proxy_on_log") (param $ctx i32))
  (func (export "proxy_on_delete") (param $ctx i32))

  ;; The rest of proxy_wasm_intrinsics.cc: ContextBase / RootContext / Context defaults.
  (func (export "proxy_on_tick") (param i32))
  (func (export "proxy_on_new_connection") (param i32) (result i32) (i32.const 0))
  (func (export "proxy_on_downstream_data") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_upstream_data") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_downstream_connection_close") (param i32 i32))
  (func (export "proxy_on_upstream_connection_close") (param i32 i32))
  (func (export "proxy_on_request_metadata") (param i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_request_trailers") (param i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_response_metadata") (param i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_response_body") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_response_trailers") (param i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_http_call_response") (param i32 i32 i32 i32 i32))
  (func (export "proxy_on_grpc_receive_initial_metadata") (param i32 i32 i32))
  (func (export "proxy_on_grpc_receive_trailing_metadata") (param i32 i32 i32))
  (func (export "proxy_on_grpc_receive") (param i32 i32 i32))
  (func (export "proxy_on_grpc_close") (param i32 i32 i32))
  (func (export "proxy_on_queue_ready") (param i32 i32))
  (func (export "proxy_on_foreign_function") (param i32 i32 i32))
  (data (i32.const 1024) "cpp_envc")
  (data (i32.const 1032) "cpp_env")
  (data (i32.const 1039) "cpp_prestat")
  (data (i32.const 1050) "plugin_root_id")
  (data (i32.const 1064) "proxy_get_property(\22plugin_root_id\22, ...)")
  (data (i32.const 1105) "cpp_root_id")
  (data (i32.const 1116) "cpp_root")
  (data (i32.const 1124) "cpp_factory_root")
  (data (i32.const 1140) "cpp_config")
  (data (i32.const 1150) "x-cpp-root")
  (data (i32.const 1160) "cpp_body")
  (data (i32.const 1168) "x-sdk")
  (data (i32.const 1173) "cpp-wasi")
  (data (i32.const 1181) "x-cpp-config")
)
