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
import { listItem } from "../../assembly/lib/json";
import { Msg, msg } from "../../assembly/lib/messages";
import { RequestView, joinedValues } from "../../assembly/lib/request";
import { HeadersConfig, Rule, parseConfig } from "./config";
import { all, entries, first, mirror, remove, share } from "./mirror";
import { EMPTY_VIEW, applied, applyOp, beginPhase, flushPath, isNull, rejected, requestHolds, resolver, skipRule, skipped, str } from "./apply";
// The SDK's core callback set without proxy_on_log: the filter does nothing at log time, and Envoy
// skips a callback the module does not export (one call into the module fewer per request).
export {
  proxy_abi_version_0_2_1, proxy_on_memory_allocate, proxy_on_context_create, proxy_on_vm_start,
  proxy_on_configure, proxy_on_done, proxy_on_delete, proxy_on_request_headers, proxy_on_response_headers,
} from "../../assembly/sdk/exports/core";
import { Name, name } from "../../assembly/lib/names";
import { newArray } from "../../assembly/lib/emptyArray";


// How HeadersStream#run treats the rules it is given.
const enum Mode { Request, Capture, Response }

class HeadersRoot extends RootContext {
  /** null until configured (a stream then does nothing, as with an empty configuration). */
  config: HeadersConfig | null = null;
  applied: Counter | null = null;
  skipped: Counter | null = null;
  rejected: Counter | null = null;

  onConfigure(configuration: ArrayBuffer): bool {
    const problems = new Problems();
    const cfg = parseConfig(configuration, problems);
    if (cfg === null) {
      log(LogLevel.Error, msg(Msg.HeadersLogPrefix) + problems.first);
      return false;
    }
    this.config = cfg;
    if (this.applied === null) {
      // (the names as one ASCII text: cheaper than three UTF-16 literals)
      this.applied = new Counter(listItem(msg(Msg.HeadersMetrics), 0));
      this.skipped = new Counter(listItem(msg(Msg.HeadersMetrics), 1));
      this.rejected = new Counter(listItem(msg(Msg.HeadersMetrics), 2));
    }
    return true;
  }

  createStreamContext(id: u32): StreamContext | null {
    return new HeadersStream(id, this, this.config);
  }

  /** Adds what a stream did to the counters (once, when the stream is done: one host call). */
  count(s: HeadersStream): void {
    bump(this.applied, s.applied);
    bump(this.skipped, s.skipped);
    bump(this.rejected, s.rejected);
  }
}

class HeadersStream extends StreamContext {
  /**
   * Response rules, by slot (config.ts): "" where a rule's request-side condition held (a null
   * entry where it did not: read with unchecked, and tested with isNull), and the template values
   * captured during the request phase.
   */
  captured: string[] | null = null;

  /** What this stream did so far (counted in onDone). */
  applied: i32 = 0;
  skipped: i32 = 0;
  rejected: i32 = 0;

  constructor(
    id: u32, plugin: HeadersRoot,
    /**
     * The configuration this stream started with (its root's): both phases use it, so the captures
     * of the request phase always fit the response rules that read them, even if the root were
     * configured again. (A parameter property: a field declared apart is stored twice, zero first.)
     */
    readonly config: HeadersConfig | null,
  ) { super(id, plugin); }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const cfg = this.config;
    if (cfg === null || cfg.request.length == 0 && !cfg.captures) return FilterHeadersStatus.Continue;
    mirror(requestHeaders);
    const needsView = cfg.needsView;
    // Read the map first when the view needs it anyway, or when owned headers are stripped (an
    // absent one then costs no host call); otherwise operations read it only if they must.
    if (needsView || cfg.owned.length > 0) entries();
    for (let i = 0, n = cfg.owned.length; i < n; i++) remove(unchecked(cfg.owned[i]));
    let view = EMPTY_VIEW;
    if (needsView) {
      const peer = cfg.needsClientIp ? getPropertyString([name(Name.Source), name(Name.Address)]) : null;
      view = RequestView.over(null, null, null, share(), str(peer), cfg.options);
    }
    resolver.request = view;
    beginPhase(needsView ? view : null, cfg.maxValueBytes);
    this.run(cfg.request, Mode.Request, view);
    flushPath();
    if (cfg.captures) {
      this.captured = newArray<string[]>(cfg.slots);
      this.run(cfg.response, Mode.Capture, view);
    }
    this.tally();
    return FilterHeadersStatus.Continue;
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const cfg = this.config;
    if (cfg === null || cfg.response.length == 0) return FilterHeadersStatus.Continue;
    const rules = cfg.response;
    mirror(responseHeaders);
    beginPhase(null, cfg.maxValueBytes);
    this.run(rules, Mode.Response, EMPTY_VIEW);
    this.tally();
    return FilterHeadersStatus.Continue;
  }

  /**
   * Runs `rules`: applies the operations of each rule whose condition holds (Request, Response),
   * or records the request-side part of response rules (Capture).
   */
  run(rules: Rule[], mode: Mode, view: RequestView): void {
    const captured = this.captured;
    for (let i = 0, n = rules.length; i < n; i++) {
      const rule = unchecked(rules[i]);
      if (mode == Mode.Capture) {
        if (!rule.usesRequest || !requestHolds(rule, view)) continue;
        unchecked(changetype<string[]>(captured)[rule.slot] = "");
      } else if (!(mode == Mode.Response ? responseHolds(rule, captured) : requestHolds(rule, view))) { skipRule(); continue; }
      for (let k = 0, nk = rule.ops.length; k < nk; k++) {
        const op = unchecked(rule.ops[k]);
        const c = op.constant, t = op.value, slot = op.slot;
        // The value: a constant, the one captured for a response rule, or the template rendered now
        // (a response rule's template has a slot: config.ts).
        const value = !isNull(c) ? c
          // (a slot means the rule uses the request: it held, so the request phase ran and captured)
          : mode == Mode.Response ? (slot >= 0 ? unchecked(changetype<string[]>(captured)[slot]) : null)
          : t !== null ? t.render(resolver) : null;
        if (mode != Mode.Capture) applyOp(op, value);
        else if (slot >= 0) unchecked(changetype<string[]>(captured)[slot] = changetype<string>(value));
      }
    }
  }

  /** Adds the phase that just ran to this stream's counts. */
  tally(): void {
    this.applied += applied;
    this.skipped += skipped;
    this.rejected += rejected;
  }

  onDone(): void {
    changetype<HeadersRoot>(this.root).count(this); // (each counter only when its count is not 0)
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

function responseHolds(rule: Rule, captured: string[] | null): bool {
  // A rule that needs the request cannot hold when the request phase did not run (a local reply
  // sent before this filter saw the request), or when its request-side condition did not hold.
  if (rule.usesRequest && (captured === null || isNull(unchecked(captured[rule.slot])))) return false;
  const st = rule.status;
  const ns = st.length;
  if (ns > 0) {
    const status = parseStatusCode(str(first(name(Name.Status))));
    let k = 0;
    while (k < ns && (status < unchecked(st[k]) || status > unchecked(st[k + 1]))) k += 2;
    if (k >= ns) return false; // in none of the ranges
  }
  const hs = rule.responseHeaders;
  for (let k = 0, n = hs.length; k < n; k++) {
    const nm = unchecked(hs[k]);
    if (!nm.matcher.matches(joinedValues(all(nm.name)))) return false;
  }
  return true;
}

function bump(c: Counter | null, n: i32): void {
  if (n > 0 && c !== null) c.increment(n);
}

registerRootContext((id: u32): RootContext => new HeadersRoot(id));
