;; Third-party SDK shape: a C++ plugin on proxy-wasm/proxy-wasm-cpp-sdk built the SDK's own way, with
;; Emscripten (em++ -O3 -flto --no-entry -sSTANDALONE_WASM -sEXPORTED_FUNCTIONS=_malloc
;; -sALLOW_MEMORY_GROWTH=1 -sINITIAL_HEAP=64KB). Hand-written: no Emscripten is available here, and no
;; third-party code or binary is copied.
;; Reasoned from:
;;   - proxy-wasm/proxy-wasm-cpp-sdk commit e5256b0c5463ea9961965ad5de3e379e00486640 (the version Envoy
;;     pins, with emsdk 4.0.6): bazel/defs.bzl and Makefile (the link options above; --no-entry makes a
;;     reactor: `_initialize`, no `main`, no `_start`), proxy_wasm_intrinsics.cc (the exported callbacks,
;;     proxy_on_foreign_function without a result; ensureRootContext() reads the property plugin_root_id
;;     with CHECK_RESULT, i.e. log at critical and abort() unless Ok, while proxy_on_context_create(id, 0)
;;     runs, and picks the RootContext factory registered under that root id, else a plain RootContext),
;;     proxy_wasm_api.h (CHECK_RESULT, getBufferBytes), example/http_wasm_example.cc (static
;;     RegisterContextFactory objects: C++ static initialisers, run by _initialize).
;;   - emscripten system/lib/standalone/standalone.c: with ALLOW_MEMORY_GROWTH, emscripten_resize_heap()
;;     grows the memory and then calls the import env.emscripten_notify_memory_growth(0); dlmalloc's sbrk
;;     goes through it. The stack-helper and __indirect_function_table exports and the WASI imports below
;;     (libc stdio: fd_write/fd_close/fd_seek; exit: proc_exit) are typical of a standalone build, not
;;     taken from a real binary.
;;   - proxy-wasm/proxy-wasm-cpp-host: PR #288 (73fe589, 2022-06) registered
;;     env.emscripten_notify_memory_growth; PR #461 (14fa83a, 2025-11-20, "needed in order to make use of a
;;     smaller emscripten INITIAL_HEAP setting") allowed it during start; include/proxy-wasm/wasm.h
;;     allocMemory() still allows only proxy_log, fd_write, clock_time_get and poll_oneoff inside malloc.
;; Behaviour: _initialize runs the static initialisers: the root factory for root id "cpp_root" and, as
;; for a plugin linking protobuf/abseil, more than the 64 KiB initial heap, so the heap grows (and notifies)
;; during start. The "cpp_root" root reads its configuration; its streams add x-cpp-root: <root id> to the
;; request, read the request body with getBufferBytes (a host copy through malloc) and add
;; x-sdk: cpp-emscripten and x-cpp-config: <configuration> to the response. Under any other root id the
;; plain RootContext/Context do nothing. The cpp_* / em_* lines are test instrumentation at warn.
;; (Generated layout: string constants live at fixed offsets; the comment after each (i32.const off)
;; (i32.const len) pair shows the text.)
(module
  (import "env" "proxy_log" (func $proxy_log (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_property" (func $proxy_get_property (param i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_get_buffer_bytes" (func $proxy_get_buffer_bytes (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_add_header_map_value" (func $proxy_add_header_map_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "emscripten_notify_memory_growth" (func $emscripten_notify_memory_growth (param i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))

  ;; Static data and the 64 KiB stack below 65536, then INITIAL_HEAP = 64 KiB of heap.
  (memory (export "memory") 2)
  (table (export "__indirect_function_table") 1 funcref)
  (global $__stack_pointer (mut i32) (i32.const 65536))

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

  ;; dlmalloc over sbrk; sbrk past the end calls emscripten_resize_heap: memory.grow, then the notification.
  (global $brk (mut i32) (i32.const 65536))
  (global $grows (mut i32) (i32.const 0))
  (func $malloc (export "malloc") (param $n i32) (result i32)
    (local $p i32) (local $end i32)
    (local.set $p (global.get $brk))
    (local.set $end (i32.and (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 7)) (i32.const -8)))
    (if (i32.gt_u (local.get $end) (i32.shl (memory.size) (i32.const 16)))
      (then
        (if (i32.eq (memory.grow (i32.sub (i32.shr_u (i32.add (local.get $end) (i32.const 65535)) (i32.const 16)) (memory.size))) (i32.const -1))
          (then (return (i32.const 0))))
        (global.set $grows (i32.add (global.get $grows) (i32.const 1)))
        (call $emscripten_notify_memory_growth (i32.const 0))))
    (global.set $brk (local.get $end))
    (local.get $p))
  (func (export "_emscripten_stack_restore") (param $sp i32) (global.set $__stack_pointer (local.get $sp)))
  (func (export "_emscripten_stack_alloc") (param $n i32) (result i32)
    (global.set $__stack_pointer (i32.and (i32.sub (global.get $__stack_pointer) (local.get $n)) (i32.const -16)))
    (global.get $__stack_pointer))
  (func (export "emscripten_stack_get_current") (result i32) (global.get $__stack_pointer))

  ;; The reactor entry point: __wasm_call_ctors, i.e. the C++ static initialisers.
  (func (export "_initialize")
    ;; RegisterContextFactory register_CppRoot(CONTEXT_FACTORY(...), ROOT_FACTORY(...), "cpp_root")
    (drop (call $malloc (i32.const 64)))
    (global.set $factory_registered (i32.const 1))
    ;; the static state of the libraries the plugin links, larger than INITIAL_HEAP
    (drop (call $malloc (i32.const 80000)))
    (call $report (i32.const 1024) (i32.const 14) (;"em_start_grows";) (global.get $grows)))

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
    (if (call $proxy_get_property (i32.const 1038) (i32.const 14) (;"plugin_root_id";) (i32.const 0) (i32.const 4))
      (then
        (drop (call $proxy_log (i32.const 5) (i32.const 1052) (i32.const 41) (;"proxy_get_property(\"plugin_root_id\", ...)";)))
        (unreachable)))
    (global.set $rootp (call $outp))
    (global.set $rootl (call $outs))
    (call $logv (i32.const 1093) (i32.const 11) (;"cpp_root_id";) (global.get $rootp) (global.get $rootl))
    ;; root_factories->find(root_id): the registered RootContext, else a plain RootContext.
    (global.set $factory_root (i32.and (global.get $factory_registered) (call $eq (global.get $rootp) (global.get $rootl) (i32.const 1104) (i32.const 8) (;"cpp_root";))))
    (call $report (i32.const 1112) (i32.const 16) (;"cpp_factory_root";) (global.get $factory_root)))
  (func (export "proxy_on_vm_start") (param $root i32) (param $size i32) (result i32) (i32.const 1))
  (func (export "proxy_validate_configuration") (param $root i32) (param $size i32) (result i32) (i32.const 1))
  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    (if (i32.eqz (global.get $factory_root)) (then (return (i32.const 1)))) ;; RootContext::onConfigure
    (if (call $proxy_get_buffer_bytes (i32.const 7) (i32.const 0) (local.get $size) (i32.const 0) (i32.const 4))
      (then (return (i32.const 0))))
    (global.set $cfgp (call $outp))
    (global.set $cfgl (call $outs))
    (call $logv (i32.const 1128) (i32.const 10) (;"cpp_config";) (global.get $cfgp) (global.get $cfgl))
    (i32.const 1))
  (func (export "proxy_on_request_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (if (global.get $factory_root)
      (then (drop (call $proxy_add_header_map_value (i32.const 0) (i32.const 1138) (i32.const 10) (;"x-cpp-root";) (global.get $rootp) (global.get $rootl)))))
    (i32.const 0))
  ;; getBufferBytes(WasmBufferType::HttpRequestBody, 0, body_buffer_length): the host allocates a copy
  ;; through malloc.
  (func (export "proxy_on_request_body") (param $ctx i32) (param $size i32) (param $eos i32) (result i32)
    (if (i32.eqz (global.get $factory_root)) (then (return (i32.const 0))))
    (if (i32.eqz (call $proxy_get_buffer_bytes (i32.const 0) (i32.const 0) (local.get $size) (i32.const 0) (i32.const 4)))
      (then (call $report (i32.const 1148) (i32.const 8) (;"cpp_body";) (call $outs))))
    (i32.const 0))
  (func (export "proxy_on_response_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (if (global.get $factory_root)
      (then
        (drop (call $proxy_add_header_map_value (i32.const 2) (i32.const 1156) (i32.const 5) (;"x-sdk";) (i32.const 1161) (i32.const 14) (;"cpp-emscripten";)))
        (drop (call $proxy_add_header_map_value (i32.const 2) (i32.const 1175) (i32.const 12) (;"x-cpp-config";) (global.get $cfgp) (global.get $cfgl)))))
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
  (data (i32.const 1024) "em_start_grows")
  (data (i32.const 1038) "plugin_root_id")
  (data (i32.const 1052) "proxy_get_property(\22plugin_root_id\22, ...)")
  (data (i32.const 1093) "cpp_root_id")
  (data (i32.const 1104) "cpp_root")
  (data (i32.const 1112) "cpp_factory_root")
  (data (i32.const 1128) "cpp_config")
  (data (i32.const 1138) "x-cpp-root")
  (data (i32.const 1148) "cpp_body")
  (data (i32.const 1156) "x-sdk")
  (data (i32.const 1161) "cpp-emscripten")
  (data (i32.const 1175) "x-cpp-config")
)
