;; Pitfall 18: module memory persists across requests. Each request copies the request headers
;; into module memory (get_header_map_pairs). With plugin configuration "free" the bump allocator is
;; reset in on_delete (nothing is kept); otherwise every request's copy leaks.
;; (Generated layout: string constants live at fixed offsets; the comment after each (i32.const off)
;; (i32.const len) pair shows the text.)
(module
  (import "env" "proxy_log" (func $proxy_log (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_buffer_bytes" (func $proxy_get_buffer_bytes (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_get_header_map_pairs" (func $proxy_get_header_map_pairs (param i32 i32 i32) (result i32)))

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

  (global $free (mut i32) (i32.const 0))
  (global $base (mut i32) (i32.const 0))
  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    (if (i32.eqz (call $proxy_get_buffer_bytes (i32.const 7) (i32.const 0) (local.get $size) (i32.const 0) (i32.const 4)))
      (then (global.set $free (i32.and (i32.ge_u (call $outs) (i32.const 1)) (i32.eq (i32.load8_u (call $outp)) (i32.const 102))))))
    (global.set $base (global.get $bump))
    (i32.const 1))
  (func (export "proxy_on_request_headers") (param $ctx i32) (param $n i32) (param $eos i32) (result i32)
    (drop (call $proxy_get_header_map_pairs (i32.const 0) (i32.const 0) (i32.const 4)))
    (i32.const 0))
  (func (export "proxy_on_delete") (param $ctx i32)
    (if (global.get $free) (then (global.set $bump (global.get $base)))))

)
