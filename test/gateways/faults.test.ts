/**
 * Fault injection against a real Caddy (its own instance, autosave on so a restart resumes the last
 * config it loaded): failing smoke checks, Caddy killed mid-apply, connections reset during the
 * write, Ctrl-C mid-apply, stale and foreign plans, rollbacks. Every test reads the gateway
 * afterwards (its admin API) instead of trusting what gitway printed.
 */
import { jest } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { caddyTitle, describeWithCaddy, hasCaddy } from '../helpers/caddy.js';
import { git, gitwayAsync, type CliResult } from '../helpers/cli.js';
import { startAdminProxy, startCaddy, startUpstream, type AdminProxy, type Caddy, type Upstream } from '../helpers/live.js';
import { liveRepo, LIVE_SECRETS, type LiveRepo } from '../helpers/live-repo.js';

jest.setTimeout(180_000);

type Json = Record<string, unknown>;

/** gitway's root as live, without the metadata route (which carries the history): the served state. */
function served(config: Json): unknown {
  const servers = ((config.apps as Json)?.http as Json)?.servers as Record<string, { routes?: Json[] }>;
  for (const s of Object.values(servers ?? {})) {
    const root = s.routes?.find((r) => r['@id'] === 'gitway:root') as { handle: { routes: Json[] }[] } | undefined;
    if (root) return { ...root, handle: [{ ...root.handle[0], routes: root.handle[0].routes.filter((r) => r['@id'] !== 'gitway:meta') }] };
  }
  return undefined;
}

interface HistoryEntry {
  id: string;
  action: string;
  result: string;
  commit: string | null;
  detail?: string;
}

function historyOf(config: Json): HistoryEntry[] {
  const servers = ((config.apps as Json)?.http as Json)?.servers as Record<string, { routes?: Json[] }>;
  for (const s of Object.values(servers ?? {})) {
    const root = s.routes?.find((r) => r['@id'] === 'gitway:root') as { handle: { routes: { '@id'?: string; handle: Json[] }[] }[] } | undefined;
    const meta = root?.handle[0].routes.find((r) => r['@id'] === 'gitway:meta');
    if (meta) return (meta.handle[0].gitway_history as HistoryEntry[]) ?? [];
  }
  return [];
}

describeWithCaddy(caddyTitle('faults: a real Caddy that fails, resets, dies, and a user who presses Ctrl-C'), () => {
  let caddy: Caddy;
  let admin: AdminProxy;
  let a: Upstream;
  let b: Upstream;
  let c: Upstream;
  let repo: LiveRepo;
  const run = (args: string[], options: { env?: Record<string, string>; onSpawn?: (child: ChildProcess) => void } = {}): Promise<CliResult> =>
    gitwayAsync(args, { cwd: repo.dir, env: { ...LIVE_SECRETS, ...options.env }, onSpawn: options.onSpawn });
  const commit = (file: string, from: string, to: string, message: string) => {
    const text = repo.read(file);
    if (!text.includes(from)) throw new Error(`${file} does not contain ${from}`);
    repo.write(file, text.replace(from, to));
    git(repo.dir, 'commit', '-qam', message);
    return git(repo.dir, 'rev-parse', 'HEAD').trim();
  };

  beforeAll(async () => {
    caddy = await startCaddy({ persist: true });
    admin = await startAdminProxy(caddy.admin);
    [a, b, c] = [await startUpstream('a'), await startUpstream('b'), await startUpstream('c')];
    repo = liveRepo(caddy, { a, b, c }, admin.url);
    const first = await run(['apply', '--yes']);
    expect(first.status).toBe(0);
  });
  afterAll(async () => {
    await caddy?.stop();
    await admin?.close();
    await Promise.all([a, b, c].map((u) => u?.close()));
    repo?.cleanup();
  });

  it('puts the previous state back when a smoke check fails after the deploy (exit 1), and records the failed attempt', async () => {
    const before = await caddy.config();
    commit('gateway/main.yaml', 'maxAge: 600', 'maxAge: 500', 'cors 500');
    a.status = 500;
    b.status = 500;
    let r: CliResult;
    try {
      r = await run(['apply', '--yes', '--auto-rollback']);
    } finally {
      a.status = 200;
      b.status = 200;
    }
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("✖ smoke check 'list items' (API echo): GET http://127.0.0.1:");
    expect(r.stderr).toMatch(/gitway: smoke check 'list items' of API 'echo' failed \(GET http:\/\/127\.0\.0\.1:\d+\/echo\/items, \d+ attempts over \d\.\d s\): expected status 200, got 500; last answer: 500 .*; the previous state was put back and is live again \(read back to check\)\./);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const after = await caddy.config();
    expect(served(after)).toEqual(served(before));
    const history = historyOf(after);
    expect(history[0]).toMatchObject({ result: 'failed', action: 'apply', detail: expect.stringContaining("smoke check 'list items'") });
    expect(history.length).toBe(historyOf(before).length + 1);
    // with the upstreams well again, the same apply passes its checks
    const ok = await run(['apply', '--yes', '--auto-rollback']);
    expect(ok.status).toBe(0);
    expect(ok.stderr).toMatch(/✔ smoke check 'list items' \(API echo\): GET http:\/\/127\.0\.0\.1:\d+\/echo\/items → 200/);
  });

  it('loses the answer to its write (the admin API resets the connection, as on a reload): re-reads, finds its write, never writes twice', async () => {
    commit('gateway/main.yaml', 'maxAge: 500', 'maxAge: 400', 'cors 400');
    const before = historyOf(await caddy.config()).length;
    admin.next('drop-response');
    const writes = admin.writes;
    const r = await run(['apply', '--yes', '--env', 'proxied']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Apply complete: 0 added, 1 changed, 0 destroyed');
    expect(admin.writes - writes).toBe(1);
    const history = historyOf(await caddy.config());
    expect(history.length).toBe(before + 1);
    expect(r.stdout).toContain(`Recorded as deployment ${history[0].id} `);

    // the connection dropped before Caddy saw the write: gitway re-reads, sees nothing changed, writes again once
    commit('gateway/main.yaml', 'maxAge: 400', 'maxAge: 300', 'cors 300');
    admin.next('drop-request');
    const w2 = admin.writes;
    const f2 = admin.forwarded;
    const again = await run(['apply', '--yes', '--env', 'proxied']);
    expect(again.status).toBe(0);
    expect(admin.writes - w2).toBe(2);
    expect(admin.forwarded - f2).toBe(1);
    expect(historyOf(await caddy.config()).length).toBe(before + 2);
  });

  it('on Ctrl-C in the middle of an apply, finishes the write, puts the previous state back, and says so', async () => {
    const before = await caddy.config();
    commit('gateway/main.yaml', 'maxAge: 300', 'maxAge: 200', 'cors 200');
    let child: ChildProcess | undefined;
    admin.next('hold', { holdMs: 1500, onHold: () => setTimeout(() => child?.kill('SIGINT'), 200) });
    const r = await run(['apply', '--yes', '--env', 'proxied'], { onSpawn: (x) => (child = x) });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('gitway: SIGINT received: stopping at the next safe point');
    expect(r.stderr).toMatch(/gitway: interrupted \(SIGINT\) during the apply, after the write; the previous state was put back and is live again/);
    const after = await caddy.config();
    expect(served(after)).toEqual(served(before));
    expect(historyOf(after)[0]).toMatchObject({ result: 'failed', detail: expect.stringContaining('interrupted (SIGINT)') });
    git(repo.dir, 'revert', '--no-edit', 'HEAD');
  });

  it('on SIGTERM while the smoke checks run, stops them, puts the previous state back, and says why', async () => {
    const before = await caddy.config();
    const marker = historyOf(before)[0]?.id;
    commit('gateway/main.yaml', 'maxAge: 300', 'maxAge: 280', 'cors 280');
    a.status = 500;
    b.status = 500;
    let child: ChildProcess | undefined;
    let r: CliResult;
    try {
      const running = run(['apply', '--yes', '--auto-rollback'], { onSpawn: (x) => (child = x) });
      // once the write is on the gateway (a new stamp on top), the checks are running: interrupt them
      for (let i = 0; i < 100 && historyOf(await caddy.config())[0]?.id === marker; i++) await new Promise((x) => setTimeout(x, 50));
      await new Promise((x) => setTimeout(x, 300));
      child?.kill('SIGTERM');
      r = await running;
    } finally {
      a.status = 200;
      b.status = 200;
    }
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('gitway: SIGTERM received: stopping at the next safe point');
    expect(r.stderr).toMatch(/interrupted \(SIGTERM\).*the previous state was put back and is live again/);
    const after = await caddy.config();
    expect(served(after)).toEqual(served(before));
    expect(historyOf(after)[0]).toMatchObject({ result: 'failed', detail: expect.stringContaining('interrupted (SIGTERM)') });
    git(repo.dir, 'revert', '--no-edit', 'HEAD');
  });

  it('refuses a stale saved plan and a plan for another environment, writing nothing', async () => {
    commit('gateway/main.yaml', 'maxAge: 300', 'maxAge: 250', 'cors 250');
    const saved = await run(['plan', '--out', 'stale.plan.json']);
    expect(saved.status).toBe(0);
    const moved = await run(['apply', '--yes']); // someone else applies first
    expect(moved.status).toBe(0);
    const before = await caddy.config();
    const stale = await run(['apply', 'stale.plan.json']);
    expect(stale.status).toBe(3);
    expect(stale.stderr).toMatch(/^gitway: the live state of environment 'live' changed since stale\.plan\.json was made \(the newest deployment on it: apply applied by .+ at \d{4}-\d\d-\d\dT[\d:.]+Z\); nothing was applied\./);
    const foreign = await run(['apply', 'stale.plan.json', '--env', 'proxied']);
    expect(foreign.status).toBe(3);
    expect(foreign.stderr).toMatch(/^gitway: stale\.plan\.json is a plan for environment 'live', not 'proxied'; nothing was applied\./);
    expect(await caddy.config()).toEqual(before);
  });

  it('refuses to roll back to a commit whose manifests are invalid, writing nothing', async () => {
    repo.write('gateway/main.yaml', repo.read('gateway/main.yaml').replace('upstream: pool', 'upstream: no-such-upstream'));
    git(repo.dir, 'commit', '-qam', 'broken');
    git(repo.dir, 'tag', 'broken');
    git(repo.dir, 'revert', '--no-edit', 'HEAD');
    const before = await caddy.config();
    const r = await run(['rollback', 'broken', '--yes']);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/gateway\/main\.yaml:\d+:\d+ error .*no-such-upstream/);
    expect(r.stderr).toMatch(/gitway: commit [0-9a-f]{7} \(broken\) has \d+ errors?, so gitway refuses to roll back to it; nothing was written\./);
    expect(await caddy.config()).toEqual(before);
  });

  it('rolls back to the previous deployment, and a second rollback returns to where the first started', async () => {
    const v1 = commit('gateway/main.yaml', 'maxAge: 250', 'maxAge: 111', 'cors 111');
    expect((await run(['apply', '--yes'])).status).toBe(0);
    const atV1 = served(await caddy.config());
    const v2 = commit('gateway/main.yaml', 'maxAge: 111', 'maxAge: 222', 'cors 222');
    expect((await run(['apply', '--yes'])).status).toBe(0);
    const atV2 = served(await caddy.config());
    expect(atV2).not.toEqual(atV1);

    const back = await run(['rollback', '--yes']);
    expect(back.status).toBe(0);
    expect(back.stderr).toContain(`Rolling back environment 'live' to commit ${v1.slice(0, 7)}`);
    expect(back.stdout).toContain('~ policy cors');
    expect(back.stdout).toContain('Rollback complete: 0 added, 1 changed, 0 destroyed');
    let config = await caddy.config();
    expect(served(config)).toEqual(atV1);
    expect(historyOf(config)[0]).toMatchObject({ action: 'rollback', result: 'applied', commit: v1 });

    const forth = await run(['rollback', '--yes']);
    expect(forth.status).toBe(0);
    config = await caddy.config();
    expect(served(config)).toEqual(atV2);
    expect(historyOf(config)[0]).toMatchObject({ action: 'rollback', commit: v2 });
    const shown = await run(['history']);
    expect(shown.stdout.split('\n').filter((l) => /\srollback\s/.test(l)).length).toBe(2);
  });

  it("rolls back an old commit's manifests onto the gateway as gitway.yaml defines it now, not as that commit did", async () => {
    const yaml = repo.read('gitway.yaml');
    // a commit whose gitway.yaml pointed the environment at another admin URL (fixed since)
    repo.write('gitway.yaml', yaml.replace(`admin: ${caddy.admin}`, 'admin: http://127.0.0.1:1'));
    const old = commit('gateway/main.yaml', 'maxAge: 222', 'maxAge: 77', 'cors 77, with a wrong admin URL');
    git(repo.dir, 'tag', 'wrong-url');
    repo.write('gitway.yaml', yaml);
    commit('gateway/main.yaml', 'maxAge: 77', 'maxAge: 222', 'back to 222, admin URL fixed');
    const r = await run(['rollback', 'wrong-url', '--yes']);
    expect(r.stderr).toContain(`Rolling back environment 'live' to commit ${old.slice(0, 7)}`);
    expect(r.status).toBe(0);
    const config = await caddy.config();
    expect(JSON.stringify(served(config))).toContain('"Access-Control-Max-Age":["77"]');
    expect(historyOf(config)[0]).toMatchObject({ action: 'rollback', commit: old });
    expect((await run(['apply', '--yes'])).status).toBe(0); // back to the working tree (222) for the next test
  });

  it('reports clearly when Caddy is killed during the write; after a restart Caddy holds the old or the new config, never a mix', async () => {
    const old = served(await caddy.config());
    commit('gateway/main.yaml', 'maxAge: 222', 'maxAge: 333', 'cors 333');
    admin.next('hold', { holdMs: 800, onHold: () => void caddy.kill() });
    const r = await run(['apply', '--yes', '--env', 'proxied']);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/^gitway: gitway sent its write to http:\/\/127\.0\.0\.1:\d+, then lost the gateway \(connection reset; then: cannot reach the admin API at .*\); whether the write landed is unknown\. Caddy loads a config whole or not at all, so it holds either the previous state or the new one, never a mix\./);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    await caddy.start(undefined, true); // resumes the config it last loaded
    const resumed = served(await caddy.config());
    const finish = await run(['apply', '--yes']);
    expect(finish.status).toBe(0);
    const fresh = served(await caddy.config());
    expect([JSON.stringify(old), JSON.stringify(fresh)]).toContain(JSON.stringify(resumed));
  });
});

if (!hasCaddy) test.todo('install caddy (apt-get install -y caddy) to run the fault-injection tests');
