;; Pitfall 15: body buffers. on_request_headers reads the request body (not yet available: Ok
;; and empty). on_request_body reports size / eos; scenario by request header x-op:
;;   "b"  return StopIterationAndBuffer until end of stream (the next callback sees the cumulative body);
;;   "s"  set_buffer_bytes with start in the middle (BadArgument), prepend "<<" and append ">>";
;;   else Continue.
;; (Generated layout: string constants live at fixed offsets; the comment after each (i32.const off)
;; (i32.const len) pair shows the text.)
(module
  (import "env" "proxy_log" (func $proxy_log (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_header_map_value" (func $proxy_get_header_map_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_get_buffer_bytes" (func $proxy_get_buffer_bytes (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_set_buffer_bytes" (func $proxy_set_buffer_bytes (param i32 i32 i32 i32 i32) (result i32)))

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

  ;; The first byte of request header x-op (0 when absent) selects the scenario.
  (func $op (result i32)
    (if (result i32) (i32.eqz (call $proxy_get_header_map_value (i32.const 0) (i32.const 1024) (i32.const 4) (;"x-op";) (i32.const 0) (i32.const 4)))
      (then (if (result i32) (call $outs) (then (i32.load8_u (call $outp))) (else (i32.const 0))))
      (else (i32.const 0))))
  (global $op (mut i32) (i32.const 0))
  (func (export "proxy_on_request_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (global.set $op (call $op))
    (i32.store (i32.const 4) (i32.const 99))
    (call $report (i32.const 1028) (i32.const 8) (;"hdr_read";) (call $proxy_get_buffer_bytes (i32.const 0) (i32.const 0) (i32.const 100) (i32.const 0) (i32.const 4)))
    (call $report (i32.const 1036) (i32.const 7) (;"hdr_len";) (call $outs))
    (i32.const 0))
  (func (export "proxy_on_request_body") (param $ctx i32) (param $size i32) (param $eos i32) (result i32)
    (call $report (i32.const 1043) (i32.const 9) (;"body_size";) (local.get $size))
    (call $report (i32.const 1052) (i32.const 8) (;"body_eos";) (local.get $eos))
    (if (i32.eqz (call $proxy_get_buffer_bytes (i32.const 0) (i32.const 0) (i32.const 1000) (i32.const 0) (i32.const 4)))
      (then (call $logv (i32.const 1060) (i32.const 4) (;"body";) (call $outp) (call $outs))))
    (if (i32.eq (global.get $op) (i32.const 98)) (then
      (return (i32.eqz (local.get $eos)))))
    (if (i32.eq (global.get $op) (i32.const 115)) (then
      (call $report (i32.const 1064) (i32.const 10) (;"set_middle";) (call $proxy_set_buffer_bytes (i32.const 0) (i32.const 1) (i32.const 1) (i32.const 1074) (i32.const 1) (;"X";)))
      (call $report (i32.const 1075) (i32.const 11) (;"set_prepend";) (call $proxy_set_buffer_bytes (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 1086) (i32.const 2) (;"<<";)))
      (call $report (i32.const 1088) (i32.const 10) (;"set_append";) (call $proxy_set_buffer_bytes (i32.const 0) (i32.const 1000) (i32.const 0) (i32.const 1098) (i32.const 2) (;">>";)))
      (if (i32.eqz (call $proxy_get_buffer_bytes (i32.const 0) (i32.const 0) (i32.const 1000) (i32.const 0) (i32.const 4)))
        (then (call $logv (i32.const 1100) (i32.const 10) (;"body_after";) (call $outp) (call $outs))))))
    (i32.const 0))
  (func (export "proxy_on_request_trailers") (param $ctx i32) (param $n i32) (result i32)
    (call $report (i32.const 1110) (i32.const 8) (;"trailers";) (local.get $n))
    (i32.const 0))
  (data (i32.const 1024) "x-op")
  (data (i32.const 1028) "hdr_read")
  (data (i32.const 1036) "hdr_len")
  (data (i32.const 1043) "body_size")
  (data (i32.const 1052) "body_eos")
  (data (i32.const 1060) "body")
  (data (i32.const 1064) "set_middle")
  (data (i32.const 1074) "X")
  (data (i32.const 1075) "set_prepend")
  (data (i32.const 1086) "<<")
  (data (i32.const 1088) "set_append")
  (data (i32.const 1098) ">>")
  (data (i32.const 1100) "body_after")
  (data (i32.const 1110) "trailers")
)
