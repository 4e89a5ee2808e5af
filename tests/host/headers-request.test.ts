// filters/headers through the host: every operation on the request headers, as the upstream sees the
// result (filters/headers/README.md "Operations"). Query, path and host operations are in
// headers-request-path.test.ts; templates, owned headers, safety and order in headers-request-templates.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { all, names, one, reqOps, run } from "./headers-helpers.ts";

test("set: every existing entry is replaced by one entry; added when absent", async () => {
  const cfg = reqOps({ op: "set", header: "x-a", value: "new" }, { op: "set", header: "X-B", value: "b" });
  const out = await run(cfg, { path: "/", headers: [["x-a", "1"], ["x-other", "o"], ["x-a", "2"]] });
  assert.equal(out.forwarded, true);
  assert.deepEqual(all(out.up, "x-a"), ["new"], "duplicates collapse into the one set value");
  assert.deepEqual(all(out.up, "x-b"), ["b"], "absent: added, name lower-cased");
  assert.deepEqual(all(out.up, "x-other"), ["o"], "other headers untouched");
  assert.deepEqual(out.counts, { applied: 2, skipped: 0, rejected: 0 });
});

test("append: a new entry beside the existing ones; added when absent", async () => {
  const cfg = reqOps({ op: "append", header: "x-a", value: "3" }, { op: "append", header: "x-new", value: "n" });
  const out = await run(cfg, { path: "/", headers: [["x-a", "1"], ["x-a", "2"]] });
  assert.deepEqual(all(out.up, "x-a"), ["1", "2", "3"]);
  assert.deepEqual(all(out.up, "x-new"), ["n"]);
});

test("append to an inline header joins with ',' as Envoy does (x-forwarded-for, user-agent)", async () => {
  const cfg = reqOps(
    { op: "append", header: "x-forwarded-for", value: "${client_ip}", inbound: "keep" },
    { op: "append", header: "user-agent", value: "wasmgate" },
  );
  const out = await run(cfg, { path: "/", source: "10.0.0.7:51234", headers: [["x-forwarded-for", "203.0.113.9"], ["user-agent", "curl/8"]] });
  assert.deepEqual(all(out.up, "x-forwarded-for"), ["203.0.113.9,10.0.0.7"], "one entry, the client's value kept, ours joined on");
  assert.deepEqual(all(out.up, "user-agent"), ["curl/8,wasmgate"]);
  const fresh = await run(cfg, { path: "/", source: "10.0.0.7:51234" });
  assert.deepEqual(all(fresh.up, "x-forwarded-for"), ["10.0.0.7"], "absent: a plain new entry");
});

test("set_if_absent: added only when the header is absent at that point", async () => {
  const cfg = reqOps(
    { op: "set_if_absent", header: "x-present", value: "ours" },
    { op: "set_if_absent", header: "x-absent", value: "ours" },
    { op: "set", header: "x-later", value: "first" },
    { op: "set_if_absent", header: "x-later", value: "second" },
  );
  const out = await run(cfg, { path: "/", headers: [["x-present", "client"]] });
  assert.deepEqual(all(out.up, "x-present"), ["client"]);
  assert.deepEqual(all(out.up, "x-absent"), ["ours"]);
  assert.deepEqual(all(out.up, "x-later"), ["first"], "an earlier operation's write counts as present");
});

test("remove by name: every entry goes; an absent header is fine", async () => {
  const cfg = reqOps({ op: "remove", header: "x-a" }, { op: "remove", header: "x-missing" });
  const out = await run(cfg, { path: "/", headers: [["x-a", "1"], ["x-b", "b"], ["x-a", "2"]] });
  assert.deepEqual(all(out.up, "x-a"), []);
  assert.deepEqual(all(out.up, "x-b"), ["b"]);
  assert.equal(out.forwarded, true);
});

test("remove by prefix pattern: every matching header name, all entries; segment of the name matters", async () => {
  const cfg = reqOps({ op: "remove", match: { prefix: "x-internal-" } });
  const out = await run(cfg, {
    path: "/",
    headers: [["x-internal-a", "1"], ["X-Internal-B", "2"], ["x-internal-a", "3"], ["x-internalx", "keep"], ["x-public", "keep"]],
  });
  assert.deepEqual(all(out.up, "x-internal-a"), []);
  assert.deepEqual(all(out.up, "x-internal-b"), [], "names are compared lower-case");
  assert.deepEqual(all(out.up, "x-internalx"), ["keep"]);
  assert.deepEqual(all(out.up, "x-public"), ["keep"]);
});

test("remove by regex pattern", async () => {
  const cfg = reqOps({ op: "remove", match: { regex: "x-(debug|trace)-[0-9]+" } });
  const out = await run(cfg, { path: "/", headers: [["x-debug-1", "a"], ["x-trace-22", "b"], ["x-debug-x", "c"], ["x-debug-1-more", "d"]] });
  assert.deepEqual(names(out.up).filter((n) => n.startsWith("x-debug") || n.startsWith("x-trace")), ["x-debug-x", "x-debug-1-more"],
    "the regex must match the whole name");
});

test("remove by pattern never touches pseudo-headers, host, content-length or transfer-encoding", async () => {
  const cfg = reqOps({ op: "remove", match: { regex: ".*" } });
  const out = await run(cfg, {
    method: "POST", path: "/p?x=1", authority: "shop.example.com", body: "hello",
    headers: [["host", "shop.example.com"], ["content-length", "5"], ["transfer-encoding", "chunked"], ["x-a", "1"], ["accept", "*/*"]],
  });
  assert.equal(out.forwarded, true);
  assert.deepEqual(names(out.up).filter((n) => !n.startsWith(":")).sort(), ["content-length", "host", "transfer-encoding"]);
  assert.equal(one(out.up, ":path"), "/p?x=1");
  assert.equal(one(out.up, ":authority"), "shop.example.com");
  assert.equal(one(out.up, ":method"), "POST");
  assert.equal(out.request!.body, "hello");
});

test("rename: every entry moves, in order; the old name is gone", async () => {
  const cfg = reqOps({ op: "rename", header: "x-old", to: "x-new" });
  const out = await run(cfg, { path: "/", headers: [["x-old", "1"], ["x-mid", "m"], ["x-old", "2"]] });
  assert.deepEqual(all(out.up, "x-old"), []);
  assert.deepEqual(all(out.up, "x-new"), ["1", "2"]);
});

test("rename to an existing header: kept and the moved values added after; overwrite replaces them", async () => {
  const headers: [string, string][] = [["x-old", "1"], ["x-old", "2"], ["x-new", "existing"]];
  const add = await run(reqOps({ op: "rename", header: "x-old", to: "x-new" }), { path: "/", headers });
  assert.deepEqual(all(add.up, "x-new"), ["existing", "1", "2"]);
  assert.deepEqual(all(add.up, "x-old"), []);
  const over = await run(reqOps({ op: "rename", header: "x-old", to: "x-new", overwrite: true }), { path: "/", headers });
  assert.deepEqual(all(over.up, "x-new"), ["1", "2"]);
  assert.deepEqual(all(over.up, "x-old"), []);
});

test("rename of an absent header does nothing (the destination stays)", async () => {
  const out = await run(reqOps({ op: "rename", header: "x-old", to: "x-new", overwrite: true }), { path: "/", headers: [["x-new", "keep"]] });
  assert.deepEqual(all(out.up, "x-new"), ["keep"]);
});

test("copy: as rename but the source stays; with and without overwrite", async () => {
  const headers: [string, string][] = [["x-src", "a"], ["x-src", "b"], ["x-dst", "d"]];
  const add = await run(reqOps({ op: "copy", header: "x-src", to: "x-dst" }), { path: "/", headers });
  assert.deepEqual(all(add.up, "x-src"), ["a", "b"]);
  assert.deepEqual(all(add.up, "x-dst"), ["d", "a", "b"]);
  const over = await run(reqOps({ op: "copy", header: "x-src", to: "x-dst", overwrite: true }), { path: "/", headers });
  assert.deepEqual(all(over.up, "x-src"), ["a", "b"]);
  assert.deepEqual(all(over.up, "x-dst"), ["a", "b"]);
  const fresh = await run(reqOps({ op: "copy", header: "x-src", to: "x-dst" }), { path: "/", headers: [["x-src", "a"]] });
  assert.deepEqual(all(fresh.up, "x-dst"), ["a"], "absent destination: created");
});

test("replace: regex with $1 capture ('Bearer <t>' → 'Token <t>')", async () => {
  const cfg = reqOps({ op: "replace", header: "authorization", regex: "^Bearer (.+)$", with: "Token $1" });
  const out = await run(cfg, { path: "/", headers: [["authorization", "Bearer abc.def"]] });
  assert.deepEqual(all(out.up, "authorization"), ["Token abc.def"]);
  const other = await run(cfg, { path: "/", headers: [["authorization", "Basic Zm9v"]] });
  assert.deepEqual(all(other.up, "authorization"), ["Basic Zm9v"], "no match: unchanged");
});

test("replace: ${1}, named groups ${name} and $$", async () => {
  const cfg = reqOps(
    { op: "replace", header: "x-a", regex: "^(?P<user>[a-z]+)@(?P<dom>[a-z.]+)$", with: "${dom}/${user}" },
    { op: "replace", header: "x-b", regex: "([0-9]+)", with: "${1}0$$" },
  );
  const out = await run(cfg, { path: "/", headers: [["x-a", "alice@example.com"], ["x-b", "cost 5"]] });
  assert.deepEqual(all(out.up, "x-a"), ["example.com/alice"]);
  assert.deepEqual(all(out.up, "x-b"), ["cost 50$"]);
});

test("replace: every match in every entry of the header", async () => {
  const cfg = reqOps({ op: "replace", header: "x-ids", regex: "id-([0-9]+)", with: "n$1" });
  const out = await run(cfg, { path: "/", headers: [["x-ids", "id-1 id-2"], ["x-ids", "id-3"], ["x-ids", "none"]] });
  assert.deepEqual(all(out.up, "x-ids"), ["n1 n2", "n3", "none"]);
});

test("replace: an output longer than max_value_bytes is a rejected write, the value kept (an empty match per character)", async () => {
  const cfg = { max_value_bytes: 1024, request: [{ ops: [{ op: "replace", header: "x-long", regex: "x?", with: "--" }] }] };
  const long = await run(cfg, { path: "/", headers: [["x-long", "a".repeat(600)]] });
  assert.deepEqual(all(long.up, "x-long"), ["a".repeat(600)], "about 1,800 characters: refused, the value left as it was");
  assert.deepEqual(long.counts, { applied: 0, skipped: 0, rejected: 1 });
  const short = await run(cfg, { path: "/", headers: [["x-long", "ab"]] });
  assert.deepEqual(all(short.up, "x-long"), ["--a--b--"]);
  assert.deepEqual(short.counts, { applied: 1, skipped: 0, rejected: 0 });
});

test("replace: a pattern that would make replacing every match quadratic gives up on a long value (a rejected write)", async () => {
  // a*b|a on "aaa…": each search runs a*b to the end before the one-unit match wins (9 s for 20,000 units before)
  const cfg = { max_value_bytes: 65536, request: [{ ops: [{ op: "replace", header: "x-a", regex: "a*b|a", with: "-" }] }] };
  const start = process.hrtime.bigint();
  const long = await run(cfg, { path: "/", headers: [["x-a", "a".repeat(20000)]] });
  assert.ok(process.hrtime.bigint() - start < 2_000_000_000n, "well under 2 s");
  assert.deepEqual(all(long.up, "x-a"), ["a".repeat(20000)], "left as it was");
  assert.deepEqual(long.counts, { applied: 0, skipped: 0, rejected: 1 });
  assert.deepEqual(all((await run(cfg, { path: "/", headers: [["x-a", "aaba"]] })).up, "x-a"), ["--"]);
});

test("dedupe: unique (default) keeps each distinct value once, in first-seen order", async () => {
  const out = await run(reqOps({ op: "dedupe", header: "x-a" }), { path: "/", headers: [["x-a", "b"], ["x-a", "a"], ["x-a", "b"], ["x-a", "c"], ["x-a", "a"]] });
  assert.deepEqual(all(out.up, "x-a"), ["b", "a", "c"]);
});

test("dedupe: keep first / last", async () => {
  const headers: [string, string][] = [["x-a", "x"], ["x-a", "y"], ["x-a", "z"]];
  assert.deepEqual(all((await run(reqOps({ op: "dedupe", header: "x-a", keep: "first" }), { path: "/", headers })).up, "x-a"), ["x"]);
  assert.deepEqual(all((await run(reqOps({ op: "dedupe", header: "x-a", keep: "last" }), { path: "/", headers })).up, "x-a"), ["z"]);
  assert.deepEqual(all((await run(reqOps({ op: "dedupe", header: "x-a", keep: "unique" }), { path: "/", headers })).up, "x-a"), ["x", "y", "z"]);
});

test("dedupe with split: entries split at commas and trimmed first ('a, b' + 'a' → 'a' + 'b')", async () => {
  const headers: [string, string][] = [["x-a", "a, b"], ["x-a", "a"]];
  const uniq = await run(reqOps({ op: "dedupe", header: "x-a", split: true }), { path: "/", headers });
  assert.deepEqual(all(uniq.up, "x-a"), ["a", "b"]);
  const last = await run(reqOps({ op: "dedupe", header: "x-a", split: true, keep: "last" }), { path: "/", headers: [["x-a", "a, b"], ["x-a", "c ,d"]] });
  assert.deepEqual(all(last.up, "x-a"), ["d"]);
  const first = await run(reqOps({ op: "dedupe", header: "x-a", split: true, keep: "first" }), { path: "/", headers: [["x-a", " a , b"]] });
  assert.deepEqual(all(first.up, "x-a"), ["a"], "a single entry is split too");
  const without = await run(reqOps({ op: "dedupe", header: "x-a" }), { path: "/", headers });
  assert.deepEqual(all(without.up, "x-a"), ["a, b", "a"], "without split the entries differ");
});

test("dedupe: more than 256 values (after split) is a rejected write, the header left as it was", async () => {
  // Unique comparison is quadratic, and one 60 KB header splits into 15,000 items: about 0.7 s per request before.
  const items = Array.from({ length: 15000 }, (_, i) => i.toString(36).padStart(3, "0"));
  const cfg = { max_value_bytes: 65536, request: [{ ops: [{ op: "dedupe", header: "x-a", split: true }] }] };
  const big = await run(cfg, { path: "/", headers: [["x-a", items.join(",")]] });
  assert.deepEqual(all(big.up, "x-a"), [items.join(",")]);
  assert.deepEqual(big.counts, { applied: 0, skipped: 0, rejected: 1 });
  const edge = items.slice(0, 255);
  const ok = await run(cfg, { path: "/", headers: [["x-a", edge.join(", ") + ", " + edge[0]]] });
  assert.deepEqual(all(ok.up, "x-a"), edge, "256 values (255 distinct) are still deduplicated");
  const over = await run(reqOps({ op: "dedupe", header: "x-a", keep: "first" }), { path: "/", headers: items.slice(0, 257).map((v) => ["x-a", v] as [string, string]) });
  assert.equal(all(over.up, "x-a").length, 257, "257 entries: left as they were");
  assert.deepEqual(over.counts, { applied: 0, skipped: 0, rejected: 1 });
});
