// A header map read once from the host and then looked up without allocating: the pairs blob is
// kept as bytes, names are compared byte for byte (Envoy's names are lower-case ASCII), and a
// value is decoded to a string only when it is asked for. Entries the filter adds later are kept
// beside the blob as strings (name and value side by side in one array: no object per entry).
//
// Every entry has a lifetime [born, died) in write epochs: each change advances the epoch, so a
// snapshot taken at epoch e (a RequestView that must see the request as it arrived) keeps seeing
// exactly the entries alive at e while later writes go on — no copy is made.
import { HeaderPair, HeaderSource } from "../lib/headerPair";
import { decodeUtf8 } from "./utf8";
import { zeroed } from "../lib/emptyArray";
import { emptyArray } from "../lib/emptyArray";

/** Words per entry: name offset, name length (-1: an added entry, offset = its name's index in `added`), value offset, value length, born, died. */
// @ts-ignore: decorator
@inline const W = 6;
const ALIVE: i32 = i32.MAX_VALUE;
/** Upper bound on the pairs read from one blob (Envoy caps its own input at 1024). */
const MAX_PAIRS: u32 = 1 << 16;

export class HeaderList extends HeaderSource {
  /** One block: the host's bytes, then (from `off`, 4-byte aligned) the entries, W words each, */
  private buf: ArrayBuffer;
  private off: i32;
  /** … which start here (an address in `buf`, which holds the block: the collector never moves it). */
  private e: usize;
  private n: i32 = 0;
  /** Names and values of the entries added by the filter, name then value (created by the first;
   *  entries with name length -1 index it); `nAdded` strings are used. */
  private added: StaticArray<string> | null = null;
  private nAdded: i32 = 0;
  private epoch: i32 = 0;
  /** The current write epoch (snapshots keep the one they were taken at). */
  get now(): i32 { return this.epoch; }

  /** A list over a copy of the `len` bytes at `ptr`, with room for `capacity` entries (none yet).
   *  (Made by hand, not by a constructor: the fields are zeroed in one fill, not one store each, and
   *  HeaderSource has nothing to initialise.) */
  private constructor() { super(); } // (never called: lists are made by make, below)

  private static make(ptr: usize, len: usize, capacity: i32): HeaderList {
    const l = changetype<HeaderList>(zeroed(<i32>offsetof<HeaderList>() >> 2, idof<HeaderList>())); // n, added, nAdded, epoch: 0, null
    const off = (<i32>len + 3) & ~3;
    // (not zeroed: nothing reads the padding, or an entry's words before they are written; the block
    // is made after the list and stored at once, so no runtime can collect it in between)
    const buf = __new(<usize>off + (<usize>capacity * W << 2), idof<ArrayBuffer>());
    memory.copy(buf, ptr, len);
    l.buf = changetype<ArrayBuffer>(buf);
    l.off = off;
    l.e = buf + <usize>off;
    return l;
  }

  /**
   * Reads a pairs blob as the host serialises it (u32 count; count × (u32 key length, u32 value
   * length); key, NUL, value, NUL each). Never traps: a blob too short for its count, or a pair
   * running past the end, ends the list there; a missing final NUL is tolerated.
   */
  static fromBlob(ptr: usize, len: usize): HeaderList {
    let count: u32 = len >= 4 ? load<u32>(ptr) : 0;
    if (count > MAX_PAIRS || <usize>count * 8 + 4 > len) count = 0;
    const l = HeaderList.make(ptr, len, <i32>count + 4);
    // (u32 arithmetic that cannot wrap: data <= len always, and a pair fits when kl + vl < len - data)
    let data = <usize>count * 8 + 4;
    let at = l.e, lens = ptr;
    let i: u32 = 0;
    for (; i < count; i++, at += W << 2, lens += 8) {
      const kl = <usize>load<u32>(lens, 4);
      const vl = <usize>load<u32>(lens, 8);
      const rem = len - data;
      // key, NUL, value, NUL: the final NUL may be missing
      if (kl >= rem || vl >= rem - kl) break;
      store<i32>(at, <i32>data);
      store<i32>(at, <i32>kl, 4);
      store<i32>(at, <i32>(data + kl + 1), 8);
      store<i32>(at, <i32>vl, 12);
      store<i32>(at, 0, 16);
      store<i32>(at, ALIVE, 20);
      data = min(data + kl + vl + 2, len);
    }
    l.n = <i32>i;
    return l;
  }

  /** A list holding `pairs` (names as given). */
  static fromPairs(pairs: HeaderPair[]): HeaderList {
    const l = HeaderList.make(0, 0, pairs.length + 4);
    for (let i = 0, n = pairs.length; i < n; i++) { const p = unchecked(pairs[i]); l.append(p.name, p.value, 0); }
    return l;
  }

  /** Entries ever held, removed ones included (test each with isLive). */
  get length(): i32 { return this.n; }
  /** Address of entry i's words, read with constant offsets: 0 name offset, 4 name length, 8 value
   *  offset, 12 value length, 16 born, 20 died (one address computation per entry, not per word). */
  @inline private entry(i: i32): usize { return this.e + <usize>i * (W << 2); }

  // Entry words past `length` are not initialised (the block is not zeroed), so the public accessors
  // check the index: one outside [0, length) is never live, never named, and has an empty name and value.
  @inline private inRange(i: i32): bool { return <u32>i < <u32>this.n; }

  /** Whether entry i is present at epoch `at`. */
  @inline isLive(i: i32, at: i32): bool {
    const p = this.entry(i);
    return this.inRange(i) && load<i32>(p, 16) <= at && at < load<i32>(p, 20);
  }

  /** Whether entry i is named `name` (lower-case ASCII). */
  isNamed(i: i32, name: string): bool { return this.nameHas(i, name, true); }

  /** Whether entry i's name starts with `prefix` (ASCII), without decoding it. */
  nameStartsWith(i: i32, prefix: string): bool { return this.nameHas(i, prefix, false); }

  /** Whether entry i's name starts with `s` (compared on the bytes; never equal to a non-ASCII
   *  unit) and, when `whole`, is no longer. */
  private nameHas(i: i32, s: string, whole: bool): bool {
    if (!this.inRange(i)) return false;
    const e = this.entry(i);
    const len = load<i32>(e, 4), m = s.length;
    if (len < 0) { const a = this.addedAt(load<i32>(e)); return (!whole || a.length == m) && a.startsWith(s); }
    if (m > len || whole && m != len) return false;
    const p = changetype<usize>(this.buf) + <usize>load<i32>(e), q = changetype<usize>(s);
    for (let k = 0; k < m; k++) {
      const c = <u32>load<u16>(q + (<usize>k << 1));
      if (c >= 0x80 || c != <u32>load<u8>(p + <usize>k)) return false;
    }
    return true;
  }

  /** String k of `added` (an entry with name length -1 exists only once `added` holds its strings). */
  @inline private addedAt(k: i32): string { return unchecked(changetype<StaticArray<string>>(this.added)[k]); }

  nameAt(i: i32): string { return this.textAt(i, 0); }
  valueAt(i: i32): string { return this.textAt(i, 8); }

  /** Entry i's name (`w` 0) or value (`w` 8): its offset and length are words w and w + 4. */
  private textAt(i: i32, w: usize): string {
    if (!this.inRange(i)) return "";
    const e = this.entry(i);
    if (load<i32>(e, 4) < 0) return this.addedAt(load<i32>(e) + <i32>(w != 0));
    return decodeUtf8(changetype<usize>(this.buf) + <usize>load<i32>(e + w), <usize>load<i32>(e + w, 4));
  }

  /**
   * The first entry at or after `from` that is live at epoch `at` and named `name` (`whole`) or
   * named with the prefix `name`, or -1. The length and the first byte are compared first, so most
   * entries cost no call and no liveness test (an added entry's name, a string, is left to nameHas).
   */
  find(name: string, from: i32, at: i32, whole: bool = true): i32 {
    const m = name.length;
    const c = m != 0 ? <u32>load<u16>(changetype<usize>(name)) : 0; // (never a blob name's first byte when not ASCII)
    const b = changetype<usize>(this.buf), e = this.e;
    for (let i = from; <u32>i < <u32>this.n; i++) {
      const p = e + <usize>i * (W << 2);
      const len = load<i32>(p, 4);
      if ((len < 0 || (whole ? len == m : len >= m) && (m == 0 || <u32>load<u8>(b + <usize>load<i32>(p)) == c))
        && load<i32>(p, 16) <= at && at < load<i32>(p, 20) && this.nameHas(i, name, whole)) return i;
    }
    return -1;
  }

  /** First value of `name` at epoch `at`, or null. */
  firstAt(name: string, at: i32): string | null {
    const i = this.find(name, 0, at);
    return i >= 0 ? this.valueAt(i) : null;
  }

  /** Every value of `name` at epoch `at`, in order. */
  allAt(name: string, at: i32): string[] {
    const out = emptyArray<string[]>();
    for (let i = this.find(name, 0, at); i >= 0; i = this.find(name, i + 1, at)) out.push(this.valueAt(i));
    return out;
  }

  first(name: string): string | null { return this.firstAt(name, this.epoch); }
  all(name: string): string[] { return this.allAt(name, this.epoch); }
  has(name: string): bool { return this.find(name, 0, this.epoch) >= 0; }

  /** Ends every entry of `name` live now at epoch `next` (not started here); whether there was one. */
  private end(name: string, next: i32): bool {
    const at = this.epoch;
    let i = this.find(name, 0, at);
    const hit = i >= 0;
    for (; i >= 0; i = this.find(name, i + 1, at)) store<i32>(this.entry(i), next, 20);
    return hit;
  }

  /** Removes every entry of `name` (a new epoch when there was one); whether there was one. */
  remove(name: string): bool {
    const next = this.epoch + 1;
    const hit = this.end(name, next);
    if (hit) this.epoch = next;
    return hit;
  }

  /** Adds an entry at the end (a new epoch). */
  add(name: string, value: string): void { this.put(name, value, false); }

  /** Replaces every entry of `name` with one at the end (one new epoch). */
  set(name: string, value: string): void { this.put(name, value, true); }

  /** set (`replace`) or add. */
  put(name: string, value: string, replace: bool): void {
    const next = this.epoch + 1;
    if (replace) this.end(name, next);
    this.append(name, value, next);
    this.epoch = next;
  }

  /**
   * The headers as they are now, unaffected by later changes: a copy of this list's fields (the
   * block, the added strings, the count and the epoch), no entry copied. Later changes never touch
   * what the copy sees: they only end entries at a later epoch, add entries past its count (or in a
   * new block or array, the copy keeping the old one), and advance this list's epoch, not the copy's.
   */
  snapshot(): HeaderSource {
    const s = __new(offsetof<HeaderList>(), idof<HeaderList>());
    memory.copy(s, changetype<usize>(this), offsetof<HeaderList>());
    return changetype<HeaderList>(s);
  }

  private append(name: string, value: string, born: i32): void {
    let a = this.added;
    const k = this.nAdded;
    if (a === null || k == a.length) { // (grown by hand: a StaticArray is one allocation, an Array two)
      // (the references are copied without __link: the minimal runtime's does nothing, and it
      // collects only between callbacks, marking from the roots)
      const g = zeroed(k < 8 ? 8 : k << 1, idof<StaticArray<string>>());
      memory.copy(g, changetype<usize>(a), <usize>k << 2);
      a = changetype<StaticArray<string>>(g);
      this.added = a;
    }
    unchecked(a[k] = name);
    unchecked(a[k + 1] = value);
    this.nAdded = k + 2;
    const i = this.n;
    const buf = this.buf, off = this.off, size = buf.byteLength;
    if (off + ((i + 1) * W << 2) > size) { // twice the entries: a new block, the bytes copied with them
      const g = __new(<usize>(size * 2 - off), idof<ArrayBuffer>());
      memory.copy(g, changetype<usize>(buf), <usize>(off + (i * W << 2)));
      this.buf = changetype<ArrayBuffer>(g);
      this.e = g + <usize>off;
    }
    const e = this.entry(i);
    store<i32>(e, k);
    store<i32>(e, -1, 4);
    store<i32>(e, born, 16);
    store<i32>(e, ALIVE, 20);
    this.n = i + 1;
  }
}
