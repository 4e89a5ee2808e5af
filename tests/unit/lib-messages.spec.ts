import { Msg, MSG_COUNT, msg } from "../../assembly/lib/messages";
import { listItem } from "../../assembly/lib/json";
import { listIndex } from "../../assembly/lib/configReader";
import { MatchKind } from "../../assembly/lib/matcher";
import { Source } from "../../assembly/lib/template";

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

// Two texts of the table are not messages but name lists the parsers index by position: their order
// is behaviour (a reworded or reordered line would silently change what a key or source means).
describe("name lists kept in messages.txt", () => {
  it("MatcherKeys lists the matcher keys in MatchKind order, then ignore_case and invert, then a request matcher's keys", () => {
    const t = msg(Msg.MatcherKeys);
    expect(listItem(t, <i32>MatchKind.Exact)).toBe("exact");
    expect(listItem(t, <i32>MatchKind.Prefix)).toBe("prefix");
    expect(listItem(t, <i32>MatchKind.Suffix)).toBe("suffix");
    expect(listItem(t, <i32>MatchKind.Contains)).toBe("contains");
    expect(listItem(t, <i32>MatchKind.Regex)).toBe("regex");
    expect(listItem(t, <i32>MatchKind.Present)).toBe("present");
    expect(listItem(t, <i32>MatchKind.Absent)).toBe("absent");
    expect(listItem(t, 7)).toBe("ignore_case");
    expect(listItem(t, 8)).toBe("invert");
    expect(listItem(t, 9)).toBe("path");
    expect(listItem(t, 10)).toBe("methods");
    expect(listItem(t, 11)).toBe("host");
    expect(listItem(t, 12)).toBe("headers");
    expect(listItem(t, 13)).toBe("query");
    expect(listItem(t, 14)).toBe("");
  });
  it("TemplateSources lists the sources in Source order from ClientIp", () => {
    const t = msg(Msg.TemplateSources);
    expect(listIndex(t, "client_ip") + 1).toBe(<i32>Source.ClientIp);
    expect(listIndex(t, "path") + 1).toBe(<i32>Source.Path);
    expect(listIndex(t, "method") + 1).toBe(<i32>Source.Method);
    expect(listIndex(t, "host") + 1).toBe(<i32>Source.Host);
    expect(listIndex(t, "consumer") + 1).toBe(<i32>Source.Consumer);
    expect(listIndex(t, "request_id") + 1).toBe(<i32>Source.RequestId);
    expect(listIndex(t, "header") + 1).toBe(<i32>Source.Header);
    expect(listIndex(t, "query") + 1).toBe(<i32>Source.Query);
    expect(listIndex(t, "cookie") + 1).toBe(<i32>Source.Cookie);
    expect(listIndex(t, "claim") + 1).toBe(<i32>Source.Claim);
    expect(listIndex(t, "property") + 1).toBe(<i32>Source.Property);
  });
});
