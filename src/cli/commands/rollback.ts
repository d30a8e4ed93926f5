import type { Command } from 'commander';
import type { CommandContext } from '../main.js';
import { version } from '../main.js';
import { desiredOptions, printWarnings, withFindings } from '../plan-output.js';
import { withProgress } from '../progress.js';
import { confirmAndApply } from './apply.js';

export function registerRollback(program: Command, ctx: CommandContext): void {
  program
    .command('rollback [rev]')
    .description('put the environment back to the state of an earlier commit (default: the one deployed before the live one)')
    .option('-y, --yes', 'roll back without asking (needed without a terminal, as in CI)')
    .option('--auto-rollback', 'run the smoke checks of the APIs the rollback changes; on failure put the state before the rollback back')
    .option('--no-lint', "skip the commit's rulesets (validation always runs)")
    .addHelpText(
      'after',
      `
REV is a commit, tag or branch; without it, gitway reads the deployment history stamped on the
gateway (see \`gitway history\`) and takes the newest deployment of another commit before the live
one, so two rollbacks in a row return to where the first started. The tree of REV is read without
a checkout and checked (validation and its rulesets) before anything is written: a revision that
fails is refused (exit 3). Secrets come from the current environment. The rollback is planned and
shown, applied after confirmation as one verified write, and stamped as a rollback.

Exit codes: as apply (0 done, 1 cancelled or failed and restored, 3 refused, 4 gateway, 5 not restored).

Examples:
  gitway rollback --env prod            # back to the previous deployment
  gitway rollback v1.4.0 --env prod --yes`,
    )
    .action(
      ctx.action(async (options, rev: unknown) => {
        const { planRollback } = await import('../../deploy/rollback.js');
        const rolled = await withFindings(ctx, () =>
          withProgress(ctx.io, options, (p) => planRollback({ ...desiredOptions(ctx, options), gitwayVersion: version, to: typeof rev === 'string' ? rev : undefined, lint: options.lint !== false, progress: p.phase })),
        );
        printWarnings(ctx, options, rolled.desired.warnings);
        if (!options.quiet) {
          for (const s of rolled.skipped) ctx.io.stderr(`Passing over the deployment of ${s.time} by ${s.actor}: it was of ${s.source === 'index' ? 'the git index' : 'uncommitted changes'}, which cannot be read back.\n`);
          const target = rolled.from ? `the deployment of ${rolled.from.time} by ${rolled.from.actor}` : `'${rolled.rev}'`;
          ctx.io.stderr(`Rolling back environment '${rolled.plan.environment}' to commit ${(rolled.plan.desired.source === 'commit' ? rolled.plan.desired.commit : rolled.rev).slice(0, 7)} (${target}).\n`);
        }
        return confirmAndApply(ctx, options, rolled.plan, rolled.desired, { action: 'rollback', live: rolled.live }, 'Roll back', 'Review the plan above and run the rollback again with --yes.');
      }),
    );
}
