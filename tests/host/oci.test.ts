// `wasmgate package` and host/deploy/oci.ts: the OCI image Istio's WasmPlugin pulls (research/deploy.md
// §2). The image is read back the way Istio's agent reads it (moduleFromImage follows
// istio/istio pkg/wasm/imagefetcher.go), its tar by the system's tar as an independent reader, and it
// is pushed to a real registry — Debian's docker-registry (CNCF distribution), which .ci/run installs —
// directly and behind a token-auth front like GHCR's or Docker Hub's. Without docker-registry on PATH
// the registry tests skip, saying so.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { gunzipSync, gzipSync } from "node:zlib";
import {
  buildImage, findCredentials, gzipStored, isLoopback, MEDIA, moduleFromImage, parseChallenge, parseRef, pushImage, readLayout, readTar, RegistryError, sha256, tarOneFile, writeLayout,
} from "../../host/deploy/oci.ts";

const cli = (...args: string[]) => spawnSync(process.execPath, ["bin/wasmgate.mjs", ...args], { encoding: "utf8" });
const dir = mkdtempSync(join(tmpdir(), "wasmgate-oci-"));
const MODULE = "build/headers.wasm";
const wasm = new Uint8Array(readFileSync(MODULE));
const PINNED_TINY_DIGEST = "sha256:bd38a171593288dd896d109a95bd83aa7493b49d2251983fc1b6727b07fd01df";
const blobsOf = (img: ReturnType<typeof buildImage>) => (d: string) => { const b = img.blobs.get(d); if (!b) throw new Error(`no blob ${d}`); return b; };

test("the layer's tar holds plugin.wasm alone, as the system's tar reads it: 0644, owner 0:0, mtime 0", () => {
  const tarFile = join(dir, "layer.tar");
  writeFileSync(tarFile, tarOneFile("plugin.wasm", wasm));
  const list = spawnSync("tar", ["-tvf", tarFile, "--numeric-owner"], { encoding: "utf8" });
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout.trim(), new RegExp(`^-rw-r--r-- 0/0 +${wasm.length} 1970-01-01 00:00 plugin\\.wasm$`));
  const out = spawnSync("tar", ["-xOf", tarFile, "plugin.wasm"]);
  assert.equal(out.status, 0);
  assert.deepEqual(new Uint8Array(out.stdout), wasm);
  // and a file whose size is a multiple of the block size, and an empty one
  for (const n of [512, 0]) {
    writeFileSync(tarFile, tarOneFile("plugin.wasm", new Uint8Array(n).fill(7)));
    const r = spawnSync("tar", ["-xOf", tarFile, "plugin.wasm"]);
    assert.equal(r.status, 0, String(r.stderr));
    assert.equal(r.stdout.length, n);
  }
});

test("the image is Istio's compat variant, and the same module always gives the same digest", () => {
  const a = buildImage(wasm);
  const b = buildImage(new Uint8Array(wasm));
  assert.equal(a.digest, b.digest, "reproducible: a WasmPlugin's sha256 pins the module");
  assert.deepEqual(a.manifest, b.manifest);
  const changed = new Uint8Array(wasm); changed[changed.length - 1] ^= 1;
  assert.notEqual(buildImage(changed).digest, buildImage(wasm).digest);

  const m = JSON.parse(Buffer.from(a.manifest).toString());
  assert.equal(m.schemaVersion, 2);
  assert.equal(m.mediaType, MEDIA.manifest);
  assert.equal(m.annotations["module.wasm.image/variant"], "compat");
  assert.equal(m.layers.length, 1);
  assert.equal(m.layers[0].mediaType, "application/vnd.oci.image.layer.v1.tar+gzip");
  assert.equal(a.digest, sha256(a.manifest));
  const config = JSON.parse(Buffer.from(a.blobs.get(m.config.digest)!).toString());
  const tar = gunzipSync(a.blobs.get(m.layers[0].digest)!);
  assert.deepEqual(config.rootfs, { type: "layers", diff_ids: [sha256(tar)] }, "diff_ids name the uncompressed layer");
  assert.equal(m.config.size, a.blobs.get(m.config.digest)!.length);
  assert.equal(m.layers[0].size, a.blobs.get(m.layers[0].digest)!.length);
  assert.deepEqual(moduleFromImage(a.manifest, blobsOf(a)), wasm);
});

test("the digest is a function of the module's bytes alone: pinned for a fixed module (no zlib, no clock, no name in it)", () => {
  // The smallest valid module. Were the layer compressed by zlib, a Node or distribution upgrade
  // could change this digest and every WasmPlugin sha256 pinned from it.
  const tiny = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  assert.equal(buildImage(tiny).digest, PINNED_TINY_DIGEST);
  // the layer is a standard gzip stream: the system's gzip reads it, with the CRC checked
  const f = join(dir, "stored.gz");
  const big = new Uint8Array(200_000).map((_, i) => (i * 7) & 0xff); // several stored blocks
  writeFileSync(f, gzipStored(big));
  const g = spawnSync("gzip", ["-dc", f]);
  assert.equal(g.status, 0, String(g.stderr));
  assert.deepEqual(new Uint8Array(g.stdout), big);
  assert.deepEqual(new Uint8Array(gunzipSync(gzipStored(new Uint8Array(0)))), new Uint8Array(0));
});

test("moduleFromImage refuses what Istio's agent refuses", () => {
  const img = buildImage(wasm);
  const m = JSON.parse(Buffer.from(img.manifest).toString());
  const withLayer = (mediaType: string, bytes: Uint8Array, manifestType?: string) => {
    const man = { ...m, ...(manifestType ? { mediaType: manifestType } : {}), layers: [{ mediaType, digest: sha256(bytes), size: bytes.length }] };
    return () => moduleFromImage(Buffer.from(JSON.stringify(man)), () => bytes);
  };
  const gz = (name: string, data: Uint8Array) => new Uint8Array(gzipSync(tarOneFile(name, data)));
  assert.throws(withLayer("application/vnd.oci.image.layer.v1.tar", tarOneFile("plugin.wasm", wasm)), /not application\/vnd\.oci\.image\.layer\.v1\.tar\+gzip/);
  assert.throws(withLayer("application/vnd.oci.image.layer.v1.tar+zstd", gz("plugin.wasm", wasm)), /tar\+zstd/);
  assert.throws(withLayer(MEDIA.layer, gz("plugin.wasm", wasm), "application/vnd.docker.distribution.manifest.v2+json"), /not application\/vnd\.docker\.image\.rootfs\.diff\.tar\.gzip/);
  assert.throws(withLayer(MEDIA.layer, gz("filter.wasm", wasm)), /no plugin\.wasm/);
  assert.throws(withLayer(MEDIA.layer, gz("plugin.wasm", Buffer.from("#!/bin/sh\necho hi\n"))), /not a Wasm module/);
  assert.deepEqual(withLayer(MEDIA.layer, gz("x/plugin.wasm", wasm))(), wasm, "found by basename, as Istio does");
  assert.deepEqual(withLayer("application/vnd.docker.image.rootfs.diff.tar.gzip", gz("plugin.wasm", wasm), "application/vnd.docker.distribution.manifest.v2+json")(), wasm);
  const good = gz("plugin.wasm", wasm);
  const man = { ...m, layers: [{ mediaType: MEDIA.layer, digest: sha256(good), size: good.length }] };
  assert.throws(() => moduleFromImage(Buffer.from(JSON.stringify(man)), () => gz("plugin.wasm", new Uint8Array(16))), /do not match the digest/);
});

test("an OCI image layout: written, read back by tag or digest, a tag replaced without touching the other images, never written over other files", () => {
  const out = join(dir, "layout");
  const img = buildImage(wasm);
  writeLayout(out, img, "0.1.0");
  assert.deepEqual(JSON.parse(readFileSync(join(out, "oci-layout"), "utf8")), { imageLayoutVersion: "1.0.0" });
  const index = JSON.parse(readFileSync(join(out, "index.json"), "utf8"));
  assert.equal(index.manifests[0].digest, img.digest);
  assert.equal(index.manifests[0].annotations["org.opencontainers.image.ref.name"], "0.1.0");
  for (const f of readdirSync(join(out, "blobs", "sha256"))) assert.equal(sha256(readFileSync(join(out, "blobs", "sha256", f))), `sha256:${f}`);
  const back = readLayout(out, { tag: "0.1.0" });
  assert.equal(back.digest, img.digest);
  assert.deepEqual(moduleFromImage(back.manifest, back.blob), wasm);
  assert.equal(readLayout(out, { digest: img.digest }).digest, img.digest);
  assert.throws(() => readLayout(out, { tag: "0.2.0" }), /no image tagged 0\.2\.0 \(tags: 0\.1\.0\)/);

  const tiny = (n: number) => buildImage(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0, n]));
  writeLayout(out, tiny(1), "0.2.0");
  assert.equal(readLayout(out, { tag: "0.1.0" }).digest, img.digest, "another tag's image stays");
  assert.equal(readLayout(out, { tag: "0.2.0" }).digest, tiny(1).digest);
  writeLayout(out, tiny(2), "0.2.0");
  assert.equal(readLayout(out, { tag: "0.2.0" }).digest, tiny(2).digest, "the tag now names the new image");
  assert.equal(readLayout(out, { tag: "0.1.0" }).digest, img.digest);
  const blobs = readdirSync(join(out, "blobs", "sha256"));
  assert.equal(blobs.includes(tiny(1).digest.slice(7)), false, "the replaced image's manifest is gone");
  assert.equal(blobs.length, 6, "two images of three blobs each (manifest, config, layer)");

  const busy = join(dir, "busy");
  mkdirSync(busy); writeFileSync(join(busy, "notes.txt"), "mine");
  assert.throws(() => writeLayout(busy, img, "x"), /not empty and holds no OCI layout/);
  assert.equal(readFileSync(join(busy, "notes.txt"), "utf8"), "mine");
});

test("writing a tag into a layout another tool made keeps what its other entries need (a manifest list's children, a signature's subject)", () => {
  const out = join(dir, "foreign");
  const other = buildImage(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0, 9]));
  writeLayout(out, other, "child"); // the child manifest, config and layer
  // a Docker manifest list (mediaType the layout code does not write) naming that child
  const list = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.docker.distribution.manifest.list.v2+json", manifests: [{ mediaType: MEDIA.manifest, digest: other.digest, size: other.manifest.length }] }));
  writeFileSync(join(out, "blobs", "sha256", sha256(list).slice(7)), list);
  const index = JSON.parse(readFileSync(join(out, "index.json"), "utf8"));
  index.manifests = [{ mediaType: "application/vnd.docker.distribution.manifest.list.v2+json", digest: sha256(list), size: list.length, annotations: { "org.opencontainers.image.ref.name": "multi" } },
    { ...index.manifests[0] }];
  writeFileSync(join(out, "index.json"), JSON.stringify(index));
  writeLayout(out, buildImage(wasm), "child"); // replaces the tag "child"; the list still needs its manifest
  for (const d of [sha256(list), other.digest, other.layer.digest, other.config.digest]) assert.ok(existsSync(join(out, "blobs", "sha256", d.slice(7))), `${d} kept`);
  assert.throws(() => readLayout(out, { tag: "multi" }), /names application\/vnd\.docker\.distribution\.manifest\.list\.v2\+json, not an image manifest/);
  // a malformed index.json: refused up front, naming the file, and left as it was
  for (const text of ["{", "null", '{"manifests":{}}', '{"manifests":[null]}']) {
    writeFileSync(join(out, "index.json"), text);
    assert.throws(() => writeLayout(out, buildImage(wasm), "x"), /index\.json: not (JSON|an image index)/);
    assert.equal(readFileSync(join(out, "index.json"), "utf8"), text);
  }
});

test("a layer tar in POSIX (PAX) or GNU format, as other tools write it, is read as Istio's Go reader reads it", () => {
  const src = join(dir, "pax-src");
  mkdirSync(join(src, "a".repeat(60), "b".repeat(60)), { recursive: true });
  writeFileSync(join(src, "plugin.wasm"), wasm);
  writeFileSync(join(src, "a".repeat(60), "b".repeat(60), "plugin.wasm"), new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  for (const format of ["posix", "gnu"]) {
    const t = spawnSync("tar", [`--format=${format}`, "-cf", "-", "-C", src, "./plugin.wasm", `${"a".repeat(60)}/${"b".repeat(60)}/plugin.wasm`], { maxBuffer: 1 << 26 });
    assert.equal(t.status, 0, String(t.stderr));
    const files = readTar(new Uint8Array(t.stdout)).filter((f) => f.type === "0");
    assert.deepEqual(files.map((f) => f.name), ["./plugin.wasm", `${"a".repeat(60)}/${"b".repeat(60)}/plugin.wasm`], format);
    assert.deepEqual(files[0].data, wasm);
  }
});

test("image references: registry, repository, tag or digest; bad names refused", () => {
  assert.deepEqual(parseRef("ghcr.io/acme/wasm/headers:0.1.0"), { registry: "ghcr.io", repository: "acme/wasm/headers", tag: "0.1.0" });
  assert.deepEqual(parseRef("oci://localhost:5000/headers"), { registry: "localhost:5000", repository: "headers" });
  assert.deepEqual(parseRef("[::1]:5000/a/b:v1"), { registry: "[::1]:5000", repository: "a/b", tag: "v1" });
  assert.deepEqual(parseRef("GHCR.io/acme/headers@sha256:" + "a".repeat(64)), { registry: "ghcr.io", repository: "acme/headers", digest: "sha256:" + "a".repeat(64) });
  assert.throws(() => parseRef("headers:0.1.0"), /REGISTRY\/REPOSITORY/);
  assert.throws(() => parseRef("ghcr.io/Acme/headers"), /not a valid repository/);
  assert.throws(() => parseRef("ghcr.io/acme/headers@sha256:abc"), /must introduce a sha256 digest/);
  for (const secret of ["user:pa/ss@reg.io/ab", "https://user:s3cret@reg.io/ab"]) {
    assert.throws(() => parseRef(secret), (e: Error) => !/pa\/ss|s3cret/.test(e.message), "credentials are never echoed");
  }
  assert.throws(() => parseRef("docker.io/acme/headers"), /Docker Hub is not supported/);
  assert.throws(() => parseRef("ghcr.io/acme/headers:-x"), /not a valid tag/);
  assert.throws(() => parseRef("gh cr.io/acme/headers"), /not a registry/);
  assert.throws(() => parseRef("r.io:99999/acme/headers"), /not a registry/);
  assert.throws(() => parseRef("-bad-.io/acme/headers"), /not a registry/);
  assert.throws(() => parseRef("r.io/" + "a".repeat(256)), /2 to 255 characters/);
  assert.throws(() => parseRef("localhost/x"), /no '\.' or ':', so Istio would look for the image on Docker Hub/);
  assert.throws(() => parseRef("registry/wasm"), /Docker Hub/);
  assert.throws(() => parseRef("u:pw@ghcr.io/acme/x"), (e: Error) => /credentials do not go in it/.test(e.message) && !e.message.includes("pw"));
  assert.equal(isLoopback("127.0.0.1:5000"), true);
  assert.equal(isLoopback("localhost"), true);
  assert.equal(isLoopback("[::1]:5000"), true);
  assert.equal(isLoopback("127.example.com"), false, "a host name starting with 127. is not loopback");
});

test("auth challenges: Bearer preferred when a header offers several; quoted params with commas", () => {
  assert.deepEqual(parseChallenge('Basic realm="r", Bearer realm="https://t.io/token",service="reg",scope="repository:a:pull,push"'),
    { scheme: "bearer", params: { realm: "https://t.io/token", service: "reg", scope: "repository:a:pull,push" } });
  assert.deepEqual(parseChallenge('Bearer realm="https://t.io/token", Basic realm="x"'), { scheme: "bearer", params: { realm: "https://t.io/token" } });
  assert.deepEqual(parseChallenge('Basic realm="Registry Realm"'), { scheme: "basic", params: { realm: "Registry Realm" } });
});

test("registry credentials come from the environment, else docker login's config.json", () => {
  const cfg = (o: unknown) => () => JSON.stringify(o);
  assert.deepEqual(findCredentials("r.io", { WASMGATE_REGISTRY_USERNAME: "u", WASMGATE_REGISTRY_PASSWORD: "p", HOME: "/h" }, () => { throw new Error("not read"); }), { username: "u", password: "p" });
  const auth = Buffer.from("ci:s3:cret").toString("base64");
  assert.deepEqual(findCredentials("r.io", { HOME: "/h" }, cfg({ auths: { "r.io": { auth } } })), { username: "ci", password: "s3:cret" });
  assert.deepEqual(findCredentials("r.io", { HOME: "/h" }, cfg({ auths: { "https://r.io/v1/": { username: "a", password: "b" } } })), { username: "a", password: "b" });
  assert.equal(findCredentials("other.io", { HOME: "/h" }, cfg({ auths: { "r.io": { auth } } })), null);
  assert.equal(findCredentials("r.io", { HOME: "/h" }, cfg({ credsStore: "desktop" })), null, "credential helpers are not run");
  let read = "";
  findCredentials("r.io", { DOCKER_CONFIG: "/etc/dk", HOME: "/h" }, (p) => { read = p; return null; });
  assert.equal(read, "/etc/dk/config.json");
});

// ---- a real registry ----

const REGISTRY_BIN = [process.env.WASMGATE_DOCKER_REGISTRY, "/usr/bin/docker-registry"].find((p) => p && existsSync(p))
  ?? (spawnSync("sh", ["-c", "command -v docker-registry"], { encoding: "utf8" }).stdout.trim() || null);
const NO_REGISTRY = REGISTRY_BIN === null && "no docker-registry binary (Debian package docker-registry; .ci/run unpacks it and sets WASMGATE_DOCKER_REGISTRY)";

let registry: ChildProcess | null = null;
let port = 0;
after(() => { registry?.kill(); });

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const p = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return p;
}
async function startRegistry(): Promise<void> {
  if (registry) return;
  port = await freePort();
  const conf = join(dir, "registry.yml");
  writeFileSync(conf, `version: 0.1\nlog: { level: error }\nstorage: { filesystem: { rootdirectory: ${join(dir, "registry-data")} } }\nhttp: { addr: 127.0.0.1:${port} }\n`);
  registry = spawn(REGISTRY_BIN!, ["serve", conf], { stdio: "ignore" });
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`http://127.0.0.1:${port}/v2/`)).status === 200) return; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("docker-registry did not come up in 10 s");
}
async function pull(repo: string, tag: string): Promise<{ digest: string | null; manifest: Uint8Array; blob: (d: string) => Promise<Uint8Array> }> {
  const res = await fetch(`http://127.0.0.1:${port}/v2/${repo}/manifests/${tag}`, { headers: { accept: MEDIA.manifest } });
  assert.equal(res.status, 200);
  return {
    digest: res.headers.get("docker-content-digest"),
    manifest: new Uint8Array(await res.arrayBuffer()),
    blob: async (d) => new Uint8Array(await (await fetch(`http://127.0.0.1:${port}/v2/${repo}/blobs/${d}`)).arrayBuffer()),
  };
}

test("push to a registry: the registry stores the manifest under our digest, and the pulled image yields the module", { skip: NO_REGISTRY }, async () => {
  await startRegistry();
  const img = buildImage(wasm);
  const lines: string[] = [];
  const d = await pushImage(img, { registry: `127.0.0.1:${port}`, repository: "wasmgate/headers", tag: "0.1.0" }, { log: (l) => lines.push(l) });
  assert.equal(d, img.digest);
  assert.equal(lines.filter((l) => l.endsWith("pushed (" + img.layer.size + " bytes)")).length, 1);
  const got = await pull("wasmgate/headers", "0.1.0");
  assert.equal(got.digest, img.digest);
  assert.deepEqual(got.manifest, img.manifest);
  const layer = await got.blob(img.layer.digest);
  assert.deepEqual(moduleFromImage(got.manifest, () => layer), wasm);
  // a second push uploads nothing
  lines.length = 0;
  await pushImage(img, { registry: `127.0.0.1:${port}`, repository: "wasmgate/headers", tag: "0.1.0" }, { log: (l) => lines.push(l) });
  assert.deepEqual(lines.map((l) => l.replace(/sha256:\w+/, "D")), ["blob D already there", "blob D already there"]);
});

/** A token-auth front for the registry, as GHCR and Docker Hub have: 401 with a Bearer challenge, a
 *  token endpoint that wants Basic credentials, then requests with the token are passed through. */
async function tokenFront(user: string, pass: string): Promise<{ server: Server; url: string; tokenRequests: string[] }> {
  const tokenRequests: string[] = [];
  const server = createServer(async (req, res) => {
    const self = `127.0.0.1:${(server.address() as { port: number }).port}`;
    if (req.url!.startsWith("/token")) {
      tokenRequests.push(req.url!);
      const want = "Basic " + Buffer.from(`${user}:${pass}`).toString("base64");
      if (req.headers.authorization !== want) { res.writeHead(401, { "content-type": "application/json" }); res.end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "bad credentials" }] })); return; }
      res.writeHead(200, { "content-type": "application/json" }); res.end(JSON.stringify({ token: "t0k3n" }));
      return;
    }
    if (req.headers.authorization !== "Bearer t0k3n") {
      res.writeHead(401, { "www-authenticate": `Bearer realm="http://${self}/token",service="front",scope="repository:x:pull"` });
      res.end(); return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const up = await fetch(`http://127.0.0.1:${port}${req.url}`, { method: req.method, headers: { ...(req.headers["content-type"] ? { "content-type": String(req.headers["content-type"]) } : {}) }, body: chunks.length ? Buffer.concat(chunks) : undefined, redirect: "manual" });
    const headers: Record<string, string> = {};
    up.headers.forEach((v, k) => { if (k !== "content-length" && k !== "transfer-encoding") headers[k] = k === "location" ? v.replace(`127.0.0.1:${port}`, self) : v; });
    res.writeHead(up.status, headers);
    res.end(Buffer.from(await up.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, url: `127.0.0.1:${(server.address() as { port: number }).port}`, tokenRequests };
}

test("push through a token-auth registry: the Bearer challenge is answered with the credentials; without them, a clear error", { skip: NO_REGISTRY }, async () => {
  await startRegistry();
  const front = await tokenFront("ci", "pw");
  try {
    const img = buildImage(wasm);
    const ref = { registry: front.url, repository: "acme/headers", tag: "v1" };
    await assert.rejects(pushImage(img, ref), (e: Error) => e instanceof RegistryError && /token request .* failed: 401 UNAUTHORIZED: bad credentials/.test(e.message));
    await assert.rejects(pushImage(img, ref, { credentials: { username: "ci", password: "nope" } }), /401 UNAUTHORIZED/);
    assert.equal(await pushImage(img, ref, { credentials: { username: "ci", password: "pw" } }), img.digest);
    assert.match(front.tokenRequests.at(-1)!, /service=front/);
    assert.match(decodeURIComponent(front.tokenRequests.at(-1)!), /scope=repository:acme\/headers:pull,push/);
    assert.equal((await pull("acme/headers", "v1")).digest, img.digest);
  } finally {
    front.server.close();
  }
});

/** A registry in a fetch function: records every request with the Authorization it carried. */
function mockRegistry(opts: { challenge?: (url: URL) => string | null; location?: string; headStatus?: number; token?: () => unknown }) {
  const seen: { method: string; url: string; auth: string | null }[] = [];
  const f = (async (input: string | URL, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const auth = new Headers(init.headers).get("authorization");
    const method = init.method ?? "GET";
    seen.push({ method, url: url.href, auth });
    if (url.pathname === "/token") return new Response(JSON.stringify(opts.token ? opts.token() : { token: "tok" }), { status: 200 });
    const ch = opts.challenge?.(url);
    if (ch && !auth) return new Response("", { status: 401, headers: { "www-authenticate": ch } });
    if (method === "HEAD") return new Response(null, { status: opts.headStatus ?? 404 });
    if (method === "POST") return new Response("", { status: 202, headers: { location: opts.location ?? "/v2/r/blobs/uploads/1?state=x" } });
    if (method === "PUT" && url.pathname.includes("/manifests/")) return new Response("", { status: 201 });
    return new Response("", { status: 201 });
  }) as typeof fetch;
  return { f, seen };
}
const REF = { registry: "reg.example.com", repository: "r", tag: "t" };

test("push: credentials and tokens go only to the registry's host; a Basic challenge is answered; an http token realm is refused", async () => {
  const creds = { username: "u", password: "p" };
  const basic = "Basic " + Buffer.from("u:p").toString("base64");
  // Basic challenge, and an upload Location on another host (a storage backend): no Authorization there.
  let m = mockRegistry({ challenge: (u) => (u.host === "reg.example.com" ? 'Basic realm="reg"' : null), location: "https://storage.example.net/upload/1?sig=abc" });
  assert.equal(await pushImage(buildImage(wasm), REF, { credentials: creds, fetch: m.f }), buildImage(wasm).digest);
  assert.ok(m.seen.filter((x) => x.url.startsWith("https://reg.example.com/")).slice(1).every((x) => x.auth === basic), "the registry gets Basic after the challenge");
  const foreign = m.seen.filter((x) => x.url.startsWith("https://storage.example.net/"));
  assert.equal(foreign.length, 2, "both blobs uploaded to the Location");
  assert.ok(foreign.every((x) => x.auth === null), "no credentials to another host");
  assert.ok(foreign.every((x) => /[?&]sig=abc&digest=sha256%3A|[?&]sig=abc&digest=sha256:/.test(x.url)), "the Location's own query is kept");
  // Basic without credentials: told what to set
  m = mockRegistry({ challenge: () => 'Basic realm="reg"' });
  await assert.rejects(pushImage(buildImage(wasm), REF, { fetch: m.f }), /requires credentials: set WASMGATE_REGISTRY_USERNAME/);
  // Bearer with access_token (OAuth2 style)
  m = mockRegistry({ challenge: (u) => (u.pathname === "/token" ? null : 'Bearer realm="https://reg.example.com/token",service="reg"'), token: () => ({ access_token: "a-t" }) });
  await pushImage(buildImage(wasm), REF, { credentials: creds, fetch: m.f });
  assert.ok(m.seen.some((x) => x.auth === "Bearer a-t"));
  assert.equal(m.seen.find((x) => x.url.startsWith("https://reg.example.com/token"))!.auth, basic, "the token realm gets the credentials");
  // an http realm for an https registry: the credentials would travel in clear
  m = mockRegistry({ challenge: () => 'Bearer realm="http://auth.example.com/token"' });
  await assert.rejects(pushImage(buildImage(wasm), REF, { credentials: creds, fetch: m.f }), /refusing to send credentials to the token realm http:\/\/auth\.example\.com over plain HTTP/);
  assert.ok(!m.seen.some((x) => x.url.startsWith("http://auth.example.com")));
  // an https registry whose upload Location is its own host over http: no credentials in clear
  m = mockRegistry({ challenge: (u) => (u.protocol === "https:" ? 'Basic realm="reg"' : null), location: "http://reg.example.com/upload/1?x=1" });
  await pushImage(buildImage(wasm), REF, { credentials: creds, fetch: m.f });
  assert.ok(m.seen.filter((x) => x.url.startsWith("http://")).every((x) => x.auth === null), "nothing sent with credentials over http");
  // a plain (loopback) registry naming an http realm on another host: refused
  m = mockRegistry({ challenge: () => 'Bearer realm="http://evil.example.com/token"' });
  await assert.rejects(pushImage(buildImage(wasm), { registry: "localhost:5000", repository: "r", tag: "t" }, { credentials: creds, fetch: m.f }), /refusing to send credentials to the token realm http:\/\/evil\.example\.com/);
});

test("push: redirects are followed here — a byte body re-sent after a 307, no credentials to another origin, and another origin's 401 not answered", async () => {
  const creds = { username: "u", password: "p" };
  const basic = "Basic " + Buffer.from("u:p").toString("base64");
  const seen: { method: string; url: string; auth: string | null; body: number }[] = [];
  const f = (async (input: string | URL, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const auth = new Headers(init.headers).get("authorization");
    const method = init.method ?? "GET";
    seen.push({ method, url: url.href, auth, body: init.body ? (init.body as Uint8Array).length : 0 });
    assert.equal(init.redirect, "manual");
    if (url.host === "reg.example.com" && !auth) return new Response("", { status: 401, headers: { "www-authenticate": 'Basic realm="r"' } });
    if (url.host === "reg.example.com" && method === "HEAD") return new Response(null, { status: 307, headers: { location: "https://mirror.example.net/check" } });
    if (url.host === "mirror.example.net" && method === "HEAD") return new Response(null, { status: 404 });
    if (method === "POST") return new Response("", { status: 202, headers: { location: "/v2/r/blobs/uploads/1" } });
    if (method === "PUT" && url.pathname.startsWith("/v2/r/blobs/uploads/")) return new Response(null, { status: 307, headers: { location: "/store/1" + url.search } });
    return new Response("", { status: 201 });
  }) as typeof fetch;
  await pushImage(buildImage(wasm), REF, { credentials: creds, fetch: f });
  assert.ok(seen.filter((x) => x.url.startsWith("https://mirror.example.net/")).every((x) => x.auth === null), "no credentials across origins");
  const stored = seen.filter((x) => x.url.includes("/store/1"));
  assert.equal(stored.length, 2, "both blobs re-sent after the 307");
  assert.ok(stored.every((x) => x.body > 0 && x.auth === basic), "with their bytes, and the registry's own credentials");
  // a redirect to another origin that answers 401: its challenge is not answered with our credentials
  const realm: string[] = [];
  const g = (async (input: string | URL, init: RequestInit = {}) => {
    const url = new URL(String(input));
    if (url.pathname === "/token") { realm.push(new Headers(init.headers).get("authorization") ?? ""); return new Response(JSON.stringify({ token: "t" })); }
    if (url.host === "reg.example.com") return new Response(null, { status: 307, headers: { location: "https://evil.example.net/x" } });
    return new Response("", { status: 401, headers: { "www-authenticate": 'Bearer realm="https://evil.example.net/token"' } });
  }) as typeof fetch;
  await assert.rejects(pushImage(buildImage(wasm), REF, { credentials: creds, fetch: g }), /checking for sha256:[0-9a-f]{64}: 401/);
  assert.deepEqual(realm, [], "the other origin's token realm got nothing");
});

test("push: a registry that fails a HEAD, or keeps refusing fresh tokens, gives an error that says so", async () => {
  let m = mockRegistry({ headStatus: 500 });
  await assert.rejects(pushImage(buildImage(wasm), REF, { fetch: m.f }), /checking for sha256:[0-9a-f]{64}: 500/);
  let n = 0;
  const always = (async (input: string | URL) => {
    const url = new URL(String(input));
    if (url.pathname === "/token") return new Response(JSON.stringify({ token: `t${n++}` }));
    return new Response("", { status: 401, headers: { "www-authenticate": 'Bearer realm="https://reg.example.com/token"' } });
  }) as typeof fetch;
  await assert.rejects(pushImage(buildImage(wasm), REF, { credentials: { username: "u", password: "p" }, fetch: always }), /reg\.example\.com refused the credentials \(401 on HEAD/);
  assert.ok(n <= 3, `a bounded number of token requests (${n})`);
  m = mockRegistry({});
  assert.equal(await pushImage(buildImage(wasm), REF, { fetch: m.f }), buildImage(wasm).digest, "no challenge: anonymous push");
  assert.ok(m.seen.every((x) => x.auth === null && x.url.startsWith("https://")), "https unless loopback");
});

test("push to a registry that is not there: an error naming it, not a crash", async () => {
  const p = await freePort();
  await assert.rejects(pushImage(buildImage(wasm), { registry: `127.0.0.1:${p}`, repository: "a", tag: "b" }), (e: Error) => e instanceof RegistryError && e.message.includes(`127.0.0.1:${p}`));
});

// ---- the CLI ----

test("wasmgate package writes the layout and prints the digest for the WasmPlugin; validate --image checks url, sha256 and pluginConfig against it", () => {
  const out = join(dir, "cli-layout");
  const r = cli("package", MODULE, "--out", out, "--tag", "1.2.3", "--json");
  assert.equal(r.status, 0, r.stderr);
  const res = JSON.parse(r.stdout);
  const back = readLayout(out, { tag: "1.2.3" });
  assert.equal(res.digest, back.digest);
  assert.deepEqual(moduleFromImage(back.manifest, back.blob), wasm);

  const plugin = (sha: string, tag: string, config: string) => {
    const f = join(dir, `wp-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(f, `apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: { name: h, namespace: istio-ingress }\nspec:\n  selector: { matchLabels: { istio: ingressgateway } }\n  url: oci://ghcr.io/acme/headers:${tag}\n  sha256: "${sha}"\n  pluginConfig: ${config}\n`);
    return f;
  };
  const hex = back.digest.slice(7);
  const good = '{ request: [ { ops: [ { op: set, header: x-a, value: b } ] } ] }';
  let v = cli("validate", plugin(hex, "1.2.3", good), "--image", out);
  assert.equal(v.status, 0, v.stdout + v.stderr);
  assert.match(v.stdout, /holds plugin\.wasm as Istio reads it, and its digest is spec\.sha256/);
  v = cli("validate", plugin("0".repeat(64), "1.2.3", good), "--image", out);
  assert.equal(v.status, 1);
  assert.match(v.stdout, new RegExp(`has digest ${hex}: Istio would refuse to load it`));
  v = cli("validate", plugin(hex, "9.9.9", good), "--image", out);
  assert.equal(v.status, 1);
  assert.match(v.stdout, /no image tagged 9\.9\.9 \(tags: 1\.2\.3\)/);
  v = cli("validate", plugin(hex, "1.2.3", '{ request: [ { ops: [ { op: set, header: x-a, valu: b } ] } ] }'), "--image", out);
  assert.equal(v.status, 1);
  assert.match(v.stdout, /headers: config\.request\[0\]\.ops\[0\]\.valu: unknown field/);
  v = cli("validate", plugin(hex, "1.2.3", good), "--image", out, "--module", MODULE);
  assert.equal(v.status, 2);
  // a digest url (Istio pins by it when sha256 is empty) and an untagged one (Istio pulls :latest)
  const byDigest = join(dir, "wp-digest.yaml");
  writeFileSync(byDigest, readFileSync(plugin(hex, "x", good), "utf8").replace(/url: .*/, `url: oci://ghcr.io/acme/headers@${back.digest}`).replace(/ {2}sha256: .*\n/, ""));
  v = cli("validate", byDigest, "--image", out);
  assert.equal(v.status, 0, v.stdout);
  assert.match(v.stdout, /with digest sha256:/);
  const untagged = join(dir, "wp-untagged.yaml");
  writeFileSync(untagged, readFileSync(plugin(hex, "x", good), "utf8").replace(/url: .*/, "url: oci://ghcr.io/acme/headers"));
  v = cli("validate", untagged, "--image", out);
  assert.equal(v.status, 1);
  assert.match(v.stdout, /no image tagged latest \(tags: 1\.2\.3\)/);
  const withPort = join(dir, "wp-noscheme-port.yaml"); // Go's url.Parse reads "localhost:5000" as a scheme
  writeFileSync(withPort, readFileSync(plugin(hex, "1.2.3", good), "utf8").replace("url: oci://ghcr.io", "url: localhost:5000"));
  v = cli("validate", withPort, "--image", out);
  assert.equal(v.status, 1);
  assert.match(v.stdout, /write oci:\/\/localhost:5000/);
  const noScheme = join(dir, "wp-noscheme.yaml"); // Istio reads a url without a scheme as oci://
  writeFileSync(noScheme, readFileSync(plugin(hex, "1.2.3", good), "utf8").replace("url: oci://", "url: "));
  v = cli("validate", noScheme, "--image", out);
  assert.equal(v.status, 0, v.stdout);
});

test("the shipped Istio example validates against the image wasmgate package makes of the headers filter", () => {
  const out = join(dir, "example-layout");
  const r = cli("package", MODULE, "--out", out, "--tag", "0.1.0"); // the example's url tag
  assert.equal(r.status, 0, r.stderr);
  const v = cli("validate", "examples/istio/headers-wasmplugin.yaml", "--image", out);
  assert.equal(v.status, 0, v.stdout + v.stderr);
  assert.match(v.stdout, /holds plugin\.wasm as Istio reads it/);
  assert.match(v.stdout, /plugin\.wasm of .* accepted its configuration/);
});

test("wasmgate package refuses what cannot ship, with exit 1 (the module) or 2 (usage)", () => {
  const out = join(dir, "refused");
  const plainWasm = join(dir, "plain.wasm"); writeFileSync(plainWasm, new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])); // valid, but not proxy-wasm
  let r = cli("package", plainWasm, "--out", out);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /not a proxy-wasm module/);
  assert.equal(existsSync(out), false, "nothing written");
  const notWasm = join(dir, "x.wasm"); writeFileSync(notWasm, "hello");
  r = cli("package", notWasm, "--out", out);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /not a valid Wasm module/);
  assert.equal(cli("package", "nosuchfilter").status, 2);
  assert.match(cli("package", MODULE, "--push", "headers:1").stderr, /REGISTRY\/REPOSITORY/);
  assert.match(cli("package", MODULE, "--tag", "a", "--push", "r.io/xy:b").stderr, /name two tags/);
  assert.match(cli("package", MODULE, "--outt", "x").stderr, /unknown option --outt/);
  assert.match(cli("package", MODULE, "--plain-http").stderr, /--plain-http is for --push/);
});

test("wasmgate package --push: pushed, and the WasmPlugin lines printed", { skip: NO_REGISTRY }, async () => {
  await startRegistry();
  const out = join(dir, "cli-push");
  const r = cli("package", MODULE, "--out", out, "--push", `127.0.0.1:${port}/wasmgate/cli:2.0.0`);
  assert.equal(r.status, 0, r.stderr);
  const digest = readLayout(out, { tag: "2.0.0" }).digest;
  assert.match(r.stdout, new RegExp(`url: oci://127\\.0\\.0\\.1:${port}/wasmgate/cli:2\\.0\\.0\\n  sha256: "${digest.slice(7)}"`));
  assert.equal((await pull("wasmgate/cli", "2.0.0")).digest, digest);
});

test("readTar refuses a negative or non-octal size and a cut-short archive (no hang), and reads a non-ASCII PAX path", () => {
  const t = tarOneFile("plugin.wasm", wasm);
  const bad = new Uint8Array(t); bad.set(Buffer.from("-0001750\0\0\0\0"), 124);
  assert.throws(() => readTar(bad), /bad size field/);
  assert.throws(() => readTar(t.subarray(0, 600)), /cut short/);
  const src = join(dir, "pax-utf8");
  mkdirSync(join(src, "dïr"), { recursive: true });
  writeFileSync(join(src, "dïr", "plugin.wasm"), wasm);
  const p = spawnSync("tar", ["--format=posix", "-cf", "-", "-C", src, "dïr/plugin.wasm"], { maxBuffer: 1 << 26 });
  assert.equal(p.status, 0, String(p.stderr));
  const f = readTar(new Uint8Array(p.stdout)).filter((x) => x.type === "0");
  assert.deepEqual(f.map((x) => x.name), ["dïr/plugin.wasm"]);
});

test("readTar reads what tarOneFile writes; names over 100 bytes are refused", () => {
  const files = readTar(tarOneFile("plugin.wasm", wasm));
  assert.equal(files.length, 1);
  assert.equal(files[0].name, "plugin.wasm");
  assert.deepEqual(files[0].data, wasm);
  assert.throws(() => tarOneFile("a".repeat(101), wasm), /unsupported file name/);
});
