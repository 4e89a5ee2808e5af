;; Pitfall 17: logging. on_request_headers logs "debug-line" at debug and "info-line" at info,
;; reports proxy_get_log_level and a proxy_log with level 6 (BadArgument), and writes "to stdout\n" to fd 1
;; and "to stderr\n\n" to fd 2 with WASI fd_write.
;; (Generated layout: string constants live at fixed offsets; the comment after each (i32.const off)
;; (i32.const len) pair shows the text.)
(module
  (import "env" "proxy_log" (func $proxy_log (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_log_level" (func $proxy_get_log_level (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))

  (memory (export "memory") 2)
  (func (export "proxy_abi_version_0_2_1"))

  ;; Bump allocator over the heap (never frees); grows memory when needed, 0 when it cannot.
  (global $bump (mut i32) (i32.const 32768))
  (func $alloc (export "proxy_on_memory_allocate") (param $n i32) (result i32)
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

  (func $write (param $fd i32) (param $p i32) (param $l i32) (result i32)
    (i32.store (i32.const 64) (local.get $p))
    (i32.store (i32.const 68) (local.get $l))
    (call $fd_write (local.get $fd) (i32.const 64) (i32.const 1) (i32.const 72)))
  (func (export "proxy_on_request_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (drop (call $proxy_log (i32.const 1) (i32.const 1024) (i32.const 10) (;"debug-line";)))
    (drop (call $proxy_log (i32.const 2) (i32.const 1034) (i32.const 9) (;"info-line";)))
    (call $report (i32.const 1043) (i32.const 8) (;"level_rc";) (call $proxy_get_log_level (i32.const 8)))
    (call $report (i32.const 1051) (i32.const 5) (;"level";) (i32.load (i32.const 8)))
    (call $report (i32.const 1056) (i32.const 9) (;"bad_level";) (call $proxy_log (i32.const 6) (i32.const 1065) (i32.const 5) (;"never";)))
    (call $report (i32.const 1070) (i32.const 6) (;"stdout";) (call $write (i32.const 1) (i32.const 1076) (i32.const 10)))
    (call $report (i32.const 1086) (i32.const 6) (;"stderr";) (call $write (i32.const 2) (i32.const 1092) (i32.const 11)))
    (call $report (i32.const 1103) (i32.const 7) (;"written";) (i32.load (i32.const 72)))
    (call $report (i32.const 1110) (i32.const 6) (;"bad_fd";) (call $write (i32.const 3) (i32.const 1116) (i32.const 1)))
    (i32.const 0))
  (data (i32.const 1024) "debug-line")
  (data (i32.const 1034) "info-line")
  (data (i32.const 1043) "level_rc")
  (data (i32.const 1051) "level")
  (data (i32.const 1056) "bad_level")
  (data (i32.const 1065) "never")
  (data (i32.const 1070) "stdout")
  (data (i32.const 1076) "to stdout\0a")
  (data (i32.const 1086) "stderr")
  (data (i32.const 1092) "to stderr\0a\0a")
  (data (i32.const 1103) "written")
  (data (i32.const 1110) "bad_fd")
  (data (i32.const 1116) "x")
)
