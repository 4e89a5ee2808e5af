;; Pitfall 16: metrics. on_configure defines counter test.counter, gauge test.gauge and histogram
;; test.histogram. Each request reports the ids, increments the counter by 0, -1 and 1, records 5 on it
;; (adds), reads it back, reads the histogram (BadArgument), records 7 on the histogram and decrements
;; the gauge by 3.
;; (Generated layout: string constants live at fixed offsets; the comment after each (i32.const off)
;; (i32.const len) pair shows the text.)
(module
  (import "env" "proxy_log" (func $proxy_log (param i32 i32 i32) (result i32)))
  (import "env" "proxy_define_metric" (func $proxy_define_metric (param i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_increment_metric" (func $proxy_increment_metric (param i32 i64) (result i32)))
  (import "env" "proxy_record_metric" (func $proxy_record_metric (param i32 i64) (result i32)))
  (import "env" "proxy_get_metric" (func $proxy_get_metric (param i32 i32) (result i32)))

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

  (global $c (mut i32) (i32.const 0))
  (global $g (mut i32) (i32.const 0))
  (global $h (mut i32) (i32.const 0))
  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    (drop (call $proxy_define_metric (i32.const 0) (i32.const 1024) (i32.const 12) (;"test.counter";) (i32.const 24)))
    (global.set $c (i32.load (i32.const 24)))
    (drop (call $proxy_define_metric (i32.const 1) (i32.const 1036) (i32.const 10) (;"test.gauge";) (i32.const 24)))
    (global.set $g (i32.load (i32.const 24)))
    (drop (call $proxy_define_metric (i32.const 2) (i32.const 1046) (i32.const 14) (;"test.histogram";) (i32.const 24)))
    (global.set $h (i32.load (i32.const 24)))
    (i32.const 1))
  (func (export "proxy_on_request_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (call $report (i32.const 1060) (i32.const 10) (;"counter_id";) (global.get $c))
    (call $report (i32.const 1070) (i32.const 8) (;"gauge_id";) (global.get $g))
    (call $report (i32.const 1078) (i32.const 12) (;"histogram_id";) (global.get $h))
    (call $report (i32.const 1090) (i32.const 8) (;"inc_zero";) (call $proxy_increment_metric (global.get $c) (i64.const 0)))
    (call $report (i32.const 1098) (i32.const 12) (;"inc_negative";) (call $proxy_increment_metric (global.get $c) (i64.const -1)))
    (call $report (i32.const 1110) (i32.const 7) (;"inc_one";) (call $proxy_increment_metric (global.get $c) (i64.const 1)))
    (call $report (i32.const 1117) (i32.const 14) (;"record_counter";) (call $proxy_record_metric (global.get $c) (i64.const 5)))
    (call $report (i32.const 1131) (i32.const 11) (;"get_counter";) (call $proxy_get_metric (global.get $c) (i32.const 8)))
    (call $report (i32.const 1142) (i32.const 7) (;"counter";) (i32.wrap_i64 (i64.load (i32.const 8))))
    (call $report (i32.const 1149) (i32.const 13) (;"get_histogram";) (call $proxy_get_metric (global.get $h) (i32.const 8)))
    (call $report (i32.const 1162) (i32.const 16) (;"record_histogram";) (call $proxy_record_metric (global.get $h) (i64.const 7)))
    (call $report (i32.const 1178) (i32.const 10) (;"gauge_down";) (call $proxy_increment_metric (global.get $g) (i64.const -3)))
    (i32.const 0))
  (data (i32.const 1024) "test.counter")
  (data (i32.const 1036) "test.gauge")
  (data (i32.const 1046) "test.histogram")
  (data (i32.const 1060) "counter_id")
  (data (i32.const 1070) "gauge_id")
  (data (i32.const 1078) "histogram_id")
  (data (i32.const 1090) "inc_zero")
  (data (i32.const 1098) "inc_negative")
  (data (i32.const 1110) "inc_one")
  (data (i32.const 1117) "record_counter")
  (data (i32.const 1131) "get_counter")
  (data (i32.const 1142) "counter")
  (data (i32.const 1149) "get_histogram")
  (data (i32.const 1162) "record_histogram")
  (data (i32.const 1178) "gauge_down")
)
