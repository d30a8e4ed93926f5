/**
 * Manifests + OpenAPI operations → the neutral desired state. Pure: no I/O, no clock, no order
 * dependence (entities are sorted by kind and name, so renaming a file or reordering documents
 * changes nothing).
 *
 * Route expansion: an API becomes one route per path template of its document, carrying every
 * method the document defines on that template (not one route per operation). A gateway matches a
 * path once and checks the method in the same step, so this is what it would hold anyway; it keeps
 * large APIs small on the gateway (10,000 operations on 4,000 paths are 4,000 routes) and a plan
 * reads "methods: [GET] → [GET, DELETE]" when an operation is added to a path.
 */
import type { Finding } from '../checks/finding.js';
import { finding, positionOf, type JsonPath } from '../manifest/source.js';
import { POLICY_TYPES, type AnyManifest, type Manifest } from '../manifest/types.js';
import { claimKey, joinPath } from './paths.js';
import { compareEntities, type AnyEntity, type DesiredState, type Entity, type PathMatch, type Position, type RouteSpec } from './types.js';

/** What the builder needs of an analysed OpenAPI document. */
export interface DocumentOperations {
  basePath?: string;
  operations: readonly { method: string; path: string; operationId?: string }[];
}

export interface ModelInput {
  manifests: readonly AnyManifest[];
  /** By document path (as API manifests name it). */
  documents: ReadonlyMap<string, DocumentOperations>;
  /** Where the gateway listens for gitway's routes (environment `listen`). Default `:8080`. */
  listen?: readonly string[];
}

/** One side of a route conflict: who claims the host + method + path, and where it is written. */
export interface Claim {
  kind: 'API' | 'Route';
  name: string;
  route: string;
  position: Position;
  /** For an API: the operation as written in its document. */
  detail?: string;
}

export interface RouteConflict {
  host: string;
  method: string;
  path: string;
  first: Claim;
  second: Claim;
}

export interface ModelResult {
  state: DesiredState;
  /** Warnings about the model (an API with no operations). */
  findings: Finding[];
  /** Two routes claiming the same host + method + path: a plan must refuse. */
  conflicts: RouteConflict[];
}

export const DEFAULT_LISTEN = [':8080'];
export const SERVER_NAME = 'gitway';

export function buildModel(input: ModelInput): ModelResult {
  const findings: Finding[] = [];
  const entities: AnyEntity[] = [];
  const seen = new Set<string>();
  const add = (e: AnyEntity) => {
    const key = `${e.kind}/${e.name}`;
    if (seen.has(key)) return; // a duplicate name is a validation error reported elsewhere
    seen.add(key);
    entities.push(e);
  };
  add({ kind: 'server', name: SERVER_NAME, spec: { listen: [...(input.listen?.length ? input.listen : DEFAULT_LISTEN)] }, sensitive: [] });

  // Manifests sorted by kind and name first: nothing below depends on file order.
  const manifests = [...input.manifests].sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const m of manifests) {
    const source = positionIn(m);
    const secrets = sensitiveValues(m);
    const entity = (e: Omit<AnyEntity, 'sensitive' | 'source'>): AnyEntity => ({ ...e, sensitive: sensitivePaths(e.spec, secrets), source }) as AnyEntity;
    switch (m.kind) {
      case 'Upstream': {
        const s = m.spec;
        add(
          entity({
            kind: 'upstream',
            name: m.name,
            spec: prune({
              targets: s.targets.map((t) => ({ url: t.url, weight: t.weight ?? 1 })),
              loadBalancing: s.loadBalancing ? prune({ ...s.loadBalancing }) : undefined,
              healthCheck: s.healthCheck ? prune({ ...s.healthCheck, passive: s.healthCheck.passive ? prune({ ...s.healthCheck.passive }) : undefined }) : undefined,
              timeouts: s.timeouts ? prune({ ...s.timeouts }) : undefined,
              retries: s.retries,
            }),
          }),
        );
        break;
      }
      case 'Policy': {
        const type = POLICY_TYPES.find((t) => m.spec[t] !== undefined);
        if (!type) break; // reported by validation
        add(entity({ kind: 'policy', name: m.name, spec: { type, config: clone(m.spec[type] ?? {}) } }));
        break;
      }
      case 'Consumer':
        add(entity({ kind: 'consumer', name: m.name, spec: prune({ username: m.spec.username, credentials: (m.spec.credentials ?? []).map((c) => prune({ ...c })) }) }));
        break;
      case 'Route': {
        const s = m.spec;
        const paths: PathMatch[] = s.paths.map((p) => (typeof p === 'string' ? { match: 'prefix', path: p } : { match: p.match ?? 'prefix', path: p.path }));
        add(
          entity({
            kind: 'route',
            name: m.name,
            spec: prune({
              hosts: normalHosts(s.hosts),
              methods: normalMethods(s.methods),
              paths,
              stripPath: s.stripPath || undefined,
              upstream: s.upstream,
              policies: [...(s.policies ?? [])],
            } satisfies RouteSpec),
          }),
        );
        break;
      }
      case 'API': {
        const doc = input.documents.get(m.spec.openapi);
        if (!doc) break; // a missing or unreadable document is a validation finding
        if (doc.operations.length === 0) {
          findings.push(
            finding(m.file, positionOf(m.source, ['spec', 'openapi']), 'api-no-operations', `API '${m.name}' exposes nothing: its document ${m.spec.openapi} defines no operations, so no route is generated`, ['spec', 'openapi'], 'warn'),
          );
          break;
        }
        for (const r of apiRoutes(m, doc)) add(entity(r));
        break;
      }
    }
  }
  entities.sort(compareEntities);
  const state: DesiredState = { entities };
  return { state, findings, conflicts: findConflicts(entities) };
}

/** One route per path template, with the methods the document defines on it. */
function apiRoutes(api: Manifest<'API'>, doc: DocumentOperations): Omit<Entity<'route'>, 'sensitive' | 'source'>[] {
  const base = api.spec.basePath ?? doc.basePath ?? '';
  const normalBase = base.replace(/\/+$/, '');
  const byPath = new Map<string, { method: string; label: string }[]>();
  for (const op of doc.operations) {
    const list = byPath.get(op.path) ?? [];
    list.push({ method: op.method.toUpperCase(), label: op.operationId ?? `${op.method.toUpperCase()} ${op.path}` });
    byPath.set(op.path, list);
  }
  const out: Omit<Entity<'route'>, 'sensitive' | 'source'>[] = [];
  for (const [template, ops] of byPath) {
    ops.sort((a, b) => (a.method < b.method ? -1 : a.method > b.method ? 1 : 0));
    const full = joinPath(normalBase, template);
    // The document's root under a base path answers both /base and /base/.
    const paths: PathMatch[] = full === normalBase && normalBase ? [{ match: 'template', path: full }, { match: 'template', path: `${full}/` }] : [{ match: 'template', path: full }];
    out.push({
      kind: 'route',
      name: `${api.name}:${template}`,
      spec: prune({
        api: api.name,
        operations: ops.map((o) => o.label),
        hosts: normalHosts(api.spec.hosts),
        methods: [...new Set(ops.map((o) => o.method))],
        paths,
        stripPrefix: api.spec.stripBasePath && normalBase ? normalBase : undefined,
        upstream: api.spec.upstream,
        policies: [...(api.spec.policies ?? [])],
      }),
    });
  }
  return out;
}

function normalHosts(hosts: readonly string[] | undefined): string[] {
  return [...new Set((hosts ?? []).map((h) => h.toLowerCase()))].sort();
}

function normalMethods(methods: readonly string[] | undefined): string[] {
  return [...new Set((methods ?? []).map((m) => m.toUpperCase()))].sort();
}

/** Host + method + path claims; two claims on the same triple are a conflict. A missing host or method list claims `*`. */
function findConflicts(entities: readonly AnyEntity[]): RouteConflict[] {
  const buckets = new Map<string, { methods: string[]; claim: Claim }[]>();
  const conflicts: RouteConflict[] = [];
  for (const e of entities) {
    if (e.kind !== 'route') continue;
    const s = e.spec;
    const hosts = s.hosts.length ? s.hosts : ['*'];
    const methods = s.methods.length ? s.methods : ['*'];
    for (const p of s.paths) {
      const claim: Claim = s.api
        ? { kind: 'API', name: s.api, route: e.name, position: e.source ?? { file: '?', line: 0, column: 0 }, detail: `${methods.join(',')} ${p.path}` }
        : { kind: 'Route', name: e.name, route: e.name, position: e.source ?? { file: '?', line: 0, column: 0 } };
      for (const host of hosts) {
        const key = `${host} ${claimKey(p)}`;
        const list = buckets.get(key) ?? [];
        for (const other of list) {
          const shared = methods.includes('*') ? other.methods : other.methods.includes('*') ? methods : methods.filter((m) => other.methods.includes(m));
          if (shared.length) conflicts.push({ host, method: shared.join(','), path: p.path, first: other.claim, second: claim });
        }
        list.push({ methods, claim });
        buckets.set(key, list);
      }
    }
  }
  return conflicts;
}

/** "GET api.example.com/orders/{id} is claimed by API 'a' (gateway/a.yaml:4:9) and Route 'b' (gateway/b.yaml:9:9)". */
export function describeConflict(c: RouteConflict): string {
  const who = (x: Claim) => `${x.kind} '${x.name}' (${x.position.file}:${x.position.line}:${x.position.column}${x.detail ? `, ${x.detail}` : ''})`;
  return `${c.method === '*' ? 'every method of' : c.method} ${c.host === '*' ? '' : c.host}${c.path} is claimed by ${who(c.first)} and by ${who(c.second)}`;
}

function positionIn(m: AnyManifest): Position {
  const at = positionOf(m.source, ['metadata', 'name']);
  return { file: m.file, line: at.line, column: at.column };
}

/** The values that came from `${env...}` in a manifest's spec. */
function sensitiveValues(m: AnyManifest): string[] {
  const out: string[] = [];
  for (const p of m.sensitive) {
    if (p[0] !== 'spec') continue;
    let v: unknown = m.spec;
    for (const k of p.slice(1)) v = v === null || typeof v !== 'object' ? undefined : (v as Record<string | number, unknown>)[k];
    if (typeof v === 'string' && v !== '') out.push(v);
  }
  return out;
}

/** Paths of the string values inside `spec` that hold a sensitive value. */
function sensitivePaths(spec: unknown, values: readonly string[]): JsonPath[] {
  if (values.length === 0) return [];
  const out: JsonPath[] = [];
  const walk = (v: unknown, path: JsonPath) => {
    if (typeof v === 'string') {
      if (values.some((s) => v.includes(s))) out.push(path);
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(spec, []);
  return out;
}

/** Drops undefined keys, so that "not written" has one spelling. */
function prune<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}
