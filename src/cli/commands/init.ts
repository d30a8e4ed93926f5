import path from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../main.js';

export function registerInit(program: Command, ctx: CommandContext): void {
  program
    .command('init')
    .description('scaffold a gitway repository: gitway.yaml, one OpenAPI document, one API, Upstream and Policy, and rules/')
    .option('--name <name>', 'name of the example API', 'petstore')
    .addHelpText(
      'after',
      `
Refuses to overwrite any file (nothing is written then; exit 3).

Examples:
  gitway init
  gitway init --cwd new-repo --name orders`,
    )
    .action(
      ctx.action(async (options) => {
        const name = String(options.name);
        if (!/^[a-z0-9]([a-z0-9-]{0,40}[a-z0-9])?$/.test(name)) {
          const { UsageError } = await import('../../errors.js');
          throw new UsageError(`--name '${name}' is not a valid name (lower-case letters, digits and dashes)`);
        }
        const { scaffoldFiles, writeScaffold } = await import('../../manifest/scaffold.js');
        const root = path.resolve(ctx.io.cwd, options.cwd ? String(options.cwd) : '.');
        const result = writeScaffold(root, scaffoldFiles(name));
        if (!options.quiet) {
          ctx.io.stdout(`Created ${result.written.length} files in ${root}:\n${result.written.map((f) => `  ${f}`).join('\n')}\nNext: gitway validate\n`);
        }
        return 0;
      }),
    );
}
