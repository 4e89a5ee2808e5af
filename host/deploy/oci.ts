// OCI images of a Wasm module for Istio's WasmPlugin (`url: oci://…`), research/deploy.md §2.
//
// The image is the "compat" variant with OCI media types, the one Istio's agent selects second
// (istio/istio pkg/wasm/imagefetcher.go: Docker manifest, then OCI compat, then Solo's 2-layer
// artifact): one layer, application/vnd.oci.image.layer.v1.tar+gzip, holding a tar with a single
// regular file `plugin.wasm` (the agent takes the first entry whose basename is plugin.wasm from the
// LAST layer; an uncompressed or zstd layer is refused). The manifest is pushed as a single image
// manifest, not an index (an index would be resolved by platform). Everything is a function of the
// module's bytes alone — tar mtime/uid/gid 0, JSON in a fixed key order, and gzip written here with
// stored (uncompressed) deflate blocks, because a compressor's output changes with the zlib build
// (Node's bundled zlib and a distribution's differ) — so the same module gives the same manifest
// digest on any machine and Node version: the digest a WasmPlugin's `sha256` pins.
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
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

/**
 * The entries of a tar (ustar, with PAX and GNU long-name extensions, as Go's archive/tar reads them):
 * PAX "x" headers and GNU "L" long names give the next entry its name; "g", "K" and those headers
 * themselves are not entries.
 */
export function readTar(tar: Uint8Array): { name: string; type: string; data: Uint8Array }[] {
  const out: { name: string; type: string; data: Uint8Array }[] = [];
  const text = (a: number, b: number) => { let s = ""; for (let i = a; i < b && tar[i] !== 0; i++) s += String.fromCharCode(tar[i]); return s; };
  const utf8 = (b: Uint8Array) => Buffer.from(b).toString("utf8");
  let nextName: string | null = null;
  for (let p = 0; p + 512 <= tar.length;) {
    if (tar.subarray(p, p + 512).every((x) => x === 0)) break;
    const prefix = text(p + 345, p + 500);
    const name = (text(p + 257, p + 262) === "ustar" && prefix ? prefix + "/" : "") + text(p, p + 100);
    const sizeField = text(p + 124, p + 136);
    if (!/^[0-7 ]*$/.test(sizeField)) throw new Error(`tar: entry '${name}': bad size field`);
    const size = parseInt(sizeField.trim() || "0", 8);
    if (p + 512 + size > tar.length) throw new Error(`tar: entry '${name}' is cut short`);
    const type = String.fromCharCode(tar[p + 156] || 0x30);
    const data = tar.subarray(p + 512, p + 512 + size);
    p += 512 + Math.ceil(size / 512) * 512;
    if (type === "x") { // PAX: "<len> key=value\n" records, <len> in bytes; path= names the next entry
      for (let i = 0; i < data.length;) {
        let sp = i;
        while (sp < data.length && data[sp] !== 0x20) sp++;
        const len = Number(utf8(data.subarray(i, sp)));
        if (!Number.isInteger(len) || len <= 0 || i + len > data.length) break;
        const rec = utf8(data.subarray(sp + 1, i + len - 1)); // without the trailing newline
        if (rec.startsWith("path=")) nextName = rec.slice(5);
        i += len;
      }
      continue;
    }
    if (type === "L") { nextName = utf8(data).replace(/\0+$/, ""); continue; }
    if (type === "g" || type === "K") continue;
    out.push({ name: nextName ?? name, type, data });
    nextName = null;
  }
  return out;
}

// ---- the image ----

const json = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

// ---- gzip with stored blocks (RFC 1952 around RFC 1951 BTYPE 00) ----

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A gzip member holding `data` in stored deflate blocks: the same bytes from any implementation. */
export function gzipStored(data: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(data.length / 0xffff));
  const out = new Uint8Array(10 + blocks * 5 + data.length + 8);
  // magic, CM deflate, no flags, mtime 0, XFL 0, OS 255 (unknown)
  out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  let p = 10;
  for (let i = 0; i < blocks; i++) {
    const chunk = data.subarray(i * 0xffff, Math.min(data.length, (i + 1) * 0xffff));
    out[p++] = i === blocks - 1 ? 1 : 0; // BFINAL, BTYPE 00
    out[p++] = chunk.length & 0xff; out[p++] = chunk.length >>> 8;
    out[p++] = ~chunk.length & 0xff; out[p++] = (~chunk.length >>> 8) & 0xff;
    out.set(chunk, p); p += chunk.length;
  }
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  dv.setUint32(p, crc32(data), true);
  dv.setUint32(p + 4, data.length >>> 0, true);
  return out;
}

/**
 * The compat image of `wasm`. The config names linux/amd64: Istio ignores the config, and that is
 * what generic image tools accept when they unpack it (umoci refuses a non-Linux `os`).
 */
export function buildImage(wasm: Uint8Array): Image {
  const tar = tarOneFile("plugin.wasm", wasm);
  const layerBytes = gzipStored(tar);
  const configBytes = json({
    architecture: "amd64", os: "linux", config: {},
    rootfs: { type: "layers", diff_ids: [sha256(tar)] },
  });
  const layer: Descriptor = { mediaType: MEDIA.layer, digest: sha256(layerBytes), size: layerBytes.length };
  const config: Descriptor = { mediaType: MEDIA.config, digest: sha256(configBytes), size: configBytes.length };
  const manifest = json({
    schemaVersion: 2, mediaType: MEDIA.manifest, config, layers: [layer],
    annotations: { "module.wasm.image/variant": "compat" },
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

const INDEX = "application/vnd.oci.image.index.v1+json";
const REF_NAME = "org.opencontainers.image.ref.name";

/**
 * Writes `image` into the OCI image layout in `dir`, tagged `tag` (index.json's
 * org.opencontainers.image.ref.name): a new layout, or an existing one where it replaces only the
 * image of that tag — other images and their blobs stay; the replaced image's blobs that nothing else
 * refers to are removed. Any other non-empty directory is refused. index.json is replaced atomically.
 */
export function writeLayout(dir: string, image: Image, tag: string): void {
  let manifests: Descriptor[] = [], replaced: Descriptor[] = [];
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!existsSync(join(dir, "oci-layout"))) throw new Error(`${dir} is not empty and holds no OCI layout: refusing to write into it`);
    if (existsSync(join(dir, "index.json"))) {
      let index: { manifests?: unknown };
      try { index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")); } catch (e) { throw new Error(`${join(dir, "index.json")}: not JSON (${(e as Error).message}): refusing to write into this layout`); }
      if (index === null || typeof index !== "object") throw new Error(`${join(dir, "index.json")}: not an image index: refusing to write into this layout`);
      const list = index.manifests ?? [];
      if (!Array.isArray(list) || !list.every((m) => m !== null && typeof m === "object" && typeof (m as Descriptor).digest === "string")) {
        throw new Error(`${join(dir, "index.json")}: not an image index (manifests must be a list of descriptors): refusing to write into this layout`);
      }
      manifests = (list as Descriptor[]).filter((m) => m.annotations?.[REF_NAME] !== tag);
      replaced = (list as Descriptor[]).filter((m) => m.annotations?.[REF_NAME] === tag);
    }
  }
  mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
  const blobPath = (digest: string) => join(dir, "blobs", "sha256", digest.slice(7));
  // What the replaced image referred to, before anything is written over.
  const old = reachable(replaced, blobPath);
  for (const [d, b] of image.blobs) writeFileSync(blobPath(d), b);
  writeFileSync(blobPath(image.digest), image.manifest);
  writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }) + "\n");
  manifests.push({ mediaType: MEDIA.manifest, digest: image.digest, size: image.manifest.length, annotations: { [REF_NAME]: tag } });
  const tmp = join(dir, `.index.json.${process.pid}`);
  writeFileSync(tmp, JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests }, null, 2) + "\n");
  renameSync(tmp, join(dir, "index.json"));
  // Only the blobs the replaced image used that nothing left uses — and only when everything could be
  // accounted for and the blob store is the layout's own (not a symlink into another).
  const used = reachable(manifests, blobPath);
  if (old === null || used === null) return;
  if (lstatSync(join(dir, "blobs")).isSymbolicLink() || lstatSync(join(dir, "blobs", "sha256")).isSymbolicLink()) return;
  for (const d of old) if (!used.has(d) && existsSync(blobPath(d))) rmSync(blobPath(d));
}

/**
 * Every blob digest `roots` reach in the layout, following what a manifest, an index or an artifact
 * names (config, layers, manifests, blobs, subject); null when a manifest or index cannot be read.
 */
function reachable(roots: Descriptor[], blobPath: (d: string) => string): Set<string> | null {
  const seen = new Set<string>();
  const walk = (d: Descriptor | undefined): boolean => {
    if (d === undefined || d === null || typeof d.digest !== "string") return true;
    if (!/^sha256:[a-f0-9]{64}$/.test(d.digest)) return false;
    if (seen.has(d.digest)) return true;
    seen.add(d.digest);
    const f = blobPath(d.digest);
    const structural = d.mediaType === undefined || /manifest|index|json/.test(d.mediaType);
    if (!existsSync(f)) return !structural;
    if (!structural) return true;
    let m: { config?: Descriptor; layers?: Descriptor[]; manifests?: Descriptor[]; blobs?: Descriptor[]; subject?: Descriptor };
    try { m = JSON.parse(readFileSync(f, "utf8")); } catch { return d.mediaType !== undefined && !/manifest|index/.test(d.mediaType); }
    if (m === null || typeof m !== "object") return true;
    const lists = [m.layers, m.manifests, m.blobs];
    if (!lists.every((x) => x === undefined || Array.isArray(x))) return false; // malformed: account for nothing
    return [m.config, m.subject, ...(m.layers ?? []), ...(m.manifests ?? []), ...(m.blobs ?? [])].every(walk);
  };
  return roots.every(walk) ? seen : null;
}

/** What an image url names: a tag (Istio's default: latest) or a digest. */
export type ImageSelector = { tag: string } | { digest: string };

/**
 * Reads an image back from an OCI image layout: the manifest with that tag (index.json's ref.name)
 * or digest, checked against its digest, and a blob reader over blobs/.
 */
export function readLayout(dir: string, want: ImageSelector): { digest: string; manifest: Uint8Array; blob: (digest: string) => Uint8Array } {
  if (!existsSync(join(dir, "oci-layout")) || !existsSync(join(dir, "index.json"))) throw new Error(`${dir}: not an OCI image layout (no oci-layout and index.json)`);
  const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as { manifests?: Descriptor[] };
  const all = index.manifests ?? [];
  const named = (m: Descriptor) => m.annotations?.[REF_NAME];
  const pick = "tag" in want ? all.find((m) => named(m) === want.tag) : all.find((m) => m.digest === want.digest);
  if (pick !== undefined && pick.mediaType !== MEDIA.manifest && pick.mediaType !== "application/vnd.docker.distribution.manifest.v2+json") {
    throw new Error(`${dir}: ${"tag" in want ? `the tag ${want.tag}` : want.digest} names ${pick.mediaType ?? "something"}, not an image manifest (Istio resolves an index by platform: point the url at the manifest's digest)`);
  }
  if (pick === undefined) {
    const tags = all.map(named).filter(Boolean).join(", ") || "none";
    throw new Error("tag" in want ? `${dir}: no image tagged ${want.tag} (tags: ${tags})` : `${dir}: no image with digest ${want.digest} (tags: ${tags})`);
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

export interface ImageRef { registry: string; repository: string; /** undefined when the reference names none */ tag?: string; digest?: string }

export const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const REPO = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::([0-9]{1,5}))?$/;

/**
 * "registry[:port]/repo/path[:tag|@sha256:hex]" (an optional oci:// in front, as in a WasmPlugin url).
 * The first component is always the registry: there is no Docker Hub default, since an Istio url
 * names its registry too. Registry hosts compare case-insensitively and are kept lower-cased.
 */
export function parseRef(ref: string): ImageRef {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(ref) && !ref.startsWith("oci://")) throw new Error("an image reference has no scheme but oci://");
  let r = ref.startsWith("oci://") ? ref.slice(6) : ref;
  const atSign = r.indexOf("@");
  if (atSign >= 0 && !/^sha256:[a-f0-9]{64}$/.test(r.slice(atSign + 1))) {
    // Whatever else an "@" introduces, it is not a digest: it may be user:password, so never echoed.
    throw new Error("an '@' in the image reference must introduce a sha256 digest (credentials do not go in it: set WASMGATE_REGISTRY_USERNAME and WASMGATE_REGISTRY_PASSWORD)");
  }
  let digest: string | undefined;
  const at = r.indexOf("@");
  if (at >= 0) {
    digest = r.slice(at + 1);
    r = r.slice(0, at);
    if (!/^sha256:[a-f0-9]{64}$/.test(digest)) throw new Error(`${ref}: '${digest}' is not a sha256 digest`);
  }
  const slash = r.indexOf("/");
  if (slash <= 0) throw new Error(`${ref}: expected REGISTRY/REPOSITORY[:TAG], e.g. ghcr.io/acme/headers:0.1.0`);
  const registry = r.slice(0, slash).toLowerCase();
  // Istio reads the url with go-containerregistry, which takes the first part for a registry only
  // when it has a '.' or a ':' (else the image is on Docker Hub): the url printed must mean this host.
  if (/^((index|registry-1)\.)?docker\.io(:\d+)?$/.test(registry)) throw new Error(`${ref}: Docker Hub is not supported (its API host and credentials differ from its name)`);
  if (!/[.:]/.test(registry)) throw new Error(`${ref}: '${registry}' has no '.' or ':', so Istio would look for the image on Docker Hub: spell the registry with its port (e.g. ${registry}:5000)`);
  r = r.slice(slash + 1);
  const colon = r.lastIndexOf(":");
  const tagged = colon >= 0 && colon > r.lastIndexOf("/");
  const tag = tagged ? r.slice(colon + 1) : undefined;
  const repository = tagged ? r.slice(0, colon) : r;
  const host = HOST.exec(registry);
  if (!host || (host[1] !== undefined && (Number(host[1]) < 1 || Number(host[1]) > 65535))) throw new Error(`${ref}: '${registry}' is not a registry host[:port]`);
  if (!REPO.test(repository) || repository.length < 2 || repository.length > 255) throw new Error(`${ref}: '${repository}' is not a valid repository name (lower-case letters, digits, separators . _ - and /; 2 to 255 characters)`);
  if (tag !== undefined && !TAG.test(tag)) throw new Error(`${ref}: '${tag}' is not a valid tag`);
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** Loopback registries are spoken to over plain HTTP (as docker and skopeo do for localhost). */
export function isLoopback(registry: string): boolean {
  const host = registry.replace(/:[0-9]+$/, "");
  return host === "localhost" || host === "[::1]" || /^127(?:\.[0-9]{1,3}){3}$/.test(host);
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

/**
 * The challenge to answer from a WWW-Authenticate header: its Bearer challenge when it offers one
 * (a header may list several), else the first; scheme lower-cased, auth-params by lower-cased name.
 */
export function parseChallenge(h: string): { scheme: string; params: Record<string, string> } {
  const bearer = /(?:^|,)\s*(Bearer)\s+/i.exec(h);
  const from = bearer ? h.slice(bearer.index) : h;
  const m = /^[\s,]*([A-Za-z]+)\s*(.*)$/.exec(from);
  if (!m) return { scheme: "", params: {} };
  const params: Record<string, string> = {};
  const re = /\s*([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))\s*(,|$)/y;
  re.lastIndex = 0;
  const rest = m[2];
  for (let x; (x = re.exec(rest)) !== null;) {
    params[x[1].toLowerCase()] = x[2] !== undefined ? x[2].replace(/\\(.)/g, "$1") : x[3];
    if (x[4] === "" || re.lastIndex >= rest.length) break;
  }
  return { scheme: m[1].toLowerCase(), params };
}

const REQUEST_TIMEOUT_MS = 60_000;

/**
 * Pushes `image` to `ref` with the distribution API: each blob (skipped when the registry has it),
 * then the manifest under the tag. Answers the registry's auth challenge as docker does — Basic, or
 * Bearer with a token from the realm it names (anonymous, or with the credentials; an https realm
 * unless the registry itself is plain HTTP). Credentials and tokens go only to the registry's own
 * host (an upload Location elsewhere gets none). Returns the digest the registry reports for the
 * manifest, which must equal image.digest.
 */
export async function pushImage(image: Image, ref: ImageRef & { tag: string }, opts: PushOptions = {}): Promise<string> {
  const doFetch = opts.fetch ?? fetch;
  const log = opts.log ?? (() => {});
  const plain = opts.plainHttp || isLoopback(ref.registry);
  const base = `${plain ? "http" : "https"}://${ref.registry}`;
  const registryOrigin = new URL(base).origin;
  const basic = opts.credentials && "Basic " + Buffer.from(`${opts.credentials.username}:${opts.credentials.password}`).toString("base64");
  const hint = "set WASMGATE_REGISTRY_USERNAME and WASMGATE_REGISTRY_PASSWORD, or docker login (docker's credential helpers are not run)";
  let authorization: string | undefined;

  /** One request, following redirects here (fetch's own following cannot re-send a byte body on Node
   *  20, and would decide about the Authorization header itself): `auth` goes only to the registry's
   *  origin. Resolves with the final response and the URL that gave it. */
  const send = async (method: string, url: string | URL, init: { body?: Uint8Array; headers?: Record<string, string>; auth?: string } = {}): Promise<{ res: Response; at: URL }> => {
    let at = new URL(String(url)), m = method, body = init.body;
    for (let hop = 0; ; hop++) {
      const headers = { ...init.headers, ...(init.auth && at.origin === registryOrigin ? { authorization: init.auth } : {}) };
      let res: Response;
      try {
        res = await doFetch(at, { method: m, body: body && new Uint8Array(body) as Uint8Array<ArrayBuffer>, headers, redirect: "manual", signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      } catch (e) {
        const err = e as Error & { cause?: unknown };
        throw new RegistryError(`${m} ${at.href}: ${err.name === "TimeoutError" ? `no answer in ${REQUEST_TIMEOUT_MS / 1000} s` : err.cause ? String(err.cause) : err.message}`);
      }
      const location = res.headers.get("location");
      if (![301, 302, 303, 307, 308].includes(res.status) || !location) return { res, at };
      if (hop >= 5) throw new RegistryError(`${m} ${at.href}: too many redirects`);
      await res.arrayBuffer().catch(() => {});
      at = new URL(location, at);
      if (res.status === 303 && m !== "HEAD") { m = "GET"; body = undefined; }
    }
  };
  /** Takes the challenge of a 401; false when there is nothing new to try. */
  async function authorize(res: Response): Promise<boolean> {
    const c = parseChallenge(res.headers.get("www-authenticate") ?? "");
    if (c.scheme === "basic") {
      if (!basic) throw new RegistryError(`${ref.registry} requires credentials: ${hint}`);
      if (authorization === basic) return false;
      authorization = basic;
      return true;
    }
    if (c.scheme !== "bearer" || !c.params.realm) return false;
    let url: URL;
    try { url = new URL(c.params.realm); } catch { throw new RegistryError(`${ref.registry}: the token realm '${c.params.realm}' is not a URL`); }
    // Plain HTTP only to a plain registry's own host or to loopback, never across the network.
    const sameOrLoopback = url.host === new URL(base).host || isLoopback(url.host);
    if (url.protocol !== "https:" && !(plain && url.protocol === "http:" && sameOrLoopback)) throw new RegistryError(`${ref.registry}: refusing to send credentials to the token realm ${url.origin} over plain HTTP`);
    if (c.params.service) url.searchParams.set("service", c.params.service);
    url.searchParams.set("scope", `repository:${ref.repository}:pull,push`);
    // The realm is the registry's choice of token server: it gets the credentials (as docker does).
    const { res: t } = await send("GET", url, { headers: basic ? { authorization: basic } : {} });
    if (!t.ok) throw new RegistryError(`token request to ${url.origin}${url.pathname} failed: ${t.status} ${await errorText(t)}${t.status === 401 && !basic ? `: ${hint}` : ""}`);
    const body = await t.json().catch(() => ({})) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(`token request to ${url.origin}${url.pathname} returned no token`);
    const next = `Bearer ${token}`;
    if (next === authorization) return false;
    authorization = next;
    return true;
  }
  async function call(method: string, url: string, body?: Uint8Array, headers: Record<string, string> = {}): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const { res, at } = await send(method, url, { body, headers, auth: authorization });
      // Only the registry's own 401 (by origin, scheme included, after redirects) is answered.
      if (res.status !== 401 || at.origin !== registryOrigin) return res;
      await res.arrayBuffer().catch(() => {});
      if (attempt < 2 && await authorize(res)) continue;
      throw new RegistryError(`${ref.registry} refused ${basic ? "the credentials" : "the push without credentials"} (401 on ${method} ${new URL(url).pathname})${basic ? "" : `: ${hint}`}`);
    }
  }
  const ok2xx = async (res: Response, what: string) => {
    if (res.status < 200 || res.status > 299) throw new RegistryError(`${what}: ${res.status} ${await errorText(res)}`);
    await res.arrayBuffer().catch(() => {});
  };
  const repoUrl = `${base}/v2/${ref.repository}`;
  for (const [digest, bytes] of image.blobs) {
    const head = await call("HEAD", `${repoUrl}/blobs/${digest}`);
    if (head.status === 200) { log(`blob ${digest} already there`); continue; }
    if (head.status !== 404) throw new RegistryError(`checking for ${digest}: ${head.status} ${head.statusText}`);
    const start = await call("POST", `${repoUrl}/blobs/uploads/`);
    if (start.status !== 202) throw new RegistryError(`starting the upload of ${digest}: ${start.status} ${await errorText(start)}`);
    await start.arrayBuffer().catch(() => {});
    const location = start.headers.get("location");
    if (!location) throw new RegistryError(`starting the upload of ${digest}: the registry gave no Location`);
    const put = new URL(location, base + "/");
    put.searchParams.set("digest", digest);
    await ok2xx(await call("PUT", put.href, bytes, { "content-type": "application/octet-stream" }), `uploading ${digest}`);
    log(`blob ${digest} pushed (${bytes.length} bytes)`);
  }
  const res = await call("PUT", `${repoUrl}/manifests/${ref.tag}`, image.manifest, { "content-type": MEDIA.manifest });
  const reported = res.headers.get("docker-content-digest");
  await ok2xx(res, "pushing the manifest");
  const digest = reported ?? image.digest;
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
    if (k.replace(/^https?:\/\//, "").replace(/\/.*$/, "").toLowerCase() !== registry.toLowerCase()) continue;
    if (v.username !== undefined) return { username: v.username, password: v.password ?? "" };
    if (v.auth) {
      const s = Buffer.from(v.auth, "base64").toString("utf8");
      const i = s.indexOf(":");
      if (i > 0) return { username: s.slice(0, i), password: s.slice(i + 1) };
    }
  }
  return null;
}
