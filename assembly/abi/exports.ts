// The callbacks a proxy-wasm 0.2.1 module exports, in four sets a filter can pick from:
//   exports/core.ts      ABI marker, allocator, context lifecycle, request/response headers (always)
//   exports/bodies.ts    request/response body and trailers
//   exports/callouts.ts  HTTP call responses and gRPC events (httpCall/grpc* need it)
//   exports/events.ts    tick timer, shared-queue ready, foreign function (setTickPeriod/registerSharedQueue need it)
// Envoy calls only what a module exports (an absent body callback means Continue without a VM call),
// so a filter that leaves out a set it does not use is smaller and cheaper. This file is all four;
// a filter's entry file re-exports it through sdk/exports.ts, or picks sets through sdk/exports/*.ts.
export * from "./exports/core";
export * from "./exports/bodies";
export * from "./exports/callouts";
export * from "./exports/events";
