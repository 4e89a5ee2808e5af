// Signatures of every function Envoy registers for a module and of every callback it looks up,
// written as params→results with i = i32, I = i64 (research/envoy-host-abi.md §1, §3).
export type Sig = string; // e.g. "iii>i", ">", "iI>i"

const PROXY_COMMON: Record<string, Sig> = {
  proxy_log: "iii>i", proxy_get_current_time_nanoseconds: "i>i", proxy_set_tick_period_milliseconds: "i>i",
  proxy_get_status: "iii>i", proxy_get_property: "iiii>i", proxy_set_property: "iiii>i",
  proxy_get_buffer_bytes: "iiiii>i", proxy_get_buffer_status: "iii>i", proxy_set_buffer_bytes: "iiiii>i",
  proxy_get_header_map_pairs: "iii>i", proxy_set_header_map_pairs: "iii>i", proxy_get_header_map_value: "iiiii>i",
  proxy_replace_header_map_value: "iiiii>i", proxy_remove_header_map_value: "iii>i", proxy_add_header_map_value: "iiiii>i",
  proxy_get_header_map_size: "ii>i", proxy_send_local_response: "iiiiiiii>i",
  proxy_http_call: "iiiiiiiiii>i", proxy_grpc_call: "iiiiiiiiiiii>i", proxy_grpc_stream: "iiiiiiiii>i",
  proxy_grpc_send: "iiii>i", proxy_grpc_close: "i>i", proxy_grpc_cancel: "i>i",
  proxy_set_shared_data: "iiiii>i", proxy_get_shared_data: "iiiii>i",
  proxy_register_shared_queue: "iii>i", proxy_resolve_shared_queue: "iiiii>i",
  proxy_dequeue_shared_queue: "iii>i", proxy_enqueue_shared_queue: "iii>i",
  proxy_define_metric: "iiii>i", proxy_increment_metric: "iI>i", proxy_record_metric: "iI>i", proxy_get_metric: "ii>i",
  proxy_set_effective_context: "i>i", proxy_done: ">i", proxy_call_foreign_function: "iiiiii>i",
};
const PROXY_0_1_0_ONLY: Record<string, Sig> = {
  proxy_get_configuration: "ii>i", proxy_continue_request: ">i", proxy_continue_response: ">i", proxy_clear_route_cache: ">i",
};
const PROXY_0_2_X: Record<string, Sig> = { proxy_continue_stream: "i>i", proxy_close_stream: "i>i" };
export const ENV_EXTRA: Record<string, Sig> = { pthread_equal: "ii>i", emscripten_notify_memory_growth: "i>", envoy_resolve_dns: "iii>i" };

export type AbiVersion = "0.1.0" | "0.2.0" | "0.2.1";
export const ABI_MARKERS: Record<string, AbiVersion> = {
  proxy_abi_version_0_1_0: "0.1.0", proxy_abi_version_0_2_0: "0.2.0", proxy_abi_version_0_2_1: "0.2.1",
};

/** The env functions Envoy registers for a module of the given ABI. */
export function envFunctions(abi: AbiVersion): Record<string, Sig> {
  if (abi === "0.1.0") return { ...PROXY_COMMON, ...PROXY_0_1_0_ONLY, ...ENV_EXTRA };
  if (abi === "0.2.0") return { ...PROXY_COMMON, ...PROXY_0_2_X, ...ENV_EXTRA };
  return { ...PROXY_COMMON, ...PROXY_0_2_X, proxy_get_log_level: "i>i", ...ENV_EXTRA };
}

// WASI preview1, in the sets proxy-wasm-cpp-host offered over time (§1.3).
const WASI_BASE: Record<string, Sig> = {
  fd_write: "iiii>i", fd_read: "iiii>i", fd_seek: "iIii>i", fd_close: "i>i", fd_fdstat_get: "ii>i",
  environ_sizes_get: "ii>i", environ_get: "ii>i", args_sizes_get: "ii>i", args_get: "ii>i",
  clock_time_get: "iIi>i", random_get: "ii>i", proc_exit: "i>",
  path_open: "iiiiiIIii>i", fd_prestat_get: "ii>i", fd_prestat_dir_name: "iii>i",
};
const WASI_2024: Record<string, Sig> = { sched_yield: ">i", poll_oneoff: "iiii>i", fd_fdstat_set_flags: "ii>i" };
const WASI_2026: Record<string, Sig> = {
  clock_res_get: "ii>i", fd_filestat_get: "ii>i", path_filestat_get: "iiiii>i", fd_tell: "ii>i", fd_sync: "i>i",
  fd_datasync: "i>i", fd_advise: "iIIi>i", fd_allocate: "iII>i", fd_pread: "iiiIi>i", fd_pwrite: "iiiIi>i",
  fd_readdir: "iiiIi>i", fd_renumber: "ii>i", fd_filestat_set_size: "iI>i", fd_filestat_set_times: "iIIi>i",
  path_create_directory: "iii>i", path_remove_directory: "iii>i", path_unlink_file: "iii>i",
  path_readlink: "iiiiii>i", path_rename: "iiiiii>i", path_symlink: "iiiii>i", path_link: "iiiiiii>i",
  path_filestat_set_times: "iiiiIIi>i", sock_accept: "iii>i", sock_recv: "iiiiii>i", sock_send: "iiiii>i",
  sock_shutdown: "ii>i", fd_fdstat_set_rights: "iII>i",
};
export function wasiFunctions(envoyVersion: number): Record<string, Sig> {
  return { ...WASI_BASE, ...(envoyVersion >= 1.33 ? WASI_2024 : {}), ...(envoyVersion >= 1.38 ? WASI_2026 : {}) };
}

/** Exported callbacks Envoy looks up, with the signature it insists on. */
export function callbackSignatures(abi: AbiVersion): Record<string, Sig> {
  const hdr = abi === "0.1.0" ? "ii>i" : "iii>i";
  const sigs: Record<string, Sig> = {
    _initialize: ">", _start: ">", main: "ii>i", __main_void: ">i", malloc: "i>i", proxy_on_memory_allocate: "i>i",
    proxy_on_context_create: "ii>", proxy_on_vm_start: "ii>i", proxy_on_configure: "ii>i",
    proxy_validate_configuration: "ii>i", proxy_on_tick: "i>", proxy_on_done: "i>i", proxy_on_log: "i>", proxy_on_delete: "i>",
    proxy_on_new_connection: "i>i", proxy_on_downstream_data: "iii>i", proxy_on_upstream_data: "iii>i",
    proxy_on_downstream_connection_close: "ii>", proxy_on_upstream_connection_close: "ii>",
    proxy_on_request_headers: hdr, proxy_on_request_body: "iii>i", proxy_on_request_trailers: "ii>i", proxy_on_request_metadata: "ii>i",
    proxy_on_response_headers: hdr, proxy_on_response_body: "iii>i", proxy_on_response_trailers: "ii>i", proxy_on_response_metadata: "ii>i",
    proxy_on_http_call_response: "iiiii>", proxy_on_grpc_receive_initial_metadata: "iii>",
    proxy_on_grpc_receive_trailing_metadata: "iii>", proxy_on_grpc_receive: "iii>", proxy_on_grpc_close: "iii>",
    proxy_on_queue_ready: "ii>", envoy_on_resolve_dns: "iii>",
  };
  // No result: cpp-host's on_foreign_function_ is WasmCallVoid<3> (include/proxy-wasm/wasm.h), as the spec
  // and every SDK (Rust, C++, the old AssemblyScript SDK) declare it.
  if (abi !== "0.1.0") sigs.proxy_on_foreign_function = "iii>";
  return sigs;
}

/** "iI>i" → "(i32, i64) -> i32", the way Envoy's error messages print value types. */
export function printSig(sig: Sig): string {
  const [p, r] = sig.split(">");
  const t = (c: string) => (c === "I" ? "i64" : c === "f" ? "f32" : c === "F" ? "f64" : "i32");
  return `(${[...p].map(t).join(", ")}) -> (${[...r].map(t).join(", ")})`;
}
