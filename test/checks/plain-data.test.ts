/**
 * Plain objects instead of Spectral's order-keeping Proxies where the key order is the same
 * (src/checks/plain-data.ts): every mapping lists the same keys in the same order as with Spectral's
 * own parsers, Proxies stay where a plain object would reorder (keys that read as array indexes,
 * duplicate keys, merge keys), and a rule that reads the key order (`alphabetical`) finds the same.
 * Runs in child processes on the built code: the install patches the module cache of a thread.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../helpers/cli.js';

const YAML_DOC = `openapi: 3.0.3
info: { title: Order, version: "1" }
tags: [{ name: b }, { name: a }]
x-base: &base { zeta: 1, alpha: 2 }
x-other: &other { gamma: 1, alpha: 0 }
x-merged:
  beta: 3
  <<: [*base, *other]
x-dup-free: { one: 1, two: 2 }
paths:
  /things:
    get:
      responses:
        '404': { description: missing }
        '200': { description: ok }
        default: { description: other }
`;

const JSON_DOC = JSON.stringify({ openapi: '3.0.3', info: { title: 'Order', version: '1' }, tags: [{ name: 'b' }, { name: 'a' }], paths: { '/things': { get: { responses: { '404': { description: 'missing' }, '200': { description: 'ok' } } } } } }).replace('"info":', '"x-twice":{"a":1,"b":2,"a":3},"info":');

/** Parses both documents and lints them with `alphabetical` on tags, in a fresh process. */
function inChild(mode: 'on' | 'off') {
  const script = `
import { types } from 'node:util';
import { pathToFileURL } from 'node:url';
const dist = (f) => pathToFileURL(${JSON.stringify(path.join(projectRoot, 'dist'))} + '/' + f).href;
const { preferModernNimma } = await import(dist('checks/spectral-nimma.js'));
preferModernNimma();
const { default: core } = await import('@stoplight/spectral-core');
const { default: Parsers } = await import('@stoplight/spectral-parsers');
const { alphabetical } = await import('@stoplight/spectral-functions');
const out = {};
for (const [name, parser, text] of [['yaml', Parsers.Yaml, process.env.YAML_DOC], ['json', Parsers.Json, process.env.JSON_DOC]]) {
  const objects = [];
  const walk = (v, at) => {
    if (v === null || typeof v !== 'object') return;
    if (!Array.isArray(v)) objects.push({ at, keys: Object.keys(v), forIn: (() => { const k = []; for (const x in v) k.push(x); return k; })(), proxy: types.isProxy(v) });
    for (const k of Object.keys(v)) walk(v[k], at + '/' + k);
  };
  const doc = new core.Document(text, parser, '/doc.' + name);
  walk(doc.data, '');
  const spectral = new core.Spectral();
  spectral.setRuleset(new core.Ruleset({ rules: { 'tags-sorted': { given: '$.tags', severity: 'warn', then: { function: alphabetical, functionOptions: { keyedBy: 'name' } } }, 'keys-sorted': { given: '$.paths.*.*.responses', severity: 'warn', then: { function: alphabetical } } } }));
  const results = await spectral.run(doc, { ignoreUnknownFormat: true });
  out[name] = { json: JSON.stringify(doc.data), objects, findings: results.map((r) => [r.code, r.path.join('.'), r.message]) };
}
console.log(JSON.stringify(out));
`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: projectRoot, env: { ...process.env, YAML_DOC, JSON_DOC, NODE_OPTIONS: '', GITWAY_SUBTREE_MEMO: mode }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  type Parsed = { json: string; objects: Array<{ at: string; keys: string[]; forIn: string[]; proxy: boolean }>; findings: string[][] };
  return JSON.parse(r.stdout) as { yaml: Parsed; json: Parsed };
}

describe('plain objects where the key order allows', () => {
  const spectrals = inChild('off');
  const ours = inChild('on');

  it.each(['yaml', 'json'] as const)('lists the same keys in the same order as Spectral (%s)', (kind) => {
    expect(ours[kind].json).toBe(spectrals[kind].json);
    expect(ours[kind].objects.map(({ at, keys, forIn }) => ({ at, keys, forIn }))).toEqual(spectrals[kind].objects.map(({ at, keys, forIn }) => ({ at, keys, forIn })));
    expect(ours[kind].findings).toEqual(spectrals[kind].findings);
    // Spectral's parsers make every mapping a Proxy
    expect(spectrals[kind].objects.every((o) => o.proxy)).toBe(true);
  });

  it('keeps the Proxy only where a plain object would list the keys in another order', () => {
    const proxies = (kind: 'yaml' | 'json') => ours[kind].objects.filter((o) => o.proxy).map((o) => o.at);
    // responses: '404' before '200' in the file (a plain object puts '200' first); the duplicated
    // key (moved to the end); merged mappings list their keys as Spectral's do (first test)
    expect(proxies('yaml')).toEqual(['/paths//things/get/responses']);
    expect(proxies('json')).toEqual(['/x-twice', '/paths//things/get/responses']);
    expect(ours.yaml.objects.find((o) => o.at === '/paths//things/get/responses')?.keys).toEqual(['404', '200', 'default']);
    expect(ours.json.objects.find((o) => o.at === '/x-twice')?.keys).toEqual(['b', 'a']);
    // alphabetical finds the unsorted tags and the unsorted responses
    expect(ours.yaml.findings.map((f) => f[0])).toEqual(['tags-sorted', 'keys-sorted']);
  });
});
