/**
 * `gitway rules test`: test cases written beside a rule, so a team can pin the rule it just wrote.
 * A test file (`rules/**\/*.test.yaml`) names the rule and lists documents with the findings they
 * must (or must not) produce:
 *
 *   rule: no-wildcard-cors           # compare only this rule's findings (optional)
 *   ruleset: ../ruleset.yaml         # relative to this file (optional: the configured ruleset)
 *   cases:
 *     - name: a wildcard origin
 *       document: { ... }            # inline (an OpenAPI document or a gitway project document)
 *       findings: [{ path: [manifests, 0, spec, cors, origins], severity: error }]
 *     - name: a pinned origin
 *       file: examples/ok.yaml       # or a file, relative to this one
 *       findings: []
 */
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { Tree } from '../workspace/tree.js';
import type { Severity } from './finding.js';
import { builtinRuleset, DEFAULT_RULESET_FILES, loadRulesetFile, RulesetError, type LoadedRuleset } from './ruleset.js';
import { preferModernNimma } from './spectral-nimma.js';

export const RULE_TEST_GLOBS = ['rules/**/*.test.yaml', 'rules/**/*.test.yml', 'rules/**/*.test.json'];

interface Expected {
  rule?: string;
  path?: (string | number)[];
  severity?: Severity;
  message?: string;
  line?: number;
}

interface Actual {
  rule: string;
  path: (string | number)[];
  severity: Severity;
  message: string;
  line: number;
}

export interface CaseResult {
  file: string;
  name: string;
  ok: boolean;
  /** What went wrong, in words, when not ok. */
  problems: string[];
}

const SEVERITIES: Severity[] = ['error', 'warn', 'info', 'hint'];

export async function runRuleTests(options: { root: string; tree: Tree; files?: string[]; ruleset?: string; configuredRuleset?: string }): Promise<CaseResult[]> {
  const files = options.files?.length ? options.files : await options.tree.glob(RULE_TEST_GLOBS);
  if (files.length === 0) throw new UsageError(`no rule tests found (${RULE_TEST_GLOBS.join(', ')})`, 'Write a <rule>.test.yaml beside your rule: see `gitway rules test --help`.');
  preferModernNimma();
  const [{ default: core }, { default: Parsers }, yaml] = await Promise.all([import('@stoplight/spectral-core'), import('@stoplight/spectral-parsers'), import('yaml')]);
  const rulesets = new Map<string, LoadedRuleset>();
  const rulesetFor = async (testFile: string, declared?: string): Promise<LoadedRuleset> => {
    const file = declared ? path.posix.join(path.posix.dirname(testFile), declared) : options.ruleset ?? options.configuredRuleset ?? DEFAULT_RULESET_FILES.find((f) => f.startsWith('rules/') && f !== testFile);
    const key = file ?? '(built-in)';
    if (!rulesets.has(key)) {
      const exists = file !== undefined && (options.ruleset !== undefined || (await options.tree.exists(file)));
      rulesets.set(key, exists ? await loadRulesetFile(options.root, file!, options.ruleset ? undefined : options.tree) : await builtinRuleset());
    }
    return rulesets.get(key)!;
  };

  const results: CaseResult[] = [];
  for (const file of files) {
    let spec: { rule?: string; ruleset?: string; cases?: { name?: string; document?: unknown; file?: string; findings?: Expected[] }[] };
    try {
      spec = yaml.parse((await options.tree.read(file)).toString('utf8'));
    } catch (err) {
      throw new UsageError(`rule test ${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
    }
    if (!spec || !Array.isArray(spec.cases)) throw new UsageError(`rule test ${file} has no 'cases:' list`, 'Each case has a name, a document (or file) and the findings it must produce.');
    const loaded = await rulesetFor(file, spec.ruleset);
    if (spec.rule && !(spec.rule in loaded.ruleset.rules)) throw new RulesetError(`rule test ${file} tests rule '${spec.rule}', which ruleset ${loaded.source} does not have`);
    const spectral = new core.Spectral();
    spectral.setRuleset(loaded.ruleset);
    for (const [i, c] of spec.cases.entries()) {
      const name = c.name ?? `case ${i + 1}`;
      let doc;
      if (c.file !== undefined) {
        const docFile = path.posix.join(path.posix.dirname(file), c.file);
        const text = (await options.tree.read(docFile)).toString('utf8');
        doc = /\.json$/i.test(docFile) ? new core.Document(text, Parsers.Json, path.join(options.root, docFile)) : new core.Document(text, Parsers.Yaml, path.join(options.root, docFile));
      } else {
        doc = new core.Document(JSON.stringify(c.document ?? null, null, 2), Parsers.Json, path.join(options.root, file));
      }
      const raw = await spectral.run(doc, { ignoreUnknownFormat: true });
      const actual: Actual[] = raw
        .filter((r) => !spec.rule || r.code === spec.rule)
        .map((r) => ({ rule: String(r.code), path: r.path.map((p) => (typeof p === 'string' && /^\d+$/.test(p) ? Number(p) : p)), severity: SEVERITIES[r.severity] ?? 'error', message: r.message, line: r.range.start.line + 1 }));
      results.push({ file, name, ...compare(c.findings ?? [], actual, spec.rule) });
    }
  }
  return results;
}

function compare(expected: Expected[], actual: Actual[], rule?: string): { ok: boolean; problems: string[] } {
  const left = [...actual];
  const problems: string[] = [];
  for (const e of expected) {
    const want = { ...e, rule: e.rule ?? rule };
    const at = left.findIndex((a) => (want.rule === undefined || a.rule === want.rule) && (want.path === undefined || JSON.stringify(a.path) === JSON.stringify(want.path)) && (want.severity === undefined || a.severity === want.severity) && (want.message === undefined || a.message === want.message) && (want.line === undefined || a.line === want.line));
    if (at < 0) problems.push(`expected ${describe(want)}, not found`);
    else left.splice(at, 1);
  }
  for (const a of left) problems.push(`unexpected ${describe(a)}`);
  return { ok: problems.length === 0, problems };
}

function describe(f: Expected | Actual): string {
  const parts = [f.severity, f.rule].filter(Boolean).join(' ');
  return `${parts || 'a finding'}${f.path ? ` at ${f.path.length ? f.path.join('.') : '(root)'}` : ''}${f.line ? ` (line ${f.line})` : ''}${f.message ? `: "${f.message}"` : ''}`;
}
