// The shared request → expected-outcome cases (tests/scenarios/*.json, DESIGN.md §1 "scenarios"): their
// types and the one check both suites apply — the host suite to what the host returns, the Envoy suite
// to what go-httpbin echoes and the client receives through Envoy.
import { readFileSync } from "node:fs";
import assert from "node:assert/strict";

export interface Scenario {
  name: string;
  request: { method: string; path: string; headers: [string, string][] };
  /** What the host's upstream answers (Envoy's is go-httpbin, by path). */
  upstreamResponse?: { status: number };
  expect: {
    status: number;
    /** Request header name → the values the upstream received, in order; null: absent. */
    upstream?: { headers: Record<string, string[] | null> };
    /** Response header name → the value the client got; null: absent. */
    response?: { headers: Record<string, string | null> };
    /** Counter → how much the request moved it. */
    metrics?: Record<string, number>;
  };
}

export interface ScenarioFile { description: string; config: object; cases: Scenario[] }

export function loadScenarios(file: string): ScenarioFile {
  return JSON.parse(readFileSync(file, "utf8"));
}

/** What one run of a scenario showed, however it was obtained. */
export interface Observed {
  status: number;
  /** The upstream's request headers (lookup by lower-case name); undefined when not forwarded. */
  upstream?: (name: string) => string[] | undefined;
  response: (name: string) => string | null;
  metric?: (name: string) => number;
}

export function checkScenario(s: Scenario, o: Observed): void {
  assert.equal(o.status, s.expect.status, `${s.name}: status`);
  for (const [name, want] of Object.entries(s.expect.upstream?.headers ?? {})) {
    assert.ok(o.upstream, `${s.name}: the request reached the upstream`);
    assert.deepEqual(o.upstream(name) ?? null, want, `${s.name}: upstream ${name}`);
  }
  for (const [name, want] of Object.entries(s.expect.response?.headers ?? {})) {
    assert.equal(o.response(name), want, `${s.name}: response ${name}`);
  }
  for (const [name, want] of Object.entries(s.expect.metrics ?? {})) {
    if (o.metric) assert.equal(o.metric(name), want, `${s.name}: metric ${name}`);
  }
}
