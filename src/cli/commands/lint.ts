import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { Finding, Severity } from '../../checks/finding.js';
import { severityRank } from '../../checks/finding.js';
import { emit, styleFor, useColor, type GlobalOptions } from '../context.js';
import type { CommandContext } from '../main.js';

export const LINT_FORMATS = ['stylish', 'json', 'sarif', 'junit', 'github', 'markdown'] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];
const FAIL_ON = ['error', 'warn', 'info', 'hint', 'never'] as const;

export interface FormatTarget {
  format: LintFormat;
  output?: string;
}

/**
 * Pairs each --format with the --output that follows it (before the next --format):
 * `--format sarif --output a.sarif --format stylish` writes SARIF to a.sarif and stylish to stdout.
 */
export function formatTargets(argv: readonly string[], fallback: LintFormat): FormatTarget[] {
  const targets: { format?: string; output?: string }[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--format' || flag === '-f') targets.push({ format: value() });
    else if (flag === '--output' || flag === '-o') {
      const last = targets[targets.length - 1];
      if (last && last.output === undefined) last.output = value();
      else targets.push({ output: value() });
    } else if (arg === '--') break;
  }
  if (targets.length === 0) targets.push({});
  const out = targets.map((t) => {
    const format = t.format ?? fallback;
    if (!(LINT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`format '${format}' is not available for lint (use ${LINT_FORMATS.join(', ')})`);
    return { format: format as LintFormat, output: t.output };
  });
  if (out.filter((t) => t.output === undefined).length > 1) throw new UsageError('only one --format can go to stdout; give the others an --output FILE each');
  return out;
}

export function registerLint(program: Command, ctx: CommandContext): void {
  program
    .command('lint')
    .description('validate, then run the rulesets (built-in gitway:oas and gitway:manifests, or the team\'s own) on OpenAPI documents and manifests')
    .argument('[paths...]', 'lint these files only, like `spectral lint` (works outside a gitway repository too)')
    .option('--ruleset <file>', 'Spectral-format ruleset to use instead of the configured one')
    .option('--rev <rev>', 'lint the repository as it is in a commit, tag or branch')
    .option('--staged', 'lint what is staged in the git index, not the working copy')
    .option('--since <rev>', 'report only on files changed since REV, and documents or manifests that refer to them')
    .option('--baseline <file>', 'report only findings not in this baseline (default: .gitway-baseline.json when it exists)')
    .option('--no-baseline', 'ignore the baseline file')
    .option('--baseline-write', 'write the current findings as the baseline (keyed by file, rule and JSON path) and exit 0')
    .option('--no-cache', 'do not use (or fill) the result cache in .gitway/cache')
    .option('--rule-timeout <seconds>', 'time one rule may keep one document busy before it is stopped and skipped (default: lint.ruleTimeoutSeconds or 60)')
    .option('--fail-on <severity>', `exit 1 when a finding is at or above: ${FAIL_ON.join(', ')}`, 'error')
    .addHelpText(
      'after',
      `
Formats (--format, repeatable, each followed by its own --output): ${LINT_FORMATS.join(', ')}.
The default is stylish (grouped by file; coloured on a terminal).
Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
            3 invalid input (manifests or documents that do not load, a ruleset that cannot load).

Examples:
  gitway lint
  gitway lint --staged --quiet                       (what the pre-commit hook runs)
  gitway lint --format sarif --output lint.sarif --format github
  gitway lint --fail-on warn --format junit --output junit.xml
  gitway lint apis/orders.yaml --ruleset .spectral.yaml
  gitway lint --since origin/main                     (a pull request: what changed, and what refers to it)`,
    )
    .action(
      ctx.action(async (options: GlobalOptions & Record<string, unknown>, paths: string[] = []) => {
        const failOn = String(options.failOn);
        if (!(FAIL_ON as readonly string[]).includes(failOn)) throw new UsageError(`--fail-on must be one of ${FAIL_ON.join(', ')}, not '${failOn}'`);
        const targets = formatTargets(ctx.argv, 'stylish');
        const ruleTimeout = options.ruleTimeout === undefined ? undefined : Number(options.ruleTimeout);
        if (ruleTimeout !== undefined && !(ruleTimeout > 0)) throw new UsageError(`--rule-timeout must be a number of seconds above 0, not '${String(options.ruleTimeout)}'`);
        const cwd = options.cwd ? String(options.cwd) : ctx.io.cwd;
        const common = { cwd, config: options.config as string | undefined, env: options.env as string | undefined, processEnv: ctx.io.env, ruleset: options.ruleset as string | undefined, baseline: options.baseline as string | false | undefined, baselineWrite: Boolean(options.baselineWrite), ruleTimeoutMs: ruleTimeout === undefined ? undefined : ruleTimeout * 1000, cache: options.cache !== false };
        const result =
          paths.length > 0
            ? await (await import('../../checks/lint-files.js')).lintFiles({ ...common, paths })
            : await (await import('../../checks/lint.js')).lintProject({ ...common, rev: options.rev as string | undefined, staged: Boolean(options.staged), since: options.since as string | undefined });
        ctx.secrets.push(...result.secrets);
        if (result.baseline?.written !== undefined) {
          if (!options.quiet) ctx.io.stderr(`Wrote ${result.baseline.written} finding${result.baseline.written === 1 ? '' : 's'} to the baseline ${result.baseline.file}; later runs report only new ones.\n`);
          return 0;
        }
        if (result.baseline?.stale?.length && !options.quiet) {
          const list = result.baseline.stale.slice(0, 10).map((e) => `  ${e.file}  ${e.rule}  ${e.path || '(document)'}`).join('\n');
          ctx.io.stderr(`${result.baseline.stale.length} baseline entr${result.baseline.stale.length === 1 ? 'y no longer matches' : 'ies no longer match'} a finding (fixed?); run gitway lint --baseline-write to prune ${result.baseline.file}:\n${list}\n`);
        }
        const shown = options.quiet ? result.findings.filter((f) => f.severity === 'error') : result.findings;
        const { version } = await import('../main.js');
        for (const target of targets) {
          const text = await render(target.format, shown, { version, files: result.files, color: target.output === undefined && useColor(ctx.io, options), ruleset: result.ruleset, quiet: Boolean(options.quiet), baseline: result.baseline });
          emit(ctx.io, { ...options, output: target.output }, text, result.secrets);
        }
        if (result.invalid) return 3;
        return failing(result.findings, failOn as Severity | 'never') ? 1 : 0;
      }),
    );
}

function failing(findings: readonly Finding[], failOn: Severity | 'never'): boolean {
  if (failOn === 'never') return false;
  return findings.some((f) => severityRank[f.severity] <= severityRank[failOn]);
}

async function render(format: LintFormat, findings: Finding[], opts: { version: string; files: string[]; color: boolean; ruleset?: string; quiet: boolean; baseline?: unknown }): Promise<string> {
  const report = await import('../../report/findings.js');
  const ci = await import('../../report/ci-formats.js');
  switch (format) {
    case 'json':
      return report.renderJson(findings, { ruleset: opts.ruleset, ...(opts.baseline ? { baseline: opts.baseline } : {}) });
    case 'sarif':
      return ci.renderSarif(findings, { version: opts.version });
    case 'junit':
      return ci.renderJunit(findings, opts.files);
    case 'github':
      return ci.renderGithub(findings);
    case 'markdown':
      return ci.renderMarkdown(findings);
    default: {
      const text = report.renderStylish(findings, await styleFor(opts.color));
      const accepted = (opts.baseline as { suppressed?: number } | undefined)?.suppressed;
      const what = accepted ? `No new problems (${accepted} accepted in the baseline)` : 'No problems found';
      return text || (opts.quiet ? '' : `✔ ${what} (${opts.files.length} file${opts.files.length === 1 ? '' : 's'}, ruleset ${opts.ruleset ?? 'built-in'}).\n`);
    }
  }
}
