/**
 * Shared subtrees walked once (src/checks/nimma-memo.ts) and pure rule functions remembered
 * (src/checks/function-cache.ts): Spectral gets the same callbacks in the same order and makes the
 * same findings as with its own traversal, on a document where one schema is reached by many paths.
 * Each lint runs in a child process on the built code (dist/): both install themselves on the module
 * cache of a thread, which jest's module registry is not.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { projectRoot } from '../helpers/cli.js';
import { buildModel, cannotThrow, localFilter } from '../../src/checks/nimma-memo.js';
import { remembering } from '../../src/checks/function-cache.js';

/**
 * Shared schemas reached from 12 places and from components: an enum with a repeat after one
 * without under the same key, a description with a script tag, an `xml`, a bad default, and one
 * media example used in requests (where a `readOnly` property may be missing) and responses.
 */
const operations = Array.from({ length: 6 }, (_, i) => `
  /things${i}:
    post:
      operationId: post${i}
      description: op ${i}
      tags: [t]
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/Thing' }
          application/x-made: { $ref: '#/components/x-media/Made' }
      responses:
        '201':
          description: made
          content:
            application/x-made: { $ref: '#/components/x-media/Made' }
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: array
                items: { $ref: '#/components/schemas/Thing' }`).join('');

const DOC = `openapi: 3.0.3
info: { title: Shared, version: "1", description: x, contact: { name: a } }
servers: [{ url: 'https://example.com/v1' }]
tags: [{ name: t, description: t }]
paths:${operations}
components:
  x-media:
    Made:
      schema: { $ref: '#/components/schemas/Made' }
      example: { name: a }
  schemas:
    Made:
      type: object
      required: [id, name]
      properties:
        id: { type: string, readOnly: true }
        name: { type: string }
    Thing:
      type: object
      xml: { name: thing }
      properties:
        kind: { type: string, enum: [a, b] }
        size: { type: integer, enum: [1, two] }
        note: { type: string, description: '<script>alert(1)</script>' }
        inner: { $ref: '#/components/schemas/Inner' }
    Inner:
      type: object
      properties:
        kind: { type: string, enum: [x, x], example: 3 }
        deeper: { type: array, items: { $ref: '#/components/schemas/Leaf' } }
    Leaf:
      type: object
      description: 'eval("x")'
      properties: { n: { type: number, default: abc } }
`;

/**
 * Lints DOC in a fresh process with spectral:oas, plus a rule whose function is not pure and
 * records every call's path (the order of callbacks), and optionally an expression the memo does
 * not follow. Returns findings, calls and the memo's counters.
 */
function lintIn(memo: boolean, extraGiven?: string) {
  const script = `
import { pathToFileURL } from 'node:url';
const dist = (f) => pathToFileURL(${JSON.stringify(path.join(projectRoot, 'dist'))} + '/' + f).href;
const { preferModernNimma } = await import(dist('checks/spectral-nimma.js'));
preferModernNimma();
const { takeSubtreeMemoStats } = await import(dist('checks/nimma-memo.js'));
const { cachePureFunctions } = await import(dist('checks/function-cache.js'));
const { default: core } = await import('@stoplight/spectral-core');
const { default: Parsers } = await import('@stoplight/spectral-parsers');
const { oas } = await import('@stoplight/spectral-rulesets');
const calls = [];
const spectral = new core.Spectral();
const ruleset = new core.Ruleset({
  extends: [[oas, 'recommended']],
  rules: {
    'every-type': { given: "$..[?(@ && @.type)]", severity: 'warn', then: { function: (value, _o, ctx) => { calls.push(ctx.path.join('.')); return value.type === 'number' ? [{ message: 'a number' }] : undefined; } } },
    'under-paths': { given: "$.paths..[?(@ && @.enum)]", severity: 'warn', then: { function: (value, _o, ctx) => { calls.push('paths ' + ctx.path.join('.')); } } },
    ${extraGiven ? `'extra': { given: ${JSON.stringify(extraGiven)}, severity: 'info', then: { function: (value, _o, ctx) => { calls.push('extra ' + ctx.path.join('.')); return [{ message: 'seen' }]; } } },` : ''}
  },
}, { severity: 'recommended' });
cachePureFunctions(ruleset);
spectral.setRuleset(ruleset);
const results = await spectral.run(new core.Document(process.env.DOC, Parsers.Yaml, '/doc.yaml'), { ignoreUnknownFormat: true });
console.log(JSON.stringify({ findings: results.map((r) => [r.code, r.path.join('.'), r.severity, r.range, r.message]), calls, stats: takeSubtreeMemoStats() }));
`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: projectRoot, env: { ...process.env, DOC, NODE_OPTIONS: '', GITWAY_SUBTREE_MEMO: memo ? 'on' : 'off' }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { findings: unknown[][]; calls: string[]; stats: { visits: number; replays: number; replayedEmits: number; recorded: number; fallbacks: number } };
}

describe('shared subtrees walked once', () => {
  it("gives Spectral's callbacks in the same order and the same findings, walking fewer nodes", () => {
    const plain = lintIn(false);
    const memo = lintIn(true);
    expect(plain.stats.visits).toBe(0); // nimma's own traversal ran
    expect(memo.stats.replays).toBeGreaterThan(10);
    expect(memo.stats.fallbacks).toBe(0);
    // the rule that is not pure ran at every path, in nimma's order
    expect(plain.calls.length).toBeGreaterThan(50);
    expect(memo.calls).toEqual(plain.calls);
    // findings of the pure rules (enum repeats, script tags, eval, typed enums) and the others
    const codes = new Set(plain.findings.map((f) => f[0]));
    for (const code of ['duplicated-entry-in-enum', 'no-script-tags-in-markdown', 'no-eval-in-markdown', 'typed-enum', 'every-type', 'oas3-valid-media-example']) expect(codes).toContain(code);
    // the shared example is wrong in responses only
    expect(plain.findings.filter((f) => f[0] === 'oas3-valid-media-example' && String(f[1]).startsWith('components.x-media.Made')).map((f) => f[4])).toEqual([`"example" property must have required property "id"`]);
    expect(memo.findings).toEqual(plain.findings);
  }, 60_000);

  it.each([
    // nimma's traversal: a filter reading @path
    ['$..[?(@path.length > 8 && @ && @.enum)]', false],
    // followed: a filter before the last step (matches of the child depend on the parent)
    ["$..[?(@ && @.type === 'object')].properties", true],
  ])('with the extra expression %s (shared walk: %s), gives the same calls and findings', (given, shared) => {
    const plain = lintIn(false, given);
    const memo = lintIn(true, given);
    expect(memo.stats.fallbacks > 0).toBe(!shared);
    expect(memo.stats.replays > 0).toBe(shared);
    expect(plain.calls.some((c) => c.startsWith('extra '))).toBe(true);
    expect(memo.calls).toEqual(plain.calls);
    expect(memo.findings).toEqual(plain.findings);
  }, 60_000);
});

describe('the automaton model', () => {
  // nimma's own parser, as the traversal uses it
  const nimmaFile = (f: string) => createRequire(import.meta.url)(path.join(projectRoot, 'node_modules/nimma/dist/cjs', f)) as { default: (e: string) => unknown };
  const { default: parse } = nimmaFile('parser/index.js');
  const { default: jsep } = nimmaFile('parser/jsep.js');
  const model = (e: string[]) => buildModel(e, parse, () => false, (ast) => ast, jsep);

  it('follows members, wildcards, unions and filters on the node, deep or not', () => {
    expect(model(['$.paths[*][get,put].responses', '$..content..[?(@ && @.schema)]', '$..[description,title]', "$..[?(@property !== 'properties' && @ && @.enum)]", '$..[?(@ && @.xml)].xml', '$..*', '$..[*].parameters'])).not.toBeNull();
  });

  it.each([
    ['$..[?(@path.length > 2)]', 'reads the path'],
    ['$..[?(@parent && @parent.x)]', 'reads the parent'],
    ['$..[?(@root.x)]', 'reads the root'],
    ['$.servers[0:2]', 'a slice'],
    ['$.paths[*]~', 'keys'],
    ['$..[?(@.x)].a.b', 'a filter two steps before the end'],
    ['$..[?(@.x)]..a', 'a deep step after a filter'],
    ['$.servers[0]', 'an index (nimma compares it as a string or strictly, by position)'],
    ["$.paths[*][*].responses['200']", 'a name that reads as an integer'],
    ['$..[?(@ && 1 / 1 < @path.length / 60)]', 'reads the path between two divisions'],
    ['$..[?(@.length > 1)]', 'may throw (on a null node)'],
  ])('refuses %s (%s)', (e) => {
    expect(model([e])).toBeNull();
  });

  it('tells filters that can never throw from the others', () => {
    // spectral:oas's filters
    for (const f of ["@property !== 'properties' && @ != null && @.enum && @.enum.constructor.name === 'Array'", '@ && @.schema && (@.example !== void 0 || @.examples)', "@property !== 'properties' && @ && (@.example !== void 0 || @['x-example'] !== void 0 || @.default !== void 0) && (@.enum || @.type || @.format || @.$ref || @.properties || @.items)", "@property === '$ref'", '@ && @.type=="array"', '@ && @.a && @.a.x', '@string', "@property ~= '^a' || @property in ['a', 'b']", '@ != null && @.x ? @.x.constructor.name : 1']) {
      expect([f, cannotThrow(f, jsep)]).toEqual([f, true]);
    }
    // a member of what may be null or undefined, a call
    for (const f of ['@.x', '@.length > 1', '@ && @.a.x', '@.b !== void 0', "@property.indexOf('a') === 0", '@ !== null && @.x', "@ && @.x in @.y"]) {
      expect([f, cannotThrow(f, jsep)]).toEqual([f, false]);
    }
  });

  it('tells filters that read only the node from the others', () => {
    expect(localFilter("@ && @.enum && @.enum.constructor.name === 'Array'")).toBe(true);
    expect(localFilter("@property !== 'properties' && @ && (@.example !== void 0 || @['x-example'] !== void 0)")).toBe(true);
    expect(localFilter('@string && @ !== "@path"')).toBe(true); // text in quotes is not read
    expect(localFilter('@path.length > 2')).toBe(false);
    expect(localFilter('@parentProperty === "x"')).toBe(false);
    expect(localFilter('index === 0')).toBe(false);
    expect(localFilter('scope.path[0] === "x"')).toBe(false);
    expect(localFilter('@@custom(@)')).toBe(false);
  });
});

describe('remembered rule functions', () => {
  const context = (p: (string | number)[], doc: object) => ({ path: p, documentInventory: doc });

  it('answers a value seen in the same document from memory, with paths moved to the new call', () => {
    let calls = 0;
    const fn = remembering((input) => {
      calls++;
      return [{ message: `bad ${String((input as { a: number }).a)}`, path: ['x', 'y', 'a'] }];
    }, 'value');
    const value = { a: 1 };
    const doc = {};
    expect(fn.call(null, value, null, context(['x', 'y'], doc))).toEqual([{ message: 'bad 1', path: ['x', 'y', 'a'] }]);
    expect(calls).toBe(1);
    // below the call's path: moved
    expect(fn.call(null, value, null, context(['x', 'y'], doc))).toEqual([{ message: 'bad 1', path: ['x', 'y', 'a'] }]);
    expect(calls).toBe(1);
    // a result whose path is not below its call's path is never reused
    const other = { a: 2 };
    expect(fn.call(null, other, null, context(['m'], doc))).toEqual([{ message: 'bad 2', path: ['x', 'y', 'a'] }]);
    expect(fn.call(null, other, null, context(['m'], doc))).toEqual([{ message: 'bad 2', path: ['x', 'y', 'a'] }]);
    expect(calls).toBe(3);
  });

  it('moves paths below the call, keys calls by the last key when asked, and keeps documents apart', () => {
    let calls = 0;
    const fn = remembering((input, _o, ctx) => {
      calls++;
      return [{ message: `${String(ctx.path[ctx.path.length - 1])} ${String(input)}`, path: [...ctx.path, 0] }];
    }, 'last');
    const doc = {};
    const value = 'v';
    expect(fn.call(null, value, null, context(['a', 'enum'], doc))).toEqual([{ message: 'enum v', path: ['a', 'enum', 0] }]);
    expect(fn.call(null, value, null, context(['b', 'c', 'enum'], doc))).toEqual([{ message: 'enum v', path: ['b', 'c', 'enum', 0] }]);
    expect(calls).toBe(1);
    expect(fn.call(null, value, null, context(['b', 'other'], doc))).toEqual([{ message: 'other v', path: ['b', 'other', 0] }]);
    expect(calls).toBe(2);
    expect(fn.call(null, value, null, context(['a', 'enum'], {}))).toEqual([{ message: 'enum v', path: ['a', 'enum', 0] }]);
    expect(calls).toBe(3);
  });

  it('never remembers a promise', async () => {
    let calls = 0;
    const fn = remembering(() => {
      calls++;
      return Promise.resolve([{ message: 'later' }]);
    }, 'value');
    const doc = {};
    await fn.call(null, 1, null, context(['a'], doc));
    await fn.call(null, 1, null, context(['a'], doc));
    expect(calls).toBe(2);
  });
});

/**
 * One document and one ruleset (JavaScript, with `oas`, the spectral:oas ruleset, and `fns`,
 * Spectral's functions, in scope) linted with Spectral's own way and with gitway's, each in its own
 * process: findings of both.
 */
function bothModes(doc: string, ruleset: string): { off: string[]; on: string[] } {
  const script = `
import { pathToFileURL } from 'node:url';
const dist = (f) => pathToFileURL(${JSON.stringify(path.join(projectRoot, 'dist'))} + '/' + f).href;
(await import(dist('checks/spectral-nimma.js'))).preferModernNimma();
const { cachePureFunctions } = await import(dist('checks/function-cache.js'));
const { default: core } = await import('@stoplight/spectral-core');
const { default: Parsers } = await import('@stoplight/spectral-parsers');
const { oas } = await import('@stoplight/spectral-rulesets');
const { default: fns } = await import('@stoplight/spectral-functions');
const ruleset = new core.Ruleset(${ruleset}, { severity: 'recommended' });
let out;
cachePureFunctions(ruleset);
const spectral = new core.Spectral();
spectral.setRuleset(ruleset);
try {
  const results = await spectral.run(new core.Document(process.env.DOC, Parsers.Yaml, '/doc.yaml'), { ignoreUnknownFormat: true });
  out = results.map((r) => r.code + ' ' + r.path.join('.') + ' ' + r.message);
} catch (err) {
  out = ['error: ' + String(err.message ?? err).split('\\n')[0]];
}
console.log(JSON.stringify(out));
`;
  const run = (mode: string) => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: projectRoot, env: { ...process.env, DOC: doc, NODE_OPTIONS: '', GITWAY_SUBTREE_MEMO: mode }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout) as string[];
  };
  return { off: run('off'), on: run('on') };
}

describe('what a pure function may read (cases found in review)', () => {
  it('a content map shared by a request and a response: the example is wrong in the response only', () => {
    const doc = `openapi: 3.0.3
info: { title: t, version: '1' }
paths:
  /x:
    post:
      requestBody:
        content: { $ref: '#/x-content/Made' }
      responses:
        '201':
          description: made
          content: { $ref: '#/x-content/Made' }
x-content:
  Made:
    application/json:
      schema:
        type: object
        required: [id, name]
        properties:
          id: { type: string, readOnly: true }
          name: { type: string }
      example: { name: a }
`;
    const { off, on } = bothModes(doc, `{ extends: [[oas, 'recommended']] }`);
    expect(off.filter((f) => f.startsWith('oas3-valid-media-example'))).toEqual(['oas3-valid-media-example x-content.Made.application/json.example "example" property must have required property "id"']);
    expect(on).toEqual(off);
  }, 60_000);

  it("a schema with a draft-04 id, compiled again for a second example: ajv's error is reported as Spectral reports it", () => {
    const example = (p: string, name: string) => `
  ${p}:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Thing' }
              example: { name: ${name} }`;
    const doc = `openapi: 3.0.3
info: { title: t, version: '1' }
paths:${example('/a', 'a')}${example('/b', 'b')}
components:
  schemas:
    Thing:
      id: Thing
      type: object
      properties:
        name: { type: string }
`;
    const { off, on } = bothModes(doc, `{ extends: [[oas, 'off']], rules: { 'oas3-valid-media-example': 'error' } }`);
    expect(off.some((f) => f.includes('already exists'))).toBe(true);
    expect(on).toEqual(off);
  }, 60_000);

  it('one `then` shared by a rule on the resolved document and one on the unresolved: `schema` tells them apart', () => {
    const ruleset = `(() => {
      const then = { function: fns.schema, functionOptions: { schema: { $ref: 'other.json#/definitions/Title' } } };
      return { rules: {
        'title-resolved': { given: '$.info.title', severity: 'error', then },
        'title-unresolved': { given: '$.info.title', severity: 'error', resolved: false, then },
        'any-deep': { given: '$..nothing', severity: 'hint', then: { function: fns.truthy } },
      } };
    })()`;
    const { off, on } = bothModes(`openapi: 3.0.3\ninfo: { title: t, version: '1' }\npaths: {}\n`, ruleset);
    expect(off.some((f) => f.startsWith('title-unresolved'))).toBe(true);
    expect(on).toEqual(off);
  }, 60_000);

  it('an object with its own toString, first met where no filter is evaluated: the filter that throws on it stops the run as in Spectral', () => {
    const doc = `x-s:
  n: { toString: 1 }
openapi: 3.0.3
info: { title: t, version: '1' }
paths:
  /p:
    get:
      responses:
        '200': { $ref: '#/x-s' }
`;
    const { off, on } = bothModes(doc, `{ rules: { r: { given: "$..a.b.c[?(@ == 'x')]", severity: 'error', then: { function: fns.truthy } } } }`);
    expect(off).toEqual(['error: Cannot convert object to primitive value']);
    expect(on).toEqual(off);
  }, 60_000);

  it('a media schema referring to an id another schema registers later: checked again, as Spectral does', () => {
    const doc = `openapi: 3.1.0
info: { title: t, version: '1' }
paths:
  /a:
    get:
      responses:
        '200': { $ref: '#/components/responses/R' }
  /b:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: { $id: 'urn:example:b', type: string }
              example: text
  /c:
    get:
      responses:
        '200': { $ref: '#/components/responses/R' }
components:
  responses:
    R:
      description: ok
      content:
        application/json:
          schema: { $ref: 'urn:example:b' }
          example: 12
`;
    const { off, on } = bothModes(doc, `{ extends: [[oas, 'off']], rules: { 'oas3-valid-media-example': 'error' } }`);
    expect(off.some((f) => f.includes('must be string'))).toBe(true);
    expect(on).toEqual(off);
  }, 60_000);
});
