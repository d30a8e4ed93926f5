import { describeConflict } from '../../src/model/build.js';
import { compileCaddy } from '../../src/gateways/caddy/compile.js';
import { fingerprint } from '../../src/model/fingerprint.js';
import { doc, manifest, modelFrom } from '../helpers/model.js';

const upstream = manifest('Upstream', 'shop', 'targets:\n  - url: ${var.up}');
const policy = manifest('Policy', 'key', 'auth: { type: key }');
const consumer = manifest('Consumer', 'web', 'credentials:\n  - type: key\n    key: ${env.CONSUMER_KEY}');
const api = (name: string, file: string, extra = '') => manifest('API', name, `openapi: ${file}\nupstream: shop\nbasePath: /${name}\npolicies: [key]${extra}`);
const pets = doc([
  ['GET', '/pets', 'listPets'],
  ['POST', '/pets', 'createPet'],
  ['GET', '/pets/{id}', 'getPet'],
  ['GET', '/pets/mine'],
]);

/** Entities without where they are written: what identity and content are. */
const content = (r: Awaited<ReturnType<typeof modelFrom>>) => r.state.entities.map(({ source: _source, ...rest }) => rest);

describe('buildModel', () => {
  it('gives every entity an identity from names, not from files or document order', async () => {
    const one = await modelFrom({ 'gateway/all.yaml': [upstream, policy, consumer, api('pets', 'apis/pets.yaml')].join('---\n') }, { 'apis/pets.yaml': pets });
    const split = await modelFrom(
      { 'gateway/z-apis.yaml': api('pets', 'apis/pets.yaml'), 'gateway/a-rest.yaml': [consumer, policy, upstream].join('---\n') },
      { 'apis/pets.yaml': pets },
    );
    expect(content(split)).toEqual(content(one));
    expect(one.state.entities.map((e) => `${e.kind}/${e.name}`)).toEqual([
      'server/gitway',
      'upstream/shop',
      'policy/key',
      'consumer/web',
      'route/pets:/pets',
      'route/pets:/pets/mine',
      'route/pets:/pets/{id}',
    ]);
    // and the compiled config is byte for byte the same
    expect(fingerprint(compileCaddy(split.state))).toBe(fingerprint(compileCaddy(one.state)));
    // positions still say where each entity is written
    expect(split.state.entities.find((e) => e.name === 'pets:/pets')?.source).toEqual({ file: 'gateway/z-apis.yaml', line: 4, column: 9 });
  });

  it('groups the operations of one path template into one route with its methods', async () => {
    const r = await modelFrom({ 'gateway/all.yaml': [upstream, policy, api('pets', 'apis/pets.yaml', '\nstripBasePath: true\nhosts: [API.example.com]')].join('---\n') }, { 'apis/pets.yaml': pets });
    const route = r.state.entities.find((e) => e.name === 'pets:/pets');
    expect(route?.spec).toEqual({
      api: 'pets',
      operations: ['listPets', 'createPet'],
      hosts: ['api.example.com'],
      methods: ['GET', 'POST'],
      paths: [{ match: 'template', path: '/pets/pets' }],
      stripPrefix: '/pets',
      upstream: 'shop',
      policies: ['key'],
    });
    expect(r.state.entities.find((e) => e.name === 'pets:/pets/mine')?.spec).toMatchObject({ operations: ['GET /pets/mine'] });
  });

  it('makes the root template answer the base path with and without a trailing slash', async () => {
    const r = await modelFrom({ 'gateway/all.yaml': [upstream, policy, api('pets', 'apis/pets.yaml')].join('---\n') }, { 'apis/pets.yaml': doc([['GET', '/']]) });
    expect(r.state.entities.find((e) => e.kind === 'route')?.spec).toMatchObject({ paths: [{ match: 'template', path: '/pets' }, { match: 'template', path: '/pets/' }] });
  });

  it('warns about an API whose document has no operations, at its openapi field, and generates no route', async () => {
    const r = await modelFrom({ 'gateway/all.yaml': [upstream, policy, api('empty', 'apis/empty.yaml')].join('---\n') }, { 'apis/empty.yaml': doc([]) });
    expect(r.findings).toEqual([
      expect.objectContaining({ file: 'gateway/all.yaml', line: 21, column: 12, severity: 'warn', code: 'api-no-operations', message: expect.stringContaining("API 'empty' exposes nothing") }),
    ]);
    expect(r.state.entities.filter((e) => e.kind === 'route')).toEqual([]);
  });

  it('finds two APIs claiming the same host, method and path, and names both positions', async () => {
    const r = await modelFrom(
      {
        'gateway/base.yaml': [upstream, policy].join('---\n'),
        'gateway/one.yaml': manifest('API', 'one', 'openapi: apis/a.yaml\nupstream: shop\nbasePath: /v1'),
        'gateway/two.yaml': `# a comment\n${manifest('API', 'two', 'openapi: apis/b.yaml\nupstream: shop\nbasePath: /v1')}`,
      },
      { 'apis/a.yaml': doc([['GET', '/items/{id}'], ['POST', '/items/{id}']]), 'apis/b.yaml': doc([['GET', '/items/{itemId}'], ['PUT', '/items/{itemId}']]) },
    );
    expect(r.conflicts).toHaveLength(1);
    expect(describeConflict(r.conflicts[0])).toBe(
      "GET /v1/items/{itemId} is claimed by API 'one' (gateway/one.yaml:4:9, GET,POST /v1/items/{id}) and by API 'two' (gateway/two.yaml:5:9, GET,PUT /v1/items/{itemId})",
    );
  });

  it('finds an API and a Route on the same path; another host does not conflict', async () => {
    const route = (name: string, extra: string) => manifest('Route', name, `paths: [{ path: /v1/health, match: exact }]\nupstream: shop${extra}`);
    const r = await modelFrom(
      {
        'gateway/a.yaml': [upstream, policy, manifest('API', 'one', 'openapi: apis/a.yaml\nupstream: shop\nbasePath: /v1')].join('---\n'),
        'gateway/b.yaml': [route('any-method', ''), route('other-host', '\nhosts: [b.example.com]'), route('post-only', '\nmethods: [POST]')].join('---\n'),
      },
      { 'apis/a.yaml': doc([['GET', '/health']]) },
    );
    expect(r.conflicts.map(describeConflict)).toEqual([
      "GET /v1/health is claimed by Route 'any-method' (gateway/b.yaml:4:9) and by API 'one' (gateway/a.yaml:19:9, GET /v1/health)",
      // a Route without methods claims every method, so it meets post-only too; other-host does not conflict
      "POST /v1/health is claimed by Route 'any-method' (gateway/b.yaml:4:9) and by Route 'post-only' (gateway/b.yaml:21:9)",
    ]);
  });

  it('records which values are secrets', async () => {
    const r = await modelFrom({ 'gateway/all.yaml': [upstream, consumer].join('---\n') });
    expect(r.state.entities.find((e) => e.kind === 'consumer')?.sensitive).toEqual([['credentials', 0, 'key']]);
    expect(r.state.entities.find((e) => e.kind === 'upstream')?.sensitive).toEqual([]);
  });

  it('takes the listen addresses of the environment, :8080 by default', async () => {
    expect((await modelFrom({ 'gateway/a.yaml': upstream })).state.entities[0]).toMatchObject({ kind: 'server', spec: { listen: [':8080'] } });
    expect((await modelFrom({ 'gateway/a.yaml': upstream }, {}, ['127.0.0.1:9000'])).state.entities[0]).toMatchObject({ spec: { listen: ['127.0.0.1:9000'] } });
  });
});
