/**
 * The JSON Schemas that ship in `schema/` (so editors can use them too), and their errors turned into
 * findings that point at the YAML node at fault. The build precompiles them (scripts/build-schemas.mjs
 * → dist/manifest/schema-validators.js, ajv standalone code); when that module is missing (tests run
 * from sources) or was built from other schema files, they are compiled with ajv at run time, with
 * the same options, so the errors are the same either way.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ErrorObject, Options, ValidateFunction } from 'ajv';
import type { Finding } from '../checks/finding.js';
import { finding, positionOf, type JsonPath, type SourceDocument } from './source.js';

export const schemaDir = fileURLToPath(new URL('../../schema/', import.meta.url));
const MANIFEST_ID = 'https://gitway.dev/schema/manifest.schema.json';
const CONFIG_ID = 'https://gitway.dev/schema/gitway-config.schema.json';

export const KINDS = ['API', 'Route', 'Upstream', 'Policy', 'Consumer'] as const;
export type Kind = (typeof KINDS)[number];

/** The schema files, in the order they are added to ajv (the build step reads these too). */
export const SCHEMA_FILES = ['manifest.schema.json', 'gitway-config.schema.json'] as const;
/** ajv options: `verbose` gives errors their `data` and `parentSchema`, which the messages use. */
export const ajvOptions: Options = { allErrors: true, strict: false, allowUnionTypes: true, verbose: true };
/** The validators gitway uses, by export name of the generated module → schema reference. */
export const validatorRefs: Record<'config' | Kind, string> = {
  config: CONFIG_ID,
  ...(Object.fromEntries(KINDS.map((k) => [k, `${MANIFEST_ID}#/definitions/${k}`])) as Record<Kind, string>),
};

/** What identifies the schema files a generated module was built from. */
export function schemaSourceHash(texts: readonly string[]): string {
  return createHash('sha256').update(texts.join('\0')).digest('hex');
}

type Validators = { config: ValidateFunction; kinds: Record<Kind, ValidateFunction> };
let compiled: Promise<Validators> | undefined;

function validators(): Promise<Validators> {
  compiled ??= loadValidators();
  return compiled;
}

async function loadValidators(): Promise<Validators> {
  const texts = SCHEMA_FILES.map((f) => readFileSync(schemaDir + f, 'utf8'));
  const fns = (await precompiled(schemaSourceHash(texts))) ?? (await compileValidators(texts));
  return { config: fns.config, kinds: Object.fromEntries(KINDS.map((k) => [k, fns[k]])) as Record<Kind, ValidateFunction> };
}

/** The build's generated validators, when present and built from these very schema files. */
async function precompiled(hash: string): Promise<Record<'config' | Kind, ValidateFunction> | undefined> {
  // A computed specifier: the module exists only in dist/ after the build step, never in src/.
  const file = fileURLToPath(new URL('./schema-validators.js', import.meta.url));
  if (!existsSync(file)) return undefined;
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  if (mod.sourceHash !== hash) return undefined; // schema/ changed after the build: compile what is there now
  return mod as unknown as Record<'config' | Kind, ValidateFunction>;
}

async function compileValidators(texts: readonly string[]): Promise<Record<'config' | Kind, ValidateFunction>> {
  // ajv is CommonJS: its class is the default export's own `default` under NodeNext.
  const { default: ajvModule } = await import('ajv');
  const Ajv = ajvModule.default;
  const ajv = new Ajv(ajvOptions);
  for (const text of texts) ajv.addSchema(JSON.parse(text));
  const get = (ref: string) => {
    const fn = ajv.getSchema(ref);
    if (!fn) throw new Error(`schema ${ref} is missing from the package`);
    return fn;
  };
  return Object.fromEntries(Object.entries(validatorRefs).map(([name, ref]) => [name, get(ref)])) as Record<'config' | Kind, ValidateFunction>;
}

export async function validateConfigSchema(source: SourceDocument, value: unknown, prefix: JsonPath = []): Promise<Finding[]> {
  const { config } = await validators();
  return config(value) ? [] : schemaFindings(source, config.errors ?? [], 'config-schema', prefix);
}

export async function validateManifestSchema(source: SourceDocument, kind: Kind, value: unknown): Promise<Finding[]> {
  const fn = (await validators()).kinds[kind];
  return fn(value) ? [] : schemaFindings(source, fn.errors ?? [], 'manifest-schema');
}

export function pointerToPath(pointer: string): JsonPath {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function displayPath(path: JsonPath): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(step)) out += out ? `.${step}` : step;
    else out += `[${JSON.stringify(step)}]`;
  }
  return out || '(document)';
}

function schemaFindings(source: SourceDocument, errors: ErrorObject[], code: string, prefix: JsonPath = []): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  // A failed oneOf reports every branch; keep the branch errors deepest in the document.
  const useful = errors.filter((e) => e.keyword !== 'if' && !(e.keyword === 'oneOf' && errors.some((o) => o !== e && o.instancePath.startsWith(e.instancePath) && o.keyword !== 'oneOf')));
  for (const err of useful) {
    const path = [...prefix, ...pointerToPath(err.instancePath)];
    let at = path;
    let onKey = false;
    let message: string;
    const where = displayPath(path);
    switch (err.keyword) {
      case 'additionalProperties': {
        const extra = (err.params as { additionalProperty: string }).additionalProperty;
        at = [...path, extra];
        onKey = true;
        const allowed = allowedKeys(err);
        message = `unknown field '${extra}' in ${where}${allowed ? ` (allowed: ${allowed})` : ''}`;
        break;
      }
      case 'required':
        message = `${where} is missing the required field '${(err.params as { missingProperty: string }).missingProperty}'`;
        break;
      case 'type':
        message = `${where} must be ${article((err.params as { type: string | string[] }).type)}, not ${typeName(valueAt(err))}`;
        break;
      case 'enum':
        message = `${where} must be one of: ${(err.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
        break;
      case 'const':
        message = `${where} must be ${JSON.stringify((err.params as { allowedValue: unknown }).allowedValue)}`;
        break;
      case 'pattern': {
        const description = (err.parentSchema as { description?: string } | undefined)?.description;
        message = `${where} ${JSON.stringify(valueAt(err))} is not valid${description ? `: ${description}` : ` (must match ${(err.params as { pattern: string }).pattern})`}`;
        break;
      }
      case 'minProperties': {
        const n = (err.params as { limit: number }).limit;
        message = `${where} needs at least ${n} entr${n === 1 ? 'y' : 'ies'}`;
        break;
      }
      case 'minItems': {
        const n = (err.params as { limit: number }).limit;
        message = `${where} needs at least ${n} item${n === 1 ? '' : 's'}`;
        break;
      }
      case 'minLength':
        message = (err.params as { limit: number }).limit === 1 ? `${where} must not be empty` : `${where} must be at least ${(err.params as { limit: number }).limit} characters long`;
        break;
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum': {
        const words = { minimum: 'at least', maximum: 'at most', exclusiveMinimum: 'above', exclusiveMaximum: 'below' }[err.keyword];
        message = `${where} must be ${words} ${(err.params as { limit: number }).limit}, not ${JSON.stringify(valueAt(err))}`;
        break;
      }
      case 'uniqueItems': {
        const { i, j } = err.params as { i: number; j: number };
        message = `${where} lists the same value twice (items ${j + 1} and ${i + 1})`;
        break;
      }
      case 'propertyNames':
        continue; // reported by the nested pattern/enum error on the name itself
      default:
        message = `${where} ${err.message ?? 'is invalid'}`;
    }
    if (err.propertyName !== undefined) {
      at = [...path, err.propertyName];
      onKey = true;
      message = `name '${err.propertyName}' in ${where} is not valid (${err.message ?? 'invalid'})`;
    }
    const key = `${at.join('/')}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ...finding(source.file, positionOf(source, at, onKey), code, message, at) });
  }
  return out;
}

function allowedKeys(err: ErrorObject): string {
  const props = (err.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props ? Object.keys(props).join(', ') : '';
}

function valueAt(err: ErrorObject): unknown {
  return (err as ErrorObject & { data?: unknown }).data;
}

function article(type: string | string[]): string {
  const list = Array.isArray(type) ? type : [type];
  return list.map((t) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`)).join(' or ');
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}
