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
// Rendering asks a RequestResolver for each variable: it answers from a RequestView (filters extend
// it for consumer/claim/property/request_id). renderSafe() returns null when the
// result is not a safe header value (CR/LF/NUL, see http.ts): a claim or query parameter cannot
// inject headers through a template.

import { RequestView } from "./request";
import { indexOfUnit, isSafeHeaderValue, isValidHeaderName, lowerAscii } from "./http";
import { joinStrings } from "./join";
import { decimal } from "./decimal";
import { Msg, msg } from "./messages";
import { listIndex } from "./configReader";
import { emptyArray, newArray } from "./emptyArray";
import { Name, name } from "./names";
import { decodeUtf8At } from "./utf8";

export const enum Source {
  Literal = 0, ClientIp, Path, Method, Host, Consumer, RequestId, Header, Query, Cookie, Claim, Property,
}

const FIRST_WITH_ARG: i32 = 7;

/** What a template asks for each variable's value: a RequestResolver, or a subclass of it that
 *  answers more sources (TemplateResolver is its former abstract base's name, kept as an alias). */
export { RequestResolver as TemplateResolver };

/** Resolves the request-view sources; consumer, request_id, claim and property are null here. */
export class RequestResolver {
  constructor(public request: RequestView) {}
  resolve(source: Source, arg: string): string | null {
    const r = this.request;
    let v: string;
    switch (source) {
      case Source.ClientIp: v = r.clientIp; break;
      case Source.Path: v = r.path; break;
      case Source.Method: return r.method;
      case Source.Host: return r.host;
      case Source.Header: return r.header(arg);
      case Source.Query: return r.queryParam(arg);
      case Source.Cookie: return r.cookie(arg);
      default: return null;
    }
    return v.length > 0 ? v : null; // "": no client address, or a refused path
  }
}

export class TemplatePart {
  // (the references first: the collector visits this class with the shared two-reference visitor)
  constructor(public arg: string, public fallback: string, public source: Source) {}
}

export class Template {
  parts: TemplatePart[] = emptyArray<TemplatePart[]>();
  /** True when the template has no variables. */
  get isConstant(): bool {
    for (let i = 0; i < this.parts.length; i++) if (unchecked(this.parts[i]).source != Source.Literal) return false;
    return true;
  }
  usesSource(s: Source): bool {
    for (let i = 0; i < this.parts.length; i++) if (unchecked(this.parts[i]).source == s) return true;
    return false;
  }
  render(resolver: RequestResolver): string {
    const ps = this.parts;
    if (ps.length == 1) return this.value(unchecked(ps[0]), resolver);
    const out = newArray<string[]>(ps.length);
    for (let i = 0; i < ps.length; i++) unchecked(out[i] = this.value(unchecked(ps[i]), resolver));
    return joinStrings(out);
  }
  /** render(), or null when the result is not a safe header value. */
  renderSafe(resolver: RequestResolver, maxLength: i32 = 8192): string | null {
    const s = this.render(resolver);
    return isSafeHeaderValue(s, maxLength) ? s : null;
  }
  private value(p: TemplatePart, resolver: RequestResolver): string {
    if (p.source == Source.Literal) return p.arg;
    const v = resolver.resolve(p.source, p.arg);
    return changetype<usize>(v) != 0 ? changetype<string>(v) : p.fallback;
  }
}

export class TemplateResult {
  constructor(public template: Template | null, public error: string) {}
  get ok(): bool { return this.template !== null; }
}

/** ":…}" in UTF-8 (a UTF-16 literal would cost a 20-byte header and data segments of its own). */
const ARG_HINT = memory.data<u8>([0x3A, 0xE2, 0x80, 0xA6, 0x7D]);

function fail(text: string): TemplateResult { return new TemplateResult(null, text); }
/** "'<x><text of m><tail>" */
function failQuoted(x: string, m: Msg, tail: string = ""): TemplateResult { return fail(name(Name.Apostrophe) + x + msg(m) + tail); }

export function parseTemplate(s: string): TemplateResult {
  const t = new Template();
  const parts = t.parts;
  let lit = "";
  let i = 0;
  const n = s.length;
  while (true) {
    let j = indexOfUnit(s, 36 /* $ */, i);
    if (j < 0) j = n;
    const d = s.charCodeAt(j + 1); // -1 past the end
    lit += s.substring(i, j + <i32>(d == 36)); // "$$": the text and one '$'
    i = j + 2;
    if (d == 36) continue; // (d is -1 at the end)
    // The literal text before the variable (or the end); an empty template is one empty literal.
    // (Pushed before the variable is checked: on an error the parts are dropped anyway.)
    if (lit.length > 0 || (j == n && parts.length == 0)) { parts.push(new TemplatePart(lit, "", Source.Literal)); lit = ""; }
    if (j == n) break;
    if (d != 123) return fail(msg(Msg.TemplateDollarAt) + decimal(j) + msg(Msg.TemplateDollarMustStart));
    const close = indexOfUnit(s, 125 /* } */, i);
    if (close < 0) return fail(msg(Msg.TemplateUnterminated) + decimal(j));
    // "${name:arg|fallback}": the body is name[:arg], then the fallback after the first '|'.
    // (substring() clamps its bounds to the string: a start past the end gives "".)
    const all = s.substring(i, close);
    i = close + 1;
    const len = all.length;
    let bar = indexOfUnit(all, 124 /* | */, 0);
    if (bar < 0) bar = len;
    let colon = indexOfUnit(all, 58 /* : */, 0);
    const hasColon = <u32>colon < <u32>bar; // (a ':' in the fallback is text)
    if (!hasColon) colon = bar;
    const fallback = all.substring(bar + 1, len);
    const name = all.substring(0, colon);
    let arg = all.substring(colon + <i32>hasColon, bar);
    const k = listIndex(msg(Msg.TemplateSources), name) + 1; // the names in Source order from ClientIp
    if (k <= 0) return fail(msg(Msg.TemplateUnknownSource) + name + msg(Msg.TemplateIn) + all.substring(0, bar) + msg(Msg.TemplateInEnd));
    if (k >= FIRST_WITH_ARG) {
      if (arg.length == 0) return failQuoted(name, Msg.TemplateNeedsArgument, name + changetype<string>(decodeUtf8At(ARG_HINT, 5, false)));
    } else if (hasColon) return failQuoted(name, Msg.TemplateTakesNoArgument);
    if (k == Source.Header) {
      if (!isValidHeaderName(arg)) return failQuoted(arg, Msg.TemplateNotAHeaderName);
      arg = lowerAscii(arg);
    }
    parts.push(new TemplatePart(arg, fallback, <Source>k));
  }
  return new TemplateResult(t, "");
}
