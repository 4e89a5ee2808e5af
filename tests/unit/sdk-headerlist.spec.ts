// HeaderList (assembly/sdk/headerList.ts): a pairs blob read once and looked up in place, with
// writes kept in step and snapshots that keep seeing the headers as they were.
import { HeaderList } from "../../assembly/sdk/headerList";
import { HeaderPair, serializePairs } from "../../assembly/sdk/pairs";

function listOf(pairs: HeaderPair[]): HeaderList {
  const b = serializePairs(pairs);
  return HeaderList.fromBlob(changetype<usize>(b), <usize>b.byteLength);
}

function bytes(a: u8[]): ArrayBuffer {
  const b = new ArrayBuffer(a.length);
  for (let i = 0; i < a.length; i++) store<u8>(changetype<usize>(b) + i, a[i]);
  return b;
}

function sample(): HeaderList {
  return listOf([
    new HeaderPair(":path", "/a?b=1"), new HeaderPair("x-internal-a", "1"), new HeaderPair("accept", "*/*"),
    new HeaderPair("x-internal-b", "2"), new HeaderPair("x-a", "first"), new HeaderPair("x-a", "second"),
  ]);
}

describe("HeaderList: reading", () => {
  it("finds first and all values by name, in order, without touching other entries", () => {
    const l = sample();
    expect(l.length).toBe(6);
    expect(l.first(":path")).toBe("/a?b=1");
    expect(l.first("x-a")).toBe("first");
    expect(l.all("x-a").join("|")).toBe("first|second");
    expect(l.first("x-b")).toBeNull();
    expect(l.has("accept")).toBe(true);
    expect(l.has("Accept")).toBe(false); // names are compared as given (Envoy's are lower case)
  });
  it("decodes values and names as UTF-8 only when asked, and never equates a non-ASCII byte with a unit", () => {
    const l = listOf([new HeaderPair("x-u", "caf\u00e9 \u{1F600}")]);
    expect(l.first("x-u")).toBe("caf\u00e9 \u{1F600}");
    expect(l.nameAt(0)).toBe("x-u");
    // name "\xe9" as one raw byte (invalid UTF-8): not the one-unit name "é"
    const raw = bytes([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0xe9, 0, 0x41, 0]);
    const r = HeaderList.fromBlob(changetype<usize>(raw), <usize>raw.byteLength);
    expect(r.length).toBe(1);
    expect(r.has("\u00e9")).toBe(false);
    expect(r.nameAt(0)).toBe("\ufffd");
  });
  it("tests a name prefix on the bytes", () => {
    const l = sample();
    expect(l.nameStartsWith(1, "x-internal-")).toBe(true);
    expect(l.nameStartsWith(2, "x-internal-")).toBe(false);
    expect(l.nameStartsWith(4, "x-a-longer-than-the-name")).toBe(false);
  });
  it("stops at a malformed tail and never reads past the blob", () => {
    // count 2, but the second pair's lengths run past the end
    const b = bytes([2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 9, 0, 0, 0, 0x61, 0, 0x62, 0]);
    const l = HeaderList.fromBlob(changetype<usize>(b), <usize>b.byteLength);
    expect(l.length).toBe(1);
    expect(l.first("a")).toBe("b");
    // a count larger than the blob can hold reads nothing
    const c = bytes([200, 0, 0, 0, 1, 0, 0, 0]);
    expect(HeaderList.fromBlob(changetype<usize>(c), <usize>c.byteLength).length).toBe(0);
    expect(HeaderList.fromBlob(0, 0).length).toBe(0);
    // the very last NUL may be missing
    const d = bytes([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0x61, 0, 0x62]);
    expect(HeaderList.fromBlob(changetype<usize>(d), <usize>d.byteLength).first("a")).toBe("b");
  });
});

describe("HeaderList: writes and snapshots", () => {
  it("remove, set and add change what lookups see", () => {
    const l = sample();
    l.remove("x-a");
    expect(l.first("x-a")).toBeNull();
    l.set("accept", "text/html");
    expect(l.all("accept").join("|")).toBe("text/html");
    l.add("accept", "application/json");
    expect(l.all("accept").join("|")).toBe("text/html|application/json");
    l.set("x-new", "v");
    expect(l.first("x-new")).toBe("v");
    l.remove("x-new");
    expect(l.has("x-new")).toBe(false);
  });
  it("a snapshot keeps seeing the headers as they were when it was taken", () => {
    const l = sample();
    l.remove("x-internal-a");
    const snap = l.snapshot();
    l.remove("x-a");
    l.set("accept", "changed");
    l.add("x-late", "1");
    expect(snap.first("x-internal-a")).toBeNull(); // removed before the snapshot
    expect(snap.all("x-a").join("|")).toBe("first|second");
    expect(snap.first("accept")).toBe("*/*");
    expect(snap.first("x-late")).toBeNull();
    expect(l.first("accept")).toBe("changed");
  });
  it("a snapshot with added entries keeps its view while the list grows its block and added strings", () => {
    const l = sample();
    l.add("x-b", "one");
    l.set("x-a", "third");
    const snap = l.snapshot();
    for (let i = 0; i < 40; i++) l.add("x-b", "more" + i.toString()); // new block, new added array
    l.remove("x-b");
    l.set("x-a", "fourth");
    l.remove(":path");
    expect(snap.all("x-b").join("|")).toBe("one");
    expect(snap.all("x-a").join("|")).toBe("third");
    expect(snap.first(":path")).toBe("/a?b=1");
    const again = l.snapshot();
    expect(again.first("x-b")).toBeNull();
    expect(again.all("x-a").join("|")).toBe("fourth");
    expect(again.first(":path")).toBeNull();
    expect(snap.first("accept")).toBe("*/*");
  });
  it("treats an index outside [0, length) as no entry (the entry table past length is not initialised)", () => {
    const l = sample();
    l.add("x-n", "v");
    // indexes inside the table's capacity but past length, and negative ones
    for (let i = l.length; i < l.length + 8; i++) {
      expect(l.isLive(i, l.now)).toBe(false);
      expect(l.isNamed(i, "")).toBe(false);
      expect(l.nameStartsWith(i, "")).toBe(false);
      expect(l.nameAt(i)).toBe("");
      expect(l.valueAt(i)).toBe("");
    }
    expect(l.isLive(-1, l.now)).toBe(false);
    expect(l.nameAt(-1)).toBe("");
    expect(l.valueAt(-2)).toBe("");
  });
  it("grows past its initial capacity", () => {
    const l = HeaderList.fromPairs([new HeaderPair("a", "0")]);
    for (let i = 1; i < 40; i++) l.add("a", i.toString());
    const all = l.all("a");
    expect(all.length).toBe(40);
    expect(all[39]).toBe("39");
    expect(l.first("a")).toBe("0");
  });
  it("keeps added names and values in step past the growth of the added strings", () => {
    const l = sample();
    for (let i = 0; i < 12; i++) l.add("x-n" + i.toString(), "v" + i.toString());
    l.set("x-n3", "w");
    expect(l.length).toBe(6 + 13);
    expect(l.nameAt(6)).toBe("x-n0");
    expect(l.nameAt(17)).toBe("x-n11");
    expect(l.nameStartsWith(17, "x-n1")).toBe(true);
    expect(l.nameStartsWith(15, "x-n1")).toBe(false); // x-n9
    expect(l.valueAt(17)).toBe("v11");
    expect(l.first("x-n3")).toBe("w");
    expect(l.all("x-n3").length).toBe(1);
    expect(l.first("x-n9")).toBe("v9");
    expect(l.first("x-a")).toBe("first");
    // the entries moved to a bigger block with the host's bytes: names and values read from them still
    expect(l.first(":path")).toBe("/a?b=1");
    expect(l.nameAt(1)).toBe("x-internal-a");
    expect(l.nameStartsWith(3, "x-internal-")).toBe(true);
    expect(l.all("x-a").join("|")).toBe("first|second");
    // an added name is matched whole by lookups, as a prefix by nameStartsWith
    l.remove("x-n1");
    expect(l.first("x-n1")).toBeNull();
    expect(l.first("x-n10")).toBe("v10");
    expect(l.has("x-n")).toBe(false);
    expect(l.nameStartsWith(16, "x-n")).toBe(true);
  });
  it("finds names whole or by prefix, skipping other names by length and first byte", () => {
    const l = listOf([
      new HeaderPair("accept-encoding", "gzip"), new HeaderPair("accept-language", "en"), new HeaderPair("", "empty"),
      new HeaderPair("x-a", "1"), new HeaderPair("x-ab", "2"), new HeaderPair("y-a", "3"),
    ]);
    const at = l.now;
    expect(l.first("accept-language")).toBe("en"); // same length and first byte as accept-encoding
    expect(l.first("")).toBe("empty");
    expect(l.find("x-a", 0, at)).toBe(3);
    expect(l.find("x-a", 4, at)).toBe(-1);
    expect(l.find("x-a", 0, at, false)).toBe(3);
    expect(l.find("x-a", 4, at, false)).toBe(4);
    expect(l.find("x-a", 5, at, false)).toBe(-1);
    expect(l.find("", 0, at, false)).toBe(0); // every name starts with ""
    expect(l.find("", 3, at, false)).toBe(3);
    expect(l.find("z", 0, at, false)).toBe(-1);
    expect(l.has("x")).toBe(false);
    expect(l.has("x-abc")).toBe(false);
    // names added later are found whole and by prefix; snapshots taken before do not see them
    const snap = l.snapshot();
    l.add("z-new", "4");
    l.add("", "e2");
    expect(l.first("z-new")).toBe("4");
    expect(l.find("z-", 0, l.now, false)).toBe(6);
    expect(l.all("").join("|")).toBe("empty|e2");
    expect(snap.first("z-new")).toBeNull();
    expect(snap.all("").join("|")).toBe("empty");
    // a non-ASCII name is never equal to the bytes of a blob name, but is to an added one
    l.add("\u0178-x", "5"); // (an added name is compared as a string)
    expect(l.find("\u0178", 0, l.now, false)).toBe(8);
    expect(l.first("\u0178-x")).toBe("5");
    expect(l.find("x-", 0, l.now, false)).toBe(3);
    expect(l.find("x-", 5, l.now, false)).toBe(-1);
  });
  it("removing an absent name starts no new epoch", () => {
    const l = sample();
    const before = l.now;
    l.remove("absent");
    expect(l.now).toBe(before);
  });
});
