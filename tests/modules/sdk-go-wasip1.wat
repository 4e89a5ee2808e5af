;; Third-party SDK shape: a Go plugin built with the upstream Go toolchain (Go 1.24) and
;; proxy-wasm/proxy-wasm-go-sdk as `env GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared`.
;; Hand-written: no Go toolchain is available here, and no third-party code or binary is copied.
;; Reasoned from:
;;   - proxy-wasm/proxy-wasm-go-sdk commit 44c7d58477456a40f475d515e29b32a006d5074b: README.md (Go 1.24+,
;;     Envoy >= 1.33 for the WASI imports added by proxy-wasm-cpp-host PR #427, the c-shared build),
;;     proxywasm/internal/abi_callback_version.go (marker proxy_abi_version_0_2_0: no
;;     proxy_get_log_level), abi_callback_alloc.go (only proxy_on_memory_allocate, no malloc),
;;     abi_callback_*.go (the go:wasmexport callbacks; no gRPC callbacks, no proxy_on_foreign_function),
;;     abi_hostcalls.go (the go:wasmimport env functions; the Go linker keeps the reachable ones),
;;     abi_callback_configuration.go (proxy_on_vm_start ignores its first argument).
;;   - golang/go src/runtime/os_wasip1.go (goenvs: args_sizes_get/args_get, environ_sizes_get/environ_get,
;;     each failure a throw; nanotime/walltime: clock_time_get, a failure a throw; readRandom: random_get;
;;     usleep: poll_oneoff with one clock subscription, any non-zero errno a throw; proc_exit),
;;     src/runtime/lock_wasip1.go (sched_yield), src/syscall/fs_wasip1.go (init: SetNonblock(0/1/2) =
;;     fd_fdstat_get + fd_fdstat_set_flags with errors ignored, then the preopen scan fd_prestat_get(3...)
;;     until EBADF; fd_close/fd_read/fd_seek behind *os.File).
;;   - proxy-wasm/proxy-wasm-cpp-host: PR #427 (c4d7bb0, 2024-12) registered fd_fdstat_set_flags,
;;     sched_yield and poll_oneoff ("the full minimal set of added hostcalls for a helloworld go plugin to
;;     initialize"; poll_oneoff returned ENOSYS) and allowed fd_fdstat_get/set_flags during start;
;;     PR #533 (94091cd, 2026-04) made poll_oneoff write nevents = 0 and succeed ("Go runtime requires
;;     poll_oneoff to return ESUCCESS"), cf. golang/go#78513 ("fatal error: poll_oneoff failed errno=52").
;; Behaviour: _initialize replays the Go runtime's and package initialisers' WASI calls and logs what they
;; returned (the go_* lines are test instrumentation; proxy_log is allowed during start); main.init
;; registers the VM context. on_vm_start reads the VM configuration, on_configure the plugin
;; configuration; on_request_headers adds x-go-config: <configuration>; a request with the header
;; x-go-gc runs a "garbage collection" that sleeps through poll_oneoff like runtime.usleep (a non-zero
;; errno is a throw: unreachable); on_response_headers adds x-sdk: go.
;; (Generated layout: string constants live at fixed offsets; the comment after each (i32.const off)
;; (i32.const len) pair shows the text.)
(module
  (import "env" "proxy_log" (func $proxy_log (param i32 i32 i32) (result i32)))
  (import "env" "proxy_send_local_response" (func $proxy_send_local_response (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_get_header_map_value" (func $proxy_get_header_map_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_add_header_map_value" (func $proxy_add_header_map_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_replace_header_map_value" (func $proxy_replace_header_map_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_remove_header_map_value" (func $proxy_remove_header_map_value (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_header_map_pairs" (func $proxy_get_header_map_pairs (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_buffer_bytes" (func $proxy_get_buffer_bytes (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_continue_stream" (func $proxy_continue_stream (param i32) (result i32)))
  (import "env" "proxy_http_call" (func $proxy_http_call (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_set_tick_period_milliseconds" (func $proxy_set_tick_period_milliseconds (param i32) (result i32)))
  (import "env" "proxy_set_effective_context" (func $proxy_set_effective_context (param i32) (result i32)))
  (import "env" "proxy_get_property" (func $proxy_get_property (param i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_define_metric" (func $proxy_define_metric (param i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_increment_metric" (func $proxy_increment_metric (param i32 i64) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sched_yield" (func $sched_yield (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_flags" (func $fd_fdstat_set_flags (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))

  (memory (export "memory") 17)
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

  (global $vm_context (mut i32) (i32.const 0))
  (global $cfgp (mut i32) (i32.const 0))
  (global $cfgl (mut i32) (i32.const 0))

  ;; Go's throw(): fatal, the module traps.
  (func $throw_if (param $errno i32)
    (if (local.get $errno) (then (unreachable))))

  ;; runtime.usleep: one clock subscription (monotonic, timeout usec*1000) in 48 bytes at 128, one event of
  ;; 32 bytes at 192, nevents at 240; a non-zero errno is a throw.
  (func $usleep (param $usec i32)
    (memory.fill (i32.const 128) (i32.const 0) (i32.const 116))
    (i32.store8 (i32.const 136) (i32.const 0))
    (i32.store (i32.const 144) (i32.const 1))
    (i64.store (i32.const 152) (i64.mul (i64.extend_i32_u (local.get $usec)) (i64.const 1000)))
    (i64.store (i32.const 160) (i64.const 1000))
    (call $throw_if (call $poll_oneoff (i32.const 128) (i32.const 192) (i32.const 1) (i32.const 240))))

  ;; syscall.SetNonblock(fd, true) from syscall's init: errors are ignored; reports both errnos.
  (func $set_nonblock (param $fd i32) (param $tp i32) (param $tl i32)
    (local $st i32)
    (local.set $st (call $fd_fdstat_get (local.get $fd) (i32.const 256)))
    (call $report (local.get $tp) (local.get $tl) (local.get $st))
    (if (local.get $st) (then (return)))
    ;; fdflags live at offset 2 of the fdstat record; set FDFLAG_NONBLOCK (4).
    (call $report (i32.const 1024) (i32.const 11) (;"go_setflags";) (call $fd_fdstat_set_flags (local.get $fd)
      (i32.or (i32.load16_u (i32.const 258)) (i32.const 4)))))

  (func (export "proxy_on_memory_allocate") (param $n i32) (result i32)
    (call $alloc (local.get $n)))

  ;; The c-shared entry point: runtime initialisation, then every package's init, then main.init.
  (func (export "_initialize")
    (local $count i32) (local $size i32) (local $buf i32) (local $st i32)
    ;; runtime.goenvs
    (call $throw_if (call $args_sizes_get (i32.const 8) (i32.const 12)))
    (call $report (i32.const 1035) (i32.const 7) (;"go_argc";) (i32.load (i32.const 8)))
    (call $throw_if (call $environ_sizes_get (i32.const 8) (i32.const 12)))
    (local.set $count (i32.load (i32.const 8)))
    (local.set $size (i32.load (i32.const 12)))
    (call $report (i32.const 1042) (i32.const 7) (;"go_envc";) (local.get $count))
    (if (local.get $count)
      (then
        (local.set $buf (call $alloc (i32.add (i32.mul (local.get $count) (i32.const 4)) (local.get $size))))
        (call $throw_if (call $environ_get (local.get $buf) (i32.add (local.get $buf) (i32.mul (local.get $count) (i32.const 4)))))
        ;; the first entry, without its NUL
        (call $logv (i32.const 1049) (i32.const 6) (;"go_env";) (i32.load (local.get $buf))
          (i32.sub (i32.sub (select (i32.load offset=4 (local.get $buf)) (i32.add (i32.load (local.get $buf)) (local.get $size)) (i32.gt_u (local.get $count) (i32.const 1)))
            (i32.load (local.get $buf))) (i32.const 1)))))
    ;; runtime.nanotime1 / walltime1
    (call $throw_if (call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 16)))
    (call $throw_if (call $clock_time_get (i32.const 0) (i64.const 0) (i32.const 16)))
    (call $report (i32.const 1055) (i32.const 8) (;"go_clock";) (i64.gt_u (i64.load (i32.const 16)) (i64.const 1600000000000000000)))
    ;; runtime.readRandom (the startup random seed; a failure is not fatal)
    (call $report (i32.const 1063) (i32.const 9) (;"go_random";) (call $random_get (i32.const 64) (i32.const 32)))
    ;; syscall init: stdio non-blocking
    (call $set_nonblock (i32.const 0) (i32.const 1072) (i32.const 10) (;"go_fdstat0";))
    (call $set_nonblock (i32.const 1) (i32.const 1082) (i32.const 10) (;"go_fdstat1";))
    (call $set_nonblock (i32.const 2) (i32.const 1092) (i32.const 10) (;"go_fdstat2";))
    ;; syscall init: the preopen scan from fd 3 until EBADF (8); another errno panics
    (local.set $st (call $fd_prestat_get (i32.const 3) (i32.const 256)))
    (call $report (i32.const 1102) (i32.const 10) (;"go_prestat";) (local.get $st))
    (if (i32.and (i32.ne (local.get $st) (i32.const 8)) (i32.ne (local.get $st) (i32.const 0))) (then (unreachable)))
    ;; os init: NewFile(0/1/2) asks for the non-blocking flag again
    (drop (call $fd_fdstat_get (i32.const 0) (i32.const 256)))
    (drop (call $fd_fdstat_get (i32.const 1) (i32.const 256)))
    (drop (call $fd_fdstat_get (i32.const 2) (i32.const 256)))
    ;; main.init: proxywasm.SetVMContext(...)
    (global.set $vm_context (i32.const 1)))

  (func (export "proxy_on_vm_start") (param $ignored i32) (param $size i32) (result i32)
    (if (i32.eqz (global.get $vm_context)) (then (unreachable)))
    (if (local.get $size)
      (then
        (call $throw_if (call $proxy_get_buffer_bytes (i32.const 6) (i32.const 0) (local.get $size) (i32.const 0) (i32.const 4)))
        (call $logv (i32.const 1112) (i32.const 12) (;"go_vm_config";) (call $outp) (call $outs))))
    (i32.const 1))
  (func (export "proxy_on_context_create") (param $ctx i32) (param $root i32))
  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    (if (i32.eqz (local.get $size)) (then (return (i32.const 1))))
    (if (call $proxy_get_buffer_bytes (i32.const 7) (i32.const 0) (local.get $size) (i32.const 0) (i32.const 4))
      (then (return (i32.const 0))))
    (global.set $cfgp (call $outp))
    (global.set $cfgl (call $outs))
    (call $logv (i32.const 1124) (i32.const 9) (;"go_config";) (global.get $cfgp) (global.get $cfgl))
    (i32.const 1))
  (func (export "proxy_on_request_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (if (i32.eqz (call $proxy_get_header_map_value (i32.const 0) (i32.const 1133) (i32.const 7) (;"x-go-gc";) (i32.const 0) (i32.const 4)))
      (then (call $usleep (i32.const 1000)) (call $report (i32.const 1140) (i32.const 5) (;"go_gc";) (i32.const 1))))
    (drop (call $proxy_add_header_map_value (i32.const 0) (i32.const 1145) (i32.const 11) (;"x-go-config";) (global.get $cfgp) (global.get $cfgl)))
    (i32.const 0))
  (func (export "proxy_on_response_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (drop (call $proxy_add_header_map_value (i32.const 2) (i32.const 1156) (i32.const 5) (;"x-sdk";) (i32.const 1161) (i32.const 2) (;"go";)))
    (i32.const 0))
  (func (export "proxy_on_log") (param $ctx i32))
  (func (export "proxy_on_done") (param $ctx i32) (result i32) (i32.const 1))
  (func (export "proxy_on_delete") (param $ctx i32))

  ;; The other go:wasmexport callbacks: the Default* contexts' behaviour.
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
  (data (i32.const 1024) "go_setflags")
  (data (i32.const 1035) "go_argc")
  (data (i32.const 1042) "go_envc")
  (data (i32.const 1049) "go_env")
  (data (i32.const 1055) "go_clock")
  (data (i32.const 1063) "go_random")
  (data (i32.const 1072) "go_fdstat0")
  (data (i32.const 1082) "go_fdstat1")
  (data (i32.const 1092) "go_fdstat2")
  (data (i32.const 1102) "go_prestat")
  (data (i32.const 1112) "go_vm_config")
  (data (i32.const 1124) "go_config")
  (data (i32.const 1133) "x-go-gc")
  (data (i32.const 1140) "go_gc")
  (data (i32.const 1145) "x-go-config")
  (data (i32.const 1156) "x-sdk")
  (data (i32.const 1161) "go")
)
