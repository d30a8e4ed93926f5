import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gitway, tempRepo } from '../helpers/cli.js';

const RULESET = `extends: [gitway:manifests]
functionsDir: functions
functions: [noWildcardOrigin]
rules:
  no-wildcard-cors:
    description: CORS never allows every origin
    severity: error
    given: "$.manifests[?(@.kind == 'Policy')].spec.cors.origins"
    then: { function: noWildcardOrigin }
`;
const FUNCTION = `export default function noWildcardOrigin(origins) {
  return Array.isArray(origins) && origins.includes('*') ? [{ message: 'wildcard' }] : [];
}
`;
const policy = (origin: string) => `{ "x-gitway": project, manifests: [{ kind: Policy, name: c, spec: { cors: { origins: ["${origin}"] } } }] }`;
const TESTS = `rule: no-wildcard-cors
cases:
  - name: a wildcard origin is refused
    document: ${policy('*')}
    findings: [{ path: [manifests, 0, spec, cors, origins], severity: error }]
  - name: a pinned origin passes
    document: ${policy('https://a.example')}
    findings: []
`;

describe('gitway rules test', () => {
  it('runs the cases beside a rule: all pass, exit 0; a wrong expectation fails with what differed, exit 1', () => {
    const repo = tempRepo({
      'gitway.yaml': 'environments:\n  local: { driver: caddy, file: out.json }\n',
      'rules/ruleset.yaml': RULESET,
      'rules/functions/noWildcardOrigin.js': FUNCTION,
      'rules/tests/no-wildcard-cors.test.yaml': TESTS,
    });
    try {
      const ok = gitway(['rules', 'test'], { cwd: repo.dir });
      expect(ok.stdout).toContain('✔ rules/tests/no-wildcard-cors.test.yaml › a wildcard origin is refused');
      expect(ok.stdout).toContain('2 passed, 0 failed');
      expect(ok.status).toBe(0);

      writeFileSync(path.join(repo.dir, 'rules/tests/no-wildcard-cors.test.yaml'), TESTS.replace('severity: error', 'severity: warn'));
      const bad = gitway(['rules', 'test'], { cwd: repo.dir });
      expect(bad.status).toBe(1);
      expect(bad.stdout).toContain('✖ rules/tests/no-wildcard-cors.test.yaml › a wildcard origin is refused');
      expect(bad.stdout).toContain('expected warn no-wildcard-cors at manifests.0.spec.cors.origins, not found');
      expect(bad.stdout).toContain('unexpected error no-wildcard-cors at manifests.0.spec.cors.origins (line');
      expect(bad.stdout).toContain('1 passed, 1 failed');
    } finally {
      repo.cleanup();
    }
  });

  it('a test of a rule the ruleset does not have is exit 3', () => {
    const repo = tempRepo({
      'gitway.yaml': 'environments:\n  local: { driver: caddy, file: out.json }\n',
      'rules/ruleset.yaml': RULESET,
      'rules/functions/noWildcardOrigin.js': FUNCTION,
      'rules/tests/x.test.yaml': TESTS.replace('rule: no-wildcard-cors', 'rule: no-such-rule'),
    });
    try {
      const r = gitway(['rules', 'test'], { cwd: repo.dir });
      expect(r.status).toBe(3);
      expect(r.stderr).toContain("rule test rules/tests/x.test.yaml tests rule 'no-such-rule', which ruleset rules/ruleset.yaml does not have");
    } finally {
      repo.cleanup();
    }
  });
});
