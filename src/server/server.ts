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
import { existsSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { buildStamp, dirIsPrivate, frame, frameReader, writeFrame, serverAddress, type Request, type ServerStatus } from './address.js';
import { enableWarm } from '../workers/warm.js';
import { commandOf } from './client.js';
import { UsageError } from '../errors.js';

export interface ServerOptions {
  env: NodeJS.ProcessEnv;
  idleTimeoutS: number;
  /** One line per event (start, each command, stop), for the server's log. */
  log: (line: string) => void;
}

export const DEFAULT_IDLE_TIMEOUT_S = 30 * 60;

/** Listens until stopped; resolves then. Rejects when it cannot listen (another server runs). */
export async function runServer(options: ServerOptions): Promise<void> {
  const address = serverAddress(options.env);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(address.dir, { recursive: true, mode: 0o700 });
  if (!dirIsPrivate(address.dir)) throw new UsageError(`the server folder ${address.dir} is not private to this user (it must be yours, mode 0700)`, 'Remove it, or set GITWAY_SERVER_DIR to a folder of your own.');
  if (await answers(address.socket)) throw new UsageError(`a gitway server of this build already runs (socket ${address.socket})`, 'Stop it with gitway server stop.');
  if (process.platform !== 'win32' && existsSync(address.socket)) unlinkSync(address.socket); // left by a server that died
  const stamp = buildStamp();
  const { run, version } = await import('../cli/main.js');
  const state = enableWarm();
  const startedAt = new Date();
  let served = 0;
  let queue: Promise<void> = Promise.resolve();
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
        } else {
          queue = queue.then(async () => {
            if (stopping || conn.destroyed) return void conn.destroy();
            clearTimeout(idle);
            if (buildStamp() !== stamp) {
              conn.end(frame('x', JSON.stringify({ stale: true })));
              void stop('gitway was rebuilt or upgraded: this server runs old code');
              return;
            }
            const began = Date.now();
            const write = (t: 'o' | 'e') => (text: string) => void (conn.destroyed || writeFrame(conn, t, text));
            const restore = asCaller(request.env, request.cwd);
            let code: number;
            try {
              code = await run(request.argv, { stdout: write('o'), stderr: write('e'), isTTY: request.isTTY, env: request.env, cwd: request.cwd, interactive: false });
            } catch (err) {
              write('e')(`gitway: the gitway server failed: ${(err as Error).message}\n`);
              code = 1;
            } finally {
              restore();
            }
            served++;
            options.log(`${new Date().toISOString()} ${commandOf(request.argv) ?? '?'} exit ${code} in ${Date.now() - began} ms`);
            conn.end(frame('x', JSON.stringify({ code })));
            armIdle();
          });
        }
      }),
    );
  });

  let closed: () => void;
  const finished = new Promise<void>((resolve) => (closed = resolve));
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    clearTimeout(idle);
    clearInterval(staleCheck);
    options.log(`${new Date().toISOString()} ${why}`);
    server.close();
    await queue.catch(() => undefined);
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
 * Runs with the caller's environment and working folder (commander reads GITWAY_ENV from
 * process.env, git reads GIT_INDEX_FILE, relative paths resolve against the folder); returns what
 * puts the server's back. Commands run one at a time, so nothing else sees them meanwhile.
 */
function asCaller(env: NodeJS.ProcessEnv, cwd: string): () => void {
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  const replace = (next: NodeJS.ProcessEnv) => {
    for (const k of Object.keys(process.env)) if (!(k in next)) delete process.env[k];
    for (const [k, v] of Object.entries(next)) if (v !== undefined) process.env[k] = v;
  };
  replace(env);
  try {
    process.chdir(cwd);
  } catch {
    // a folder that is gone: the command reports it
  }
  return () => {
    replace(savedEnv);
    try {
      process.chdir(savedCwd);
    } catch {
      // nothing better to do
    }
  };
}

/** True when something accepts connections on the socket. */
function answers(socket: string): Promise<boolean> {
  if (process.platform !== 'win32' && !existsSync(socket)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const conn = net.connect(socket);
    conn.on('connect', () => {
      conn.destroy();
      resolve(true);
    });
    conn.on('error', () => resolve(false));
  });
}

