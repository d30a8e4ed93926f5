import { WorkTree } from '../../src/workspace/worktree.js';
import { derefView, resolveDocument } from '../../src/openapi/resolve.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyseFiles, errors } from './helpers.js';

/** Counts the nodes a validator walks (shared objects once per place). */
function unfolded(value: unknown): number {
  let n = 0;
  const stack = [value];
  while (stack.length) {
    const v = stack.pop();
    if (!v || typeof v !== 'object') continue;
    n++;
    for (const k of Object.keys(v)) stack.push((v as Record<string, unknown>)[k]);
  }
  return n;
}

async function resolveText(files: Record<string, string>, root: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gitway-view-'));
  try {
    for (const [f, t] of Object.entries(files)) writeFileSync(path.join(dir, f), t);
    const tree = new WorkTree(dir);
    return await resolveDocument(root, (f) => tree.read(f));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the validation view is a tree, not an unfolded graph', () => {
  // A chain of schemas, each naming the next one twice: fully inlined it holds 2^depth copies.
  const depth = 18;
  const schemas: Record<string, unknown> = {};
  for (let i = 0; i < depth; i++) {
    schemas[`S${i}`] = i === depth - 1 ? { type: 'string' } : { type: 'object', properties: { a: { $ref: `#/components/schemas/S${i + 1}` }, b: { $ref: `#/components/schemas/S${i + 1}` } } };
  }
  const doc = JSON.stringify({
    openapi: '3.0.3',
    info: { title: 't', version: '1' },
    paths: { '/x': { get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/S0' } } } } } } } },
    components: { schemas },
  });

  it('keeps a repeated target as a $ref to its place in components', async () => {
    const r = await resolveText({ 'a.json': doc }, 'a.json');
    expect(unfolded(r.view)).toBeLessThan(400); // the unfolded graph has over 2^18 nodes
    const view = r.view as any;
    expect(view.components.schemas.S0.properties.a).toEqual({ $ref: '#/components/schemas/S1' });
    expect(view.paths['/x'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/S0' });
    expect((derefView(view, view.components.schemas.S0.properties.b) as any).properties.a).toEqual({ $ref: '#/components/schemas/S2' });
  });

  it('validates such a document quickly and as valid', async () => {
    const started = Date.now();
    const s = await analyseFiles({ 'a.json': doc }, 'a.json');
    expect(errors(s)).toEqual([]);
    expect(s.valid).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('inlines an external target once and refers to that place afterwards', async () => {
    const r = await resolveText(
      {
        'root.yaml': `openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: 'pet.yaml'}}}}\n  /b:\n    get:\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: 'pet.yaml'}}}}\n`,
        'pet.yaml': 'type: object\nproperties:\n  name: {type: string}\n',
      },
      'root.yaml',
    );
    const view = r.view as any;
    expect(view.paths['/a'].get.responses['200'].content['application/json'].schema.properties.name).toEqual({ type: 'string' });
    expect(view.paths['/b'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/paths/~1a/get/responses/200/content/application~1json/schema' });
  });

  it('inlines an operation-level $ref at every place, where a Reference Object is not allowed', async () => {
    const r = await resolveText(
      {
        'root.yaml': `openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get: {$ref: 'op.yaml'}\n  /b:\n    get: {$ref: 'op.yaml'}\n`,
        'op.yaml': "operationId: x\nresponses:\n  '200': {description: ok}\n",
      },
      'root.yaml',
    );
    const view = r.view as any;
    expect(view.paths['/a'].get.responses['200'].description).toBe('ok');
    expect(view.paths['/b'].get.$ref).toBeUndefined(); // an operation cannot be a Reference Object
    expect(view.paths['/b'].get.operationId).toBe('x');
    // below it, the Response (which may be a Reference Object) refers to its first place
    expect(view.paths['/b'].get.responses['200']).toEqual({ $ref: '#/paths/~1a/get/responses/200' });
    expect((derefView(view, view.paths['/b'].get.responses['200']) as any).description).toBe('ok');
  });
});

describe('$ref siblings', () => {
  it('ignores siblings of a 3.0 Reference Object outside schemas, as the specification says', async () => {
    const s = await analyseFiles(
      {
        'a.yaml': `openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    parameters:\n      - $ref: '#/components/parameters/h'\n        type: string\n    get:\n      responses: {'200': {description: ok}}\ncomponents:\n  parameters:\n    h: {name: X-H, in: header, required: true, schema: {type: string}}\n`,
      },
      'a.yaml',
    );
    expect(errors(s)).toEqual([]); // swagger-parser merges `type` into the parameter and rejects it
  });

  it('lets a 3.x Reference Object carry summary and description without changing the target kind', async () => {
    const s = await analyseFiles(
      {
        'a.yaml': `openapi: 3.2.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      parameters:\n        - $ref: '#/components/parameters/c'\n          summary: The cookie\n          description: The cookie\n      responses: {default: {description: ok}}\ncomponents:\n  parameters:\n    c: {name: c, in: cookie, schema: {type: string}}\n`,
      },
      'a.yaml',
    );
    expect(errors(s)).toEqual([]);
  });

  it('checks schema siblings of $ref as schema keywords in 3.1, and ignores them in 3.0 as the 3.0 specification says', async () => {
    const doc = (v: string) => `openapi: ${v}\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {type: string}\n    B:\n      $ref: '#/components/schemas/A'\n      minLength: x\n`;
    const v31 = analyseFiles({ 'a.yaml': doc('3.1.0') }, 'a.yaml');
    expect(v31.valid).toBe(false);
    expect(errors(v31)[0].message).toContain('/components/schemas/B/minLength');
    expect(errors(v31)[0].line).toBe(9);
    const v30 = analyseFiles({ 'a.yaml': doc('3.0.3') }, 'a.yaml');
    expect(errors(v30)).toEqual([]);
  });
});
