// Parsing the headers filter configuration (README.md beside this file), once, in onConfigure,
// into precomputed rules: compiled matchers, regexes, replacements and templates. Every problem
// is recorded as "config.<path>: <reason>"; the first one is what the filter logs.
import { JsonKind, JsonValue, emptyArray, listItems, parseJsonBuffer } from "../../assembly/lib/json";
import { ConfigObject, Problems, itemPath, listIndex } from "../../assembly/lib/configReader";
import {
  NamedMatcher, RequestMatcher, StringMatcher, parseNamed, parseRequestMatcher, parseStringMatcher,
} from "../../assembly/lib/matcher";
import { Regex, Replacement, compileRegex, compileReplacement } from "../../assembly/lib/regex";
import { Source, Template, parseTemplate } from "../../assembly/lib/template";
import { isHost, isNull, resolver } from "./apply";
import { indexOfUnit, isValidHeaderName, isWritableHeaderValue, lowerAscii } from "../../assembly/lib/http";
import { canonicalizePath } from "../../assembly/lib/path";
import { Msg, msg } from "../../assembly/lib/messages";
import { RequestOptions } from "../../assembly/lib/request";
import { Name, name as text } from "../../assembly/lib/names";

export const enum Op {
  Set, Append, SetIfAbsent, Remove, Rename, Copy, Replace, Dedupe,
  QuerySet, QueryAdd, QueryRemove, QueryRename, PathPrefix, PathRegex, Host,
}
export const enum Keep { Unique, First, Last }

export class Operation {
  // (reference fields first, in every class here: classes whose references sit at the same offsets
  // share their case of the collector's member visitor)
  /** Header name (lower-case) or query parameter name; the path prefix for PathPrefix. */
  name: string = "";
  /** rename/copy/query_rename destination; path_prefix replacement. */
  to: string = "";
  /** remove by pattern (name is "" then). */
  names: StringMatcher | null = null;
  /** The value template. */
  value: Template | null = null;
  /** A template without variables: its text, made once (not null marks a constant value). */
  constant: string | null = null;
  regex: Regex | null = null;
  replacement: Replacement | null = null;
  op: Op = Op.Set;
  overwrite: bool = false;
  keep: Keep = Keep.Unique;
  split: bool = false;
  /** Response rules: index of the value captured during the request phase (-1 = constant/none). */
  slot: i32 = -1;
}

export class Rule {
  match: RequestMatcher | null = null;
  consumer: StringMatcher | null = null;
  claims: NamedMatcher[] = emptyArray<NamedMatcher[]>();
  /** Response rules: inclusive status ranges [lo0, hi0, lo1, hi1, …]; empty = any. */
  status: i32[] = emptyArray<i32[]>();
  responseHeaders: NamedMatcher[] = emptyArray<NamedMatcher[]>();
  ops: Operation[] = emptyArray<Operation[]>();
  /** Whether the rule reads the request (a condition, a template, a query or path operation); for
   *  response rules, what must be evaluated during the request phase. */
  usesRequest: bool = false;
  /** Response rules that use the request: the capture slot that records whether that part held. */
  slot: i32 = -1;
}

export class HeadersConfig {
  request: Rule[] = emptyArray<Rule[]>();
  response: Rule[] = emptyArray<Rule[]>();
  /** Request headers written from templates: any inbound copy is removed first. */
  owned: string[] = emptyArray<string[]>();
  /** trusted_hops, for the request view. */
  options: RequestOptions = new RequestOptions();
  maxValueBytes: i32 = 8192;
  /** Some template needs the client IP (a property read per request). */
  needsClientIp: bool = false;
  /** Number of capture slots response rules need. */
  slots: i32 = 0;
  /** Some response rule uses the request (a condition or a template): the request phase captures it. */
  captures: bool = false;
  /** Some rule reads the request through a view (conditions, templates, path and query operations). */
  needsView: bool = false;
}

// The config's keys (and the inbound values), index = K: one '|'-separated ASCII text in
// messages.txt, split once — cheaper than a UTF-16 string literal each. K0–K18 are FIELD_NAMES, the
// fields of the root, a rule and each operation (the masks below index them).
const enum K { Op, Header, Value, Inbound, Match, To, Overwrite, Regex, With, Keep, Split, Param, Prefix,
  Request, Response, MaxValueBytes, TrustedHops, Name, Ops, Consumer, Claims, Status, ResponseHeaders, Strip, Config }
const FIELD_NAMES = listItems(msg(Msg.HeadersKeys), K.Config + 1);
// Key k's text: its pointer read straight from the array's storage, which never changes after
// this (one load at each use; the array keeps the texts alive).
const KEY_PTRS = FIELD_NAMES.dataStart;
// @ts-ignore: decorator
@inline function key(k: K): string { return load<string>(KEY_PTRS + (<usize>k << 2)); }
// A rule's match also takes consumer and claims (and, in a response rule, status and
// response_headers): the FIELD_NAMES bits passed to parseRequestMatcher.
const MATCH_EXTRA = 3 << K.Consumer, MATCH_EXTRA_RESPONSE = 15 << K.Consumer;

/** The config, or null with problems.first set to "config.<path>: <reason>". */
export function parseConfig(bytes: ArrayBuffer, problems: Problems): HeadersConfig | null {
  const cfg = new HeadersConfig();
  if (bytes.byteLength == 0) return cfg;
  const parsed = parseJsonBuffer(bytes);
  if (!parsed.ok) { problems.add(key(K.Config), msg(Msg.InvalidJsonAt) + parsed.toString()); return null; }
  const root = ConfigObject.root(parsed.value, key(K.Config), problems);
  if (root === null) return null;
  root.rejectUnknown(FIELD_NAMES, ROOT_FIELDS);
  cfg.maxValueBytes = <i32>root.optionalInt(key(K.MaxValueBytes), 8192, 1, 65536);
  cfg.options.trustedHops = <i32>root.optionalInt(key(K.TrustedHops), 0, 0, 10);
  parseRules(root, key(K.Request), false, cfg);
  parseRules(root, key(K.Response), true, cfg);
  return problems.ok ? cfg : null;
}

function parseRules(root: ConfigObject, field: string, response: bool, cfg: HeadersConfig): void {
  const rules = root.objectArray(field);
  if (rules === null) return;
  for (let i = 0; i < rules.length; i++) {
    const r = unchecked(rules[i]);
    r.rejectUnknown(FIELD_NAMES, RULE_FIELDS);
    r.optionalString(key(K.Name), "");
    const rule = new Rule();
    if (r.has(key(K.Match))) parseMatch(r, response, rule);
    const ops = r.objectArray(key(K.Ops), true);
    if (ops !== null) {
      if (ops.length == 0) r.fail(key(K.Ops), msg(Msg.MustNotBeEmpty));
      for (let k = 0; k < ops.length; k++) {
        const op = parseOp(unchecked(ops[k]), response, cfg);
        if (op === null) continue;
        // A template is rendered from the request (in the request phase, for response rules);
        // query and path operations (request rules only) read it too.
        if (op.value !== null && isNull(op.constant)) {
          if (response) op.slot = cfg.slots++;
          rule.usesRequest = true;
        }
        if (op.op >= Op.QuerySet && op.op <= Op.PathRegex) rule.usesRequest = true;
        rule.ops.push(op);
      }
    }
    if (rule.usesRequest) {
      cfg.needsView = true;
      if (response) { rule.slot = cfg.slots++; cfg.captures = true; }
    }
    (response ? cfg.response : cfg.request).push(rule);
  }
}

function parseMatch(r: ConfigObject, response: bool, rule: Rule): void {
  const problems = r.problems;
  rule.match = parseRequestMatcher(r.obj.get(key(K.Match)), r.at(key(K.Match)), problems, FIELD_NAMES, response ? MATCH_EXTRA_RESPONSE : MATCH_EXTRA);
  const m = r.object(key(K.Match));
  if (m === null) return;
  const cv = m.obj.get(key(K.Consumer));
  if (cv !== null) rule.consumer = parseStringMatcher(cv, m.at(key(K.Consumer)), problems);
  rule.claims = parseNamed(m, key(K.Claims), false);
  if (response) {
    rule.responseHeaders = parseNamed(m, key(K.ResponseHeaders), true);
    const st = m.array(key(K.Status));
    if (st !== null) parseStatus(st, m.at(key(K.Status)), problems, rule.status);
  }
  const match = rule.match;
  rule.usesRequest = rule.consumer !== null || rule.claims.length > 0 || (match !== null && !isEmpty(match));
}

function isEmpty(m: RequestMatcher): bool {
  return m.path === null && m.methods === null && m.host === null && m.headers.length == 0 && m.query.length == 0;
}

/** [200, "5xx", 404] → ranges; a status is 100–599, a class "1xx"–"5xx". */
function parseStatus(items: JsonValue[], path: string, problems: Problems, out: i32[]): void {
  if (items.length == 0) problems.add(path, msg(Msg.MustNotBeEmpty));
  for (let i = 0; i < items.length; i++) {
    const v = unchecked(items[i]);
    let lo = -1;
    let hi = -1;
    if (v.kind == JsonKind.Number && v.num == Math.floor(v.num) && v.num >= 100 && v.num <= 599) lo = hi = <i32>v.num;
    else if (v.kind == JsonKind.String) {
      const s = v.str; // "1xx"-"5xx"
      const d = <i32>s.charCodeAt(0) - 48;
      if (s.length == 3 && s.charCodeAt(1) == 120 && s.charCodeAt(2) == 120 && d >= 1 && d <= 5) { lo = d * 100; hi = lo + 99; }
    }
    if (lo < 0) { problems.add(itemPath(path, i), msg(Msg.MustBeStatus)); continue; }
    out.push(lo);
    out.push(hi);
  }
}

// Fields each operation accepts: a bit set over FIELD_NAMES per operation (index = Op value). The
// root's and a rule's fields are in the same list (one array instead of three).
const enum F { Op = 1, Header = 2, Value = 4, Inbound = 8, Match = 16, To = 32, Overwrite = 64, Regex = 128,
  With = 256, Keep = 512, Split = 1024, Param = 2048, Prefix = 4096 }
const ROOT_FIELDS = 15 << 13, RULE_FIELDS = F.Match | 3 << 17;
const FIELDS = memory.data<i32>([
  F.Op | F.Header | F.Value | F.Inbound, F.Op | F.Header | F.Value | F.Inbound, F.Op | F.Header | F.Value | F.Inbound,
  F.Op | F.Header | F.Match, F.Op | F.Header | F.To | F.Overwrite, F.Op | F.Header | F.To | F.Overwrite,
  F.Op | F.Header | F.Regex | F.With, F.Op | F.Header | F.Keep | F.Split,
  F.Op | F.Param | F.Value, F.Op | F.Param | F.Value, F.Op | F.Param, F.Op | F.Param | F.To,
  F.Op | F.Prefix | F.To, F.Op | F.Regex | F.With, F.Op | F.Value,
]);

function parseOp(o: ConfigObject, response: bool, cfg: HeadersConfig): Operation | null {
  // Index = Op value; ops from QuerySet on are request-only. One text, not an array of strings
  // (each string costs bytes of its own; see listIndex), kept in messages.txt.
  const OP_NAMES = msg(Msg.OpNames);
  const problems = o.problems;
  const before = problems.list.length;
  const name = o.requiredString(key(K.Op));
  const k = listIndex(OP_NAMES, name);
  if (k < 0) {
    // (when "op" is missing or not a string, that problem is already the first: this one is never seen)
    o.fail(key(K.Op), msg(Msg.UnknownOperation) + name + msg(Msg.OneOf) + OP_NAMES + text(Name.CloseParen));
    return null;
  }
  const op = new Operation();
  op.op = <Op>k;
  const mask = load<i32>(FIELDS + (<usize>k << 2));
  o.rejectUnknown(FIELD_NAMES, mask);
  if (response && k >= Op.QuerySet) { o.fail(key(K.Op), text(Name.Apostrophe) + name + text(Name.ApostropheSpace) + msg(Msg.RequestOnly)); return null; }

  if (mask & F.Header) {
    // "match" is a field of remove only (rejectUnknown has already refused it elsewhere).
    if (o.has(key(K.Match))) {
      if (o.has(key(K.Header))) o.fail(key(K.Match), msg(Msg.HeaderOrMatch));
      op.names = parseStringMatcher(changetype<JsonValue>(o.obj.get(key(K.Match))), o.at(key(K.Match)), problems);
    } else op.name = headerName(o, key(K.Header));
  }
  if (mask & F.Param) op.name = o.requiredNonEmpty(key(K.Param));
  if (mask & F.To) op.to = k == Op.Rename || k == Op.Copy ? headerName(o, key(K.To)) : k == Op.QueryRename ? o.requiredNonEmpty(key(K.To)) : o.requiredString(key(K.To));
  if (mask & F.Value) parseValue(o, op, cfg);
  if (k == Op.PathPrefix) {
    op.name = o.requiredString(key(K.Prefix));
    if (op.name.charCodeAt(0) != 47 /* / */) o.fail(key(K.Prefix), msg(Msg.MustStartWithSlash));
    // A rewrite to a `to` that is not canonical — no "/" first, a query, ".", ".." or empty segments,
    // an escape canonicalisation changes — or has a space would be refused on every request
    // (flushPath): refused here instead.
    const to = op.to;
    if (to.length > 0 && (canonicalizePath(to).path != to || indexOfUnit(to, 32 /* space */, 0) >= 0)) o.fail(key(K.To), msg(Msg.MustBeEmptyOrCanonicalPath));
  }
  if (k == Op.Host && !isNull(op.constant) && !isHost(changetype<string>(op.constant))) o.fail(key(K.Value), msg(Msg.MustBeHostValue));
  if (mask & F.Regex) {
    const rr = compileRegex(o.requiredString(key(K.Regex)));
    op.regex = rr.regex;
    if (!rr.ok) o.fail(key(K.Regex), msg(Msg.InvalidRegex) + rr.error);
    else {
      const w = o.requiredString(key(K.With));
      const rep = compileReplacement(changetype<Regex>(rr.regex), w);
      op.replacement = rep.replacement;
      if (!rep.ok) o.fail(key(K.With), rep.error);
      // Its literal text is in every result: a control character in it would make every write it
      // applies to refused, and a "?", "#" or space every path rewrite. (Its length is not tested:
      // "$1" may be empty.)
      else if (!isWritableHeaderValue(w, i32.MAX_VALUE)) o.fail(key(K.With), msg(Msg.BadConstantValue));
      else if (k == Op.PathRegex && (indexOfUnit(w, 63 /* ? */, 0) & indexOfUnit(w, 35 /* # */, 0) & indexOfUnit(w, 32 /* space */, 0)) != -1) o.fail(key(K.With), msg(Msg.MustNotAddQuery));
    }
  }
  op.overwrite = o.optionalBool(key(K.Overwrite), false);
  op.split = o.optionalBool(key(K.Split), false);
  if (op.split && op.name == "set-cookie") o.fail(key(K.Split), msg(Msg.SplitSetCookie));
  if (o.has(key(K.Keep))) {
    const keepNames = msg(Msg.KeepNames); // index = Keep value
    const kp = listIndex(keepNames, o.requiredString(key(K.Keep)));
    if (kp < 0) o.fail(key(K.Keep), msg(Msg.MustBeOneOf) + keepNames);
    else op.keep = <Keep>kp;
  }
  if (k <= Op.SetIfAbsent) {
    // A header written from request values is owned: an inbound copy is removed first, unless the
    // config says the client's value is wanted ("inbound": "keep"). A literal value owns its header
    // only when the config says "inbound": "strip".
    const inbound = o.optionalString(key(K.Inbound), isNull(op.constant) ? key(K.Strip) : key(K.Keep));
    const strip = inbound == key(K.Strip);
    if (response) { if (o.has(key(K.Inbound))) o.fail(key(K.Inbound), msg(Msg.RequestOnly)); }
    else if (!strip && inbound != key(K.Keep)) o.fail(key(K.Inbound), msg(Msg.MustBeStripOrKeep));
    else if (strip && op.name.length > 0 && !cfg.owned.includes(op.name)) cfg.owned.push(op.name);
  }
  return problems.list.length == before ? op : null;
}

// Header names no operation may touch: Envoy owns the framing, and the host changes only through
// the host operation.
export function isReserved(h: string): bool {
  return h == text(Name.Host) || h == text(Name.ContentLength) || h == text(Name.TransferEncoding);
}

/** A header name: an RFC 9110 token, lower-cased (pseudo-headers are never valid here). */
function headerName(o: ConfigObject, field: string): string {
  const s = o.requiredString(field);
  if (!isValidHeaderName(s)) {
    // (after a missing or non-string value this second problem is never the one reported)
    o.fail(field, msg(Msg.MustBeHeaderName));
    return "";
  }
  const name = lowerAscii(s);
  if (isReserved(name)) o.fail(field, text(Name.Apostrophe) + name + msg(Msg.ManagedByEnvoy));
  return name;
}

function parseValue(o: ConfigObject, op: Operation, cfg: HeadersConfig): void {
  const raw = o.requiredString(key(K.Value));
  const t = parseTemplate(raw);
  if (!t.ok) { o.fail(key(K.Value), t.error); return; }
  const tpl = changetype<Template>(t.template);
  op.value = tpl;
  // One pass over the parts for isConstant and usesSource(ClientIp).
  let constant = true;
  const parts = tpl.parts;
  for (let i = 0, n = parts.length; i < n; i++) {
    const src = unchecked(parts[i]).source;
    if (src != Source.Literal) constant = false;
    if (src == Source.ClientIp) cfg.needsClientIp = true;
  }
  if (constant) {
    const s = tpl.render(resolver); // a constant never asks the resolver
    if (!isWritableHeaderValue(s, cfg.maxValueBytes)) o.fail(key(K.Value), msg(Msg.BadConstantValue));
    // an empty header value is never written (applyOp): a constant one would make the operation do nothing
    else if (s.length == 0 && op.op <= Op.SetIfAbsent) o.fail(key(K.Value), msg(Msg.MustNotBeEmpty));
    op.constant = s; // written as it is, nothing made per request
  }
}

