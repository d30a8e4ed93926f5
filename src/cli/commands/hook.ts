import type { Command } from 'commander';
import type { CommandContext } from '../main.js';

export function registerHook(program: Command, ctx: CommandContext): void {
  const hook = program.command('hook').description('manage the git pre-commit hook that runs `gitway lint --staged`');
  hook
    .command('install')
    .description('install the pre-commit hook (honours core.hooksPath; never replaces a hook gitway did not write without --force)')
    .option('--force', 'replace a pre-commit hook gitway did not write (it is kept as pre-commit.before-gitway)')
    .option('--server', 'run the lint in a gitway server, started on the first commit (GITWAY_SERVER=auto): later commits take a fraction of the time')
    .addHelpText(
      'after',
      `
With the pre-commit framework instead, add to .pre-commit-config.yaml:
  - repo: https://github.com/gitway/gitway
    rev: v0.1.0
    hooks: [{ id: gitway-lint }]

Examples:
  gitway hook install
  gitway hook install --server
  gitway hook install --force`,
    )
    .action(
      ctx.action(async (options) => {
        const { locateRoot } = await import('../../manifest/config.js');
        const { installHook } = await import('../../workspace/hooks.js');
        const { root } = locateRoot({ cwd: options.cwd ? String(options.cwd) : ctx.io.cwd, config: options.config as string | undefined });
        const result = await installHook(root, { force: Boolean(options.force), server: Boolean(options.server) });
        if (!options.quiet) {
          const note = result.replaced === 'gitway' ? ' (updated)' : result.backup ? ` (the previous hook is kept as ${result.backup})` : '';
          const where = options.server ? ', in a gitway server it starts on the first commit' : '';
          ctx.io.stdout(`Installed ${result.file}${note}: every commit now runs gitway lint --staged${where}.\n`);
        }
        return 0;
      }),
    );
}
