// Property-based fuzzing of filters/headers through the host (filters/headers/README.md "Safety":
// hostile requests never trap the VM; every write is checked). Random VALID configurations built
// from the README's grammar meet hostile requests (tests/host/headers-fuzz-gen.ts); one host per
// configuration, several requests per host. Properties, checked on every request:
//  1. no trap: no 503 wasm_fail_stream, no failed VM, no error/critical log, the request is forwarded
//     and the client gets the upstream's status;
//  2. every header the upstream and the client get has an RFC 9110 token name (or is a pseudo-header)
//     and a value without CR, LF, NUL or other controls (HTAB allowed) — unless that exact header
//     (name and value) came in that way;
//  3. every value the filter wrote that was not in the input is at most max_value_bytes UTF-8 bytes;
//  4. :path stays an origin-form path (and a rewritten one has no "." or ".." segment), :authority
//     changes only through a host operation, :method and :scheme never change;
//  5. the three counters are non-negative and consistent with the configuration;
//  6. (separate tests) linear memory stays bounded when the same requests are replayed on one host.
// Deterministic by default (fixed seed). Explore with FUZZ_SEED=<n> FUZZ_RUNS=<configurations for the
// main property>; replay a reported failure with its FUZZ_SEED and FUZZ_PATH, running only that test
// (--test-name-pattern). A failure message carries the configuration and the request description
// (long strings as {rep, n}; materialize() in headers-fuzz-gen.ts rebuilds the request).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { RequestSpec } from "../../host/index.ts";
import { all, one, reqOps, run } from "./headers-helpers.ts";
import { configArb, materialize, requestArb, show, type Config } from "./headers-fuzz-gen.ts";
import { checkAll, hostFor } from "./headers-fuzz-check.ts";

const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : 0x5eed_4ead;
/** Configurations for the main property; the other properties scale with it. */
const RUNS = process.env.FUZZ_RUNS !== undefined ? Number(process.env.FUZZ_RUNS) : 150;
const runs = (share: number) => Math.max(1, Math.round(RUNS * share));
const params = (numRuns: number): fc.Parameters<unknown> => ({
  seed: SEED, numRuns, ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}),
});

// ---------------------------------------------------------------------------------------------
// Properties 1–5

test("fuzz: random configurations × hostile requests: no trap, safe names and values, size caps, pseudo-headers, counters", async () => {
  await fc.assert(fc.asyncProperty(configArb(), fc.array(requestArb(), { minLength: 2, maxLength: 5 }), checkAll), params(runs(1)));
});

test("fuzz: raw control characters, CR/LF and NUL in inbound header values and identity never reach a header the filter writes", async () => {
  // Envoy's codecs refuse such header values before any filter runs; the host does not, so here the
  // filter's own guard is on its own: every write is checked, moved values (rename, copy, dedupe)
  // included.
  await fc.assert(fc.asyncProperty(configArb(), fc.array(requestArb({ controls: true }), { minLength: 2, maxLength: 5 }), checkAll),
    params(runs(0.4)));
});

// ---------------------------------------------------------------------------------------------
// Property 6: linear memory. The allocator grows memory in steps (assembly/rt/alloc.ts: up to 1 MiB or
// the current size, or what a block needs), and the collector frees garbage some requests later, so
// some growth after a warm-up is normal, but not past twice the warm size; a leak keeps growing.
// Pages never shrink.

/** Pages of worker 0's VM after each of `passes` passes over `specs`. */
async function pagesPerPass(cfg: Config, specs: RequestSpec[], passes: number): Promise<number[]> {
  const h = hostFor(cfg);
  try {
    const vm = h.filters[0].workers[0].vm!;
    const pages: number[] = [];
    for (let i = 0; i < passes; i++) {
      for (const s of specs) {
        const out = await h.request(s);
        if (out.details === "wasm_fail_stream") throw new Error(`trap: ${out.logs.map((l) => l.message).join(" | ")}`);
      }
      pages.push(vm.memoryPages());
    }
    return pages;
  } finally {
    h.close();
  }
}

test("fuzz: linear memory stays bounded when the same hostile requests are replayed on one host", async () => {
  await fc.assert(fc.asyncProperty(configArb(), fc.array(requestArb(), { minLength: 2, maxLength: 4 }), async (cfg, descs) => {
    // The SDK collects garbage every 16 streams (assembly/sdk/gc.ts), so memory settles only after
    // the first collection: compare after ~24 requests with after ~60.
    const warmPasses = Math.ceil(24 / descs.length), passes = Math.ceil(60 / descs.length);
    const pages = await pagesPerPass(cfg, descs.map(materialize), passes);
    const warm = pages[warmPasses - 1], end = pages[pages.length - 1];
    assert.ok(end <= 2 * warm, `memory grew from ${warm} pages after ${warmPasses} passes to ${end} after ${passes} (pages per pass: ${pages.join(" ")})\n  config: ${show(cfg)}\n  requests: ${show(descs)}`);
  }), params(runs(0.15)));
});

/** One of every operation, templates over every source, a condition of every kind. */
const EVERY_OP: Config = {
  request: [
    { match: { path: { prefix: "/" }, headers: { "x-a": { present: true, invert: true } } }, ops: [{ op: "remove", match: { prefix: "x-internal-" } }] },
    { ops: [
      { op: "set", header: "x-user", value: "${header:x-a}|${query:x}|${cookie:session}|${method} ${path} ${host}" },
      { op: "append", header: "x-forwarded-for", value: "${client_ip}", inbound: "keep" },
      { op: "set_if_absent", header: "x-tenant", value: "${claim:org.id|acme}/${consumer|anonymous}/${request_id}/${property:xds.cluster_name}" },
      { op: "rename", header: "authorization", to: "x-auth" }, { op: "copy", header: "cookie", to: "x-cookie", overwrite: true },
      { op: "replace", header: "x-auth", regex: "^Bearer (.+)$", with: "Token $1" }, { op: "dedupe", header: "x-a", keep: "unique" },
    ] },
    { match: { methods: ["GET", "POST"], host: "*.example.com", query: { q: { present: true } } }, ops: [
      { op: "query_set", param: "v", value: "${header:x-a}" }, { op: "query_add", param: "w", value: "1" }, { op: "query_remove", param: "debug" },
      { op: "query_rename", param: "q", to: "query" }, { op: "path_prefix", prefix: "/api", to: "/v1" },
      { op: "path_regex", regex: "^/v1/(\\w+)$", with: "/v1/$1/index" }, { op: "host", value: "backend.internal:8080" },
    ] },
  ],
  response: [
    { match: { status: ["2xx", 404], response_headers: { "content-type": { prefix: "text/" } } }, ops: [
      { op: "set", header: "x-path", value: "${path}" }, { op: "remove", header: "server" }, { op: "dedupe", header: "via", split: true, keep: "last" },
    ] },
    { ops: [{ op: "append", header: "x-request-id", value: "${request_id}" }, { op: "rename", header: "x-resp", to: "x-renamed" }] },
  ],
  max_value_bytes: 4096,
  trusted_hops: 1,
};

test("linear memory: 600 hostile requests through one host with every operation grow it at most once after warm-up", async () => {
  const descs = fc.sample(requestArb(), { seed: SEED, numRuns: 20 });
  const pages = await pagesPerPass(EVERY_OP, descs.map(materialize), 30);
  const warm = pages[4], end = pages[pages.length - 1];
  assert.ok(end <= 2 * warm, `memory grew from ${warm} pages after 100 requests to ${end} after 600 (per 20: ${pages.join(" ")})`);
});

// ---------------------------------------------------------------------------------------------
// What the fuzzer found, one minimal case each.

// Found by this fuzzer against 7cfa5cd, fixed in 1385723 ("moved/rewritten values … are checked
// like new ones"): kept as regression tests.
test("found: rename does not pass an inbound CR/LF on to another header (fixed)", async () => {
  const out = await run({ response: [{ ops: [{ op: "rename", header: "cache-control", to: "server" }] }] },
    { path: "/", response: { status: 200, headers: [["cache-control", "\r\n"]] } });
  assert.deepEqual(all(out.down, "server"), [], "the write is skipped");
  assert.equal(out.counts.rejected, 1);
});

test("found: dedupe with split does not write a trimmed piece longer than max_value_bytes (fixed)", async () => {
  const out = await run({ request: [{ ops: [{ op: "dedupe", header: "x-a", split: true }] }], max_value_bytes: 1 }, { path: "/", headers: [["x-a", "aa\t"]] });
  assert.deepEqual(all(out.up, "x-a"), ["aa\t"], "the 2-byte write \"aa\" is skipped");
  assert.equal(out.counts.rejected, 1);
});

// Found by the fuzzer and fixed since (kept as regression tests).
test("found: replace with an empty-matching regex would split a non-BMP character: the write is rejected, never sent as invalid UTF-8", async () => {
  // The regex engine works on UTF-16 code units, so x* → - lands between the surrogates of U+1F600.
  const out = await run({ request: [{ ops: [{ op: "replace", header: "x-a", regex: "x*", with: "-" }] }] }, { path: "/", headers: [["x-a", "\u{1F600}"]] });
  assert.deepEqual(all(out.up, "x-a"), ["\u{1F600}"], `x-a: ${JSON.stringify(all(out.up, "x-a"))}`);
  assert.equal(out.counts.rejected, 1);
});

test("found: a query longer than the parser keeps (256 parameters) is not edited, rather than losing its tail", async () => {
  const params = Array.from({ length: 300 }, (_, i) => `p${i}=x`).join("&");
  const out = await run({ request: [{ ops: [{ op: "query_set", param: "v", value: "1" }] }] }, { path: `/a?${params}&admin=true` });
  assert.equal(one(out.up, ":path"), `/a?${params}&admin=true`);
  assert.equal(out.counts.rejected, 1);
});

// parseCookies used to search for '=' from each piece to the end of the header (O(n²): 20 000 ';'
// cost ~1 s per request); it now looks only inside the piece. Speed belongs to benchmarks, so this
// checks the result on such a header; the generator's 2 000-character cap on cookies can go up.
test("found: a Cookie header of thousands of empty pieces still yields the cookie after them", async () => {
  const cfg = { request: [{ ops: [{ op: "set", header: "x-s", value: "${cookie:session}" }] }] };
  const out = await run(cfg, { path: "/", headers: [["cookie", ";".repeat(16000) + " session=abc"]] });
  assert.deepEqual(all(out.up, "x-s"), ["abc"]);
});

test("found: the host keeps a leading U+FEFF in values the guest writes (TextDecoder drops it unless ignoreBOM)", async () => {
  const out = await run(reqOps({ op: "copy", header: "x-a", to: "x-b" }), { path: "/", headers: [["x-a", "\ufeff.."]] });
  assert.deepEqual(all(out.up, "x-b"), ["\ufeff.."]);
});
