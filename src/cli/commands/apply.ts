import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { Plan } from '../../plan/plan.js';
import type { CommandContext } from '../main.js';
import { version } from '../main.js';
import { desiredOptions, planStyle, printWarnings, withFindings } from '../plan-output.js';
import { redact } from '../context.js';

export function registerApply(program: Command, ctx: CommandContext): void {
  program
    .command('apply [plan]')
    .description('apply a saved plan, or plan and apply after confirmation (file targets in this release)')
    .option('-y, --yes', 'apply without asking (needed without a terminal, as in CI)')
    .addHelpText(
      'after',
      `
With a plan file, apply writes exactly what that plan promises, and refuses (exit 3, nothing
written) a plan that is truncated or edited, of another format or environment, whose desired state
no longer compiles to the same config (files or secrets changed), or whose live state moved since.
Without one, it plans, shows the plan, and asks for confirmation (--yes skips the question).
The target file is replaced atomically: a temporary file, fsync, rename.
Exit codes: 0 applied (or nothing to do), 1 cancelled, 3 refused or invalid input, 4 target unreadable.

Examples:
  gitway plan --out plan.json && gitway apply plan.json
  gitway apply                 # plan, show, ask
  gitway apply --yes --env ci`,
    )
    .action(
      ctx.action(async (options, file: unknown) => {
        const style = await planStyle(ctx.io, options);
        const report = await import('../../report/plan.js');
        const { writePlan, computePlan, applySavedPlan } = await import('../../deploy/planner.js');
        const done = (plan: Plan) => {
          const s = plan.summary;
          const where = plan.target.kind === 'file' ? plan.target.file : plan.target.url;
          if (!options.quiet) ctx.io.stdout(`Apply complete: ${s.add} added, ${s.change} changed, ${s.destroy} destroyed (environment '${plan.environment}', ${where}).\n`);
          return 0;
        };
        if (typeof file === 'string') {
          const { readFile } = await import('node:fs/promises');
          const path = await import('node:path');
          let text: string;
          try {
            text = await readFile(path.resolve(ctx.io.cwd, file), 'utf8');
          } catch (err) {
            throw new UsageError(`cannot read the plan file ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
          }
          const base = desiredOptions(ctx, options);
          // The plan names its environment; --env (or GITWAY_ENV) only has to agree with it.
          const plan = await withFindings(ctx, () => applySavedPlan(text, file, { ...base, env: options.env as string | undefined }));
          if (plan.changes.length === 0) {
            if (!options.quiet) ctx.io.stdout('No changes. Nothing to apply.\n');
            return 0;
          }
          return done(plan);
        }
        const { plan, desired } = await withFindings(ctx, () => computePlan({ ...desiredOptions(ctx, options), gitwayVersion: version }));
        printWarnings(ctx, options, desired.warnings);
        ctx.io.stdout(redact(report.renderPlanText(plan, style), ctx.secrets));
        if (plan.changes.length === 0) return 0;
        if (!options.yes) {
          if (!ctx.io.interactive || !ctx.io.ask) {
            throw new UsageError('refusing to apply without confirmation: there is no terminal to ask on; nothing was written', 'Review the plan above and pass --yes, or save it with `gitway plan --out plan.json` and run `gitway apply plan.json`.');
          }
          const answer = await ctx.io.ask(`\nApply these changes to environment '${plan.environment}'? Only 'yes' is accepted: `);
          if (answer.trim() !== 'yes') {
            ctx.io.stderr('Apply cancelled; nothing was written.\n');
            return 1;
          }
        }
        await writePlan(plan, desired);
        return done(plan);
      }),
    );
}
