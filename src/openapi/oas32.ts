/**
 * OpenAPI 3.1 and 3.2, validated against the official schemas as packaged by @hyperjump/json-schema
 * (which implements the OAS dialect and `$dynamicRef`): `schema-base`, which also checks every Schema
 * Object against the OAS base dialect, or `schema` when the document declares another dialect
 * (`jsonSchemaDialect`, or `$schema` in a Schema Object), whose schemas cannot be checked here.
 * swagger-parser 13 refuses 3.2 outright, and for 3.1 uses a 2021 draft of the schema that rejects
 * valid documents (server variables without enum, the Link Object's `server`). The checks that the
 * packaged schemas lack are in rules.ts.
 */
import type { JsonPath } from '../manifest/source.js';
import { childKind, elementKind, type Family, type Kind } from './kinds.js';

export interface SchemaProblem {
  path: JsonPath;
  message: string;
}

interface OutputUnit {
  keyword: string;
  absoluteKeywordLocation: string;
  instanceLocation: string;
}

export const BASE_DIALECT: Record<'3.1' | '3.2', string> = {
  '3.1': 'https://spec.openapis.org/oas/3.1/dialect/base',
  '3.2': 'https://spec.openapis.org/oas/3.2/dialect',
};

export async function validateOasSchema(doc: unknown, version: '3.1' | '3.2'): Promise<SchemaProblem[]> {
  const { validate } = version === '3.1' ? await import('@hyperjump/json-schema/openapi-3-1') : await import('@hyperjump/json-schema/openapi-3-2');
  const { BASIC } = await import('@hyperjump/json-schema/experimental');
  const which = declaresOtherDialect(doc, version) ? 'schema' : 'schema-base';
  // The packaged 3.1 schema (2022-10-07) calls the Link Object's `server` field `body`, a slip the
  // OAI fixed later: show it `body` for the time of the check (rules.ts reports a real `body`).
  const renamed = version === '3.1' ? renameLinkServers(doc) : [];
  let output;
  try {
    output = await validate(`https://spec.openapis.org/oas/${version}/${which}`, doc as never, BASIC);
  } finally {
    for (const link of renamed) {
      link.server = link.body;
      delete link.body;
    }
  }
  if (output.valid) return [];
  const units = (output as { errors?: OutputUnit[] }).errors ?? [];
  // Keep the deepest places: an error on /paths/~1a is explained by the one on /paths/~1a/get/…
  const deepest = units.filter((u) => !units.some((o) => o !== u && o.instanceLocation.startsWith(u.instanceLocation + '/')));
  const seen = new Set<string>();
  const problems: SchemaProblem[] = [];
  const prefix = new RegExp(`^https://spec\\.openapis\\.org/oas/${version.replace('.', '\\.')}/`);
  for (const u of deepest.length ? deepest : units) {
    const where = u.instanceLocation.replace(/^#/, '') || '/';
    const rule = u.absoluteKeywordLocation.replace(prefix, '').replace(/^schema(-base)?#\/\$defs\//, '');
    const message = `OpenAPI ${version} schema: ${where} is not valid (${rule.replace(/\/(unevaluatedProperties|additionalProperties)$/, ': unknown field')})`;
    if (seen.has(message)) continue;
    seen.add(message);
    problems.push({ path: pointerToPath(u.instanceLocation.replace(/^#/, '')), message });
  }
  return problems;
}

/** @deprecated kept for callers of the 3.2-only name */
export async function validateOas32(doc: unknown): Promise<SchemaProblem[]> {
  return validateOasSchema(doc, '3.2');
}

/** True when the document names a JSON Schema dialect other than the OAS base one. */
export function declaresOtherDialect(doc: unknown, version: '3.1' | '3.2'): boolean {
  if (!doc || typeof doc !== 'object') return false;
  const dialect = (doc as Record<string, unknown>).jsonSchemaDialect;
  if (dialect !== undefined && dialect !== BASE_DIALECT[version]) return true;
  let other = false;
  visit(doc, 'root', version, (node, kind) => {
    if (kind === 'schema' && typeof node.$schema === 'string' && node.$schema !== BASE_DIALECT[version]) other = true;
    return !other;
  });
  return other;
}

function renameLinkServers(doc: unknown): Record<string, unknown>[] {
  const renamed: Record<string, unknown>[] = [];
  visit(doc, 'root', '3.1', (node, kind) => {
    if (kind === 'link' && node.server !== undefined && node.body === undefined) {
      node.body = node.server;
      delete node.server;
      renamed.push(node);
    }
    return true;
  });
  return renamed;
}

/**
 * Calls `fn` on every typed object of the view (not example values, extensions …) with its kind,
 * each object once; stops when fn returns false.
 */
export function visit(root: unknown, kind: Kind, family: Family, fn: (node: Record<string, unknown>, kind: Kind, path: JsonPath) => boolean): void {
  const seen = new Set<object>();
  let go = true;
  const step = (value: unknown, k: Kind, path: JsonPath): void => {
    if (!go || k === 'other' || !value || typeof value !== 'object' || seen.has(value)) return; // 'other': nothing typed below
    seen.add(value);
    if (Array.isArray(value)) {
      const ek = elementKind(k);
      for (let i = 0; i < value.length && go; i++) step(value[i], ek, [...path, i]);
      return;
    }
    const obj = value as Record<string, unknown>;
    if (!fn(obj, k, path)) {
      go = false;
      return;
    }
    for (const key of Object.keys(obj)) step(obj[key], childKind(family, k, key), [...path, key]);
  };
  step(root, kind, []);
}

function pointerToPath(pointer: string): JsonPath {
  if (!pointer || pointer === '/') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~'));
}
