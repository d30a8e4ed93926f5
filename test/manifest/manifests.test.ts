import { loadManifests } from '../../src/manifest/manifests.js';
import type { VariableScope } from '../../src/manifest/variables.js';
import { MemoryTree } from '../helpers/memtree.js';

const scope: VariableScope = { environment: 'local', vars: { up: { value: 'http://10.0.0.1:80', sensitive: false } }, env: { CONSUMER_KEY: 'ck-very-secret-1', HOST_SECRET: 'not a host!' } };
const GLOBS = ['gateway/**/*.yaml'];

const upstream = (name: string, extra = '') => `apiVersion: gitway/v1\nkind: Upstream\nmetadata:\n  name: ${name}\nspec:\n  targets:\n    - url: \${var.up}\n${extra}`;
const policy = (name: string) => `apiVersion: gitway/v1\nkind: Policy\nmetadata:\n  name: ${name}\nspec:\n  cors:\n    origins: ['*']\n`;
const route = (name: string, up: string, policies: string[] = []) => `apiVersion: gitway/v1\nkind: Route\nmetadata:\n  name: ${name}\nspec:\n  paths: [/${name}]\n  upstream: ${up}\n  policies: [${policies.join(', ')}]\n`;

async function load(files: Record<string, string | Buffer>) {
  const r = await loadManifests(new MemoryTree(files), GLOBS, scope, 'gitway.yaml');
  return { ...r, lines: r.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.code} ${f.message}`).sort() };
}

describe('loadManifests', () => {
  it('loads every document of every file, with variables substituted', async () => {
    const r = await load({ 'gateway/a.yaml': `${upstream('web')}---\n${policy('cors')}---\n${route('r', 'web', ['cors'])}` });
    expect(r.lines).toEqual([]);
    expect(r.manifests.map((m) => `${m.kind}/${m.name}`)).toEqual(['Upstream/web', 'Policy/cors', 'Route/r']);
    const web = r.manifests[0];
    expect(web.kind === 'Upstream' && web.spec.targets[0].url).toBe('http://10.0.0.1:80');
    expect(web.kind === 'Upstream' && web.rawSpec.targets[0].url).toBe('${var.up}');
  });

  it('warns when no file matches the globs', async () => {
    const r = await load({ 'other/a.yaml': upstream('web') });
    expect(r.findings).toEqual([expect.objectContaining({ file: 'gitway.yaml', severity: 'warn', code: 'manifest-none' })]);
  });

  it('reports a duplicate name per kind at the second, pointing at the first', async () => {
    const r = await load({ 'gateway/a.yaml': upstream('web'), 'gateway/b.yaml': `${policy('web')}---\n${upstream('web')}` });
    expect(r.lines).toEqual(["gateway/b.yaml:12:9 manifest-duplicate Upstream 'web' is defined twice; the first is at gateway/a.yaml:4:9"]);
  });

  it('reports references to a missing Upstream or Policy at the reference, with a suggestion', async () => {
    const r = await load({ 'gateway/a.yaml': `${upstream('web')}---\n${policy('cors')}---\n${route('r', 'wbe', ['cors', 'auth'])}` });
    expect(r.lines).toEqual([
      "gateway/a.yaml:23:13 manifest-reference Route 'r' names Upstream 'wbe', which is not defined (did you mean 'web'?)",
      "gateway/a.yaml:24:20 manifest-reference Route 'r' names Policy 'auth', which is not defined (defined: cors)",
    ]);
  });

  it('does not call an invalid Upstream "not defined" on top of its own finding', async () => {
    const r = await load({ 'gateway/a.yaml': `${upstream('web', '  retries: many\n')}---\n${route('r', 'web')}` });
    expect(r.lines).toEqual(['gateway/a.yaml:8:12 manifest-schema spec.retries must be an integer, not the string "many"']);
  });

  it('checks no reference while a file does not parse (it may hold the definition)', async () => {
    const r = await load({ 'gateway/a.yaml': route('r', 'web'), 'gateway/b.yaml': 'kind: Upstream\nmetadata: {name: web\n' });
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/^gateway\/b.yaml:3:1 yaml-syntax YAML syntax error: /);
  });

  it('reports empty files, but not empty documents between separators', async () => {
    const r = await load({ 'gateway/empty.yaml': '', 'gateway/comments.yaml': '# nothing yet\n', 'gateway/seps.yaml': '---\n---\n', 'gateway/ok.yaml': `---\n${upstream('web')}---\n` });
    expect(r.lines).toEqual([
      'gateway/comments.yaml:1:1 manifest-empty gateway/comments.yaml is empty: a manifest file holds one or more documents with apiVersion, kind, metadata and spec',
      'gateway/empty.yaml:1:1 manifest-empty gateway/empty.yaml is empty: a manifest file holds one or more documents with apiVersion, kind, metadata and spec',
      'gateway/seps.yaml:1:1 manifest-empty gateway/seps.yaml is empty: a manifest file holds one or more documents with apiVersion, kind, metadata and spec',
    ]);
    expect(r.manifests).toHaveLength(1);
  });

  it.each([
    ['- a list\n', '1:1 manifest-schema document 1 of gateway/x.yaml is not a map'],
    ['kind: Upstream\nmetadata: {name: a}\nspec: {}\n', '1:1 manifest-schema document 1 has no apiVersion; write apiVersion: gitway/v1'],
    ['apiVersion: gitway/v2\nkind: Upstream\n', '1:13 manifest-schema apiVersion "gitway/v2" is not supported'],
    ['apiVersion: gitway/v1\nkind: Gateway\n', '2:7 manifest-unknown-kind unknown kind "Gateway"; use one of API, Route, Upstream, Policy, Consumer'],
    ['apiVersion: gitway/v1\nmetadata: {name: a}\n', '1:1 manifest-unknown-kind document 1 has no kind'],
    ['apiVersion: gitway/v1\nkind: Upstream\nmetadata: {name: a}\nspec:\n  targets: *t\n', '5:12 yaml-alias alias *t names no anchor'],
  ])('reports %j', async (text, expected) => {
    const r = await load({ 'gateway/x.yaml': text });
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toContain(`gateway/x.yaml:${expected}`);
  });

  it('reports a plain-text credential at the value and accepts ${env.NAME}', async () => {
    const consumer = (key: string) => `apiVersion: gitway/v1\nkind: Consumer\nmetadata:\n  name: alice\nspec:\n  credentials:\n    - type: key\n      key: ${key}\n`;
    expect((await load({ 'gateway/c.yaml': consumer('${env.CONSUMER_KEY}') })).lines).toEqual([]);
    expect((await load({ 'gateway/c.yaml': consumer('abc123') })).lines).toEqual([
      "gateway/c.yaml:8:12 secret-plaintext the key of Consumer 'alice' credential 1 is written in plain text; write it as ${env.NAME} and keep the value out of git",
    ]);
  });

  it('collects every ${env...} value as a secret, even from a document the schema refuses', async () => {
    const r = await load({
      'gateway/c.yaml': 'apiVersion: gitway/v1\nkind: Consumer\nmetadata:\n  name: alice\nspec:\n  credentials:\n    - type: key\n      key: ${env.CONSUMER_KEY}\n---\n' + route('r', 'web').replace('  paths:', "  hosts: ['${env.HOST_SECRET}']\n  paths:"),
      'gateway/u.yaml': upstream('web'),
    });
    expect(r.secrets.sort()).toEqual(['ck-very-secret-1', 'not a host!']);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toContain('spec.hosts[0]');
  });
});
