import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { git, gitway, tempRepo } from '../helpers/cli.js';

const CONFIG = 'environments:\n  local: { driver: caddy, file: out.json }\n';
const doc = (title: string, ref: string) => `openapi: 3.0.3
info: { title: ${title}, version: "1" }
paths:
  /${title}:
    get:
      responses:
        '200': { description: ok, content: { application/json: { schema: { $ref: '${ref}' } } } }
`;
const api = (name: string, base: string) => `apiVersion: gitway/v1
kind: API
metadata: { name: ${name} }
spec: { openapi: apis/${name}.yaml, basePath: /${base}, upstream: be }
`;
const FILES = {
  'gitway.yaml': CONFIG,
  'apis/a.yaml': doc('a', './schemas/shared.yaml'),
  'apis/b.yaml': doc('b', '#/components/schemas/X') + 'components:\n  schemas:\n    X: { type: object }\n',
  'apis/schemas/shared.yaml': 'type: object\n',
  'gateway/a.yaml': api('a', 'a'),
  'gateway/b.yaml': api('b', 'b'),
  'gateway/be.yaml': 'apiVersion: gitway/v1\nkind: Upstream\nmetadata: { name: be }\nspec: { targets: [{ url: "http://127.0.0.1:9" }], healthCheck: { path: /h } }\n',
};

describe('gitway lint --since', () => {
  it('reports on the changed file, the document that refers to it and that document\'s API, not on the rest', () => {
    const repo = tempRepo(FILES);
    try {
      git(repo.dir, 'init', '-q');
      git(repo.dir, 'add', '-A');
      git(repo.dir, 'commit', '-qm', 'base');
      const all = gitway(['lint', '--format', 'json'], { cwd: repo.dir });
      const files = (out: string) => [...new Set((JSON.parse(out) as { findings: { file: string }[] }).findings.map((f) => f.file))].sort();
      expect(files(all.stdout)).toEqual(['apis/a.yaml', 'apis/b.yaml', 'gateway/a.yaml', 'gateway/b.yaml']);

      const none = gitway(['lint', '--since', 'HEAD', '--format', 'json'], { cwd: repo.dir });
      expect(files(none.stdout)).toEqual([]);

      writeFileSync(path.join(repo.dir, 'apis/schemas/shared.yaml'), 'type: object\ndescription: changed\n');
      const since = gitway(['lint', '--since', 'HEAD', '--format', 'json'], { cwd: repo.dir });
      expect(files(since.stdout)).toEqual(['apis/a.yaml', 'gateway/a.yaml']);

      const bad = gitway(['lint', '--since', 'no-such-rev'], { cwd: repo.dir });
      expect(bad.status).toBe(3);
      expect(bad.stderr).toContain("revision 'no-such-rev' does not exist");
    } finally {
      repo.cleanup();
    }
  });
});

describe('bad rulesets: a clear message naming the ruleset (and rule), exit 3, no stack', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['a YAML syntax error', { 'rules/ruleset.yaml': 'rules:\n  a: {\n' }, /^gitway: ruleset rules\/ruleset\.yaml:3:1 is not valid YAML or JSON: /],
    ['an unknown function', { 'rules/ruleset.yaml': 'rules:\n  a:\n    given: $\n    then: { function: nope }\n' }, /^gitway: ruleset rules\/ruleset\.yaml cannot be loaded: rules\.a\.then\.function: Function is not defined/],
    ['a function that throws', { 'rules/ruleset.yaml': 'functions: [boom]\nrules:\n  a:\n    given: $\n    then: { function: boom }\n', 'rules/functions/boom.js': 'export default function boom() { throw new Error("kaboom"); }\n' }, /^gitway: rule 'a' of ruleset rules\/ruleset\.yaml failed on the manifests: kaboom\./],
    ['an invalid JSONPath', { 'rules/ruleset.yaml': 'rules:\n  a:\n    given: "$..[?(@.x ==="\n    then: { function: truthy }\n' }, /^gitway: rule 'a' of ruleset rules\/ruleset\.yaml failed on the manifests: /],
  ];
  it.each(cases)('%s', (_name, files, message) => {
    const repo = tempRepo({ 'gitway.yaml': CONFIG, 'gateway/be.yaml': FILES['gateway/be.yaml'], ...files });
    try {
      const r = gitway(['lint'], { cwd: repo.dir });
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.status).toBe(3);
    } finally {
      repo.cleanup();
    }
  });
});

describe('a rule that never returns', () => {
  it('is stopped after the rule time limit, reported by name, and the run goes on with the other rules', () => {
    const repo = tempRepo({
      'gitway.yaml': CONFIG,
      'apis/b.yaml': FILES['apis/b.yaml'],
      'gateway/b.yaml': FILES['gateway/b.yaml'],
      'gateway/be.yaml': FILES['gateway/be.yaml'],
      'rules/ruleset.yaml': 'extends: [gitway:manifests]\nfunctions: [spin]\nrules:\n  spinner:\n    given: $.paths\n    then: { function: spin }\n',
      'rules/functions/spin.js': 'export default function spin() { for (;;) {} }\n',
    });
    try {
      const started = Date.now();
      const r = gitway(['lint', '--rule-timeout', '2'], { cwd: repo.dir });
      expect(Date.now() - started).toBeLessThan(60_000);
      expect(r.stdout).toContain("error  rule 'spinner' of ruleset rules/ruleset.yaml did not finish within 2 s on apis/b.yaml; it was stopped and skipped for the rest of this run  gitway-rule-timeout");
      expect(r.stdout).toContain("API 'b' has no authentication (auth) policy"); // the other rules still ran
      expect(r.status).toBe(1);
    } finally {
      repo.cleanup();
    }
  });
});

