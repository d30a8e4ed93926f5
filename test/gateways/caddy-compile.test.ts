import bcrypt from 'bcryptjs';
import { compileCaddy, compileUpstream, greaterThanPattern, pathMatcher, templatePattern, type CaddyRoute, type Json } from '../../src/gateways/caddy/compile.js';
import { CompileError } from '../../src/errors.js';
import type { Entity } from '../../src/model/types.js';
import { manifest, modelFrom, SECRET_KEY, SECRET_PASSWORD } from '../helpers/model.js';
import { richDocuments, richFiles } from '../helpers/rich.js';

/** RE2's `(?i)` prefix as a JavaScript flag, to run the compiled patterns here. */
const re = (pattern: string) => (pattern.startsWith('(?i)') ? new RegExp(pattern.slice(4), 'i') : new RegExp(pattern));

const upstreamEntity = (spec: Partial<Entity<'upstream'>['spec']>): Entity<'upstream'> => ({ kind: 'upstream', name: 'u', spec: { targets: [{ url: 'http://10.0.0.1:8080', weight: 1 }], ...spec }, sensitive: [] });

async function rich() {
  const m = await modelFrom(richFiles, richDocuments);
  const native = compileCaddy(m.state, { secrets: m.secrets });
  const sub = native.root.handle?.[0] as { routes: CaddyRoute[]; errors: { routes: CaddyRoute[] } };
  const route = (name: string) => sub.routes.find((r) => r['@id'] === `gitway:route:${name}`) as CaddyRoute;
  const steps = (name: string) => ((route(name).handle?.[0] as { routes: CaddyRoute[] }).routes);
  return { m, native, sub, route, steps };
}

describe('Caddy path matching', () => {
  it('lets a template parameter match exactly one segment', () => {
    const p = re(templatePattern('/pets/{id}'));
    expect(['/pets/1', '/pets/abc-def', '/PETS/1'].map((x) => p.test(x))).toEqual([true, true, true]);
    expect(['/pets/', '/pets/1/2', '/pets', '/pets/1/'].map((x) => p.test(x))).toEqual([false, false, false, false]);
    const q = re(templatePattern('/files/{name}.json'));
    expect([q.test('/files/a.json'), q.test('/files/a/b.json'), q.test('/files/aXjson')]).toEqual([true, false, false]);
  });

  it('uses the plain path matcher for literal paths and the two forms of a prefix', () => {
    expect(pathMatcher({ match: 'template', path: '/pets/mine' })).toEqual({ path: ['/pets/mine'] });
    expect(pathMatcher({ match: 'exact', path: '/healthz' })).toEqual({ path: ['/healthz'] });
    expect(pathMatcher({ match: 'prefix', path: '/static/' })).toEqual({ path: ['/static', '/static/*'] });
    expect(pathMatcher({ match: 'regex', path: '^/v[0-9]+$' })).toEqual({ path_regexp: { pattern: '^/v[0-9]+$' } });
  });

  it('puts literal paths before templates and hosts before no host; neighbours handled alike share one Caddy route', async () => {
    const { sub, route } = await rich();
    expect(sub.routes.map((r) => r['@id'])).toEqual(['gitway:meta', 'gitway:route:pets:/pets/mine', 'gitway:route:admin:/stats', 'gitway:route:static', 'gitway:route:legacy', 'gitway:not-found']);
    // the four routes of API pets: one matcher set each, most specific first
    expect(route('pets:/pets/mine').match).toEqual([
      { host: ['api.example.com'], method: ['GET', 'OPTIONS'], path: ['/pets/pets/mine'] },
      { host: ['api.example.com'], method: ['GET', 'OPTIONS'], path_regexp: { pattern: '(?i)^/pets/pets/[^/]+/photo\\.[^/]+$' } },
      { host: ['api.example.com'], method: ['GET', 'OPTIONS'], path_regexp: { pattern: '(?i)^/pets/pets/[^/]+$' } },
      { host: ['api.example.com'], method: ['GET', 'POST', 'OPTIONS'], path: ['/pets/pets'] },
    ]);
  });

  it('keeps routes apart when their handling differs', async () => {
    const m = await modelFrom({
      'gateway/a.yaml': [
        manifest('Upstream', 'u', 'targets: [{ url: "http://a:1" }]'),
        manifest('Upstream', 'v', 'targets: [{ url: "http://b:1" }]'),
        manifest('Route', 'r1', 'paths: [{ path: /a, match: exact }]\nupstream: u'),
        manifest('Route', 'r2', 'paths: [{ path: /b, match: exact }]\nupstream: u'),
        manifest('Route', 'r3', 'paths: [{ path: /c, match: exact }]\nupstream: v'),
      ].join('---\n'),
    });
    const sub = compileCaddy(m.state).root.handle?.[0] as { routes: CaddyRoute[] };
    expect(sub.routes.map((r) => [r['@id'], r.match])).toEqual([
      ['gitway:meta', undefined],
      ['gitway:route:r1', [{ path: ['/a'] }, { path: ['/b'] }]],
      ['gitway:route:r3', [{ path: ['/c'] }]],
      ['gitway:not-found', undefined],
    ]);
  });
});

describe('Caddy request size guard', () => {
  it.each([0, 1, 9, 10, 99, 100, 1000, 1048576, 999])('matches exactly the lengths above %i', (n) => {
    const p = re(greaterThanPattern(n));
    for (const v of [n - 1, n, n + 1, n + 9, n * 10 + 1, 10 ** String(n).length, 10 ** (String(n).length + 1)].filter((x) => x >= 0)) {
      expect([v, p.test(String(v))]).toEqual([v, v > n]);
    }
    expect(p.test(`000${n + 1}`)).toBe(true);
    expect(p.test(`00${n}`)).toBe(false);
  });
});

describe('Caddy upstreams', () => {
  it('weights targets by repeating them (reduced by their common divisor); weight 0 drops a target', () => {
    const h = compileUpstream(upstreamEntity({ targets: [{ url: 'http://a:1', weight: 2 }, { url: 'http://b:2', weight: 4 }, { url: 'http://c:3', weight: 0 }] }));
    expect(h.upstreams).toEqual([{ dial: 'a:1' }, { dial: 'b:2' }, { dial: 'b:2' }]);
  });

  it.each([
    ['round-robin', { policy: 'round_robin' }],
    ['least-connections', { policy: 'least_conn' }],
    ['ip-hash', { policy: 'ip_hash' }],
    ['random', { policy: 'random' }],
    ['header', { policy: 'header', field: 'X-Tenant' }],
    ['cookie', { policy: 'cookie', name: 'lb' }],
  ] as const)('maps load balancing %s', (policy, expected) => {
    const h = compileUpstream(upstreamEntity({ loadBalancing: { policy, header: 'X-Tenant', cookie: 'lb' } }));
    expect((h.load_balancing as Json).selection_policy).toEqual(expected);
  });

  it('compiles health checks, timeouts, retries, default ports and TLS', async () => {
    const { m } = await rich();
    const shop = m.state.entities.find((e) => e.name === 'shop') as Entity<'upstream'>;
    expect(compileUpstream(shop)).toEqual({
      handler: 'reverse_proxy',
      upstreams: [{ dial: '10.0.0.1:8080' }, { dial: '10.0.0.1:8080' }, { dial: '10.0.0.2:8080' }],
      load_balancing: { selection_policy: { policy: 'cookie', name: 'lb' }, retries: 2 },
      health_checks: { active: { uri: '/health', interval: '5s', timeout: '1s', expect_status: 200 }, passive: { fail_duration: '30s', max_fails: 3, unhealthy_status: [502] } },
      transport: { protocol: 'http', dial_timeout: '2s', response_header_timeout: '15s', write_timeout: '10s' },
    });
    expect(compileUpstream(m.state.entities.find((e) => e.name === 'tls') as Entity<'upstream'>)).toEqual({ handler: 'reverse_proxy', upstreams: [{ dial: 'secure.example.com:443' }], transport: { protocol: 'http', tls: {} } });
  });

  it('refuses a target URL with a path and mixed schemes', () => {
    expect(() => compileUpstream(upstreamEntity({ targets: [{ url: 'http://a:1/base', weight: 1 }] }))).toThrow(/with a path \(\/base\)/);
    expect(() => compileUpstream(upstreamEntity({ targets: [{ url: 'http://a:1', weight: 1 }, { url: 'https://b', weight: 1 }] }))).toThrow(/mixes http and https/);
  });
});

describe('Caddy policies', () => {
  it('guards in order: CORS preflight, 405 for OPTIONS, IP deny and allow, API key, body size; then handlers and the proxy', async () => {
    const { route, steps } = await rich();
    const s = steps('pets:/pets/mine');
    expect(s.map((x) => (x.match ? Object.keys(x.match[0]) : null))).toEqual([['header', 'method'], ['method'], ['remote_ip'], ['not'], ['not'], ['header_regexp'], null]);
    expect(s[2].match).toEqual([{ remote_ip: { ranges: ['10.6.6.6/32'] } }]);
    expect(s[3].match).toEqual([{ not: [{ remote_ip: { ranges: ['10.0.0.0/8'] } }] }]);
    expect(s.map((x) => (x.handle?.[x.handle.length - 1] as Json).status_code ?? (x.handle?.[x.handle.length - 1] as Json).handler)).toEqual([204, 405, 403, 403, 401, 413, 'reverse_proxy']);
    expect(s[4].match).toEqual([{ not: [{ header: { 'X-Api-Key': [SECRET_KEY] } }, { query: { api_key: [SECRET_KEY] } }] }]);
    const last = s[6].handle as Json[];
    expect(last.map((h) => h.handler)).toEqual(['request_body', 'subroute', 'headers', 'headers', 'encode', 'rewrite', 'reverse_proxy']);
    expect(last[0]).toEqual({ handler: 'request_body', max_size: 1000 });
    expect(last[2]).toEqual({ handler: 'headers', request: { set: { 'X-From': ['gitway'] }, delete: ['Cookie'] } });
    expect(last[3]).toEqual({ handler: 'headers', response: { set: { 'X-Frame-Options': ['DENY'] }, delete: ['Server'], deferred: true } });
    expect(last[4]).toEqual({ handler: 'encode', encodings: { gzip: {} } });
    expect(last[5]).toEqual({ handler: 'rewrite', strip_path_prefix: '/pets' });
    // CORS: preflight headers, and response headers only for an allowed Origin, deferred
    expect((s[0].handle?.[0] as Json).response).toEqual({
      set: {
        'Access-Control-Allow-Origin': ['{http.request.header.Origin}'],
        'Access-Control-Allow-Methods': ['GET'],
        'Access-Control-Allow-Headers': ['X-Api-Key'],
        'Access-Control-Max-Age': ['60'],
        'Access-Control-Allow-Credentials': ['true'],
        Vary: ['Origin'],
      },
    });
    expect(last[1]).toEqual({
      handler: 'subroute',
      routes: [{ match: [{ header: { Origin: ['https://a.example.com'] } }], handle: [{ handler: 'headers', response: { set: { 'Access-Control-Allow-Origin': ['{http.request.header.Origin}'], Vary: ['Origin'], 'Access-Control-Expose-Headers': ['X-Total'], 'Access-Control-Allow-Credentials': ['true'] }, deferred: true } }] }],
    });
  });

  it('writes basic auth accounts as bcrypt hashes of the configured cost, the same on every compile', async () => {
    const { steps } = await rich();
    const auth = (steps('admin:/stats')[0].handle as Json[])[0] as { providers: { http_basic: { accounts: { username: string; password: string }[]; realm: string; hash: unknown } } };
    const basic = auth.providers.http_basic;
    expect(basic.realm).toBe('shop');
    expect(basic.hash).toEqual({ algorithm: 'bcrypt' });
    expect(basic.accounts).toHaveLength(1);
    expect(basic.accounts[0].username).toBe('ops');
    expect(basic.accounts[0].password).toMatch(/^\$2b\$04\$/);
    expect(bcrypt.compareSync(SECRET_PASSWORD, basic.accounts[0].password)).toBe(true);
    expect(bcrypt.compareSync('wrong', basic.accounts[0].password)).toBe(false);
    const again = await rich();
    expect(JSON.stringify(again.native)).toBe(JSON.stringify((await rich()).native));
  });

  it('uses bcrypt cost 10 unless told otherwise', async () => {
    const m = await modelFrom({
      'gateway/a.yaml': [manifest('Upstream', 'u', 'targets: [{ url: "http://a:1" }]'), manifest('Policy', 'b', 'auth: { type: basic }'), manifest('Consumer', 'c', 'credentials: [{ type: basic, username: c, password: "${env.CONSUMER_PASSWORD}" }]'), manifest('Route', 'r', 'paths: [/]\nupstream: u\npolicies: [b]')].join('---\n'),
    });
    expect(JSON.stringify(compileCaddy(m.state))).toMatch(/"password":"\$2b\$10\$/);
  });

  it('strips the matched prefix of a Route per path', async () => {
    const { steps } = await rich();
    expect(steps('static').map((s) => [s.match, (s.handle as Json[]).find((h) => h.handler === 'rewrite')])).toEqual([
      [[{ path: ['/static', '/static/*'] }], { handler: 'rewrite', strip_path_prefix: '/static' }],
      [[{ path: ['/assets', '/assets/*'] }], { handler: 'rewrite', strip_path_prefix: '/assets' }],
    ]);
  });

  it.each([
    ['rateLimit: { second: 10 }', "policy 'p' (rateLimit) cannot be enforced by driver caddy: stock Caddy 2.6 has no rate-limit handler"],
    ['auth: { type: jwt }', "policy 'p' (auth type jwt) cannot be enforced by driver caddy"],
    ['vendor:\n  kong: { name: rate-limiting }', "policy 'p' is a vendor policy for kong and cannot be enforced by driver caddy"],
    ['vendor:\n  caddy: { encodings: {} }', 'vendor.caddy must be one Caddy handler object'],
  ])('refuses %s, naming the policy and the driver', async (policy, message) => {
    const m = await modelFrom({ 'gateway/a.yaml': [manifest('Upstream', 'u', 'targets: [{ url: "http://a:1" }]'), manifest('Policy', 'p', policy), manifest('Route', 'r', 'paths: [/]\nupstream: u\npolicies: [p]')].join('---\n') });
    let error: unknown;
    try {
      compileCaddy(m.state);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CompileError);
    expect((error as CompileError).exitCode).toBe(3);
    expect((error as Error).message).toContain(message);
  });
});

describe('Caddy root', () => {
  it('puts everything under one terminal gitway:root route with metadata first, a JSON 404 last and JSON errors', async () => {
    const { native, sub, m } = await rich();
    expect(native.root['@id']).toBe('gitway:root');
    expect(native.root.terminal).toBe(true);
    expect(native.root.match).toBeUndefined();
    expect(sub.routes[sub.routes.length - 1]).toEqual({
      '@id': 'gitway:not-found',
      handle: [{ handler: 'static_response', status_code: 404, headers: { 'Content-Type': ['application/json'] }, body: '{"error":"no route for this request","status":404}' }],
    });
    expect(sub.errors.routes[0].handle?.[0]).toMatchObject({ handler: 'static_response', status_code: '{http.error.status_code}' });
    const meta = (sub.routes[0].handle?.[0] as Json).gitway as { format: number; entities: Record<string, { spec: unknown; native?: string }>; natives: Record<string, string> };
    expect(meta.format).toBe(1);
    expect(Object.keys(meta.entities)).toEqual(m.state.entities.map((e) => `${e.kind}/${e.name}`).sort());
    expect(meta.entities['route/static'].native).toBe('gitway:route:static');
    expect(meta.entities['route/pets:/pets/{id}'].native).toBe('gitway:route:pets:/pets/mine');
    expect(meta.natives['gitway:route:static']).toMatch(/^sha256:[0-9a-f]{64}$/);
    // the metadata never holds a secret: only its hash
    expect(JSON.stringify(meta)).not.toContain(SECRET_KEY);
    expect(JSON.stringify(meta)).not.toContain(SECRET_PASSWORD);
    expect((meta.entities['consumer/web'].spec as { credentials: { key: string }[] }).credentials[0].key).toMatch(/^sha256:/);
  });
});
