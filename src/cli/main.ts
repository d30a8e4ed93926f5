/**
 * The commander program: global flags, one file per command, and the one place where errors become
 * messages and exit codes. Commands import their core modules lazily so that `gitway --help` and
 * `gitway --version` load nothing heavy; `gitway --version` alone loads neither commander nor the
 * command modules (bench/startup.js).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ExitCode } from '../errors.js';
import { processIo, redact, type GlobalOptions, type Io } from './context.js';

export const version: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface CommandContext {
  io: Io;
  /** The raw arguments, for flags whose order matters (lint's --format/--output pairs). */
  argv: readonly string[];
  /** Runs a command's body; its return value is the exit code. */
  action<A extends unknown[]>(body: (options: GlobalOptions & Record<string, unknown>, ...args: A) => Promise<number>): (...args: unknown[]) => Promise<void>;
  /** Secret values the running command met; every message is redacted with them. */
  secrets: string[];
}

export async function run(argv: string[], io: Io = processIo()): Promise<number> {
  // `gitway --version` alone is answered before commander loads (start-up time); it prints what
  // commander's own -V would.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.stdout(`${version}\n`);
    return ExitCode.ok;
  }
  const { Command, CommanderError, Option } = await import('commander');
  const { renderError } = await import('./errors.js');
  // one at a time: jest's ESM loader fails concurrent imports that share a module ("request for
  // '../errors.js' is not in cache")
  const { COMMANDS } = await import('./commands/index.js');
  let exitCode: number = ExitCode.ok;
  let debug = argv.includes('--debug');
  const secrets: string[] = [];
  const program = new Command('gitway');
  program
    .description('GitOps for API gateways: validate, lint, plan, apply and roll back gateway config kept in git.')
    .version(version, '-V, --version', 'print the gitway version')
    .addOption(new Option('--env <name>', 'environment from gitway.yaml (default: defaultEnvironment, the only one, or local)').env('GITWAY_ENV'))
    .option('-C, --cwd <dir>', 'run as if started in <dir>')
    .option('-c, --config <file>', 'path of gitway.yaml (default: searched upwards from the current folder)')
    .option('-f, --format <format>', 'output format of the command (see its help)')
    .option('-o, --output <file>', 'write the main output to <file> instead of stdout')
    .option('--no-color', 'never colour output (NO_COLOR and FORCE_COLOR are honoured too)')
    .option('-q, --quiet', 'print only errors')
    .option('--debug', 'show stack traces and internal detail')
    .showHelpAfterError('(run gitway --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      outputError: (s, write) => write(s.startsWith('error:') ? `gitway: ${s}` : s),
    })
    .exitOverride()
    .addHelpText(
      'after',
      `
Examples:
  gitway init                      scaffold a repository in the current folder
  gitway validate                  check gitway.yaml, manifests and OpenAPI documents
  gitway validate --rev v1.4.0     check a tag without checking it out
  gitway validate --staged         check what is staged, as a pre-commit hook does
  gitway plan --env staging        what an apply would change on the live gateway
  gitway apply --env staging --auto-rollback
                                   apply, verify, run the smoke checks; undo on failure
  gitway history --env staging     what is deployed, by whom, read from the gateway
  gitway rollback --env staging    back to the deployment before the live one

Exit codes: 0 ok, 1 findings or restored failure, 2 changes (plan --detailed-exitcode),
            3 bad input or usage, 4 gateway unreachable or refused, 5 apply not restored.`,
    );

  const context: CommandContext = {
    io,
    argv,
    secrets,
    action:
      (body) =>
      async (...args: unknown[]) => {
        const command = args[args.length - 1] as Command;
        const options = command.optsWithGlobals() as GlobalOptions & Record<string, unknown>;
        debug = Boolean(options.debug);
        // commander passes the positional arguments, then the options object, then the Command
        exitCode = await body(options, ...(args.slice(0, -2) as unknown as Parameters<typeof body> extends [unknown, ...infer R] ? R : never) as never);
      },
  };
  for (const register of COMMANDS) register(program, context);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; help shown because a command is missing (`gitway` alone) is a usage error.
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
    }
    const rendered = renderError(err, debug);
    io.stderr(redact(rendered.message, secrets) + '\n');
    return rendered.exitCode;
  }
  return exitCode;
}
