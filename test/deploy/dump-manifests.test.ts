/**
 * The pure conversion of `gitway dump`: live entities (as a gateway's metadata holds them, secrets
 * as hashes) → manifests and reconstructed OpenAPI documents. No gateway here: the live side is
 * written out as the Caddy driver reads it back.
 */
import { parse, parseAllDocuments } from 'yaml';
import { adopt, variableName, type Adoption } from '../../src/deploy/dump-manifests.js';
import { sha256 } from '../../src/model/fingerprint.js';
import type { KeyedEntity } from '../../src/plan/diff.js';
import { renderDumpJson, renderDumpSkipped, renderDumpText } from '../../src/report/dump.js';
import type { DumpOutcome } from '../../src/deploy/dump.js';

const PASSWORD = sha256('pw-alice');
const KEY = sha256('key-alice');

/** What live-repo.ts's repository is once applied, as the Caddy driver reads it back. */
function live(): KeyedEntity[] {
  return [
    { kind: 'server', name: 'gitway', spec: { listen: ['127.0.0.1:9000'] } },
    { kind: 'upstream', name: 'pool', spec: { targets: [{ url: 'http://127.0.0.1:7001', weight: 1 }, { url: 'http://127.0.0.1:7002', weight: 3 }], loadBalancing: { policy: 'round-robin' }, healthCheck: { path: '/health', interval: '500ms', timeout: '1s', expectedStatus: 200 } } },
    { kind: 'upstream', name: 'solo', spec: { targets: [{ url: 'http://127.0.0.1:7003', weight: 1 }] } },
    { kind: 'policy', name: 'basic-auth', spec: { type: 'auth', config: { type: 'basic' } } },
    { kind: 'policy', name: 'cors', spec: { type: 'cors', config: { origins: ['https://app.example.com'], methods: ['GET', 'POST'], maxAge: 600 } } },
    { kind: 'consumer', name: 'alice', spec: { credentials: [{ type: 'basic', username: 'alice', password: PASSWORD }, { type: 'key', key: KEY }] } },
    { kind: 'route', name: 'basic', spec: { hosts: [], methods: [], paths: [{ match: 'prefix', path: '/basic' }], upstream: 'solo', policies: ['basic-auth'] } },
    { kind: 'route', name: 'exact', spec: { hosts: ['api.example.com'], methods: ['GET'], paths: [{ match: 'exact', path: '/ping' }, { match: 'regex', path: '^/v[0-9]+/ping$' }], stripPath: true, upstream: 'solo', policies: [] } },
    { kind: 'route', name: 'echo:/items', spec: { api: 'echo', operations: ['listItems', 'createItem'], hosts: [], methods: ['GET', 'POST'], paths: [{ match: 'template', path: '/echo/items' }], stripPrefix: '/echo', upstream: 'pool', policies: ['cors'] } },
    { kind: 'route', name: 'echo:/items/{id}', spec: { api: 'echo', operations: ['getItem'], hosts: [], methods: ['GET'], paths: [{ match: 'template', path: '/echo/items/{id}' }], stripPrefix: '/echo', upstream: 'pool', policies: ['cors'] } },
  ];
}

const options = { environment: 'live', where: 'http://127.0.0.1:2019', listen: ['127.0.0.1:9000'] };

function file(a: Adoption, path: string): string {
  const f = a.files.find((x) => x.path === path);
  if (!f) throw new Error(`no ${path} in ${a.files.map((x) => x.path).join(', ')}`);
  return f.text;
}

function docs(text: string): { kind: string; metadata: { name: string }; spec: Record<string, unknown> }[] {
  return parseAllDocuments(text).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec: Record<string, unknown> });
}

describe('adopt (live entities → repository files)', () => {
  it('writes one file per kind and one OpenAPI document per API, and round-trips exactly', () => {
    const a = adopt(live(), options);
    expect(a.files.map((f) => f.path)).toEqual(['gateway/upstreams.yaml', 'gateway/policies.yaml', 'gateway/consumers.yaml', 'gateway/apis.yaml', 'gateway/routes.yaml', 'apis/echo.yaml']);
    expect(a.counts).toEqual({ Upstream: 2, Policy: 2, Consumer: 1, API: 1, Route: 2 });
    // only what is not on the gateway: nothing inexact, nothing unexpressible
    expect(a.skipped).toEqual([{ category: 'not-on-gateway', subject: 'smoke checks (API spec.checks)', reason: expect.stringContaining('not stored on the gateway') }]);
    for (const f of a.files.filter((x) => x.path.startsWith('gateway/'))) {
      for (const d of docs(f.text)) expect(d).toMatchObject({ apiVersion: 'gitway/v1', kind: expect.any(String), metadata: { name: expect.any(String) } });
    }
  });

  it('inverts upstreams, policies and routes into the manifests a team would write', () => {
    const a = adopt(live(), options);
    expect(docs(file(a, 'gateway/upstreams.yaml'))[0].spec).toEqual({
      targets: [{ url: 'http://127.0.0.1:7001' }, { url: 'http://127.0.0.1:7002', weight: 3 }],
      loadBalancing: { policy: 'round-robin' },
      healthCheck: { path: '/health', interval: '500ms', timeout: '1s', expectedStatus: 200 },
    });
    expect(docs(file(a, 'gateway/policies.yaml')).map((d) => [d.metadata.name, d.spec])).toEqual([
      ['basic-auth', { auth: { type: 'basic' } }],
      ['cors', { cors: { origins: ['https://app.example.com'], methods: ['GET', 'POST'], maxAge: 600 } }],
    ]);
    expect(docs(file(a, 'gateway/routes.yaml')).map((d) => [d.metadata.name, d.spec])).toEqual([
      ['basic', { paths: [{ path: '/basic', match: 'prefix' }], upstream: 'solo', policies: ['basic-auth'] }],
      ['exact', { hosts: ['api.example.com'], paths: [{ path: '/ping', match: 'exact' }, { path: '^/v[0-9]+/ping$', match: 'regex' }], methods: ['GET'], stripPath: true, upstream: 'solo' }],
    ]);
    // keys in the order a person writes them, not the gateway's sorted order
    expect(file(a, 'gateway/upstreams.yaml')).toContain(
      ['spec:', '  targets:', '    - url: http://127.0.0.1:7001', '    - url: http://127.0.0.1:7002', '      weight: 3', '  loadBalancing:', '    policy: round-robin', '  healthCheck:', '    path: /health', '    interval: 500ms', '    timeout: 1s', '    expectedStatus: 200', ''].join('\n'),
    );
    expect(file(a, 'gateway/routes.yaml')).toContain(['spec:', '  hosts:', '    - api.example.com', '  paths:', '    - path: /ping', '      match: exact'].join('\n'));
  });

  it('names a secret outside a consumer after its entity and key, and round-trips it', () => {
    const entities = live();
    entities.push({ kind: 'policy', name: 'upstream-auth', spec: { type: 'headers', config: { request: { set: { 'X-Api-Token': sha256('Bearer t0ken') } } } } });
    const a = adopt(entities, options);
    expect(a.variables.map((v) => `${v.name} ${v.entity} ${v.field}`)).toContain('UPSTREAM_AUTH_X_API_TOKEN policy/upstream-auth headers.request.set.X-Api-Token');
    expect(docs(file(a, 'gateway/policies.yaml')).find((d) => d.metadata.name === 'upstream-auth')?.spec).toEqual({ headers: { request: { set: { 'X-Api-Token': '${env.UPSTREAM_AUTH_X_API_TOKEN}' } } } });
    expect(a.skipped.filter((s) => s.category !== 'not-on-gateway')).toEqual([]);
  });

  it('turns an API’s routes back into an API manifest and a minimal OpenAPI 3.0 document', () => {
    const a = adopt(live(), { ...options, openapiPath: (f) => `sub/${f}` });
    expect(docs(file(a, 'gateway/apis.yaml'))[0]).toEqual({
      apiVersion: 'gitway/v1',
      kind: 'API',
      metadata: { name: 'echo' },
      spec: { openapi: 'sub/apis/echo.yaml', basePath: '/echo', stripBasePath: true, upstream: 'pool', policies: ['cors'] },
    });
    const doc = parse(file(a, 'apis/echo.yaml')) as { openapi: string; info: { title: string }; paths: Record<string, Record<string, { operationId?: string }>> };
    expect(doc.openapi).toBe('3.0.3');
    expect(doc.info.title).toBe('echo');
    expect(Object.keys(doc.paths)).toEqual(['/items', '/items/{id}']);
    expect(doc.paths['/items'].get.operationId).toBe('listItems');
    expect(doc.paths['/items'].post.operationId).toBe('createItem');
    expect(doc.paths['/items/{id}']).toMatchObject({ parameters: [{ name: 'id', in: 'path', required: true }], get: { operationId: 'getItem', responses: { default: { description: expect.any(String) } } } });
  });

  it('writes every secret hash as ${env.NAME} named after the consumer and field, and lists the variables', () => {
    const a = adopt(live(), options);
    const text = file(a, 'gateway/consumers.yaml');
    expect(text).not.toContain('sha256:');
    expect(docs(text)[0].spec).toEqual({ credentials: [{ type: 'basic', username: 'alice', password: '${env.ALICE_PASSWORD}' }, { type: 'key', key: '${env.ALICE_KEY}' }] });
    expect(a.variables).toEqual([
      { name: 'ALICE_PASSWORD', entity: 'consumer/alice', field: 'credentials[0].password' },
      { name: 'ALICE_KEY', entity: 'consumer/alice', field: 'credentials[1].key' },
    ]);
  });

  it('uses one variable for one secret used twice, and numbers two different secrets that would share a name', () => {
    const entities = live();
    entities.push({ kind: 'consumer', name: 'bob', spec: { credentials: [{ type: 'key', key: KEY }, { type: 'key', key: sha256('other') }, { type: 'key', key: sha256('third') }] } });
    const a = adopt(entities, options);
    expect(a.variables.map((v) => v.name)).toEqual(['ALICE_PASSWORD', 'ALICE_KEY', 'BOB_KEY', 'BOB_KEY_2']);
    expect(a.variables[1].alsoUsedBy).toEqual(['consumer/bob credentials[0].key']);
    expect(docs(file(a, 'gateway/consumers.yaml'))[1].spec).toEqual({ credentials: [{ type: 'key', key: '${env.ALICE_KEY}' }, { type: 'key', key: '${env.BOB_KEY}' }, { type: 'key', key: '${env.BOB_KEY_2}' }] });
    expect(a.skipped.filter((s) => s.category !== 'not-on-gateway')).toEqual([]);
  });

  it('names variables from entity and field', () => {
    expect(variableName('alice', ['credentials', 1, 'key'])).toBe('ALICE_KEY');
    expect(variableName('upstream-auth', ['headers', 'request', 'set', 'X-Api-Token'])).toBe('UPSTREAM_AUTH_X_API_TOKEN');
    expect(variableName('9lives', ['credentials', 0, 'secret'])).toBe('_9LIVES_SECRET');
    expect(variableName('svc', ['signingKey'])).toBe('SVC_SIGNING_KEY');
  });

  it('round-trips an API at the root of its base path (two paths), without operationIds, without stripping', () => {
    const entities: KeyedEntity[] = [
      { kind: 'server', name: 'gitway', spec: { listen: [':8080'] } },
      { kind: 'upstream', name: 'u', spec: { targets: [{ url: 'http://10.0.0.1', weight: 1 }] } },
      { kind: 'route', name: 'pets:/', spec: { api: 'pets', operations: ['GET /'], hosts: ['pets.example.com'], methods: ['GET'], paths: [{ match: 'template', path: '/v1' }, { match: 'template', path: '/v1/' }], upstream: 'u', policies: [] } },
      { kind: 'route', name: 'pets:/pets/{petId}/toys/{toyId}', spec: { api: 'pets', operations: ['deleteToy', 'GET /pets/{petId}/toys/{toyId}'], hosts: ['pets.example.com'], methods: ['DELETE', 'GET'], paths: [{ match: 'template', path: '/v1/pets/{petId}/toys/{toyId}' }], upstream: 'u', policies: [] } },
      { kind: 'route', name: 'root:/', spec: { api: 'root', operations: ['home'], hosts: [], methods: ['GET'], paths: [{ match: 'template', path: '/' }], upstream: 'u', policies: [] } },
    ];
    const a = adopt(entities, { environment: 'e', where: 'x' });
    expect(a.skipped.filter((s) => s.category !== 'not-on-gateway')).toEqual([]);
    expect(docs(file(a, 'gateway/apis.yaml')).map((d) => d.spec)).toEqual([
      { openapi: 'apis/pets.yaml', basePath: '/v1', hosts: ['pets.example.com'], upstream: 'u' },
      { openapi: 'apis/root.yaml', upstream: 'u' },
    ]);
    const doc = parse(file(a, 'apis/pets.yaml')) as { paths: Record<string, Record<string, { operationId?: string }>> };
    expect(doc.paths['/'].get.operationId).toBeUndefined();
    expect(doc.paths['/pets/{petId}/toys/{toyId}'].delete.operationId).toBe('deleteToy');
    expect(doc.paths['/pets/{petId}/toys/{toyId}'].get.operationId).toBeUndefined();
  });

  it('reports what it cannot express, hand edits, a listen that differs from gitway.yaml, and foreign parts', () => {
    const entities = live();
    entities.push({ kind: 'route', name: 'tmpl', spec: { hosts: [], methods: [], paths: [{ match: 'template', path: '/a/{b}' }], upstream: 'solo', policies: [] } });
    entities.push({ kind: 'route', name: 'echo:/search', spec: { api: 'echo', operations: ['search'], hosts: [], methods: ['QUERY'], paths: [{ match: 'template', path: '/echo/search' }], stripPrefix: '/echo', upstream: 'pool', policies: ['cors'] } });
    entities.push({ kind: 'route', name: 'echo:/odd', spec: { api: 'echo', operations: ['odd'], hosts: [], methods: ['GET'], paths: [{ match: 'template', path: '/echo/odd' }], stripPrefix: '/echo', upstream: 'solo', policies: ['cors'] } });
    entities.push({ kind: 'policy', name: 'future', spec: { type: 'quantumShield', config: {} } });
    entities.find((e) => e.name === 'basic')!.drift = 'its Caddy route gitway:route:basic was edited by hand';
    const a = adopt(entities, { ...options, listen: [':8080'], foreign: ["server 'hand' (listen 127.0.0.1:1): route 1 (@id hand-made)"] });
    const by = (category: string) => a.skipped.filter((s) => s.category === category).map((s) => `${s.subject}: ${s.reason}`);
    expect(by('foreign')).toEqual([expect.stringMatching(/^server 'hand' .*route 1 \(@id hand-made\): not owned by gitway/)]);
    expect(by('unexpressible')).toEqual([
      expect.stringMatching(/^policy\/future: its type 'quantumShield' is not a policy kind/),
      expect.stringMatching(/^route\/tmpl: its path \/a\/\{b\} is a 'template' match, which only an API/),
      expect.stringMatching(/^route\/echo:\/search: method QUERY has no OpenAPI 3.0 operation/),
    ]);
    // the API's other routes go to 'pool': this one cannot come from the same API manifest
    expect(by('inexact')).toEqual(['route/echo:/odd: dumped, but plan would change upstream']);
    expect(by('drift')).toEqual([expect.stringMatching(/^route\/basic: its Caddy route gitway:route:basic was edited by hand: dumped as gitway last wrote it/)]);
    expect(by('environment')).toEqual([expect.stringContaining('the gateway listens on ["127.0.0.1:9000"] but the environment\'s listen in gitway.yaml gives [":8080"]')]);
  });

  it('is deterministic whatever the order of the live entities', () => {
    const a = adopt(live(), options);
    const b = adopt([...live()].reverse(), options);
    expect(b.files).toEqual(a.files);
    expect(b.variables).toEqual(a.variables);
  });
});

describe('dump renderers', () => {
  const a = adopt(live(), { ...options, foreign: ["server 'hand' (listen 127.0.0.1:1): route 1 (@id hand-made)"] });
  const outcome: DumpOutcome = {
    environment: 'live',
    driver: 'caddy',
    where: 'http://127.0.0.1:2019',
    dir: '/repo',
    present: true,
    files: a.files.map((f) => ({ path: f.path, summary: f.summary, overwritten: false })),
    variables: a.variables,
    skipped: a.skipped,
    counts: a.counts,
    unread: [],
    others: [],
  };

  it('text: the files, the variables to set, and what to run next', () => {
    expect(renderDumpText(outcome)).toBe(
      [
        "Dumped environment 'live' (caddy, http://127.0.0.1:2019) into /repo:",
        '  gateway/upstreams.yaml  2 Upstreams',
        '  gateway/policies.yaml   2 Policies',
        '  gateway/consumers.yaml  1 Consumer',
        '  gateway/apis.yaml       1 API',
        '  gateway/routes.yaml     2 Routes',
        "  apis/echo.yaml          OpenAPI 3.0 document of API 'echo' (2 paths, 3 operations)",
        '',
        'The gateway holds secrets only as hashes. Set these environment variables to the real values before planning:',
        '  ALICE_PASSWORD  consumer/alice credentials[0].password',
        '  ALICE_KEY       consumer/alice credentials[1].key',
        '',
        'Next: review the files, set the variables, and run `gitway plan --env live`: it should say "No changes.".',
        '',
      ].join('\n'),
    );
  });

  it('skipped: one line per part, for stderr', () => {
    expect(renderDumpSkipped(outcome)).toBe(
      [
        'Skipped or not exact (2):',
        "  not gitway's    server 'hand' (listen 127.0.0.1:1): route 1 (@id hand-made): not owned by gitway (hand-made or written by another tool): left on the gateway as it is, not dumped",
        '  not on gateway  smoke checks (API spec.checks): not stored on the gateway, so not dumped: add them to the API manifests by hand',
        '',
      ].join('\n'),
    );
    expect(renderDumpSkipped({ ...outcome, skipped: [] })).toBe('');
  });

  it('json: everything in one value', () => {
    const json = JSON.parse(renderDumpJson(outcome)) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['environment', 'driver', 'target', 'dir', 'present', 'files', 'counts', 'variables', 'skipped', 'unread', 'others']);
    expect(json.variables).toEqual(a.variables);
  });

  it('says so when the gateway holds nothing of gitway’s', () => {
    expect(renderDumpText({ ...outcome, present: false, files: [] })).toBe("The gateway of environment 'live' (caddy, http://127.0.0.1:2019) holds nothing of gitway's: nothing was written.\n");
  });
});
