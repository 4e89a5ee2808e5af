// Envoy's route table for `wasmgate serve` (envoy.config.route.v3.RouteConfiguration, proto field
// names): virtual-host selection by :authority, route matching, the route's rewrites and the header
// mutations of the route, the virtual host and the route configuration. A subset: what a development
// gateway in front of the filters needs. Anything outside it is refused when the gateway starts
// (routeProblems), never silently treated differently from Envoy.
//
// Envoy facts used (envoyproxy/envoy source/common/router/config_impl.cc and the route API docs):
//  - virtual host: an exact domain first, then the longest "*suffix" wildcard, then the longest
//    "prefix*" wildcard, then "*"; matched case-insensitively against the whole :authority (port
//    included, unless the HCM strips it);
//  - routes in order, the first match wins; path matching ignores the query string; `prefix` and
//    `path` compare case-sensitively unless case_sensitive is false; safe_regex must match the whole
//    path; `path_separated_prefix` matches the prefix followed by "/" or the end of the path;
//  - header mutations: the route's are applied before its virtual host's, which are applied before
//    the route configuration's (most_specific_header_mutations_wins reverses that);
//  - prefix_rewrite replaces the matched prefix; regex_rewrite substitutes every match in the path
//    (not the query); host_rewrite_literal sets :authority (and x-forwarded-host if asked).
import type { Pair } from "../abi/pairs.ts";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Selected { vhost: Json; route: Json; config: Json }

const lower = (s: string) => s.toLowerCase();
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

/** A RE2 pattern as a JavaScript RegExp (the common subset; routeProblems refuses what differs). */
export function re2(pattern: string, flags = ""): RegExp {
  return new RegExp(pattern, flags);
}

function stringMatch(m: Json, v: string): boolean {
  const ic = m.ignore_case === true;
  const val = ic ? lower(v) : v;
  const cmp = (x: string) => (ic ? lower(x) : x);
  if (m.exact !== undefined) return val === cmp(m.exact);
  if (m.prefix !== undefined) return val.startsWith(cmp(m.prefix));
  if (m.suffix !== undefined) return val.endsWith(cmp(m.suffix));
  if (m.contains !== undefined) return val.includes(cmp(m.contains));
  if (m.safe_regex !== undefined) return re2(`^(?:${m.safe_regex.regex})$`).test(v);
  return false;
}

function headerMatches(hm: Json, headers: Pair[]): boolean {
  const values = headers.filter(([k]) => k === lower(hm.name)).map(([, v]) => v);
  const joined = values.length ? values.join(",") : undefined;
  let r: boolean;
  if (hm.present_match !== undefined) r = (joined !== undefined) === (hm.present_match !== false);
  else if (joined === undefined) r = hm.treat_missing_header_as_empty === true && hm.string_match !== undefined ? stringMatch(hm.string_match, "") : false;
  else if (hm.string_match !== undefined) r = stringMatch(hm.string_match, joined);
  else if (hm.exact_match !== undefined) r = joined === hm.exact_match;
  else if (hm.prefix_match !== undefined) r = joined.startsWith(hm.prefix_match);
  else if (hm.suffix_match !== undefined) r = joined.endsWith(hm.suffix_match);
  else if (hm.contains_match !== undefined) r = joined.includes(hm.contains_match);
  else if (hm.safe_regex_match !== undefined) r = re2(`^(?:${hm.safe_regex_match.regex})$`).test(joined);
  else r = true; // name only: present
  return hm.invert_match === true ? !r : r;
}

function queryMatches(qm: Json, query: URLSearchParams): boolean {
  const v = query.get(qm.name);
  if (qm.present_match === true) return v !== null;
  if (v === null) return false;
  return qm.string_match ? stringMatch(qm.string_match, v) : true;
}

function routeMatches(m: Json, path: string, query: URLSearchParams, headers: Pair[]): boolean {
  const cs = m.case_sensitive !== false;
  const p = cs ? path : lower(path);
  const c = (x: string) => (cs ? x : lower(x));
  let ok: boolean;
  if (m.prefix !== undefined) ok = p.startsWith(c(m.prefix));
  else if (m.path !== undefined) ok = p === c(m.path);
  else if (m.safe_regex !== undefined) ok = re2(`^(?:${m.safe_regex.regex})$`).test(path);
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
  const query = new URLSearchParams(q < 0 ? "" : full.slice(q + 1));
  for (const route of vhost.routes ?? []) {
    if (routeMatches(route.match ?? {}, path, query, headers)) return { vhost, route, config };
  }
  return null;
}

/** The route's path and host rewrites, applied to the request headers in place. */
export function rewrite(sel: Selected, headers: Pair[]): void {
  const a: Json | undefined = sel.route.route;
  if (a === undefined) return;
  const at = (name: string) => headers.findIndex(([k]) => k === name);
  const pi = at(":path");
  if (pi >= 0 && (a.prefix_rewrite !== undefined || a.regex_rewrite !== undefined)) {
    const full = headers[pi][1];
    const q = full.indexOf("?");
    let path = q < 0 ? full : full.slice(0, q);
    const rest = q < 0 ? "" : full.slice(q);
    const m = sel.route.match ?? {};
    if (a.prefix_rewrite !== undefined) {
      const pre: string | undefined = m.prefix ?? m.path ?? m.path_separated_prefix;
      if (pre !== undefined) path = a.prefix_rewrite + path.slice(pre.length);
    } else {
      path = path.replace(re2(a.regex_rewrite.pattern.regex, "g"), (...g: unknown[]) => substitute(a.regex_rewrite.substitution, g.slice(0, -2) as string[]));
    }
    headers[pi] = [":path", path + rest];
  }
  if (a.host_rewrite_literal !== undefined) {
    const hi = at(":authority");
    if (a.append_x_forwarded_host === true && hi >= 0) headers.push(["x-forwarded-host", headers[hi][1]]);
    if (hi >= 0) headers[hi] = [":authority", a.host_rewrite_literal]; else headers.push([":authority", a.host_rewrite_literal]);
  }
}

/** RE2 substitution: \0–\9 are the groups, "\\" a backslash. */
function substitute(sub: string, groups: string[]): string {
  return sub.replace(/\\([0-9\\])/g, (_, d: string) => (d === "\\" ? "\\" : groups[Number(d)] ?? ""));
}

/** Envoy's custom-header value formatters that serve fills in; any other %…% is refused at start. */
export const FORMATTERS = /%(REQ\([^)]*\)|DOWNSTREAM_REMOTE_ADDRESS|DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT|PROTOCOL|UPSTREAM_HOST|HOSTNAME)%|%%/g;

export interface FormatContext { request: Pair[]; remote: string; protocol: string; upstreamHost: string; hostname: string }

function format(value: string, ctx: FormatContext): string {
  return value.replace(FORMATTERS, (all, name: string | undefined) => {
    if (all === "%%") return "%";
    if (name!.startsWith("REQ(")) {
      const [h] = name!.slice(4, -1).split("?");
      return get(ctx.request, lower(h.trim())) ?? "-";
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

/** Applies a headers_to_add list and a headers_to_remove list to `headers` in place. */
function mutate(headers: Pair[], add: Json[] | undefined, remove: string[] | undefined, ctx: FormatContext): void {
  for (const r of remove ?? []) {
    const n = lower(r);
    for (let i = headers.length - 1; i >= 0; i--) if (headers[i][0] === n) headers.splice(i, 1);
  }
  for (const o of add ?? []) {
    const key = lower(o.header.key);
    const value = format(o.header.value ?? "", ctx);
    const action = o.append_action ?? (o.append === false ? "OVERWRITE_IF_EXISTS_OR_ADD" : "APPEND_IF_EXISTS_OR_ADD");
    const exists = headers.some(([k]) => k === key);
    if (value === "" && o.keep_empty_value !== true) continue;
    if (action === "ADD_IF_ABSENT" && exists) continue;
    if (action === "OVERWRITE_IF_EXISTS" && !exists) continue;
    if (action !== "APPEND_IF_EXISTS_OR_ADD") for (let i = headers.length - 1; i >= 0; i--) if (headers[i][0] === key) headers.splice(i, 1);
    headers.push([key, value]);
  }
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
const ROUTE_ACTION = new Set(["cluster", "prefix_rewrite", "regex_rewrite", "host_rewrite_literal", "append_x_forwarded_host", "timeout"]);
const ROUTE_FIELDS = new Set(["name", "match", "route", "direct_response", "request_headers_to_add", "request_headers_to_remove", "response_headers_to_add", "response_headers_to_remove", "metadata", "decorator", "typed_per_filter_config"]);
const VHOST_FIELDS = new Set(["name", "domains", "routes", "request_headers_to_add", "request_headers_to_remove", "response_headers_to_add", "response_headers_to_remove"]);
const CONFIG_FIELDS = new Set(["name", "virtual_hosts", "request_headers_to_add", "request_headers_to_remove", "response_headers_to_add", "response_headers_to_remove", "most_specific_header_mutations_wins"]);

/** What this route table uses that serve does not do as Envoy would: each a "<where>: <what>" line. */
export function routeProblems(config: Json, clusters: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const extra = (o: Json, allowed: Set<string>, where: string) => {
    for (const k of Object.keys(o)) if (!allowed.has(k)) out.push(`${where}.${k}: not supported by wasmgate serve`);
  };
  const regex = (r: Json | undefined, where: string) => {
    if (r === undefined) return;
    try { re2(r.regex); } catch (e) { out.push(`${where}: ${(e as Error).message}`); }
    if (/\(\?P?<|\\[pPC]|\[\[:/.test(r.regex)) out.push(`${where}: named groups, \\p classes and POSIX classes are not translated from RE2`);
  };
  const headerValues = (list: Json[] | undefined, where: string) => {
    for (const [i, h] of (list ?? []).entries()) {
      const v: string = h.header?.value ?? "";
      const left = v.replace(FORMATTERS, "");
      if (left.includes("%")) out.push(`${where}[${i}]: the value ${JSON.stringify(v)} uses a formatter serve does not fill in (it knows %REQ(…)%, %DOWNSTREAM_REMOTE_ADDRESS[_WITHOUT_PORT]%, %PROTOCOL%, %UPSTREAM_HOST%, %HOSTNAME%)`);
    }
  };
  const mutations = (o: Json, where: string) => {
    headerValues(o.request_headers_to_add, `${where}.request_headers_to_add`);
    headerValues(o.response_headers_to_add, `${where}.response_headers_to_add`);
  };
  extra(config, CONFIG_FIELDS, "route_config");
  mutations(config, "route_config");
  for (const [vi, vh] of (config.virtual_hosts ?? []).entries()) {
    const vw = `route_config.virtual_hosts[${vi}]`;
    extra(vh, VHOST_FIELDS, vw);
    mutations(vh, vw);
    for (const [ri, rt] of (vh.routes ?? []).entries()) {
      const w = `${vw}.routes[${ri}]`;
      extra(rt, ROUTE_FIELDS, w);
      mutations(rt, w);
      const m: Json = rt.match ?? {};
      extra(m, ROUTE_MATCH, `${w}.match`);
      regex(m.safe_regex, `${w}.match.safe_regex`);
      for (const [hi, h] of (m.headers ?? []).entries()) regex(h.string_match?.safe_regex ?? h.safe_regex_match, `${w}.match.headers[${hi}]`);
      if (rt.route !== undefined) {
        extra(rt.route, ROUTE_ACTION, `${w}.route`);
        regex(rt.route.regex_rewrite?.pattern, `${w}.route.regex_rewrite.pattern`);
        if (rt.route.cluster !== undefined && !clusters.has(rt.route.cluster)) out.push(`${w}.route.cluster: '${rt.route.cluster}' is not a cluster serve can reach (a static cluster with an address, or --cluster NAME=HOST:PORT)`);
      } else if (rt.direct_response === undefined) {
        out.push(`${w}: only route (to a cluster) and direct_response actions are supported by wasmgate serve`);
      }
    }
  }
  return out;
}
