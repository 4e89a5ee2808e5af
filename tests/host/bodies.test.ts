// Pitfall 15: body buffers (reads outside the body callback, set_buffer_bytes rules, buffering,
// the buffer limit, content-length, trailers and end_of_stream).
import { test } from "node:test";
import assert from "node:assert/strict";
import { host, mod, value, values, header } from "./helpers.ts";

test("pitfall 15: reading the request body outside its callback is Ok with empty data", async (t) => {
  const h = host(t, { module: mod("bodies") });
  const out = await h.request({ method: "POST", path: "/", body: "hello" });
  assert.equal(value(out.logs, "hdr_read"), "0", "Ok, not NotFound");
  assert.equal(value(out.logs, "hdr_len"), "0");
  assert.deepEqual(values(out.logs, "body"), ["hello"], "inside on_request_body the chunk is readable");
});

test("pitfall 15: set_buffer_bytes can only prepend/replace a prefix or append; content-length is not adjusted", async (t) => {
  const h = host(t, { module: mod("bodies") });
  const out = await h.request({ method: "POST", path: "/", body: "hello", headers: [["x-op", "s"], ["content-length", "5"]] });
  assert.equal(value(out.logs, "set_middle"), "2", "0 < start < size → BadArgument");
  assert.equal(value(out.logs, "set_prepend"), "0");
  assert.equal(value(out.logs, "set_append"), "0");
  assert.equal(value(out.logs, "body_after"), "<<hello>>", "the plugin reads its own rewrite back");
  assert.equal(out.request?.body, "<<hello>>");
  assert.equal(header(out.request?.headers, "content-length"), "5", "the plugin must fix content-length itself");
});

test("pitfall 15: after StopIterationAndBuffer the next on_request_body sees the cumulative body", async (t) => {
  const h = host(t, { module: mod("bodies") });
  const out = await h.request({ method: "POST", path: "/", bodyChunks: ["aaa", "bb", "c"], headers: [["x-op", "b"]] });
  assert.deepEqual(values(out.logs, "body_size"), ["3", "5", "6"]);
  assert.deepEqual(values(out.logs, "body_eos"), ["0", "0", "1"]);
  assert.deepEqual(values(out.logs, "body"), ["aaa", "aaabb", "aaabbc"]);
  assert.equal(out.request?.body, "aaabbc");
});

test("pitfall 15: buffering past the buffer limit gets 413", async (t) => {
  const h = host(t, { module: mod("bodies"), bufferLimit: 8 });
  const out = await h.request({ method: "POST", path: "/", bodyChunks: ["aaaa", "bbbb", "cccc"], headers: [["x-op", "b"]] });
  assert.equal(out.forwarded, false);
  assert.equal(out.response.status, 413);
  assert.deepEqual(values(out.logs, "body_size").slice(0, 2), ["4", "8"]);
});

test("pitfall 15: with trailers no body callback has end_of_stream", async (t) => {
  const h = host(t, { module: mod("bodies") });
  const out = await h.request({ method: "POST", path: "/", bodyChunks: ["ab", "cd"], trailers: [["x-checksum", "1"]] });
  assert.deepEqual(values(out.logs, "body_eos"), ["0", "0"]);
  assert.equal(value(out.logs, "trailers"), "1");
  assert.equal(out.request?.body, "abcd");
  assert.deepEqual(out.request?.trailers, [["x-checksum", "1"]]);
});
