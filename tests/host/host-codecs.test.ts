// The host's hot-path codecs and the header map, checked against frozen reference copies of the plain
// implementations they replaced (kept below, unchanged), so the fast paths (ASCII loops, size-first
// serialisation, in-place header-map edits, cached memory views) cannot change a single observable byte:
// pairs serialisation of non-ASCII, lone surrogates and byte values; UTF-8 decoding of invalid input
// and a leading BOM; header-map order, inline joining, pseudo-header placement and non-ASCII keys.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { asciiPairsData, parsePairsBytes, releaseLengths, takeLengths, pairsSize, releaseScratch, serializeList, serializePairs, serializePairsScratch, writePairs } from "../../host/abi/pairs.ts";
import { decodeUtf8, encodeUtf8, utf8Length, writeUtf8 } from "../../host/vm/utf8.ts";
import { GuestMemory } from "../../host/vm/memory.ts";
import { HeaderMap, inlineSet, lowerName, type HeaderKind } from "../../host/envoy/header-map.ts";

const SEED = 0x0c0dec5;

// ---------------------------------------------------------------------------------------------
// Reference implementations (the pre-optimisation code, verbatim in behaviour).
const refEnc = new TextEncoder();
const refDec = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
function refSerializePairs(pairs: ReadonlyArray<readonly [string | Uint8Array, string | Uint8Array]>): Uint8Array {
  const bytes = (x: string | Uint8Array) => (typeof x === "string" ? refEnc.encode(x) : x);
  const enc = pairs.map(([k, v]) => [bytes(k), bytes(v)] as const);
  let size = 4;
  for (const [k, v] of enc) size += 8 + k.length + 1 + v.length + 1;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, pairs.length, true);
  let h = 4, p = 4 + pairs.length * 8;
  for (const [k, v] of enc) {
    dv.setUint32(h, k.length, true); dv.setUint32(h + 4, v.length, true); h += 8;
    out.set(k, p); p += k.length + 1;
    out.set(v, p); p += v.length + 1;
  }
  return out;
}

// The inline-header sets are Envoy's facts, not the algorithm under test: the reference reads the
// same ones (inlineSet), so a deliberate change to them needs no second copy here.

const asciiLower = (k: string) => k.replace(/[A-Z]/g, (c) => c.toLowerCase()); // Envoy's LowerCaseString

class RefHeaderMap {
  entries: [string, string][] = [];
  constructor(readonly kind: HeaderKind, init: Iterable<readonly [string, string]> = []) {
    for (const [k, v] of init) this.add(k, v);
  }
  private isInline(key: string): boolean { return inlineSet(this.kind)?.has(key) ?? false; }
  get(key: string): string | undefined { key = asciiLower(key); return this.entries.find(([k]) => k === key)?.[1]; }
  getAll(key: string): string[] { key = asciiLower(key); return this.entries.filter(([k]) => k === key).map(([, v]) => v); }
  has(key: string): boolean { return this.get(key) !== undefined; }
  add(key: string, value: string): void {
    key = asciiLower(key);
    if (this.isInline(key)) {
      const e = this.entries.find(([k]) => k === key);
      // Envoy's appendToHeader: nothing for an empty value, no delimiter after an empty one.
      if (e) { if (value !== "") e[1] = e[1] === "" ? value : e[1] + "," + value; return; }
    }
    this.insert(key, value);
  }
  private insert(key: string, value: string): void {
    if (key.startsWith(":")) {
      let i = 0;
      while (i < this.entries.length && this.entries[i][0].startsWith(":")) i++;
      this.entries.splice(i, 0, [key, value]);
    } else this.entries.push([key, value]);
  }
  set(key: string, value: string): void { // Envoy's setCopy: remove + addCopy, inline or not
    key = asciiLower(key);
    this.remove(key);
    this.insert(key, value);
  }
  remove(key: string): void { key = asciiLower(key); this.entries = this.entries.filter(([k]) => k !== key); }
  replaceAll(pairs: Iterable<readonly [string, string]>): void { this.entries = []; for (const [k, v] of pairs) this.add(k, v); }
  byteSize(): number { let n = 0; for (const [k, v] of this.entries) n += Buffer.byteLength(k) + Buffer.byteLength(v); return n; }
  get count(): number { return this.entries.length; }
  joined(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [k, v] of this.entries) out.set(k, out.has(k) ? `${out.get(k)},${v}` : v);
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Generators: strings that are mostly ASCII (the fast paths) with every kind of exception mixed in.
const SPECIAL = ["é", "ü", "\u00ff", "\u0080", "\u07ff", "\u0800", "\u2028", "\ufeff", "\ufffd", "\ud800", "\udfff",
  "\ud83d\ude00", "\ud83d", "\u0130", "\u212a", "ß", "Σ", "\x00", "\x7f", "\t", "A", "Z", ":", ","];
const unit = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)) },
  { weight: 2, arbitrary: fc.constantFrom(...SPECIAL) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) },
);
const str = (maxLength = 24) => fc.string({ unit, maxLength });
const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 80 }),
  fc.uint8Array({ min: 0, max: 0x7f, maxLength: 80 }),
  fc.constantFrom(Uint8Array.of(0xef, 0xbb, 0xbf, 0x41), Uint8Array.of(0xc3), Uint8Array.of(0xc3, 0xa9), Uint8Array.of(0xff, 0xfe),
    Uint8Array.of(0xed, 0xa0, 0x80), Uint8Array.of(0xf0, 0x9f, 0x98), new Uint8Array(65).fill(0x61), new Uint8Array(64).fill(0x61)),
);
const field = fc.oneof({ weight: 3, arbitrary: str() }, { weight: 1, arbitrary: bytes });

test("pairs: serialisation is byte-identical to the reference for ASCII, non-ASCII, lone surrogates and raw bytes", () => {
  fc.assert(fc.property(fc.array(fc.tuple(field, field), { maxLength: 20 }), (pairs) => {
    const want = refSerializePairs(pairs);
    assert.deepEqual(serializePairs(pairs), want);
    assert.equal(pairsSize(pairs), want.length);
    const into = new Uint8Array(want.length + 7).fill(0xaa);
    writePairs(pairs, into, 3);
    assert.deepEqual(into.subarray(3, 3 + want.length), want);
    assert.ok(into.subarray(0, 3).every((b) => b === 0xaa) && into.subarray(3 + want.length).every((b) => b === 0xaa));
    const s = serializePairsScratch(pairs);
    assert.equal(s.size, want.length);
    assert.deepEqual(new Uint8Array(s.buf.subarray(0, s.size)), want);
    releaseScratch(s.buf);
    const back = parsePairsBytes(want);
    assert.ok(back);
    assert.equal(back.length, pairs.length);
  }), { seed: SEED, numRuns: 1500 });
});

test("pairs: the ASCII data string and field lengths (with the count, the header) are the reference bytes, and null for anything else", () => {
  fc.assert(fc.property(fc.array(fc.tuple(field, field), { maxLength: 20 }), (pairs) => {
    const lens = takeLengths(2 * pairs.length);
    const data = asciiPairsData(pairs, lens);
    const ascii = pairs.every(([k, v]) => typeof k === "string" && typeof v === "string" && /^[\x00-\x7f]*$/.test(k + v));
    assert.equal(data !== null, ascii);
    if (data === null) { releaseLengths(lens); return; }
    const n = pairs.length, headSize = 4 + 8 * n;
    const got = new Uint8Array(headSize + data.length);
    const dv = new DataView(got.buffer);
    dv.setUint32(0, n, true);
    for (let i = 0; i < 2 * n; i++) dv.setUint32(4 + 4 * i, lens[i], true);
    for (let i = 0; i < data.length; i++) got[headSize + i] = data.charCodeAt(i);
    releaseLengths(lens);
    assert.deepEqual(got, refSerializePairs(pairs));
  }), { seed: SEED, numRuns: 1500 });
});

test("pairs: a lengths array still in use (re-entrant host call) is not handed out again", () => {
  const a = takeLengths(4);
  const b = takeLengths(4);
  assert.notEqual(a, b);
  releaseLengths(b);
  releaseLengths(a);
  assert.ok(takeLengths(5000).length >= 5000);
});

test("pairs: a scratch buffer still in use (re-entrant host call) is not handed out again", () => {
  const a = serializePairsScratch([["k", "v"]]);
  const b = serializePairsScratch([["x", "yy"]]);
  assert.notEqual(a.buf, b.buf);
  assert.deepEqual(new Uint8Array(a.buf.subarray(0, a.size)), refSerializePairs([["k", "v"]]));
  releaseScratch(b.buf);
  releaseScratch(a.buf);
  const big = [["k", "v".repeat(70000)]] as [string, string][];
  const c = serializePairsScratch(big);
  assert.deepEqual(new Uint8Array(c.buf.subarray(0, c.size)), refSerializePairs(big));
  releaseScratch(c.buf);
});

test("pairs: lists and empty maps", () => {
  assert.deepEqual(serializePairs([]), Uint8Array.of(0, 0, 0, 0));
  assert.equal(pairsSize([]), 4);
  fc.assert(fc.property(fc.array(field, { maxLength: 10 }), (items) => {
    assert.deepEqual(serializeList(items), refSerializePairs(items.map((i) => [i, ""] as const)));
  }), { seed: SEED, numRuns: 300 });
});

test("utf8: decode matches a non-fatal, BOM-keeping TextDecoder on any bytes; encode matches TextEncoder", () => {
  fc.assert(fc.property(bytes, (b) => { assert.equal(decodeUtf8(b), refDec.decode(b)); }), { seed: SEED, numRuns: 2000 });
  fc.assert(fc.property(str(90), (s) => {
    const want = refEnc.encode(s);
    assert.deepEqual(encodeUtf8(s), want);
    assert.equal(utf8Length(s), want.length);
    const out = new Uint8Array(want.length + 2);
    assert.equal(writeUtf8(s, out, 1), want.length);
    assert.deepEqual(out.subarray(1, 1 + want.length), want);
  }), { seed: SEED, numRuns: 2000 });
});

test("guest memory: reads and writes see the memory after it grows, bounds are 32-bit", () => {
  const mem = new WebAssembly.Memory({ initial: 1, maximum: 4 });
  const g = new GuestMemory(() => mem);
  assert.ok(g.write(10, encodeUtf8("héllo")));
  assert.equal(g.readString(10, 6), "héllo");
  assert.equal(g.readString(10, 1), "h");
  assert.equal(g.readString(65536 - 2, 3), null);
  assert.equal(g.read(0xffffffff, 2), null);
  assert.equal(g.readString(-1, 2), null);
  assert.equal(g.writeU32(65536 - 3, 1), false);
  mem.grow(1); // detaches the buffer the cached views were made over
  assert.equal(g.readString(10, 6), "héllo");
  assert.ok(g.writeU32(65536 + 100, 0xdeadbeef));
  assert.equal(g.readU32(65536 + 100), 0xdeadbeef);
  assert.ok(g.write(65536 * 2 - 2, Uint8Array.of(0x41, 0x42)));
  assert.equal(g.readString(65536 * 2 - 2, 2), "AB");
  assert.ok(g.writeU64(8, -1n));
  assert.deepEqual(g.read(8, 8), new Uint8Array(8).fill(0xff));
  assert.equal(g.readString(65536 * 2 - 1, 2), null);
  assert.equal(g.size, 65536 * 2);
  fc.assert(fc.property(bytes, fc.integer({ min: 0, max: 1000 }), (b, at) => {
    assert.ok(g.write(at, b));
    assert.equal(g.readString(at, b.length), refDec.decode(b));
    assert.deepEqual(g.read(at, b.length), b);
  }), { seed: SEED, numRuns: 500 });
});

test("guest memory: short strings read again come back right, however their cache slots collide", () => {
  // Strings of one length sharing first, middle and last bytes land in the same slot of readString's
  // cache of recent strings; each read must still be exactly the bytes (ASCII or not) now in memory.
  const mem = new WebAssembly.Memory({ initial: 1 });
  const g = new GuestMemory(() => mem);
  const pool = ["x-gateway", "x-gatewaz", "x-gXteway", "x-gatewby", "x-g\u00e9tway", "X-GATEWAY", "", "a", "b", "ab", "abc".repeat(8), "abc".repeat(8).replace("b", "\u0000")];
  fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom(...pool), fc.integer({ min: 0, max: 3 })), { maxLength: 40 }), (ops) => {
    for (const [s, slot] of ops) {
      const b = encodeUtf8(s);
      assert.ok(g.write(100 + slot * 64, b));
      assert.equal(g.readString(100 + slot * 64, b.length), s);
    }
  }), { seed: SEED, numRuns: 300 });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 30 }), fc.uint8Array({ maxLength: 30 }), (a, b) => {
    for (const x of [a, b, a, b]) {
      assert.ok(g.write(7, x));
      assert.equal(g.readString(7, x.length), refDec.decode(x));
    }
  }), { seed: SEED, numRuns: 1000 });
});

test("guest memory: a cached short string is returned only for exactly its bytes (any byte changed, any length, at the end of memory)", () => {
  // readString's cache compares guest bytes with a cached string's bytes four at a time, then the
  // rest one by one: a change in any position (full word or tail) must miss, also for a string that
  // ends exactly at the end of linear memory (no read past it).
  const mem = new WebAssembly.Memory({ initial: 1 });
  const g = new GuestMemory(() => mem);
  const ascii = fc.string({ minLength: 1, maxLength: 24 }).map((x) => x.replace(/[^\x00-\x7f]/g, "a"));
  fc.assert(fc.property(ascii, fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (s, pos, delta, atEnd) => {
    const b = encodeUtf8(s);
    const at = atEnd ? 65536 - b.length : 200;
    assert.ok(g.write(at, b));
    assert.equal(g.readString(at, b.length), s);
    assert.equal(g.readString(at, b.length), s);
    const c = b.slice();
    const i = pos % c.length;
    c[i] = (c[i] + delta) & 0xff;
    assert.ok(g.write(at, c));
    assert.equal(g.readString(at, c.length), refDec.decode(c));
    assert.ok(g.write(at, b));
    assert.equal(g.readString(at, b.length), s);
  }), { seed: SEED, numRuns: 3000 });
});

test("guest memory: readName is readString then the header-name lower-casing, however the cache is hit", () => {
  const mem = new WebAssembly.Memory({ initial: 1 });
  const g = new GuestMemory(() => mem);
  const pool = ["x-gateway", "X-Gateway", "X-GATEWAY", "x-gatewaz", "Content-Type", "content-type", "\u00c9tag", "VIA", "via", "", "A", "a", "ABC".repeat(8), "abc".repeat(8), "abc".repeat(9)];
  const name = fc.oneof(fc.constantFrom(...pool), fc.string({ maxLength: 30 }));
  fc.assert(fc.property(fc.array(fc.tuple(name, fc.integer({ min: 0, max: 3 }), fc.boolean()), { maxLength: 40 }), (ops) => {
    for (const [s, slot, asName] of ops) {
      const b = encodeUtf8(s);
      const at = 100 + slot * 128;
      assert.ok(g.write(at, b));
      if (asName) assert.equal(g.readName(at, b.length, lowerName), lowerName(refDec.decode(b)));
      else assert.equal(g.readString(at, b.length), refDec.decode(b));
    }
  }), { seed: SEED, numRuns: 500 });
  assert.equal(g.readName(65536 - 1, 2, lowerName), null);
});

// Header-map operations on a small pool of names (inline ones, pseudo-headers, cookie, mixed case,
// non-ASCII names whose lower-casing changes their length), compared after every step.
const NAMES = [":authority", ":path", ":method", ":status", ":x", "cookie", "Cookie", "user-agent", "User-Agent", "via",
  "x-forwarded-for", "content-type", "Content-Type", "server", "date", "grpc-status", "grpc-message", "x-a", "X-A", "x-b",
  "accept", "ÉTAG", "étag", "\u0130d", "i\u0307d", "\u212aey", "key", "ß", "SS", ""];
const name = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...NAMES) }, { weight: 1, arbitrary: str(6) });
const val = fc.oneof(fc.constantFrom("", "a", "b,c", "v é"), str(8));
const op = fc.oneof(
  fc.tuple(fc.constant("add" as const), name, val),
  fc.tuple(fc.constant("set" as const), name, val),
  fc.tuple(fc.constant("remove" as const), name, fc.constant("")),
  fc.tuple(fc.constant("replaceAll" as const), fc.array(fc.tuple(name, val), { maxLength: 6 }), fc.constant("")),
);
const KINDS: HeaderKind[] = ["request", "response", "request-trailers", "response-trailers", "other"];

test("header map: every operation leaves the same entries, in the same order, as the reference", () => {
  fc.assert(fc.property(fc.constantFrom(...KINDS), fc.array(fc.tuple(name, val), { maxLength: 8 }), fc.array(op, { maxLength: 25 }),
    (kind, init, ops) => {
      const a = new HeaderMap(kind, init), b = new RefHeaderMap(kind, init);
      assert.deepEqual(a.entries, b.entries);
      for (const [o, x, y] of ops) {
        if (o === "replaceAll") { a.replaceAll(x as [string, string][]); b.replaceAll(x as [string, string][]); }
        else if (o === "remove") { a.remove(x as string); b.remove(x as string); }
        else { a[o](x as string, y); b[o](x as string, y); }
        assert.deepEqual(a.entries, b.entries, `after ${o} ${JSON.stringify(x)}`);
        assert.equal(a.count, b.count);
        for (const n of NAMES) {
          assert.equal(a.get(n), b.get(n));
          assert.equal(a.has(n), b.has(n));
          assert.deepEqual(a.getAll(n), b.getAll(n));
        }
      }
      assert.equal(a.byteSize(), b.byteSize());
      assert.deepEqual(a.joined(), b.joined());
      assert.deepEqual(a.pairs(), b.entries);
      assert.deepEqual(a.clone().entries, b.entries);
    }), { seed: SEED, numRuns: 1500 });
});
