// headers: add, set, remove, rename, copy and rewrite request and response headers, query
// parameters, the path and the host, on conditions, with values computed from the request.
// Order (README.md "Order of operations"): owned request headers are stripped; request rules run
// in config order, each operation in list order; the :path is written once after them. Conditions
// and templates read the request as it arrived (after stripping); operations read and write the
// headers as the earlier operations left them. Response rules run the same way on the response;
// whatever they need from the request is captured during the request phase.
import {
  Counter, FilterHeadersStatus, LogLevel, RootContext, StreamContext, getPropertyString,
  log, registerRootContext, requestHeaders, responseHeaders,
} from "../../assembly/sdk";
import { Problems } from "../../assembly/lib/configReader";
import { RequestOptions, RequestView } from "../../assembly/lib/request";
import { HeadersConfig, Op, Rule, parseConfig } from "./config";
import { entries, first, mirror, remove, share } from "./mirror";
import { HeadersResolver, applied, applyOp, beginPhase, flushPath, rejected, requestHolds, skipRule, skipped } from "./apply";
export * from "../../assembly/sdk/exports/core";

const EMPTY_VIEW = new RequestView();

class HeadersRoot extends RootContext {
  config: HeadersConfig = new HeadersConfig();
  options: RequestOptions = new RequestOptions();
  applied: Counter | null = null;
  skipped: Counter | null = null;
  rejected: Counter | null = null;
  /** Some response rule uses the request (a condition or a template): the request phase captures it. */
  captures: bool = false;
  /** Some request rule has a condition, a template or a path/query operation: the phase builds a request view. */
  needsView: bool = false;
  /** Template sources for the request being handled (one phase runs at a time). */
  resolver: HeadersResolver = new HeadersResolver(EMPTY_VIEW);

  onConfigure(configuration: ArrayBuffer): bool {
    const problems = new Problems();
    const cfg = parseConfig(configuration, problems);
    if (cfg === null) {
      log(LogLevel.Error, "headers: " + problems.first);
      return false;
    }
    this.config = cfg;
    let captures = false;
    for (let i = 0; i < cfg.response.length; i++) if (unchecked(cfg.response[i]).usesRequest) captures = true;
    this.captures = captures;
    this.needsView = captures || needsRequestView(cfg.request);
    const o = new RequestOptions();
    o.trustedHops = cfg.trustedHops;
    this.options = o;
    if (this.applied === null) {
      this.applied = new Counter("wasmgate.headers.ops_applied");
      this.skipped = new Counter("wasmgate.headers.rules_skipped");
      this.rejected = new Counter("wasmgate.headers.writes_rejected");
    }
    return true;
  }

  createStreamContext(id: u32): StreamContext | null {
    return new HeadersStream(id, this);
  }

  /** Adds what a stream did to the counters (once, when the stream is done: one host call). */
  count(s: HeadersStream): void {
    bump(this.applied, s.applied);
    bump(this.skipped, s.skipped);
    bump(this.rejected, s.rejected);
  }
}

class HeadersStream extends StreamContext {
  /** Response rules: whether the request-side part of each rule's condition held. */
  held: i32[] | null = null;
  /** Response rules: template values captured during the request phase, by slot. */
  captured: string[] | null = null;
  /** What this stream did so far (counted in onDone). */
  applied: i32 = 0;
  skipped: i32 = 0;
  rejected: i32 = 0;

  constructor(id: u32, readonly plugin: HeadersRoot) { super(id, plugin); }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const cfg = this.plugin.config;
    if (!cfg.requestPhase) return FilterHeadersStatus.Continue;
    mirror(requestHeaders);
    const needsView = this.plugin.needsView;
    // Read the map first when the view needs it anyway, or when owned headers are stripped (an
    // absent one then costs no host call); otherwise operations read it only if they must.
    if (needsView || cfg.owned.length > 0) entries();
    for (let i = 0, n = cfg.owned.length; i < n; i++) remove(unchecked(cfg.owned[i]));
    let view = EMPTY_VIEW;
    if (needsView) {
      const peer = cfg.needsClientIp ? getPropertyString(["source", "address"]) : null;
      view = RequestView.over(null, null, null, share(), peer !== null ? peer : "", this.plugin.options);
    }
    const resolver = this.plugin.resolver;
    resolver.request = view;
    beginPhase(needsView ? view : null, cfg.maxValueBytes);

    const rules = cfg.request;
    for (let i = 0, n = rules.length; i < n; i++) {
      const rule = unchecked(rules[i]);
      if (!requestHolds(rule, view)) { skipRule(); continue; }
      for (let k = 0, nk = rule.ops.length; k < nk; k++) {
        const op = unchecked(rule.ops[k]);
        const c = op.constant, t = op.value;
        applyOp(op, c !== null ? c : t !== null ? t.render(resolver) : null);
      }
    }
    flushPath();

    const resp = cfg.response;
    if (this.plugin.captures) {
      const held = new Array<i32>(resp.length);
      const captured = new Array<string>(cfg.slots);
      for (let i = 0, n = resp.length; i < n; i++) {
        const rule = unchecked(resp[i]);
        const ok = !rule.usesRequest || requestHolds(rule, view);
        unchecked(held[i] = <i32>ok);
        if (!ok) continue;
        for (let k = 0, nk = rule.ops.length; k < nk; k++) {
          const op = unchecked(rule.ops[k]);
          const t = op.value; // set whenever slot is (config.ts)
          if (op.slot >= 0 && t !== null) unchecked(captured[op.slot] = t.render(resolver));
        }
      }
      this.held = held;
      this.captured = captured;
    }
    this.tally();
    return FilterHeadersStatus.Continue;
  }

  /** Adds the phase that just ran to this stream's counts. */
  tally(): void {
    this.applied += applied;
    this.skipped += skipped;
    this.rejected += rejected;
  }

  onDone(): void {
    if (this.applied + this.skipped + this.rejected > 0) this.plugin.count(this);
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const cfg = this.plugin.config;
    const rules = cfg.response;
    if (rules.length == 0) return FilterHeadersStatus.Continue;
    mirror(responseHeaders);
    beginPhase(null, cfg.maxValueBytes);
    const held = this.held;
    const captured = this.captured;
    for (let i = 0, n = rules.length; i < n; i++) {
      const rule = unchecked(rules[i]);
      if (!responseHolds(rule, held, i)) { skipRule(); continue; }
      for (let k = 0, nk = rule.ops.length; k < nk; k++) {
        const op = unchecked(rule.ops[k]);
        const c = op.constant;
        applyOp(op, c !== null ? c : (op.slot >= 0 && captured !== null ? <string | null>unchecked(captured[op.slot]) : null));
      }
    }
    this.tally();
    return FilterHeadersStatus.Continue;
  }
}

/** The leading decimal digits of a :status value (0 when there are none). */
function parseStatusCode(s: string): i32 {
  let n = 0;
  for (let i = 0, len = s.length; i < len && i < 9; i++) {
    const d = <i32>s.charCodeAt(i) - 48;
    if (<u32>d > 9) break;
    n = n * 10 + d;
  }
  return n;
}

function responseHolds(rule: Rule, held: i32[] | null, i: i32): bool {
  // A rule that needs the request cannot hold when the request phase did not run (a local reply
  // sent before this filter saw the request).
  if (rule.usesRequest && (held === null || !unchecked(held[i]))) return false;
  const st = rule.status;
  if (st.length > 0) {
    const status = parseStatusCode(str(first(":status")));
    let any = false;
    for (let k = 0; k < st.length; k += 2) if (status >= unchecked(st[k]) && status <= unchecked(st[k + 1])) { any = true; break; }
    if (!any) return false;
  }
  const hs = rule.responseHeaders;
  for (let k = 0, n = hs.length; k < n; k++) {
    const nm = unchecked(hs[k]);
    if (!nm.matcher.matches(first(nm.name))) return false;
  }
  return true;
}

function bump(c: Counter | null, n: i32): void {
  if (n > 0 && c !== null) c.increment(n);
}

function str(s: string | null): string { return s !== null ? s : ""; }

registerRootContext((id: u32): RootContext => new HeadersRoot(id));

/** Whether request rules read the request through a view (conditions, templates, path and query operations). */
function needsRequestView(rules: Rule[]): bool {
  for (let i = 0, n = rules.length; i < n; i++) {
    const r = unchecked(rules[i]);
    if (r.match !== null || r.consumer !== null || r.claims.length > 0) return true;
    for (let k = 0, nk = r.ops.length; k < nk; k++) {
      const op = unchecked(r.ops[k]);
      if ((op.value !== null && op.constant === null) || op.op >= Op.QuerySet && op.op <= Op.PathRegex) return true;
    }
  }
  return false;
}
