/**
 * Every kind of bad input: exit 3, one clear paragraph naming file:line:col for content problems,
 * and no stack trace unless --debug.
 */
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { run } from '../../src/cli/main.js';
import { gitway, gitwayAsync, stylishFindings, tempRepo, type CliResult, type StylishFinding } from '../helpers/cli.js';

const GITWAY_YAML = `defaultEnvironment: local
environments:
  local:
    driver: caddy
    file: .gitway/local/caddy.json
    vars:
      web_upstream: http://127.0.0.1:9001
  staging:
    driver: caddy
    admin: http://127.0.0.1:2019
    vars:
      web_upstream: http://10.0.0.5:8080
`;

const OPENAPI = `openapi: 3.0.3
info:
  title: Items
  version: 1.0.0
paths:
  /items:
    get:
      responses:
        '200':
          description: The items
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Item'
components:
  schemas:
    Item:
      type: object
      properties:
        id:
          type: string
`;

const MANIFESTS = `apiVersion: gitway/v1
kind: API
metadata:
  name: web
spec:
  openapi: apis/web.yaml
  basePath: /v1
  upstream: web-backend
  policies: [headers]
---
apiVersion: gitway/v1
kind: Upstream
metadata:
  name: web-backend
spec:
  targets:
    - url: \${var.web_upstream}
---
apiVersion: gitway/v1
kind: Policy
metadata:
  name: headers
spec:
  headers:
    response:
      remove: [Server]
`;

const BASE = { 'gitway.yaml': GITWAY_YAML, 'apis/web.yaml': OPENAPI, 'gateway/web.yaml': MANIFESTS };

/** Runs gitway in a repository made of BASE plus `files` (a null content leaves a file out). */
function inRepo(files: Record<string, string | Buffer | null>, args: string[] = ['validate'], env: Record<string, string | undefined> = {}): CliResult {
  const merged: Record<string, string | Buffer | null> = { ...BASE, ...files };
  const all = Object.fromEntries(Object.entries(merged).filter((e): e is [string, string | Buffer] => e[1] !== null));
  const repo = tempRepo(all);
  try {
    return gitway(args, { cwd: repo.dir, env });
  } finally {
    repo.cleanup();
  }
}

function expectNoStack(r: CliResult): void {
  expect(r.stdout).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

/** Exit 3, no stack, and exactly these findings (file, position, code, words of the message). */
function expectFindings(r: CliResult, expected: (Omit<StylishFinding, 'severity' | 'message'> & { message: string | RegExp })[]): void {
  expectNoStack(r);
  const found = stylishFindings(r.stdout);
  expect(found.map(({ file, line, column, code }) => ({ file, line, column, code }))).toEqual(expected.map(({ file, line, column, code }) => ({ file, line, column, code })));
  found.forEach((f, i) => {
    expect(f.severity).toBe('error');
    const m = expected[i].message;
    if (typeof m === 'string') expect(f.message).toContain(m);
    else expect(f.message).toMatch(m);
  });
  expect(r.stdout).toMatch(/✖ \d+ problems? \(\d+ errors?, \d+ warnings?\)/);
  expect(r.status).toBe(3);
}

/** Exit 3 and a one-paragraph message on stderr (a single line), no stack. */
function expectUsage(r: CliResult, ...parts: (string | RegExp)[]): string {
  expectNoStack(r);
  expect(r.status).toBe(3);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines[0]).toMatch(/^gitway: /);
  for (const p of parts) {
    if (typeof p === 'string') expect(lines[0]).toContain(p);
    else expect(lines[0]).toMatch(p);
  }
  return lines[0];
}

describe('bad input: exit 3 with file:line:col and no stack', () => {
  it('the base repository is valid', () => {
    const r = inRepo({});
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain("3 manifests and 1 OpenAPI document (1 operations) are valid for environment 'local'");
    expect(r.status).toBe(0);
  });

  it('malformed YAML', () => {
    const r = inRepo({ 'gateway/bad.yaml': 'apiVersion: gitway/v1\nkind: Upstream\nmetadata:\n  name: other\nspec:\n  targets: [ {url: http://a}\n  retries: 1\n' });
    expectFindings(r, [{ file: 'gateway/bad.yaml', line: 7, column: 3, code: 'yaml-syntax', message: /^YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a \]$/ }]);
  });

  it('a tab used as indentation', () => {
    const r = inRepo({ 'gateway/bad.yaml': 'apiVersion: gitway/v1\nkind: Upstream\nmetadata:\n\tname: other\n' });
    expectFindings(r, [{ file: 'gateway/bad.yaml', line: 4, column: 1, code: 'yaml-syntax', message: 'Tabs are not allowed as indentation' }]);
  });

  it('a YAML document with a duplicate key names the key and its first line', () => {
    const r = inRepo({ 'gateway/bad.yaml': 'apiVersion: gitway/v1\nkind: Upstream\nmetadata:\n  name: other\nspec:\n  targets:\n    - url: http://a\n  retries: 1\n  retries: 2\n' });
    expectFindings(r, [{ file: 'gateway/bad.yaml', line: 9, column: 3, code: 'yaml-duplicate-key', message: "duplicate key 'retries': it is already set at line 8, column 3; keep one of them" }]);
  });

  it('an alias with no anchor is a finding, not a crash', () => {
    const r = inRepo({ 'gateway/bad.yaml': 'apiVersion: gitway/v1\nkind: Upstream\nmetadata:\n  name: other\nspec:\n  targets: *targets\n' });
    expectFindings(r, [{ file: 'gateway/bad.yaml', line: 6, column: 12, code: 'yaml-alias', message: 'alias *targets names no anchor' }]);
  });

  it('an unknown kind', () => {
    const r = inRepo({ 'gateway/bad.yaml': 'apiVersion: gitway/v1\nkind: Gateway\nmetadata:\n  name: other\nspec: {}\n' });
    expectFindings(r, [{ file: 'gateway/bad.yaml', line: 2, column: 7, code: 'manifest-unknown-kind', message: 'unknown kind "Gateway"; use one of API, Route, Upstream, Policy, Consumer' }]);
  });

  it('a wrong type in a field', () => {
    const r = inRepo({ 'gateway/bad.yaml': 'apiVersion: gitway/v1\nkind: Upstream\nmetadata:\n  name: other\nspec:\n  targets:\n    - url: http://a\n  retries: "three"\n' });
    expectFindings(r, [{ file: 'gateway/bad.yaml', line: 8, column: 12, code: 'manifest-schema', message: 'spec.retries must be an integer, not the string "three"' }]);
  });

  it('an empty manifest file', () => {
    const r = inRepo({ 'gateway/empty.yaml': '' });
    expectFindings(r, [{ file: 'gateway/empty.yaml', line: 1, column: 1, code: 'manifest-empty', message: 'gateway/empty.yaml is empty' }]);
  });

  it('a binary file matched by the manifest glob', () => {
    const r = inRepo({ 'gateway/logo.yaml': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]) });
    expectFindings(r, [{ file: 'gateway/logo.yaml', line: 1, column: 1, code: 'parse-binary', message: 'gateway/logo.yaml is a binary file, not YAML or JSON; exclude it from the manifest globs' }]);
  });

  it('an unknown field points at the key', () => {
    const r = inRepo({ 'gateway/bad.yaml': 'apiVersion: gitway/v1\nkind: Upstream\nmetadata:\n  name: other\nspec:\n  targets:\n    - url: http://a\n  retry: 3\n' });
    expectFindings(r, [{ file: 'gateway/bad.yaml', line: 8, column: 3, code: 'manifest-schema', message: "unknown field 'retry' in spec (allowed: targets, loadBalancing, healthCheck, timeouts, retries, x-gitway-ignore)" }]);
  });

  it('a missing ${var.X} names the variable and the environment', () => {
    const r = inRepo({ 'gateway/bad.yaml': 'apiVersion: gitway/v1\nkind: Upstream\nmetadata:\n  name: other\nspec:\n  targets:\n    - url: ${var.other_upstream}\n' });
    expectFindings(r, [{ file: 'gateway/bad.yaml', line: 7, column: 12, code: 'variable-missing', message: "variable other_upstream is not defined in the vars of environment 'local' (used as ${var.other_upstream})" }]);
  });

  it('a missing ${env.X} names the variable', () => {
    const r = inRepo({ 'gateway/bad.yaml': 'apiVersion: gitway/v1\nkind: Upstream\nmetadata:\n  name: other\nspec:\n  targets:\n    - url: http://${env.GITWAY_TEST_UNSET_HOST}:80\n' }, ['validate'], { GITWAY_TEST_UNSET_HOST: undefined });
    expectFindings(r, [{ file: 'gateway/bad.yaml', line: 7, column: 12, code: 'variable-missing', message: 'environment variable GITWAY_TEST_UNSET_HOST is not set (used as ${env.GITWAY_TEST_UNSET_HOST})' }]);
  });

  it('a var of gitway.yaml that uses a missing ${env.X} is reported once, where it is written', () => {
    const r = inRepo({ 'gitway.yaml': GITWAY_YAML.replace('web_upstream: http://127.0.0.1:9001', 'web_upstream: ${env.GITWAY_TEST_UNSET_URL}') }, ['validate'], { GITWAY_TEST_UNSET_URL: undefined });
    expectFindings(r, [
      { file: 'gateway/web.yaml', line: 17, column: 12, code: 'variable-missing', message: "variable web_upstream of environment 'local' could not be resolved (see gitway.yaml:7:21)" },
      { file: 'gitway.yaml', line: 7, column: 21, code: 'variable-missing', message: 'environment variable GITWAY_TEST_UNSET_URL is not set' },
    ]);
  });

  it('a reference to a missing Upstream or Policy', () => {
    const r = inRepo({ 'gateway/route.yaml': 'apiVersion: gitway/v1\nkind: Route\nmetadata:\n  name: legacy\nspec:\n  paths: [/legacy]\n  upstream: web-backnd\n  policies: [headers, rate-limit]\n' });
    expectFindings(r, [
      { file: 'gateway/route.yaml', line: 7, column: 13, code: 'manifest-reference', message: "Route 'legacy' names Upstream 'web-backnd', which is not defined (did you mean 'web-backend'?)" },
      { file: 'gateway/route.yaml', line: 8, column: 23, code: 'manifest-reference', message: "Route 'legacy' names Policy 'rate-limit', which is not defined (defined: headers)" },
    ]);
  });

  it('a duplicate name per kind points at the first definition', () => {
    const r = inRepo({ 'gateway/zz-more.yaml': '# a second definition\napiVersion: gitway/v1\nkind: Policy\nmetadata:\n  name: headers\nspec:\n  cors:\n    origins: ["*"]\n' });
    expectFindings(r, [{ file: 'gateway/zz-more.yaml', line: 5, column: 9, code: 'manifest-duplicate', message: "Policy 'headers' is defined twice; the first is at gateway/web.yaml:22:9" }]);
  });

  it('the same name in two kinds is not a duplicate', () => {
    const r = inRepo({ 'gateway/more.yaml': 'apiVersion: gitway/v1\nkind: Policy\nmetadata:\n  name: web-backend\nspec:\n  cors:\n    origins: ["*"]\n' });
    expect(r.stdout).toContain('4 manifests');
    expect(r.status).toBe(0);
  });

  it('an API naming an OpenAPI document that does not exist', () => {
    const r = inRepo({ 'apis/web.yaml': null });
    expectFindings(r, [{ file: 'gateway/web.yaml', line: 6, column: 12, code: 'manifest-reference', message: "API 'web' names OpenAPI document apis/web.yaml, which does not exist in the working tree" }]);
  });

  it('an API whose OpenAPI path leaves the repository, and one written with ./', () => {
    const outside = inRepo({ 'gateway/web.yaml': MANIFESTS.replace('openapi: apis/web.yaml', 'openapi: ../apis/web.yaml') });
    expectFindings(outside, [{ file: 'gateway/web.yaml', line: 6, column: 12, code: 'manifest-reference', message: "API 'web' names OpenAPI document ../apis/web.yaml, which is outside the repository" }]);
    const dotted = inRepo({ 'gateway/web.yaml': MANIFESTS.replace('openapi: apis/web.yaml', 'openapi: ./apis/web.yaml') }, ['validate', '--format', 'json']);
    expect(dotted.status).toBe(0);
    expect((JSON.parse(dotted.stdout) as { documents: { file: string }[] }).documents.map((d) => d.file)).toEqual(['apis/web.yaml']);
  });

  it('a consumer credential written in plain text is an error', () => {
    const r = inRepo({ 'gateway/consumers.yaml': 'apiVersion: gitway/v1\nkind: Consumer\nmetadata:\n  name: alice\nspec:\n  credentials:\n    - type: key\n      key: s3cr3t-in-git\n' });
    expectFindings(r, [{ file: 'gateway/consumers.yaml', line: 8, column: 12, code: 'secret-plaintext', message: "the key of Consumer 'alice' credential 1 is written in plain text; write it as ${env.NAME}" }]);
  });

  it('an admin token written in plain text is an error, and ${env.X} unset is only "not set"', () => {
    const yaml = GITWAY_YAML.replace('    admin: http://127.0.0.1:2019\n', '    admin: http://127.0.0.1:2019\n    token: TOKEN\n');
    const plain = inRepo({ 'gitway.yaml': yaml.replace('TOKEN', 'hunter2hunter2') }, ['validate', '--env', 'staging']);
    expectFindings(plain, [{ file: 'gitway.yaml', line: 11, column: 12, code: 'secret-plaintext', message: "the token of environment 'staging' is written in plain text" }]);
    const unset = inRepo({ 'gitway.yaml': yaml.replace('TOKEN', '${env.GITWAY_TEST_TOKEN}') }, ['validate', '--env', 'staging'], { GITWAY_TEST_TOKEN: undefined });
    expectFindings(unset, [{ file: 'gitway.yaml', line: 11, column: 12, code: 'variable-missing', message: 'environment variable GITWAY_TEST_TOKEN is not set' }]);
  });
});

describe('${env.X} values never appear in output', () => {
  const SECRET = 'ck_live_7d9f2a61b3c4e5';
  const consumer = `apiVersion: gitway/v1\nkind: Consumer\nmetadata:\n  name: alice\nspec:\n  credentials:\n    - type: key\n      key: \${env.ALICE_KEY}\n`;

  it('not in --format json, stylish, nor stderr', () => {
    const json = inRepo({ 'gateway/consumers.yaml': consumer }, ['validate', '--format', 'json'], { ALICE_KEY: SECRET });
    expect(json.status).toBe(0);
    const value = JSON.parse(json.stdout) as { manifests: number; summary: { error: number } };
    expect(value.manifests).toBe(4);
    expect(json.stdout + json.stderr).not.toContain(SECRET);
    const stylish = inRepo({ 'gateway/consumers.yaml': consumer }, ['validate', '--debug'], { ALICE_KEY: SECRET });
    expect(stylish.status).toBe(0);
    expect(stylish.stdout + stylish.stderr).not.toContain(SECRET);
  });

  it('not even in the message about a value the schema refuses', () => {
    const HOST = 'internal "host" 10.9.8.7\\!';
    const route = `apiVersion: gitway/v1\nkind: Route\nmetadata:\n  name: hidden\nspec:\n  hosts: ['\${env.HIDDEN_HOST}']\n  paths: [/hidden]\n  upstream: web-backend\n`;
    for (const format of ['stylish', 'json']) {
      const r = inRepo({ 'gateway/consumers.yaml': consumer, 'gateway/route.yaml': route }, ['validate', '--format', format], { ALICE_KEY: SECRET, HIDDEN_HOST: HOST });
      expect(r.status).toBe(3);
      for (const form of [HOST, JSON.stringify(HOST).slice(1, -1), JSON.stringify(JSON.stringify(HOST)).slice(1, -1), '10.9.8.7']) expect(r.stdout + r.stderr).not.toContain(form);
      expect(r.stdout + r.stderr).not.toContain(SECRET);
      expect(r.stdout).toContain('(sensitive)');
    }
  });

  it('not in a file written with --output', () => {
    const repo = tempRepo({ ...BASE, 'gateway/consumers.yaml': consumer });
    try {
      const r = gitway(['validate', '--format', 'json', '--output', 'out/report.json'], { cwd: repo.dir, env: { ALICE_KEY: SECRET } });
      expect(r.status).toBe(0);
      expect(r.stdout).toBe('');
      const written = readFileSync(path.join(repo.dir, 'out/report.json'), 'utf8');
      expect(JSON.parse(written)).toMatchObject({ manifests: 4 });
      expect(written).not.toContain(SECRET);
    } finally {
      repo.cleanup();
    }
  });
});

describe('OpenAPI $ref problems', () => {
  const withRef = (ref: string) => OPENAPI.replace("'#/components/schemas/Item'", `'${ref}'`);

  it('a $ref to a file that does not exist', () => {
    const r = inRepo({ 'apis/web.yaml': withRef('./schemas/item.yaml') });
    expectFindings(r, [{ file: 'apis/web.yaml', line: 14, column: 23, code: 'openapi-ref', message: '$ref "./schemas/item.yaml": apis/schemas/item.yaml does not exist in the working tree' }]);
  });

  it('a $ref to a pointer that does not exist, in this document and in another file', () => {
    const here = inRepo({ 'apis/web.yaml': withRef('#/components/schemas/Itme') });
    expectFindings(here, [{ file: 'apis/web.yaml', line: 14, column: 23, code: 'openapi-ref', message: '$ref "#/components/schemas/Itme": this document has nothing at #/components/schemas/Itme' }]);
    const there = inRepo({ 'apis/web.yaml': withRef('./schemas.yaml#/Item'), 'apis/schemas.yaml': 'Itme:\n  type: object\n' });
    expectFindings(there, [{ file: 'apis/web.yaml', line: 14, column: 23, code: 'openapi-ref', message: '$ref "./schemas.yaml#/Item": apis/schemas.yaml has nothing at #/Item' }]);
  });

  it('a $ref to a file that does not parse', () => {
    const r = inRepo({ 'apis/web.yaml': withRef('./schemas.yaml#/Item'), 'apis/schemas.yaml': 'Item: [\n' });
    expectNoStack(r);
    expect(r.status).toBe(3);
    const found = stylishFindings(r.stdout);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ file: 'apis/web.yaml', line: 14, column: 23, code: 'openapi-parse' });
    expect(found[0].message).toContain('apis/schemas.yaml cannot be parsed');
  });

  it('circular schemas are valid OpenAPI', () => {
    const doc = OPENAPI.replace("'#/components/schemas/Item'", "'#/components/schemas/Node'") + `    Node:
      type: object
      properties:
        children:
          type: array
          items:
            $ref: '#/components/schemas/Node'
        tree:
          $ref: './tree.yaml#/Tree'
`;
    const tree = 'Tree:\n  type: object\n  properties:\n    root:\n      $ref: "./web.yaml#/components/schemas/Node"\n    self:\n      $ref: "#/Tree"\n';
    const r = inRepo({ 'apis/web.yaml': doc, 'apis/tree.yaml': tree });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('1 OpenAPI document (1 operations) are valid');
    expect(r.status).toBe(0);

    const broken = inRepo({ 'apis/web.yaml': doc, 'apis/tree.yaml': tree + '    lost:\n      $ref: "./gone.yaml#/Gone"\n' });
    expectFindings(broken, [{ file: 'apis/tree.yaml', line: 9, column: 13, code: 'openapi-ref', message: '$ref "./gone.yaml#/Gone": apis/gone.yaml does not exist in the working tree' }]);
  });

  it('a cycle whose every member is reached twice reports a broken target once', () => {
    const doc = OPENAPI.replace("'#/components/schemas/Item'", "'#/components/schemas/A'") + `    A:
      type: object
      properties:
        b:
          $ref: '#/components/schemas/B'
        b2:
          $ref: '#/components/schemas/B'
    B:
      type: object
      properties:
        a:
          $ref: '#/components/schemas/A'
        missing:
          $ref: '#/components/schemas/Missing'
`;
    const r = inRepo({ 'apis/web.yaml': doc });
    expectFindings(r, [{ file: 'apis/web.yaml', line: 35, column: 17, code: 'openapi-ref', message: '$ref "#/components/schemas/Missing": this document has nothing at #/components/schemas/Missing' }]);
  });

  it('a $ref outside the repository is refused and the file is never read', async () => {
    const repo = tempRepo({ 'project/gitway.yaml': GITWAY_YAML, 'project/gateway/web.yaml': MANIFESTS.replace('apis/web.yaml', 'web.yaml'), 'project/web.yaml': withRef('../outside.yaml'), 'project/apis/deep.yaml': 'x: 1\n' });
    try {
      // a FIFO: reading it would block until the test ends, so a run that finishes did not open it
      execFileSync('mkfifo', [path.join(repo.dir, 'outside.yaml')]);
      const r = await gitwayAsync(['validate'], { cwd: path.join(repo.dir, 'project'), timeoutMs: 30_000 });
      expectFindings(r, [{ file: 'web.yaml', line: 14, column: 23, code: 'openapi-ref-outside', message: '$ref "../outside.yaml" points outside the repository' }]);

      // the same through a link inside the repository that leads outside
      symlinkSync('../../outside.yaml', path.join(repo.dir, 'project/apis/link.yaml'));
      const { writeFileSync } = await import('node:fs');
      writeFileSync(path.join(repo.dir, 'project/web.yaml'), withRef('./apis/link.yaml'));
      const viaLink = await gitwayAsync(['validate'], { cwd: path.join(repo.dir, 'project'), timeoutMs: 30_000 });
      expectFindings(viaLink, [{ file: 'web.yaml', line: 14, column: 23, code: 'openapi-ref', message: /apis\/link.yaml is a link to .*outside.yaml, outside the repository/ }]);
    } finally {
      repo.cleanup();
    }
  });

  describe('a remote $ref', () => {
    let server: Server;
    let requests = 0;
    beforeAll(async () => {
      server = createServer((req, res) => {
        requests++;
        res.end('type: object\n');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('is a finding and never a network request', async () => {
      const port = (server.address() as AddressInfo).port;
      for (const ref of [`http://127.0.0.1:${port}/item.yaml`, 'https://schemas.example.com/item.yaml#/Item']) {
        const repo = tempRepo({ ...BASE, 'apis/web.yaml': withRef(ref) });
        try {
          const r = await gitwayAsync(['validate'], { cwd: repo.dir, timeoutMs: 30_000 });
          expectFindings(r, [{ file: 'apis/web.yaml', line: 14, column: 23, code: 'openapi-ref-remote', message: `$ref "${ref}" points to the network; gitway never fetches remote references` }]);
        } finally {
          repo.cleanup();
        }
      }
      expect(requests).toBe(0);
    });
  });
});

describe('bad usage and unusable input: exit 3 with one paragraph', () => {
  it('a missing environment lists the defined ones', () => {
    expectUsage(inRepo({}, ['validate', '--env', 'nope']), "environment 'nope' is not defined in gitway.yaml (defined: local, staging)");
    expectUsage(inRepo({}, ['validate'], { GITWAY_ENV: 'nope' }), "environment 'nope' is not defined in gitway.yaml (defined: local, staging)");
  });

  it('a bad --rev names it', () => {
    const repo = tempRepo(BASE);
    try {
      execFileSync('git', ['init', '-q'], { cwd: repo.dir });
      expectUsage(gitway(['validate', '--rev', 'release-9'], { cwd: repo.dir }), "revision 'release-9' does not exist");
      expectUsage(gitway(['validate', '--rev=--exec=x'], { cwd: repo.dir }), "revision '--exec=x' is not a valid revision name");
    } finally {
      repo.cleanup();
    }
  });

  it('--rev or --staged outside a git repository', () => {
    const repo = tempRepo(BASE);
    try {
      expectUsage(gitway(['validate', '--staged'], { cwd: repo.dir, env: { GIT_CEILING_DIRECTORIES: path.dirname(repo.dir) } }), 'is not inside a git repository, so --rev and --staged cannot be used there');
    } finally {
      repo.cleanup();
    }
  });

  it('git missing from the PATH', () => {
    const repo = tempRepo(BASE);
    try {
      expectUsage(gitway(['validate', '--rev', 'HEAD'], { cwd: repo.dir, env: { PATH: path.join(repo.dir, 'no-bin') } }), 'git is not installed (or not on the PATH), so --rev and --staged cannot be used');
    } finally {
      repo.cleanup();
    }
  });

  it('gitway.yaml not staged', () => {
    const repo = tempRepo(BASE);
    try {
      execFileSync('git', ['init', '-q'], { cwd: repo.dir });
      expectUsage(gitway(['validate', '--staged'], { cwd: repo.dir }), '(read from the git index)', 'Stage it with `git add gitway.yaml`');
    } finally {
      repo.cleanup();
    }
  });

  it('gitway.yaml missing, with a hint mentioning gitway init', () => {
    const line = expectUsage(inRepo({ 'gitway.yaml': null }), 'no gitway.yaml in');
    expect(line).toContain('Run `gitway init` to create one');
  });

  it('gitway.yaml invalid is a finding in gitway.yaml', () => {
    const r = inRepo({ 'gitway.yaml': GITWAY_YAML.replace('driver: caddy\n    admin', 'driver: nginx\n    admin') });
    expectFindings(r, [{ file: 'gitway.yaml', line: 9, column: 13, code: 'config-schema', message: 'environments.staging.driver must be one of: "caddy", "kong", "apisix", "traefik"' }]);
  });

  it('--cwd that does not exist', () => {
    const repo = tempRepo({});
    try {
      expectUsage(gitway(['validate', '--cwd', 'nowhere'], { cwd: repo.dir }), `the folder ${path.join(repo.dir, 'nowhere')} does not exist`);
      expectUsage(gitway(['validate', '--cwd', 'nowhere', '--rev', 'HEAD'], { cwd: repo.dir }), 'does not exist');
    } finally {
      repo.cleanup();
    }
  });

  it('an unknown flag', () => {
    const r = inRepo({}, ['validate', '--colour']);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain("gitway: error: unknown option '--colour'");
    expectNoStack(r);
  });

  it('an unknown --format, given before or after the command', () => {
    expectUsage(inRepo({}, ['validate', '--format', 'xml']), "format 'xml' is not available for validate (use stylish or json)");
    expectUsage(inRepo({}, ['--format', 'sarif', 'validate']), "format 'sarif' is not available for validate");
  });

  it('an unknown command, a stray argument, and no command at all', () => {
    for (const args of [['valdate'], ['validate', 'gateway/web.yaml'], []]) {
      const r = inRepo({}, args);
      expect(r.status).toBe(3);
      expect(r.stdout).toBe('');
      expectNoStack(r);
    }
    const ok = inRepo({}, ['--help']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('Usage: gitway');
  });

  it('an --output that cannot be written, its path kept as typed', () => {
    const repo = tempRepo(BASE);
    try {
      const folder = `../${path.basename(repo.dir)}/gateway`;
      expectUsage(gitway(['validate', '--output', folder], { cwd: repo.dir }), `cannot write --output ${folder} (it is a folder)`);
      expectUsage(gitway(['validate', '--output', 'gitway.yaml/report.txt'], { cwd: repo.dir }), 'cannot write --output gitway.yaml/report.txt');
      expect(readFileSync(path.join(repo.dir, 'gitway.yaml'), 'utf8')).toBe(GITWAY_YAML);
    } finally {
      repo.cleanup();
    }
  });

  it('--debug adds the stack to an expected error', () => {
    const r = inRepo({}, ['validate', '--env', 'nope', '--debug']);
    expect(r.status).toBe(3);
    expect(r.stderr.split('\n')[0]).toContain("environment 'nope' is not defined");
    expect(r.stderr).toMatch(/^UsageError: environment 'nope'/m);
    expect(r.stderr).toMatch(/^\s+at /m);
  });
});

describe('an unexpected error', () => {
  function io(cwd: string) {
    const err: string[] = [];
    return {
      err,
      io: {
        stdout: () => {
          throw new TypeError('stdout exploded');
        },
        stderr: (t: string) => void err.push(t),
        isTTY: false,
        env: { NO_COLOR: '1' },
        cwd,
      },
    };
  }

  it('says it is likely a bug, and shows a stack only with --debug', async () => {
    // no API, so no OpenAPI analysis: this runs in jest's VM, where swagger-parser cannot be loaded
    const repo = tempRepo({ 'gitway.yaml': GITWAY_YAML, 'gateway/web.yaml': MANIFESTS.split('---\n').slice(1).join('---\n') });
    mkdirSync(path.join(repo.dir, '.gitway'));
    try {
      const plain = io(repo.dir);
      const code = await run(['validate'], plain.io);
      expect(code).not.toBe(0);
      const text = plain.err.join('');
      expect(text).toBe('gitway: unexpected error: stdout exploded. This is likely a bug in gitway; run again with --debug for details and report it.\n');

      const debug = io(repo.dir);
      expect(await run(['validate', '--debug'], debug.io)).toBe(code);
      const withStack = debug.err.join('');
      expect(withStack.split('\n')[0]).toContain('unexpected error: stdout exploded');
      expect(withStack).toMatch(/^TypeError: stdout exploded$/m);
      expect(withStack).toMatch(/^\s+at /m);
    } finally {
      repo.cleanup();
    }
  });
});
