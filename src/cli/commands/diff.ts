import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { emit } from '../context.js';
import type { CommandContext } from '../main.js';
import { desiredOptions, planFormat, planStyle, withFindings } from '../plan-output.js';

export function registerDiff(program: Command, ctx: CommandContext): void {
  // --env is a global option, so every occurrence is collected here (`--env a --env b`).
  const envs: string[] = [];
  program.on('option:env', (value: string) => envs.push(value));
  program
    .command('diff [a] [b]')
    .description('offline: what changes between the desired states of two commits (B defaults to the working tree), or of two environments')
    .option('--all', 'with two environments: also show the differences that come from declared variables')
    .addHelpText(
      'after',
      `
Two revisions compare the same environment's desired state; two environments (--env a --env b)
compare one revision, leaving out the values that come from declared variables (\${var.NAME}),
so what remains is what really differs (parity). Nothing is contacted.
Formats (--format): text (default), json, markdown.
Exit codes: 0 compared, 3 invalid input.

Examples:
  gitway diff v1.3.0 v1.4.0
  gitway diff HEAD~1                     # HEAD~1 against the working tree
  gitway diff --env staging --env prod
  gitway diff main --format markdown`,
    )
    .action(
      ctx.action(async (options, a: unknown, b: unknown) => {
        const format = planFormat(options, 'diff');
        const compare = await import('../../deploy/compare.js');
        const base = desiredOptions(ctx, options);
        let result;
        if (envs.length >= 2) {
          if (envs.length > 2 || a !== undefined) throw new UsageError('compare either two revisions (gitway diff A [B]) or two environments (gitway diff --env a --env b), one pair at a time');
          result = await withFindings(ctx, () => compare.compareEnvironments({ ...base, env: undefined, rev: undefined, staged: false }, envs[0], envs[1], Boolean(options.all)));
        } else {
          if (typeof a !== 'string') throw new UsageError('gitway diff needs a revision to compare (gitway diff A [B]) or two environments (--env a --env b)');
          result = await withFindings(ctx, () => compare.compareRevisions(base, a, typeof b === 'string' ? b : undefined));
        }
        const report = await import('../../report/plan.js');
        const s = result.summary;
        const notes = [...result.notes];
        if (result.explained?.changes) notes.push(`${result.explained.changes} field${result.explained.changes === 1 ? '' : 's'} differ only through declared variables (${result.explained.variables.join(', ')}); --all shows them`);
        const view = {
          heading: [`Diff from ${result.from} to ${result.to}`],
          changes: result.changes,
          summary: `Diff: ${s.add} to add, ${s.change} to change, ${s.destroy} to destroy.`,
          none: `No changes between ${result.from} and ${result.to}.`,
          notes,
        };
        const text =
          format === 'json'
            ? JSON.stringify({ from: result.from, to: result.to, summary: s, changes: result.changes, ...(result.explained ? { explainedByVariables: result.explained } : {}), notes }, null, 2) + '\n'
            : format === 'markdown'
              ? report.renderChangesMarkdown(view, `gitway diff: ${result.from} → ${result.to}`)
              : report.renderChangesText(view, await planStyle(ctx.io, options));
        emit(ctx.io, options, text, ctx.secrets);
        return 0;
      }),
    );
}
