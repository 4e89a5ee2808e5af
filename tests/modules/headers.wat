;; Pitfall 14: header-map details. Scenario by request header x-op:
;;   (none) get_header_map_size, the first of duplicate x-dup, add on inline x-forwarded-for (joined with ","),
;;          add on non-inline x-dup (new entry), replace on duplicated x-multi;
;;   "p"    set_header_map_pairs(REQUEST_HEADERS, [[":method","POST"],["x-only","1"]]) (pseudo-headers go too);
;;   "m"    set_header_map_pairs with a malformed (truncated) serialized map: the map is cleared.
;; (Generated layout: string constants live at fixed offsets; the comment after each (i32.const off)
;; (i32.const len) pair shows the text.)
(module
  (import "env" "proxy_log" (func $proxy_log (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_header_map_value" (func $proxy_get_header_map_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_get_header_map_size" (func $proxy_get_header_map_size (param i32 i32) (result i32)))
  (import "env" "proxy_add_header_map_value" (func $proxy_add_header_map_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_replace_header_map_value" (func $proxy_replace_header_map_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_set_header_map_pairs" (func $proxy_set_header_map_pairs (param i32 i32 i32) (result i32)))

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
  (func (export "proxy_on_request_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (local $op i32)
    (local.set $op (call $op))
    (if (i32.eq (local.get $op) (i32.const 112)) (then
      (call $report (i32.const 1028) (i32.const 9) (;"set_pairs";) (call $proxy_set_header_map_pairs (i32.const 0) (i32.const 1037) (i32.const 42) (;pairs [[":method","POST"],["x-only","1"]];)))
      (return (i32.const 0))))
    (if (i32.eq (local.get $op) (i32.const 109)) (then
      ;; count 1, lengths (5, 1), then "x-bad" without its terminators: truncated.
      (call $report (i32.const 1079) (i32.const 13) (;"set_malformed";) (call $proxy_set_header_map_pairs (i32.const 0) (i32.const 1092) (i32.const 17) (;"\0\0\0\0\0\0\0\0\0x-bad";)))
      (return (i32.const 0))))
    (call $report (i32.const 1109) (i32.const 5) (;"count";) (local.get $n))
    (call $report (i32.const 1114) (i32.const 7) (;"size_rc";) (call $proxy_get_header_map_size (i32.const 0) (i32.const 8)))
    (call $report (i32.const 1121) (i32.const 4) (;"size";) (i32.load (i32.const 8)))
    (if (i32.eqz (call $proxy_get_header_map_value (i32.const 0) (i32.const 1125) (i32.const 5) (;"X-Dup";) (i32.const 0) (i32.const 4)))
      (then (call $logv (i32.const 1130) (i32.const 3) (;"dup";) (call $outp) (call $outs))))
    (call $report (i32.const 1133) (i32.const 7) (;"add_xff";) (call $proxy_add_header_map_value (i32.const 0) (i32.const 1140) (i32.const 15) (;"x-forwarded-for";) (i32.const 1155) (i32.const 8) (;"10.0.0.2";)))
    (call $report (i32.const 1163) (i32.const 7) (;"add_dup";) (call $proxy_add_header_map_value (i32.const 0) (i32.const 1170) (i32.const 5) (;"x-dup";) (i32.const 1175) (i32.const 1) (;"c";)))
    (call $report (i32.const 1176) (i32.const 7) (;"replace";) (call $proxy_replace_header_map_value (i32.const 0) (i32.const 1183) (i32.const 7) (;"x-multi";) (i32.const 1190) (i32.const 3) (;"one";)))
    (call $report (i32.const 1193) (i32.const 11) (;"get_missing";) (call $proxy_get_header_map_value (i32.const 0) (i32.const 1204) (i32.const 8) (;"x-absent";) (i32.const 0) (i32.const 4)))
    (i32.const 0))
  (data (i32.const 1024) "x-op")
  (data (i32.const 1028) "set_pairs")
  (data (i32.const 1037) "\02\00\00\00\07\00\00\00\04\00\00\00\06\00\00\00\01\00\00\00:method\00POST\00x-only\001\00")
  (data (i32.const 1079) "set_malformed")
  (data (i32.const 1092) "\01\00\00\00\05\00\00\00\01\00\00\00x-bad")
  (data (i32.const 1109) "count")
  (data (i32.const 1114) "size_rc")
  (data (i32.const 1121) "size")
  (data (i32.const 1125) "X-Dup")
  (data (i32.const 1130) "dup")
  (data (i32.const 1133) "add_xff")
  (data (i32.const 1140) "x-forwarded-for")
  (data (i32.const 1155) "10.0.0.2")
  (data (i32.const 1163) "add_dup")
  (data (i32.const 1170) "x-dup")
  (data (i32.const 1175) "c")
  (data (i32.const 1176) "replace")
  (data (i32.const 1183) "x-multi")
  (data (i32.const 1190) "one")
  (data (i32.const 1193) "get_missing")
  (data (i32.const 1204) "x-absent")
)
