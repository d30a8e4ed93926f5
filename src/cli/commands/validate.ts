import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { emit, styleFor, useColor } from '../context.js';
import type { CommandContext } from '../main.js';

const FORMATS = ['stylish', 'json'] as const;

export function registerValidate(program: Command, ctx: CommandContext): void {
  program
    .command('validate')
    .description('parse every file, check manifests against the schema and each other, and validate the OpenAPI documents they name')
    .option('--rev <rev>', 'read the repository as it is in a commit, tag or branch (no checkout)')
    .option('--staged', 'read what is staged in the git index, not the working copy')
    .option('--no-cache', 'do not use (or fill) the result cache in .gitway/cache')
    .option('--openapi-timeout <seconds>', 'time allowed per OpenAPI document (default: openapi.timeoutSeconds or 30)')
    .addHelpText(
      'after',
      `
Formats (--format): stylish (default), json.
Exit codes: 0 no errors, 3 errors found or input unusable.

Examples:
  gitway validate
  gitway validate --env staging --format json
  gitway validate --rev main~3
  gitway validate --staged --quiet`,
    )
    .action(
      ctx.action(async (options) => {
        const format = (options.format as string | undefined) ?? 'stylish';
        if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`format '${format}' is not available for validate (use ${FORMATS.join(' or ')})`);
        const timeout = options.openapiTimeout === undefined ? undefined : Number(options.openapiTimeout);
        if (timeout !== undefined && !(timeout > 0)) throw new UsageError(`--openapi-timeout must be a number of seconds above 0, not '${String(options.openapiTimeout)}'`);
        const { validateProject } = await import('../../checks/validate.js');
        const result = await validateProject({
          cwd: options.cwd ? String(options.cwd) : ctx.io.cwd,
          config: options.config as string | undefined,
          env: options.env as string | undefined,
          rev: options.rev as string | undefined,
          staged: Boolean(options.staged),
          processEnv: ctx.io.env,
          openapiTimeoutMs: timeout === undefined ? undefined : timeout * 1000,
          cache: options.cache !== false,
        });
        ctx.secrets.push(...result.secrets);
        const shown = options.quiet ? result.findings.filter((f) => f.severity === 'error') : result.findings;
        if (format === 'json') {
          emit(ctx.io, options, (await import('../../report/findings.js')).renderJson(shown, { environment: result.environment, source: result.source, documents: result.documents, manifests: result.manifests }), result.secrets);
        } else {
          const { renderStylish } = await import('../../report/findings.js');
          const text = renderStylish(shown, await styleFor(useColor(ctx.io, options)));
          const summary = result.ok && !options.quiet ? `✔ ${result.manifests} manifest${result.manifests === 1 ? '' : 's'} and ${result.documents.length} OpenAPI document${result.documents.length === 1 ? '' : 's'} (${result.operations} operations) are valid for environment '${result.environment}' (${result.source}).\n` : '';
          emit(ctx.io, options, text + summary, result.secrets);
        }
        return result.ok ? 0 : 3;
      }),
    );
}
