// Route-cache clearing per Envoy version (host/hostcalls/headers.ts and core.ts; sources there):
//  - every successful write to the request headers clears the route cache, on every Envoy version the
//    host models (PR #14318, 1.17; since 1.33 PR #36671 skips it only for ABIs newer than 0.2.1, which no
//    loadable module has); request trailers and response headers never clear it;
//  - the clear_route_cache foreign function (PR #36671) exists from 1.33: NotFound on 1.32, Ok and one
//    clear on 1.36, from the response phase too;
//  - ABI 0.1.0's proxy_clear_route_cache clears on every version.
// outcome.routeCacheCleared counts the clears of one request.
import { test } from "node:test";
import assert from "node:assert/strict";
import { host, mod, value, header } from "./helpers.ts";

for (const envoyVersion of ["1.32", "1.36"]) {
  test(`route cache, Envoy ${envoyVersion}: each request-header write in on_request_headers clears it once`, async (t) => {
    const h = host(t, { module: mod("route-cache"), envoyVersion });
    for (const [op, tag] of [["a", "add"], ["r", "replace"], ["d", "remove"], ["p", "set_pairs"]]) {
      const out = await h.request({ path: "/rc", headers: [["x-op", op]] });
      assert.equal(value(out.logs, tag), "0", `${tag} → Ok`);
      assert.equal(out.routeCacheCleared, 1, `${tag} clears the route cache once`);
    }
  });

  test(`route cache, Envoy ${envoyVersion}: response-header writes, request-trailer writes and a request without writes never clear it`, async (t) => {
    const h = host(t, { module: mod("route-cache"), envoyVersion });
    const out = await h.request({ path: "/rc", trailers: [["x-t", "1"]] });
    assert.equal(value(out.logs, "trailer_add"), "0", "request trailers written (Ok)");
    assert.equal(value(out.logs, "resp_add"), "0", "response headers written (Ok)");
    assert.equal(value(out.logs, "resp_replace"), "0");
    assert.equal(header(out.response.headers, "x-rc-resp"), "2");
    assert.equal(value(out.logs, "late_req_add"), "2", "request headers after Continue → BadArgument");
    assert.equal(out.routeCacheCleared, 0);
  });
}

test("route cache: the clear_route_cache foreign function is NotFound on Envoy 1.32", async (t) => {
  const h = host(t, { module: mod("route-cache"), envoyVersion: "1.32" });
  const out = await h.request({ path: "/rc", headers: [["x-op", "f"]] });
  assert.equal(value(out.logs, "foreign"), "1", "NotFound: not registered before 1.33");
  assert.equal(out.routeCacheCleared, 0);
});

test("route cache: the clear_route_cache foreign function clears it on Envoy 1.36, from the response phase too", async (t) => {
  const h = host(t, { module: mod("route-cache"), envoyVersion: "1.36" });
  const req = await h.request({ path: "/rc", headers: [["x-op", "f"]] });
  assert.equal(value(req.logs, "foreign"), "0");
  assert.equal(req.routeCacheCleared, 1);
  const resp = await h.request({ path: "/rc", headers: [["x-op", "F"]] });
  assert.equal(value(resp.logs, "resp_foreign"), "0", "the stream's decoder callbacks outlive the request phase");
  assert.equal(resp.routeCacheCleared, 1);
});

for (const envoyVersion of ["1.32", "1.36"]) {
  test(`route cache, Envoy ${envoyVersion}: ABI 0.1.0 proxy_clear_route_cache clears it, and so does its request-header write`, async (t) => {
    const h = host(t, { module: mod("route-cache-010"), envoyVersion });
    const out = await h.request({ path: "/rc" });
    assert.equal(value(out.logs, "clear"), "0");
    assert.equal(value(out.logs, "add"), "0");
    assert.equal(out.routeCacheCleared, 2);
  });
}
