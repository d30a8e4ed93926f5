import { diff, normalise, section, type KeyedEntity } from '../../src/plan/diff.js';

const up = (name: string, spec: Record<string, unknown>): KeyedEntity => ({ kind: 'upstream', name, spec });
const route = (name: string, spec: Record<string, unknown> = {}): KeyedEntity => ({ kind: 'route', name, spec: { upstream: 'a', ...spec } });

describe('diff', () => {
  it('lists only the fields that changed, leaf by leaf', () => {
    const live = [up('a', { targets: [{ url: 'http://a:1', weight: 1 }], healthCheck: { path: '/h', interval: '5s' }, retries: 1 })];
    const desired = [up('a', { targets: [{ url: 'http://a:2', weight: 1 }], healthCheck: { path: '/h', interval: '10s' }, retries: 1, timeouts: { connect: '1s' } })];
    expect(diff(desired, live)).toEqual([
      {
        action: 'update',
        kind: 'upstream',
        name: 'a',
        before: live[0].spec,
        after: desired[0].spec,
        fields: [
          { path: 'healthCheck.interval', before: '5s', after: '10s' },
          { path: 'targets[0].url', before: 'http://a:1', after: 'http://a:2' },
          { path: 'timeouts', after: { connect: '1s' } },
        ],
      },
    ]);
  });

  it('treats arrays of scalars as one field', () => {
    const changes = diff([route('r', { methods: ['GET', 'POST'] })], [route('r', { methods: ['GET'] })]);
    expect(changes[0].fields).toEqual([{ path: 'methods', before: ['GET'], after: ['GET', 'POST'] }]);
  });

  it('orders creates and updates by dependency (upstreams, policies, consumers, routes), then deletes in reverse', () => {
    const desired: KeyedEntity[] = [route('r2'), route('r1', { upstream: 'b' }), { kind: 'consumer', name: 'c', spec: {} }, { kind: 'policy', name: 'p', spec: {} }, up('b', {}), up('a', { retries: 2 })];
    const live: KeyedEntity[] = [route('r1'), route('old'), up('a', { retries: 1 }), up('gone', {}), { kind: 'policy', name: 'gone', spec: {} }];
    expect(diff(desired, live).map((c) => `${c.action} ${c.kind}/${c.name}`)).toEqual([
      'update upstream/a',
      'create upstream/b',
      'create policy/p',
      'create consumer/c',
      'update route/r1',
      'create route/r2',
      'delete route/old',
      'delete policy/gone',
      'delete upstream/gone',
    ]);
  });

  it('never shows a value the gateway fills in as a change', () => {
    const defaults = { upstream: { retries: 0, loadBalancing: { policy: 'random' }, healthCheck: section({ passive: section({ failDuration: '30s' }) }) } };
    const live = [up('a', { retries: 0, loadBalancing: { policy: 'random' }, healthCheck: { path: '/h', passive: { failDuration: '30s' } } })];
    expect(diff([up('a', { healthCheck: { path: '/h', passive: {} } })], live, defaults)).toEqual([]);
    expect(diff([up('a', { retries: 3, healthCheck: { path: '/h', passive: {} } })], live, defaults)[0].fields).toEqual([{ path: 'retries', before: 0, after: 3 }]);
    // a section's defaults are filled only where the section is present
    expect(normalise({}, defaults.upstream)).toEqual({ retries: 0, loadBalancing: { policy: 'random' } });
    expect(normalise({ healthCheck: {} }, defaults.upstream)).toEqual({ retries: 0, loadBalancing: { policy: 'random' }, healthCheck: {} });
  });

  it('makes a rename a delete and a create', () => {
    expect(diff([up('new-name', { retries: 1 })], [up('old-name', { retries: 1 })]).map((c) => [c.action, c.name, c.before, c.after])).toEqual([
      ['create', 'new-name', null, { retries: 1 }],
      ['delete', 'old-name', { retries: 1 }, null],
    ]);
  });

  it('updates an entity edited by hand even when its recorded spec is unchanged', () => {
    expect(diff([up('a', { retries: 1 })], [{ ...up('a', { retries: 1 }), drift: 'edited by hand' }])).toEqual([
      { action: 'update', kind: 'upstream', name: 'a', before: { retries: 1 }, after: { retries: 1 }, fields: [], drift: 'edited by hand' },
    ]);
    expect(diff([up('a', { retries: 1 })], [up('a', { retries: 1 })])).toEqual([]);
  });
});
