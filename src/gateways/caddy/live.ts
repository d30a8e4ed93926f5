/**
 * Reading gitway's part back out of a Caddy config (a file now, the admin API's `/config/` later):
 * find the `gitway:root` route, decompile the entities from the metadata embedded in it, and detect
 * hand edits (drift) by hashing each native route and comparing it with the hash recorded when
 * gitway compiled it.
 */
import { GatewayError } from '../../errors.js';
import { sha256 } from '../../model/fingerprint.js';
import { ENTITY_KINDS, type EntityKind } from '../../model/types.js';
import type { KeyedEntity } from '../../plan/diff.js';
import type { LiveState, Stamp } from '../driver.js';
import { META_ID, METADATA_FORMAT, ROOT_ID, ROUTE_ID_PREFIX, SERVER, rootHash, rootWithoutMeta, routeHash, type CaddyRoute, type Json, type Metadata } from './compile.js';

export const ABSENT = sha256('gitway:absent');

export interface RootLocation {
  server: string;
  index: number;
  root: CaddyRoute;
  listen: string[];
}

/** Where `gitway:root` is in a config (a top-level route of one of the HTTP servers). */
export function findRoot(config: Json): RootLocation | undefined {
  const servers = ((config.apps as Json | undefined)?.http as Json | undefined)?.servers as Record<string, Json> | undefined;
  if (!servers || typeof servers !== 'object') return undefined;
  for (const name of Object.keys(servers).sort()) {
    const routes = servers[name]?.routes;
    if (!Array.isArray(routes)) continue;
    const index = routes.findIndex((r) => r && typeof r === 'object' && (r as CaddyRoute)['@id'] === ROOT_ID);
    if (index >= 0) {
      const listen = servers[name].listen;
      return { server: name, index, root: routes[index] as CaddyRoute, listen: Array.isArray(listen) ? listen.map(String) : [] };
    }
  }
  return undefined;
}

/**
 * The hash a plan records: gitway's root and the listener it sits on, as they are (one
 * serialisation); hand-made config beside it does not count.
 */
export function liveFingerprint(location: RootLocation | undefined): string {
  return location ? serialised(location).fingerprint : ABSENT;
}

/** The live fingerprint and the text of the routes after the first, each route serialised once. */
function serialised(location: RootLocation): { fingerprint: string; rest?: string } {
  const sub = location.root.handle?.[0] as { routes?: unknown } | undefined;
  if (!sub || !Array.isArray(sub.routes) || sub.routes.length === 0) return { fingerprint: sha256(JSON.stringify({ listen: location.listen, root: location.root })) };
  const routes = sub.routes as unknown[];
  const shape = { ...location.root, handle: [{ ...sub, routes: [] }, ...(location.root.handle ?? []).slice(1)] };
  const first = JSON.stringify(routes[0]);
  const rest = JSON.stringify(routes.slice(1));
  return { fingerprint: sha256(`${JSON.stringify(location.listen)}\n${JSON.stringify(shape)}\n${first}\n${rest}`), rest };
}

/** What a restore puts back: gitway's root as it was (with its history) and its listener, or its absence. */
export interface CaddySnapshot {
  root?: CaddyRoute;
  listen: string[];
  server?: string;
  /** The HTTP servers that existed (a server gitway created is removed with the root when restoring "absent"). */
  servers: string[];
}

export const HISTORY_KEY = 'gitway_history';

/** The stamps kept in the metadata route of a root, newest first. */
export function historyOf(root: CaddyRoute | undefined): Stamp[] {
  const sub = root?.handle?.[0] as { routes?: CaddyRoute[] } | undefined;
  const meta = Array.isArray(sub?.routes) ? sub.routes.find((r) => r?.['@id'] === META_ID) : undefined;
  const list = (meta?.handle?.[0] as Record<string, unknown> | undefined)?.[HISTORY_KEY];
  return Array.isArray(list) ? (list.filter((s) => s && typeof s === 'object' && typeof (s as Stamp).id === 'string' && typeof (s as Stamp).time === 'string') as Stamp[]) : [];
}

/** A copy of a root whose metadata route carries `history` (the root's other routes are shared, not copied). */
export function withHistory(root: CaddyRoute, history: readonly Stamp[]): CaddyRoute {
  const sub = root.handle?.[0] as { routes?: CaddyRoute[] } | undefined;
  if (!sub || !Array.isArray(sub.routes)) return root;
  const routes = sub.routes.map((r) => {
    if (r?.['@id'] !== META_ID) return r;
    const [vars, ...rest] = r.handle ?? [];
    return { ...r, handle: [{ ...vars, [HISTORY_KEY]: history }, ...rest] };
  });
  return { ...root, handle: [{ ...sub, routes }, ...(root.handle ?? []).slice(1)] };
}

function serverNames(config: Json | undefined): string[] {
  const servers = ((config?.apps as Json | undefined)?.http as Json | undefined)?.servers;
  return servers && typeof servers === 'object' ? Object.keys(servers).sort() : [];
}

/** What the config holds beside gitway's root: one line per server or route gitway does not own. */
function foreignParts(config: Json | undefined, location: RootLocation | undefined): string[] {
  const servers = ((config?.apps as Json | undefined)?.http as Json | undefined)?.servers as Record<string, Json> | undefined;
  const out: string[] = [];
  for (const name of serverNames(config)) {
    const server = servers?.[name] ?? {};
    const routes = Array.isArray(server.routes) ? (server.routes as CaddyRoute[]) : [];
    const listen = Array.isArray(server.listen) ? (server.listen as string[]).join(', ') : '?';
    routes.forEach((r, i) => {
      if (location && location.server === name && i === location.index) return;
      const id = r && typeof r === 'object' && typeof r['@id'] === 'string' ? ` (@id ${r['@id']})` : '';
      out.push(`server '${name}' (listen ${listen}): route ${i + 1}${id}`);
    });
  }
  for (const app of Object.keys((config?.apps as Json | undefined) ?? {}).sort()) if (app !== 'http') out.push(`app '${app}'`);
  return out;
}

export function decompile(config: Json | undefined, where: string): LiveState {
  const location = config ? findRoot(config) : undefined;
  const snapshot: CaddySnapshot = { root: location?.root, listen: location?.listen ?? [], server: location?.server, servers: serverNames(config) };
  const common = { history: historyOf(location?.root), snapshot, where, foreign: foreignParts(config, location) };
  if (!location) return { present: false, entities: [], fingerprint: ABSENT, ...common };
  const sub = location.root.handle?.[0] as { handler?: string; routes?: CaddyRoute[] } | undefined;
  const routes = sub?.handler === 'subroute' && Array.isArray(sub.routes) ? sub.routes : [];
  const metaRoute = routes.find((r) => r?.['@id'] === META_ID);
  const metadata = (metaRoute?.handle?.[0] as { gitway?: Metadata } | undefined)?.gitway;
  const server: KeyedEntity = { kind: 'server', name: SERVER, spec: { listen: location.listen } };
  if (!metadata || typeof metadata !== 'object' || typeof metadata.entities !== 'object') {
    return {
      present: true,
      entities: [{ ...server, drift: "gitway's root route has no gitway metadata (edited by hand or written by something else); apply rewrites it" }],
      fingerprint: liveFingerprint(location),
      ...common,
    };
  }
  if (metadata.format > METADATA_FORMAT) {
    throw new GatewayError(`${where} was written by a newer gitway (metadata format ${metadata.format}; this gitway reads ${METADATA_FORMAT})`, 'Upgrade gitway to plan against this target.');
  }
  const byId = new Map(routes.map((r) => [r?.['@id'], r]));
  const entities: KeyedEntity[] = [];
  let routeDrift = false;
  // One hash over every route after the metadata says whether anything was edited; only then is each route hashed to find which.
  const texts = serialised(location);
  const untouched = typeof metadata.routes === 'string' && routes[0] === metaRoute && texts.rest !== undefined && sha256(texts.rest) === metadata.routes;
  const members = new Map<string, number>();
  for (const value of Object.values(metadata.entities)) if (value.native) members.set(value.native, (members.get(value.native) ?? 0) + 1);
  const driftOf = new Map<string, string | undefined>();
  const drift = (id: string): string | undefined => {
    if (!driftOf.has(id)) {
      const native = byId.get(id);
      const shared = (members.get(id) ?? 1) > 1 ? ` (shared by ${members.get(id)} routes handled the same way)` : '';
      driftOf.set(id, !native ? `its Caddy route ${id}${shared} was removed by hand` : routeHash(native) !== metadata.natives?.[id] ? `its Caddy route ${id}${shared} was edited by hand` : undefined);
    }
    return driftOf.get(id);
  };
  for (const [key, value] of Object.entries(metadata.entities)) {
    const slash = key.indexOf('/');
    const kind = key.slice(0, slash) as EntityKind;
    const name = key.slice(slash + 1);
    if (!(ENTITY_KINDS as readonly string[]).includes(kind) || kind === 'server') continue;
    const entity: KeyedEntity = { kind, name, spec: value.spec };
    if (kind === 'route' && !untouched) {
      const d = value.native ? drift(value.native) : 'its Caddy route is not recorded in gitway metadata';
      if (d) {
        entity.drift = d;
        routeDrift = true;
      }
    }
    entities.push(entity);
  }
  if (!untouched && !routeDrift && rootHash(rootWithoutMeta(location.root)) !== metadata.root) {
    server.drift = "gitway's root route was edited by hand (a route added or moved, or the 404 or error handling changed)";
  }
  entities.push(server);
  return { present: true, entities, fingerprint: texts.fingerprint, ...common };
}
