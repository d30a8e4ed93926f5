/**
 * The neutral desired state → Caddy 2.6 JSON. Pure (bcrypt hashes use a salt derived from the
 * credential, so the same input always compiles to the same bytes).
 *
 * Everything gitway owns is ONE route, `"@id": "gitway:root"`, whose subroute holds, in order:
 *   1. `gitway:meta`: a `vars` handler carrying gitway's metadata (format version, every entity's
 *      spec with secrets as hashes, and the hash of the native route gitway wrote for it). Caddy
 *      rejects unknown keys everywhere but `@id` and `vars`, so this is where it can live.
 *   2. one route per gitway route, `"@id": "gitway:route:<name>"`, most specific first, each a
 *      subroute of policy guards and handlers ending in `reverse_proxy`;
 *   3. `gitway:not-found`: a JSON 404 (a Caddy server with no matching route answers 200).
 * plus a JSON body for every error (`errors` of the root subroute).
 */
import bcrypt from 'bcryptjs';
import { createHash } from 'node:crypto';
import { CompileError } from '../../errors.js';
import { fingerprint, sha256 } from '../../model/fingerprint.js';
import { hasParameters, specificity } from '../../model/paths.js';
import { conceal } from '../../model/sensitive.js';
import { entitiesOf, type DesiredState, type Entity, type PathMatch } from '../../model/types.js';
import type { CompileOptions } from '../driver.js';

export type Json = Record<string, unknown>;

export interface CaddyRoute {
  '@id'?: string;
  match?: Json[];
  handle?: Json[];
  terminal?: boolean;
}

/** Gitway's part of a Caddy config: the root route and the listener it belongs to. */
export interface CaddyNative {
  listen: string[];
  root: CaddyRoute;
}

export const METADATA_FORMAT = 1;
export const ROOT_ID = 'gitway:root';
export const META_ID = 'gitway:meta';
export const NOT_FOUND_ID = 'gitway:not-found';
export const ROUTE_ID_PREFIX = 'gitway:route:';
export const SERVER = 'gitway';
export const DEFAULT_HASH_COST = 10;

/** What gitway embeds in the `vars` handler of `gitway:meta`. */
export interface Metadata {
  format: number;
  /** By `kind/name`: the spec as compiled (secrets hashed); for routes, the `@id` of the Caddy route that serves it. */
  entities: Record<string, { spec: unknown; native?: string }>;
  /** By `@id`: the hash of each Caddy route gitway wrote. */
  natives: Record<string, string>;
  /** Hash of the root route without its metadata route: anything edited inside it shows. */
  root: string;
  /** sha256 of JSON.stringify of the root's routes after the metadata route: one hash that says "nothing was edited" without hashing every route. */
  routes: string;
}

export function compileCaddy(state: DesiredState, options: CompileOptions = {}): CaddyNative {
  const upstreams = new Map(entitiesOf(state, 'upstream').map((u) => [u.name, u]));
  const policies = new Map(entitiesOf(state, 'policy').map((p) => [p.name, p]));
  const consumers = entitiesOf(state, 'consumer');
  const server = entitiesOf(state, 'server')[0];
  const proxies = new Map<string, Json>();
  const proxyFor = (name: string, route: string): Json => {
    let p = proxies.get(name);
    if (!p) {
      const u = upstreams.get(name);
      if (!u) throw new CompileError(`route '${route}' uses upstream '${name}', which is not defined`);
      p = compileUpstream(u);
      proxies.set(name, p);
    }
    return p;
  };
  const hashes = new Map<string, string>();
  const ctx: RouteContext = { policies, consumers, proxyFor, hashes, memo: new Map() };

  // Most specific first; then neighbours that are handled the same way (same upstream, policies,
  // rewrites) share one Caddy route with one matcher set per path: exactly what separate routes
  // would do, at a fraction of the size (an API's policies are written once, not once per path).
  const sorted = entitiesOf(state, 'route')
    .map((r) => ({ r, key: `${r.spec.hosts.length ? 0 : 1}|${r.spec.paths.map(specificity).sort()[0] ?? ''}|${r.name}` }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const groups: { key: string; route: CaddyRoute; members: string[] }[] = [];
  for (const { r } of sorted) {
    const c = compileRoute(r, ctx);
    const last = groups[groups.length - 1];
    if (last && last.key === c.key) {
      last.route.match?.push(...c.sets);
      last.members.push(r.name);
    } else {
      groups.push({ key: c.key, members: [r.name], route: { '@id': ROUTE_ID_PREFIX + r.name, match: [...c.sets], handle: c.handle, terminal: true } });
    }
  }
  // Keys sorted at every level, as Caddy's admin API gives a config back (Go sorts map keys): a
  // route read from a live Caddy then serialises to the same text, and so the same hash, as written.
  const sortMemo = new Map<object, unknown>();
  for (const g of groups) g.route = sortedKeys(g.route, sortMemo);
  const routes = groups.map((g) => g.route);

  const metadata: Metadata = { format: METADATA_FORMAT, entities: {}, natives: {}, root: '', routes: '' };
  const groupOf = new Map<string, string>();
  for (const g of groups) {
    const id = g.route['@id'] as string;
    metadata.natives[id] = routeHash(g.route);
    for (const m of g.members) groupOf.set(m, id);
  }
  for (const e of state.entities) {
    const hidden = conceal(e, options.secrets ?? []);
    const native = e.kind === 'route' ? groupOf.get(e.name) : undefined;
    metadata.entities[`${e.kind}/${e.name}`] = native ? { spec: hidden.spec, native } : { spec: hidden.spec };
  }
  const notFound: CaddyRoute = sortedKeys({ '@id': NOT_FOUND_ID, handle: [jsonResponse(404, 'no route for this request')] }, sortMemo);
  const body = (meta?: CaddyRoute): CaddyRoute => ({
    '@id': ROOT_ID,
    handle: [
      {
        handler: 'subroute',
        routes: [...(meta ? [meta] : []), ...routes, notFound],
        errors: { routes: [{ handle: [errorResponse()] }] },
      },
    ],
    terminal: true,
  });
  metadata.root = rootHash(rootWithoutMeta(body()));
  metadata.routes = routesHash([...routes, notFound]);
  const meta: CaddyRoute = { '@id': META_ID, handle: [{ handler: 'vars', gitway: metadata }] };
  return { listen: server ? [...server.spec.listen] : [':8080'], root: sortedKeys(body(meta), sortMemo) };
}

/**
 * A copy with object keys sorted (byte order, as Go's encoding/json writes map keys) at every level.
 * A sub-object shared by many routes (an upstream's proxy, a policy's guard) is copied once and
 * stays shared.
 */
export function sortedKeys<T>(value: T, memo: Map<object, unknown>): T {
  if (value === null || typeof value !== 'object') return value;
  const known = memo.get(value as object);
  if (known !== undefined) return known as T;
  let out: unknown;
  if (Array.isArray(value)) out = value.map((v) => sortedKeys(v, memo));
  else {
    const o = value as Record<string, unknown>;
    const copy: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) copy[k] = sortedKeys(o[k], memo);
    out = copy;
  }
  memo.set(value as object, out);
  memo.set(out as object, out); // sorting a sorted copy again gives it back
  return out as T;
}

/**
 * Hashes are computed once per route object and reused: a route's hash is recorded in the
 * metadata, and the root's hash is taken over its routes' hashes (a Merkle tree), so hashing a
 * config of 10,000 routes reads each route once.
 */
const hashes = new WeakMap<object, string>();

export function routeHash(route: CaddyRoute): string {
  let h = hashes.get(route);
  if (!h) {
    // The route as written (JSON.stringify keeps key order): gitway writes every route the same
    // way, and a file read back keeps its order; a route whose keys were reordered by hand counts
    // as edited. Canonical JSON would cost a second serialisation of every route.
    h = sha256(routeText(route));
    hashes.set(route, h);
  }
  return h;
}

/** sha256 of JSON.stringify(routes), from the strings the route hashes were taken of (each route is serialised once). */
export function routesHash(routes: readonly CaddyRoute[]): string {
  const h = createHash('sha256').update('[');
  routes.forEach((r, i) => h.update((i ? ',' : '') + routeText(r)));
  return `sha256:${h.update(']').digest('hex')}`;
}

const texts = new WeakMap<object, string>();

function routeText(route: CaddyRoute): string {
  let t = texts.get(route);
  if (t === undefined) {
    t = JSON.stringify(route);
    texts.set(route, t);
  }
  return t;
}

/** Hash of a root route: its shape with each route of its subroute replaced by that route's hash. */
export function rootHash(root: CaddyRoute): string {
  const sub = root.handle?.[0] as { routes?: unknown } | undefined;
  if (!sub || !Array.isArray(sub.routes) || (root.handle?.length ?? 0) !== 1) return fingerprint(root);
  const routes = sub.routes as unknown[];
  return fingerprint({ ...root, handle: [{ ...sub, routes: routes.map((r) => (r && typeof r === 'object' ? routeHash(r as CaddyRoute) : r)) }] });
}

/** The hash of gitway's part of a Caddy config: its listener and its root (what a plan records). */
export function nativeHash(native: CaddyNative): string {
  return fingerprint({ listen: native.listen, root: rootHash(native.root) });
}

/**
 * The root route as `Metadata.root` hashes it: without its metadata route, and without what sharing
 * a server changes (the closing 404 route and `terminal`), so a root shared with hand-made routes
 * is not mistaken for one edited by hand.
 */
export function rootWithoutMeta(root: CaddyRoute): CaddyRoute {
  const sub = root.handle?.[0] as { routes?: CaddyRoute[] } | undefined;
  if (!sub || !Array.isArray(sub.routes)) return root;
  const { terminal: _terminal, ...rest } = root;
  return { ...rest, handle: [{ ...sub, routes: sub.routes.filter((r) => r?.['@id'] !== META_ID && r?.['@id'] !== NOT_FOUND_ID) }, ...(root.handle ?? []).slice(1)] };
}

/**
 * gitway's root for a server that also holds routes gitway does not own: not terminal and without
 * the closing JSON 404, so a request none of gitway's routes matches goes on to those routes
 * (a gitway route that matches still answers it). The metadata's route hash follows.
 */
export function shareRoot(root: CaddyRoute): CaddyRoute {
  const sub = root.handle?.[0] as { routes?: CaddyRoute[] } | undefined;
  if (!sub || !Array.isArray(sub.routes) || !sub.routes.some((r) => r?.['@id'] === NOT_FOUND_ID)) return root.terminal ? { ...root, terminal: false } : root;
  const routes = sub.routes.filter((r) => r?.['@id'] !== NOT_FOUND_ID);
  const rest = routes.filter((r) => r?.['@id'] !== META_ID);
  const withHash = routes.map((r) => {
    if (r?.['@id'] !== META_ID) return r;
    const [vars, ...others] = r.handle ?? [];
    const metadata = (vars as { gitway?: Metadata }).gitway;
    return metadata ? { ...r, handle: [{ ...vars, gitway: { ...metadata, routes: routesHash(rest) } }, ...others] } : r;
  });
  return { ...root, terminal: false, handle: [{ ...sub, routes: withHash }, ...(root.handle ?? []).slice(1)] };
}
interface RouteContext {
  policies: Map<string, Entity<'policy'>>;
  consumers: Entity<'consumer'>[];
  proxyFor: (upstream: string, route: string) => Json;
  hashes: Map<string, string>;
  /** Compiled pieces that depend only on a policy (and the route's methods): built once, shared. */
  memo: Map<string, unknown>;
}

function once<T>(ctx: RouteContext, key: string, make: () => T): T {
  if (!ctx.memo.has(key)) ctx.memo.set(key, make());
  return ctx.memo.get(key) as T;
}

/** A route's matcher sets, and its handling: shared (the same object) by every route handled the same way, with the key that says so. */
function compileRoute(route: Entity<'route'>, ctx: RouteContext): { sets: Json[]; handle: Json[]; key: string } {
  const s = route.spec;
  const policies = s.policies.map((name) => {
    const p = ctx.policies.get(name);
    if (!p) throw new CompileError(`route '${route.name}' uses policy '${name}', which is not defined`);
    return p;
  });
  const of = (type: string) => policies.filter((p) => p.spec.type === type);
  const cors = of('cors');
  for (const p of of('rateLimit')) {
    throw new CompileError(
      `policy '${p.name}' (rateLimit) cannot be enforced by driver caddy: stock Caddy 2.6 has no rate-limit handler`,
      `Remove '${p.name}' from ${s.api ? `API '${s.api}'` : `route '${route.name}'`} for this environment, or write it as a vendor.caddy policy for a Caddy build that has a rate-limit module.`,
    );
  }

  const methods = [...s.methods];
  const addedOptions = cors.length > 0 && methods.length > 0 && !methods.includes('OPTIONS');
  if (addedOptions) methods.push('OPTIONS');
  const sets = s.paths.map((p) => {
    const set: Json = {};
    if (s.hosts.length) set.host = [...s.hosts];
    if (methods.length) set.method = methods;
    Object.assign(set, pathMatcher(p));
    return set;
  });

  const key = [s.upstream, s.policies.join(','), s.stripPrefix ?? '', s.stripPath ? `strip ${route.name}` : '', cors.length ? `options ${addedOptions}` : ''].join('|');
  const handle = once(ctx, `route ${key}`, () => [{ handler: 'subroute', routes: routeSteps(route, ctx, cors, addedOptions) }]);
  return { sets, handle, key };
}

function routeSteps(route: Entity<'route'>, ctx: RouteContext, cors: Entity<'policy'>[], addedOptions: boolean): CaddyRoute[] {
  const s = route.spec;
  const policies = s.policies.map((name) => ctx.policies.get(name) as Entity<'policy'>);
  const of = (type: string) => policies.filter((p) => p.spec.type === type);
  const steps: CaddyRoute[] = [];
  // 1. CORS preflight, answered by gitway (before auth: browsers send no credentials on it)
  for (const p of cors) steps.push(...once(ctx, `preflight ${p.name}`, () => corsPreflight(p)));
  if (addedOptions) steps.push(once(ctx, '405', () => ({ match: [{ method: ['OPTIONS'] }], handle: [jsonResponse(405, 'method not allowed')] })));
  // 2. IP restriction
  for (const p of of('ipRestriction')) {
    const c = p.spec.config as { allow?: string[]; deny?: string[] };
    if (c.deny?.length) steps.push({ match: [{ remote_ip: { ranges: [...c.deny] } }], handle: [jsonResponse(403, 'forbidden')] });
    if (c.allow?.length) steps.push({ match: [{ not: [{ remote_ip: { ranges: [...c.allow] } }] }], handle: [jsonResponse(403, 'forbidden')] });
  }
  // 3. authentication
  const handlers: Json[] = [];
  for (const p of of('auth')) {
    const c = p.spec.config as { type: string; header?: string; query?: string; realm?: string; hashCost?: number };
    if (c.type === 'key') steps.push(once(ctx, `key ${p.name}`, () => keyAuth(c, ctx.consumers)));
    else if (c.type === 'basic') {
      const auth = basicAuth(c, ctx.consumers, ctx.hashes);
      if (auth) handlers.push(auth);
      else steps.push({ handle: [jsonResponse(401, 'unauthorized')] });
    } else {
      throw new CompileError(
        `policy '${p.name}' (auth type ${c.type}) cannot be enforced by driver caddy: stock Caddy 2.6 has no ${c.type.toUpperCase()} validation`,
        `Use auth type key or basic with Caddy, or a vendor.caddy policy for a Caddy build with a ${c.type.toUpperCase()} module.`,
      );
    }
  }
  // 4. request size: a guard answering 413 before proxying (a body over request_body's limit with
  // Content-Length would otherwise reach the proxy as a 502 and count as an upstream failure)
  for (const p of of('requestSizeLimit')) {
    const max = Number((p.spec.config as { maxBytes: number }).maxBytes);
    steps.push(once(ctx, `size ${p.name}`, () => ({ match: [{ header_regexp: { 'Content-Length': { pattern: greaterThanPattern(max) } } }], handle: [jsonResponse(413, 'request body too large')] })));
    handlers.push({ handler: 'request_body', max_size: max });
  }
  // 5. headers (response changes are deferred, or the upstream's headers survive)
  for (const p of cors) handlers.push(...once(ctx, `cors ${p.name}`, () => corsResponse(p)));
  for (const p of of('headers')) handlers.push(...once(ctx, `headers ${p.name}`, () => headerHandlers(p)));
  // 6. vendor handlers, passed through as written
  for (const p of of('vendor')) handlers.push(vendorHandler(p));

  const proxy = ctx.proxyFor(s.upstream, route.name);
  if (s.stripPath) {
    for (const p of s.paths) {
      if (p.match === 'regex') throw new CompileError(`route '${route.name}' strips a regex path (${p.path}); stripPath works with prefix and exact paths only`);
    }
    const branches: CaddyRoute[] = s.paths.map((p) => ({ match: [pathMatcher(p)], handle: [...handlers, { handler: 'rewrite', strip_path_prefix: p.path.replace(/\/$/, '') }, proxy], terminal: true }));
    steps.push(...branches);
  } else {
    const strip = s.stripPrefix ? [{ handler: 'rewrite', strip_path_prefix: s.stripPrefix }] : [];
    steps.push({ handle: [...handlers, ...strip, proxy] });
  }
  return steps;
}

/** An OpenAPI template: each `{param}` is exactly one segment (Caddy's `*` would cross slashes). */
export function pathMatcher(p: PathMatch): Json {
  switch (p.match) {
    case 'regex':
      return { path_regexp: { pattern: p.path } };
    case 'prefix': {
      if (p.path === '/' || p.path === '') return { path: ['/*'] };
      const base = p.path.replace(/\/+$/, '');
      return { path: [base, `${base}/*`] };
    }
    case 'exact':
      return { path: [p.path] };
    case 'template':
      if (!hasParameters(p.path) && !p.path.includes('*')) return { path: [p.path] };
      return { path_regexp: { pattern: templatePattern(p.path) } };
  }
}

/** `/pets/{id}` → `(?i)^/pets/[^/]+$` (case-insensitive, as Caddy's path matcher is). */
export function templatePattern(template: string): string {
  const parts = template.split(/(\{[^}/]*\})/);
  const body = parts.map((part) => (/^\{[^}/]*\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return `(?i)^${body}$`;
}

/** An RE2 pattern matching the decimal integers strictly greater than n (leading zeros allowed). */
export function greaterThanPattern(n: number): string {
  const s = String(Math.floor(n));
  const d = s.length;
  const alts = [`[1-9][0-9]{${d},}`];
  for (let i = 0; i < d; i++) {
    const digit = Number(s[i]);
    if (digit < 9) alts.push(`${s.slice(0, i)}[${digit + 1}-9]${d - i - 1 > 0 ? `[0-9]{${d - i - 1}}` : ''}`);
  }
  return `^0*(?:${alts.join('|')})$`;
}

function jsonResponse(status: number, message: string, headers: Record<string, string[]> = {}): Json {
  return { handler: 'static_response', status_code: status, headers: { 'Content-Type': ['application/json'], ...headers }, body: JSON.stringify({ error: message, status }) };
}

function errorResponse(): Json {
  return {
    handler: 'static_response',
    status_code: '{http.error.status_code}',
    headers: { 'Content-Type': ['application/json'] },
    body: '{"error":"{http.error.status_text}","status":{http.error.status_code}}',
  };
}

function keyAuth(c: { header?: string; query?: string }, consumers: readonly Entity<'consumer'>[]): CaddyRoute {
  const header = c.header ?? 'apikey';
  const keys = [...new Set(consumers.flatMap((x) => x.spec.credentials.filter((k) => k.type === 'key' && k.key).map((k) => k.key as string)))].sort();
  const unauthorized = jsonResponse(401, 'missing or unknown API key');
  if (keys.length === 0) return { handle: [unauthorized] };
  const accepted: Json[] = [{ header: { [header]: keys } }];
  if (c.query) accepted.push({ query: { [c.query]: keys } });
  return { match: [{ not: accepted }], handle: [unauthorized] };
}

function basicAuth(c: { realm?: string; hashCost?: number }, consumers: readonly Entity<'consumer'>[], memo: Map<string, string>): Json | undefined {
  const cost = c.hashCost ?? DEFAULT_HASH_COST;
  const accounts = consumers
    .flatMap((x) => x.spec.credentials.filter((k) => k.type === 'basic' && k.password !== undefined).map((k) => ({ consumer: x.name, username: k.username ?? x.spec.username ?? x.name, password: k.password as string })))
    .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0))
    .map((a) => ({ username: a.username, password: bcryptHash(a.consumer, a.username, a.password, cost, memo) }));
  if (accounts.length === 0) return undefined;
  return { handler: 'authentication', providers: { http_basic: { accounts, hash: { algorithm: 'bcrypt' }, realm: c.realm ?? 'gitway' } } };
}

/**
 * bcrypt with a salt derived from the credential: the same password compiles to the same hash (so
 * a plan shows no change and a file does not churn), a changed password to a new one.
 */
export function bcryptHash(consumer: string, username: string, password: string, cost: number, memo = new Map<string, string>()): string {
  const key = `${cost}\0${consumer}\0${username}\0${password}`;
  const known = memo.get(key);
  if (known) return known;
  const seed = createHash('sha256').update(`gitway-bcrypt-salt\0${key}`).digest();
  const salt = `$2b$${String(cost).padStart(2, '0')}$${bcrypt.encodeBase64(seed, 16)}`;
  const hash = bcrypt.hashSync(password, salt);
  memo.set(key, hash);
  return hash;
}

function corsPreflight(p: Entity<'policy'>): CaddyRoute[] {
  const c = p.spec.config as { origins: string[]; methods?: string[]; headers?: string[]; credentials?: boolean; maxAge?: number };
  const any = c.origins.includes('*');
  const set: Record<string, string[]> = {
    'Access-Control-Allow-Origin': [any && !c.credentials ? '*' : '{http.request.header.Origin}'],
    // Without a method list, the method asked for is allowed: the route's own method matcher decides.
    'Access-Control-Allow-Methods': [c.methods?.length ? c.methods.join(', ') : '{http.request.header.Access-Control-Request-Method}'],
    'Access-Control-Allow-Headers': [c.headers?.length ? c.headers.join(', ') : '{http.request.header.Access-Control-Request-Headers}'],
    Vary: ['Origin'],
  };
  if (c.maxAge !== undefined) set['Access-Control-Max-Age'] = [String(c.maxAge)];
  if (c.credentials) set['Access-Control-Allow-Credentials'] = ['true'];
  return [
    {
      match: [{ method: ['OPTIONS'], header: { Origin: any ? ['*'] : [...c.origins], 'Access-Control-Request-Method': ['*'] } }],
      handle: [{ handler: 'headers', response: { set } }, { handler: 'static_response', status_code: 204 }],
    },
  ];
}

function corsResponse(p: Entity<'policy'>): Json[] {
  const c = p.spec.config as { origins: string[]; exposeHeaders?: string[]; credentials?: boolean };
  const any = c.origins.includes('*');
  const set: Record<string, string[]> = { 'Access-Control-Allow-Origin': [any && !c.credentials ? '*' : '{http.request.header.Origin}'], Vary: ['Origin'] };
  if (c.exposeHeaders?.length) set['Access-Control-Expose-Headers'] = [c.exposeHeaders.join(', ')];
  if (c.credentials) set['Access-Control-Allow-Credentials'] = ['true'];
  // Only for an allowed Origin: a subroute whose single route matches it.
  return [{ handler: 'subroute', routes: [{ match: [{ header: { Origin: any ? ['*'] : [...c.origins] } }], handle: [{ handler: 'headers', response: { set, deferred: true } }] }] }];
}

function headerHandlers(p: Entity<'policy'>): Json[] {
  const c = p.spec.config as { request?: { set?: Record<string, string>; remove?: string[] }; response?: { set?: Record<string, string>; remove?: string[] } };
  const ops = (h: { set?: Record<string, string>; remove?: string[] }) => {
    const out: Json = {};
    if (h.set && Object.keys(h.set).length) out.set = Object.fromEntries(Object.entries(h.set).map(([k, v]) => [k, [v]]));
    if (h.remove?.length) out.delete = [...h.remove];
    return out;
  };
  const out: Json[] = [];
  if (c.request) out.push({ handler: 'headers', request: ops(c.request) });
  if (c.response) out.push({ handler: 'headers', response: { ...ops(c.response), deferred: true } });
  return out;
}

function vendorHandler(p: Entity<'policy'>): Json {
  const handler = (p.spec.config as Record<string, unknown>).caddy;
  if (handler === undefined) {
    const drivers = Object.keys(p.spec.config).join(', ');
    throw new CompileError(`policy '${p.name}' is a vendor policy for ${drivers || 'no driver'} and cannot be enforced by driver caddy`, `Add a 'caddy' entry to its vendor map (a Caddy handler object), or remove the policy from this environment.`);
  }
  if (!handler || typeof handler !== 'object' || Array.isArray(handler) || typeof (handler as Json).handler !== 'string') {
    throw new CompileError(`policy '${p.name}': vendor.caddy must be one Caddy handler object with a "handler" name, such as {"handler": "encode", "encodings": {"gzip": {}}}`);
  }
  return JSON.parse(JSON.stringify(handler)) as Json;
}

const SELECTION: Record<string, string> = {
  'round-robin': 'round_robin',
  'least-connections': 'least_conn',
  'ip-hash': 'ip_hash',
  random: 'random',
  header: 'header',
  cookie: 'cookie',
};

/** An Upstream → a `reverse_proxy` handler. Weights become repeated upstreams (2.6 has no weighted policy). */
export function compileUpstream(u: Entity<'upstream'>): Json {
  const s = u.spec;
  const parsed = s.targets.map((t) => {
    let url: URL;
    try {
      url = new URL(t.url);
    } catch {
      throw new CompileError(`upstream '${u.name}' has a target that is not a URL`);
    }
    if (url.pathname !== '/' && url.pathname !== '') throw new CompileError(`upstream '${u.name}': a target URL with a path (${url.pathname}) cannot be expressed in Caddy's reverse_proxy`, 'Give targets as scheme://host:port, and rewrite paths with the API basePath instead.');
    const scheme = url.protocol.replace(':', '');
    const host = url.hostname.includes(':') && !url.hostname.startsWith('[') ? `[${url.hostname}]` : url.hostname;
    return { scheme, dial: `${host}:${url.port || (scheme === 'https' ? '443' : '80')}`, weight: t.weight };
  });
  const schemes = new Set(parsed.map((p) => p.scheme));
  if (schemes.size > 1) throw new CompileError(`upstream '${u.name}' mixes http and https targets; Caddy uses one transport per upstream`);
  const live = parsed.filter((p) => p.weight > 0);
  if (live.length === 0) throw new CompileError(`upstream '${u.name}' has no target with a weight above 0`);
  const divisor = live.map((p) => p.weight).reduce(gcd);
  const upstreams = live.flatMap((p) => Array.from({ length: p.weight / divisor }, () => ({ dial: p.dial })));
  const handler: Json = { handler: 'reverse_proxy', upstreams };
  const lb: Json = {};
  if (s.loadBalancing) {
    const sel: Json = { policy: SELECTION[s.loadBalancing.policy] };
    if (s.loadBalancing.policy === 'header') sel.field = s.loadBalancing.header;
    if (s.loadBalancing.policy === 'cookie') sel.name = s.loadBalancing.cookie;
    lb.selection_policy = sel;
  }
  if (s.retries) lb.retries = s.retries;
  if (Object.keys(lb).length) handler.load_balancing = lb;
  const hc = s.healthCheck;
  if (hc) {
    const checks: Json = {};
    if (hc.path !== undefined || hc.interval !== undefined || hc.timeout !== undefined || hc.expectedStatus !== undefined) {
      const active: Json = { uri: hc.path ?? '/' };
      if (hc.interval) active.interval = hc.interval;
      if (hc.timeout) active.timeout = hc.timeout;
      if (hc.expectedStatus) active.expect_status = hc.expectedStatus;
      checks.active = active;
    }
    if (hc.passive) {
      const passive: Json = { fail_duration: hc.passive.failDuration ?? '30s' };
      if (hc.passive.maxFails) passive.max_fails = hc.passive.maxFails;
      if (hc.passive.unhealthyStatus?.length) passive.unhealthy_status = [...hc.passive.unhealthyStatus];
      checks.passive = passive;
    }
    if (Object.keys(checks).length) handler.health_checks = checks;
  }
  const transport: Json = { protocol: 'http' };
  if (s.timeouts?.connect) transport.dial_timeout = s.timeouts.connect;
  if (s.timeouts?.read) transport.response_header_timeout = s.timeouts.read;
  if (s.timeouts?.write) transport.write_timeout = s.timeouts.write;
  if (schemes.has('https')) transport.tls = {};
  if (Object.keys(transport).length > 1) handler.transport = transport;
  return handler;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
