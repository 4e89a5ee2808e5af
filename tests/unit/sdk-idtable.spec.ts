// The SDK's id → object table (assembly/sdk/idTable.ts) behind the dispatcher's contexts and the
// pending callouts: a model check against a plain array under inserts, replacements and deletes
// that collide, wrap around and grow the table.
import { IdTable } from "../../assembly/sdk/idTable";

class Box { constructor(public v: u32) {} }

function valueOf(t: IdTable, k: u32): i64 {
  const o = t.get(k);
  return o === null ? -1 : <i64>changetype<Box>(o).v;
}

describe("IdTable", () => {
  it("stores, replaces and deletes, key 0 included", () => {
    const t = new IdTable();
    expect(valueOf(t, 0)).toBe(-1);
    t.set(0, new Box(10));
    t.set(7, new Box(70));
    t.set(7, new Box(71));
    expect(t.size).toBe(2);
    expect(valueOf(t, 0)).toBe(10);
    expect(valueOf(t, 7)).toBe(71);
    t.delete(0);
    t.delete(0);
    t.delete(12345);
    expect(t.size).toBe(1);
    expect(valueOf(t, 0)).toBe(-1);
    expect(valueOf(t, 7)).toBe(71);
  });

  it("agrees with a model over thousands of mixed operations", () => {
    const N: u32 = 600;
    const model = new Array<i64>(<i32>N).fill(-1);
    const t = new IdTable();
    let seed: u32 = 12345;
    let live = 0;
    for (let step = 0; step < 20000; step++) {
      seed = seed * 1103515245 + 12345;
      const k = (seed >>> 8) % N;
      // keys spread out (ids), clustered (k * 4, tokens) and huge
      const key = k % 3 == 0 ? k * 4 : k % 3 == 1 ? k + 0xfffffc00 : k * 7919;
      if ((seed >>> 28) < 9) {
        if (model[k] < 0) live++;
        model[k] = step;
        t.set(key, new Box(step));
      } else {
        if (model[k] >= 0) live--;
        model[k] = -1;
        t.delete(key);
      }
      if (step % 997 == 0 || step == 19999) {
        expect(t.size).toBe(live);
        for (let j: u32 = 0; j < N; j++) {
          const kj = j % 3 == 0 ? j * 4 : j % 3 == 1 ? j + 0xfffffc00 : j * 7919;
          expect(valueOf(t, kj)).toBe(model[j]);
        }
      }
    }
  });
});
