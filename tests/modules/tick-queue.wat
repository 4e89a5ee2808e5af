;; Pitfall 12: on_configure arms a 10 ms tick and registers shared queue "q"; on_tick logs "tick".
;; on_request_headers enqueues "item" and logs "after_enqueue"; on_queue_ready logs the root id and
;; dequeues twice (Ok, then Empty 7).
;; (Generated layout: string constants live at fixed offsets; the comment after each (i32.const off)
;; (i32.const len) pair shows the text.)
(module
  (import "env" "proxy_log" (func $proxy_log (param i32 i32 i32) (result i32)))
  (import "env" "proxy_set_tick_period_milliseconds" (func $proxy_set_tick_period_milliseconds (param i32) (result i32)))
  (import "env" "proxy_register_shared_queue" (func $proxy_register_shared_queue (param i32 i32 i32) (result i32)))
  (import "env" "proxy_enqueue_shared_queue" (func $proxy_enqueue_shared_queue (param i32 i32 i32) (result i32)))
  (import "env" "proxy_dequeue_shared_queue" (func $proxy_dequeue_shared_queue (param i32 i32 i32) (result i32)))

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

  (global $q (mut i32) (i32.const 0))
  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    (drop (call $proxy_set_tick_period_milliseconds (i32.const 10)))
    (drop (call $proxy_register_shared_queue (i32.const 1024) (i32.const 1) (;"q";) (i32.const 24)))
    (global.set $q (i32.load (i32.const 24)))
    (i32.const 1))
  (func (export "proxy_on_tick") (param $root i32)
    (call $report (i32.const 1025) (i32.const 4) (;"tick";) (local.get $root)))
  (func (export "proxy_on_request_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (call $report (i32.const 1029) (i32.const 7) (;"enqueue";) (call $proxy_enqueue_shared_queue (global.get $q) (i32.const 1036) (i32.const 4) (;"item";)))
    (call $logs (i32.const 1040) (i32.const 13) (;"after_enqueue";))
    (i32.const 0))
  (func (export "proxy_on_queue_ready") (param $root i32) (param $token i32)
    (call $report (i32.const 1053) (i32.const 11) (;"queue_ready";) (local.get $root))
    (call $report (i32.const 1064) (i32.const 7) (;"dequeue";) (call $proxy_dequeue_shared_queue (local.get $token) (i32.const 0) (i32.const 4)))
    (call $logv (i32.const 1036) (i32.const 4) (;"item";) (call $outp) (call $outs))
    (call $report (i32.const 1071) (i32.const 13) (;"dequeue_again";) (call $proxy_dequeue_shared_queue (local.get $token) (i32.const 0) (i32.const 4))))
  (data (i32.const 1024) "q")
  (data (i32.const 1025) "tick")
  (data (i32.const 1029) "enqueue")
  (data (i32.const 1036) "item")
  (data (i32.const 1040) "after_enqueue")
  (data (i32.const 1053) "queue_ready")
  (data (i32.const 1064) "dequeue")
  (data (i32.const 1071) "dequeue_again")
)
