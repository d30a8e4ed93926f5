/**
 * Every built-in rule carries its own test cases (valid documents, invalid documents with the
 * expected findings): this runs them all, each rule alone, through Spectral.
 */
import spectralCore from '@stoplight/spectral-core';
import Parsers from '@stoplight/spectral-parsers';

const { Spectral, Document, Ruleset } = spectralCore;

interface RuleModule {
  id: string;
  rule: Record<string, unknown>;
  tests: {
    valid: { name: string; document: unknown }[];
    invalid: { name: string; document: unknown; findings: { path: (string | number)[]; message: string }[] }[];
  };
}

async function members(file: string): Promise<RuleModule[]> {
  return ((await import(file)) as { members: RuleModule[] }).members;
}

async function run(mod: RuleModule, document: unknown) {
  const spectral = new Spectral();
  spectral.setRuleset(new Ruleset({ rules: { [mod.id]: mod.rule } } as never, { source: mod.id }));
  const results = await spectral.run(new Document(JSON.stringify(document), Parsers.Json, '/tmp/doc.json'), { ignoreUnknownFormat: true });
  return results.filter((r) => r.code === mod.id).map((r) => ({ path: r.path.map((p) => (typeof p === 'string' && /^\d+$/.test(p) ? Number(p) : p)), message: r.message }));
}

const rulesets = ['../../rules/gitway-oas.js', '../../rules/gitway-manifests.js'];

describe.each(rulesets)('built-in rules of %s', (file) => {
  it('every rule has a description, a severity and at least one valid and one invalid case', async () => {
    const list = await members(file);
    expect(list.length).toBeGreaterThan(2);
    for (const m of list) {
      expect(m.id).toMatch(/^gitway-[a-z0-9-]+$/);
      expect(typeof m.rule.description).toBe('string');
      expect(['error', 'warn', 'info', 'hint']).toContain(m.rule.severity);
      expect(m.tests.valid.length).toBeGreaterThan(0);
      expect(m.tests.invalid.length).toBeGreaterThan(0);
    }
  });

  it('valid cases give no finding and invalid cases give exactly the expected findings', async () => {
    for (const m of await members(file)) {
      for (const c of m.tests.valid) expect({ rule: m.id, case: c.name, findings: await run(m, c.document) }).toEqual({ rule: m.id, case: c.name, findings: [] });
      for (const c of m.tests.invalid) expect({ rule: m.id, case: c.name, findings: await run(m, c.document) }).toEqual({ rule: m.id, case: c.name, findings: c.findings });
    }
  });
});
