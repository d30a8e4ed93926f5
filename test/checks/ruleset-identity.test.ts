/** The lint result cache is keyed by rulesetIdentity: what a lint result depends on besides the documents. */
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rulesetIdentity } from '../../src/checks/ruleset.js';

describe('rulesetIdentity', () => {
  it('is stable for one ruleset and differs between rulesets', async () => {
    const oas = await rulesetIdentity({ kind: 'builtin', names: ['gitway:oas'] });
    expect(await rulesetIdentity({ kind: 'builtin', names: ['gitway:oas'] })).toBe(oas);
    expect(await rulesetIdentity({ kind: 'builtin', names: ['gitway:oas', 'gitway:manifests'] })).not.toBe(oas);
    const a = await rulesetIdentity({ kind: 'bundle', code: 'module.exports = {rules: {}}', file: '/r/a.yaml', source: 'a.yaml' });
    expect(await rulesetIdentity({ kind: 'bundle', code: 'module.exports = {rules: {}}', file: '/elsewhere/b.yaml', source: 'b.yaml' })).toBe(a); // the code counts, not where it lies
    expect(await rulesetIdentity({ kind: 'bundle', code: 'module.exports = {rules: {x: 1}}', file: '/r/a.yaml', source: 'a.yaml' })).not.toBe(a);
  });

  it('changes when a built-in rule changes', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gitway-rules-'));
    try {
      cpSync(fileURLToPath(new URL('../../rules/', import.meta.url)), dir, { recursive: true });
      const recipe = { kind: 'builtin', names: ['gitway:oas'] } as const;
      const before = await rulesetIdentity(recipe, dir);
      expect(before).toBe(await rulesetIdentity(recipe)); // the same rules as gitway's own
      appendFileSync(path.join(dir, 'gitway-manifests/gitway-route-conflict.js'), '\n// changed\n');
      expect(await rulesetIdentity(recipe, dir)).not.toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
