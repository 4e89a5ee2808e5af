import { parseTemplate, Template, TemplateResolver, RequestResolver, Source } from "../../assembly/lib/template";
import { RequestView, HeaderPair, RequestOptions } from "../../assembly/lib/request";

class AuthResolver extends RequestResolver {
  resolve(source: Source, arg: string): string | null {
    if (source == Source.Consumer) return "acme";
    if (source == Source.Claim && arg == "sub") return "user-1";
    if (source == Source.Claim && arg == "evil") return "x\r\nx-admin: 1";
    return super.resolve(source, arg);
  }
}

function t(s: string): Template {
  const r = parseTemplate(s);
  if (!r.ok) trace(r.error);
  expect(r.ok).toBe(true);
  return r.template!;
}
function view(): RequestView {
  const h: HeaderPair[] = [new HeaderPair("X-User", "alice"), new HeaderPair("cookie", "sid=abc")];
  return RequestView.build("POST", "/a/./b?q=1&e=%0D%0A", "Shop.example:443", h, "192.0.2.10:4444", new RequestOptions());
}

describe("templates", () => {
  it("renders every request source", () => {
    const r = new RequestResolver(view());
    expect(t("user=${header:X-User};ip=${client_ip}").render(r)).toBe("user=alice;ip=192.0.2.10");
    expect(t("${method} ${host}${path}").render(r)).toBe("POST shop.example/a/b");
    expect(t("${query:q}/${cookie:sid}").render(r)).toBe("1/abc");
  });
  it("asks the resolver for auth-provided sources", () => {
    const r = new AuthResolver(view());
    expect(t("${consumer}:${claim:sub}").render(r)).toBe("acme:user-1");
    expect(t("${claim:missing}|${request_id}|${property:a.b}").render(r)).toBe("||");
  });
  it("renders missing values as empty or as the default", () => {
    const r = new RequestResolver(view());
    expect(t("[${header:x-tenant}]").render(r)).toBe("[]");
    expect(t("[${header:x-tenant|public}]").render(r)).toBe("[public]");
    expect(t("${header:x-user|nobody}").render(r)).toBe("alice");
    expect(t("${consumer|anonymous}").render(r)).toBe("anonymous");
  });
  it("handles literals and $$", () => {
    const r: TemplateResolver = new RequestResolver(view()); // (the former base class's name, an alias now)
    expect(t("cost: $$5").render(r)).toBe("cost: $5");
    expect(t("").render(r)).toBe("");
    expect(t("plain").isConstant).toBe(true);
    expect(t("a${path}").isConstant).toBe(false);
    expect(t("a${consumer}").usesSource(Source.Consumer)).toBe(true);
    expect(t("a${path}").usesSource(Source.Consumer)).toBe(false);
  });
  it("splits a template into literal and variable parts", () => {
    // parts as "<source>:<arg or literal text>", joined with "|"
    const shape = (s: string): string => {
      const ps = t(s).parts;
      let out = "";
      for (let i = 0; i < ps.length; i++) out += (i > 0 ? "|" : "") + ps[i].source.toString() + ":" + ps[i].arg;
      return out;
    };
    expect(shape("")).toBe("0:");
    expect(shape("$$")).toBe("0:$");
    expect(shape("a$$b${path}c$$")).toBe("0:a$b|2:|0:c$");
    expect(shape("${path}${host}")).toBe("2:|4:");
    expect(shape("${path}")).toBe("2:");
    expect(shape("x${header:A}")).toBe("0:x|7:a");
  });
  it("refuses values that would inject headers", () => {
    const r = new AuthResolver(view());
    expect(t("${claim:evil}").renderSafe(r)).toBeNull();
    expect(t("${query:e}").renderSafe(r)).toBeNull(); // decoded CR LF from the query
    expect(t("${claim:sub}").renderSafe(r)).toBe("user-1");
    expect(t("${header:x-user}").renderSafe(r, 3)).toBeNull();
  });
  it("reports configure-time errors", () => {
    expect(parseTemplate("${nope}").error).toBe("unknown source 'nope' in '${nope}'");
    expect(parseTemplate("${header}").error).toBe("'header' needs an argument, as in ${header:…}");
    expect(parseTemplate("${client_ip:x}").error).toBe("'client_ip' takes no argument");
    expect(parseTemplate("a${path").error).toBe("unterminated '${' at 1");
    expect(parseTemplate("cost $5").error).toBe("'$' at 5 must start '${' or be written '$$'");
    expect(parseTemplate("x$").ok).toBe(false);
    expect(parseTemplate("${header:bad name}").error).toBe("'bad name' is not a valid header name");
    expect(parseTemplate("${}").ok).toBe(false);
    expect(parseTemplate("${:x}").ok).toBe(false);
    expect(parseTemplate("${:x}").error).toBe("unknown source '' in '${:x}'");
    expect(parseTemplate("${nope:a|b}").error).toBe("unknown source 'nope' in '${nope:a}'");
    expect(parseTemplate("${Path}").error).toBe("unknown source 'Path' in '${Path}'");
    expect(parseTemplate("${path, method}").error).toBe("unknown source 'path, method' in '${path, method}'");
    expect(parseTemplate("${property}").error).toBe("'property' needs an argument, as in ${property:…}");
    expect(parseTemplate("${request_id:}").error).toBe("'request_id' takes no argument");
    expect(parseTemplate("$").error).toBe("'$' at 0 must start '${' or be written '$$'");
    expect(parseTemplate("a$$b$${x}").template!.render(new RequestResolver(view()))).toBe("a$b${x}");
    expect(parseTemplate("${header:X-A|d|e}").template!.render(new RequestResolver(view()))).toBe("d|e");
    // name, ':' argument and '|' fallback: a ':' after the '|' is fallback text
    expect(parseTemplate("${path|a:b}").template!.render(new RequestResolver(view()))).toBe("/a/b");
    expect(parseTemplate("${header:x-none|a:b}").template!.render(new RequestResolver(view()))).toBe("a:b");
    expect(parseTemplate("${header:x-none|}").template!.render(new RequestResolver(view()))).toBe("");
    expect(parseTemplate("${cookie:a:b|c}").template!.parts[0].arg).toBe("a:b");
    expect(parseTemplate("${header|x}").error).toBe("'header' needs an argument, as in ${header:…}");
    expect(parseTemplate("${header:|x}").error).toBe("'header' needs an argument, as in ${header:…}");
    expect(parseTemplate("${path:|x}").error).toBe("'path' takes no argument");
    expect(parseTemplate("${|x}").error).toBe("unknown source '' in '${}'");
    expect(parseTemplate("${a:b:c|d:e}").error).toBe("unknown source 'a' in '${a:b:c}'");
    expect(parseTemplate("${client_ip|}").template!.parts[0].fallback).toBe("");
  });
});
