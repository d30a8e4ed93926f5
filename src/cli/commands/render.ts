import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { emit } from '../context.js';
import type { CommandContext } from '../main.js';
import { addTreeOptions, desiredOptions, printWarnings, withFindings } from '../plan-output.js';

export function registerRender(program: Command, ctx: CommandContext): void {
  addTreeOptions(program.command('render'))
    .description("print the native config the environment's driver would load (Caddy JSON), compiled from the repository")
    .addHelpText(
      'after',
      `
To stdout, secret values are shown as (sensitive). With --output FILE the real values are written
(atomically, mode 0600): that file is for the gateway, keep it out of git.
Exit codes: 0 rendered, 3 invalid repository, route conflict or a policy the driver cannot enforce.

Examples:
  gitway render
  gitway render --env staging --rev v1.4.0
  gitway render --output /etc/caddy/gitway.json && caddy validate --config /etc/caddy/gitway.json`,
    )
    .action(
      ctx.action(async (options) => {
        if (options.format !== undefined && options.format !== 'json') throw new UsageError(`format '${String(options.format)}' is not available for render (it prints the driver's native config: json)`);
        const { loadDesired } = await import('../../deploy/desired.js');
        const desired = await withFindings(ctx, () => loadDesired(desiredOptions(ctx, options)));
        printWarnings(ctx, options, desired.warnings);
        const text = desired.driver.render(desired.native);
        if (options.output) {
          const path = await import('node:path');
          const target = path.resolve(ctx.io.cwd, String(options.output));
          const { writeFileAtomic } = await import('../../gateways/atomic.js');
          try {
            await writeFileAtomic(target, text, { mode: 0o600 });
          } catch (err) {
            throw new UsageError(`cannot write --output ${String(options.output)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'Give a file path in a folder you can write to.');
          }
          if (!options.quiet) ctx.io.stderr(`Wrote ${desired.driver.name} config for environment '${desired.environment.name}' to ${String(options.output)} (mode 0600; it holds secret values).\n`);
        } else {
          emit(ctx.io, { ...options, output: undefined }, text, ctx.secrets);
        }
        return 0;
      }),
    );
}
