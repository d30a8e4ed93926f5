import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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

/** Documents a and b with their APIs, and a ruleset with a rule `spinner` on `$.paths` whose function is `spin` (its source). */
const spinnerRepo = (spin: string) =>
  tempRepo({
    'gitway.yaml': CONFIG,
    'apis/a.yaml': FILES['apis/a.yaml'],
    'apis/schemas/shared.yaml': FILES['apis/schemas/shared.yaml'],
    'apis/b.yaml': FILES['apis/b.yaml'],
    'gateway/a.yaml': FILES['gateway/a.yaml'],
    'gateway/b.yaml': FILES['gateway/b.yaml'],
    'gateway/be.yaml': FILES['gateway/be.yaml'],
    'rules/ruleset.yaml': 'extends: [gitway:oas, gitway:manifests]\nfunctions: [spin]\nrules:\n  spinner:\n    given: $.paths\n    then: { function: spin }\n',
    'rules/functions/spin.js': spin,
  });

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

  it('does not count the time a worker takes to load the ruleset', () => {
    const repo = tempRepo({
      'gitway.yaml': CONFIG,
      'apis/b.yaml': FILES['apis/b.yaml'],
      'gateway/b.yaml': FILES['gateway/b.yaml'],
      'gateway/be.yaml': FILES['gateway/be.yaml'],
      'rules/ruleset.yaml': 'extends: [gitway:manifests]\nfunctions: [slow]\nrules:\n  slow-to-load:\n    given: $\n    then: { function: slow }\n',
      // three seconds of loading, then a quick rule
      'rules/functions/slow.js': 'const until = Date.now() + 3000;\nwhile (Date.now() < until) {}\nexport default function slow() { return []; }\n',
    });
    try {
      const r = gitway(['lint', '--rule-timeout', '1', '--format', 'json'], { cwd: repo.dir });
      expect(r.stdout).not.toContain('timeout');
      expect(r.stdout).toContain('gitway-api-auth');
      expect(r.status).toBe(0);
    } finally {
      repo.cleanup();
    }
  });

  it('is replayed from the cache by the next run (same findings, the rule not run again) until the document changes', () => {
    // spins only on document b, and leaves a mark (in the folder gitway runs in) each time it starts to
    const repo = spinnerRepo("import { appendFileSync } from 'node:fs';\nexport default function spin(paths) {\n  if (!paths['/b']) return [];\n  appendFileSync('MARKS', 'spun\\n');\n  for (;;) {}\n}\n");
    const marks = () => (existsSync(path.join(repo.dir, 'MARKS')) ? readFileSync(path.join(repo.dir, 'MARKS'), 'utf8').split('\n').filter(Boolean).length : 0);
    try {
      const cold = gitway(['lint', '--rule-timeout', '2', '--format', 'json'], { cwd: repo.dir });
      expect(cold.status).toBe(1);
      expect(marks()).toBe(1);
      const warm = gitway(['lint', '--rule-timeout', '2', '--format', 'json'], { cwd: repo.dir });
      expect(warm.stdout).toBe(cold.stdout);
      expect(warm.status).toBe(1);
      expect(marks()).toBe(1); // replayed, not run
      const codes = (JSON.parse(warm.stdout) as { findings: { code: string }[] }).findings.map((f) => f.code);
      expect(codes).toContain('gitway-rule-timeout');
      expect(codes).toContain('operation-operationId'); // the other rules' findings came from the cache too
      // another time limit is another question
      gitway(['lint', '--rule-timeout', '3', '--format', 'json'], { cwd: repo.dir });
      expect(marks()).toBe(2);
      // a changed document runs again
      writeFileSync(path.join(repo.dir, 'apis/b.yaml'), FILES['apis/b.yaml'].replace('version: "1"', 'version: "2"'));
      const changed = gitway(['lint', '--rule-timeout', '2', '--format', 'json'], { cwd: repo.dir });
      expect(marks()).toBe(3);
      expect(changed.stdout).toContain('gitway-rule-timeout');
    } finally {
      repo.cleanup();
    }
  });
});

describe('a rule stopped in an earlier run', () => {
  it('is not run on a changed document either, by the worker that started before the cache was read', () => {
    // marks every document it runs on (in the folder gitway runs in), and spins on document b
    const repo = spinnerRepo("import { appendFileSync } from 'node:fs';\nexport default function spin(paths) {\n  appendFileSync('MARKS', Object.keys(paths).join(',') + '\\n');\n  if (paths['/b']) for (;;) {}\n  return [];\n}\n");
    const marks = () => (existsSync(path.join(repo.dir, 'MARKS')) ? readFileSync(path.join(repo.dir, 'MARKS'), 'utf8').split('\n').filter(Boolean) : []);
    try {
      const cold = gitway(['lint', '--rule-timeout', '2', '--format', 'json'], { cwd: repo.dir });
      expect(cold.stdout).toContain('gitway-rule-timeout');
      const before = marks().length;
      expect(marks()).toContain('/b');
      // document a changes: it is linted again, with the rule switched off as in the cold run
      writeFileSync(path.join(repo.dir, 'apis/a.yaml'), FILES['apis/a.yaml'].replace('version: "1"', 'version: "2"'));
      const changed = gitway(['lint', '--rule-timeout', '2', '--format', 'json'], { cwd: repo.dir });
      expect(changed.stdout).toContain('gitway-rule-timeout');
      expect(marks().length).toBe(before);
    } finally {
      repo.cleanup();
    }
  });
});

describe('the result cache and the rule time limit, on several lint workers', () => {
  const docs = ['a', 'b', 'c', 'd'];
  const files = (extra: Record<string, string>) => ({
    'gitway.yaml': CONFIG,
    'gateway/be.yaml': FILES['gateway/be.yaml'],
    ...Object.fromEntries(docs.flatMap((n) => [[`apis/${n}.yaml`, doc(n, './common.yaml')], [`gateway/${n}.yaml`, api(n, n)]])),
    'apis/common.yaml': 'type: object\n',
    ...extra,
  });

  it('a rule that overruns on two workers at once is stopped on both documents, which keep their other findings', () => {
    const repo = tempRepo(
      files({
        'rules/ruleset.yaml': 'extends: [gitway:oas, gitway:manifests]\nfunctions: [spin]\nrules:\n  spinner:\n    given: $.info\n    then: { function: spin }\n',
        'rules/functions/spin.js': 'export default function spin() { for (;;) {} }\n',
      }),
    );
    try {
      const r = gitway(['lint', '--rule-timeout', '2', '--format', 'json'], { cwd: repo.dir });
      const found = (JSON.parse(r.stdout) as { findings: { file: string; code: string }[] }).findings;
      expect(found.filter((f) => f.code === 'gitway-lint-timeout')).toEqual([]);
      expect(found.some((f) => f.code === 'gitway-rule-timeout')).toBe(true);
      for (const n of docs) expect(found.some((f) => f.file === `apis/${n}.yaml` && f.code === 'operation-operationId')).toBe(true);
    } finally {
      repo.cleanup();
    }
  });

  it('a cached result follows every file it read, also one another document of its worker read first', () => {
    const repo = tempRepo(
      files({
        'rules/ruleset.yaml': 'extends: [gitway:manifests]\nfunctions: [objectBody]\nrules:\n  object-body:\n    given: $.paths[*][*]\n    then: { function: objectBody }\n',
        'rules/functions/objectBody.js': "export default function objectBody(op) {\n  const schema = op.responses['200'].content['application/json'].schema;\n  return schema.type === 'object' ? [] : [{ message: 'the body is not an object' }];\n}\n",
      }),
    );
    try {
      const count = (stdout: string) => (JSON.parse(stdout) as { findings: { code: string }[] }).findings.filter((f) => f.code === 'object-body').length;
      expect(count(gitway(['lint', '--format', 'json'], { cwd: repo.dir }).stdout)).toBe(0);
      writeFileSync(path.join(repo.dir, 'apis/common.yaml'), 'type: string\n');
      expect(count(gitway(['lint', '--format', 'json'], { cwd: repo.dir }).stdout)).toBe(4); // every document, cached or not
    } finally {
      repo.cleanup();
    }
  });

  it('results cached under one time limit are not served under another', () => {
    const repo = tempRepo(
      files({
        'rules/ruleset.yaml': 'extends: [gitway:manifests]\nfunctions: [slow]\nrules:\n  slow:\n    given: $.info\n    then: { function: slow }\n',
        // three seconds on document a only
        'rules/functions/slow.js': "export default function slow(info) {\n  if (info.title === 'a') { const until = Date.now() + 3000; while (Date.now() < until) {} }\n  return [];\n}\n",
      }),
    );
    try {
      expect(gitway(['lint', '--rule-timeout', '30', '--format', 'json'], { cwd: repo.dir }).stdout).not.toContain('gitway-rule-timeout');
      expect(gitway(['lint', '--rule-timeout', '1', '--format', 'json'], { cwd: repo.dir }).stdout).toContain("rule 'slow'");
    } finally {
      repo.cleanup();
    }
  });
});
