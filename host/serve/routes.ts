// Envoy's route table for `wasmgate serve` (envoy.config.route.v3.RouteConfiguration, proto field
// names): virtual-host selection by :authority, route matching, the route's rewrites and the header
// mutations of the route, the virtual host and the route configuration. A subset: what a development
// gateway in front of the filters needs. routeProblems refuses at start every field outside it (and
// what Envoy itself refuses), so a route table is either run as Envoy runs it or not at all.
//
// Envoy facts used (envoyproxy/envoy source/common/router/config_impl.cc, header_parser.cc,
// source/common/http/header_utility.cc, and the route API docs):
//  - virtual host: an exact domain first, then the longest "*suffix" wildcard, then the longest
//    "prefix*" wildcard, then "*"; matched case-insensitively against the whole :authority (port
//    included, unless the HCM strips it); domains must be unique across the virtual hosts;
//  - routes in order, the first match wins; path matching ignores the query string; `prefix` and
//    `path` compare case-sensitively unless case_sensitive is false; safe_regex must match the whole
//    path; `path_separated_prefix` matches the prefix followed by "/" or the end of the path;
//  - header matchers join repeated values with ","; a missing header matches only a present_match
//    that it negates (HeaderUtility::matchHeaders); query parameters are compared undecoded;
//  - header mutations: headers_to_remove first, then every value is computed (a missing %REQ()% makes
//    it empty, and an empty value is skipped unless keep_empty_value), then the overwrites, then the
//    appends (HeaderParser::evaluateHeaders); the route's level before its virtual host's before the
//    route configuration's (most_specific_header_mutations_wins reverses that); all before the
//    route's path and host rewrites;
//  - prefix_rewrite replaces the matched prefix (the whole path for path and safe_regex routes);
//    regex_rewrite substitutes every match in the path (not the query); host_rewrite_literal sets
//    :authority; x-envoy-original-path keeps the path before a route rewrite.
import { RE2JS } from "re2js";
import type { Pair } from "../abi/pairs.ts";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Selected { vhost: Json; route: Json; config: Json }

const lower = (s: string) => s.toLowerCase();

/** Removes every entry named in `names` from `headers`, in place. */
export function dropHeaders(headers: Pair[], ...names: string[]): void {
  for (let i = headers.length - 1; i >= 0; i--) if (names.includes(headers[i][0])) headers.splice(i, 1);
}
const get = (h: Pair[], name: string) => h.find(([k]) => k === name)?.[1];

function domainMatch(domains: string[], host: string): number {
  // The score orders the kinds: exact > suffix wildcard > prefix wildcard > "*"; longer wins within one.
  let best = -1;
  for (const d0 of domains) {
    const d = lower(d0);
    let score = -1;
    if (d === "*") score = 0;
    else if (d.startsWith("*")) { if (host.endsWith(d.slice(1)) && host.length > d.length - 1) score = 2_000 + d.length; }
    else if (d.endsWith("*")) { if (host.startsWith(d.slice(0, -1)) && host.length > d.length - 1) score = 1_000 + d.length; }
    else if (d === host) score = 3_000;
    if (score > best) best = score;
  }
  return best;
}

// Regexes are RE2's, run by re2js (a port of RE2: the same syntax, linear time), so a route regex means
// and costs what it does in Envoy; compiled patterns are kept.
const compiled = new Map<string, RE2JS>();
function re2(pattern: string): RE2JS {
  let r = compiled.get(pattern);
  if (r === undefined) { r = RE2JS.compile(pattern); compiled.set(pattern, r); }
  return r;
}
/** Why RE2 refuses `pattern` (as Envoy would), or null. */
export function re2Problem(pattern: string): string | null {
  let r: RE2JS;
  try { r = re2(pattern); } catch (e) { return (e as Error).message; }
  // Envoy refuses a regex whose RE2 program is over re2.max_program_size.error_level (100 by default);
  // re2js counts as RE2 does, give or take near the limit.
  const size = r.programSize();
  return size > 100 ? `the RE2 program is ${size} instructions, over Envoy's default limit of 100 (re2.max_program_size.error_level)` : null;
}
const fullMatch = (pattern: string, v: string) => re2(pattern).matcher(v).matches();

/** RE2's GlobalReplace: every match replaced by `sub` (\0–\9 groups, \\ a backslash); an empty match
 *  right where the previous match ended is skipped. */
export function replaceAll(pattern: string, input: string, sub: string): string {
  // A rewrite naming a group the pattern lacks: RE2::GlobalReplace rewrites nothing.
  let top = 0;
  for (const g of sub.matchAll(/\\([0-9])/g)) top = Math.max(top, Number(g[1]));
  if (top > re2(pattern).groupCount()) return input;
  const m = re2(pattern).matcher(input);
  let out = "", at = 0, lastEnd = -1;
  while (m.find()) {
    const s0 = m.start(), e0 = m.end();
    if (s0 === e0 && s0 === lastEnd) continue;
    out += input.slice(at, s0) + sub.replace(/\\([0-9\\])/g, (_, d: string) => (d === "\\" ? "\\" : m.group(Number(d)) ?? ""));
    at = e0; lastEnd = e0;
  }
  return out + input.slice(at);
}

function stringMatch(m: Json, v: string): boolean {
  const ic = m.ignore_case === true;
  const val = ic ? lower(v) : v;
  const cmp = (x: string) => (ic ? lower(x) : x);
  if (m.exact !== undefined) return val === cmp(m.exact);
  if (m.prefix !== undefined) return val.startsWith(cmp(m.prefix));
  if (m.suffix !== undefined) return val.endsWith(cmp(m.suffix));
  if (m.contains !== undefined) return val.includes(cmp(m.contains));
  if (m.safe_regex !== undefined) return fullMatch(m.safe_regex.regex, v);
  return false;
}

function headerMatches(hm: Json, headers: Pair[]): boolean {
  const name = lower(hm.name);
  const values = headers.filter(([k]) => k === name).map(([, v]) => v);
  const invert = hm.invert_match === true;
  const presentType = hm.present_match !== undefined || !["string_match", "exact_match", "prefix_match", "suffix_match", "contains_match", "safe_regex_match"].some((k) => hm[k] !== undefined);
  const present = hm.present_match !== false;
  if (values.length === 0 && hm.treat_missing_header_as_empty !== true) {
    return presentType && (invert ? present : !present);
  }
  const v = values.join(",");
  let r: boolean;
  if (presentType) r = present;
  else if (hm.string_match !== undefined) r = stringMatch(hm.string_match, v);
  else if (hm.exact_match !== undefined) r = v === hm.exact_match;
  else if (hm.prefix_match !== undefined) r = v.startsWith(hm.prefix_match);
  else if (hm.suffix_match !== undefined) r = v.endsWith(hm.suffix_match);
  else if (hm.contains_match !== undefined) r = v.includes(hm.contains_match);
  else r = fullMatch(hm.safe_regex_match.regex, v);
  return r !== invert;
}

/** The query string's parameters, undecoded, as Envoy's QueryParamsMulti::parseQueryString keeps them. */
function queryParams(q: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of q.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const k = eq < 0 ? part : part.slice(0, eq);
    if (!out.has(k)) out.set(k, eq < 0 ? "" : part.slice(eq + 1));
  }
  return out;
}

function queryMatches(qm: Json, query: Map<string, string>): boolean {
  const v = query.get(qm.name);
  if (qm.present_match !== undefined) return (v !== undefined) === (qm.present_match === true); // false: absent (Envoy ≥ 1.34)
  if (v === undefined) return false;
  return qm.string_match ? stringMatch(qm.string_match, v) : true;
}

function routeMatches(m: Json, path: string, query: Map<string, string>, headers: Pair[]): boolean {
  const cs = m.case_sensitive !== false;
  const p = cs ? path : lower(path);
  const c = (x: string) => (cs ? x : lower(x));
  let ok: boolean;
  if (m.prefix !== undefined) ok = p.startsWith(c(m.prefix));
  else if (m.path !== undefined) ok = p === c(m.path);
  else if (m.safe_regex !== undefined) ok = fullMatch(m.safe_regex.regex, path);
  else if (m.path_separated_prefix !== undefined) {
    const pre = c(m.path_separated_prefix);
    ok = p === pre || p.startsWith(pre + "/");
  } else ok = false;
  if (!ok) return false;
  if (!(m.headers ?? []).every((h: Json) => headerMatches(h, headers))) return false;
  return (m.query_parameters ?? []).every((q: Json) => queryMatches(q, query));
}

/** The route for a request's headers, or null (Envoy answers 404, "route_not_found"). */
export function selectRoute(config: Json, headers: Pair[]): Selected | null {
  const host = lower(get(headers, ":authority") ?? "");
  let vhost: Json | null = null, best = -1;
  for (const vh of config.virtual_hosts ?? []) {
    const s = domainMatch(vh.domains ?? [], host);
    if (s > best) { best = s; vhost = vh; }
  }
  if (vhost === null) return null;
  const full = get(headers, ":path") ?? "/";
  const q = full.indexOf("?");
  const path = q < 0 ? full : full.slice(0, q);
  const query = queryParams(q < 0 ? "" : full.slice(q + 1));
  for (const route of vhost.routes ?? []) {
    if (routeMatches(route.match ?? {}, path, query, headers)) return { vhost, route, config };
  }
  return null;
}

/**
 * The route's path and host rewrites, applied to the request headers in place; with `envoyHeaders`
 * (the router's suppress_envoy_headers unset) a path rewrite keeps the old path in
 * x-envoy-original-path.
 */
export function rewrite(sel: Selected, headers: Pair[], envoyHeaders: boolean): void {
  const a: Json | undefined = sel.route.route;
  if (a === undefined) return;
  const at = (name: string) => headers.findIndex(([k]) => k === name);
  const pi = at(":path");
  // An empty prefix_rewrite or host_rewrite_literal is no rewrite (config_impl.cc takes them when non-empty).
  if (pi >= 0 && (a.prefix_rewrite || a.regex_rewrite !== undefined)) {
    const full = headers[pi][1];
    const q = full.indexOf("?");
    let path = q < 0 ? full : full.slice(0, q);
    const rest = q < 0 ? "" : full.slice(q);
    const m = sel.route.match ?? {};
    if (a.prefix_rewrite) {
      const pre: string | undefined = m.prefix ?? m.path_separated_prefix;
      path = a.prefix_rewrite + (pre !== undefined ? path.slice(pre.length) : ""); // path and safe_regex: the whole path
    } else {
      path = replaceAll(a.regex_rewrite.pattern.regex, path, a.regex_rewrite.substitution ?? "");
    }
    if (envoyHeaders) { const oi = at("x-envoy-original-path"); if (oi >= 0) headers.splice(oi, 1); headers.push(["x-envoy-original-path", full]); }
    headers[pi] = [":path", path + rest];
  }
  if (a.host_rewrite_literal) {
    const hi = at(":authority");
    if (a.append_x_forwarded_host === true && hi >= 0 && headers[hi][1] !== "") {
      // Utility::updateAuthority: appended onto the existing value, unless it already ends with this host
      const xi = at("x-forwarded-host");
      if (xi < 0) headers.push(["x-forwarded-host", headers[hi][1]]);
      else if (headers[xi][1].split(",").at(-1)!.trim() !== headers[hi][1]) headers[xi] = ["x-forwarded-host", `${headers[xi][1]},${headers[hi][1]}`];
    }
    if (hi >= 0) headers[hi] = [":authority", a.host_rewrite_literal]; else headers.push([":authority", a.host_rewrite_literal]);
  }
}

/** Envoy's custom-header value formatters that serve fills in; any other %…% is refused at start. */
export const FORMATTERS = /%(REQ\([^)]*\)|DOWNSTREAM_REMOTE_ADDRESS|DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT|PROTOCOL|UPSTREAM_HOST|HOSTNAME)%|%%/g;

export interface FormatContext { request: Pair[]; remote: string; protocol: string; upstreamHost: string; hostname: string }

/** A header value with its formatters filled in (a %REQ()% that finds nothing gives ""). */
function format(value: string, ctx: FormatContext): string {
  return value.replace(FORMATTERS, (all, name: string | undefined) => {
    if (all === "%%") return "%";
    if (name!.startsWith("REQ(")) {
      const [main, alt] = name!.slice(4, -1).split("?").map((x) => lower(x.trim()));
      return get(ctx.request, main) ?? (alt ? get(ctx.request, alt) : undefined) ?? "";
    }
    switch (name) {
      case "DOWNSTREAM_REMOTE_ADDRESS": return ctx.remote;
      case "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT": return ctx.remote.replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1");
      case "PROTOCOL": return ctx.protocol;
      case "UPSTREAM_HOST": return ctx.upstreamHost;
      default: return ctx.hostname;
    }
  });
}

/** One level's headers_to_remove and headers_to_add, in HeaderParser::evaluateHeaders's order. */
function mutate(headers: Pair[], add: Json[] | undefined, remove: string[] | undefined, ctx: FormatContext): void {
  for (const r of remove ?? []) dropHeaders(headers, lower(r));
  const has = (k: string) => headers.some(([x]) => x === k);
  const appends: Pair[] = [], overwrites: Pair[] = [];
  for (const o of add ?? []) {
    const key = lower(o.header.key);
    const value = format(o.header.value ?? "", ctx);
    if (value === "" && o.keep_empty_value !== true) continue;
    const action = o.append_action ?? (o.append === false ? "OVERWRITE_IF_EXISTS_OR_ADD" : "APPEND_IF_EXISTS_OR_ADD");
    if (action === "APPEND_IF_EXISTS_OR_ADD") appends.push([key, value]);
    else if (action === "ADD_IF_ABSENT") { if (!has(key)) appends.push([key, value]); }
    else if (action === "OVERWRITE_IF_EXISTS") { if (has(key)) overwrites.push([key, value]); }
    else overwrites.push([key, value]);
  }
  for (const [k, v] of overwrites) { dropHeaders(headers, k); headers.push([k, v]); }
  for (const p of appends) headers.push(p);
}

/** The request header mutations of route, virtual host and route configuration (in Envoy's order). */
export function mutateRequest(sel: Selected, headers: Pair[], ctx: FormatContext): void {
  for (const level of levels(sel)) mutate(headers, level.request_headers_to_add, level.request_headers_to_remove, ctx);
}
/** The response header mutations, likewise. */
export function mutateResponse(sel: Selected, headers: Pair[], ctx: FormatContext): void {
  for (const level of levels(sel)) mutate(headers, level.response_headers_to_add, level.response_headers_to_remove, ctx);
}
function levels(sel: Selected): Json[] {
  const l = [sel.route, sel.vhost, sel.config];
  return sel.config.most_specific_header_mutations_wins === true ? l.reverse() : l;
}

const ROUTE_MATCH = new Set(["prefix", "path", "safe_regex", "path_separated_prefix", "case_sensitive", "headers", "query_parameters"]);
const HEADER_MATCHER = new Set(["name", "string_match", "present_match", "invert_match", "treat_missing_header_as_empty", "exact_match", "prefix_match", "suffix_match", "contains_match", "safe_regex_match"]);
const QUERY_MATCHER = new Set(["name", "string_match", "present_match"]);
const STRING_MATCHER = new Set(["exact", "prefix", "suffix", "contains", "safe_regex", "ignore_case"]);
const REGEX = new Set(["regex", "google_re2"]);
const ROUTE_ACTION = new Set(["cluster", "prefix_rewrite", "regex_rewrite", "host_rewrite_literal", "append_x_forwarded_host", "timeout"]);
const MUTATIONS = ["request_headers_to_add", "request_headers_to_remove", "response_headers_to_add", "response_headers_to_remove"];
const ROUTE_FIELDS = new Set(["name", "match", "route", "direct_response", "metadata", "decorator", ...MUTATIONS]);
const VHOST_FIELDS = new Set(["name", "domains", "routes", ...MUTATIONS]);
const CONFIG_FIELDS = new Set(["name", "virtual_hosts", "most_specific_header_mutations_wins", ...MUTATIONS]);
const HEADER_OPTION = new Set(["header", "append", "append_action", "keep_empty_value"]);
const HEADER_VALUE = new Set(["key", "value"]);
const DIRECT_RESPONSE = new Set(["status", "body"]);
const DATA_SOURCE = new Set(["inline_string", "inline_bytes"]);

/**
 * What this route table uses that serve does not do as Envoy does, and what Envoy itself refuses:
 * each a "<where>: <what>" line. Every regex is compiled here, so none fails on a request.
 */
export function routeProblems(config: Json, clusters: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const extra = (o: Json | undefined, allowed: Set<string>, where: string) => {
    if (o === undefined || o === null || typeof o !== "object") return;
    for (const k of Object.keys(o)) if (!allowed.has(k)) out.push(`${where}.${k}: not supported by wasmgate serve`);
  };
  const regex = (r: Json | undefined, where: string) => {
    if (r === undefined) return;
    extra(r, REGEX, where);
    const p = re2Problem(String(r.regex ?? ""));
    if (p) out.push(`${where}.regex: ${p}`);
  };
  const stringMatcher = (m: Json | undefined, where: string) => {
    if (m === undefined) return;
    extra(m, STRING_MATCHER, where);
    regex(m.safe_regex, `${where}.safe_regex`);
  };
  const headerOptions = (list: Json[] | undefined, where: string) => {
    for (const [i, h] of (list ?? []).entries()) {
      const w = `${where}[${i}]`;
      extra(h, HEADER_OPTION, w);
      extra(h.header, HEADER_VALUE, `${w}.header`);
      const key = lower(String(h.header?.key ?? ""));
      if (key.startsWith(":") || key === "host") out.push(`${w}: ':'-prefixed or host headers may not be modified (Envoy refuses this)`);
      if (h.append !== undefined && h.append_action !== undefined) out.push(`${w}: both append and append_action are set (Envoy refuses this)`);
      const v: string = h.header?.value ?? "";
      if (v.replace(FORMATTERS, "").includes("%")) out.push(`${w}: the value ${JSON.stringify(v)} uses a formatter serve does not fill in (it knows %REQ(…)%, %DOWNSTREAM_REMOTE_ADDRESS[_WITHOUT_PORT]%, %PROTOCOL%, %UPSTREAM_HOST%, %HOSTNAME%)`);
    }
  };
  const mutations = (o: Json, where: string) => {
    headerOptions(o.request_headers_to_add, `${where}.request_headers_to_add`);
    headerOptions(o.response_headers_to_add, `${where}.response_headers_to_add`);
    for (const k of ["request_headers_to_remove", "response_headers_to_remove"]) {
      for (const [i, h] of (o[k] ?? []).entries()) {
        if (lower(String(h)).startsWith(":") || lower(String(h)) === "host") out.push(`${where}.${k}[${i}]: ':'-prefixed or host headers may not be removed (Envoy refuses this)`);
      }
    }
  };
  extra(config, CONFIG_FIELDS, "route_config");
  mutations(config, "route_config");
  const domains = new Set<string>();
  for (const [vi, vh] of (config.virtual_hosts ?? []).entries()) {
    const vw = `route_config.virtual_hosts[${vi}]`;
    extra(vh, VHOST_FIELDS, vw);
    mutations(vh, vw);
    for (const d of vh.domains ?? []) {
      if (domains.has(lower(d))) out.push(`${vw}.domains: '${d}' is also another virtual host's (Envoy refuses duplicate domains)`);
      domains.add(lower(d));
    }
    for (const [ri, rt] of (vh.routes ?? []).entries()) {
      const w = `${vw}.routes[${ri}]`;
      extra(rt, ROUTE_FIELDS, w);
      mutations(rt, w);
      const m: Json = rt.match ?? {};
      extra(m, ROUTE_MATCH, `${w}.match`);
      regex(m.safe_regex, `${w}.match.safe_regex`);
      for (const [hi, h] of (m.headers ?? []).entries()) {
        const hw = `${w}.match.headers[${hi}]`;
        extra(h, HEADER_MATCHER, hw);
        stringMatcher(h.string_match, `${hw}.string_match`);
        regex(h.safe_regex_match, `${hw}.safe_regex_match`);
      }
      for (const [qi, q] of (m.query_parameters ?? []).entries()) {
        const qw = `${w}.match.query_parameters[${qi}]`;
        extra(q, QUERY_MATCHER, qw);
        stringMatcher(q.string_match, `${qw}.string_match`);
      }
      if (rt.route !== undefined) {
        extra(rt.route, ROUTE_ACTION, `${w}.route`);
        regex(rt.route.regex_rewrite?.pattern, `${w}.route.regex_rewrite.pattern`);
        if (rt.route.prefix_rewrite && rt.route.regex_rewrite !== undefined) out.push(`${w}.route: both prefix_rewrite and regex_rewrite (Envoy refuses this)`);
        if (rt.route.cluster === undefined) out.push(`${w}.route: only a named cluster is supported by wasmgate serve`);
        else if (!clusters.has(rt.route.cluster)) out.push(`${w}.route.cluster: '${rt.route.cluster}' is not a cluster serve can reach (a static cluster with an address, or --cluster NAME=HOST:PORT)`);
      } else if (rt.direct_response !== undefined) {
        extra(rt.direct_response, DIRECT_RESPONSE, `${w}.direct_response`);
        extra(rt.direct_response.body, DATA_SOURCE, `${w}.direct_response.body`);
      } else {
        out.push(`${w}: only route (to a cluster) and direct_response actions are supported by wasmgate serve`);
      }
    }
  }
  return out;
}
