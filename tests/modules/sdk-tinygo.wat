;; Third-party SDK shape: a TinyGo plugin built with tetratelabs/proxy-wasm-go-sdk v0.24.0 and TinyGo 0.32
;; as `tinygo build -scheduler=none -target=wasi` (a WASI command, entry point _start).
;; Hand-written: no TinyGo toolchain is available here, and no third-party code or binary is copied.
;; Reasoned from:
;;   - tetratelabs/proxy-wasm-go-sdk v0.24.0 (commit 4b4272f742daa346fd1e904ef07410ac004649dd):
;;     Makefile (the build line above), README.md (TinyGo v0.32+),
;;     proxywasm/internal/abi_callback_version.go (marker proxy_abi_version_0_2_0),
;;     abi_callback_alloc.go (proxy_on_memory_allocate), abi_hostcalls.go (`//export` declarations without
;;     a body are imports from "env"), vmstate.go (the plugin context is created by
;;     NewPluginContext(contextID) inside proxy_on_context_create(id, 0)), properties/wasm.go
;;     (GetPluginRootId reads the property "plugin_root_id": how a TinyGo plugin tells its root ids apart).
;;   - tinygo-org/tinygo src/runtime/runtime_wasip1.go (_start: runtimeInitialize(), i.e. heap and package
;;     initialisation, then run(), i.e. main.main), src/runtime/arch_tinygowasm_malloc.go (the runtime
;;     exports malloc, free, calloc and realloc for wasi targets).
;;   - proxy-wasm/proxy-wasm-cpp-host src/wasm.cc getFunctions(): `malloc` is looked up before
;;     `proxy_on_memory_allocate`, so Envoy allocates through TinyGo's libc-style malloc, never through the
;;     SDK's allocator.
;; Behaviour: _start runs the runtime and main.main (SetVMContext). on_vm_start reads the VM
;; configuration; the plugin context reads plugin_root_id when it is created; on_configure reads the plugin
;; configuration; on_request_headers adds x-tinygo-root: <root id>; on_response_headers adds x-sdk: tinygo;
;; on_log reports how many times each allocator was called.
;; (Generated layout: string constants live at fixed offsets; the comment after each (i32.const off)
;; (i32.const len) pair shows the text.)
(module
  (import "env" "proxy_log" (func $proxy_log (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_buffer_bytes" (func $proxy_get_buffer_bytes (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_get_property" (func $proxy_get_property (param i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_get_header_map_value" (func $proxy_get_header_map_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_add_header_map_value" (func $proxy_add_header_map_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_set_effective_context" (func $proxy_set_effective_context (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))

  (memory (export "memory") 2)
  (func (export "proxy_abi_version_0_2_0"))

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

  (global $main_ran (mut i32) (i32.const 0))
  (global $malloc_calls (mut i32) (i32.const 0))
  (global $poma_calls (mut i32) (i32.const 0))
  (global $rootp (mut i32) (i32.const 0))
  (global $rootl (mut i32) (i32.const 0))

  ;; TinyGo's runtime: libc-style allocator exports (arch_tinygowasm_malloc.go).
  (func (export "malloc") (param $n i32) (result i32)
    (global.set $malloc_calls (i32.add (global.get $malloc_calls) (i32.const 1)))
    (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))
    (call $alloc (local.get $n)))
  (func (export "free") (param $p i32))
  (func (export "calloc") (param $n i32) (param $size i32) (result i32)
    (call $alloc (i32.mul (local.get $n) (local.get $size))))
  (func (export "realloc") (param $p i32) (param $n i32) (result i32)
    (call $alloc (local.get $n)))
  ;; The SDK's allocator: exported, but Envoy never calls it while malloc exists.
  (func (export "proxy_on_memory_allocate") (param $n i32) (result i32)
    (global.set $poma_calls (i32.add (global.get $poma_calls) (i32.const 1)))
    (call $alloc (local.get $n)))

  ;; A WASI command: runtime initialisation, package init()s, then main.main = proxywasm.SetVMContext.
  (func (export "_start")
    (global.set $main_ran (i32.const 1)))

  (func (export "proxy_on_vm_start") (param $ignored i32) (param $size i32) (result i32)
    (if (i32.eqz (global.get $main_ran)) (then (unreachable))) ;; no VM context: nil dereference
    (if (local.get $size)
      (then
        (if (i32.eqz (call $proxy_get_buffer_bytes (i32.const 6) (i32.const 0) (local.get $size) (i32.const 0) (i32.const 4)))
          (then (call $logv (i32.const 1024) (i32.const 16) (;"tinygo_vm_config";) (call $outp) (call $outs))))))
    (i32.const 1))
  (func (export "proxy_on_context_create") (param $ctx i32) (param $root i32)
    (if (local.get $root) (then (return)))
    ;; NewPluginContext: properties.GetPluginRootId()
    (if (i32.eqz (call $proxy_get_property (i32.const 1040) (i32.const 14) (;"plugin_root_id";) (i32.const 0) (i32.const 4)))
      (then
        (global.set $rootp (call $outp))
        (global.set $rootl (call $outs))))
    (call $logv (i32.const 1054) (i32.const 14) (;"tinygo_root_id";) (global.get $rootp) (global.get $rootl)))
  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    (if (local.get $size)
      (then
        (if (call $proxy_get_buffer_bytes (i32.const 7) (i32.const 0) (local.get $size) (i32.const 0) (i32.const 4))
          (then (return (i32.const 0))))
        (call $logv (i32.const 1068) (i32.const 13) (;"tinygo_config";) (call $outp) (call $outs))))
    (i32.const 1))
  (func (export "proxy_on_request_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (drop (call $proxy_add_header_map_value (i32.const 0) (i32.const 1081) (i32.const 13) (;"x-tinygo-root";) (global.get $rootp) (global.get $rootl)))
    (i32.const 0))
  (func (export "proxy_on_response_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (drop (call $proxy_add_header_map_value (i32.const 2) (i32.const 1094) (i32.const 5) (;"x-sdk";) (i32.const 1099) (i32.const 6) (;"tinygo";)))
    (i32.const 0))
  (func (export "proxy_on_log") (param $ctx i32)
    (call $report (i32.const 1105) (i32.const 19) (;"tinygo_malloc_calls";) (global.get $malloc_calls))
    (call $report (i32.const 1124) (i32.const 17) (;"tinygo_poma_calls";) (global.get $poma_calls)))
  (func (export "proxy_on_done") (param $ctx i32) (result i32) (i32.const 1))
  (func (export "proxy_on_delete") (param $ctx i32))

  ;; The other //export callbacks of the SDK: the Default* contexts' behaviour.
  (func (export "proxy_on_new_connection") (param i32) (result i32) (i32.const 0))
  (func (export "proxy_on_downstream_data") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_downstream_connection_close") (param i32 i32))
  (func (export "proxy_on_upstream_data") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_upstream_connection_close") (param i32 i32))
  (func (export "proxy_on_request_body") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_request_trailers") (param i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_response_body") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_response_trailers") (param i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_http_call_response") (param i32 i32 i32 i32 i32))
  (func (export "proxy_on_queue_ready") (param i32 i32))
  (func (export "proxy_on_tick") (param i32))
  (data (i32.const 1024) "tinygo_vm_config")
  (data (i32.const 1040) "plugin_root_id")
  (data (i32.const 1054) "tinygo_root_id")
  (data (i32.const 1068) "tinygo_config")
  (data (i32.const 1081) "x-tinygo-root")
  (data (i32.const 1094) "x-sdk")
  (data (i32.const 1099) "tinygo")
  (data (i32.const 1105) "tinygo_malloc_calls")
  (data (i32.const 1124) "tinygo_poma_calls")
)
