// Header values on the wire and in the host. Node's HTTP layer hands over and takes header values as
// latin1 strings — one character per byte — while the host's header maps hold text (what a filter
// reads and writes as UTF-8 through the ABI). Envoy passes header bytes through untouched, so a value
// crosses `wasmgate serve`'s edges as its UTF-8 bytes: a client's "café" (63 61 66 c3 a9) reaches the
// filter as "café", and a filter's "café" leaves as the same five bytes, never as latin1's e9 (which
// is also how a character above U+00FF would otherwise make Node refuse the whole response).
// The one loss: bytes that are not UTF-8 reach the filter as U+FFFD, where Envoy hands them over as
// they are (filters/headers/README.md, "Safety").
const NON_ASCII = /[^\x00-\x7f]/;

/** A header value as Node read it off the wire (latin1) → the text it encodes as UTF-8. */
export function fromWire(v: string): string {
  return NON_ASCII.test(v) ? Buffer.from(v, "latin1").toString("utf8") : v;
}

/** A header value of the host → what Node should put on the wire (its UTF-8 bytes, as latin1). */
export function toWire(v: string): string {
  return NON_ASCII.test(v) ? Buffer.from(v, "utf8").toString("latin1") : v;
}
