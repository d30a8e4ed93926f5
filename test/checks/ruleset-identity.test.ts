/** The lint result cache is keyed by rulesetIdentity: what a lint result depends on besides the documents. */
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

  it('changes when a package the ruleset requires is updated', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gitway-ruleset-'));
    try {
      const pkg = path.join(dir, 'node_modules/acme-fn');
      mkdirSync(pkg, { recursive: true });
      writeFileSync(path.join(pkg, 'index.js'), 'module.exports = () => [];\n');
      writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'acme-fn', version: '1.0.0', main: 'index.js' }));
      const recipe = { kind: 'bundle', code: "var acme = require('acme-fn');\nmodule.exports = {rules: {}};\n", file: path.join(dir, 'ruleset.js'), source: 'ruleset.js' } as const;
      const v1 = await rulesetIdentity(recipe);
      writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'acme-fn', version: '2.0.0', main: 'index.js' }));
      expect(await rulesetIdentity(recipe)).not.toBe(v1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
