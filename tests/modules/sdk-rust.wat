;; Third-party SDK shape: a Rust plugin built with proxy-wasm-rust-sdk 0.2.x as `cargo build --target
;; wasm32-wasip1 --release` of a `crate-type = ["cdylib"]` crate (the SDK's examples/http_auth_random and
;; examples/hello_world combined). Hand-written: no Rust toolchain is available here, and no third-party
;; code or binary is copied; only the shape is reproduced.
;; Reasoned from proxy-wasm/proxy-wasm-rust-sdk tag v0.2.5 (commit 4930296ed8e3601f062196ede46603ae755d565c):
;;   - src/lib.rs: the `main!` macro defines `_initialize` (calls `__wasm_call_ctors` on WASI, then the
;;     user block: set_log_level + set_root_context; no host call) and the marker proxy_abi_version_0_2_1.
;;   - src/allocator.rs: `proxy_on_memory_allocate` is exported as is on wasm32-wasip1 (it is renamed to
;;     `malloc` only on wasm32-unknown-unknown), so there is no `malloc` export.
;;   - src/hostcalls.rs: the `env` imports. Every trait method of traits.rs (defaults included) sits in
;;     the vtables of the boxed contexts the dispatcher keeps, so nearly every host call is linked in:
;;     the import list below is what traits.rs + dispatcher.rs reach (no metrics, no get_log_level, no
;;     get_header_map_size / get_buffer_status, which nothing in the SDK calls unless the plugin does).
;;   - src/dispatcher.rs: the exported callbacks (note proxy_on_foreign_function returns nothing, and there
;;     are no *_metadata callbacks); root contexts are created on proxy_on_context_create(id, 0) without a
;;     host call; on_http_call_response maps the token back to the stream and calls
;;     set_effective_context(stream).unwrap() before the plugin reads the response (map 6, buffer 4).
;;   - get_plugin_configuration / get_vm_configuration read with (start 0, max usize::MAX = 0xffffffff);
;;     any status other than Ok/NotFound is a panic (panic = "abort" -> unreachable).
;;   - WASI: wasm32-wasip1 std links fd_write (default panic output), environ_get/environ_sizes_get (std's
;;     panic machinery reads RUST_BACKTRACE) and proc_exit; nothing calls them on the happy path.
;; Behaviour (logged at warn as "tag=value"): on_vm_start sets a 20 ms tick; on_tick reads the clock and
;; stops the tick; on_configure reads the plugin configuration (a cluster name); on_request_headers reads
;; the request header pairs and dispatches an HTTP call to that cluster, pausing the request; the response
;; adds x-rust-callout: <body> to the request and resumes it; on_response_headers adds x-sdk: rust.
;; (Generated layout: string constants live at fixed offsets; the comment after each (i32.const off)
;; (i32.const len) pair shows the text.)
(module
  (import "env" "proxy_log" (func $proxy_log (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_current_time_nanoseconds" (func $proxy_get_current_time_nanoseconds (param i32) (result i32)))
  (import "env" "proxy_set_tick_period_milliseconds" (func $proxy_set_tick_period_milliseconds (param i32) (result i32)))
  (import "env" "proxy_get_buffer_bytes" (func $proxy_get_buffer_bytes (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_set_buffer_bytes" (func $proxy_set_buffer_bytes (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_get_header_map_pairs" (func $proxy_get_header_map_pairs (param i32 i32 i32) (result i32)))
  (import "env" "proxy_set_header_map_pairs" (func $proxy_set_header_map_pairs (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_header_map_value" (func $proxy_get_header_map_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_remove_header_map_value" (func $proxy_remove_header_map_value (param i32 i32 i32) (result i32)))
  (import "env" "proxy_replace_header_map_value" (func $proxy_replace_header_map_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_add_header_map_value" (func $proxy_add_header_map_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_get_property" (func $proxy_get_property (param i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_set_property" (func $proxy_set_property (param i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_get_shared_data" (func $proxy_get_shared_data (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_set_shared_data" (func $proxy_set_shared_data (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_register_shared_queue" (func $proxy_register_shared_queue (param i32 i32 i32) (result i32)))
  (import "env" "proxy_resolve_shared_queue" (func $proxy_resolve_shared_queue (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_dequeue_shared_queue" (func $proxy_dequeue_shared_queue (param i32 i32 i32) (result i32)))
  (import "env" "proxy_enqueue_shared_queue" (func $proxy_enqueue_shared_queue (param i32 i32 i32) (result i32)))
  (import "env" "proxy_continue_stream" (func $proxy_continue_stream (param i32) (result i32)))
  (import "env" "proxy_close_stream" (func $proxy_close_stream (param i32) (result i32)))
  (import "env" "proxy_send_local_response" (func $proxy_send_local_response (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_http_call" (func $proxy_http_call (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_grpc_call" (func $proxy_grpc_call (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_grpc_stream" (func $proxy_grpc_stream (param i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_grpc_send" (func $proxy_grpc_send (param i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_grpc_cancel" (func $proxy_grpc_cancel (param i32) (result i32)))
  (import "env" "proxy_grpc_close" (func $proxy_grpc_close (param i32) (result i32)))
  (import "env" "proxy_get_status" (func $proxy_get_status (param i32 i32 i32) (result i32)))
  (import "env" "proxy_set_effective_context" (func $proxy_set_effective_context (param i32) (result i32)))
  (import "env" "proxy_call_foreign_function" (func $proxy_call_foreign_function (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_done" (func $proxy_done (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))

  ;; rustc's wasm32 default: 1 MiB of stack plus data, so 17 pages.
  (memory (export "memory") 17)
  (func (export "proxy_abi_version_0_2_1"))

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

  (global $ctors (mut i32) (i32.const 0))
  (global $root_factory (mut i32) (i32.const 0))
  (global $cfgp (mut i32) (i32.const 0))
  (global $cfgl (mut i32) (i32.const 0))
  (global $token (mut i32) (i32.const 0))
  (global $token_stream (mut i32) (i32.const 0))

  ;; panic!("unexpected status") with panic = "abort".
  (func $expect_ok (param $status i32)
    (if (local.get $status) (then (unreachable))))

  (func $proxy_on_memory_allocate (export "proxy_on_memory_allocate") (param $n i32) (result i32)
    (call $alloc (local.get $n)))
  ;; main! { set_log_level(Trace); set_root_context(|_| Box::new(Root)) } after __wasm_call_ctors.
  (func (export "_initialize")
    (global.set $ctors (i32.const 1))
    (global.set $root_factory (i32.const 1)))

  (func (export "proxy_on_context_create") (param $ctx i32) (param $root i32)
    ;; create_root_context: the registered factory, or NoopRoot when main! registered none.
    (if (i32.eqz (local.get $root))
      (then (call $report (i32.const 1102) (i32.const 17) (;"rust_root_factory";) (global.get $root_factory)))))
  (func (export "proxy_on_vm_start") (param $root i32) (param $size i32) (result i32)
    (call $expect_ok (call $proxy_set_tick_period_milliseconds (i32.const 20)))
    (i32.const 1))
  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    (local $st i32)
    (local.set $st (call $proxy_get_buffer_bytes (i32.const 7) (i32.const 0) (i32.const -1) (i32.const 0) (i32.const 4)))
    (if (i32.eq (local.get $st) (i32.const 1)) (then (return (i32.const 1))))
    (call $expect_ok (local.get $st))
    (global.set $cfgp (call $outp))
    (global.set $cfgl (call $outs))
    (call $logv (i32.const 1119) (i32.const 11) (;"rust_config";) (global.get $cfgp) (global.get $cfgl))
    (i32.const 1))
  (func (export "proxy_on_tick") (param $root i32)
    (call $expect_ok (call $proxy_get_current_time_nanoseconds (i32.const 8)))
    (call $report (i32.const 1130) (i32.const 9) (;"rust_tick";) (i64.ne (i64.load (i32.const 8)) (i64.const 0)))
    (call $expect_ok (call $proxy_set_tick_period_milliseconds (i32.const 0))))

  (func (export "proxy_on_request_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (local $st i32)
    (call $expect_ok (call $proxy_get_header_map_pairs (i32.const 0) (i32.const 0) (i32.const 4)))
    (call $report (i32.const 1139) (i32.const 14) (;"rust_req_pairs";) (i32.load (call $outp)))
    (local.set $st (call $proxy_http_call (global.get $cfgp) (global.get $cfgl)
      (i32.const 1024) (i32.const 74) (;pairs [[":method","GET"],[":path","/auth"],[":authority","auth.local"]];)
      (i32.const 0) (i32.const 0) (i32.const 1098) (i32.const 4) (;pairs [];) (i32.const 5000) (i32.const 24)))
    (call $report (i32.const 1153) (i32.const 9) (;"rust_call";) (local.get $st))
    (if (local.get $st) (then (return (i32.const 0))))
    (global.set $token (i32.load (i32.const 24)))
    (global.set $token_stream (local.get $ctx))
    (i32.const 1))
  (func (export "proxy_on_http_call_response") (param $root i32) (param $tok i32) (param $nh i32) (param $body i32) (param $nt i32)
    (call $report (i32.const 1162) (i32.const 13) (;"rust_resp_ctx";) (local.get $root))
    (if (i32.ne (local.get $tok) (global.get $token)) (then (unreachable))) ;; "invalid token_id"
    (call $expect_ok (call $proxy_set_effective_context (global.get $token_stream)))
    (call $expect_ok (call $proxy_get_header_map_pairs (i32.const 6) (i32.const 0) (i32.const 4)))
    (call $report (i32.const 1175) (i32.const 15) (;"rust_resp_pairs";) (i32.load (call $outp)))
    (call $expect_ok (call $proxy_get_buffer_bytes (i32.const 4) (i32.const 0) (local.get $body) (i32.const 0) (i32.const 4)))
    (call $expect_ok (call $proxy_add_header_map_value (i32.const 0) (i32.const 1190) (i32.const 14) (;"x-rust-callout";) (call $outp) (call $outs)))
    (call $expect_ok (call $proxy_continue_stream (i32.const 0))))
  (func (export "proxy_on_response_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (call $expect_ok (call $proxy_add_header_map_value (i32.const 2) (i32.const 1204) (i32.const 5) (;"x-sdk";) (i32.const 1209) (i32.const 4) (;"rust";)))
    (i32.const 0))
  (func (export "proxy_on_log") (param $ctx i32)
    (call $report (i32.const 1213) (i32.const 8) (;"rust_log";) (local.get $ctx)))
  (func (export "proxy_on_done") (param $ctx i32) (result i32) (i32.const 1))
  (func (export "proxy_on_delete") (param $ctx i32))

  ;; The rest of dispatcher.rs's exports: default trait methods (Continue / nothing).
  (func (export "proxy_on_queue_ready") (param i32 i32))
  (func (export "proxy_on_new_connection") (param i32) (result i32) (i32.const 0))
  (func (export "proxy_on_downstream_data") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_downstream_connection_close") (param i32 i32))
  (func (export "proxy_on_upstream_data") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_upstream_connection_close") (param i32 i32))
  (func (export "proxy_on_request_body") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_request_trailers") (param i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_response_body") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_response_trailers") (param i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_grpc_receive_initial_metadata") (param i32 i32 i32))
  (func (export "proxy_on_grpc_receive") (param i32 i32 i32))
  (func (export "proxy_on_grpc_receive_trailing_metadata") (param i32 i32 i32))
  (func (export "proxy_on_grpc_close") (param i32 i32 i32))
  (func (export "proxy_on_foreign_function") (param i32 i32 i32))
  (data (i32.const 1024) "\03\00\00\00\07\00\00\00\03\00\00\00\05\00\00\00\05\00\00\00\0a\00\00\00\0a\00\00\00:method\00GET\00:path\00/auth\00:authority\00auth.local\00")
  (data (i32.const 1098) "\00\00\00\00")
  (data (i32.const 1102) "rust_root_factory")
  (data (i32.const 1119) "rust_config")
  (data (i32.const 1130) "rust_tick")
  (data (i32.const 1139) "rust_req_pairs")
  (data (i32.const 1153) "rust_call")
  (data (i32.const 1162) "rust_resp_ctx")
  (data (i32.const 1175) "rust_resp_pairs")
  (data (i32.const 1190) "x-rust-callout")
  (data (i32.const 1204) "x-sdk")
  (data (i32.const 1209) "rust")
  (data (i32.const 1213) "rust_log")
)
