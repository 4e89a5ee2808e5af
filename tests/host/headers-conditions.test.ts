// filters/headers through the host: rule conditions (filters/headers/README.md "Conditions" and
// "String matchers"): path, methods, host, headers, query, consumer and claims; rules_skipped.
// Response-only conditions (status, response_headers) are in headers-response.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { RequestSpec } from "../../host/index.ts";
import { one, run } from "./headers-helpers.ts";

/** Whether a rule with this `match` held for the request (it sets x-hit when it does). */
async function holds(match: object, request: RequestSpec): Promise<boolean> {
  const out = await run({ request: [{ match, ops: [{ op: "set", header: "x-hit", value: "1" }] }] }, request);
  assert.equal(out.forwarded, true);
  const hit = one(out.up, "x-hit") === "1";
  assert.equal(out.counts.skipped, hit ? 0 : 1, "a rule whose condition fails counts one skip");
  assert.equal(out.counts.applied, hit ? 1 : 0);
  return hit;
}

async function table(match: object, cases: [RequestSpec | string, boolean][]) {
  for (const [c, want] of cases) {
    const spec = typeof c === "string" ? { path: c } : c;
    assert.equal(await holds(match, spec), want, `${JSON.stringify(match)} on ${JSON.stringify(spec)}`);
  }
}

test("no match, or {}, always holds", async () => {
  const out = await run({ request: [{ ops: [{ op: "set", header: "x-a", value: "1" }] }, { match: {}, ops: [{ op: "set", header: "x-b", value: "1" }] }] }, { path: "/x" });
  assert.equal(one(out.up, "x-a"), "1");
  assert.equal(one(out.up, "x-b"), "1");
  assert.equal(out.counts.skipped, 0);
});

test("path exact, on the canonical path (query ignored)", async () => {
  await table({ path: { exact: "/admin" } }, [
    ["/admin", true], ["/admin?x=1", true], ["/api/../admin", true], ["//admin", true], ["/%61dmin", true],
    ["/admin/", false], ["/admin/x", false], ["/Admin", false],
  ]);
});

test("path prefix is segment-aware", async () => {
  await table({ path: { prefix: "/api" } }, [
    ["/api", true], ["/api/", true], ["/api/x/y", true], ["/api?x", true], ["/x/../api/v1", true],
    ["/apix", false], ["/ap", false], ["/v1/api", false],
  ]);
  await table({ path: { prefix: "/api/" } }, [["/api/x", true], ["/api", false]]);
});

test("path suffix and regex (the whole path), ignore_case", async () => {
  await table({ path: { suffix: ".json" } }, [["/a/b.json", true], ["/a/b.json?x=.xml", true], ["/a/b.jsonx", false]]);
  await table({ path: { regex: "/users/[0-9]+" } }, [["/users/42", true], ["/users/42/x", false], ["/v1/users/42", false]]);
  await table({ path: { prefix: "/API", ignore_case: true } }, [["/api/x", true], ["/Api", true], ["/apix", false]]);
  await table({ path: { exact: "/Admin", ignore_case: true } }, [["/ADMIN", true], ["/admin", true]]);
  await table({ path: { regex: "/admin(/.*)?", ignore_case: true } }, [["/ADMIN/x", true], ["/administrator", false]]);
});

test("a path refused by canonicalisation matches no path condition", async () => {
  await table({ path: { prefix: "/" } }, [["/a\x01b", false], ["relative", false]]);
});

// README "Path operations": "Escaped %2F, %5C and %00 are not separators: they stay encoded, in
// matching and in the rewritten path."
test("escaped %2F, %5C and %00 stay encoded in matching: never a segment separator", async () => {
  await table({ path: { prefix: "/api" } }, [["/api/a%2Fb", true], ["/api/a%5Cb", true], ["/api/a%00b", true], ["/api%2Fadmin", false]]);
  await table({ path: { prefix: "/admin" } }, [["/admin%2Fusers", false], ["/x/..%2Fadmin", false], ["/x%2F..%2Fadmin", false]]);
  await table({ path: { exact: "/admin/users" } }, [["/admin%2Fusers", false], ["/admin%2fusers", false]]);
  await table({ path: { exact: "/files/a%2Fb" } }, [["/files/a%2Fb", true], ["/files/a%2fb", true]]);
});

test("methods", async () => {
  await table({ methods: ["GET", "HEAD"] }, [
    [{ method: "GET", path: "/" }, true], [{ method: "HEAD", path: "/" }, true],
    [{ method: "POST", path: "/" }, false], [{ method: "get", path: "/" }, false],
  ]);
});

test("host: exact (lower-cased, port and trailing dot ignored)", async () => {
  await table({ host: "API.example.com" }, [
    [{ path: "/", authority: "api.example.com" }, true], [{ path: "/", authority: "Api.Example.COM:8443" }, true],
    [{ path: "/", authority: "api.example.com." }, true],
    [{ path: "/", authority: "www.example.com" }, false], [{ path: "/", authority: "api.example.com.evil" }, false],
  ]);
});

test("host: \"*.example.com\" is any subdomain, not the apex", async () => {
  await table({ host: "*.example.com" }, [
    [{ path: "/", authority: "api.example.com" }, true], [{ path: "/", authority: "a.b.example.com:80" }, true],
    [{ path: "/", authority: "example.com" }, false], [{ path: "/", authority: "evilexample.com" }, false],
    [{ path: "/", authority: "example.com.evil" }, false],
  ]);
});

test("host: a string matcher sees the lower-cased host without port", async () => {
  await table({ host: { prefix: "api." } }, [[{ path: "/", authority: "API.shop:81" }, true], [{ path: "/", authority: "www.shop" }, false]]);
  await table({ host: { regex: "[a-z]+\\.internal" } }, [[{ path: "/", authority: "svc.internal:8080" }, true], [{ path: "/", authority: "svc.internal.com" }, false]]);
});

test("headers: exact (shorthand), prefix, suffix, contains, regex — on the values joined with ',' (Envoy's HeaderMatcher)", async () => {
  const h = (v: string | [string, string][]) => ({ path: "/", headers: typeof v === "string" ? [["x-env", v]] as [string, string][] : v });
  await table({ headers: { "X-Env": "prod" } }, [[h("prod"), true], [h("Prod"), false], [h("prod2"), false], [h([]), false]]);
  // a repeated header is one value "a,b": a client cannot pick which of its values is tested
  await table({ headers: { "x-env": "prod" } }, [[h([["x-env", "dev"], ["x-env", "prod"]]), false], [h([["x-env", "prod"], ["x-env", "dev"]]), false]]);
  await table({ headers: { "x-env": "prod,dev" } }, [[h([["x-env", "prod"], ["x-env", "dev"]]), true], [h([["x-env", "prod,dev"]]), true]]);
  await table({ headers: { "x-env": { regex: "(^|.*,)prod(,.*|$)" } } }, [[h([["x-env", "dev"], ["x-env", "prod"]]), true], [h([["x-env", "dev"]]), false]]);
  await table({ headers: { "x-env": { prefix: "pr" } } }, [[h("prod"), true], [h("dev"), false]]);
  await table({ headers: { "x-env": { suffix: "od" } } }, [[h("prod"), true], [h("prodx"), false]]);
  await table({ headers: { "x-env": { contains: "ro" } } }, [[h("prod"), true], [h("dev"), false]]);
  await table({ headers: { "x-env": { regex: "pr[a-z]d" } } }, [[h("prod"), true], [h("prod-eu"), false]]);
});

test("a rule that strips a token unless x-role is admin cannot be skipped by repeating x-role", async () => {
  const cfg = { request: [{ match: { headers: { "x-role": { exact: "admin", invert: true } } }, ops: [{ op: "remove", header: "x-admin-token" }] }] };
  const out = await run(cfg, { path: "/", headers: [["x-role", "admin"], ["x-role", "guest"], ["x-admin-token", "t"]] });
  assert.equal(one(out.up, "x-admin-token"), undefined, "\"admin,guest\" is not admin: the token is stripped");
  const admin = await run(cfg, { path: "/", headers: [["x-role", "admin"], ["x-admin-token", "t"]] });
  assert.equal(one(admin.up, "x-admin-token"), "t");
});

test("headers: present / absent / invert / ignore_case", async () => {
  const h = (pairs: [string, string][]) => ({ path: "/", headers: pairs });
  await table({ headers: { "x-debug": { present: true } } }, [[h([["x-debug", ""]]), true], [h([["x-debug", "1"]]), true], [h([]), false]]);
  await table({ headers: { "x-debug": { absent: true } } }, [[h([]), true], [h([["x-debug", "1"]]), false]]);
  await table({ headers: { "x-debug": { present: true, invert: true } } }, [[h([]), true], [h([["x-debug", "1"]]), false]]);
  await table({ headers: { "x-env": { exact: "prod", invert: true } } }, [[h([["x-env", "dev"]]), true], [h([]), true], [h([["x-env", "prod"]]), false]]);
  await table({ headers: { "x-env": { exact: "PROD", ignore_case: true } } }, [[h([["x-env", "prod"]]), true], [h([["x-env", "Prod"]]), true], [h([["x-env", "dev"]]), false]]);
  await table({ headers: { "x-env": { prefix: "Pr", ignore_case: true, invert: true } } }, [[h([["x-env", "PROD"]]), false], [h([["x-env", "dev"]]), true]]);
  await table({ headers: { "x-env": { regex: "prod", ignore_case: true } } }, [[h([["x-env", "PrOd"]]), true]]);
});

test("query: string matchers on the first decoded value", async () => {
  await table({ query: { debug: "1" } }, [["/?debug=1", true], ["/?debug=%31", true], ["/?debug=2&debug=1", false], ["/", false], ["/?Debug=1", false]]);
  await table({ query: { q: "a b" } }, [["/?q=a+b", true], ["/?q=a%20b", true]]);
  await table({ query: { debug: { present: true } } }, [["/?debug", true], ["/?debug=", true], ["/?x=1", false]]);
  await table({ query: { debug: { absent: true } } }, [["/?x=1", true], ["/?debug=0", false]]);
  // A parameter past the first 256 (what the parser keeps) is still found: a client cannot hide one.
  const junk = "a=1&".repeat(300);
  await table({ query: { debug: { absent: true } } }, [[`/?${junk}debug=1`, false], [`/?${junk}x=1`, true]]);
  await table({ query: { debug: "1" } }, [[`/?${junk}debug=1`, true], [`/?${junk}debug=2&debug=1`, false]]);
  await table({ query: { mode: { exact: "FAST", ignore_case: true, invert: true } } }, [["/?mode=fast", false], ["/?mode=slow", true], ["/", true]]);
});

test("consumer: a string matcher on the authenticated consumer (filter state)", async () => {
  const c = (consumer?: string) => ({ path: "/", ...(consumer !== undefined ? { properties: { wasmgate_consumer: consumer } } : {}) });
  await table({ consumer: "alice" }, [[c("alice"), true], [c("bob"), false], [c(), false]]);
  await table({ consumer: { prefix: "svc-" } }, [[c("svc-billing"), true], [c("alice"), false]]);
  await table({ consumer: { absent: true } }, [[c(), true], [c("alice"), false]]);
  await table({ consumer: { exact: "alice", invert: true } }, [[c("bob"), true], [c(), true], [c("alice"), false]]);
});

test("consumer: a client header cannot stand in for the consumer", async () => {
  await table({ consumer: "alice" }, [[{ path: "/", headers: [["x-consumer", "alice"], ["wasmgate_consumer", "alice"]] }, false]]);
});

test("claims: string matchers on published claims, dotted paths", async () => {
  const c = (claims: Record<string, string>) => ({ path: "/", properties: Object.fromEntries(Object.entries(claims).map(([k, v]) => [`wasmgate_claim.${k}`, v])) });
  await table({ claims: { sub: "u1" } }, [[c({ sub: "u1" }), true], [c({ sub: "u2" }), false], [c({}), false]]);
  await table({ claims: { "org.id": { prefix: "acme" } } }, [[c({ "org.id": "acme-eu" }), true], [c({ "org.id": "other" }), false]]);
  await table({ claims: { sub: "u1", role: "admin" } }, [[c({ sub: "u1", role: "admin" }), true], [c({ sub: "u1", role: "viewer" }), false]]);
  await table({ claims: { role: { absent: true } } }, [[c({ sub: "u1" }), true], [c({ role: "x" }), false]]);
});

test("every given field must hold", async () => {
  const match = { path: { prefix: "/api" }, methods: ["POST"], host: "*.example.com", headers: { "x-env": "prod" }, query: { v: "2" }, consumer: "alice", claims: { sub: "u1" } };
  const ok: RequestSpec = { method: "POST", path: "/api/x?v=2", authority: "api.example.com", headers: [["x-env", "prod"]], properties: { wasmgate_consumer: "alice", "wasmgate_claim.sub": "u1" } };
  assert.equal(await holds(match, ok), true);
  const breaks: [string, Partial<RequestSpec>][] = [
    ["path", { path: "/web?v=2" }], ["method", { method: "GET" }], ["host", { authority: "example.com" }],
    ["header", { headers: [["x-env", "dev"]] }], ["query", { path: "/api/x?v=1" }],
    ["consumer", { properties: { wasmgate_consumer: "bob", "wasmgate_claim.sub": "u1" } }],
    ["claim", { properties: { wasmgate_consumer: "alice", "wasmgate_claim.sub": "u2" } }],
  ];
  for (const [what, change] of breaks) assert.equal(await holds(match, { ...ok, ...change }), false, `${what} fails → the rule fails`);
});

test("rules_skipped counts every rule whose condition failed; the others still run", async () => {
  const cfg = { request: [
    { match: { methods: ["POST"] }, ops: [{ op: "set", header: "x-1", value: "1" }] },
    { match: { path: { prefix: "/api" } }, ops: [{ op: "set", header: "x-2", value: "1" }] },
    { match: { headers: { "x-env": "prod" } }, ops: [{ op: "set", header: "x-3", value: "1" }] },
    { ops: [{ op: "set", header: "x-4", value: "1" }] },
  ] };
  const out = await run(cfg, { method: "GET", path: "/api/x", headers: [["x-env", "dev"]] });
  assert.deepEqual(["x-1", "x-2", "x-3", "x-4"].map((h) => one(out.up, h)), [undefined, "1", undefined, "1"]);
  assert.deepEqual(out.counts, { applied: 2, skipped: 2, rejected: 0 });
});
