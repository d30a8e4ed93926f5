import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { caddyDriver, merge } from '../../src/gateways/caddy/index.js';
import { decompile } from '../../src/gateways/caddy/live.js';
import type { CaddyNative, Json } from '../../src/gateways/caddy/compile.js';
import { StalePlanError } from '../../src/errors.js';
import { conceal } from '../../src/model/sensitive.js';
import { diff } from '../../src/plan/diff.js';
import { modelFrom, SECRET_KEY } from '../helpers/model.js';
import { richDocuments, richFiles } from '../helpers/rich.js';

async function compiled() {
  const m = await modelFrom(richFiles, richDocuments);
  const native = caddyDriver.compile(m.state, { secrets: m.secrets });
  const desired = m.state.entities.map((e) => conceal(e, m.secrets)).map(({ kind, name, spec }) => ({ kind, name, spec }));
  return { m, native, desired, config: JSON.parse(caddyDriver.render(native)) as Json };
}

const routesOf = (config: Json) => ((((config.apps as Json).http as Json).servers as Record<string, Json>).gitway.routes as Json[])[0].handle as { routes: Json[] }[];

describe('reading gitway back from a Caddy config', () => {
  it('decompiles what it compiled: no changes against the same desired state', async () => {
    const { config, desired } = await compiled();
    const live = decompile(config, 'caddy.json');
    expect(live.present).toBe(true);
    expect(diff(desired, live.entities, caddyDriver.defaults)).toEqual([]);
    expect(JSON.stringify(live.entities)).not.toContain(SECRET_KEY);
  });

  it('shows a hand-edited route as drift, and an edit elsewhere in the root on the server', async () => {
    const { config, desired } = await compiled();
    const edited = JSON.parse(JSON.stringify(config)) as Json;
    const routes = routesOf(edited)[0].routes;
    (routes.find((r) => r['@id'] === 'gitway:route:static') as Json).terminal = false;
    expect(diff(desired, decompile(edited, 'f').entities)).toEqual([
      expect.objectContaining({ action: 'update', kind: 'route', name: 'static', fields: [], drift: 'its Caddy route gitway:route:static was edited by hand' }),
    ]);
    const shared = JSON.parse(JSON.stringify(config)) as Json;
    (routesOf(shared)[0].routes.find((r) => r['@id'] === 'gitway:route:pets:/pets/mine') as { match: unknown[] }).match.pop();
    expect(diff(desired, decompile(shared, 'f').entities).map((c) => [c.action, c.name, c.drift])).toEqual(
      ['pets:/pets', 'pets:/pets/mine', 'pets:/pets/{id}', 'pets:/pets/{id}/photo.{ext}'].map((n) => ['update', n, 'its Caddy route gitway:route:pets:/pets/mine (shared by 4 routes handled the same way) was edited by hand']),
    );
    const added = JSON.parse(JSON.stringify(config)) as Json;
    routesOf(added)[0].routes.splice(1, 0, { handle: [{ handler: 'static_response', body: 'mine' }] });
    expect(diff(desired, decompile(added, 'f').entities)).toEqual([expect.objectContaining({ action: 'update', kind: 'server', name: 'gitway', drift: expect.stringContaining('edited by hand') })]);
    const removed = JSON.parse(JSON.stringify(config)) as Json;
    routesOf(removed)[0].routes = routesOf(removed)[0].routes.filter((r) => r['@id'] !== 'gitway:route:legacy');
    expect(diff(desired, decompile(removed, 'f').entities)).toEqual([expect.objectContaining({ action: 'update', name: 'legacy', drift: 'its Caddy route gitway:route:legacy was removed by hand' })]);
  });

  it('finds nothing in a config without a gitway root, and changes its fingerprint with any edit of the root', async () => {
    const { config } = await compiled();
    expect(decompile({ apps: { http: { servers: { other: { routes: [] } } } } }, 'f')).toMatchObject({ present: false, entities: [] });
    const edited = JSON.parse(JSON.stringify(config)) as Json;
    routesOf(edited)[0].routes.pop();
    expect(decompile(edited, 'f').fingerprint).not.toBe(decompile(config, 'f').fingerprint);
  });
});

describe('writing the Caddy file target', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'gitway-live-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces only gitway root and listen: the admin block and hand-made servers survive', async () => {
    const { native } = await compiled();
    const mine = { admin: { listen: 'localhost:2999' }, apps: { http: { servers: { mine: { listen: [':9999'], routes: [{ handle: [{ handler: 'static_response', body: 'hi' }] }] } } } } };
    const once = merge(mine, native);
    expect(once.admin).toEqual({ listen: 'localhost:2999' });
    expect(Object.keys(((once.apps as Json).http as Json).servers as Json)).toEqual(['mine', 'gitway']);
    const other: CaddyNative = { listen: [':7000'], root: { '@id': 'gitway:root', handle: [] } };
    const twice = merge(once, other);
    expect((((twice.apps as Json).http as Json).servers as Record<string, Json>).gitway).toEqual({ listen: [':7000'], automatic_https: { disable: true }, routes: [other.root] });
    expect((((twice.apps as Json).http as Json).servers as Record<string, Json>).mine).toEqual(mine.apps.http.servers.mine);
  });

  it('writes atomically with mode 0600, and refuses (writing nothing) when the file moved since it was read', async () => {
    const { native } = await compiled();
    const target = { kind: 'file' as const, file: 'caddy.json', path: path.join(dir, 'sub/caddy.json') };
    const before = await caddyDriver.read(target);
    expect(before.present).toBe(false);
    await caddyDriver.write(target, { native, changes: [], expectedFingerprint: before.fingerprint });
    expect(statSync(target.path).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.dirname(target.path))).toEqual(['caddy.json']);
    const bytes = readFileSync(target.path);
    await expect(caddyDriver.write(target, { native, changes: [], expectedFingerprint: before.fingerprint })).rejects.toBeInstanceOf(StalePlanError);
    expect(readFileSync(target.path).equals(bytes)).toBe(true);
    expect(existsSync(target.path)).toBe(true);
  });

  it('refuses a target file that is not JSON (exit 4)', async () => {
    writeFileSync(path.join(dir, 'caddy.json'), '{"apps": ');
    await expect(caddyDriver.read({ kind: 'file', file: 'caddy.json', path: path.join(dir, 'caddy.json') })).rejects.toMatchObject({ exitCode: 4, message: expect.stringContaining('is not valid JSON') });
  });
});
