/**
 * `gitway dump` against a real Caddy (started by this suite on free 127.0.0.1 ports) and real
 * upstreams: apply the live-test repository, dump the gateway into a new repository that has only
 * gitway.yaml, and plan that repository against the same Caddy: no changes.
 */
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { caddyTitle, describeWithCaddy } from '../helpers/caddy.js';
import { git, gitwayAsync, tempRepo, type CliResult } from '../helpers/cli.js';
import { freePort, startCaddy, startUpstream, type Caddy, type Upstream } from '../helpers/live.js';
import { liveConfig, liveManifests, liveRepo, LIVE_SECRETS, type LiveRepo } from '../helpers/live-repo.js';

import { jest } from '@jest/globals';

jest.setTimeout(120_000);

describeWithCaddy(caddyTitle('gitway dump (real caddy, real upstreams)'), () => {
  let caddy: Caddy;
  let a: Upstream;
  let b: Upstream;
  let c: Upstream;
  let source: LiveRepo;
  let adopted: ReturnType<typeof tempRepo>;
  const run = (cwd: string, args: string[], env: Record<string, string | undefined> = LIVE_SECRETS): Promise<CliResult> => gitwayAsync(args, { cwd, env: { ALICE_PASSWORD: undefined, ALICE_KEY: undefined, ...env } });
  const scrub = (text: string) => text.split(adopted.dir).join('<dir>').split(caddy.admin).join('<admin>').replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>');

  beforeAll(async () => {
    caddy = await startCaddy({ frontToken: LIVE_SECRETS.ADMIN_TOKEN });
    [a, b, c] = [await startUpstream('a'), await startUpstream('b'), await startUpstream('c')];
    source = liveRepo(caddy, { a, b, c });
    const apply = await run(source.dir, ['apply', '--yes']);
    if (apply.status !== 0) throw new Error(`apply failed: ${apply.stdout}${apply.stderr}`);
    // a new repository that knows only the environment
    adopted = tempRepo({ 'gitway.yaml': liveConfig(caddy, { a, b, c }) });
    git(adopted.dir, 'init', '-q');
  });
  afterAll(async () => {
    await caddy?.stop();
    await Promise.all([a, b, c].map((u) => u?.close()));
    source?.cleanup();
    adopted?.cleanup();
  });

  it('dumps the live gateway as manifests and OpenAPI documents, listing the variables and what it skipped', async () => {
    const dump = await run(adopted.dir, ['dump', '--env', 'live'], {});
    expect(dump.status).toBe(0);
    expect(scrub(dump.stdout)).toBe(
      [
        "Dumped environment 'live' (caddy, <admin>) into <dir>:",
        '  gateway/upstreams.yaml  2 Upstreams',
        '  gateway/policies.yaml   4 Policies',
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
    // the hand-made servers beside gitway's are reported, not dumped; smoke checks are not on the gateway
    expect(scrub(dump.stderr)).toBe(
      [
        'Skipped or not exact (4):',
        "  not gitway's    server 'front' (listen 127.0.0.1:<port>): route 1: not owned by gitway (hand-made or written by another tool): left on the gateway as it is, not dumped",
        "  not gitway's    server 'front' (listen 127.0.0.1:<port>): route 2: not owned by gitway (hand-made or written by another tool): left on the gateway as it is, not dumped",
        "  not gitway's    server 'hand' (listen 127.0.0.1:<port>): route 1 (@id hand-made): not owned by gitway (hand-made or written by another tool): left on the gateway as it is, not dumped",
        '  not on gateway  smoke checks (API spec.checks): not stored on the gateway, so not dumped: add them to the API manifests by hand',
        '',
      ].join('\n'),
    );
    expect(readdirSync(path.join(adopted.dir, 'gateway')).sort()).toEqual(['apis.yaml', 'consumers.yaml', 'policies.yaml', 'routes.yaml', 'upstreams.yaml']);
    const consumers = readFileSync(path.join(adopted.dir, 'gateway/consumers.yaml'), 'utf8');
    expect(consumers).toContain('password: ${env.ALICE_PASSWORD}');
    expect(consumers).toContain('key: ${env.ALICE_KEY}');
    for (const s of Object.values(LIVE_SECRETS)) expect(dump.stdout + dump.stderr + consumers).not.toContain(s);
    expect(readFileSync(path.join(adopted.dir, 'gateway/apis.yaml'), 'utf8')).toContain('openapi: apis/echo.yaml');
    expect(readFileSync(path.join(adopted.dir, 'apis/echo.yaml'), 'utf8')).toMatch(/operationId: getItem/);
  });

  it('dump, then plan: no changes (with the variables set to the real secrets)', async () => {
    const validate = await run(adopted.dir, ['validate']);
    expect(validate.stderr).toBe('');
    expect(validate.status).toBe(0);
    const plan = await run(adopted.dir, ['plan', '--env', 'live', '--detailed-exitcode']);
    expect(plan.stderr).toBe('');
    expect(plan.stdout).toMatch(/^No changes\. Environment 'live' matches/);
    expect(plan.status).toBe(0);
    // the same files, committed: still no changes
    git(adopted.dir, 'add', '-A');
    git(adopted.dir, 'commit', '-qm', 'adopt the live gateway');
    expect((await run(adopted.dir, ['plan', '--env', 'live', '--detailed-exitcode', '--rev', 'HEAD'])).status).toBe(0);
    // without a variable, plan names it instead of planning an empty secret
    const missing = await run(adopted.dir, ['plan', '--env', 'live', '--detailed-exitcode'], { ALICE_KEY: LIVE_SECRETS.ALICE_KEY });
    expect(missing.status).toBe(3);
    expect(missing.stderr).toContain('ALICE_PASSWORD');
    // a wrong secret is a change, not silently equal
    const wrong = await run(adopted.dir, ['plan', '--env', 'live', '--detailed-exitcode'], { ...LIVE_SECRETS, ALICE_KEY: 'not-the-key' });
    expect(wrong.status).toBe(2);
    expect(wrong.stdout).toContain('~ consumer alice');
  });

  it('refuses to overwrite files that exist (exit 3, nothing written) unless --force', async () => {
    const before = readFileSync(path.join(adopted.dir, 'gateway/routes.yaml'), 'utf8');
    const edited = `${before}# a local edit\n`;
    const file = path.join(adopted.dir, 'gateway/routes.yaml');
    writeFileSync(file, edited);
    const again = await run(adopted.dir, ['dump', '--env', 'live']);
    expect(again.status).toBe(3);
    expect(again.stdout).toBe('');
    expect(scrub(again.stderr)).toContain('refusing to overwrite 6 files that exist in <dir>: gateway/upstreams.yaml, gateway/policies.yaml, gateway/consumers.yaml, gateway/apis.yaml, gateway/routes.yaml, apis/echo.yaml; nothing was written');
    expect(again.stderr).toContain('--force');
    expect(readFileSync(file, 'utf8')).toBe(edited);

    const forced = await run(adopted.dir, ['dump', '--env', 'live', '--force']);
    expect(forced.status).toBe(0);
    expect(forced.stdout).toContain('gateway/routes.yaml     2 Routes (overwritten)');
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('--dir and --format json: one JSON value on stdout, nothing on stderr', async () => {
    const r = await run(adopted.dir, ['dump', '--env', 'live', '--dir', 'elsewhere', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { dir: string; files: { path: string }[]; variables: { name: string }[]; skipped: { category: string; subject: string }[]; unread: string[]; others: string[] };
    expect(out.dir).toBe(path.join(adopted.dir, 'elsewhere'));
    expect(out.variables.map((v) => v.name)).toEqual(['ALICE_PASSWORD', 'ALICE_KEY']);
    expect(out.skipped.map((s) => s.category)).toEqual(['foreign', 'foreign', 'foreign', 'not-on-gateway']);
    // gitway.yaml reads gateway/**: files under elsewhere/ are not read, and the report says so
    expect(out.unread).toEqual(['gateway/upstreams.yaml', 'gateway/policies.yaml', 'gateway/consumers.yaml', 'gateway/apis.yaml', 'gateway/routes.yaml']);
    // the manifests dumped before into gateway/ would define everything twice: said, not hidden
    expect(out.others).toEqual(['gateway/apis.yaml', 'gateway/consumers.yaml', 'gateway/policies.yaml', 'gateway/routes.yaml', 'gateway/upstreams.yaml']);
    // the API names its document from the repository root
    expect(readFileSync(path.join(adopted.dir, 'elsewhere/gateway/apis.yaml'), 'utf8')).toContain('openapi: elsewhere/apis/echo.yaml');
  });

  it('exits 4 with the URL when the gateway cannot be reached, and writes nothing', async () => {
    const port = await freePort();
    const down = tempRepo({ 'gitway.yaml': `apiVersion: gitway/v1\nenvironments:\n  down: { driver: caddy, admin: http://127.0.0.1:${port}, timeoutSeconds: 2 }\n` });
    try {
      const started = Date.now();
      const r = await run(down.dir, ['dump', '--env', 'down']);
      expect(r.status).toBe(4);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`http://127.0.0.1:${port}`);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(readdirSync(down.dir)).toEqual(['gitway.yaml']);
    } finally {
      down.cleanup();
    }
  });
});

const ECHO_OPENAPI = `openapi: 3.0.3
info: { title: Echo, version: 1.0.0 }
paths:
  /items:
    get: { operationId: listItems, responses: { '200': { description: ok } } }
    post: { responses: { '201': { description: created } } }
  /:
    get: { operationId: root, responses: { '200': { description: ok } } }
  /items/{id}/parts/{part}:
    parameters: [{ name: id, in: path, required: true, schema: { type: string } }, { name: part, in: path, required: true, schema: { type: integer } }]
    get: { operationId: getPart, responses: { '200': { description: ok } } }
    delete: { operationId: deletePart, responses: { '204': { description: gone } } }
`;

describe('gitway dump of a file target (no Caddy needed)', () => {
  const config = 'apiVersion: gitway/v1\nenvironments:\n  local: { driver: caddy, file: .gitway/local/caddy.json, listen: "127.0.0.1:9080" }\n';
  const up = (name: string, port: number) => ({ name, url: `http://127.0.0.1:${port}` }) as Upstream;
  const run = (cwd: string, args: string[], env: Record<string, string | undefined> = LIVE_SECRETS) => gitwayAsync(args, { cwd, env: { ALICE_PASSWORD: undefined, ALICE_KEY: undefined, ...env } });

  it('says the target holds nothing of gitway\'s, writes nothing, and exits 0', async () => {
    const repo = tempRepo({ 'gitway.yaml': config });
    try {
      const r = await run(repo.dir, ['dump', '--env', 'local'], {});
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe("The gateway of environment 'local' (caddy, .gitway/local/caddy.json) holds nothing of gitway's: nothing was written.\n");
      expect(r.status).toBe(0);
      expect(readdirSync(repo.dir)).toEqual(['gitway.yaml']);
    } finally {
      repo.cleanup();
    }
  });

  it('apply to a file, dump it into a new repository, plan: no changes', async () => {
    const manifests = liveManifests({ a: up('a', 7001), b: up('b', 7002), c: up('c', 7003) }).replace(/\$\{var\.([abc])\}/g, (_m, v: string) => `http://127.0.0.1:${{ a: 7001, b: 7002, c: 7003 }[v]}`);
    const source = tempRepo({ 'gitway.yaml': config, 'gateway/main.yaml': manifests, 'apis/echo.yaml': ECHO_OPENAPI });
    const adopted = tempRepo({ 'gitway.yaml': config });
    try {
      git(source.dir, 'init', '-q');
      const apply = await run(source.dir, ['apply', '--yes']);
      expect(apply.status).toBe(0);
      mkdirSync(path.join(adopted.dir, '.gitway/local'), { recursive: true });
      copyFileSync(path.join(source.dir, '.gitway/local/caddy.json'), path.join(adopted.dir, '.gitway/local/caddy.json'));
      git(adopted.dir, 'init', '-q');
      const dump = await run(adopted.dir, ['dump'], {});
      expect(dump.status).toBe(0);
      expect(dump.stderr).toBe('Skipped or not exact (1):\n  not on gateway  smoke checks (API spec.checks): not stored on the gateway, so not dumped: add them to the API manifests by hand\n');
      const plan = await run(adopted.dir, ['plan', '--detailed-exitcode']);
      expect(plan.stdout).toMatch(/^No changes\./);
      expect(plan.status).toBe(0);
    } finally {
      source.cleanup();
      adopted.cleanup();
    }
  });
});
