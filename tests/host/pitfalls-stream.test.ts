// Pitfalls 1 and 3: what a headers callback's return value does to the stream, and local replies.
import { test } from "node:test";
import assert from "node:assert/strict";
import { host, mod, value, values, header } from "./helpers.ts";
import { localReplyHeaders } from "../../host/envoy/http-stream.ts";

const body = { method: "POST", path: "/upload", body: "hello" };

test("pitfall 1: StopIteration from on_request_headers becomes StopAll: no body callbacks, the stream stalls (408)", async (t) => {
  const h = host(t, { module: mod("stop-iteration"), config: "1", idleTimeoutMs: 500 });
  const out = await h.request(body);
  assert.equal(value(out.logs, "headers_eos"), "0");
  assert.deepEqual(values(out.logs, "body_size"), [], "on_request_body must not run while headers are stopped");
  assert.equal(out.stalled, true);
  assert.equal(out.forwarded, false);
  assert.equal(out.response.status, 408);
});

test("pitfall 1: allow_on_headers_stop_iteration is ignored before Envoy 1.35", async (t) => {
  const h = host(t, { module: mod("stop-iteration"), config: "1", envoyVersion: "1.34", allowOnHeadersStopIteration: true, idleTimeoutMs: 500 });
  const out = await h.request(body);
  assert.deepEqual(values(out.logs, "body_size"), []);
  assert.equal(out.stalled, true);
});

test("pitfall 1: with allow_on_headers_stop_iteration on Envoy ≥ 1.35 body callbacks run and release the headers", async (t) => {
  const h = host(t, { module: mod("stop-iteration"), config: "1", envoyVersion: "1.35", allowOnHeadersStopIteration: true, idleTimeoutMs: 500 });
  const out = await h.request(body);
  assert.deepEqual(values(out.logs, "body_size"), ["5"]);
  assert.equal(value(out.logs, "body_eos"), "1");
  assert.equal(out.stalled, false);
  assert.equal(out.forwarded, true);
  assert.equal(out.request?.body, "hello");
  assert.equal(out.response.status, 200);
});

test("pitfall 1: a stopped stream resumes with continue_stream, then the held body arrives in one callback", async (t) => {
  const h = host(t, { module: mod("stop-iteration"), config: "1r", idleTimeoutMs: 2000 });
  const out = await h.request({ ...body, bodyChunks: ["hel", "lo"] });
  assert.equal(value(out.logs, "tick_effective"), "0");
  assert.equal(value(out.logs, "tick_continue"), "0");
  assert.deepEqual(values(out.logs, "body_size"), ["5"]);
  assert.equal(value(out.logs, "body_eos"), "1");
  assert.equal(out.stalled, false);
  assert.equal(out.forwarded, true);
  assert.equal(out.request?.body, "hello");
});

test("pitfall 1: ContinueAndEndStream (2) behaves as Continue", async (t) => {
  const h = host(t, { module: mod("stop-iteration"), config: "2" });
  const out = await h.request(body);
  assert.deepEqual(values(out.logs, "body_size"), ["5"]);
  assert.equal(out.forwarded, true);
  assert.equal(out.request?.body, "hello", "the body is still forwarded: the stream was not ended");
  assert.equal(out.response.status, 200);
});

test("pitfall 3: send_local_response is deferred and forces Stop although the callback returned Continue", async (t) => {
  const h = host(t, { module: mod("local-reply") });
  const out = await h.request({ ...body, response: { status: 200, body: "from upstream" } });
  assert.equal(value(out.logs, "send"), "0");
  assert.equal(out.forwarded, false, "the request must not reach the upstream");
  assert.equal(out.localReply, true);
  assert.equal(out.response.status, 403);
  assert.equal(out.response.body, "nope");
  assert.equal(header(out.response.headers, "x-local"), "yes");
  assert.equal(header(out.response.headers, "content-type"), "text/plain");
  assert.equal(out.details, "denied_by_wasm", "whitespace in details becomes _");
  assert.deepEqual(values(out.logs, "req_body"), [], "no further request callbacks");
  // The plugin's own encoder callbacks run for the generated reply.
  assert.equal(value(out.logs, "resp_status"), "403");
  assert.equal(value(out.logs, "resp_eos"), "0");
  assert.equal(value(out.logs, "resp_body"), "4");
});

test("pitfall 3: a local reply to a gRPC request is HTTP 200 with grpc-status", async (t) => {
  const h = host(t, { module: mod("local-reply") });
  const out = await h.request({ method: "POST", path: "/pkg.Svc/Call", headers: [["content-type", "application/grpc"]] });
  assert.equal(out.forwarded, false);
  assert.equal(out.response.status, 200);
  assert.equal(header(out.response.headers, "grpc-status"), "7", "403 maps to PERMISSION_DENIED");
  assert.equal(header(out.response.headers, "grpc-message"), "nope");
  assert.equal(value(out.logs, "resp_status"), "200", "the plugin's on_response_headers sees the gRPC reply");
});

// Utility::prepareLocalReply (source/common/http/utility.cc), which sendLocalReply uses: a map with
// :status, then the plugin's headers (modify_headers: addCopy each), then — gRPC — :status 200,
// content-type application/grpc and grpc-message (PercentEncoding::encode: bytes < 0x20, >= '~' and
// '%') set in place, grpc-status only if the plugin gave none, content-length removed; otherwise
// content-length (in place) and content-type if absent for a body, both removed for no body.
test("local reply headers are built as Envoy's prepareLocalReply builds them", () => {
  const reply = (status: number, body: string, headers: [string, string][], grpcStatus: number | null = null) =>
    ({ status, details: "d", body: Buffer.from(body), headers, grpcStatus });
  assert.deepEqual(localReplyHeaders(reply(403, "denied", [["x-a", "1"]]), false).headers.entries,
    [[":status", "403"], ["x-a", "1"], ["content-length", "6"], ["content-type", "text/plain"]]);
  assert.deepEqual(localReplyHeaders(reply(403, "{}", [["content-type", "application/json"], ["content-length", "99"]]), false).headers.entries,
    [[":status", "403"], ["content-type", "application/json"], ["content-length", "2"]]);
  assert.deepEqual(localReplyHeaders(reply(204, "", [["content-type", "text/html"], ["x-b", "2"], ["content-length", "5"]]), false).headers.entries,
    [[":status", "204"], ["x-b", "2"]]);
  const g = localReplyHeaders(reply(403, "no way 100% ~ é", [["x-a", "1"], ["content-length", "3"]]), true);
  assert.deepEqual(g.headers.entries, [[":status", "200"], ["x-a", "1"], ["content-type", "application/grpc"], ["grpc-status", "7"],
    ["grpc-message", "no way 100%25 %7E %C3%A9"]]);
  assert.equal(g.body.length, 0);
  assert.deepEqual(localReplyHeaders(reply(503, "", [["grpc-status", "3"]], 14), true).headers.entries,
    [[":status", "200"], ["grpc-status", "3"], ["content-type", "application/grpc"]]);
});
