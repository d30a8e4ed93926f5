import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { parseDuration } from '../../model/duration.js';
import type { CommandContext } from '../main.js';

/** Longest idle time: what a timer can wait (24.8 days), in round days. */
const MAX_IDLE_S = 24 * 86_400;

/** --idle-timeout in seconds: `90s`, `30m`, `2h`, up to 24 days. */
export function idleSeconds(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms < 1000 || ms > MAX_IDLE_S * 1000) throw new UsageError(`--idle-timeout must be a duration from 1s to 24 days, such as 90s, 30m or 2h, not '${text}'`);
  return ms / 1000;
}

const idleText = (s: number) => (s < 60 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 360) / 10} h`);

const describe = (s: { pid: number; version: string; startedAt: string; served: number; rssBytes: number; workers: number; idleTimeoutS: number }) =>
  `pid ${s.pid}, gitway ${s.version}, up since ${s.startedAt}, ${s.served} command${s.served === 1 ? '' : 's'} served, ${Math.round(s.rssBytes / 1048576)} MB, ${s.workers} worker${s.workers === 1 ? '' : 's'} kept; stops after ${idleText(s.idleTimeoutS)} idle`;

export function registerServer(program: Command, ctx: CommandContext): void {
  const server = program
    .command('server')
    .description('a background process that keeps Spectral, the ruleset and the cache loaded, so `gitway lint` (and the pre-commit hook) answers in a fraction of the time')
    .addHelpText(
      'after',
      `
While a server of this gitway build runs, every \`gitway lint\` of this user runs in it (same output,
same exit code); otherwise lint runs as usual. GITWAY_SERVER=off never uses one; GITWAY_SERVER=auto
starts one in the background when none runs. A rebuilt or upgraded gitway never uses an older server.

Examples:
  gitway server start                  (then commit as usual: the hook's lint runs warm)
  gitway server start --idle-timeout 2h
  gitway server status
  gitway server stop`,
    );
  server
    .command('start')
    .description('start the server in the background unless it runs (it stops by itself after --idle-timeout without a command)')
    .option('--idle-timeout <duration>', 'stop after this long without a command: 90s, 30m, 2h', '30m')
    .action(
      ctx.action(async (options) => {
        const idle = idleSeconds(String(options.idleTimeout));
        const { ensureServer } = await import('../../server/client.js');
        let started;
        try {
          started = await ensureServer(ctx.io.env, idle);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
        if (!options.quiet) ctx.io.stdout(`${started.already ? 'A gitway server already runs' : 'Started the gitway server'}: ${describe(started.status)}.\nStop it with gitway server stop.\n`);
        return 0;
      }),
    );
  server
    .command('stop')
    .description('stop the server (commands it is running finish first)')
    .action(
      ctx.action(async (options) => {
        const { stopServer } = await import('../../server/client.js');
        const stopped = await stopServer(ctx.io.env);
        if (!options.quiet) ctx.io.stdout(stopped ? 'Stopped the gitway server.\n' : 'No gitway server of this build runs.\n');
        return 0;
      }),
    );
  server
    .command('status')
    .description('whether a server of this build runs, and what it holds')
    .action(
      ctx.action(async (options) => {
        const { serverStatus } = await import('../../server/client.js');
        const status = await serverStatus(ctx.io.env);
        if (options.format === 'json') ctx.io.stdout(`${JSON.stringify(status ? { running: true, ...status } : { running: false }, null, 2)}\n`);
        else if (options.format !== undefined && options.format !== 'text' && options.format !== 'stylish') throw new UsageError(`format '${String(options.format)}' is not available for server status (use text or json)`);
        else ctx.io.stdout(status ? `The gitway server runs: ${describe(status)}.\n` : 'No gitway server of this build runs (start one with gitway server start).\n');
        return 0;
      }),
    );
  server
    .command('run')
    .description('run the server in the foreground (what start runs in the background), logging each command')
    .option('--idle-timeout <duration>', 'stop after this long without a command: 90s, 30m, 2h', '30m')
    .action(
      ctx.action(async (options) => {
        const idle = idleSeconds(String(options.idleTimeout));
        const { runServer } = await import('../../server/server.js');
        // the caller of a running command went away: the process ends, as that command would have
        await runServer({ env: ctx.io.env, idleTimeoutS: idle, log: (line) => ctx.io.stderr(`${line}\n`), abandon: () => process.exit(1) });
        return 0;
      }),
    );
}
