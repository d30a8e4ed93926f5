/**
 * gitway against a real Caddy (started by this suite on free 127.0.0.1 ports, admin API included)
 * and real upstream servers (Node HTTP servers on 127.0.0.1), through the CLI a user runs. Every
 * assertion about the gateway is made by reading it (its admin API) or by sending it requests.
 */
import { request } from 'undici';
import { hasCaddy, caddyTitle, describeWithCaddy } from '../helpers/caddy.js';
import { git, gitwayAsync, tempRepo, type CliResult } from '../helpers/cli.js';
import { startCaddy, startUpstream, type Caddy, type Upstream } from '../helpers/live.js';
import { liveRepo, LIVE_SECRETS } from '../helpers/live-repo.js';

import { jest } from '@jest/globals';

jest.setTimeout(120_000);

async function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const r = await request(url, { method: (init.method ?? 'GET') as 'GET', headers: init.headers, body: init.body, reset: true });
  const text = await r.body.text();
  return { status: r.statusCode, headers: r.headers, text, json: () => JSON.parse(text) as { upstream: string; path: string } };
}

async function until(what: string, test: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await test()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

describeWithCaddy(caddyTitle('live Caddy admin API (real caddy, real upstreams)'), () => {
  let caddy: Caddy;
  let a: Upstream;
  let b: Upstream;
  let c: Upstream;
  let repo: ReturnType<typeof tempRepo>;
  const env = { ...LIVE_SECRETS };
  const run = (args: string[], extra: Record<string, string | undefined> = {}): Promise<CliResult> => gitwayAsync(args, { cwd: repo.dir, env: { ...env, ...extra } });
  const proxy = (p: string) => `${caddy.proxy}${p}`;

  beforeAll(async () => {
    caddy = await startCaddy({ frontToken: LIVE_SECRETS.ADMIN_TOKEN });
    [a, b, c] = [await startUpstream('a'), await startUpstream('b'), await startUpstream('c')];
    repo = liveRepo(caddy, { a, b, c });
  });
  afterAll(async () => {
    await caddy?.stop();
    await Promise.all([a, b, c].map((u) => u?.close()));
    repo?.cleanup();
  });

  it('plans everything, applies it in one verified write, and then plans no changes', async () => {
    const plan = await run(['plan', '--detailed-exitcode']);
    expect(plan.stderr).toBe('');
    expect(plan.status).toBe(2);
    expect(plan.stdout).toContain(`Plan for environment 'live' (caddy, admin API ${caddy.admin})`);
    expect(plan.stdout).toContain('  + route echo:/items/{id}\n');

    const apply = await run(['apply', '--yes']);
    expect(apply.stderr).toBe('');
    expect(apply.status).toBe(0);
    expect(apply.stdout).toMatch(/Apply complete: \d+ added, 0 changed, 0 destroyed \(environment 'live', http:\/\/127\.0\.0\.1:\d+\)\.\nVerified: the gateway holds the desired state\. Recorded as deployment [0-9a-f]{16} of commit [0-9a-f]{7} by /);
    for (const s of Object.values(LIVE_SECRETS)) expect(apply.stdout + apply.stderr).not.toContain(s);

    const again = await run(['plan', '--detailed-exitcode']);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/^No changes\. Environment 'live' matches/);

    // read the gateway itself: gitway's root is there, the hand-made server beside it untouched, no secret in clear
    const config = await caddy.config();
    const text = JSON.stringify(config);
    expect(text).toContain('"@id":"gitway:root"');
    const servers = (c: Record<string, unknown>) => (c.apps as { http: { servers: Record<string, unknown> } }).http.servers;
    expect(servers(config).hand).toEqual(servers(caddy.bootstrap).hand);
    expect(servers(config).front).toEqual(servers(caddy.bootstrap).front);
    expect(config.admin).toEqual(caddy.bootstrap.admin);
    // gitway's metadata and history hold secrets only as hashes; the basic-auth password only as bcrypt.
    // (An API key must be in Caddy's config for its header matcher to compare it: like Kong, the gateway holds it.)
    const meta = JSON.stringify(JSON.parse(text, (k, v) => v).apps.http.servers.gitway.routes[0].handle[0].routes[0]);
    for (const s of Object.values(LIVE_SECRETS)) expect(meta).not.toContain(s);
    expect(text).not.toContain(LIVE_SECRETS.ALICE_PASSWORD);
  });

  it('routes requests to the right upstream, strips the base path, and spreads them across targets', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const r = await send(proxy('/echo/items'));
      expect(r.status).toBe(200);
      expect(r.json().path).toBe('/items');
      seen.add(r.json().upstream);
    }
    expect([...seen].sort()).toEqual(['a', 'b']);
    const one = await send(proxy('/echo/items/42'));
    expect(one.json()).toMatchObject({ path: '/items/42' });
    // a path or method the API does not declare is not proxied
    expect((await send(proxy('/echo/other'))).status).toBe(404);
    const count = a.seen.length + b.seen.length;
    expect((await send(proxy('/echo/items/42'), { method: 'DELETE' })).status).toBe(404);
    expect(a.seen.length + b.seen.length).toBe(count);
  });

  it('stops sending traffic to an upstream that fails its health check', async () => {
    a.health = 500;
    try {
      await until('target a is marked unhealthy', async () => {
        const hits = [];
        for (let i = 0; i < 6; i++) hits.push((await send(proxy('/echo/items'))).json().upstream);
        return hits.every((u) => u === 'b');
      });
      for (let i = 0; i < 10; i++) expect((await send(proxy('/echo/items'))).json().upstream).toBe('b');
    } finally {
      a.health = 200;
    }
    await until('target a is healthy again', async () => (await send(proxy('/echo/items'))).json().upstream === 'a' || (await send(proxy('/echo/items'))).json().upstream === 'a');
  });

  it('refuses requests without credentials on basic and key auth, and lets the consumer in', async () => {
    expect((await send(proxy('/basic/x'))).status).toBe(401);
    const basic = 'Basic ' + Buffer.from(`alice:${LIVE_SECRETS.ALICE_PASSWORD}`).toString('base64');
    expect((await send(proxy('/basic/x'), { headers: { authorization: 'Basic ' + Buffer.from('alice:wrong').toString('base64') } })).status).toBe(401);
    const ok = await send(proxy('/basic/x'), { headers: { authorization: basic } });
    expect(ok.status).toBe(200);
    expect(ok.json().upstream).toBe('c');
    expect((await send(proxy('/key/x'))).status).toBe(401);
    expect((await send(proxy('/key/x'), { headers: { apikey: 'not-the-key' } })).status).toBe(401);
    expect((await send(proxy('/key/x'), { headers: { apikey: LIVE_SECRETS.ALICE_KEY } })).status).toBe(200);
  });

  it('answers a CORS preflight and refuses a body over the size limit', async () => {
    const pre = await send(proxy('/echo/items'), { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(String(pre.headers['access-control-allow-methods'])).toContain('POST');
    const big = await send(proxy('/echo/items'), { method: 'POST', body: 'x'.repeat(4096), headers: { 'content-type': 'text/plain' } });
    expect(big.status).toBe(413);
    const small = await send(proxy('/echo/items'), { method: 'POST', body: 'x'.repeat(100), headers: { 'content-type': 'text/plain' } });
    expect(small.status).toBe(200);
  });

  it('keeps a hand-made route beside its root through apply, and plan does not show it', async () => {
    // a route added by hand in gitway's own server, before gitway's root
    const add = await request(`${caddy.admin}/config/apps/http/servers/gitway/routes/0`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ '@id': 'by-hand', match: [{ path: ['/by-hand'] }], handle: [{ handler: 'static_response', body: 'by hand' }], terminal: true }),
      reset: true,
    });
    await add.body.text();
    expect(add.statusCode).toBe(200);
    // and one after gitway's root (POST appends): it serves what gitway's routes do not match, once gitway shares the server
    const after = await request(`${caddy.admin}/config/apps/http/servers/gitway/routes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ '@id': 'after-root', match: [{ path: ['/after-root'] }], handle: [{ handler: 'static_response', body: 'after root' }] }),
      reset: true,
    });
    await after.body.text();
    expect(after.statusCode).toBe(200);
    const plan = await run(['plan', '--detailed-exitcode']);
    expect(plan.status).toBe(0);
    expect(plan.stdout).not.toContain('by-hand');

    repo.write('gateway/main.yaml', repo.read('gateway/main.yaml').replace('maxAge: 600', 'maxAge: 300'));
    git(repo.dir, 'commit', '-qam', 'cors max age');
    const changed = await run(['plan', '--detailed-exitcode']);
    expect(changed.status).toBe(2);
    expect(changed.stdout).toContain('  ~ policy cors\n');
    expect(changed.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    const apply = await run(['apply', '--yes']);
    expect(apply.status).toBe(0);
    expect((await send(proxy('/by-hand'))).text).toBe('by hand');
    expect((await send(proxy('/after-root'))).text).toBe('after root');
    expect((await send(proxy('/echo/items'))).json().path).toBe('/items');
    expect((await run(['plan', '--detailed-exitcode'])).status).toBe(0); // sharing the server is not drift
    expect((await send(`http://127.0.0.1:${caddy.handPort}/`)).text).toBe('hand-made');
    const pre = await send(proxy('/echo/items'), { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' } });
    expect(pre.headers['access-control-max-age']).toBe('300');
  });

  it('lets exactly one of two simultaneous applies of the same plan through; the gateway holds one complete config', async () => {
    repo.write('gateway/main.yaml', repo.read('gateway/main.yaml').replace('maxAge: 300', 'maxAge: 120'));
    git(repo.dir, 'commit', '-qam', 'cors 120');
    const saved = await run(['plan', '--out', 'race.plan.json']);
    expect(saved.status).toBe(0);
    const before = (await run(['history', '--format', 'json'])).stdout;
    const results = await Promise.all([run(['apply', 'race.plan.json']), run(['apply', 'race.plan.json'])]);
    const codes = results.map((r) => r.status).sort();
    expect(codes).toEqual([0, 3]);
    const loser = results.find((r) => r.status === 3) as CliResult;
    expect(loser.stderr).toMatch(/changed since|got there first/);
    expect(loser.stderr).toContain('nothing was');
    const after = JSON.parse((await run(['history', '--format', 'json'])).stdout) as { history: { id: string }[] };
    expect(after.history.length).toBe((JSON.parse(before) as { history: unknown[] }).history.length + 1);
    expect((await run(['plan', '--detailed-exitcode'])).status).toBe(0);
  });

  it('exits 1 with Caddy\'s own message when Caddy rejects the config, and the old routes still answer', async () => {
    const before = await caddy.config();
    repo.write('gateway/broken.yaml', ['apiVersion: gitway/v1', 'kind: Policy', 'metadata: { name: odd }', 'spec:', '  vendor:', '    caddy: { handler: no_such_handler_module }', '---', 'apiVersion: gitway/v1', 'kind: Route', 'metadata: { name: odd }', 'spec:', '  paths: [/odd]', '  upstream: solo', '  policies: [odd]', ''].join('\n'));
    const r = await run(['apply', '--yes']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^gitway: Caddy at http:\/\/127\.0\.0\.1:\d+ rejected the new config \(500: .*no_such_handler_module.*\); nothing changed: the previous config is still live/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(await caddy.config()).toEqual(before);
    expect((await send(proxy('/echo/items'))).status).toBe(200);
    repo.remove('gateway/broken.yaml');
  });

  it('shows the deployments, newest first, from the gateway alone', async () => {
    const r = await run(['history']);
    expect(r.status).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /^\*?\s+\d{4}-\d\d-\d\d /.test(l));
    expect(rows.length).toBe(3);
    expect(rows[0]).toMatch(/^\*\s+\S+ \S+\s+applied\s+apply\s+[0-9a-f]{7}\s+/);
    const json = JSON.parse((await run(['history', '--format', 'json'])).stdout) as { live: string; history: { id: string; commit: string; tree: string; actor: string; gitway: string }[] };
    expect(json.live).toBe(json.history[0].id);
    expect(json.history[0].commit).toBe(git(repo.dir, 'rev-parse', 'HEAD').trim());
    expect(json.history[0].tree).toBe(git(repo.dir, 'rev-parse', 'HEAD^{tree}').trim());
    expect(json.history[0].gitway).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('refuses a wrong token (403 from an authenticating proxy) with exit 4, never showing the token', async () => {
    const wrong = 'wrong-token-5f2a9c';
    const r = await run(['plan', '--env', 'fronted'], { ADMIN_TOKEN: wrong });
    expect(r.status).toBe(4);
    expect(r.stderr).toContain(`http://127.0.0.1:${caddy.frontPort}/config/ answered 403`);
    expect(r.stderr).toContain('refused the token');
    expect(r.stdout + r.stderr).not.toContain(wrong);
    const ok = await run(['plan', '--env', 'fronted', '--detailed-exitcode'], { ADMIN_TOKEN: LIVE_SECRETS.ADMIN_TOKEN });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
  });

  it("never moves a live server's listener: an apply asking for another one is refused, writing nothing", async () => {
    const before = await caddy.config();
    const yaml = repo.read('gitway.yaml');
    repo.write('gitway.yaml', yaml.replace(`listen: 127.0.0.1:${caddy.proxyPort}\n    timeoutSeconds: 5\n    vars`, `listen: 127.0.0.1:${caddy.handPort + 1}\n    timeoutSeconds: 5\n    vars`));
    try {
      const r = await run(['apply', '--yes']);
      expect(r.status).toBe(3);
      expect(r.stdout).toContain('~ server gitway');
      expect(r.stderr).toMatch(new RegExp(`^gitway: gitway's routes on ${caddy.admin.replace(/\./g, '\\.')} are served by server 'gitway' listening on 127\\.0\\.0\\.1:${caddy.proxyPort}, but the environment asks for 127\\.0\\.0\\.1:\\d+; gitway does not move a live server's listener through the admin API; nothing was written\\. Set listen: 127\\.0\\.0\\.1:${caddy.proxyPort} for this environment`));
      expect(await caddy.config()).toEqual(before);
    } finally {
      repo.write('gitway.yaml', yaml);
    }
  });

  it('exits 4 naming the URL, within the time bound, when Caddy is stopped', async () => {
    await caddy.kill();
    const started = Date.now();
    const r = await run(['plan']);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(new RegExp(`^gitway: cannot reach the admin API at ${caddy.admin.replace(/[.]/g, '\\.')}/config/ \\(connection refused; 4 attempts\\)`));
    await caddy.start();
  });
});

if (!hasCaddy) test.todo('install caddy (apt-get install -y caddy) to run the live-gateway tests');
