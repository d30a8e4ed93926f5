/**
 * FastResolver must give exactly what Spectral's resolver gives: the resolved tree (key order,
 * shared and circular nodes, frozen objects), the unresolved document as the resolver leaves it,
 * the reference graph that places findings, and the errors that become invalid-ref findings.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import spectralCore from '@stoplight/spectral-core';
import Parsers from '@stoplight/spectral-parsers';
import { Resolver } from '@stoplight/spectral-ref-resolver';
import jsonUtils from '@stoplight/json';
import { FastResolver, joinedPath, ResultWriter, startsWith } from '../../src/checks/ref-resolver.js';
import { projectRoot } from '../helpers/cli.js';

const { Document } = spectralCore;

/** Every node with its path, kind and frozenness; a node met again is written as a link to its first path. */
function canonical(value: unknown): string[] {
  const seen = new Map<object, string>();
  const out: string[] = [];
  const walk = (x: unknown, at: string) => {
    if (x === null || typeof x !== 'object') return void out.push(`${at}=${JSON.stringify(x)}`);
    const first = seen.get(x);
    if (first !== undefined) return void out.push(`${at}->${first}`);
    seen.set(x, at);
    out.push(`${at}${Array.isArray(x) ? '[]' : '{}'}${Object.isFrozen(x) ? ' frozen' : ''}`);
    for (const k of Object.keys(x)) walk((x as Record<string, unknown>)[k], `${at}/${k}`);
  };
  walk(value, '#');
  return out;
}

type ResolverLike = { resolve(source: unknown, opts: object): Promise<{ result: unknown; refMap: object; errors: { uri?: unknown }[]; graph: { overallOrder(): string[]; getNodeData(n: string): { refMap?: object } | undefined } }> };

async function resolveWith(make: (opts: object) => ResolverLike, file: string) {
  const parse = (text: string, source: string) => new Document(text, /\.json$/i.test(source) ? Parsers.Json : Parsers.Yaml, source);
  const doc = parse(readFileSync(file, 'utf8'), file);
  const resolver = make({ resolvers: { file: { resolve: async (ref: { path(): string }) => readFileSync(decodeURIComponent(ref.path()), 'utf8') } } });
  // as Spectral's DocumentInventory does
  const out = await resolver.resolve(doc.data, {
    baseUri: doc.source,
    parseResolveResult: (o: { targetAuthority: { href(): string }; result: unknown }) => {
      const source = o.targetAuthority.href().replace(/\/$/, '');
      o.result = parse(String(o.result), source).data;
      return Promise.resolve(o);
    },
  });
  const graph = Object.fromEntries(out.graph.overallOrder().map((n) => [n, out.graph.getNodeData(n)?.refMap ?? null]));
  return { result: canonical(out.result), unresolved: canonical(doc.data), refMap: out.refMap, graph, errors: out.errors.map((e) => ({ ...e, uri: String(e.uri) })) };
}

async function expectSame(file: string) {
  const theirs = await resolveWith((o) => new Resolver(o) as unknown as ResolverLike, file);
  const ours = await resolveWith((o) => new FastResolver(o) as unknown as ResolverLike, file);
  expect(ours).toEqual(theirs);
  return ours;
}

describe('FastResolver resolves exactly as Spectral\'s resolver', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gitway-resolver-'));
    writeFileSync(path.join(dir, 'shared.yaml'), 'Pet:\n  type: object\n  properties:\n    owner: { $ref: "#/Owner" }\n    tag: { $ref: "./tags.yaml#/Tag" }\nOwner:\n  type: object\n  properties:\n    pets: { type: array, items: { $ref: "#/Pet" } }\n');
    writeFileSync(path.join(dir, 'tags.yaml'), 'Tag: { type: string, enum: [a, b] }\n');
    writeFileSync(
      path.join(dir, 'api.yaml'),
      `openapi: 3.0.3
info: { title: t, version: "1" }
paths:
  /pets:
    get:
      parameters:
        - $ref: '#/components/parameters/Limit'
      responses:
        '200': { description: ok, content: { application/json: { schema: { $ref: '#/components/schemas/List' } } } }
        '404': { $ref: '#/components/responses/NotFound' }
        default: { description: d, content: { application/json: { schema: { $ref: './shared.yaml#/Pet' } } } }
  /missing:
    get:
      responses:
        '200': { description: ok, content: { application/json: { schema: { $ref: '#/components/schemas/Nope' } } } }
        '201': { description: ok, content: { application/json: { schema: { $ref: './no-such-file.yaml#/X' } } } }
        '202': { description: ok, content: { application/json: { schema: { $ref: 'https://example.invalid/schema.json' } } } }
components:
  parameters:
    Limit: { name: limit, in: query, schema: { $ref: '#/components/schemas/Count' } }
  responses:
    NotFound: { description: nf, content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
  schemas:
    Count: { type: integer }
    Error: { type: object, properties: { code: { $ref: '#/components/schemas/Count' } } }
    List: { type: array, items: { $ref: '#/components/schemas/Node' } }
    Node:
      type: object
      properties:
        children: { type: array, items: { $ref: '#/components/schemas/Node' } }
        self: { $ref: '#/components/schemas/Node/properties/children' }
        alias: { $ref: '#/components/schemas/Alias' }
    Alias: { $ref: '#/components/schemas/Count' }
`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('on local, chained, circular, remote, missing and network references (refused, never fetched)', async () => {
    const ours = await expectSame(path.join(dir, 'api.yaml'));
    const messages = ours.errors.map((e) => (e as { message: string }).message).join('\n');
    expect(messages).toContain('#/components/schemas/Nope');
    expect(messages).toContain('no-such-file.yaml');
    // with only a file reader (as gitway sets it up), an https $ref is read as a file path: no request
    expect(messages).toContain("no such file or directory, open '/schema.json'");
    expect(Object.keys(ours.refMap).length).toBeGreaterThan(5);
  });

  it('on a real multi-file description (DigitalOcean\'s, when the shared corpus is there)', async () => {
    const file = path.resolve(projectRoot, '../shared/corpus/edge/realworld-external-refs/digitalocean/specification/DigitalOcean-public.v2.yaml');
    let exists = true;
    try {
      readFileSync(file);
    } catch {
      exists = false;
    }
    if (exists) await expectSame(file);
  }, 120_000);
});

describe('startsWith (the inline step\'s circularity test)', () => {
  it('answers as @stoplight/json\'s startsWith on numeric, padded, hex-like, empty and plain segments', () => {
    const segments = ['', '0', '00', '1', '01', '1a', '0x1', '16', 'a', 'b', '~0', ' 1', '-1', '1e3', '1000', 'NaN', 'properties', 'items', '€'];
    let state = 7;
    const rnd = (n: number) => ((state = (state * 1103515245 + 12345) % 2147483648), state % n);
    const somePath = (len: number) => Array.from({ length: len }, () => segments[rnd(segments.length)]);
    for (let i = 0; i < 20000; i++) {
      const a = somePath(rnd(5));
      // a prefix of a with some segments swapped, or a random path
      const b = rnd(2) ? a.slice(0, rnd(a.length + 1)).map((s) => (rnd(4) ? s : segments[rnd(segments.length)])) : somePath(rnd(5));
      expect([a, b, startsWith(a, b)]).toEqual([a, b, jsonUtils.startsWith(a, b)]);
    }
  });
});

describe('ResultWriter (the results of referenced files written as immer would write them)', () => {
  const fromSpectral = createRequire(createRequire(import.meta.url).resolve('@stoplight/spectral-ref-resolver'));
  const fromLib = createRequire(fromSpectral.resolve('@stoplight/json-ref-resolver'));
  const produce = (fromLib('immer') as { default: <T>(base: T, recipe: (draft: T) => unknown) => T }).default;
  const lodashSet = fromLib('lodash/set') as (o: unknown, p: string[], v: unknown) => unknown;
  const ordered = (createRequire(createRequire(fromSpectral.resolve('@stoplight/spectral-parsers')).resolve('@stoplight/yaml'))('@stoplight/ordered-object-literal') as { default: (o: object) => Record<string, unknown> }).default;

  /** Every object reachable from the roots, by first path: kind, frozenness, keys (as canonical does, plus identity across roots). */
  function shape(roots: Record<string, unknown>): string[] {
    const seen = new Map<object, string>();
    const out: string[] = [];
    const walk = (x: unknown, at: string) => {
      if (x === null || typeof x !== 'object') return void out.push(`${at}=${typeof x === 'number' && Number.isNaN(x) ? 'NaN' : JSON.stringify(x)}`);
      const first = seen.get(x);
      if (first !== undefined) return void out.push(`${at}->${first}`);
      seen.set(x, at);
      out.push(`${at}${Array.isArray(x) ? '[]' : '{}'}${Object.isFrozen(x) ? ' frozen' : ''} ${Reflect.ownKeys(x).map(String).join(',')}`);
      for (const k of Reflect.ownKeys(x)) if (k !== 'length' || !Array.isArray(x)) walk((x as Record<string | symbol, unknown>)[k], `${at}/${String(k)}`);
    };
    for (const [name, root] of Object.entries(roots)) walk(root, name);
    return out;
  }

  it('leaves the same tree, the same shared objects and the same frozen objects as one produce per result', () => {
    let state = 11;
    // the high bits of the generator (its low bits repeat with a short period)
    const rnd = (n: number) => ((state = (state * 1103515245 + 12345) % 2147483648), Math.floor(state / 65536) % n);
    const keys = ['a', 'b', '0', '1', '2', 'x', 'constructor', 'length'];
    const leaf = () => [1, 'two', null, NaN, true][rnd(5)];
    const tree = (depth: number): unknown => {
      if (depth === 0 || rnd(4) === 0) return leaf();
      if (rnd(3) === 0) return Array.from({ length: rnd(4) }, () => tree(depth - 1));
      // a third of the mappings as Spectral's parsers make them (a Proxy with its key order under a symbol)
      const o: Record<string, unknown> = rnd(3) === 0 ? ordered({}) : {};
      for (let i = rnd(4); i > 0; i--) o[keys[rnd(6)]] = tree(depth - 1);
      return o;
    };
    let fast = 0;
    for (let round = 0; round < 12000; round++) {
      const results = Array.from({ length: 1 + rnd(8) }, () => {
        // frozen, as a runner's result is, or not
        const kind = rnd(6);
        const value = kind === 0 ? leaf() : kind === 1 ? tree(2) : produce(tree(2), () => undefined);
        return { at: Array.from({ length: rnd(4) }, () => keys[rnd(keys.length)]), value };
      });
      // sometimes a result written twice, or another written where one was
      if (rnd(3) === 0) results.push({ ...results[rnd(results.length)] });
      if (rnd(3) === 0) results.push({ at: results[rnd(results.length)].at, value: rnd(2) ? tree(2) : produce(tree(2), () => undefined) });
      const build = () => tree(4);
      state = round * 7919 + 3;
      const a = build();
      state = round * 7919 + 3;
      const b = build();
      const library = (source: unknown) => {
        let s = source;
        for (const r of results) s = produce(s, (draft) => (r.at.length ? void lodashSet(draft, r.at, r.value) : r.value));
        return s;
      };
      const ours = (source: unknown) => {
        const w = new ResultWriter(source);
        for (const r of results) {
          if (w.set(r.at, r.value)) {
            fast++;
            continue;
          }
          const s = produce(w.finish(), (draft) => (r.at.length ? void lodashSet(draft, r.at, r.value) : r.value));
          w.restart(s);
        }
        return w.finish();
      };
      let theirs: unknown;
      let mine: unknown;
      let theirError = '';
      let myError = '';
      try {
        theirs = library(a);
      } catch (e) {
        theirError = String(e);
      }
      try {
        mine = ours(b);
      } catch (e) {
        myError = String(e);
      }
      expect(myError).toBe(theirError);
      const values = Object.fromEntries(results.map((r, i) => [`v${i}`, r.value]));
      expect(shape({ result: mine, source: b, ...values })).toEqual(shape({ result: theirs, source: a, ...values }));
    }
    expect(fast).toBeGreaterThan(1500); // the copy-on-write way was taken (2,253 times with this seed)
  });

  it('leaves a value written and then replaced frozen, as immer froze it at its own produce', () => {
    const run = (sequential: boolean) => {
      const first = { x: 1 };
      const second = { y: 2 };
      const writes: Array<[string[], unknown]> = [[['a', 'b'], Object.freeze({ z: 0 })], [['a', 'b'], first], [['a', 'b'], second]];
      let source: unknown = { a: { b: 1 } };
      if (sequential) for (const [at, v] of writes) source = produce(source, (d) => void lodashSet(d, at, v));
      else {
        const w = new ResultWriter(source);
        for (const [at, v] of writes) if (!w.set(at, v)) w.restart(produce(w.finish(), (d) => void lodashSet(d, at, v)));
        source = w.finish();
      }
      return [Object.isFrozen(first), Object.isFrozen(second), JSON.stringify(source)];
    };
    expect(run(false)).toEqual(run(true));
    expect(run(true)).toEqual([true, true, '{"a":{"b":{"y":2}}}']);
  });
});

describe('joinedPath (where a relative $ref points from a file)', () => {
  it("answers as the library's join(dirname(base), stripRoot(ref)) on plain, dotted, doubled and odd paths", () => {
    const fromSpectral = createRequire(createRequire(import.meta.url).resolve('@stoplight/spectral-ref-resolver'));
    const paths = createRequire(fromSpectral.resolve('@stoplight/json-ref-resolver'))('@stoplight/path') as { join(...p: string[]): string; dirname(p: string): string; stripRoot(p: string): string };
    let state = 5;
    const rnd = (n: number) => ((state = (state * 1103515245 + 12345) % 2147483648), Math.floor(state / 65536) % n);
    const segments = ['a', 'b', '.', '..', '...', 'x.yml', '-', '_', 'a.b', '.a', 'A1', 'c d', 'C:', '%20', '#', 'é', 'x.yml#/a', 'y.json#/components/schemas/X', 'z.yml#', 'w.yml#/~1p/..', 'v.yml#/a/./b'];
    const somePath = (absolute: boolean) => {
      let p = absolute ? '/' : ['', './', '../', 'file://', 'http://h/'][rnd(5)];
      for (let i = rnd(5); i > 0; i--) p += segments[rnd(segments.length)] + (i > 1 || rnd(5) === 0 ? (rnd(8) === 0 ? '//' : '/') : '');
      return p;
    };
    for (let i = 0; i < 40000; i++) {
      const base = somePath(rnd(6) !== 0);
      const ref = somePath(rnd(6) === 0);
      const outcome = (f: () => string) => {
        try {
          return f();
        } catch (e) {
          return `throws ${(e as Error).message}`;
        }
      };
      expect([base, ref, outcome(() => joinedPath(base, ref))]).toEqual([base, ref, outcome(() => paths.join(paths.dirname(base), paths.stripRoot(ref)))]);
    }
  });
});
