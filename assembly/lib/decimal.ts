// Numbers in decimal for messages. The std number toString brings every radix along (a radix
// check with its error text, a 36-digit table, a 200-byte digit-pair table): ~0.45 KB for texts
// that are never on a request path.

import { newString } from "./join";

/** n (an i64: pass u64 values above i64 max only if negative output is wanted) in decimal: "-12", "0", "4294967295". */
export function decimal(n: i64): string {
  let u: u64 = n < 0 ? <u64>-n : <u64>n;
  const end = memory.data(40) + 40; // the digits are written backwards here: at most 19 and a sign
  let p = end;
  do {
    p -= 2;
    store<u16>(p, 48 + <u32>(u % 10));
    u /= 10;
  } while (u != 0);
  if (n < 0) { p -= 2; store<u16>(p, 45); }
  const len = <i32>(end - p) >> 1;
  return changetype<string>(newString(p, len, len));
}
