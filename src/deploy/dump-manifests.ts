/**
 * The live gitway-owned entities of a gateway → the files of a gitway repository that would build
 * them again (`gitway dump`). Pure: no I/O, no clock; the same entities always give the same bytes.
 *
 * It is the inverse of src/model/build.ts:
 * - upstream, policy and consumer entities become Upstream, Policy and Consumer manifests;
 * - routes generated from an API (they carry `api`, `operations`, template paths and the base path
 *   to strip) become one API manifest per API plus a minimal OpenAPI 3.0 document reconstructing its
 *   paths, methods and operationIds (the real document is not on the gateway);
 * - other routes become Route manifests;
 * - the server is the environment's `listen` in gitway.yaml, not a manifest.
 *
 * Secrets: the live state holds only `sha256:` hashes, so each one becomes `${env.NAME}` with a NAME
 * derived from the entity and the field (ALICE_KEY), and the caller lists the variables to set.
 *
 * Nothing is faked: the result is checked by building the model again from the files it returns
 * (with each variable standing for the hash it replaced) and diffing it with the live entities; an
 * entity that would not come back exactly is reported, field by field, as `inexact`.
 */
import { stringify } from 'yaml';
import { buildModel, DEFAULT_LISTEN, type DocumentOperations } from '../model/build.js';
import { joinPath } from '../model/paths.js';
import { isConcealed } from '../model/sensitive.js';
import type { ConsumerSpec, PathMatch, PolicySpec, RouteSpec, UpstreamSpec } from '../model/types.js';
import { parseSource } from '../manifest/source.js';
import type { Kind } from '../manifest/schema.js';
import { POLICY_TYPES, type AnyManifest } from '../manifest/types.js';
import { diff, type Defaults, type KeyedEntity } from '../plan/diff.js';

export const API_VERSION = 'gitway/v1';
/** OpenAPI 3.0 operation keys of a path item. */
const OAS30_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export interface ManifestDocument {
  apiVersion: typeof API_VERSION;
  kind: Kind;
  metadata: { name: string };
  spec: Record<string, unknown>;
}

export interface DumpFile {
  /** Relative to the folder dumped into, with `/`. */
  path: string;
  text: string;
  /** What it holds, for the report: "2 Upstreams", "OpenAPI 3.0 document of API 'echo' (2 paths, 3 operations)". */
  summary: string;
}

/** An environment variable the dumped files read a secret from. */
export interface DumpVariable {
  name: string;
  /** The entity and field it stands for, as `consumer/alice` and `credentials[1].key`. */
  entity: string;
  field: string;
  /** Every other place the same secret (the same hash) is used. */
  alsoUsedBy?: string[];
}

export type SkipCategory =
  /** On the gateway beside gitway's part: hand-made or another tool's. */
  | 'foreign'
  /** A gitway entity no manifest can express. */
  | 'unexpressible'
  /** Dumped, but plan would still show it as changed (the fields say why). */
  | 'inexact'
  /** Edited by hand on the gateway: dumped as gitway last wrote it. */
  | 'drift'
  /** Part of a repository that is not kept on the gateway (smoke checks). */
  | 'not-on-gateway'
  /** A difference with gitway.yaml's environment, not with the manifests. */
  | 'environment';

export interface Skipped {
  category: SkipCategory;
  /** What: `route/echo:/items`, `server 'hand' (listen …): route 1`. */
  subject: string;
  reason: string;
}

export interface Adoption {
  files: DumpFile[];
  variables: DumpVariable[];
  skipped: Skipped[];
  /** How many entities of each kind were written (server excluded). */
  counts: Partial<Record<Kind, number>>;
}

export interface AdoptOptions {
  /** The environment's name and target, for the header comment of every file. */
  environment: string;
  where: string;
  /** The environment's `listen` in gitway.yaml (default `:8080`), compared with the live server. */
  listen?: readonly string[];
  /** The driver's defaults, so that the self-check compares as plan does. */
  defaults?: Defaults;
  /** Where the OpenAPI documents go, relative to the folder dumped into (default `apis`). */
  apisFolder?: string;
  /** How API manifests name their documents: the path relative to the repository root (default: the path relative to the folder dumped into). */
  openapiPath?: (file: string) => string;
  /** Lines of what the gateway holds that gitway does not own (LiveState.foreign). */
  foreign?: readonly string[];
}

const FILES: { kind: Kind; file: string; plural: string }[] = [
  { kind: 'Upstream', file: 'gateway/upstreams.yaml', plural: 'Upstreams' },
  { kind: 'Policy', file: 'gateway/policies.yaml', plural: 'Policies' },
  { kind: 'Consumer', file: 'gateway/consumers.yaml', plural: 'Consumers' },
  { kind: 'API', file: 'gateway/apis.yaml', plural: 'APIs' },
  { kind: 'Route', file: 'gateway/routes.yaml', plural: 'Routes' },
];

interface OpenApiDocument {
  file: string;
  api: string;
  document: { openapi: string; info: Record<string, string>; paths: Record<string, Record<string, unknown>> };
  operations: DocumentOperations['operations'][number][];
}

/** What the gateway holds that gitway does not own (LiveState.foreign), as skipped parts. */
export function foreignSkipped(lines: readonly string[] = []): Skipped[] {
  return lines.map((line) => ({ category: 'foreign', subject: line, reason: 'not owned by gitway (hand-made or written by another tool): left on the gateway as it is, not dumped' }));
}

export function adopt(live: readonly KeyedEntity[], options: AdoptOptions): Adoption {
  const skipped: Skipped[] = foreignSkipped(options.foreign);
  const manifests: ManifestDocument[] = [];
  const documents: OpenApiDocument[] = [];
  const apisFolder = (options.apisFolder ?? 'apis').replace(/\/+$/, '');
  const openapiPath = options.openapiPath ?? ((f: string) => f);
  const unexpressible = (e: KeyedEntity, reason: string) => skipped.push({ category: 'unexpressible', subject: `${e.kind}/${e.name}`, reason });
  const manifest = (kind: Kind, name: string, spec: Record<string, unknown>) => manifests.push({ apiVersion: API_VERSION, kind, metadata: { name }, spec });

  const sorted = [...live].sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const apiRoutes = new Map<string, KeyedEntity[]>();
  for (const e of sorted) {
    if (e.drift) skipped.push({ category: 'drift', subject: `${e.kind}/${e.name}`, reason: `${e.drift}: dumped as gitway last wrote it (the hand edit is not kept in any manifest), so plan shows it as an update until it is applied` });
    const spec = e.spec as Record<string, unknown> | null;
    if (!spec || typeof spec !== 'object') {
      if (e.kind !== 'server') unexpressible(e, 'its recorded spec is not an object');
      continue;
    }
    switch (e.kind) {
      case 'server':
        break; // gitway.yaml's environment `listen`: compared below
      case 'upstream': {
        const s = spec as unknown as UpstreamSpec;
        if (!Array.isArray(s.targets)) {
          unexpressible(e, 'it has no targets');
          break;
        }
        manifest('Upstream', e.name, { ...clone(s), targets: s.targets.map((t) => (t.weight === 1 ? { url: t.url } : { url: t.url, weight: t.weight })) });
        break;
      }
      case 'policy': {
        const s = spec as unknown as PolicySpec;
        if (!(POLICY_TYPES as readonly string[]).includes(s.type)) {
          unexpressible(e, `its type '${String(s.type)}' is not a policy kind this gitway knows (${POLICY_TYPES.join(', ')})`);
          break;
        }
        manifest('Policy', e.name, { [s.type]: clone(s.config ?? {}) });
        break;
      }
      case 'consumer':
        manifest('Consumer', e.name, clone(spec as unknown as ConsumerSpec) as unknown as Record<string, unknown>);
        break;
      case 'route': {
        const s = spec as unknown as RouteSpec;
        if (typeof s.api === 'string') {
          apiRoutes.set(s.api, [...(apiRoutes.get(s.api) ?? []), e]);
          break;
        }
        const why = routeProblem(s);
        if (why) {
          unexpressible(e, why);
          break;
        }
        manifest(
          'Route',
          e.name,
          prune({
            hosts: s.hosts?.length ? [...s.hosts] : undefined,
            paths: s.paths.map((p) => ({ path: p.path, match: p.match })),
            methods: s.methods?.length ? [...s.methods] : undefined,
            stripPath: s.stripPath ? true : undefined,
            upstream: s.upstream,
            policies: s.policies?.length ? [...s.policies] : undefined,
          }),
        );
        break;
      }
      default:
        unexpressible(e, `'${String(e.kind)}' is not an entity kind this gitway knows`);
    }
  }

  for (const [api, routes] of apiRoutes) {
    const file = `${apisFolder}/${api}.yaml`;
    const doc = reconstructApi(api, routes, unexpressible);
    if (!doc) continue;
    manifest(
      'API',
      api,
      prune({
        openapi: openapiPath(file),
        basePath: doc.base || undefined,
        stripBasePath: doc.strip ? true : undefined,
        hosts: doc.first.hosts?.length ? [...doc.first.hosts] : undefined,
        upstream: doc.first.upstream,
        policies: doc.first.policies?.length ? [...doc.first.policies] : undefined,
      }),
    );
    documents.push({
      file,
      api,
      operations: doc.operations,
      document: {
        openapi: '3.0.3',
        info: {
          title: api,
          version: 'live',
          description: `Reconstructed by gitway dump from the routes of API '${api}' live on environment '${options.environment}': paths, methods and operationIds only. Replace it with the API's real document.`,
        },
        paths: doc.paths,
      },
    });
  }
  if (apiRoutes.size) {
    skipped.push({ category: 'not-on-gateway', subject: 'smoke checks (API spec.checks)', reason: 'not stored on the gateway, so not dumped: add them to the API manifests by hand' });
  }

  const variables = concealedToVariables(manifests);
  const files = writeFiles(manifests, documents, options);
  const counts: Partial<Record<Kind, number>> = {};
  for (const m of manifests) counts[m.kind] = (counts[m.kind] ?? 0) + 1;
  skipped.push(...selfCheck(live, files, manifests, documents, variables.byName, options, new Set(skipped.filter((s) => s.category === 'unexpressible').map((s) => s.subject))));
  return { files, variables: variables.list, skipped, counts };
}

/** Why a route without an API cannot be a Route manifest, if it cannot. */
function routeProblem(s: RouteSpec): string | undefined {
  if (!Array.isArray(s.paths) || s.paths.length === 0) return 'it matches no path';
  const template = s.paths.find((p) => !['prefix', 'exact', 'regex'].includes(p.match));
  if (template) return `its path ${template.path} is a '${template.match}' match, which only an API (from its OpenAPI document) can generate, and it names no API`;
  if (s.operations !== undefined || s.stripPrefix !== undefined) return 'it carries operations or a base path to strip but names no API';
  if (typeof s.upstream !== 'string') return 'it names no upstream';
  return undefined;
}

interface ReconstructedApi {
  base: string;
  strip: boolean;
  first: RouteSpec;
  paths: Record<string, Record<string, unknown>>;
  operations: DocumentOperations['operations'][number][];
}

/** An API's base path and the paths and methods of its document, from the routes it generated. */
function reconstructApi(api: string, routes: KeyedEntity[], unexpressible: (e: KeyedEntity, reason: string) => void): ReconstructedApi | undefined {
  const paths: Record<string, Record<string, unknown>> = {};
  const operations: ReconstructedApi['operations'] = [];
  const bases = new Map<string, number>();
  let first: RouteSpec | undefined;
  let strip = false;
  for (const e of routes) {
    const s = e.spec as RouteSpec;
    if (!e.name.startsWith(`${api}:`)) {
      unexpressible(e, `it was generated from API '${api}' but is not named '${api}:<path template>', so no API manifest generates it`);
      continue;
    }
    const template = e.name.slice(api.length + 1);
    const base = baseOf(template, s.paths);
    if (base === undefined) {
      unexpressible(e, `its paths (${(s.paths ?? []).map((p) => p.path).join(', ')}) are not the template ${template} under one base path`);
      continue;
    }
    const methods = (s.methods ?? []).map((m) => m.toLowerCase());
    const odd = methods.filter((m) => !OAS30_METHODS.includes(m));
    if (methods.length === 0 || odd.length) {
      unexpressible(e, methods.length === 0 ? 'it answers every method, which no OpenAPI operation says' : `method ${odd.join(', ').toUpperCase()} has no OpenAPI 3.0 operation`);
      continue;
    }
    bases.set(base, (bases.get(base) ?? 0) + 1);
    first ??= s;
    strip ||= s.stripPrefix !== undefined;
    const labels = Array.isArray(s.operations) && s.operations.length === methods.length ? s.operations : undefined;
    const item: Record<string, unknown> = {};
    const parameters = [...template.matchAll(/\{([^}/]*)\}/g)].map((m) => m[1]);
    if (parameters.length) item.parameters = [...new Set(parameters)].map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
    methods.forEach((method, i) => {
      const label = labels?.[i];
      const operationId = label !== undefined && label !== `${method.toUpperCase()} ${template}` ? label : undefined;
      item[method] = prune({ operationId, responses: { default: { description: 'Not known: reconstructed from the live gateway.' } } });
      operations.push(prune({ method, path: template, operationId }));
    });
    paths[template] = item;
  }
  if (!first) return undefined;
  // The base path most routes agree on; a route that disagrees shows in the self-check.
  const base = [...bases].sort((a, b) => b[1] - a[1])[0][0];
  return { base, strip, first, paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), operations };
}

/** The base path a route's paths put in front of its template (build.ts's joinPath, backwards). */
function baseOf(template: string, paths: readonly PathMatch[] | undefined): string | undefined {
  if (!Array.isArray(paths) || paths.length === 0 || paths.some((p) => p.match !== 'template')) return undefined;
  const full = paths[0].path;
  let base: string;
  if (template === '/' || template === '') base = full === '/' ? '' : full;
  else {
    const tail = template.startsWith('/') ? template : `/${template}`;
    if (!full.endsWith(tail)) return undefined;
    base = full.slice(0, full.length - tail.length);
  }
  return joinPath(base, template) === full ? base : undefined;
}

/** Replaces every `sha256:` value in the manifests' specs by `${env.NAME}`; one variable per distinct secret. */
function concealedToVariables(manifests: ManifestDocument[]): { list: DumpVariable[]; byName: Map<string, string> } {
  const list: DumpVariable[] = [];
  const byHash = new Map<string, DumpVariable>();
  const byName = new Map<string, string>();
  for (const m of manifests) {
    const walk = (v: unknown, path: (string | number)[]): unknown => {
      if (typeof v === 'string') {
        if (!isConcealed(v)) return v;
        const field = fieldPath(path);
        const known = byHash.get(v);
        if (known) {
          (known.alsoUsedBy ??= []).push(`${m.kind.toLowerCase()}/${m.metadata.name} ${field}`);
          return `\${env.${known.name}}`;
        }
        const wanted = variableName(m.metadata.name, path);
        let name = wanted;
        for (let i = 2; byName.has(name); i++) name = `${wanted}_${i}`;
        const variable: DumpVariable = { name, entity: `${m.kind.toLowerCase()}/${m.metadata.name}`, field };
        byHash.set(v, variable);
        byName.set(name, v);
        list.push(variable);
        return `\${env.${name}}`;
      }
      if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, i]));
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, [...path, k])]));
      return v;
    };
    m.spec = walk(m.spec, []) as Record<string, unknown>;
  }
  return { list, byName };
}

/** ALICE_KEY: the entity's name and the field's name (the last key of its path), as an environment variable. */
export function variableName(entity: string, path: readonly (string | number)[]): string {
  const field = [...path].reverse().find((p): p is string => typeof p === 'string') ?? 'SECRET';
  const name = `${entity}_${field}`
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return /^[0-9]/.test(name) ? `_${name}` : name || 'SECRET';
}

/** `credentials[1].key`. */
function fieldPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function writeFiles(manifests: ManifestDocument[], documents: OpenApiDocument[], options: AdoptOptions): DumpFile[] {
  const files: DumpFile[] = [];
  const header = `# Dumped by \`gitway dump\` from environment '${options.environment}' (${options.where}). Review before committing.\n`;
  for (const { kind, file, plural } of FILES) {
    const docs = manifests.filter((m) => m.kind === kind).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
    if (docs.length === 0) continue;
    const text = header + docs.map((d) => yaml({ ...d, spec: ordered(d.spec) })).join('---\n');
    files.push({ path: file, text, summary: `${docs.length} ${docs.length === 1 ? kind : plural}` });
  }
  for (const d of [...documents].sort((a, b) => (a.file < b.file ? -1 : 1))) {
    const paths = Object.keys(d.document.paths).length;
    files.push({
      path: d.file,
      text: `# Reconstructed by \`gitway dump\` from the routes of API '${d.api}' on environment '${options.environment}': paths, methods and operationIds only.\n${yaml(d.document)}`,
      summary: `OpenAPI 3.0 document of API '${d.api}' (${paths} path${paths === 1 ? '' : 's'}, ${d.operations.length} operation${d.operations.length === 1 ? '' : 's'})`,
    });
  }
  return files;
}

/**
 * Keys in the order a person writes them (the gateway keeps specs with sorted keys): what a thing
 * is first (`type`, `url`, `targets`), its details after; keys not listed keep alphabetical order.
 */
const KEY_ORDER = [
  'type', 'name', 'username', 'url', 'weight', 'openapi', 'basePath', 'stripBasePath',
  'targets', 'loadBalancing', 'policy', 'healthCheck', 'path', 'interval', 'timeout', 'expectedStatus', 'passive', 'timeouts', 'retries',
  'credentials', 'key', 'password', 'secret', 'issuer',
  'hosts', 'paths', 'match', 'origins', 'methods', 'stripPath', 'upstream', 'policies',
];

function ordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(ordered);
  if (!value || typeof value !== 'object') return value;
  const rank = (k: string) => (KEY_ORDER.includes(k) ? KEY_ORDER.indexOf(k) : KEY_ORDER.length);
  const keys = Object.keys(value).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.map((k) => [k, ordered((value as Record<string, unknown>)[k])]));
}

function yaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}

/**
 * Builds the model again from the files (as gitway would read them, each variable standing for the
 * hash it replaced) and diffs it with the live entities, as plan does: what would still differ.
 */
function selfCheck(
  live: readonly KeyedEntity[],
  files: readonly DumpFile[],
  manifests: readonly ManifestDocument[],
  documents: readonly OpenApiDocument[],
  variables: ReadonlyMap<string, string>,
  options: AdoptOptions,
  reported: ReadonlySet<string>,
): Skipped[] {
  const parsed: AnyManifest[] = [];
  for (const file of files) {
    if (!file.path.startsWith('gateway/')) continue;
    const source = parseSource(file.path, Buffer.from(file.text));
    for (const doc of source.documents) {
      const value = doc.doc.toJS() as ManifestDocument;
      const spec = backToHashes(value.spec, variables) as Record<string, unknown>;
      parsed.push({ kind: value.kind, name: value.metadata.name, file: file.path, source: doc, metadata: value.metadata, spec, rawSpec: value.spec, sensitive: [] } as unknown as AnyManifest);
    }
  }
  if (parsed.length !== manifests.length) return [{ category: 'inexact', subject: 'the dumped manifests', reason: 'they do not read back as written (a bug in gitway dump)' }];
  const docs = new Map<string, DocumentOperations>();
  for (const d of documents) {
    const api = manifests.find((m) => m.kind === 'API' && m.metadata.name === d.api);
    if (api) docs.set(String(api.spec.openapi), { operations: d.operations });
  }
  const built = buildModel({ manifests: parsed, documents: docs, listen: options.listen?.length ? options.listen : DEFAULT_LISTEN }).state.entities.map((e) => ({ kind: e.kind, name: e.name, spec: e.spec }));
  const out: Skipped[] = [];
  for (const c of diff(built, live.map((e) => ({ kind: e.kind, name: e.name, spec: e.spec })), options.defaults)) {
    const subject = `${c.kind}/${c.name}`;
    if (c.kind === 'server') {
      const after = (c.after as { listen?: string[] } | null)?.listen;
      const before = (c.before as { listen?: string[] } | null)?.listen;
      if (c.action === 'update') out.push({ category: 'environment', subject: 'server (listen)', reason: `the gateway listens on ${JSON.stringify(before)} but the environment's listen in gitway.yaml gives ${JSON.stringify(after)}: set listen: ${JSON.stringify(before)} in gitway.yaml, or plan will change it` });
      continue;
    }
    if (reported.has(subject)) continue;
    if (c.action === 'update') out.push({ category: 'inexact', subject, reason: `dumped, but plan would change ${(c.fields ?? []).map((f) => f.path || '(all of it)').join(', ')}` });
    else if (c.action === 'delete') out.push({ category: 'unexpressible', subject, reason: 'not dumped, so plan would delete it' });
    else out.push({ category: 'inexact', subject, reason: 'the dumped files create it, but it is not on the gateway' });
  }
  return out;
}

function backToHashes(value: unknown, variables: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') {
    const m = /^\$\{env\.([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value);
    return m && variables.has(m[1]) ? variables.get(m[1]) : value;
  }
  if (Array.isArray(value)) return value.map((x) => backToHashes(x, variables));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, backToHashes(x, variables)]));
  return value;
}

function prune<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
