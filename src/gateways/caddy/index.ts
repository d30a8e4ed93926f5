/**
 * The Caddy driver. Targets: a rendered JSON config file (the embedded default) or a running
 * Caddy's admin API. Either way gitway replaces only its `gitway:root` route, in one write of the
 * whole config (atomic: Caddy loads all of it or keeps the old one), so the admin block and any
 * hand-made servers or routes beside it survive every apply. On the admin API the write carries
 * `If-Match` with the ETag of the config it was computed from: a concurrent change makes it fail
 * (412) instead of being overwritten, and gitway re-reads before deciding anything.
 */
import { ApplyFailedError, GatewayError, StalePlanError, UnrestoredError, UsageError } from '../../errors.js';
import type { DesiredState } from '../../model/types.js';
import { section } from '../../plan/diff.js';
import { WriteOutcomeUnknown } from '../admin-client.js';
import { HISTORY_LIMIT, type CompileOptions, type Driver, type LiveState, type ResolvedTarget, type RestoreRequest, type WriteRequest, type WriteResult } from '../driver.js';
import { compileCaddy, nativeHash, SERVER, shareRoot, sortedKeys, type CaddyNative, type CaddyRoute, type Json } from './compile.js';
import { decompile, findRoot, historyOf, liveFingerprint, withHistory, type CaddySnapshot } from './live.js';
import { Rejected, storeFor, VersionConflict, type ConfigStore, type Loaded } from './store.js';

/** How many times a write re-reads and tries again after a 412 or a lost answer. */
const WRITE_ATTEMPTS = 4;

export const caddyDriver: Driver<CaddyNative> = {
  name: 'caddy',
  // What Caddy assumes when gitway leaves a value out.
  defaults: {
    upstream: { retries: 0, loadBalancing: { policy: 'random' }, healthCheck: section({ passive: section({ failDuration: '30s' }) }) },
    route: { hosts: [], methods: [], policies: [] },
    consumer: { credentials: [] },
  },
  // Caddy's admin API has no auth of its own; behind an authenticating proxy it is a bearer token.
  adminAuth: { header: 'Authorization', scheme: 'Bearer' },
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
    const store = storeFor(target, this.adminAuth);
    try {
      const loaded = await store.load();
      const state = decompile(loaded.config, store.where);
      // A versioned config (the admin API's ETag) can be written back from this read: If-Match still refuses it if anything moved.
      if (loaded.version !== undefined) state.basis = loaded;
      return state;
    } finally {
      await store.close();
    }
  },
  async write(target: ResolvedTarget, request: WriteRequest<CaddyNative>): Promise<WriteResult> {
    const store = storeFor(target, this.adminAuth);
    try {
      return await replaceRoot(store, request.expectedFingerprint, request.live, (config, previous) => {
        const history = [request.stamp, ...previous.history].slice(0, HISTORY_LIMIT);
        const native = { listen: request.native.listen, root: withHistory(request.native.root, history) };
        if (store.live && config) refuseListenerMove(config, native, store.where);
        return shareWhenNeeded(config ? merge(config, native, { keepListen: store.live }) : freshConfig(native, store.live ? null : undefined));
      });
    } finally {
      await store.close();
    }
  },
  async restore(target: ResolvedTarget, request: RestoreRequest): Promise<void> {
    const snapshot = request.snapshot as CaddySnapshot;
    const store = storeFor(target, this.adminAuth);
    try {
      await replaceRoot(store, request.expectedFingerprint, undefined, (config) => {
        if (!snapshot.root) return config ? removeRoot(config, snapshot.servers) : {};
        const root = request.stamp ? withHistory(snapshot.root, [request.stamp, ...historyOf(snapshot.root)].slice(0, HISTORY_LIMIT)) : snapshot.root;
        const native = { listen: snapshot.listen, root };
        return shareWhenNeeded(config ? merge(config, native, { keepListen: store.live }) : freshConfig(native, store.live ? null : undefined));
      });
    } finally {
      await store.close();
    }
  },
};

/**
 * The one write path: load the config (and its version), refuse when gitway's part is not the
 * expected one, compute the next config, save it with the version. A 412 (something changed
 * anywhere in the config) or a lost answer (Caddy reloading resets connections) is never retried
 * blind: gitway re-reads and decides. Its write landed: done. Its part is unchanged: try again.
 * Its part moved: stale, nothing written.
 */
async function replaceRoot(store: ConfigStore, expected: string, read: LiveState | undefined, next: (config: Json | undefined, previous: LiveState) => Json): Promise<WriteResult> {
  let lost: string | undefined;
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    // The plan's own read serves the first attempt on a versioned store (a 412 sends gitway back to reading).
    const basis = attempt === 0 && store.live ? (read?.basis as Loaded | undefined) : undefined;
    const loaded = basis?.version !== undefined ? basis : await store.load();
    const previous = basis && read ? read : decompile(loaded.config, store.where);
    if (previous.fingerprint !== expected) {
      throw new StalePlanError(
        lost
          ? `the answer to gitway's write to ${store.where} was lost (${lost}), and what is live now is neither the previous state nor what gitway wrote: something else changed gitway's part at the same moment; nothing more was written`
          : `gitway's part of ${store.where} changed since the plan was made (another apply, or an edit by hand, got there first); nothing was written`,
      );
    }
    const config = next(loaded.config, previous);
    try {
      await store.save(config, loaded.version, formatConfig);
      return { previous, writes: store.writes };
    } catch (err) {
      if (err instanceof VersionConflict) continue;
      if (err instanceof WriteOutcomeUnknown) {
        lost = err.reason;
        let after: LiveState;
        try {
          after = decompile((await store.load()).config, store.where);
        } catch (again) {
          throw new GatewayError(
            `gitway sent its write to ${store.where}, then lost the gateway (${lost}; then: ${(again as Error).message}); whether the write landed is unknown. Caddy loads a config whole or not at all, so it holds either the previous state or the new one, never a mix`,
            'When the gateway answers again, run `gitway plan`: "No changes." means the new state is live; otherwise apply again, or `gitway rollback`.',
            again,
          );
        }
        if (after.fingerprint === writtenFingerprint(config, store.live)) return { previous, writes: store.writes };
        continue; // unchanged: the write did not land; the loop re-checks and tries again
      }
      if (err instanceof Rejected) {
        const after = await store.load().then((l) => decompile(l.config, store.where)).catch(() => undefined);
        if (after?.fingerprint === expected) {
          throw new ApplyFailedError(`Caddy at ${store.where} rejected the new config (${err.status}: ${err.reason}); nothing changed: the previous config is still live (read back to check)`, 'Fix what Caddy names (run `gitway render` and `caddy validate` on the output to reproduce it), then plan again.');
        }
        throw new UnrestoredError(`Caddy at ${store.where} rejected the new config (${err.status}: ${err.reason}), and reading it back ${after ? 'shows a gitway part that is neither the previous one nor the new one' : 'failed'}`, 'Run `gitway plan` to see what is live now, and `gitway apply` to finish.');
      }
      throw err;
    }
  }
  throw new GatewayError(`the config of ${store.where} kept changing while gitway tried to write it (${WRITE_ATTEMPTS} attempts); nothing of gitway's was written`, 'Something else is writing to the gateway continuously; try again when it is quiet.');
}

/** The config with gitway's root shared (see shareRoot) when its server holds other routes too. */
function shareWhenNeeded(config: Json): Json {
  const location = findRoot(config);
  if (!location) return config;
  const servers = ((config.apps as Json).http as Json).servers as Record<string, Json>;
  const routes = servers[location.server].routes as CaddyRoute[];
  if (routes.length < 2) return config;
  const next = [...routes];
  next[location.index] = shareRoot(location.root);
  servers[location.server] = { ...servers[location.server], routes: next };
  return config;
}

/** What gitway's part of `config` hashes to once read back: a live Caddy gives its config back with keys sorted. */
function writtenFingerprint(config: Json, live: boolean): string {
  const location = findRoot(config);
  if (!location || !live) return liveFingerprint(location);
  return liveFingerprint({ ...location, root: sortedKeys(location.root, new Map()) });
}

/** On a live Caddy, a server's listener is never moved through the API. */
function refuseListenerMove(config: Json, native: CaddyNative, where: string): void {
  const location = findRoot(config);
  if (!location) return;
  const same = location.listen.length === native.listen.length && location.listen.every((l, i) => l === native.listen[i]);
  if (!same) {
    throw new UsageError(
      `gitway's routes on ${where} are served by server '${location.server}' listening on ${location.listen.join(', ')}, but the environment asks for ${native.listen.join(', ')}; gitway does not move a live server's listener through the admin API; nothing was written`,
      `Set listen: ${location.listen.length === 1 ? location.listen[0] : JSON.stringify(location.listen)} for this environment in gitway.yaml, or change the listener in Caddy's own config first.`,
    );
  }
}

/** The config with gitway's root (and, when gitway created it, its server) removed. */
function removeRoot(config: Json, serversBefore: readonly string[]): Json {
  const next = JSON.parse(JSON.stringify(config)) as Json;
  const location = findRoot(next);
  if (!location) return next;
  const servers = ((next.apps as Json).http as Json).servers as Record<string, Json>;
  const routes = servers[location.server].routes as CaddyRoute[];
  routes.splice(location.index, 1);
  if (routes.length === 0 && !serversBefore.includes(location.server)) delete servers[location.server];
  return next;
}

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

/**
 * A complete Caddy config holding only gitway's server. `admin: null` leaves the admin block out: a
 * running Caddy without any config has its admin endpoint where Caddy's default (or CADDY_ADMIN)
 * put it, and a block naming another address would move it.
 */
export function freshConfig(native: CaddyNative, admin: Json | null = { listen: 'localhost:2019' }): Json {
  return {
    ...(admin ? { admin } : {}),
    apps: { http: { servers: { [SERVER]: gitwayServer(native) } } },
  };
}

function gitwayServer(native: CaddyNative): Json {
  // gitway serves plain HTTP: automatic HTTPS would otherwise try to get certificates for every host.
  return { listen: [...native.listen], automatic_https: { disable: true }, routes: [native.root] };
}

/** The existing config with gitway's root replaced (or added), everything else untouched. */
export function merge(config: Json, native: CaddyNative, options: { keepListen?: boolean } = {}): Json {
  // Copies only the path it changes (apps → http → servers → one server → its routes); everything
  // else is shared with `config`, which is never modified: a 10,000-route config is not deep-copied.
  const apps = { ...((config.apps as Json | undefined) ?? {}) };
  const http = { ...((apps.http as Json | undefined) ?? {}) };
  const servers = { ...((http.servers as Record<string, Json> | undefined) ?? {}) };
  http.servers = servers;
  apps.http = http;
  const next: Json = { ...config, apps };
  const location = findRoot(config);
  if (location) {
    const server = servers[location.server];
    const routes = [...(server.routes as unknown[])];
    routes[location.index] = native.root;
    servers[location.server] = { ...server, routes, ...(options.keepListen ? {} : { listen: [...native.listen] }) };
    return next;
  }
  // A server already on gitway's address (or named for gitway) takes the root first in its routes.
  const host = Object.keys(servers).find((n) => Array.isArray(servers[n]?.listen) && (servers[n].listen as string[]).some((l) => native.listen.includes(l))) ?? (servers[SERVER] ? SERVER : undefined);
  if (host) {
    const server = servers[host];
    servers[host] = { ...server, routes: [native.root, ...(Array.isArray(server.routes) ? server.routes : [])], ...(options.keepListen ? {} : { listen: [...native.listen] }) };
  } else {
    servers[SERVER] = gitwayServer(native);
  }
  return next;
}
