import type { Command } from 'commander';
import { emit } from '../context.js';
import type { CommandContext } from '../main.js';
import { version } from '../main.js';
import { addTreeOptions, desiredOptions, planFormat, planStyle, printWarnings, withFindings } from '../plan-output.js';

export function registerPlan(program: Command, ctx: CommandContext): void {
  addTreeOptions(program.command('plan'))
    .description('show what applying the desired state (working tree, --staged or --rev) would change on the environment')
    .option('--out <file>', 'save the plan (JSON, secrets as hashes) for `gitway apply <file>`')
    .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when there are')
    .addHelpText(
      'after',
      `
Formats (--format): text (default), json (the plan value), markdown (for a pull-request comment).
Exit codes: 0 planned (with --detailed-exitcode: no changes), 2 changes (--detailed-exitcode),
            3 invalid repository, route conflict, unenforceable policy,
            4 gateway unreachable, refused authentication, or unusable answer.

Examples:
  gitway plan
  gitway plan --env staging --out plan.json
  gitway plan --rev main --format markdown > plan.md
  gitway plan --detailed-exitcode -q; [ $? -eq 2 ] && echo "changes pending"`,
    )
    .action(
      ctx.action(async (options) => {
        const format = planFormat(options, 'plan');
        const { computePlan } = await import('../../deploy/planner.js');
        const { withProgress } = await import('../progress.js');
        const { plan, desired } = await withFindings(ctx, () => withProgress(ctx.io, options, (p) => computePlan({ ...desiredOptions(ctx, options), gitwayVersion: version, progress: p.phase })));
        printWarnings(ctx, options, desired.warnings);
        const report = await import('../../report/plan.js');
        const text = format === 'json' ? report.renderPlanJson(plan) : format === 'markdown' ? report.renderPlanMarkdown(plan) : report.renderPlanText(plan, await planStyle(ctx.io, options));
        if (options.out) {
          const path = await import('node:path');
          const { writeFileAtomic } = await import('../../gateways/atomic.js');
          const { serializePlan } = await import('../../plan/plan.js');
          const { redact } = await import('../context.js');
          const { UsageError } = await import('../../errors.js');
          const saved = serializePlan(plan);
          // A plan holds secrets only as hashes; a secret in it anyway (never expected) stops the save rather than being hidden after the checksum.
          if (redact(saved, ctx.secrets) !== saved) throw new UsageError(`the plan would hold a secret value in clear, so it was not saved to ${String(options.out)}`, 'This is likely a bug in gitway; run with --debug and report it.');
          try {
            await writeFileAtomic(path.resolve(ctx.io.cwd, String(options.out)), saved, { mode: 0o644 });
          } catch (err) {
            throw new UsageError(`cannot write --out ${String(options.out)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'Give a file path in a folder you can write to.');
          }
        }
        if (!options.quiet || options.output) emit(ctx.io, options, text, ctx.secrets);
        if (options.out && !options.quiet) ctx.io.stderr(`Saved the plan to ${String(options.out)}; apply exactly it with: gitway apply ${String(options.out)}\n`);
        return options.detailedExitcode && plan.changes.length > 0 ? 2 : 0;
      }),
    );
}
