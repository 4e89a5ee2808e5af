;; Pitfall 11: shared data and CAS. Scenario by request header x-op:
;;   "a"  set k=v1 (cas 0), get k (cas c1), set k=v2 with c1 (Ok), set k=v3 with the stale c1
;;        (CasMismatch 8), set k=v4 with cas 0 (unconditional), set an absent key with cas 12345 (Ok);
;;   "s"  set k = this plugin's vm_id (cas 0);
;;   "g"  get k: logs the status and the value.
;; (Generated layout: string constants live at fixed offsets; the comment after each (i32.const off)
;; (i32.const len) pair shows the text.)
(module
  (import "env" "proxy_log" (func $proxy_log (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_header_map_value" (func $proxy_get_header_map_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_get_shared_data" (func $proxy_get_shared_data (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_set_shared_data" (func $proxy_set_shared_data (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_get_property" (func $proxy_get_property (param i32 i32 i32 i32) (result i32)))

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
  (func $get (result i32)
    (call $proxy_get_shared_data (i32.const 1028) (i32.const 1) (;"k";) (i32.const 0) (i32.const 4) (i32.const 16)))
  (func (export "proxy_on_request_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (local $op i32) (local $c1 i32) (local $r i32)
    (local.set $op (call $op))
    (if (i32.eq (local.get $op) (i32.const 97)) (then
      (call $report (i32.const 1029) (i32.const 7) (;"set_new";) (call $proxy_set_shared_data (i32.const 1028) (i32.const 1) (;"k";) (i32.const 1036) (i32.const 2) (;"v1";) (i32.const 0)))
      (call $report (i32.const 1038) (i32.const 3) (;"get";) (call $get))
      (local.set $c1 (i32.load (i32.const 16)))
      (call $report (i32.const 1041) (i32.const 7) (;"set_cas";) (call $proxy_set_shared_data (i32.const 1028) (i32.const 1) (;"k";) (i32.const 1048) (i32.const 2) (;"v2";) (local.get $c1)))
      (call $report (i32.const 1050) (i32.const 9) (;"set_stale";) (call $proxy_set_shared_data (i32.const 1028) (i32.const 1) (;"k";) (i32.const 1059) (i32.const 2) (;"v3";) (local.get $c1)))
      (call $report (i32.const 1061) (i32.const 8) (;"set_zero";) (call $proxy_set_shared_data (i32.const 1028) (i32.const 1) (;"k";) (i32.const 1069) (i32.const 2) (;"v4";) (i32.const 0)))
      (call $report (i32.const 1071) (i32.const 10) (;"set_absent";) (call $proxy_set_shared_data (i32.const 1081) (i32.const 6) (;"absent";) (i32.const 1087) (i32.const 1) (;"x";) (i32.const 12345)))))
    (if (i32.eq (local.get $op) (i32.const 115)) (then
      (drop (call $proxy_get_property (i32.const 1088) (i32.const 12) (;"plugin_vm_id";) (i32.const 0) (i32.const 4)))
      (call $report (i32.const 1100) (i32.const 3) (;"set";) (call $proxy_set_shared_data (i32.const 1028) (i32.const 1) (;"k";) (call $outp) (call $outs) (i32.const 0)))))
    (if (i32.eq (local.get $op) (i32.const 103)) (then
      (local.set $r (call $get))
      (call $report (i32.const 1038) (i32.const 3) (;"get";) (local.get $r))
      (if (i32.eqz (local.get $r)) (then (call $logv (i32.const 1103) (i32.const 3) (;"val";) (call $outp) (call $outs))))))
    (i32.const 0))
  (data (i32.const 1024) "x-op")
  (data (i32.const 1028) "k")
  (data (i32.const 1029) "set_new")
  (data (i32.const 1036) "v1")
  (data (i32.const 1038) "get")
  (data (i32.const 1041) "set_cas")
  (data (i32.const 1048) "v2")
  (data (i32.const 1050) "set_stale")
  (data (i32.const 1059) "v3")
  (data (i32.const 1061) "set_zero")
  (data (i32.const 1069) "v4")
  (data (i32.const 1071) "set_absent")
  (data (i32.const 1081) "absent")
  (data (i32.const 1087) "x")
  (data (i32.const 1088) "plugin_vm_id")
  (data (i32.const 1100) "set")
  (data (i32.const 1103) "val")
)
