// An Envoy header map as the Wasm host sees it (research/envoy-host-abi.md §3.4, pitfall 14), after
// Envoy's HeaderMapImpl (source/common/http/header_map_impl.cc): lower-cased keys; pseudo-headers kept
// ahead of the rest (HeaderList::insert); duplicates as separate entries; "inline" headers (a fixed set
// Envoy stores in slots) join an added value onto the existing one with "," (insertByKey →
// appendToHeader, which adds nothing for an empty value) instead of adding an entry. Replace is
// setCopy = remove + addCopy: every duplicate goes and the new entry lands where an add would put it
// (the end, or the end of the pseudo-headers), inline or not.
import { utf8Length } from "../vm/utf8.ts";

export type HeaderKind = "request" | "response" | "request-trailers" | "response-trailers" | "other";

// envoy/http/header_map.h as of Envoy 1.33–1.36: INLINE_REQ_RESP_HEADERS, INLINE_REQ_HEADERS (plus
// referer, which source/extensions/filters/common/expr/context.cc registers and every Wasm-enabled build
// links), INLINE_RESP_HEADERS and INLINE_RESP_HEADERS_TRAILERS (registered for response headers too).
// Other extensions linked into a build may register more; cookie is inline only when the bootstrap's
// inline_headers asks for it (then it joins with "; "), which is not modelled.
const REQ_RESP_INLINE = ["connection", "content-length", "content-type", "keep-alive", "proxy-connection", "proxy-status",
  "x-request-id", "transfer-encoding", "upgrade", "via", "x-envoy-decorator-operation", "x-envoy-attempt-count"];
const REQUEST_INLINE = new Set([":authority", ":method", ":path", ":protocol", ":scheme", "x-client-trace-id",
  "x-envoy-downstream-service-cluster", "x-envoy-downstream-service-node", "x-envoy-expected-rq-timeout-ms",
  "x-envoy-external-address", "x-envoy-force-trace", "x-envoy-hedge-on-per-try-timeout", "x-envoy-internal",
  "x-envoy-ip-tags", "x-envoy-retry-on", "x-envoy-retry-grpc-on", "x-envoy-retriable-status-codes",
  "x-envoy-retriable-header-names", "x-envoy-original-path", "x-envoy-original-url", "x-envoy-upstream-alt-stat-name",
  "x-envoy-upstream-rq-timeout-alt-response", "expect", "x-forwarded-client-cert", "x-forwarded-for", "x-forwarded-host",
  "x-forwarded-proto", "grpc-timeout", "te", "user-agent", "referer", "x-envoy-max-retries",
  "x-envoy-upstream-rq-timeout-ms", "x-envoy-upstream-rq-per-try-timeout-ms", "x-envoy-upstream-stream-duration-ms",
  ...REQ_RESP_INLINE]);
const RESPONSE_TRAILERS_INLINE = ["grpc-status", "grpc-message"];
const RESPONSE_INLINE = new Set([":status", "date", "location", "server", "x-envoy-degraded", "x-envoy-immediate-health-check-fail",
  "x-envoy-ratelimited", "x-envoy-upstream-canary", "x-envoy-upstream-healthchecked-cluster", "x-envoy-upstream-service-time",
  ...REQ_RESP_INLINE, ...RESPONSE_TRAILERS_INLINE]);

const RESPONSE_TRAILERS_INLINE_SET = new Set(RESPONSE_TRAILERS_INLINE);

/** The headers Envoy keeps in inline slots for this kind of map (null: none). */
export function inlineSet(kind: HeaderKind): ReadonlySet<string> | null {
  switch (kind) {
    case "request": return REQUEST_INLINE;
    case "response": return RESPONSE_INLINE;
    case "response-trailers": return RESPONSE_TRAILERS_INLINE_SET;
    default: return null;
  }
}

// Envoy lower-cases header keys ASCII-only (LowerCaseString::lower: absl::ascii_tolower), leaving other
// characters (É, İ, the Kelvin sign) as they are. V8's toLowerCase returns the same string, without
// copying, when there is nothing to lower, faster than a JavaScript pre-check would; only a key it
// changes and that is not all ASCII takes the careful path.
const NON_ASCII = /[^\x00-\x7f]/;
/** A header name as Envoy keys it (ASCII letters lower-cased, nothing else changed). */
export const lowerName = (key: string) => {
  const l = key.toLowerCase();
  return l === key || !NON_ASCII.test(key) ? l : key.replace(/[A-Z]+/g, (u) => u.toLowerCase());
};
const lower = lowerName;
const isPseudo = (key: string) => key.charCodeAt(0) === 0x3a; // ":"

// Edits are made in place (no per-call copies of the entry list); `entries` is the live list.
export class HeaderMap {
  entries: [string, string][] = [];
  private readonly inline: ReadonlySet<string> | null;
  constructor(readonly kind: HeaderKind, init: Iterable<readonly [string, string]> = []) {
    this.inline = inlineSet(kind);
    for (const [k, v] of init) this.add(k, v);
  }

  private isInline(key: string): boolean { return this.inline !== null && this.inline.has(key); }
  private indexOf(key: string): number {
    const e = this.entries;
    for (let i = 0; i < e.length; i++) if (e[i][0] === key) return i;
    return -1;
  }

  get(key: string): string | undefined { return this.getLowered(lower(key)); }
  /** get, for a name already lowered by lowerName (the host calls' path). */
  getLowered(key: string): string | undefined {
    const i = this.indexOf(key);
    return i < 0 ? undefined : this.entries[i][1];
  }
  getAll(key: string): string[] {
    key = lower(key);
    const out: string[] = [];
    for (const [k, v] of this.entries) if (k === key) out.push(v);
    return out;
  }
  has(key: string): boolean { return this.indexOf(lower(key)) >= 0; }

  /** proxy_add_header_map_value: append, or join onto an existing inline header. */
  add(key: string, value: string): void { this.addLowered(lower(key), value); }
  /** add, for a name already lowered by lowerName. */
  addLowered(key: string, value: string): void {
    if (this.isInline(key)) {
      const i = this.indexOf(key);
      if (i >= 0) {
        const e = this.entries[i];
        if (value !== "") e[1] = e[1] === "" ? value : e[1] + "," + value;
        return;
      }
    }
    this.insert(key, value);
  }
  /** Insert a new entry: pseudo-headers go after the existing pseudo-headers, the rest at the end. */
  private insert(key: string, value: string): void {
    if (isPseudo(key)) {
      let i = 0;
      while (i < this.entries.length && isPseudo(this.entries[i][0])) i++;
      this.entries.splice(i, 0, [key, value]);
    } else this.entries.push([key, value]);
  }
  /** Drop every entry of `key` from index `from` on (in place); entries[from] is one. */
  private removeFrom(key: string, from: number): void {
    const e = this.entries;
    let w = from;
    for (let r = from + 1; r < e.length; r++) if (e[r][0] !== key) e[w++] = e[r];
    // pop, not `e.length = w`: V8 sets an array's length through the runtime (several times slower).
    while (e.length > w) e.pop();
  }
  /** proxy_replace_header_map_value (setCopy = remove + addCopy): one entry remains, placed as a new one. */
  set(key: string, value: string): void { this.setLowered(lower(key), value); }
  /** set, for a name already lowered by lowerName. */
  setLowered(key: string, value: string): void {
    const first = this.indexOf(key);
    if (first >= 0) this.removeFrom(key, first);
    this.insert(key, value);
  }
  /** Envoy's typed inline setters (setStatus, setContentLength, …): the value changes in place, else a new entry. */
  setInline(key: string, value: string): void {
    const i = this.indexOf(key);
    if (i >= 0) this.entries[i][1] = value; else this.insert(key, value);
  }
  remove(key: string): void { this.removeLowered(lower(key)); }
  /** remove, for a name already lowered by lowerName. */
  removeLowered(key: string): void {
    const first = this.indexOf(key);
    if (first >= 0) this.removeFrom(key, first);
  }
  /** proxy_set_header_map_pairs: every entry goes, pseudo-headers included. */
  replaceAll(pairs: Iterable<readonly [string, string]>): void {
    this.entries = [];
    for (const [k, v] of pairs) this.add(k, v);
  }
  /** proxy_get_header_map_size: Σ key + value bytes. */
  byteSize(): number {
    let n = 0;
    for (const [k, v] of this.entries) n += utf8Length(k) + utf8Length(v);
    return n;
  }
  get count(): number { return this.entries.length; }
  pairs(): [string, string][] { return this.entries.map(([k, v]) => [k, v]); }
  clone(kind: HeaderKind = this.kind): HeaderMap {
    const m = new HeaderMap(kind);
    m.entries = this.pairs();
    return m;
  }
  /** Duplicates joined with "," (the request.headers / response.headers property view). */
  joined(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [k, v] of this.entries) out.set(k, out.has(k) ? `${out.get(k)},${v}` : v);
    return out;
  }
}
