/**
 * Smoke checks: the `checks` of the APIs an apply changed, sent through the environment's proxy
 * after the write verified. Each check is retried until its deadline (a gateway and its upstreams
 * take a moment: health checks, connection pools), and passes when one answer meets every
 * expectation: status, headers, body contains, JSON path equals.
 */
import { isDeepStrictEqual } from 'node:util';
import { UsageError } from '../errors.js';
import { probe, type ProbeAnswer } from '../gateways/probe.js';
import type { Check, Manifest } from '../manifest/types.js';
import type { Plan } from '../plan/plan.js';
import type { Desired } from './desired.js';
import { parseDuration } from '../model/duration.js';

export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;
const INTERVAL_MS = 250;

export interface CheckResult {
  api: string;
  name: string;
  ok: boolean;
  attempts: number;
  ms: number;
  /** method and URL sent */
  request: string;
  /** What the last answer broke (empty when ok). */
  problems: string[];
  /** The last answer: status and the start of the body (or the connection error). */
  got: string;
}

/** The APIs a plan touches: their routes changed, or an upstream, policy or consumer they use did. */
export function changedApis(plan: Plan, desired: Desired): string[] {
  const routes = desired.model.state.entities.filter((e) => e.kind === 'route') as { name: string; spec: { api?: string; upstream: string; policies: string[] } }[];
  const out = new Set<string>();
  const changed = (kind: string) => new Set(plan.changes.filter((c) => c.kind === kind).map((c) => c.name));
  const ups = changed('upstream');
  const pols = changed('policy');
  const anyConsumer = changed('consumer').size > 0;
  const anyServer = changed('server').size > 0;
  for (const c of plan.changes) {
    if (c.kind !== 'route') continue;
    for (const side of [c.before, c.after] as ({ api?: string } | undefined)[]) if (side?.api) out.add(side.api);
  }
  for (const r of routes) {
    if (!r.spec.api) continue;
    if (anyServer || ups.has(r.spec.upstream) || r.spec.policies.some((p) => pols.has(p)) || (anyConsumer && r.spec.policies.length > 0)) out.add(r.spec.api);
  }
  return [...out].sort();
}

export interface SmokeOptions {
  /** Returns the signal's name once the user interrupted: the checks stop and fail. */
  interrupted?: () => string | undefined;
  /** Called after each check with its result. */
  onResult?: (r: CheckResult) => void;
}

/**
 * The API manifests whose checks an apply of `apis` runs, refusing (before anything is written)
 * when there are checks but no proxy to send them to.
 */
export function plannedChecks(desired: Desired, apis: readonly string[]): { proxy?: string; manifests: Manifest<'API'>[] } {
  const manifests = desired.project.manifests.filter((m): m is Manifest<'API'> => m.kind === 'API' && apis.includes(m.name) && (m.spec.checks?.length ?? 0) > 0);
  const proxy = desired.environment.proxy;
  if (manifests.length && !proxy) {
    throw new UsageError(
      `environment '${desired.environment.name}' has no proxy URL, so the smoke checks of ${manifests.map((m) => `API '${m.name}'`).join(', ')} cannot be sent; nothing was written`,
      'Add proxy: http://host:port (where the gateway serves traffic) to the environment in gitway.yaml, or apply without --auto-rollback.',
    );
  }
  return { proxy, manifests };
}

/**
 * Runs the checks of `apis` against the environment's proxy, one after another, and stops at the
 * first that fails (the previous state goes back as soon as one check has failed). Resolves to the
 * results so far; never throws for a failed check.
 */
export async function runChecks(desired: Desired, apis: readonly string[], options: SmokeOptions = {}): Promise<CheckResult[]> {
  const { proxy, manifests } = plannedChecks(desired, apis);
  const results: CheckResult[] = [];
  for (const api of manifests) {
    for (const check of api.spec.checks ?? []) {
      const r = await runCheck(proxy as string, api, check, options);
      results.push(r);
      options.onResult?.(r);
      if (!r.ok) return results;
    }
  }
  return results;
}

async function runCheck(proxy: string, api: Manifest<'API'>, check: Check, options: SmokeOptions): Promise<CheckResult> {
  const started = Date.now();
  const deadline = started + (check.timeout ? durationMs(check.timeout) : DEFAULT_CHECK_TIMEOUT_MS);
  const method = (check.request.method ?? 'GET').toUpperCase();
  const url = proxy.replace(/\/+$/, '') + check.request.path;
  const headers: Record<string, string> = {};
  // The API's first host that names one machine (a wildcard cannot be sent); a check's own Host header wins.
  const host = api.spec.hosts?.find((h) => !h.includes('*'));
  if (host) headers.host = host;
  for (const [k, v] of Object.entries(check.request.headers ?? {})) headers[k.toLowerCase()] = String(v);
  let body: string | undefined;
  if (check.request.body !== undefined) {
    body = typeof check.request.body === 'string' ? check.request.body : JSON.stringify(check.request.body);
    if (typeof check.request.body !== 'string') headers['content-type'] ??= 'application/json';
  }
  let attempts = 0;
  let problems: string[] = [];
  let got = '';
  for (;;) {
    attempts++;
    const answer = await probe({ url, method, headers, body, timeoutMs: Math.max(500, Math.min(5000, deadline - Date.now())) });
    if ('error' in answer) {
      problems = [`no answer (${answer.error})`];
      got = answer.error;
    } else {
      problems = unmet(check, answer);
      got = `${answer.status} ${snippet(answer.body)}`.trim();
    }
    const stop = options.interrupted?.();
    if (problems.length === 0 || stop || Date.now() + INTERVAL_MS >= deadline) {
      if (stop && problems.length) problems = [...problems, `interrupted (${stop})`];
      return { api: api.name, name: check.name, ok: problems.length === 0, attempts, ms: Date.now() - started, request: `${method} ${url}`, problems, got };
    }
    await new Promise((r) => setTimeout(r, INTERVAL_MS));
  }
}

/** What an answer does not meet, one line each. */
export function unmet(check: Check, answer: ProbeAnswer): string[] {
  const e = check.expect;
  const out: string[] = [];
  if (e.status !== undefined && answer.status !== e.status) out.push(`expected status ${e.status}, got ${answer.status}`);
  // Without an expected status, a check still wants a success: a 502 from a dead upstream never passes.
  if (e.status === undefined && (answer.status < 200 || answer.status > 299)) out.push(`expected a 2xx status, got ${answer.status}`);
  for (const [name, value] of Object.entries(e.headers ?? {})) {
    const actual = answer.headers[name.toLowerCase()];
    if (actual !== String(value)) out.push(`expected header ${name}: ${String(value)}, got ${actual === undefined ? 'none' : actual}`);
  }
  if (e.bodyContains !== undefined && !answer.body.includes(e.bodyContains)) out.push(`expected the body to contain ${JSON.stringify(e.bodyContains)}`);
  if (e.json && Object.keys(e.json).length) {
    let doc: unknown;
    try {
      doc = JSON.parse(answer.body);
    } catch {
      out.push('expected a JSON body, got something else');
      return out;
    }
    for (const [p, want] of Object.entries(e.json)) {
      const actual = valueAtPath(doc, p);
      if (!isDeepStrictEqual(actual, want)) out.push(`expected ${p} = ${JSON.stringify(want)}, got ${actual === undefined ? 'nothing' : JSON.stringify(actual)}`);
    }
  }
  return out;
}

/** The value at a simple JSON path: `$.a.b[0]`, `$['a b'].c`, or `a.b` (no filters or wildcards). */
export function valueAtPath(doc: unknown, p: string): unknown {
  const parts: (string | number)[] = [];
  const re = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[(?:'([^']*)'|"([^"]*)")\]|^([A-Za-z_][\w$-]*)/g;
  const body = p.startsWith('$') ? p.slice(1) : p;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(body))) {
    if (m.index !== consumed) return undefined;
    consumed = m.index + m[0].length;
    parts.push(m[2] !== undefined ? Number(m[2]) : (m[1] ?? m[3] ?? m[4] ?? m[5]) as string);
  }
  if (consumed !== body.length) return undefined;
  let v = doc;
  for (const part of parts) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[part];
  }
  return v;
}

export function durationMs(text: string): number {
  return parseDuration(text) ?? DEFAULT_CHECK_TIMEOUT_MS;
}

function snippet(body: string): string {
  const one = body.replace(/\s+/g, ' ').trim();
  return one.length > 160 ? `${one.slice(0, 160)}…` : one;
}

/** One paragraph on the failed checks, for the error and the stamp. */
export function describeFailures(results: readonly CheckResult[]): string | undefined {
  const failed = results.filter((r) => !r.ok);
  if (!failed.length) return undefined;
  return failed
    .map((r) => `smoke check '${r.name}' of API '${r.api}' failed (${r.request}, ${r.attempts} attempt${r.attempts === 1 ? '' : 's'} over ${(r.ms / 1000).toFixed(1)} s): ${r.problems.join('; ')}; last answer: ${r.got || 'none'}`)
    .join('; ');
}
