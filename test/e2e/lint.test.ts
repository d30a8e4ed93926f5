import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { git, gitway, projectRoot, tempRepo } from '../helpers/cli.js';
import { itemsManifests } from '../helpers/lint-fixtures.js';

const SECRET = 'lint-secret-93ab71';
const shop = path.join(projectRoot, 'fixtures/shop');
const env = { SHOP_WEB_KEY: SECRET };

const CONFIG = 'environments:\n  local: { driver: caddy, file: out.json }\n  prod: { driver: kong, admin: "https://kong.internal:8444" }\n';
const DOC = `openapi: 3.0.3
info: { title: T, version: "1", description: d, contact: { name: n } }
servers: [{ url: /v1 }]
tags: [{ name: t, description: d }]
paths:
  /items/{id}:
    get:
      operationId: getItem
      description: d
      tags: [t]
      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
      responses: { '200': { description: ok } }
`;
const manifests = itemsManifests;

describe('gitway lint', () => {
  it('lints the shop fixture: warnings only, exit 0, manifest rules at their positions', () => {
    const r = gitway(['lint'], { cwd: shop, env });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("gateway/apis.yaml\n  12:3  warn  API 'orders' has no rate-limit (rateLimit) policy  gitway-api-rate-limit");
    expect(r.stdout).toContain("26:3  warn  API 'pets' has no authentication (auth) policy  gitway-api-auth");
    expect(r.stdout).toMatch(/apis\/orders.yaml\n {2}2:6 +warn {2}Info object must have "contact" object. {2}info-contact/);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('--fail-on decides the exit code', () => {
    expect(gitway(['lint', '--fail-on', 'warn', '--quiet'], { cwd: shop, env }).status).toBe(1);
    expect(gitway(['lint', '--fail-on', 'never'], { cwd: shop, env }).status).toBe(0);
    const bad = gitway(['lint', '--fail-on', 'sometimes'], { cwd: shop, env });
    expect(bad.status).toBe(3);
    expect(bad.stderr).toContain('--fail-on must be one of error, warn, info, hint, never');
  });

  it('reports a policy the driver cannot enforce as an error naming policy and driver (exit 1)', () => {
    const repo = tempRepo({ 'gitway.yaml': CONFIG, 'apis/items.yaml': DOC, 'gateway/all.yaml': manifests('  rateLimit: { minute: 60 }') });
    try {
      const r = gitway(['lint', '--quiet'], { cwd: repo.dir });
      expect(r.stdout).toContain("gateway/all.yaml\n  15:3  error  Policy 'p' uses rateLimit, which driver caddy (environment 'local') cannot enforce");
      expect(r.status).toBe(1);
      const kong = gitway(['lint', '--quiet', '--env', 'prod'], { cwd: repo.dir });
      expect(kong.stdout).not.toContain('gitway-driver-capability');
    } finally {
      repo.cleanup();
    }
  });

  it('x-gitway-ignore with a reason suppresses a rule on that node; without a reason it does not', () => {
    const ignored = manifests('  cors: { origins: ["*"] }').replace('metadata: { name: items }', 'metadata: { name: items }\nx-gitway-ignore: [{ rule: gitway-api-auth, reason: public catalogue }]');
    const repo = tempRepo({ 'gitway.yaml': CONFIG, 'apis/items.yaml': DOC, 'gateway/all.yaml': ignored });
    try {
      const r = gitway(['lint'], { cwd: repo.dir });
      expect(r.stdout).not.toContain('gitway-api-auth');
      expect(r.stdout).toContain('gitway-api-rate-limit');
    } finally {
      repo.cleanup();
    }
  });

  it('writes several formats at once: sarif to a file (valid SARIF 2.1.0), github annotations to stdout', async () => {
    const repo = tempRepo({ 'gitway.yaml': CONFIG, 'apis/items.yaml': DOC, 'gateway/all.yaml': manifests('  rateLimit: { minute: 60 }') });
    try {
      const r = gitway(['lint', '--format', 'sarif', '--output', 'out/lint.sarif', '--format', 'github'], { cwd: repo.dir });
      expect(r.status).toBe(1);
      expect(r.stdout).toContain("::error file=gateway/all.yaml,line=15,col=3,title=gitway gitway-driver-capability::Policy 'p' uses rateLimit");
      const sarif = JSON.parse(readFileSync(path.join(repo.dir, 'out/lint.sarif'), 'utf8'));
      const require = createRequire(import.meta.url);
      const Ajv4 = require('ajv-draft-04');
      const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
      const validate = new Ajv4({ allErrors: true, strict: false, unicodeRegExp: false, validateFormats: false }).compile(schema);
      expect(validate.errors ?? []).toEqual([]);
      expect(validate(sarif)).toBe(true);
      expect(sarif.version).toBe('2.1.0');
      const result = sarif.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'gitway-driver-capability');
      expect(result.level).toBe('error');
      expect(result.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'gateway/all.yaml', uriBaseId: '%SRCROOT%' }, region: expect.objectContaining({ startLine: 15, startColumn: 3 }) });
    } finally {
      repo.cleanup();
    }
  });

  it('junit and markdown formats', () => {
    const repo = tempRepo({ 'gitway.yaml': CONFIG, 'apis/items.yaml': DOC, 'gateway/all.yaml': manifests('  rateLimit: { minute: 60 }') });
    try {
      const junit = gitway(['lint', '--format', 'junit'], { cwd: repo.dir });
      expect(junit.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="gitway lint" tests="3" failures="1">/);
      expect(junit.stdout).toContain('<testcase classname="gitway" name="apis/items.yaml"/>');
      expect(junit.stdout).toContain('<failure message="2 findings" type="gitway-driver-capability">');
      const md = gitway(['lint', '--format', 'markdown'], { cwd: repo.dir });
      expect(md.stdout).toContain(':x: **2 problems**: 1 error, 1 warning');
      expect(md.stdout).toContain("| error | `gateway/all.yaml:15:3` | `gitway-driver-capability` | Policy 'p' uses rateLimit");
      const two = gitway(['lint', '--format', 'json', '--format', 'stylish'], { cwd: repo.dir });
      expect(two.status).toBe(3);
      expect(two.stderr).toContain('only one --format can go to stdout');
    } finally {
      repo.cleanup();
    }
  });

  it("runs the team's ruleset: extends gitway:oas, a custom function, severities", () => {
    const repo = tempRepo({
      'gitway.yaml': CONFIG,
      'apis/items.yaml': DOC,
      'gateway/all.yaml': manifests('  cors: { origins: ["*"] }'),
      'rules/ruleset.yaml': `extends: [gitway:oas, gitway:manifests]
functionsDir: functions
functions: [noWildcardOrigin]
rules:
  gitway-api-rate-limit: off
  paths-kebab-case:
    description: Paths are kebab-case
    message: "{{property}} is not kebab-case"
    severity: error
    given: $.paths[*]~
    then: { function: pattern, functionOptions: { match: "^(/[a-z0-9-{}]+)+$" } }
  no-wildcard-cors:
    description: CORS never allows every origin (learnt in incident 42)
    severity: error
    given: "$.manifests[?(@.kind == 'Policy')].spec.cors.origins"
    then: { function: noWildcardOrigin }
`,
      'rules/functions/noWildcardOrigin.js': `export default function noWildcardOrigin(origins) {
  return Array.isArray(origins) && origins.includes('*') ? [{ message: 'CORS allows every origin' }] : [];
}
`,
    });
    try {
      const r = gitway(['lint'], { cwd: repo.dir });
      expect(r.stderr).toBe('');
      // Spectral's rule: without a `message`, the description is the message
      expect(r.stdout).toContain('error  CORS never allows every origin (learnt in incident 42)  no-wildcard-cors');
      expect(r.stdout).toContain('gitway-api-auth');
      expect(r.stdout).not.toContain('gitway-api-rate-limit');
      expect(r.status).toBe(1);
      const fixed = gitway(['lint', '--ruleset', path.join(repo.dir, 'rules/ruleset.yaml')], { cwd: repo.dir });
      expect(fixed.stdout).toContain('no-wildcard-cors');
    } finally {
      repo.cleanup();
    }
  });

  it('refuses a remote extends clearly, without the network (exit 3)', () => {
    const ruleset = path.join(projectRoot, '../shared/corpus/rulesets/schwarzit/spectral-api.yml');
    const repo = tempRepo({ 'gitway.yaml': CONFIG, 'apis/items.yaml': DOC, 'gateway/all.yaml': manifests('  cors: { origins: ["*"] }') });
    try {
      const r = gitway(['lint', '--ruleset', ruleset], { cwd: repo.dir });
      expect(r.status).toBe(3);
      expect(r.stderr).toMatch(/ruleset .*spectral-api\.yml extends https:\/\/github\.com\/SchwarzIT\/api-linter-rules\/releases\/download\/latest\/openapi\.js, which is on the network; gitway never fetches rules\. Download that ruleset into the repository/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      repo.cleanup();
    }
  });

  it('lints a file outside any gitway repository, like spectral lint', () => {
    const repo = tempRepo({ 'openapi.yaml': DOC.replace('operationId: getItem', 'operationId: get item') });
    try {
      const r = gitway(['lint', 'openapi.yaml'], { cwd: repo.dir });
      expect(r.stdout).toContain('openapi.yaml');
      expect(r.stdout).toContain('operation-operationId-valid-in-url');
      expect(r.status).toBe(0);
    } finally {
      repo.cleanup();
    }
  });

  it('--staged lints the index: a file fixed on disk but not staged still fails', () => {
    const repo = tempRepo({ 'gitway.yaml': CONFIG, 'apis/items.yaml': DOC, 'gateway/all.yaml': manifests('  rateLimit: { minute: 60 }') });
    try {
      git(repo.dir, 'init', '-q');
      git(repo.dir, 'add', '-A');
      const fixedOnDisk = manifests('  cors: { origins: [https://a.example] }');
      writeFileSync(path.join(repo.dir, 'gateway/all.yaml'), fixedOnDisk);
      expect(gitway(['lint', '--quiet'], { cwd: repo.dir }).status).toBe(0);
      const staged = gitway(['lint', '--staged', '--quiet'], { cwd: repo.dir });
      expect(staged.status).toBe(1);
      expect(staged.stdout).toContain('gitway-driver-capability');
    } finally {
      repo.cleanup();
    }
  });

  it('baseline: --baseline-write accepts today\'s findings (keyed by path, not line); only new ones are reported; stale entries are named', () => {
    const repo = tempRepo({ 'gitway.yaml': CONFIG, 'apis/items.yaml': DOC, 'gateway/all.yaml': manifests('  cors: { origins: [https://a.example] }') });
    try {
      const write = gitway(['lint', '--baseline-write'], { cwd: repo.dir });
      expect(write.status).toBe(0);
      expect(write.stderr).toContain('Wrote 2 findings to the baseline .gitway-baseline.json');
      const baseline = JSON.parse(readFileSync(path.join(repo.dir, '.gitway-baseline.json'), 'utf8'));
      expect(baseline.entries).toEqual(expect.arrayContaining([expect.objectContaining({ file: 'gateway/all.yaml', rule: 'gitway-api-auth', path: 'spec/policies', count: 1 })]));
      expect(JSON.stringify(baseline)).not.toMatch(/"line"/);

      // shift every line down: the baseline still matches
      writeFileSync(path.join(repo.dir, 'gateway/all.yaml'), '# a comment\n# another\n' + manifests('  cors: { origins: [https://a.example] }'));
      const clean = gitway(['lint'], { cwd: repo.dir });
      expect(clean.stdout).toContain('No new problems (2 accepted in the baseline)');
      expect(clean.status).toBe(0);

      // a new problem is reported; the fixed one shows as stale
      writeFileSync(path.join(repo.dir, 'gateway/all.yaml'), manifests('  auth: { type: key }').replace('healthCheck: { path: /h }', 'retries: 1'));
      const next = gitway(['lint'], { cwd: repo.dir });
      expect(next.stdout).toContain("Upstream 'be' has no healthCheck");
      expect(next.stdout).not.toContain('gitway-api-auth');
      expect(next.stderr).toContain('1 baseline entry no longer matches a finding (fixed?)');
      expect(next.stderr).toContain('gateway/all.yaml  gitway-api-auth  spec/policies');
      expect(gitway(['lint', '--no-baseline', '--format', 'json'], { cwd: repo.dir }).stdout).toContain('gitway-api-rate-limit');
    } finally {
      repo.cleanup();
    }
  });

  it('x-gitway-ignore in an OpenAPI document: suppresses with a reason, is itself an error without one', () => {
    const withIgnore = DOC.replace('      description: d\n      tags: [t]', '      tags: [t]\n      x-gitway-ignore: [{ rule: operation-description, reason: generated client docs }]');
    const repo = tempRepo({ 'gitway.yaml': CONFIG, 'apis/items.yaml': withIgnore, 'gateway/all.yaml': manifests('  cors: { origins: [https://a.example] }') });
    try {
      const ok = gitway(['lint', '--format', 'json'], { cwd: repo.dir });
      expect(ok.stdout).not.toContain('operation-description');
      writeFileSync(path.join(repo.dir, 'apis/items.yaml'), withIgnore.replace(', reason: generated client docs', ''));
      const bad = gitway(['lint'], { cwd: repo.dir });
      expect(bad.stdout).toContain('error  x-gitway-ignore entries need a rule and a reason');
      expect(bad.stdout).toContain('operation-description');
      expect(bad.status).toBe(1);
    } finally {
      repo.cleanup();
    }
  });
});
