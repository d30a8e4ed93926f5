/**
 * The build precompiles schema/*.json into dist/manifest/schema-validators.js (ajv standalone code,
 * scripts/build-schemas.mjs); the CLI uses it, tests from sources compile at run time. Both must give
 * the same errors, down to `data` and `parentSchema`, which the findings' messages use.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ValidateFunction } from 'ajv';
import YAML from 'yaml';
import { ajvOptions, schemaDir, schemaSourceHash, SCHEMA_FILES, validatorRefs } from '../../src/manifest/schema.js';
import { projectRoot } from '../helpers/cli.js';

const generatedFile = path.join(projectRoot, 'dist/manifest/schema-validators.js');

/** Valid documents to start from: the shop fixture and an init scaffold's shapes. */
function seeds(): { name: keyof typeof validatorRefs; value: unknown }[] {
  const out: { name: keyof typeof validatorRefs; value: unknown }[] = [];
  const shop = path.join(projectRoot, 'fixtures/shop');
  out.push({ name: 'config', value: YAML.parse(readFileSync(path.join(shop, 'gitway.yaml'), 'utf8')) });
  for (const file of ['apis.yaml', 'policies.yaml', 'consumers.yaml', 'upstreams.yaml', 'routes.yaml']) {
    const full = path.join(shop, 'gateway', file);
    if (!existsSync(full)) continue;
    for (const doc of YAML.parseAllDocuments(readFileSync(full, 'utf8'))) {
      const value = doc.toJS() as { kind?: string } | null;
      if (value?.kind && value.kind in validatorRefs) out.push({ name: value.kind as keyof typeof validatorRefs, value });
    }
  }
  return out;
}

/** Deterministic mutations: wrong types, removed and unknown keys, bad strings, at every depth. */
function* mutations(value: unknown, count: number): Generator<unknown> {
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const weird: unknown[] = [null, 0, -1, 1.5, '', 'x', 'UPPER case', '10 s', 'ftp://x', true, [], [1, 1], ['a', 'a'], {}, { a: 1 }, 'a'.repeat(70), 1e9];
  for (let i = 0; i < count; i++) {
    const copy = structuredClone(value);
    const nodes: [Record<string, unknown>, string][] = [];
    const walk = (n: unknown) => {
      if (!n || typeof n !== 'object') return;
      for (const k of Object.keys(n)) {
        nodes.push([n as Record<string, unknown>, k]);
        walk((n as Record<string, unknown>)[k]);
      }
    };
    walk(copy);
    for (let j = 0; j <= rand(3) && nodes.length; j++) {
      const [parent, key] = nodes[rand(nodes.length)];
      const op = rand(4);
      if (op === 0) parent[key] = weird[rand(weird.length)];
      else if (op === 1 && !Array.isArray(parent)) delete parent[key];
      else if (op === 2 && !Array.isArray(parent)) parent[`extra${rand(3)}`] = weird[rand(weird.length)];
      else if (typeof parent[key] === 'string') parent[key] = `${parent[key] as string}!`;
    }
    yield copy;
  }
}

describe('precompiled schema validators (dist/manifest/schema-validators.js)', () => {
  it('exist after npm run build, built from the schema files as they are now', async () => {
    expect(existsSync(generatedFile)).toBe(true);
    const mod = (await import(pathToFileURL(generatedFile).href)) as { sourceHash: string };
    const texts = SCHEMA_FILES.map((f) => readFileSync(schemaDir + f, 'utf8'));
    expect(mod.sourceHash).toBe(schemaSourceHash(texts));
  });

  it('give the same errors as ajv compiling the schemas at run time, on 3,000 invalid documents', async () => {
    const mod = (await import(pathToFileURL(generatedFile).href)) as Record<string, ValidateFunction>;
    const { default: ajvModule } = await import('ajv');
    const ajv = new ajvModule.default(ajvOptions);
    for (const f of SCHEMA_FILES) ajv.addSchema(JSON.parse(readFileSync(schemaDir + f, 'utf8')));
    const all = seeds();
    expect(new Set(all.map((s) => s.name)).size).toBeGreaterThanOrEqual(5);
    let invalid = 0;
    const keywords = new Set<string>();
    for (const { name, value } of all) {
      const runtime = ajv.getSchema(validatorRefs[name])!;
      for (const v of mutations(value, Math.ceil(3000 / all.length))) {
        const a = mod[name](v);
        const b = runtime(v);
        expect(a).toBe(b);
        expect(JSON.stringify(mod[name].errors)).toBe(JSON.stringify(runtime.errors));
        if (!a) {
          invalid++;
          for (const e of mod[name].errors ?? []) keywords.add(e.keyword);
        }
      }
    }
    expect(invalid).toBeGreaterThan(2000);
    for (const k of ['type', 'required', 'additionalProperties', 'enum', 'pattern', 'minimum']) expect(keywords).toContain(k);
  });
});
