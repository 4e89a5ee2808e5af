;; Third-party SDK shape: an AssemblyScript plugin on the old AssemblyScript SDK, solo-io/proxy-runtime
;; 0.1.15 with AssemblyScript 0.21, built the way its README and examples/addheader do it
;; (`asc assembly/index.ts --target release` with asconfig `"use": "abort=abort_proc_exit"`,
;; `"bindings": "esm"`, no --exportStart), running the README's "Hello, World" (AddHeaderRoot, registered
;; under the root id "add_header"). Hand-written; no third-party code or binary is copied.
;; Reasoned from solo-io/proxy-runtime commit 3cdeddde8e4b21f1691c58fc1ec8358ccfbbbba5 (v0.1.15):
;;   - assembly/imports.ts: every host function is @external("env", "proxy_…"); AssemblyScript only emits
;;     the imports a program reaches (here: log, get_property, get_buffer_bytes, add_header_map_value);
;;   - assembly/wasi_unstable.ts: `declare function proc_exit` in a file named wasi_unstable, so the import
;;     is wasi_unstable.proc_exit; assembly/runtime.ts abort_proc_exit (the `--use abort=` target) logs
;;     "abort: <message> at: <file>(<line>:<column>)" at critical and calls proc_exit(255). Without that
;;     flag the module imports env.abort and Envoy refuses it ("missing import: env.abort").
;;   - assembly/proxy.ts + assembly/exports.ts: the exported callbacks, among them malloc (not
;;     proxy_on_memory_allocate), proxy_on_foreign_function with no result, proxy_validate_configuration,
;;     the *_metadata callbacks and a misnamed proxy_on_grpc_trailing_metadata (which no host looks up);
;;   - assembly/runtime.ts: registerRootContext(factory, "add_header") is top-level code, which
;;     AssemblyScript without --exportStart runs from the Wasm start section, at instantiation, before any
;;     proxy context exists (it makes no host call); ensureRootContext(), from proxy_on_context_create(id, 0),
;;     reads the property plugin_root_id with CHECK_RESULT and throws "Missing root context factory for
;;     root id: <id>" when nothing was registered under it; RootContext.onConfigure reads the plugin
;;     configuration only when its size is not 0;
;;   - bindings "esm" exports the runtime helpers __new, __pin, __unpin, __collect and the global __rtti_base.
;; Behaviour: as the README example, on_response_headers adds `hello: <configuration>` (or `world!`
;; without one). The as_* lines are test instrumentation at warn.
;; (Generated layout: string constants live at fixed offsets; the comment after each (i32.const off)
;; (i32.const len) pair shows the text.)
(module
  (import "env" "proxy_log" (func $proxy_log (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_property" (func $proxy_get_property (param i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_get_buffer_bytes" (func $proxy_get_buffer_bytes (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_add_header_map_value" (func $proxy_add_header_map_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "proc_exit" (func $proc_exit (param i32)))

  (memory (export "memory") 1)
  (global $__rtti_base (export "__rtti_base") i32 (i32.const 1016))

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

  ;; Top-level code: the runtime's heap set-up and registerRootContext(..., "add_header").
  (global $started (mut i32) (i32.const 0))
  (global $factories (mut i32) (i32.const 0))
  (func $~start
    (global.set $started (i32.const 1))
    (global.set $factories (i32.const 1)))
  (start $~start)

  (global $cfgp (mut i32) (i32.const 0))
  (global $cfgl (mut i32) (i32.const 0))
  (global $root_ok (mut i32) (i32.const 0))

  ;; The runtime helpers the esm bindings export.
  (func (export "__new") (param $size i32) (param $id i32) (result i32) (call $alloc (local.get $size)))
  (func (export "__pin") (param $p i32) (result i32) (local.get $p))
  (func (export "__unpin") (param $p i32))
  (func (export "__collect"))
  ;; assembly/malloc.ts: new ArrayBuffer(size), pinned.
  (func (export "malloc") (param $n i32) (result i32) (call $alloc (local.get $n)))

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
  ;; abort_proc_exit: log "abort: <message>" at critical, proc_exit(255); the throw site then traps.
  (func $throw (param $p i32) (param $l i32) (param $vp i32) (param $vl i32)
    (memory.copy (i32.const 4096) (i32.const 1024) (i32.const 7) (;"abort: ";))
    (memory.copy (i32.const 4103) (local.get $p) (local.get $l))
    (memory.copy (i32.add (i32.const 4103) (local.get $l)) (local.get $vp) (local.get $vl))
    (drop (call $proxy_log (i32.const 5) (i32.const 4096) (i32.add (i32.add (i32.const 7) (local.get $l)) (local.get $vl))))
    (call $proc_exit (i32.const 255))
    (unreachable))

  (func (export "proxy_abi_version_0_2_1"))
  (func (export "proxy_on_context_create") (param $ctx i32) (param $root i32)
    (local $st i32)
    (if (local.get $root) (then (return))) ;; ensureContext: its root already exists
    ;; ensureRootContext
    (drop (call $proxy_log (i32.const 1) (i32.const 1031) (i32.const 17) (;"ensureRootContext";)))
    (local.set $st (call $proxy_get_property (i32.const 1048) (i32.const 14) (;"plugin_root_id";) (i32.const 0) (i32.const 4)))
    (if (local.get $st) (then (call $throw (i32.const 1062) (i32.const 2) (;":(";) (i32.const 0) (i32.const 0))))
    (call $logv (i32.const 1064) (i32.const 10) (;"as_root_id";) (call $outp) (call $outs))
    (if (i32.eqz (i32.and (global.get $factories) (call $eq (call $outp) (call $outs) (i32.const 1074) (i32.const 10) (;"add_header";))))
      (then (call $throw (i32.const 1084) (i32.const 42) (;"Missing root context factory for root id: ";) (call $outp) (call $outs))))
    (global.set $root_ok (i32.const 1)))
  (func (export "proxy_on_vm_start") (param $root i32) (param $size i32) (result i32) (i32.const 1))
  (func (export "proxy_validate_configuration") (param $root i32) (param $size i32) (result i32) (i32.const 1))
  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    (if (i32.eqz (local.get $size)) (then (return (i32.const 1))))
    (if (call $proxy_get_buffer_bytes (i32.const 7) (i32.const 0) (local.get $size) (i32.const 0) (i32.const 4))
      (then (call $throw (i32.const 1062) (i32.const 2) (;":(";) (i32.const 0) (i32.const 0))))
    (global.set $cfgp (call $outp))
    (global.set $cfgl (call $outs))
    (call $logv (i32.const 1126) (i32.const 9) (;"as_config";) (global.get $cfgp) (global.get $cfgl))
    (i32.const 1))
  (func (export "proxy_on_response_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (if (global.get $cfgl)
      (then (drop (call $proxy_add_header_map_value (i32.const 2) (i32.const 1135) (i32.const 5) (;"hello";) (global.get $cfgp) (global.get $cfgl))))
      (else (drop (call $proxy_add_header_map_value (i32.const 2) (i32.const 1135) (i32.const 5) (;"hello";) (i32.const 1140) (i32.const 6) (;"world!";)))))
    (i32.const 0))
  (func (export "proxy_on_done") (param $ctx i32) (result i32) (i32.const 1))
  (func (export "proxy_on_log") (param $ctx i32))
  (func (export "proxy_on_delete") (param $ctx i32))

  ;; The rest of exports.ts: Context / RootContext defaults.
  (func (export "proxy_on_tick") (param i32))
  (func (export "proxy_on_foreign_function") (param i32 i32 i32))
  (func (export "proxy_on_queue_ready") (param i32 i32))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_request_body") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_request_trailers") (param i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_request_metadata") (param i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_response_body") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_response_trailers") (param i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_response_metadata") (param i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_http_call_response") (param i32 i32 i32 i32 i32))
  (func (export "proxy_on_grpc_receive_initial_metadata") (param i32 i32 i32))
  (func (export "proxy_on_grpc_trailing_metadata") (param i32 i32 i32))
  (func (export "proxy_on_grpc_receive") (param i32 i32 i32))
  (func (export "proxy_on_grpc_close") (param i32 i32 i32))
  (func (export "proxy_on_downstream_data") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_upstream_data") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_upstream_connection_close") (param i32 i32))
  (func (export "proxy_on_downstream_connection_close") (param i32 i32))
  (func (export "proxy_on_new_connection") (param i32) (result i32) (i32.const 0))
  (data (i32.const 1024) "abort: ")
  (data (i32.const 1031) "ensureRootContext")
  (data (i32.const 1048) "plugin_root_id")
  (data (i32.const 1062) ":(")
  (data (i32.const 1064) "as_root_id")
  (data (i32.const 1074) "add_header")
  (data (i32.const 1084) "Missing root context factory for root id: ")
  (data (i32.const 1126) "as_config")
  (data (i32.const 1135) "hello")
  (data (i32.const 1140) "world!")
)
