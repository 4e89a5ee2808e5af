// OCI images of a Wasm module for Istio's WasmPlugin (`url: oci://…`), research/deploy.md §2.
//
// The image is the "compat" variant with OCI media types, the one Istio's agent selects second
// (istio/istio pkg/wasm/imagefetcher.go: Docker manifest, then OCI compat, then Solo's 2-layer
// artifact): one layer, application/vnd.oci.image.layer.v1.tar+gzip, holding a tar with a single
// regular file `plugin.wasm` (the agent takes the first entry whose basename is plugin.wasm from the
// LAST layer; an uncompressed or zstd layer is refused). The manifest is pushed as a single image
// manifest, not an index (an index would be resolved by platform). Everything is deterministic — tar
// mtime/uid/gid 0, gzip without a timestamp, JSON in a fixed key order — so the same module always
// gives the same manifest digest, which is what a WasmPlugin's `sha256` pins.
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const MEDIA = {
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: "application/vnd.oci.image.layer.v1.tar+gzip",
} as const;

export interface Descriptor { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }

export interface Image {
  /** sha256:<hex> of the manifest bytes: the image digest (WasmPlugin `sha256` takes the hex part). */
  digest: string;
  manifest: Uint8Array;
  /** Every blob by digest: the config and the layer. */
  blobs: Map<string, Uint8Array>;
  layer: Descriptor;
  config: Descriptor;
}

export const sha256 = (b: Uint8Array): string => "sha256:" + createHash("sha256").update(b).digest("hex");

// ---- tar (POSIX ustar) ----

function putOctal(h: Uint8Array, at: number, width: number, v: number): void {
  // width − 1 octal digits, zero-padded, then NUL
  const s = v.toString(8).padStart(width - 1, "0");
  if (s.length > width - 1) throw new Error(`tar: ${v} does not fit a ${width}-byte field`);
  for (let i = 0; i < s.length; i++) h[at + i] = s.charCodeAt(i);
  h[at + width - 1] = 0;
}
function putText(h: Uint8Array, at: number, s: string): void {
  for (let i = 0; i < s.length; i++) h[at + i] = s.charCodeAt(i);
}

/** A ustar archive holding one regular file (mode 0644, owner 0:0, mtime 0), then the two zero blocks. */
export function tarOneFile(name: string, data: Uint8Array): Uint8Array {
  if (!/^[\x21-\x7e]{1,100}$/.test(name)) throw new Error(`tar: unsupported file name '${name}'`);
  const pad = (512 - (data.length % 512)) % 512;
  const out = new Uint8Array(512 + data.length + pad + 1024);
  const h = out.subarray(0, 512);
  putText(h, 0, name);
  putOctal(h, 100, 8, 0o644); // mode
  putOctal(h, 108, 8, 0); // uid
  putOctal(h, 116, 8, 0); // gid
  putOctal(h, 124, 12, data.length); // size
  putOctal(h, 136, 12, 0); // mtime
  h[156] = 0x30; // typeflag '0': regular file
  putText(h, 257, "ustar\u000000"); // magic "ustar\0" and version "00"
  // The checksum: the sum of the header's bytes with the checksum field taken as eight spaces,
  // written as six octal digits, NUL, space.
  for (let i = 148; i < 156; i++) h[i] = 0x20;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += h[i];
  putOctal(h, 148, 7, sum);
  h[155] = 0x20;
  out.set(data, 512);
  return out;
}

/** The regular files of a ustar/GNU tar (name → bytes), for checking an image the way Istio reads it. */
export function readTar(tar: Uint8Array): { name: string; type: string; data: Uint8Array }[] {
  const out: { name: string; type: string; data: Uint8Array }[] = [];
  const text = (a: number, b: number) => { let s = ""; for (let i = a; i < b && tar[i] !== 0; i++) s += String.fromCharCode(tar[i]); return s; };
  for (let p = 0; p + 512 <= tar.length;) {
    if (tar.subarray(p, p + 512).every((x) => x === 0)) break;
    const prefix = text(p + 345, p + 500);
    const name = (text(p + 257, p + 262) === "ustar" && prefix ? prefix + "/" : "") + text(p, p + 100);
    const size = parseInt(text(p + 124, p + 136).trim() || "0", 8);
    const type = String.fromCharCode(tar[p + 156] || 0x30);
    out.push({ name, type, data: tar.subarray(p + 512, p + 512 + size) });
    p += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

// ---- the image ----

const json = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

/**
 * The compat image of `wasm`. The config names linux/amd64: Istio ignores the config, and that is
 * what generic image tools accept when they unpack it (umoci refuses a non-Linux `os`).
 */
export function buildImage(wasm: Uint8Array, annotations: Record<string, string> = {}): Image {
  const tar = tarOneFile("plugin.wasm", wasm);
  // gzip's header carries no name and mtime 0 (zlib's default), so the layer is reproducible.
  const layerBytes = new Uint8Array(gzipSync(tar, { level: 9 }));
  const configBytes = json({
    architecture: "amd64", os: "linux", config: {},
    rootfs: { type: "layers", diff_ids: [sha256(tar)] },
  });
  const layer: Descriptor = { mediaType: MEDIA.layer, digest: sha256(layerBytes), size: layerBytes.length };
  const config: Descriptor = { mediaType: MEDIA.config, digest: sha256(configBytes), size: configBytes.length };
  const manifest = json({
    schemaVersion: 2, mediaType: MEDIA.manifest, config, layers: [layer],
    annotations: { "module.wasm.image/variant": "compat", ...annotations },
  });
  return {
    digest: sha256(manifest), manifest, layer, config,
    blobs: new Map([[config.digest, configBytes], [layer.digest, layerBytes]]),
  };
}

/**
 * What Istio's agent would load from an image (istio/istio pkg/wasm/imagefetcher.go PrepareFetch and
 * extractWasmPluginBinary, cache.go isValidWasmBinary): a Docker schema 2 manifest needs a Docker
 * tar+gzip last layer, any other manifest an OCI tar+gzip last layer; the module is the first tar
 * entry whose basename is plugin.wasm, and must start with the Wasm magic (8 bytes at least). Solo's
 * two-layer "oci" variant, which the agent tries last, is not read here (wasmgate does not write it).
 * Returns the module, or throws saying why Istio would not load it.
 */
export function moduleFromImage(manifest: Uint8Array, blob: (digest: string) => Uint8Array): Uint8Array {
  const m = JSON.parse(Buffer.from(manifest).toString("utf8"));
  const layers: Descriptor[] = m.layers ?? [];
  const last = layers.at(-1);
  if (last === undefined) throw new Error("the manifest has no layers");
  const want = m.mediaType === "application/vnd.docker.distribution.manifest.v2+json" ? "application/vnd.docker.image.rootfs.diff.tar.gzip" : MEDIA.layer;
  if (last.mediaType !== want) throw new Error(`the last layer is ${last.mediaType}, not ${want}`);
  const bytes = blob(last.digest);
  if (sha256(bytes) !== last.digest) throw new Error(`layer ${last.digest}: its bytes do not match the digest`);
  let tar: Uint8Array;
  try { tar = new Uint8Array(gunzipSync(bytes)); } catch (e) { throw new Error(`the last layer is not gzip: ${(e as Error).message}`); }
  const file = readTar(tar).find((f) => f.name.split("/").at(-1) === "plugin.wasm");
  if (file === undefined) throw new Error("the last layer has no plugin.wasm");
  const d = file.data;
  if (d.length < 8 || d[0] !== 0 || d[1] !== 0x61 || d[2] !== 0x73 || d[3] !== 0x6d) throw new Error("plugin.wasm is not a Wasm module");
  return d;
}

// ---- OCI image layout (image-spec image-layout.md) ----

/**
 * Writes `image` as an OCI image layout in `dir`, tagged `tag` (index.json's
 * org.opencontainers.image.ref.name). A directory that already holds a layout is replaced; any other
 * non-empty directory is refused.
 */
export function writeLayout(dir: string, image: Image, tag: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!existsSync(join(dir, "oci-layout"))) throw new Error(`${dir} is not empty and holds no OCI layout: refusing to write into it`);
    for (const f of ["oci-layout", "index.json", "blobs"]) rmSync(join(dir, f), { recursive: true, force: true });
  }
  mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
  const put = (digest: string, bytes: Uint8Array) => writeFileSync(join(dir, "blobs", "sha256", digest.slice(7)), bytes);
  for (const [d, b] of image.blobs) put(d, b);
  put(image.digest, image.manifest);
  writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }) + "\n");
  const index = {
    schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [{ mediaType: MEDIA.manifest, digest: image.digest, size: image.manifest.length, annotations: { "org.opencontainers.image.ref.name": tag } }],
  };
  writeFileSync(join(dir, "index.json"), JSON.stringify(index, null, 2) + "\n");
}

/**
 * Reads an image back from an OCI image layout: the manifest tagged `tag` in index.json (or the only
 * one when no tag is asked for), checked against its digest, and a blob reader over blobs/.
 */
export function readLayout(dir: string, tag?: string): { digest: string; manifest: Uint8Array; blob: (digest: string) => Uint8Array } {
  if (!existsSync(join(dir, "oci-layout")) || !existsSync(join(dir, "index.json"))) throw new Error(`${dir}: not an OCI image layout (no oci-layout and index.json)`);
  const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as { manifests?: Descriptor[] };
  const all = (index.manifests ?? []).filter((m) => m.mediaType === MEDIA.manifest);
  const named = (m: Descriptor) => m.annotations?.["org.opencontainers.image.ref.name"];
  const pick = tag === undefined ? (all.length === 1 ? all[0] : undefined) : all.find((m) => named(m) === tag);
  if (pick === undefined) {
    const tags = all.map(named).filter(Boolean).join(", ") || "none";
    throw new Error(tag === undefined ? `${dir}: ${all.length} image manifests, name one by its tag (tags: ${tags})` : `${dir}: no image tagged ${tag} (tags: ${tags})`);
  }
  const blob = (digest: string): Uint8Array => {
    if (!/^sha256:[a-f0-9]{64}$/.test(digest)) throw new Error(`${dir}: unsupported digest ${digest}`);
    const f = join(dir, "blobs", "sha256", digest.slice(7));
    if (!existsSync(f)) throw new Error(`${dir}: blob ${digest} is missing`);
    return new Uint8Array(readFileSync(f));
  };
  const manifest = blob(pick.digest);
  if (sha256(manifest) !== pick.digest) throw new Error(`${dir}: manifest ${pick.digest}: its bytes do not match the digest`);
  return { digest: pick.digest, manifest, blob };
}

// ---- references and pushing (OCI distribution spec) ----

export interface ImageRef { registry: string; repository: string; /** undefined when the reference names none */ tag?: string }

export const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const REPO = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/**
 * "registry[:port]/repo/path[:tag]" (an optional oci:// in front, as in a WasmPlugin url). The first
 * component is always the registry here — there is no Docker Hub default, since an Istio url names
 * its registry too. A digest reference (@sha256:…) cannot be pushed to.
 */
export function parseRef(ref: string): ImageRef {
  let r = ref.startsWith("oci://") ? ref.slice(6) : ref;
  if (r.includes("@")) throw new Error(`${ref}: push to a tag, not a digest (the digest is printed after the push)`);
  const slash = r.indexOf("/");
  if (slash <= 0) throw new Error(`${ref}: expected REGISTRY/REPOSITORY[:TAG], e.g. ghcr.io/acme/headers:0.1.0`);
  const registry = r.slice(0, slash);
  r = r.slice(slash + 1);
  const colon = r.lastIndexOf(":");
  const tagged = colon >= 0 && colon > r.lastIndexOf("/");
  const tag = tagged ? r.slice(colon + 1) : undefined;
  const repository = tagged ? r.slice(0, colon) : r;
  if (!/^[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$/.test(registry)) throw new Error(`${ref}: '${registry}' is not a registry host[:port]`);
  if (!REPO.test(repository)) throw new Error(`${ref}: '${repository}' is not a valid repository name (lower-case letters, digits, separators . _ - and /)`);
  if (tag !== undefined && !TAG.test(tag)) throw new Error(`${ref}: '${tag}' is not a valid tag`);
  return { registry, repository, tag };
}

/** Loopback registries are spoken to over plain HTTP (as docker and skopeo do for localhost). */
export function isLoopback(registry: string): boolean {
  const host = registry.replace(/:[0-9]+$/, "");
  return host === "localhost" || host === "[::1]" || /^127\./.test(host);
}

export interface Credentials { username: string; password: string }

export interface PushOptions {
  /** Speak plain HTTP (default: only to a loopback registry). */
  plainHttp?: boolean;
  credentials?: Credentials;
  fetch?: typeof fetch;
  /** Progress lines ("blob sha256:… exists", …). */
  log?: (line: string) => void;
}

/** Why a push failed, with the registry's own error text when it gave one. */
export class RegistryError extends Error {}

async function errorText(res: Response): Promise<string> {
  const body = await res.text().catch(() => "");
  try {
    const errs = JSON.parse(body).errors as { code?: string; message?: string }[];
    if (Array.isArray(errs) && errs.length) return errs.map((e) => [e.code, e.message].filter(Boolean).join(": ")).join("; ");
  } catch { /* not the spec's error body */ }
  return body.slice(0, 200).trim();
}

/** Parses a WWW-Authenticate header: scheme and its auth-params. */
export function parseChallenge(h: string): { scheme: string; params: Record<string, string> } {
  const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(h);
  if (!m) return { scheme: "", params: {} };
  const params: Record<string, string> = {};
  const re = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (let x; (x = re.exec(m[2])) !== null;) params[x[1].toLowerCase()] = x[2] !== undefined ? x[2].replace(/\\(.)/g, "$1") : x[3];
  return { scheme: m[1].toLowerCase(), params };
}

/**
 * Pushes `image` to `ref` with the distribution API: each blob (skipped when the registry has it),
 * then the manifest under the tag. Handles the registry's auth challenge — Basic, or Bearer with a
 * token from the realm it names (anonymous, or with the credentials) — as docker does. Returns the
 * digest the registry reports for the manifest, which must equal image.digest.
 */
export async function pushImage(image: Image, ref: ImageRef & { tag: string }, opts: PushOptions = {}): Promise<string> {
  const doFetch = opts.fetch ?? fetch;
  const log = opts.log ?? (() => {});
  const base = `${opts.plainHttp || isLoopback(ref.registry) ? "http" : "https"}://${ref.registry}`;
  const basic = opts.credentials && "Basic " + Buffer.from(`${opts.credentials.username}:${opts.credentials.password}`).toString("base64");
  let authorization: string | undefined;

  async function authorize(res: Response): Promise<boolean> {
    const c = parseChallenge(res.headers.get("www-authenticate") ?? "");
    if (c.scheme === "basic") {
      if (!basic || authorization === basic) return false;
      authorization = basic;
      return true;
    }
    if (c.scheme !== "bearer" || !c.params.realm) return false;
    const url = new URL(c.params.realm);
    if (c.params.service) url.searchParams.set("service", c.params.service);
    url.searchParams.set("scope", `repository:${ref.repository}:pull,push`);
    const t = await doFetch(url, { headers: basic ? { authorization: basic } : {} });
    if (!t.ok) throw new RegistryError(`token request to ${url.origin}${url.pathname} failed: ${t.status} ${await errorText(t)}`);
    const body = await t.json() as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(`token request to ${url.origin}${url.pathname} returned no token`);
    const next = `Bearer ${token}`;
    if (next === authorization) return false;
    authorization = next;
    return true;
  }
  async function call(method: string, url: string, body?: Uint8Array, headers: Record<string, string> = {}): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await doFetch(url, { method, body: body as Uint8Array<ArrayBuffer> | undefined, headers: { ...headers, ...(authorization ? { authorization } : {}) }, redirect: "follow" });
      } catch (e) {
        throw new RegistryError(`${method} ${url}: ${(e as Error).cause ? String((e as Error & { cause: unknown }).cause) : (e as Error).message}`);
      }
      if (res.status === 401 && attempt < 2) {
        await res.arrayBuffer().catch(() => {});
        if (await authorize(res)) continue;
        throw new RegistryError(`${ref.registry} refused the credentials (401)${basic ? "" : ": set WASMGATE_REGISTRY_USERNAME and WASMGATE_REGISTRY_PASSWORD, or log in with docker login"}`);
      }
      return res;
    }
  }
  const repoUrl = `${base}/v2/${ref.repository}`;
  const blobs: [string, Uint8Array][] = [...image.blobs];
  for (const [digest, bytes] of blobs) {
    const head = await call("HEAD", `${repoUrl}/blobs/${digest}`);
    if (head.status === 200) { log(`blob ${digest} already there`); continue; }
    const start = await call("POST", `${repoUrl}/blobs/uploads/`);
    if (start.status !== 202) throw new RegistryError(`starting the upload of ${digest}: ${start.status} ${await errorText(start)}`);
    await start.arrayBuffer().catch(() => {});
    const location = start.headers.get("location");
    if (!location) throw new RegistryError(`starting the upload of ${digest}: the registry gave no Location`);
    const put = new URL(location, base + "/");
    put.searchParams.set("digest", digest);
    const done = await call("PUT", put.href, bytes, { "content-type": "application/octet-stream" });
    if (done.status !== 201) throw new RegistryError(`uploading ${digest}: ${done.status} ${await errorText(done)}`);
    await done.arrayBuffer().catch(() => {});
    log(`blob ${digest} pushed (${bytes.length} bytes)`);
  }
  const res = await call("PUT", `${repoUrl}/manifests/${ref.tag}`, image.manifest, { "content-type": MEDIA.manifest });
  if (res.status !== 201) throw new RegistryError(`pushing the manifest: ${res.status} ${await errorText(res)}`);
  await res.arrayBuffer().catch(() => {});
  const digest = res.headers.get("docker-content-digest") ?? image.digest;
  if (digest !== image.digest) throw new RegistryError(`the registry stored the manifest as ${digest}, not ${image.digest}`);
  return digest;
}

/**
 * Credentials for `registry`: WASMGATE_REGISTRY_USERNAME / WASMGATE_REGISTRY_PASSWORD, else the
 * `auths` entry docker login wrote to $DOCKER_CONFIG/config.json (~/.docker/config.json). Credential
 * helpers (credsStore) are not run: null, and the caller says so.
 */
export function findCredentials(registry: string, env: NodeJS.ProcessEnv, readConfig: (path: string) => string | null): Credentials | null {
  if (env.WASMGATE_REGISTRY_USERNAME !== undefined) return { username: env.WASMGATE_REGISTRY_USERNAME, password: env.WASMGATE_REGISTRY_PASSWORD ?? "" };
  const dir = env.DOCKER_CONFIG ?? (env.HOME ? join(env.HOME, ".docker") : null);
  const text = dir ? readConfig(join(dir, "config.json")) : null;
  if (!text) return null;
  let cfg: { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
  try { cfg = JSON.parse(text); } catch { return null; }
  for (const [k, v] of Object.entries(cfg.auths ?? {})) {
    if (k.replace(/^https?:\/\//, "").replace(/\/.*$/, "") !== registry) continue;
    if (v.username !== undefined) return { username: v.username, password: v.password ?? "" };
    if (v.auth) {
      const s = Buffer.from(v.auth, "base64").toString("utf8");
      const i = s.indexOf(":");
      if (i > 0) return { username: s.slice(0, i), password: s.slice(i + 1) };
    }
  }
  return null;
}
