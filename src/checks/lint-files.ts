/**
 * `gitway lint FILE…`: lint any OpenAPI document or Spectral-linted file, inside or outside a
 * gitway repository, like `spectral lint`. The ruleset: --ruleset, else the repository's (when
 * the files sit in a gitway repository), else a .spectral.yaml/.yml/.json in the current folder,
 * else the built-in gitway:oas.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { LintResult } from './lint.js';
import { prestartLintWorker } from './lint-prestart.js';
import type { PreparedRuleset } from './ruleset.js';

export interface LintFilesOptions {
  cwd: string;
  baseline?: string | false;
  baselineWrite?: boolean;
  ruleTimeoutMs?: number;
  paths: string[];
  config?: string;
  ruleset?: string;
}

export async function lintFiles(options: LintFilesOptions): Promise<LintResult> {
  const cwd = path.resolve(options.cwd);
  const abs = options.paths.map((p) => path.resolve(cwd, p));
  for (const [i, p] of abs.entries()) if (!existsSync(p)) throw new UsageError(`${options.paths[i]} does not exist`);
  const inside = abs.every((p) => !path.relative(cwd, p).startsWith('..'));
  const root = inside ? cwd : path.parse(cwd).root;
  // the worker loads Spectral while this thread loads the rest (imported here, after it started)
  const early = prestartLintWorker(root);
  try {
    const [{ WorkTree }, { sortFindings }, { dedupe, withBaseline }, { DEFAULT_RULE_TIMEOUT_S, runLintJobs }] = await Promise.all([
      import('../workspace/worktree.js'),
      import('./finding.js'),
      import('./lint.js'),
      import('./lint-jobs.js'),
    ]);
    const tree = new WorkTree(root);
    try {
      // prepared by runLintJobs once the lint workers have started: they read and parse the files meanwhile
      let ruleset: Promise<PreparedRuleset> | undefined;
      const prepare = () => (ruleset ??= pickRuleset(cwd, options));
      const files = abs.map((p) => path.relative(root, p).split(path.sep).join('/'));
      const findings = await runLintJobs({ root, tree, ruleset: prepare, files, ruleTimeoutMs: options.ruleTimeoutMs ?? DEFAULT_RULE_TIMEOUT_S * 1000, cache: false, prestarted: early });
      return withBaseline({ findings: dedupe(sortFindings(findings)), invalid: false, files, source: 'the working tree', ruleset: (await prepare()).source, documents: files, secrets: [] }, root, options);
    } finally {
      await tree.close();
    }
  } finally {
    early?.close();
  }
}

async function pickRuleset(cwd: string, options: LintFilesOptions): Promise<PreparedRuleset> {
  const [{ CONFIG_FILE, locateRoot }, { builtinPrepared, DEFAULT_RULESET_FILES, prepareRulesetFile }] = await Promise.all([import('../manifest/root.js'), import('./ruleset.js')]);
  // outside a gitway repository nothing is written (no .gitway/cache in a stranger's folder)
  if (options.ruleset) return prepareRulesetFile(cwd, options.ruleset, undefined, { cache: false });
  const repo = locateRoot({ cwd, config: options.config });
  if (existsSync(path.join(repo.root, repo.configFile ?? CONFIG_FILE))) {
    const { WorkTree: Tree } = await import('../workspace/worktree.js');
    const tree = new Tree(repo.root);
    const { loadConfig } = await import('../manifest/config.js');
    const loaded = await loadConfig(tree, repo.configFile);
    const configured = loaded.config?.ruleset ?? DEFAULT_RULESET_FILES.find((f) => existsSync(path.join(repo.root, f)));
    if (configured) return prepareRulesetFile(repo.root, configured);
  }
  const local = ['.spectral.yaml', '.spectral.yml', '.spectral.json'].find((f) => existsSync(path.join(cwd, f)));
  if (local) return prepareRulesetFile(cwd, local, undefined, { cache: false });
  return builtinPrepared({ kind: 'builtin', names: ['gitway:oas'] });
}
