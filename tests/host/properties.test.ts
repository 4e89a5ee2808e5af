// Pitfall 13: property paths (NUL-separated), encodings, root-context availability and the Envoy 1.33
// removal of the Wasm-only top-level names.
import { test } from "node:test";
import assert from "node:assert/strict";
import { host, mod, value } from "./helpers.ts";
import { StreamInfo } from "../../host/envoy/stream-info.ts";
import { HeaderMap } from "../../host/envoy/header-map.ts";
import { encode } from "../../host/envoy/property-value.ts";

/** "<status>,<length>,<first u32 or byte>,<raw>" as logged by properties.wat. */
function prop(logs: { message: string }[], tag: string) {
  const v = value(logs, tag);
  assert.ok(v !== undefined, `${tag} was not probed`);
  const [status, len, num, ...raw] = v.split(",");
  return { status: Number(status), len: Number(len), num: Number(num), raw: raw.join(",") };
}

const node = { id: "node-1", cluster: "edge", metadata: {} };

test("pitfall 13: NUL-separated paths work, dotted paths are NotFound; source.address has the port", async (t) => {
  const h = host(t, { module: mod("properties"), rootId: "my_root", node });
  const out = await h.request({ method: "POST", path: "/p?q=1", body: "hello", source: "10.1.2.3:45678" });
  assert.deepEqual(prop(out.logs, "path"), { status: 0, len: 6, num: prop(out.logs, "path").num, raw: "/p?q=1" });
  assert.equal(prop(out.logs, "path_trailing_nul").raw, "/p?q=1", "a trailing NUL is tolerated");
  assert.equal(prop(out.logs, "dotted").status, 1, "request.path (dotted) → NotFound");
  assert.equal(prop(out.logs, "source").raw, "10.1.2.3:45678");
  assert.deepEqual([prop(out.logs, "source_port").len, prop(out.logs, "source_port").num], [8, 45678]);
});

test("pitfall 13: ints are 8 bytes little-endian, bools 1 byte", async (t) => {
  const h = host(t, { module: mod("properties") });
  const out = await h.request({ method: "POST", path: "/", body: "hello" });
  const size = prop(out.logs, "size");
  assert.deepEqual([size.status, size.len, size.num], [0, 8, 5]);
  const mtls = prop(out.logs, "mtls");
  assert.deepEqual([mtls.status, mtls.len, mtls.num], [0, 1, 0]);
});

test("pitfall 13: in a root context plugin_root_id is available, stream properties are NotFound", (t) => {
  const h = host(t, { module: mod("properties"), rootId: "my_root", node });
  const logs = h.logs().filter((r) => r.vm === "main").map((r) => ({ message: r.line }));
  assert.deepEqual([prop(logs, "cfg_root_id").status, prop(logs, "cfg_root_id").raw], [0, "my_root"]);
  assert.equal(prop(logs, "cfg_path").status, 1);
  assert.equal(prop(logs, "cfg_xds_node").raw, "node-1", "xds.node works in root contexts");
});

test("pitfall 13: Envoy 1.32 answers the Wasm-only top-level names (node, route_name), 1.33 does not", async (t) => {
  const old = host(t, { module: mod("properties"), envoyVersion: "1.32", node });
  const a = await old.request({ path: "/" });
  assert.deepEqual([prop(a.logs, "legacy_node").status, prop(a.logs, "legacy_node").raw], [0, "node-1"]);
  assert.equal(prop(a.logs, "legacy_route").status, 0);
  const cur = host(t, { module: mod("properties"), envoyVersion: "1.33", node });
  const b = await cur.request({ path: "/" });
  assert.equal(prop(b.logs, "legacy_node").status, 1);
  assert.equal(prop(b.logs, "legacy_route").status, 1);
  assert.deepEqual([prop(b.logs, "xds_node").status, prop(b.logs, "xds_node").raw], [0, "node-1"]);
  assert.equal(prop(b.logs, "root_id").status, 0);
});

// The request.* / response.* / upstream.* values as source/extensions/filters/common/expr/context.cc
// computes them (RequestLookupValues, ResponseLookupValues, UpstreamLookupValues).

test("request/response size values follow Envoy's CEL attributes", () => {
  const info = new StreamInfo({ sourceAddress: "1.2.3.4:5", destinationAddress: "5.6.7.8:80", connectionId: 1, mtls: false, requestedServerName: "", protocol: "HTTP/1.1" }, 0n);
  info.bytesReceived = 5;
  const req = new HeaderMap("request", [[":path", "/"], ["content-length", "5"]]);
  // total_size: bytes received + the byte size of the request headers as they are now (0 once unreachable).
  assert.deepEqual(info.request("total_size", req), { t: "int", v: BigInt(5 + req.byteSize()) });
  assert.deepEqual(info.request("total_size", null), { t: "int", v: 5n });
  // size: an unparsable content-length gives no value (not the byte count).
  assert.equal(info.request("size", new HeaderMap("request", [["content-length", "x"]])), undefined);
  assert.deepEqual(info.request("size", new HeaderMap("request", [])), { t: "int", v: 5n });
  // response.total_size counts the trailers too; grpc_status falls back to the HTTP status mapped.
  info.bytesSent = 2;
  const rh = new HeaderMap("response", [[":status", "404"]]);
  const rt = new HeaderMap("response-trailers", [["x-t", "1"]]);
  assert.deepEqual(info.response("total_size", rh, rt), { t: "int", v: BigInt(2 + rh.byteSize() + rt.byteSize()) });
  info.responseCode = 404;
  assert.deepEqual(info.response("grpc_status", rh, null), { t: "int", v: 12n }, "404 → UNIMPLEMENTED");
  // upstream.request_attempt_count is attemptCount() or 0, also before an upstream is chosen.
  assert.deepEqual(encode(info.upstream("request_attempt_count")!), encode({ t: "uint", v: 0n }));
});
