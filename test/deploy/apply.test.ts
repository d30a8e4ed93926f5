/**
 * applyPlan's guarantees, on the file target with drivers that misbehave on purpose: an interrupt
 * before the write writes nothing; a write that does not read back as planned is undone (exit 1);
 * an undo that fails is exit 5 saying what is live; the history keeps the last 20 stamps.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyPlan } from '../../src/deploy/apply.js';
import type { Desired } from '../../src/deploy/desired.js';
import { concealedEntities } from '../../src/deploy/desired.js';
import { ApplyFailedError, UnrestoredError } from '../../src/errors.js';
import { caddyDriver } from '../../src/gateways/caddy/index.js';
import { HISTORY_LIMIT, type Driver, type ResolvedTarget } from '../../src/gateways/driver.js';
import { diff } from '../../src/plan/diff.js';
import { createPlan, type Plan } from '../../src/plan/plan.js';
import { manifest, modelFrom } from '../helpers/model.js';

const files = (timeout: string) => ({
  'gateway/a.yaml': [manifest('Upstream', 'up', `targets:\n  - url: http://127.0.0.1:9999\ntimeouts: { read: ${timeout} }`), manifest('Route', 'r', 'paths: [/r]\nupstream: up')].join('---\n'),
});

async function setup(timeout: string, dir: string, driver: Driver = caddyDriver as Driver): Promise<{ desired: Desired; plan: Plan; target: ResolvedTarget }> {
  const m = await modelFrom(files(timeout));
  const target: ResolvedTarget = { kind: 'file', file: 'caddy.json', path: path.join(dir, 'caddy.json') };
  const native = driver.compile(m.state, { secrets: m.secrets });
  const desired = {
    project: { root: dir, secrets: m.secrets, manifests: [] },
    environment: { name: 'local', driver: 'caddy' },
    model: m,
    driver,
    target,
    native,
    fingerprint: driver.fingerprint(native),
    revision: { source: 'worktree', head: null, dirty: true },
    warnings: [],
    source: 'test',
  } as unknown as Desired;
  const live = await driver.read(target);
  const changes = diff(concealedEntities(m.state, m.secrets), live.entities, driver.defaults);
  const plan = createPlan({ gitway: '0.0.0-test', environment: 'local', driver: 'caddy', target: { kind: 'file', file: 'caddy.json' }, desired: { ...desired.revision, fingerprint: desired.fingerprint }, live: { fingerprint: live.fingerprint, present: live.present }, changes });
  return { desired, plan, target };
}

const options = { gitwayVersion: '0.0.0-test', processEnv: { GITWAY_ACTOR: 'tester' } };

describe('applyPlan', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'gitway-apply-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes nothing when interrupted before the write', async () => {
    const { desired, plan } = await setup('5s', dir);
    await expect(applyPlan(plan, desired, { ...options, interrupted: () => 'SIGINT' })).rejects.toThrow(/^interrupted \(SIGINT\) before anything was written; nothing changed on caddy\.json$/);
    expect(existsSync(path.join(dir, 'caddy.json'))).toBe(false);
  });

  it('stamps every apply, keeps the last 20, and a stamp names the actor', async () => {
    for (let i = 1; i <= HISTORY_LIMIT + 2; i++) {
      const { desired, plan } = await setup(`${i}s`, dir);
      const outcome = await applyPlan(plan, desired, options);
      expect(outcome.writes).toBe(1);
      expect(outcome.stamp).toMatchObject({ actor: 'tester', action: 'apply', result: 'applied', gitway: '0.0.0-test', environment: 'local', source: 'worktree', commit: null, dirty: true });
    }
    const live = await caddyDriver.read({ kind: 'file', file: 'caddy.json', path: path.join(dir, 'caddy.json') });
    expect(live.history.length).toBe(HISTORY_LIMIT);
  });

  it('undoes a write that does not read back as planned (exit 1), and records the failed attempt', async () => {
    const first = await setup('5s', dir);
    await applyPlan(first.plan, first.desired, options);
    const before = readFileSync(path.join(dir, 'caddy.json'), 'utf8');
    // a gateway that loses part of what it was given: its write drops gitway's routes
    const lossy: Driver = {
      ...(caddyDriver as Driver),
      write: async (t, r) => {
        const native = r.native as { listen: string[]; root: { handle: { routes: { '@id'?: string }[] }[] } };
        const sub = native.root.handle[0];
        const root = { ...native.root, handle: [{ ...sub, routes: sub.routes.filter((x) => !x['@id']?.startsWith('gitway:route:')) }] };
        return caddyDriver.write(t, { ...r, native: { ...native, root } } as never);
      },
    };
    const second = await setup('7s', dir, lossy);
    const err = (await applyPlan(second.plan, second.desired, options).catch((e: unknown) => e)) as ApplyFailedError;
    expect(err).toBeInstanceOf(ApplyFailedError);
    expect(err.exitCode).toBe(1);
    expect(err.message).toBe('reading caddy.json back after the write does not give the desired state (0 to add, 1 to change, 0 to destroy: route r); the previous state was put back and is live again (read back to check)');
    const after = await caddyDriver.read({ kind: 'file', file: 'caddy.json', path: path.join(dir, 'caddy.json') });
    expect(after.history[0]).toMatchObject({ result: 'failed', detail: expect.stringContaining('does not give the desired state') });
    // what serves is the state before: same entities as before the failed apply
    const entities = JSON.stringify(after.entities);
    expect(entities).toContain('"read":"5s"');
    expect(entities).not.toContain('"read":"7s"');
    expect(before).not.toBe(readFileSync(path.join(dir, 'caddy.json'), 'utf8')); // only the stamp differs
  });

  it('is exit 5 when the undo fails too, saying what is live and how to finish', async () => {
    const first = await setup('5s', dir);
    await applyPlan(first.plan, first.desired, options);
    const broken: Driver = {
      ...(caddyDriver as Driver),
      read: async (t) => {
        const live = await caddyDriver.read(t);
        return { ...live, history: [] }; // never shows the stamp: the verify fails
      },
      restore: async () => {
        throw new Error('disk full');
      },
    };
    const second = await setup('7s', dir, broken);
    const err = (await applyPlan(second.plan, second.desired, options).catch((e: unknown) => e)) as UnrestoredError;
    expect(err).toBeInstanceOf(UnrestoredError);
    expect(err.exitCode).toBe(5);
    expect(err.message).toBe("reading caddy.json back after the write does not show this apply's stamp on top (another write got in between); putting the previous state back failed too (disk full): the NEW state (of this apply) is live on caddy.json");
    expect(err.hint).toContain('gitway rollback --env local');
  });
});
