// template.ts — value templates over the shared vocabulary (DESIGN §3), parsed once at configure
// time, rendered per request (header values, rate-limit keys).
//
//   "user=${header:x-user};ip=${client_ip};${claim:sub|anonymous}"
//
// Sources: client_ip, path, method, host, consumer, request_id (no argument) and header:<name>,
// query:<name>, cookie:<name>, claim:<path>, property:<path> (argument required). Header names are
// lower-cased and must be valid tokens. "$$" is a literal '$'.
// Missing values: a variable whose source has no value renders as "" — or as its default, written
// after '|': "${header:x-tenant|public}". The default is literal text (no '}' inside).
// Configure-time errors (returned, never thrown) name the problem: unknown source, missing or
// unexpected argument, unterminated "${", a '$' not followed by '{' or '$'.
// Rendering asks a TemplateResolver for each variable; RequestResolver answers from a RequestView
// (filters extend it for consumer/claim/property/request_id). renderSafe() returns null when the
// result is not a safe header value (CR/LF/NUL, see http.ts): a claim or query parameter cannot
// inject headers through a template.

import { RequestView } from "./request";
import { isSafeHeaderValue, isValidHeaderName, lowerAscii } from "./http";
import { joinStrings } from "./join";
import { decimal } from "./decimal";
import { Msg, msg } from "./messages";

export const enum Source {
  Literal = 0, ClientIp, Path, Method, Host, Consumer, RequestId, Header, Query, Cookie, Claim, Property,
}

const NAMES: string[] = ["", "client_ip", "path", "method", "host", "consumer", "request_id",
  "header", "query", "cookie", "claim", "property"];
const FIRST_WITH_ARG: i32 = 7;

export abstract class TemplateResolver {
  /** The value of a source, or null when it has none (e.g. the header is absent). */
  abstract resolve(source: Source, arg: string): string | null;
}

/** Resolves the request-view sources; consumer, request_id, claim and property are null here. */
export class RequestResolver extends TemplateResolver {
  constructor(public request: RequestView) { super(); }
  resolve(source: Source, arg: string): string | null {
    const r = this.request;
    switch (source) {
      case Source.ClientIp: return r.clientIp.length > 0 ? r.clientIp : null;
      case Source.Path: return r.path.length > 0 ? r.path : null;
      case Source.Method: return r.method;
      case Source.Host: return r.host;
      case Source.Header: return r.header(arg);
      case Source.Query: return r.queryParam(arg);
      case Source.Cookie: return r.cookie(arg);
    }
    return null;
  }
}

export class TemplatePart {
  constructor(public source: Source, public arg: string, public fallback: string) {}
}

export class Template {
  parts: TemplatePart[] = [];
  /** True when the template has no variables. */
  get isConstant(): bool {
    for (let i = 0; i < this.parts.length; i++) if (unchecked(this.parts[i]).source != Source.Literal) return false;
    return true;
  }
  usesSource(s: Source): bool {
    for (let i = 0; i < this.parts.length; i++) if (unchecked(this.parts[i]).source == s) return true;
    return false;
  }
  render(resolver: TemplateResolver): string {
    const ps = this.parts;
    if (ps.length == 1) return this.value(unchecked(ps[0]), resolver);
    const out = new Array<string>(ps.length);
    for (let i = 0; i < ps.length; i++) unchecked(out[i] = this.value(unchecked(ps[i]), resolver));
    return joinStrings(out);
  }
  /** render(), or null when the result is not a safe header value. */
  renderSafe(resolver: TemplateResolver, maxLength: i32 = 8192): string | null {
    const s = this.render(resolver);
    return isSafeHeaderValue(s, maxLength) ? s : null;
  }
  private value(p: TemplatePart, resolver: TemplateResolver): string {
    if (p.source == Source.Literal) return p.arg;
    const v = resolver.resolve(p.source, p.arg);
    return v !== null ? v : p.fallback;
  }
}

export class TemplateResult {
  constructor(public template: Template | null, public error: string) {}
  get ok(): bool { return this.template !== null; }
}

function fail(msg: string): TemplateResult { return new TemplateResult(null, msg); }

export function parseTemplate(s: string): TemplateResult {
  const t = new Template();
  let lit = "";
  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c != 36) {
      let j = s.indexOf("$", i);
      if (j < 0) j = n;
      lit += s.substring(i, j);
      i = j;
      continue;
    }
    const d = i + 1 < n ? <i32>s.charCodeAt(i + 1) : -1;
    if (d == 36) { lit += "$"; i += 2; continue; }
    if (d != 123) return fail(msg(Msg.TemplateDollarAt) + decimal(i) + msg(Msg.TemplateDollarMustStart));
    const close = s.indexOf("}", i + 2);
    if (close < 0) return fail(msg(Msg.TemplateUnterminated) + decimal(i));
    let body = s.substring(i + 2, close);
    let fallback = "";
    const bar = body.indexOf("|");
    if (bar >= 0) { fallback = body.substring(bar + 1); body = body.substring(0, bar); }
    const colon = body.indexOf(":");
    const name = colon >= 0 ? body.substring(0, colon) : body;
    const arg = colon >= 0 ? body.substring(colon + 1) : "";
    const k = NAMES.indexOf(name);
    if (k <= 0) return fail(msg(Msg.TemplateUnknownSource) + name + msg(Msg.TemplateIn) + body + "}'");
    if (k >= FIRST_WITH_ARG && arg.length == 0) return fail("'" + name + msg(Msg.TemplateNeedsArgument) + name + ":…}");
    if (k < FIRST_WITH_ARG && colon >= 0) return fail("'" + name + msg(Msg.TemplateTakesNoArgument));
    let a = arg;
    if (k == Source.Header) {
      if (!isValidHeaderName(arg)) return fail("'" + arg + msg(Msg.TemplateNotAHeaderName));
      a = lowerAscii(arg);
    }
    if (lit.length > 0) { t.parts.push(new TemplatePart(Source.Literal, lit, "")); lit = ""; }
    t.parts.push(new TemplatePart(<Source>k, a, fallback));
    i = close + 1;
  }
  if (lit.length > 0 || t.parts.length == 0) t.parts.push(new TemplatePart(Source.Literal, lit, ""));
  return new TemplateResult(t, "");
}
