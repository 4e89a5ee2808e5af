// `wasmgate demo` (the second half of `npm start`): runs the headers filter and then examples/custom-filter
// (the "write your own filter" example) through the host the way Envoy would, and prints what the client
// and the upstream see.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createHost } from "../index.ts";
import { REPO_ROOT } from "./main.ts";

// The headers filter: hygiene, identity from a template, a versioned-API rewrite, a bearer token moved
// by a regex capture, and response headers that use a request value (the Envoy suite's configuration).
const HEADERS_CONFIG = {
  request: [
    { ops: [
      { op: "remove", match: { prefix: "x-internal-" } },
      { op: "set", header: "x-user", value: "${header:x-api-user|anonymous}" },
    ] },
    { match: { path: { prefix: "/api/v1" } }, ops: [
      { op: "path_prefix", prefix: "/api/v1", to: "/v1" },
      { op: "query_set", param: "api-version", value: "1" },
    ] },
    { match: { headers: { authorization: { prefix: "Bearer " } } }, ops: [
      { op: "set", header: "x-token", value: "${header:authorization}" },
      { op: "replace", header: "x-token", regex: "^Bearer (.+)$", with: "$1" },
      { op: "remove", header: "authorization" },
    ] },
  ],
  response: [{ ops: [
    { op: "set", header: "x-frame-options", value: "DENY" },
    { op: "set", header: "x-request-path", value: "${path}" },
  ] }],
};

type Pairs = [string, string][];
const show = (pairs: Pairs) => pairs.map(([k, v]) => `${k}: ${v}`);

async function headersDemo(): Promise<boolean> {
  const module = join(REPO_ROOT, "build/headers.wasm");
  if (!existsSync(module)) {
    process.stderr.write("build/headers.wasm is missing: run `wasmgate build` first\n");
    return false;
  }
  console.log("wasmgate demo 1: the headers filter (filters/headers) in the Envoy-faithful host");
  console.log(`config: ${JSON.stringify(HEADERS_CONFIG)}\n`);
  const host = createHost({ module, name: "wasmgate.headers", config: HEADERS_CONFIG });
  try {
    const sent: Pairs = [["x-api-user", "alice"], ["x-user", "mallory"], ["x-internal-trace", "abc"], ["authorization", "Bearer t0k3n"]];
    const r = await host.request({ method: "GET", path: "/api/v1/orders?expand=items", authority: "shop.example.com", headers: sent,
      response: { status: 200, headers: [["content-type", "application/json"]], body: "{}" } });
    console.log("client sent    GET /api/v1/orders?expand=items");
    for (const h of show(sent)) console.log(`               ${h}`);
    const up = r.request?.headers ?? [];
    console.log(`upstream got   GET ${up.find(([k]) => k === ":path")?.[1] ?? "(not forwarded)"}`);
    for (const h of show(up.filter(([k]) => !k.startsWith(":")))) console.log(`               ${h}`);
    console.log(`client got     ${r.response.status}`);
    for (const h of show(r.response.headers.filter(([k]) => !k.startsWith(":")))) console.log(`               ${h}`);
    console.log(`\nmetrics: ${JSON.stringify(host.metrics())}\n`);
  } finally {
    host.close();
  }
  return true;
}

export async function demoCommand(): Promise<number> {
  if (!(await headersDemo())) return 1;
  const module = join(REPO_ROOT, "build/custom-filter.wasm");
  if (!existsSync(module)) {
    process.stderr.write("build/custom-filter.wasm is missing: run `wasmgate build` first\n");
    return 1;
  }
  const config = { header: { name: "x-hello", value: "world" }, deny: ["/admin"] };
  console.log(`wasmgate demo 2: examples/custom-filter (a filter written on the SDK, README "Write your own filter")\nconfig: ${JSON.stringify(config)}\n`);
  const host = createHost({ module, name: "custom-filter", config, workers: 2 });
  try {
    for (const path of ["/hello", "/admin/users", "/administrator"]) {
      const r = await host.request({ method: "GET", path, authority: "demo.local", headers: [["user-agent", "curl/8"]] });
      console.log(`GET ${path}`);
      if (r.forwarded) {
        const added = r.request!.headers.filter(([k]) => k === "x-hello").map(([k, v]) => `${k}: ${v}`);
        console.log(`  forwarded upstream with ${added.join(", ") || "no added header"}`);
      } else console.log("  not forwarded (local reply)");
      console.log(`  client got ${r.response.status} ${JSON.stringify(r.response.body)} headers ${JSON.stringify(r.response.headers.filter(([k]) => !k.startsWith(":")))}`);
    }
    console.log(`\nmetrics: ${JSON.stringify(host.metrics())}`);
    console.log("\nnext: `npx wasmgate serve` (npm start runs it now), `npx wasmgate run build/headers.wasm --config @config.json --request req.json`, `npx wasmgate validate envoy/envoy.yaml --map /etc/envoy/wasm=build`, `npm test`, `npm run bench`");
  } finally {
    host.close();
  }
  return 0;
}
