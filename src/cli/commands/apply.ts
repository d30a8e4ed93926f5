import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { ApplyOutcome } from '../../deploy/apply.js';
import type { CommandContext } from '../main.js';
import { version } from '../main.js';
import { desiredOptions, planStyle, printWarnings, withFindings } from '../plan-output.js';
import { redact } from '../context.js';
import { withProgress } from '../progress.js';

export function registerApply(program: Command, ctx: CommandContext): void {
  program
    .command('apply [plan]')
    .description('apply a saved plan, or plan and apply after confirmation; the write is verified by reading the gateway back')
    .option('-y, --yes', 'apply without asking (needed without a terminal, as in CI)')
    .addHelpText(
      'after',
      `
With a plan file, apply writes exactly what that plan promises, and refuses (exit 3, nothing
written) a plan that is truncated or edited, of another format or environment, whose desired state
no longer compiles to the same config (files or secrets changed), or whose live state moved since.
Without one, it plans, shows the plan, and asks for confirmation (--yes skips the question).

Every apply is one write (a file replaced atomically, or one admin API request guarded by the
config's version, so a concurrent change makes it fail instead of being overwritten), stamped on
the gateway with the revision, time and actor (see \`gitway history\`), then verified by reading
the gateway back; a write that does not verify is undone.

Exit codes: 0 applied (or nothing to do), 1 cancelled, or failed with the previous state back,
            3 refused or invalid input (stale plan, another apply got there first),
            4 gateway unreachable or refused, 5 failed and the previous state could not be restored.

Examples:
  gitway plan --out plan.json && gitway apply plan.json
  gitway apply                 # plan, show, ask
  gitway apply --yes --env staging`,
    )
    .action(
      ctx.action(async (options, file: unknown) => {
        const style = await planStyle(ctx.io, options);
        const report = await import('../../report/plan.js');
        const { computePlan, applySavedPlan } = await import('../../deploy/planner.js');
        const { applyPlan } = await import('../../deploy/apply.js');
        const base = desiredOptions(ctx, options);
        const applyOptions = { gitwayVersion: version, processEnv: ctx.io.env, secrets: ctx.secrets };
        const done = ({ plan, stamp }: ApplyOutcome) => {
          const s = plan.summary;
          const where = plan.target.kind === 'file' ? plan.target.file : plan.target.url;
          if (!options.quiet) {
            ctx.io.stdout(`Apply complete: ${s.add} added, ${s.change} changed, ${s.destroy} destroyed (environment '${plan.environment}', ${where}).\n`);
            if (stamp) ctx.io.stdout(`Verified: the gateway holds the desired state. Recorded as deployment ${stamp.id} of ${stamp.commit ? `commit ${stamp.commit.slice(0, 7)}${stamp.dirty ? ' with uncommitted changes' : ''}` : 'a tree that is not a commit'} by ${stamp.actor}.\n`);
          }
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
          // The plan names its environment; --env (or GITWAY_ENV) only has to agree with it.
          const outcome = await withFindings(ctx, () => withProgress(ctx.io, options, (p) => applySavedPlan(text, file, { ...base, ...applyOptions, env: options.env as string | undefined, progress: p.phase })));
          if (outcome.plan.changes.length === 0) {
            if (!options.quiet) ctx.io.stdout('No changes. Nothing to apply.\n');
            return 0;
          }
          return done(outcome);
        }
        const { plan, desired } = await withFindings(ctx, () => withProgress(ctx.io, options, (p) => computePlan({ ...base, gitwayVersion: version, progress: p.phase })));
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
        return done(await withProgress(ctx.io, options, (p) => applyPlan(plan, desired, { ...applyOptions, progress: p.phase })));
      }),
    );
}
