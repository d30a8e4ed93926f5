/**
 * quickBundle: a ruleset made only of Spectral's own rulesets and severities is bundled without
 * Spectral's migrator and rollup, to the very code they make of it (so the lint, and the result
 * cache keyed by that code, are the same). Any other ruleset is left to them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareRulesetFile, quickBundle } from '../../src/checks/ruleset.js';

const QUICK: Record<string, string> = {
  'plain.yaml': 'extends: spectral:oas\n',
  'list.yaml': 'extends: [spectral:oas]\n',
  'severity.yaml': 'extends:\n  - [spectral:oas, all]\n',
  'two.yaml': 'extends: ["spectral:oas", "spectral:asyncapi"]\nrules:\n  info-contact: error\n  operation-tag-defined: off\n  oas3-schema: false\n',
  'arazzo.yaml': 'extends: spectral:arazzo\n',
  'off.yaml': 'extends: [[spectral:oas, off]]\nrules:\n  info-contact: true\n',
  'rules-first.yaml': '# rules before extends\nrules:\n  foo: warn\n  info_contact: off\n  a.b: hint\nextends:\n  - [spectral:oas, recommended]\n  - spectral:asyncapi\n',
  'quoted.yaml': '"extends": "spectral:oas"\n',
  'json.json': '{"extends": "spectral:oas", "rules": {"info-contact": "warn"}}',
};

const SLOW: Record<string, string> = {
  'empty-extends.yaml': 'extends: []\n',
  'empty-rules.yaml': 'extends: spectral:oas\nrules: {}\n',
  'rule-object.json': '{"extends": "spectral:oas", "rules": {"a-b": {"severity": "hint"}}}',
  'gitway.yaml': 'extends: gitway:oas\n',
  'formats.yaml': 'extends: spectral:oas\nformats: [oas3]\n',
  'capital-bool.yaml': 'extends: spectral:oas\nrules:\n  info-contact: True\n',
  'number.yaml': 'extends: spectral:oas\nrules:\n  info-contact: 1\n',
  'unknown-severity.yaml': 'extends: [[spectral:oas, most]]\n',
  'local.yaml': 'extends: [./other.yaml]\n',
};

describe('quickBundle', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gitway-quick-'));
    for (const [file, text] of Object.entries({ ...QUICK, ...SLOW, 'other.yaml': 'extends: spectral:oas\n' })) writeFileSync(path.join(dir, file), text);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(Object.keys(QUICK))('%s: the same code as the migrator and rollup make', async (file) => {
    const quick = await quickBundle(QUICK[file]);
    expect(quick).toBeDefined();
    const slow = await prepareRulesetFile(dir, file, undefined, { cache: false, quick: false });
    expect(quick).toBe(slow.recipe.kind === 'bundle' ? slow.recipe.code : undefined);
    const prepared = await prepareRulesetFile(dir, file, undefined, { cache: false });
    expect(prepared).toEqual(slow);
  }, 60_000);

  it.each(Object.keys(SLOW))('%s: left to the migrator and rollup', async (file) => {
    expect(await quickBundle(SLOW[file])).toBeUndefined();
  });
});
