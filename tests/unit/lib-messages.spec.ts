import { Msg, MSG_COUNT, msg } from "../../assembly/lib/messages";

describe("msg", () => {
  it("decodes texts exactly", () => {
    expect(msg(Msg.RegexBackreferences)).toBe("backreferences");
    expect(msg(Msg.RegexTrailingBackslash)).toBe("trailing '\\'");
    expect(msg(Msg.RegexNotSupported)).toBe(" are not supported");
    expect(msg(Msg.JsonDuplicateKey)).toBe("duplicate key \"");
    expect(msg(Msg.KindAbsent)).toBe("absent");
  });
  it("has only non-empty printable ASCII texts", () => {
    for (let m = 0; m < MSG_COUNT; m++) {
      const s = msg(<Msg>m);
      expect(s.length).toBeGreaterThan(0);
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        expect(c >= 0x20 && c <= 0x7E).toBe(true, "message " + m.toString() + " at " + i.toString());
      }
    }
  });
});
