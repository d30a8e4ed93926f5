import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { emit, redact } from '../context.js';
import type { CommandContext } from '../main.js';
import { desiredOptions, planStyle, withFindings } from '../plan-output.js';

const FORMATS = ['text', 'json'];

export function registerDump(program: Command, ctx: CommandContext): void {
  program
    .command('dump')
    .description('the live gateway as gitway manifests, to adopt an existing gateway')
    .option('--dir <dir>', 'folder to write the repository files into (default: the repository root, the folder of gitway.yaml)')
    .option('--force', 'overwrite files that exist (default: refuse, and write nothing)')
    .addHelpText(
      'after',
      `
Reads the part of the environment's gateway that gitway owns (only gitway.yaml is read from the
repository) and writes it as repository files:
  gateway/upstreams.yaml, policies.yaml, consumers.yaml, apis.yaml, routes.yaml   manifests
  apis/<api>.yaml   a minimal OpenAPI 3.0 document per API (paths, methods, operationIds),
                    reconstructed from its routes: the real document is not on the gateway
Secrets are on the gateway only as hashes: each one is written as \${env.NAME} (e.g. ALICE_KEY) and
listed, to be set to the real value. Routes and servers gitway does not own, smoke checks (not
on the gateway) and anything that cannot be dumped exactly are reported on stderr (in the
output with --format json). Once the variables are set, \`gitway plan\` shows no changes.

Formats (--format): text (default), json.
Exit codes: 0 written, 3 invalid gitway.yaml or environment, or a file exists (nothing written;
            --force overwrites), 4 gateway unreachable or refused.

Examples:
  gitway dump --env staging
  gitway dump --env prod --dir adopted --format json | jq '.variables'`,
    )
    .action(
      ctx.action(async (options) => {
        const format = options.format ?? 'text';
        if (!FORMATS.includes(format)) throw new UsageError(`format '${format}' is not available for dump (use ${FORMATS.join(', ')})`);
        const { dumpEnvironment } = await import('../../deploy/dump.js');
        const { withProgress } = await import('../progress.js');
        const outcome = await withFindings(ctx, () =>
          withProgress(ctx.io, options, (p) => dumpEnvironment({ ...desiredOptions(ctx, options), dir: options.dir as string | undefined, force: Boolean(options.force), progress: p.phase })),
        );
        const report = await import('../../report/dump.js');
        if (format === 'json') {
          emit(ctx.io, options, report.renderDumpJson(outcome), ctx.secrets);
          return 0;
        }
        if (!options.quiet) emit(ctx.io, options, report.renderDumpText(outcome, await planStyle(ctx.io, options)), ctx.secrets);
        const skipped = report.renderDumpSkipped(outcome);
        if (skipped && !options.quiet) ctx.io.stderr(redact(skipped, ctx.secrets));
        return 0;
      }),
    );
}
