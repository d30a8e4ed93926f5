import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { emit } from '../context.js';
import type { CommandContext } from '../main.js';
import { desiredOptions, planStyle, withFindings } from '../plan-output.js';

const FORMATS = ['text', 'json', 'markdown'];

export function registerHistory(program: Command, ctx: CommandContext): void {
  program
    .command('history')
    .description("the deployments of an environment, read from the gateway itself: revision, time, who, result")
    .addHelpText(
      'after',
      `
Every apply and rollback records a stamp on the gateway (the last 20 are kept): the revision,
its git tree, the time, who deployed (git user or CI variables; GITWAY_ACTOR overrides), the
gitway version, and whether it was applied or failed and was undone. Only gitway.yaml is read
from the repository.

Formats (--format): text (default), json, markdown.
Exit codes: 0 shown, 3 invalid gitway.yaml or environment, 4 gateway unreachable or refused.

Examples:
  gitway history --env staging
  gitway history --env prod --format json | jq '.history[0]'`,
    )
    .action(
      ctx.action(async (options) => {
        const format = options.format ?? 'text';
        if (!FORMATS.includes(format)) throw new UsageError(`format '${format}' is not available for history (use ${FORMATS.join(', ')})`);
        const { readLive } = await import('../../deploy/live.js');
        const { withProgress } = await import('../progress.js');
        const read = await withFindings(ctx, () => withProgress(ctx.io, options, (p) => readLive({ ...desiredOptions(ctx, options), progress: p.phase })));
        const report = await import('../../report/history.js');
        const view = { environment: read.environment.name, where: read.where, history: read.live.history };
        const text = format === 'json' ? report.renderHistoryJson(view) : format === 'markdown' ? report.renderHistoryMarkdown(view) : report.renderHistoryText(view, await planStyle(ctx.io, options));
        emit(ctx.io, options, text, ctx.secrets);
        return 0;
      }),
    );
}
