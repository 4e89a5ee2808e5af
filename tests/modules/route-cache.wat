;; Route-cache clearing (host/hostcalls/headers.ts, core.ts). Scenario by request header x-op:
;;   "a" / "r" / "d" / "p"  add / replace / remove / set_header_map_pairs on REQUEST_HEADERS in
;;                          on_request_headers (each clears the route cache once, every Envoy version);
;;   "f"                    proxy_call_foreign_function("clear_route_cache") in on_request_headers
;;                          (Ok and clears on Envoy >= 1.33, NotFound before);
;;   "F"                    the same foreign call from on_response_headers;
;;   (anything else)        no request-header write.
;; Always: add on REQUEST_TRAILERS in on_request_trailers (when the request has trailers), add and
;; replace on RESPONSE_HEADERS and a (failing) add on REQUEST_HEADERS in on_response_headers.
;; (Generated layout: string constants live at fixed offsets; the comment after each (i32.const off)
;; (i32.const len) pair shows the text.)
(module
  (import "env" "proxy_log" (func $proxy_log (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_header_map_value" (func $proxy_get_header_map_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_add_header_map_value" (func $proxy_add_header_map_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_replace_header_map_value" (func $proxy_replace_header_map_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_remove_header_map_value" (func $proxy_remove_header_map_value (param i32 i32 i32) (result i32)))
  (import "env" "proxy_set_header_map_pairs" (func $proxy_set_header_map_pairs (param i32 i32 i32) (result i32)))
  (import "env" "proxy_call_foreign_function" (func $proxy_call_foreign_function (param i32 i32 i32 i32 i32 i32) (result i32)))

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

  ;; The first byte of request header x-op (0 when absent) selects what on_request_headers writes; it is
  ;; kept in $op for the later callbacks (one request at a time per VM in these tests).
  (global $op (mut i32) (i32.const 0))
  (func $read_op (result i32)
    (if (result i32) (i32.eqz (call $proxy_get_header_map_value (i32.const 0) (i32.const 1024) (i32.const 4) (;"x-op";) (i32.const 0) (i32.const 4)))
      (then (if (result i32) (call $outs) (then (i32.load8_u (call $outp))) (else (i32.const 0))))
      (else (i32.const 0))))
  ;; foreign: proxy_call_foreign_function("clear_route_cache", no arguments); returns the status.
  (func $foreign (result i32)
    (call $proxy_call_foreign_function (i32.const 1028) (i32.const 17) (;"clear_route_cache";) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 4)))

  (func (export "proxy_on_request_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (global.set $op (call $read_op))
    ;; "a": add, "r": replace, "d": remove, "p": set pairs — each on REQUEST_HEADERS (0).
    (if (i32.eq (global.get $op) (i32.const 97)) (then
      (call $report (i32.const 1045) (i32.const 3) (;"add";) (call $proxy_add_header_map_value (i32.const 0) (i32.const 1048) (i32.const 4) (;"x-rc";) (i32.const 1052) (i32.const 1) (;"1";)))))
    (if (i32.eq (global.get $op) (i32.const 114)) (then
      (call $report (i32.const 1053) (i32.const 7) (;"replace";) (call $proxy_replace_header_map_value (i32.const 0) (i32.const 1048) (i32.const 4) (;"x-rc";) (i32.const 1060) (i32.const 1) (;"2";)))))
    (if (i32.eq (global.get $op) (i32.const 100)) (then
      (call $report (i32.const 1061) (i32.const 6) (;"remove";) (call $proxy_remove_header_map_value (i32.const 0) (i32.const 1024) (i32.const 4) (;"x-op";)))))
    (if (i32.eq (global.get $op) (i32.const 112)) (then
      (call $report (i32.const 1067) (i32.const 9) (;"set_pairs";) (call $proxy_set_header_map_pairs (i32.const 0) (i32.const 1076) (i32.const 42) (;pairs [[":method","POST"],["x-only","1"]];)))))
    ;; "f": the clear_route_cache foreign function, no header write.
    (if (i32.eq (global.get $op) (i32.const 102)) (then
      (call $report (i32.const 1118) (i32.const 7) (;"foreign";) (call $foreign))))
    (i32.const 0))

  ;; Request trailers (map 1) are writable here: never clears.
  (func (export "proxy_on_request_trailers") (param $ctx i32) (param $n i32) (result i32)
    (call $report (i32.const 1125) (i32.const 11) (;"trailer_add";) (call $proxy_add_header_map_value (i32.const 1) (i32.const 1136) (i32.const 6) (;"x-rc-t";) (i32.const 1052) (i32.const 1) (;"1";)))
    (i32.const 0))

  ;; Always: a response-header write (map 2, Ok, never clears) and a late request-header write (the
  ;; request headers were continued, so BadArgument, and nothing is cleared). "F": the foreign function
  ;; from the response phase.
  (func (export "proxy_on_response_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (call $report (i32.const 1142) (i32.const 8) (;"resp_add";) (call $proxy_add_header_map_value (i32.const 2) (i32.const 1150) (i32.const 9) (;"x-rc-resp";) (i32.const 1052) (i32.const 1) (;"1";)))
    (call $report (i32.const 1159) (i32.const 12) (;"resp_replace";) (call $proxy_replace_header_map_value (i32.const 2) (i32.const 1150) (i32.const 9) (;"x-rc-resp";) (i32.const 1060) (i32.const 1) (;"2";)))
    (call $report (i32.const 1171) (i32.const 12) (;"late_req_add";) (call $proxy_add_header_map_value (i32.const 0) (i32.const 1183) (i32.const 6) (;"x-late";) (i32.const 1052) (i32.const 1) (;"1";)))
    (if (i32.eq (global.get $op) (i32.const 70)) (then
      (call $report (i32.const 1189) (i32.const 12) (;"resp_foreign";) (call $foreign))))
    (i32.const 0))

  (data (i32.const 1024) "x-op")
  (data (i32.const 1028) "clear_route_cache")
  (data (i32.const 1045) "add")
  (data (i32.const 1048) "x-rc")
  (data (i32.const 1052) "1")
  (data (i32.const 1053) "replace")
  (data (i32.const 1060) "2")
  (data (i32.const 1061) "remove")
  (data (i32.const 1067) "set_pairs")
  (data (i32.const 1076) "\02\00\00\00\07\00\00\00\04\00\00\00\06\00\00\00\01\00\00\00:method\00POST\00x-only\001\00")
  (data (i32.const 1118) "foreign")
  (data (i32.const 1125) "trailer_add")
  (data (i32.const 1136) "x-rc-t")
  (data (i32.const 1142) "resp_add")
  (data (i32.const 1150) "x-rc-resp")
  (data (i32.const 1159) "resp_replace")
  (data (i32.const 1171) "late_req_add")
  (data (i32.const 1183) "x-late")
  (data (i32.const 1189) "resp_foreign")
)
