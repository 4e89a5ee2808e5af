// assembly/lib/decimal.ts: the decimal formatter used for numbers in messages.
import { decimal } from "../../assembly/lib/decimal";

describe("decimal", () => {
  it("formats like toString", () => {
    expect(decimal(0)).toBe("0");
    expect(decimal(7)).toBe("7");
    expect(decimal(10)).toBe("10");
    expect(decimal(-1)).toBe("-1");
    expect(decimal(-120)).toBe("-120");
    expect(decimal(<u32>4294967295)).toBe("4294967295");
    expect(decimal(i32.MIN_VALUE)).toBe("-2147483648");
    expect(decimal(i64.MIN_VALUE)).toBe("-9223372036854775808");
    expect(decimal(i64.MAX_VALUE)).toBe("9223372036854775807");
  });
});
