/**
 * The Caddy driver. File target: the rendered JSON config file (the embedded default); gitway
 * replaces only its `gitway:root` route (and that server's `listen`), so the admin block and any
 * hand-made servers or routes beside it survive every apply. The admin-API target comes later.
 */
import { promises as fs } from 'node:fs';
import { GatewayError, StalePlanError, UsageError } from '../../errors.js';
import type { DesiredState } from '../../model/types.js';
import { writeFileAtomic } from '../atomic.js';
import { section } from '../../plan/diff.js';
import type { CompileOptions, Driver, LiveState, ResolvedTarget, WriteRequest } from '../driver.js';
import { compileCaddy, nativeHash, SERVER, type CaddyNative, type CaddyRoute, type Json } from './compile.js';
import { decompile, findRoot, liveFingerprint } from './live.js';

export const caddyDriver: Driver<CaddyNative> = {
  name: 'caddy',
  // What Caddy assumes when gitway leaves a value out (for a live admin API read in a later release).
  defaults: {
    upstream: { retries: 0, loadBalancing: { policy: 'random' }, healthCheck: section({ passive: section({ failDuration: '30s' }) }) },
    route: { hosts: [], methods: [], policies: [] },
    consumer: { credentials: [] },
  },
  compile(state: DesiredState, options?: CompileOptions): CaddyNative {
    return compileCaddy(state, options);
  },
  fingerprint(native: CaddyNative): string {
    return nativeHash(native);
  },
  render(native: CaddyNative): string {
    return formatConfig(freshConfig(native));
  },
  async read(target: ResolvedTarget): Promise<LiveState> {
    const file = fileOf(target);
    return decompile(await readConfig(file), file.file);
  },
  async write(target: ResolvedTarget, request: WriteRequest<CaddyNative>): Promise<void> {
    const file = fileOf(target);
    const current = await readConfig(file);
    const location = current ? findRoot(current) : undefined;
    if (liveFingerprint(location) !== request.expectedFingerprint) {
      throw new StalePlanError(`${file.file} changed since the plan was made (its gitway part no longer hashes to the plan's live fingerprint); nothing was written`);
    }
    const next = current ? merge(current, request.native) : freshConfig(request.native);
    await writeFileAtomic(file.path, formatConfig(next), { mode: 0o600 });
  },
};

/**
 * The config as text: indented, except that each route inside gitway's root is one line. A config
 * of 10,000 routes stays a few tens of MB instead of a hundred, and a change to a route is a
 * one-line diff.
 */
export function formatConfig(config: Json): string {
  const location = findRoot(config);
  const sub = location?.root.handle?.[0] as { routes?: unknown[] } | undefined;
  if (!location || !sub || !Array.isArray(sub.routes)) return JSON.stringify(config, null, 2) + '\n';
  const inner = sub.routes;
  const token = (i: number) => `@@gitway-route-${i}@@`;
  const root: CaddyRoute = { ...location.root, handle: [{ ...sub, routes: inner.map((_, i) => token(i)) }, ...(location.root.handle ?? []).slice(1)] };
  const servers = ((config.apps as Json).http as Json).servers as Record<string, Json>;
  const routes = [...(servers[location.server].routes as unknown[])];
  routes[location.index] = root;
  const shaped = { ...config, apps: { ...(config.apps as Json), http: { ...((config.apps as Json).http as Json), servers: { ...servers, [location.server]: { ...servers[location.server], routes } } } } };
  const text = JSON.stringify(shaped, null, 2);
  return text.replace(/"@@gitway-route-(\d+)@@"/g, (_, i: string) => JSON.stringify(inner[Number(i)])) + '\n';
}

/** A complete Caddy config holding only gitway's server. */
export function freshConfig(native: CaddyNative): Json {
  return {
    admin: { listen: 'localhost:2019' },
    apps: { http: { servers: { [SERVER]: gitwayServer(native) } } },
  };
}

function gitwayServer(native: CaddyNative): Json {
  // gitway serves plain HTTP: automatic HTTPS would otherwise try to get certificates for every host.
  return { listen: [...native.listen], automatic_https: { disable: true }, routes: [native.root] };
}

/** The existing config with gitway's root replaced (or added), everything else untouched. */
export function merge(config: Json, native: CaddyNative): Json {
  const next = JSON.parse(JSON.stringify(config)) as Json;
  const location = findRoot(next);
  const apps = (next.apps ??= {}) as Json;
  const http = (apps.http ??= {}) as Json;
  const servers = (http.servers ??= {}) as Record<string, Json>;
  if (location) {
    const server = servers[location.server];
    (server.routes as unknown[])[location.index] = native.root;
    server.listen = [...native.listen];
  } else if (servers[SERVER]) {
    const server = servers[SERVER];
    server.routes = [native.root, ...(Array.isArray(server.routes) ? server.routes : [])];
    server.listen = [...native.listen];
  } else {
    servers[SERVER] = gitwayServer(native);
  }
  return next;
}

function fileOf(target: ResolvedTarget): { file: string; path: string } {
  if (target.kind !== 'file') {
    throw new UsageError(`the caddy driver cannot use an admin API target yet (${target.url})`, 'Use a file target (file: .gitway/<env>/caddy.json) for this environment; the live admin API arrives in a later release.');
  }
  return target;
}

async function readConfig(file: { file: string; path: string }): Promise<Json | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file.path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new GatewayError(`cannot read the target file ${file.file} (${code ?? (err as Error).message})`, 'Check the path and its permissions.', err);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new GatewayError(`the target file ${file.file} is not valid JSON, so gitway cannot tell what it holds`, 'Restore it (or remove it to start afresh), then plan again.');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new GatewayError(`the target file ${file.file} is not a Caddy JSON config (an object)`, 'Restore it (or remove it to start afresh), then plan again.');
  }
  return value as Json;
}
