/** Smoke-check expectations, JSON paths, which APIs a plan touches, and the rollback target from a history. */
import { changedApis, describeFailures, durationMs, unmet, valueAtPath, type CheckResult } from '../../src/deploy/checks.js';
import type { Desired } from '../../src/deploy/desired.js';
import { previousDeployment } from '../../src/deploy/rollback.js';
import type { Stamp } from '../../src/gateways/driver.js';
import type { Check } from '../../src/manifest/types.js';
import type { Plan } from '../../src/plan/plan.js';

const check = (expect: Check['expect']): Check => ({ name: 'c', request: { path: '/' }, expect });
const answer = (status: number, body: string, headers: Record<string, string> = {}) => ({ status, body, headers });

describe('smoke check expectations', () => {
  it('passes an answer that meets every expectation and lists each one it breaks', () => {
    const c = check({ status: 200, headers: { 'Content-Type': 'application/json' }, bodyContains: 'Rex', json: { '$.pets[0].name': 'Rex', '$.count': 1 } });
    expect(unmet(c, answer(200, '{"pets":[{"name":"Rex"}],"count":1}', { 'content-type': 'application/json' }))).toEqual([]);
    expect(unmet(c, answer(503, '{"pets":[],"count":0}', {}))).toEqual([
      'expected status 200, got 503',
      'expected header Content-Type: application/json, got none',
      'expected the body to contain "Rex"',
      'expected $.pets[0].name = "Rex", got nothing',
      'expected $.count = 1, got 0',
    ]);
    expect(unmet(check({ json: { '$.a': 1 } }), answer(200, '<html>'))).toEqual(['expected a JSON body, got something else']);
  });

  it('reads simple JSON paths and refuses what it does not understand', () => {
    const doc = { a: { 'b c': [10, { d: true }] }, e: null };
    expect(valueAtPath(doc, '$.a')).toEqual({ 'b c': [10, { d: true }] });
    expect(valueAtPath(doc, "$.a['b c'][1].d")).toBe(true);
    expect(valueAtPath(doc, 'a["b c"][0]')).toBe(10);
    expect(valueAtPath(doc, '$.e')).toBeNull();
    expect(valueAtPath(doc, '$.a.x.y')).toBeUndefined();
    expect(valueAtPath(doc, '$..d')).toBeUndefined();
    expect(valueAtPath(doc, '$.a[*]')).toBeUndefined();
  });

  it('reads durations as the manifest schema writes them', () => {
    expect([durationMs('500ms'), durationMs('2s'), durationMs('1.5s'), durationMs('1m'), durationMs('1h')]).toEqual([500, 2000, 1500, 60_000, 3_600_000]);
  });

  it('describes failed checks in one paragraph, naming request, attempts, problems and the last answer', () => {
    const r: CheckResult[] = [
      { api: 'pets', name: 'list', ok: false, attempts: 3, ms: 2100, request: 'GET http://127.0.0.1:1/v1/pets', problems: ['expected status 200, got 502'], got: '502 bad gateway' },
      { api: 'pets', name: 'one', ok: true, attempts: 1, ms: 10, request: 'GET http://127.0.0.1:1/v1/pets/1', problems: [], got: '200 {}' },
    ];
    expect(describeFailures(r)).toBe("smoke check 'list' of API 'pets' failed (GET http://127.0.0.1:1/v1/pets, 3 attempts over 2.1 s): expected status 200, got 502; last answer: 502 bad gateway");
    expect(describeFailures([r[1]])).toBeUndefined();
  });
});

describe('the APIs a plan touches', () => {
  const desired = {
    model: {
      state: {
        entities: [
          { kind: 'route', name: 'pets:/pets', spec: { api: 'pets', upstream: 'pets-up', policies: ['cors'] } },
          { kind: 'route', name: 'orders:/orders', spec: { api: 'orders', upstream: 'orders-up', policies: [] } },
          { kind: 'route', name: 'health', spec: { upstream: 'orders-up', policies: [] } },
        ],
      },
    },
  } as unknown as Desired;
  const plan = (changes: { action: string; kind: string; name: string; before?: unknown; after?: unknown }[]) => ({ changes }) as unknown as Plan;

  it('counts an API whose routes changed, or whose upstream or policies changed', () => {
    expect(changedApis(plan([{ action: 'update', kind: 'route', name: 'pets:/pets', after: { api: 'pets' } }]), desired)).toEqual(['pets']);
    expect(changedApis(plan([{ action: 'update', kind: 'upstream', name: 'orders-up' }]), desired)).toEqual(['orders']);
    expect(changedApis(plan([{ action: 'update', kind: 'policy', name: 'cors' }]), desired)).toEqual(['pets']);
    expect(changedApis(plan([{ action: 'delete', kind: 'route', name: 'old:/x', before: { api: 'old' } }]), desired)).toEqual(['old']);
    expect(changedApis(plan([{ action: 'update', kind: 'server', name: 'gitway' }]), desired)).toEqual(['orders', 'pets']);
    expect(changedApis(plan([{ action: 'update', kind: 'upstream', name: 'unused' }]), desired)).toEqual([]);
  });
});

describe('the deployment a rollback returns to by default', () => {
  const stamp = (commit: string | null, result: Stamp['result'] = 'applied', extra: Partial<Stamp> = {}): Stamp =>
    ({ id: `${commit}-${result}`, action: 'apply', result, commit, source: commit ? 'commit' : 'worktree', tree: null, config: '', time: '', actor: '', gitway: '', environment: 'e', summary: { add: 0, change: 0, destroy: 0 }, ...extra }) as Stamp;

  it('is the newest applied deployment of another state older than the live one, passing over what cannot be read back', () => {
    expect(previousDeployment([stamp('c3'), stamp('x', 'failed'), stamp('c3'), stamp('c2'), stamp('c1')])).toEqual({ live: stamp('c3'), previous: stamp('c2'), skipped: [] });
    // a failed attempt on top: what is live is the applied one below it
    expect(previousDeployment([stamp('c9', 'failed'), stamp('c2'), stamp('c1')]).previous).toEqual(stamp('c1'));
    // uncommitted or index deployments cannot be returned to: passed over, and said so
    const dirty = stamp('c1', 'applied', { dirty: true, id: 'd' });
    expect(previousDeployment([stamp('c2'), dirty, stamp(null), stamp('c0')])).toEqual({ live: stamp('c2'), previous: stamp('c0'), skipped: [dirty, stamp(null)] });
    // live: uncommitted changes on c5; the clean deployment of c5 before it is another state
    const clean = stamp('c5', 'applied', { id: 'clean', config: 'sha256:clean' });
    expect(previousDeployment([stamp('c5', 'applied', { dirty: true, source: 'worktree', config: 'sha256:dirty' }), clean]).previous).toEqual(clean);
    expect(previousDeployment([stamp('c1')])).toEqual({ live: stamp('c1'), previous: undefined, skipped: [] });
    expect(previousDeployment([])).toEqual({ skipped: [] });
  });
});
