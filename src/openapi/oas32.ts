/**
 * OpenAPI 3.2, which swagger-parser 13 refuses outright: validated against the official 3.2 schema
 * (schema-base, with the OAS dialect) as packaged by @hyperjump/json-schema.
 */
import type { JsonPath } from '../manifest/source.js';

export interface SchemaProblem {
  path: JsonPath;
  message: string;
}

interface OutputUnit {
  keyword: string;
  absoluteKeywordLocation: string;
  instanceLocation: string;
}

export async function validateOas32(doc: unknown): Promise<SchemaProblem[]> {
  const { validate } = await import('@hyperjump/json-schema/openapi-3-2');
  const { BASIC } = await import('@hyperjump/json-schema/experimental');
  const output = await validate('https://spec.openapis.org/oas/3.2/schema-base', doc as never, BASIC);
  if (output.valid) return [];
  const units = ((output as { errors?: OutputUnit[] }).errors ?? []);
  // Keep the deepest places: an error on /paths/~1a is explained by the one on /paths/~1a/get/…
  const deepest = units.filter((u) => !units.some((o) => o !== u && o.instanceLocation.startsWith(u.instanceLocation + '/')));
  const seen = new Set<string>();
  const problems: SchemaProblem[] = [];
  for (const u of deepest.length ? deepest : units) {
    const where = u.instanceLocation.replace(/^#/, '') || '/';
    const rule = u.absoluteKeywordLocation.replace(/^https:\/\/spec\.openapis\.org\/oas\/3\.2\//, '').replace(/^schema(-base)?#\/\$defs\//, '');
    const message = `OpenAPI 3.2 schema: ${where} is not valid (${rule.replace(/\/(unevaluatedProperties|additionalProperties)$/, ': unknown field')})`;
    if (seen.has(message)) continue;
    seen.add(message);
    problems.push({ path: pointerToPath(u.instanceLocation.replace(/^#/, '')), message });
  }
  return problems;
}

function pointerToPath(pointer: string): JsonPath {
  if (!pointer || pointer === '/') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~'));
}
