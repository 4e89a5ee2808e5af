import { parseJson } from "../../assembly/lib/json";
import { Problems } from "../../assembly/lib/configReader";
import { RequestView, HeaderPair, RequestOptions, normalizeHost } from "../../assembly/lib/request";
import { parsePathMatcher, parseRequestMatcher, parseStringMatcher, RequestMatcher, segmentPrefix } from "../../assembly/lib/matcher";

function req(method: string, path: string, host: string = "api.example.com", headers: HeaderPair[] = []): RequestView {
  return RequestView.build(method, path, host, headers, "10.0.0.1:5555");
}
function matcher(json: string): RequestMatcher {
  const p = new Problems();
  const m = parseRequestMatcher(parseJson(json).value, "config.match", p);
  if (!p.ok) trace(p.first);
  expect(p.ok).toBe(true);
  return m!;
}
function asciiLower(v: string): string {
  let out = "";
  for (let i = 0; i < v.length; i++) { const c = v.charCodeAt(i); out += String.fromCharCode(c >= 65 && c <= 90 ? c | 32 : c); }
  return out;
}
function problem(json: string): string {
  const p = new Problems();
  const m = parseRequestMatcher(parseJson(json).value, "config.rules[2].match", p);
  expect(m).toBeNull();
  return p.first;
}

describe("RequestView", () => {
  it("builds the shared view", () => {
    const h: HeaderPair[] = [
      new HeaderPair("X-User", "alice"), new HeaderPair("Cookie", "a=1"), new HeaderPair("cookie", "b=2"),
      new HeaderPair("X-Forwarded-For", "203.0.113.9"),
    ];
    const o = new RequestOptions(); o.trustedHops = 1;
    const r = RequestView.build("GET", "/a/../api//v1/%75sers?id=7&x=%41", "API.Example.com:8443", h, "10.0.0.1:9", o);
    expect(r.path).toBe("/api/v1/users");
    expect(r.rawPath).toBe("/a/../api//v1/%75sers?id=7&x=%41");
    expect(r.host).toBe("api.example.com");
    expect(r.header("x-user")).toBe("alice");
    expect(r.header("X-User")).toBeNull(); // names are looked up in lower case
    expect(r.queryParam("id")).toBe("7");
    expect(r.queryParam("x")).toBe("A");
    expect(r.cookie("a")).toBe("1");
    expect(r.cookie("b")).toBe("2");
    expect(r.clientIp).toBe("203.0.113.9");
  });
  it("uses the host header when there is no authority, and normalises hosts", () => {
    const r = RequestView.build("GET", "/", "", [new HeaderPair("Host", "WWW.X.ORG.")], "1.2.3.4:1");
    expect(r.host).toBe("www.x.org");
    expect(normalizeHost("[::1]:8080")).toBe("[::1]");
    expect(normalizeHost("Example.com")).toBe("example.com");
  });
  it("reports a refused path", () => {
    const r = req("GET", "/a%00b\nc");
    expect(r.path).toBe("");
    expect(r.pathError).toBe("control character in path");
  });
});

describe("matchers", () => {
  it("matches path prefixes segment by segment", () => {
    const m = matcher("{\"path\":{\"prefix\":\"/api\"}}");
    expect(m.matches(req("GET", "/api"))).toBe(true);
    expect(m.matches(req("GET", "/api/x"))).toBe(true);
    expect(m.matches(req("GET", "/api?x=1"))).toBe(true);
    expect(m.matches(req("GET", "/apix"))).toBe(false);
    expect(m.matches(req("GET", "/ap"))).toBe(false);
    expect(m.matches(req("GET", "/API/x"))).toBe(false);
    const slash = matcher("{\"path\":{\"prefix\":\"/api/\"}}");
    expect(slash.matches(req("GET", "/api/x"))).toBe(true);
    expect(slash.matches(req("GET", "/api"))).toBe(false);
    expect(matcher("{\"path\":{\"prefix\":\"/\"}}").matches(req("GET", "/anything"))).toBe(true);
    expect(segmentPrefix("/a/b", "/a/b")).toBe(true);
  });
  it("a path matcher on its own matches no refused (empty) path, even with a regex that matches \"\"", () => {
    const regexes = ["{\"regex\":\".*\"}", "{\"regex\":\"(/.*)?\"}", "{\"regex\":\"(/public/.*)?\"}"];
    for (let i = 0; i < regexes.length; i++) {
      const p = new Problems();
      const m = parsePathMatcher(parseJson(regexes[i]).value!, "config.path", p)!;
      expect(p.ok).toBe(true);
      expect(m.matches("")).toBe(false, regexes[i]);
      expect(m.matches("/public/x")).toBe(true, regexes[i]);
    }
    // A value matcher is not a path matcher: "" is a value like any other.
    const v = parseStringMatcher(parseJson("{\"regex\":\".*\"}").value!, "config.v", new Problems())!;
    expect(v.matches("")).toBe(true);
  });
  it("sees through path tricks (the canonical path is matched)", () => {
    const admin = matcher("{\"path\":{\"prefix\":\"/admin\"}}");
    const bypasses = ["/public/../admin", "//admin", "/%61dmin", "/./admin/", "/public/%2e%2e/admin",
      "/public\\..\\admin", "/admin#x", "/a/b/../../admin/x", "/%2E/admin"];
    for (let i = 0; i < bypasses.length; i++) {
      expect(admin.matches(req("GET", bypasses[i]))).toBe(true, bypasses[i]);
    }
    expect(admin.matches(req("GET", "/admin%2Fx"))).toBe(false); // "/admin%2Fx" is one segment
    expect(admin.matches(req("GET", "/admin\u0000"))).toBe(false); // refused path matches nothing
  });
  it("matches exact, suffix, regex and ignore_case paths", () => {
    expect(matcher("{\"path\":{\"exact\":\"/login\"}}").matches(req("POST", "/login?next=/"))).toBe(true);
    expect(matcher("{\"path\":{\"exact\":\"/login\"}}").matches(req("POST", "/login/"))).toBe(false);
    expect(matcher("{\"path\":{\"suffix\":\".php\"}}").matches(req("GET", "/x/y.php"))).toBe(true);
    const re = matcher("{\"path\":{\"regex\":\"/users/[0-9]+\"}}");
    expect(re.matches(req("GET", "/users/42"))).toBe(true);
    expect(re.matches(req("GET", "/users/42/x"))).toBe(false); // whole-path match
    const ic = matcher("{\"path\":{\"prefix\":\"/Api\",\"ignore_case\":true}}");
    expect(ic.matches(req("GET", "/API/v1"))).toBe(true);
    expect(matcher("{\"path\":{\"regex\":\"/a\",\"ignore_case\":true}}").matches(req("GET", "/A"))).toBe(true);
  });
  it("matches methods and hosts", () => {
    const m = matcher("{\"methods\":[\"GET\",\"HEAD\"],\"host\":\"*.example.com\"}");
    expect(m.matches(req("GET", "/", "a.example.com"))).toBe(true);
    expect(m.matches(req("HEAD", "/", "A.B.EXAMPLE.COM:443"))).toBe(true);
    expect(m.matches(req("POST", "/", "a.example.com"))).toBe(false);
    expect(m.matches(req("GET", "/", "example.com"))).toBe(false);
    expect(m.matches(req("GET", "/", "evilexample.com"))).toBe(false);
    expect(m.matches(req("GET", "/", ".example.com"))).toBe(false); // no label before the suffix: not a subdomain
    const exact = matcher("{\"host\":\"API.example.com\"}");
    expect(exact.matches(req("GET", "/", "api.example.com:8080"))).toBe(true);
    expect(exact.matches(req("GET", "/", "api.example.com."))).toBe(true);
    expect(matcher("{\"host\":{\"suffix\":\".ORG\"}}").matches(req("GET", "/", "x.org"))).toBe(true);
  });
  it("matches headers and query parameters", () => {
    const m = matcher("{\"headers\":{\"X-Env\":\"prod\",\"authorization\":{\"prefix\":\"bearer \",\"ignore_case\":true},"
      + "\"x-debug\":{\"absent\":true}},\"query\":{\"v\":{\"regex\":\"[0-9]+\"}}}");
    const good: HeaderPair[] = [new HeaderPair("x-env", "prod"), new HeaderPair("Authorization", "Bearer abc")];
    expect(m.matches(req("GET", "/?v=2", "h", good))).toBe(true);
    expect(m.matches(req("GET", "/?v=x", "h", good))).toBe(false);
    expect(m.matches(req("GET", "/", "h", good))).toBe(false);
    const dbg: HeaderPair[] = [new HeaderPair("x-env", "prod"), new HeaderPair("authorization", "Bearer a"), new HeaderPair("x-debug", "1")];
    expect(m.matches(req("GET", "/?v=2", "h", dbg))).toBe(false);
    const other: HeaderPair[] = [new HeaderPair("x-env", "Prod"), new HeaderPair("authorization", "Bearer a")];
    expect(m.matches(req("GET", "/?v=2", "h", other))).toBe(false); // exact is case-sensitive
  });
  it("supports present, contains and invert", () => {
    const m = matcher("{\"headers\":{\"x-a\":{\"present\":true},\"x-b\":{\"contains\":\"mid\",\"invert\":true}}}");
    expect(m.matches(req("GET", "/", "h", [new HeaderPair("x-a", "")]))).toBe(true);
    expect(m.matches(req("GET", "/", "h", [new HeaderPair("x-a", ""), new HeaderPair("x-b", "amidst")]))).toBe(false);
    expect(m.matches(req("GET", "/", "h", [new HeaderPair("x-a", ""), new HeaderPair("x-b", "other")]))).toBe(true);
    expect(m.matches(req("GET", "/", "h", []))).toBe(false);
  });
  it("a refused path matches no path condition, not even a regex that matches \"\"", () => {
    const any = matcher("{\"path\":{\"regex\":\".*\"}}");
    expect(any.matches(req("GET", "/x"))).toBe(true);
    expect(any.matches(req("GET", "/a\u0000b"))).toBe(false);
    expect(matcher("{\"path\":{\"suffix\":\"b\"}}").matches(req("GET", "/a\u0000b"))).toBe(false);
  });
  it("reads host wildcards and host string matchers in lower case", () => {
    const star = matcher("{\"host\":\"*.\"}");
    expect(star.matches(req("GET", "/", "a."))).toBe(false); // the host is normalised without the trailing dot
    const m = matcher("{\"host\":{\"prefix\":\"API.\"}}");
    expect(m.matches(req("GET", "/", "api.example.com"))).toBe(true);
    const re = matcher("{\"host\":{\"regex\":\"API\\\\..*\"}}");
    expect(re.matches(req("GET", "/", "api.example.com"))).toBe(false); // a regex is not lower-cased
    expect(problem("{\"host\":\"*x.com\"}")).toBe("config.rules[2].match.host: a wildcard is only allowed as a leading \"*.\"");
    expect(problem("{\"host\":\"*.a*\"}")).toBe("config.rules[2].match.host: a wildcard is only allowed as a leading \"*.\"");
    expect(problem("{\"host\":\"\"}")).toBe("config.rules[2].match.host: must not be empty");
  });
  it("tests exact, prefix, suffix and contains as String's ==, startsWith, endsWith and includes (random values)", () => {
    const kinds: string[] = ["exact", "prefix", "suffix", "contains"];
    const atoms: string[] = ["", "a", "b", "ab", "A", "é", "\u00c9"];
    let seed: u32 = 4242;
    for (let k = 0; k < 3000; k++) {
      seed = seed * 1103515245 + 12345;
      const kind = kinds[<i32>((seed >> 16) % 4)];
      seed = seed * 1103515245 + 12345;
      const ic = (seed >> 16) % 2 == 1, inv = (seed >> 17) % 2 == 1;
      let x = "", v = "";
      for (let j = 0; j < 3; j++) {
        seed = seed * 1103515245 + 12345;
        x += atoms[<i32>((seed >> 16) % 7)];
        v += atoms[<i32>((seed >> 20) % 7)];
        if ((seed >> 24) % 2 == 0) v += x;
      }
      const m = parseStringMatcher(parseJson("{\"" + kind + "\":\"" + x + "\",\"ignore_case\":" + (ic ? "true" : "false")
        + ",\"invert\":" + (inv ? "true" : "false") + "}").value!, "config.v", new Problems())!;
      const xs = ic ? asciiLower(x) : x;
      const vs = ic ? asciiLower(v) : v;
      let want = kind == "exact" ? vs == xs : kind == "prefix" ? vs.startsWith(xs) : kind == "suffix" ? vs.endsWith(xs) : vs.includes(xs);
      if (inv) want = !want;
      expect(m.matches(v)).toBe(want, kind + " " + x + " " + v + (ic ? " ic" : "") + (inv ? " inv" : ""));
      expect(m.matches(null)).toBe(inv);
    }
    const star = parseRequestMatcher(parseJson("{\"host\":\"*.b.c\"}").value, "config.m", new Problems())!;
    expect(star.host!.matches("a.b.c")).toBe(true);
    expect(star.host!.matches(".b.c")).toBe(false);
    expect(star.host!.matches("b.c")).toBe(false);
    expect(star.host!.matches("xa.b.c")).toBe(true);
  });
  it("an empty matcher matches everything", () => {
    expect(matcher("{}").matches(req("DELETE", "/x"))).toBe(true);
  });
});

describe("matcher config errors name their path", () => {
  it("explains what is wrong", () => {
    expect(problem("{\"path\":{\"prefix\":\"api\"}}")).toBe("config.rules[2].match.path.prefix: must start with /");
    expect(problem("{\"path\":{\"prefix\":7}}")).toBe("config.rules[2].match.path.prefix: must be a string");
    expect(problem("{\"path\":{\"prefix\":\"/a\",\"exact\":\"/a\"}}")).toBe("config.rules[2].match.path: only one of exact, prefix, suffix, regex may be set");
    expect(problem("{\"path\":{}}")).toBe("config.rules[2].match.path: needs one of exact, prefix, suffix, regex");
    expect(problem("{\"path\":{\"regex\":\"(a\"}}")).toBe("config.rules[2].match.path.regex: invalid regex: missing ')'");
    expect(problem("{\"path\":{\"regex\":\"(a)\\\\1\"}}")).toBe("config.rules[2].match.path.regex: invalid regex: backreferences are not supported");
    expect(problem("{\"paht\":{\"prefix\":\"/\"}}")).toBe("config.rules[2].match.paht: unknown field");
    expect(problem("{\"methods\":[\"get\"]}")).toBe("config.rules[2].match.methods[0]: must be an upper-case method name");
    expect(problem("{\"methods\":\"GET\"}")).toBe("config.rules[2].match.methods: must be an array, not string");
    expect(problem("{\"host\":\"a.*.com\"}")).toBe("config.rules[2].match.host: a wildcard is only allowed as a leading \"*.\"");
    expect(problem("{\"headers\":{\"bad name\":\"x\"}}")).toBe("config.rules[2].match.headers.bad name: is not a valid header name");
    expect(problem("{\"headers\":{\"x\":{\"present\":false}}}")).toBe("config.rules[2].match.headers.x.present: must be true (use invert to negate)");
    expect(problem("{\"headers\":{\"x\":{\"exact\":\"a\",\"ignore_cas\":true}}}")).toBe("config.rules[2].match.headers.x.ignore_cas: unknown field");
    expect(problem("{\"query\":{\"x\":5}}")).toBe("config.rules[2].match.query.x: must be an object, not number");
    expect(problem("[]")).toBe("config.rules[2].match: must be an object, not array");
    expect(problem("{\"path\":\"/a\"}")).toBe("config.rules[2].match.path: must be an object, not string");
    expect(problem("{\"path\":{\"suffix\":\"\"}}")).toBe("config.rules[2].match.path.suffix: must not be empty");
    expect(problem("{\"path\":{\"contains\":\"/a\"}}")).toBe("config.rules[2].match.path.contains: unknown field");
    expect(problem("{\"path\":{\"prefix\":\"/a\",\"invert\":5}}")).toBe("config.rules[2].match.path.invert: unknown field");
    expect(problem("{\"path\":{\"exact\":\"/a\",\"ignore_case\":1}}")).toBe("config.rules[2].match.path.ignore_case: must be a boolean, not number");
    expect(problem("{\"headers\":{\"x\":{\"present\":true,\"absent\":true}}}")).toBe("config.rules[2].match.headers.x: only one of exact, prefix, suffix, contains, regex, present, absent may be set");
    expect(problem("{\"headers\":{\"x\":{\"invert\":true}}}")).toBe("config.rules[2].match.headers.x: needs one of exact, prefix, suffix, contains, regex, present, absent");
    expect(problem("{\"headers\":{\"x\":{\"exact\":1}}}")).toBe("config.rules[2].match.headers.x.exact: must be a string, not number");
    expect(problem("{\"methods\":[\"get\",5]}")).toBe("config.rules[2].match.methods[1]: must be a string, not number");
    expect(problem("{\"query\":{\"q\":{\"regex\":\"(\"}}}")).toBe("config.rules[2].match.query.q.regex: invalid regex: missing ')'");
  });
});
