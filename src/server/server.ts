/**
 * `gitway server run`: a long-lived process that runs `gitway lint` for the CLI (see client.ts).
 * It keeps lint workers with Spectral and the ruleset loaded, and the cache entries it has read, so
 * a pre-commit `gitway lint --staged` costs only what changed. Commands run one at a time, each
 * with the caller's working folder, environment and terminal, set on this process for the command's
 * duration (a pre-commit hook's GIT_INDEX_FILE names the index being committed; GITWAY_ENV).
 *
 * It stops after `idleTimeoutS` without a command, on `gitway server stop`, on SIGTERM/SIGINT, and
 * as soon as its own build changes on disk (it would run old code): the CLI then runs the command
 * itself.
 */
import { existsSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { buildStamp, dirIsPrivate, frame, frameReader, writeFrame, serverAddress, type Request, type RunRequest, type ServerStatus } from './address.js';
import { enableWarm } from '../workers/warm.js';
import { commandOf, serverStatus } from './client.js';
import { UsageError } from '../errors.js';

export interface ServerOptions {
  env: NodeJS.ProcessEnv;
  idleTimeoutS: number;
  /** One line per event (start, each command, stop), for the server's log. */
  log: (line: string) => void;
  /**
   * Ends the process at once: the caller of a running command went away (Ctrl-C). Without a
   * server that command would have stopped with its caller and written nothing more, so the
   * server stops it the only way it can.
   */
  abandon: () => void;
}

/** Listens until stopped; resolves then. Rejects when it cannot listen (another server runs). */
export async function runServer(options: ServerOptions): Promise<void> {
  const address = serverAddress(options.env);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(address.dir, { recursive: true, mode: 0o700 });
  if (!dirIsPrivate(address.dir)) throw new UsageError(`the server folder ${address.dir} is not private to this user (it must be yours, mode 0700)`, 'Remove it, or set GITWAY_SERVER_DIR to a folder of your own.');
  if (await serverStatus(options.env)) throw new UsageError(`a gitway server of this build already runs (socket ${address.socket})`, 'Stop it with gitway server stop.');
  if (process.platform !== 'win32' && existsSync(address.socket)) unlinkSync(address.socket); // left by a server that died
  forgetOldLogs(address.dir);
  const stamp = buildStamp();
  const { run, version } = await import('../cli/main.js');
  const state = enableWarm();
  const startedAt = new Date();
  let served = 0;
  /** True while a command runs: another caller runs its own command itself meanwhile. */
  let busy = false;
  let idle: NodeJS.Timeout | undefined;
  let stopping = false;
  let staleCheck: NodeJS.Timeout | undefined;

  const server = net.createServer((conn) => {
    conn.on('error', () => undefined);
    conn.on(
      'data',
      frameReader((type, payload) => {
        if (type !== 'r') return;
        let request: Request;
        try {
          request = JSON.parse(payload.toString('utf8')) as Request;
        } catch {
          conn.destroy();
          return;
        }
        if (request.kind === 'status') {
          const status: ServerStatus = { pid: process.pid, version, startedAt: startedAt.toISOString(), idleTimeoutS: options.idleTimeoutS, served, rssBytes: process.memoryUsage.rss(), workers: state.workers.size };
          conn.end(Buffer.concat([frame('s', JSON.stringify(status)), frame('x', '{}')]));
        } else if (request.kind === 'stop') {
          conn.end(frame('x', '{}'));
          void stop('stopped by gitway server stop');
        } else if (busy || stopping) {
          // one command at a time: waiting here could take longer than running it alone
          conn.end(frame('x', JSON.stringify({ busy: true })));
        } else if (buildStamp() !== stamp) {
          conn.end(frame('x', JSON.stringify({ stale: true })));
          void stop('gitway was rebuilt or upgraded: this server runs old code');
        } else {
          busy = true;
          // a caller that gave up waiting (this server was stopped a while) has hung up by now: skip it
          current = new Promise<void>((resolve) => setImmediate(resolve))
            .then(() => (conn.readableEnded || conn.destroyed ? void conn.destroy() : serve(request, conn)))
            .finally(() => {
              busy = false;
              armIdle();
            });
        }
      }),
    );
  });

  let current: Promise<void> = Promise.resolve();
  const serve = async (request: RunRequest, conn: net.Socket) => {
    clearTimeout(idle);
    conn.write(frame('a', ''));
    let finished = false;
    const began = Date.now();
    const write = (t: 'o' | 'e') => (text: string) => void (conn.destroyed || writeFrame(conn, t, text));
    const restore = asCaller(request, write);
    conn.once('close', () => {
      if (finished) return;
      restore(); // the log is the server's own stderr again
      options.log(`${new Date().toISOString()} the caller of a running ${commandOf(request.argv) ?? '?'} went away: stopping`);
      options.abandon();
    });
    let code: number;
    try {
      code = await run(request.argv, { stdout: write('o'), stderr: write('e'), isTTY: request.isTTY, env: request.env, cwd: request.cwd, interactive: false });
    } catch (err) {
      // (run() reports every expected error itself; the message may hold what the command read)
      write('e')('gitway: the gitway server failed to run the command; run it again with GITWAY_SERVER=off\n');
      options.log(`${new Date().toISOString()} failed: ${(err as Error).name}`);
      code = 1;
    } finally {
      restore();
    }
    finished = true;
    served++;
    options.log(`${new Date().toISOString()} ${commandOf(request.argv) ?? '?'} exit ${code} in ${Date.now() - began} ms`);
    conn.end(frame('x', JSON.stringify({ code })));
  };

  let closed: () => void;
  const finished = new Promise<void>((resolve) => (closed = resolve));
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    clearTimeout(idle);
    clearInterval(staleCheck);
    options.log(`${new Date().toISOString()} ${why}`);
    server.close();
    await current.catch(() => undefined);
    await state.workers.close();
    closed();
  };
  const armIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(() => void stop(`idle for ${options.idleTimeoutS} s`), options.idleTimeoutS * 1000);
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.socket, () => resolve());
  });
  options.log(`${startedAt.toISOString()} gitway ${version} server (pid ${process.pid}) listening on ${address.socket}; stops after ${options.idleTimeoutS} s idle`);
  armIdle();
  // a rebuilt or upgraded gitway talks to a new server: this one stops instead of idling on old code
  staleCheck = setInterval(() => void (buildStamp() !== stamp && stop('gitway was rebuilt or upgraded: this server runs old code')), 5000);
  staleCheck.unref();
  const onSignal = () => void stop('signal');
  process.once('SIGTERM', onSignal).once('SIGINT', onSignal);
  await finished;
  process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
}

/**
 * Runs a command as its caller's process would: with the caller's environment (commander reads
 * GITWAY_ENV from process.env, git reads GIT_INDEX_FILE; worker threads share it), working folder
 * (relative paths), umask (modes of files written), and with whatever writes to process.stdout and
 * process.stderr (a rule function's console.log, also from a worker thread) going to the caller.
 * Commands run one at a time, so nothing else sees these meanwhile. Returns what puts the
 * server's own back.
 */
function asCaller(request: RunRequest, write: (t: 'o' | 'e') => (text: string) => void): () => void {
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  const replace = (next: NodeJS.ProcessEnv) => {
    for (const k of Object.keys(process.env)) if (!(k in next)) delete process.env[k];
    for (const [k, v] of Object.entries(next)) if (v !== undefined) process.env[k] = v;
  };
  replace(request.env);
  try {
    process.chdir(request.cwd);
  } catch {
    // a folder that is gone: the command reports it
  }
  const savedMask = process.umask(request.umask);
  const streams = [[process.stdout, write('o')], [process.stderr, write('e')]] as const;
  const savedWrites = streams.map(([stream, to]) => {
    const own = stream.write;
    stream.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
      to(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') process.nextTick(done as () => void);
      return true;
    }) as typeof stream.write;
    return own;
  });
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    streams.forEach(([stream], i) => (stream.write = savedWrites[i]));
    process.umask(savedMask);
    replace(savedEnv);
    try {
      process.chdir(savedCwd);
    } catch {
      // nothing better to do
    }
  };
}

/** Logs of other builds' servers (upgrades, rebuilds) that have not run for a week go. */
function forgetOldLogs(dir: string): void {
  const weekAgo = Date.now() - 7 * 86_400_000;
  try {
    for (const name of readdirSync(dir)) {
      if (!name.endsWith('.log') || existsSync(path.join(dir, name.replace(/\.log$/, '.sock')))) continue;
      const file = path.join(dir, name);
      if (statSync(file).mtimeMs < weekAgo) unlinkSync(file);
    }
  } catch {
    // only tidiness
  }
}
