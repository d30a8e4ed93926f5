import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { ApplyOptions, ApplyOutcome } from '../../deploy/apply.js';
import type { CheckResult } from '../../deploy/checks.js';
import type { Desired } from '../../deploy/desired.js';
import type { Plan } from '../../plan/plan.js';
import type { CommandContext } from '../main.js';
import { version } from '../main.js';
import { desiredOptions, planStyle, printWarnings, withFindings } from '../plan-output.js';
import { redact, type GlobalOptions } from '../context.js';
import { withProgress } from '../progress.js';

export function registerApply(program: Command, ctx: CommandContext): void {
  program
    .command('apply [plan]')
    .description('apply a saved plan, or plan and apply after confirmation; the write is verified by reading the gateway back')
    .option('-y, --yes', 'apply without asking (needed without a terminal, as in CI)')
    .option('--auto-rollback', "after the write verified, run the smoke checks of every API the plan changed against the environment's proxy; on any failure put the previous state back (exit 1)")
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
the gateway back; a write that does not verify is undone. Ctrl-C during an apply stops at the
next safe point and leaves the previous state.

Exit codes: 0 applied (or nothing to do), 1 cancelled, or failed with the previous state back
            (a smoke check failed, the write did not verify, interrupted),
            3 refused or invalid input (stale plan, another apply got there first),
            4 gateway unreachable or refused, 5 failed and the previous state could not be restored.

Examples:
  gitway plan --out plan.json && gitway apply plan.json
  gitway apply                 # plan, show, ask
  gitway apply --yes --env staging --auto-rollback`,
    )
    .action(
      ctx.action(async (options, file: unknown) => {
        const { computePlan, applySavedPlan } = await import('../../deploy/planner.js');
        const base = desiredOptions(ctx, options);
        if (typeof file === 'string') {
          const { readFile } = await import('node:fs/promises');
          const path = await import('node:path');
          let text: string;
          try {
            text = await readFile(path.resolve(ctx.io.cwd, file), 'utf8');
          } catch (err) {
            throw new UsageError(`cannot read the plan file ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'Give the path of a plan saved with `gitway plan --out FILE`, or run `gitway apply` without one to plan and apply.');
          }
          const outcome = await guarded(ctx, options, (extra) =>
            // The plan names its environment; --env (or GITWAY_ENV) only has to agree with it.
            withFindings(ctx, () => withProgress(ctx.io, options, (p) => applySavedPlan(text, file, { ...base, ...extra, env: options.env as string | undefined, progress: p.phase }))),
          );
          if (outcome.plan.changes.length === 0) {
            if (!options.quiet) ctx.io.stdout('No changes. Nothing to apply.\n');
            return 0;
          }
          return reportApplied(ctx, options, outcome);
        }
        const { plan, desired, live } = await withFindings(ctx, () => withProgress(ctx.io, options, (p) => computePlan({ ...base, gitwayVersion: version, progress: p.phase })));
        printWarnings(ctx, options, desired.warnings);
        return confirmAndApply(ctx, options, plan, desired, { live });
      }),
    );
}

/**
 * Shows a plan, asks for confirmation (unless --yes), applies it (with --auto-rollback's smoke
 * checks when asked) and reports: what `apply` and `rollback` share.
 */
export async function confirmAndApply(
  ctx: CommandContext,
  options: GlobalOptions & Record<string, unknown>,
  plan: Plan,
  desired: Desired,
  extra: Partial<ApplyOptions>,
  question = 'Apply these changes',
  noTerminalHint = 'Review the plan above and pass --yes, or save it with `gitway plan --out plan.json` and run `gitway apply plan.json`.',
): Promise<number> {
  const report = await import('../../report/plan.js');
  if (!options.quiet || !options.yes) ctx.io.stdout(redact(report.renderPlanText(plan, await planStyle(ctx.io, options)), ctx.secrets));
  if (plan.changes.length === 0) return 0;
  if (!options.yes) {
    if (!ctx.io.interactive || !ctx.io.ask) {
      throw new UsageError('refusing to apply without confirmation: there is no terminal to ask on; nothing was written', noTerminalHint);
    }
    const answer = await ctx.io.ask(`\n${question} to environment '${plan.environment}'? Only 'yes' is accepted: `);
    if (answer.trim() !== 'yes') {
      ctx.io.stderr('Apply cancelled; nothing was written.\n');
      return 1;
    }
  }
  const { applyPlan } = await import('../../deploy/apply.js');
  const outcome = await guarded(ctx, options, (more) => withProgress(ctx.io, options, (p) => applyPlan(plan, desired, { ...more, ...extra, progress: p.phase })));
  return reportApplied(ctx, options, outcome);
}

/**
 * Runs an apply with what every apply gets: the stamp's facts, Ctrl-C and SIGTERM held until a
 * safe point, and with --auto-rollback, the smoke checks (each printed as it finishes).
 */
async function guarded<T>(ctx: CommandContext, options: GlobalOptions & Record<string, unknown>, body: (extra: ApplyOptions) => Promise<T>): Promise<T> {
  const { watchInterrupts } = await import('../interrupt.js');
  const watch = watchInterrupts(ctx.io);
  const extra: ApplyOptions = { gitwayVersion: version, processEnv: ctx.io.env, secrets: ctx.secrets, interrupted: watch.interrupted };
  if (options.autoRollback) {
    const checks = await import('../../deploy/checks.js');
    // Refused before anything is written when the checks could not be sent (no proxy).
    extra.beforeWrite = () => {
      if (current && plan) checks.plannedChecks(current, checks.changedApis(plan, current));
    };
    extra.afterVerify = async () => {
      const desired = current;
      if (!desired || !plan) return undefined;
      const apis = checks.changedApis(plan, desired);
      const results = await checks.runChecks(desired, apis, { interrupted: watch.interrupted, onResult: (r) => printCheck(ctx, options, r) });
      if (!options.quiet && results.length === 0) ctx.io.stderr(`No smoke checks to run (the changed APIs${apis.length ? `, ${apis.join(', ')},` : ''} declare none).\n`);
      return checks.describeFailures(results);
    };
  }
  // The desired state and plan being applied come back through onDesired (applySavedPlan loads them inside).
  let current: Desired | undefined;
  let plan: Plan | undefined;
  extra.onDesired = (d, p) => {
    current = d;
    plan = p;
  };
  try {
    return await body(extra);
  } finally {
    watch.dispose();
  }
}

function printCheck(ctx: CommandContext, options: GlobalOptions, r: CheckResult): void {
  if (options.quiet && r.ok) return;
  const line = r.ok
    ? `✔ smoke check '${r.name}' (API ${r.api}): ${r.request} → ${r.got.split(' ')[0]} in ${(r.ms / 1000).toFixed(1)} s\n`
    : `✖ smoke check '${r.name}' (API ${r.api}): ${r.request}: ${r.problems.join('; ')} (last answer: ${r.got || 'none'}; ${r.attempts} attempts over ${(r.ms / 1000).toFixed(1)} s)\n`;
  ctx.io.stderr(redact(line, ctx.secrets));
}

async function reportApplied(ctx: CommandContext, options: GlobalOptions, { plan, stamp }: ApplyOutcome): Promise<number> {
  const s = plan.summary;
  const { targetLabel } = await import('../../plan/plan.js');
  const where = targetLabel(plan.target);
  if (!options.quiet) {
    const what = stamp?.action === 'rollback' ? 'Rollback complete' : 'Apply complete';
    ctx.io.stdout(`${what}: ${s.add} added, ${s.change} changed, ${s.destroy} destroyed (environment '${plan.environment}', ${where}).\n`);
    if (stamp) ctx.io.stdout(`Verified: the gateway holds the desired state. Recorded as deployment ${stamp.id} of ${stamp.commit ? `commit ${stamp.commit.slice(0, 7)}${stamp.dirty ? ' with uncommitted changes' : ''}` : 'a tree that is not a commit'} by ${stamp.actor}.\n`);
  }
  return 0;
}
