/**
 * The CLI's side of `gitway server`: a `gitway lint` hands itself to a running server of this build,
 * which answers in a fraction of the time (Spectral, the ruleset and the cache are already loaded).
 * Whenever the server cannot serve (none runs, it runs older code, it stopped mid-way before
 * printing anything), the command runs in this process as usual: the server only ever saves time.
 * Node built-ins only: bin/gitway.js loads this before anything else.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dirIsPrivate, frame, frameReader, serverAddress, socketIsOurs, type Request, type RunRequest, type ServerStatus } from './address.js';

/** Commands a server runs; everything else always runs in the CLI's own process. */
const SERVED = new Set(['lint']);
/** Global options that take a value (so the command is the first other word). */
const VALUED = new Set(['--env', '-C', '--cwd', '-c', '--config', '-f', '--format', '-o', '--output']);

export function commandOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return argv[i + 1];
    if (VALUED.has(a)) i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

export interface ClientIo {
  stdout: (bytes: Buffer) => void;
  stderr: (bytes: Buffer) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  umask: number;
}

const processClientIo = (): ClientIo => ({
  stdout: (b) => void process.stdout.write(b),
  stderr: (b) => void process.stderr.write(b),
  cwd: process.cwd(),
  env: process.env,
  isTTY: Boolean(process.stdout.isTTY),
  umask: currentUmask(),
});

/** The process's umask (read by setting it and putting it back: node has no plain getter). */
function currentUmask(): number {
  const mask = process.umask(0o022);
  process.umask(mask);
  return mask;
}

/** How long a server may take to take a request before the CLI runs the command itself (a stopped server, say). */
const ACCEPT_MS = 2000;

/**
 * Runs the command in a server of this build when one runs and serves it; the exit code, or
 * undefined when the caller must run it itself. GITWAY_SERVER=off never asks a server;
 * GITWAY_SERVER=auto starts one (in the background) when none runs, for the next command.
 */
export async function forwardToServer(argv: readonly string[], io: ClientIo = processClientIo()): Promise<number | undefined> {
  const mode = io.env.GITWAY_SERVER;
  if (mode === 'off' || mode === '0' || !SERVED.has(commandOf(argv) ?? '')) return undefined;
  // help is laid out for this terminal's width
  if (argv.includes('--help') || argv.includes('-h')) return undefined;
  const address = serverAddress(io.env);
  if (!dirIsPrivate(address.dir) || !socketIsOurs(address.socket)) {
    if (mode === 'auto') startInBackground(io.env);
    return undefined;
  }
  // the server runs it in this folder with this environment and umask, as this process would
  const request: RunRequest = { kind: 'run', argv: [...argv], cwd: io.cwd, env: io.env, isTTY: io.isTTY, umask: io.umask };
  const answer = await exchange(address.socket, request, (type, piece) => (type === 'o' ? io.stdout(piece) : type === 'e' ? io.stderr(piece) : undefined));
  if (answer.kind === 'absent') {
    if (mode === 'auto') startInBackground(io.env);
    return undefined;
  }
  if (answer.kind === 'ended') {
    if (!answer.printed) return undefined; // nothing printed yet: run it here
    io.stderr(Buffer.from('gitway: the gitway server stopped before the command finished (see `gitway server status`); run the command again.\n'));
    return 1;
  }
  const end = answer.end as { code?: number; stale?: boolean; busy?: boolean };
  return end.stale || end.busy ? undefined : (end.code ?? 1);
}

type Answer = { kind: 'absent' } | { kind: 'ended'; printed: boolean } | { kind: 'done'; end: unknown };

/**
 * Sends one request; `onOutput` hears the output (`o`, `e`: piece by piece as it arrives) and
 * status frames; resolves on the end frame or when the connection ends.
 */
export function exchange(socket: string, request: Request, onOutput: (type: 'o' | 'e' | 's', payload: Buffer) => void): Promise<Answer> {
  return new Promise((resolve) => {
    let printed = false;
    let connected = false;
    let settled = false;
    const done = (a: Answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(accept);
      conn.destroy();
      resolve(a);
    };
    // a server that does not take the request soon (stopped, hung) is as good as none
    const accept = setTimeout(() => done({ kind: 'absent' }), ACCEPT_MS);
    const conn = net.connect(socket);
    conn.on('connect', () => {
      connected = true;
      conn.write(frame('r', JSON.stringify(request)));
    });
    conn.on(
      'data',
      frameReader(
        (type, payload) => {
          if (type === 'a') clearTimeout(accept);
          else if (type === 'x') done({ kind: 'done', end: JSON.parse(payload.toString('utf8')) });
          else if (type === 's') onOutput(type, payload);
        },
        (type) =>
          type === 'o' || type === 'e'
            ? (piece) => {
                printed = true;
                onOutput(type, piece);
              }
            : undefined,
      ),
    );
    conn.on('error', () => done(connected ? { kind: 'ended', printed } : { kind: 'absent' }));
    conn.on('close', () => done(connected ? { kind: 'ended', printed } : { kind: 'absent' }));
  });
}

/** The status of the server of this build, or undefined when none runs. */
export async function serverStatus(env: NodeJS.ProcessEnv = process.env): Promise<ServerStatus | undefined> {
  const address = serverAddress(env);
  if (!dirIsPrivate(address.dir) || !socketIsOurs(address.socket)) return undefined;
  let status: ServerStatus | undefined;
  const answer = await exchange(address.socket, { kind: 'status' }, (type, payload) => {
    if (type === 's') status = JSON.parse(payload.toString('utf8')) as ServerStatus;
  });
  return answer.kind === 'done' ? status : undefined;
}

/** Asks the server of this build to stop; true when one was running. */
export async function stopServer(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const address = serverAddress(env);
  if (!dirIsPrivate(address.dir) || !socketIsOurs(address.socket)) return false;
  return (await exchange(address.socket, { kind: 'stop' }, () => undefined)).kind === 'done';
}

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/gitway.js');

/**
 * Starts `gitway server run` detached from this process (its output goes to the log beside the
 * socket); returns its pid. It outlives this process and stops after its idle time.
 */
export function startInBackground(env: NodeJS.ProcessEnv, idleTimeoutS?: number): number | undefined {
  const address = serverAddress(env);
  try {
    mkdirSync(address.dir, { recursive: true, mode: 0o700 });
    if (!dirIsPrivate(address.dir)) return undefined;
    // appended: servers started at once (GITWAY_SERVER=auto) all log; the ones that lose say so
    const log = openSync(address.log, 'a', 0o600);
    // a young generation large enough for a lint's findings (tens of thousands of objects) to die young
    const args = ['--max-semi-space-size=64', bin, 'server', 'run', ...(idleTimeoutS === undefined ? [] : ['--idle-timeout', `${idleTimeoutS}s`])];
    const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log], env: { ...env, GITWAY_SERVER: 'off' } });
    closeSync(log);
    child.unref();
    return child.pid;
  } catch {
    return undefined;
  }
}

/**
 * `gitway server start`: starts a server of this build in the background unless one runs, and waits
 * until it answers. Its status, and whether it was already running.
 */
export async function ensureServer(env: NodeJS.ProcessEnv, idleTimeoutS?: number, waitMs = 30_000): Promise<{ status: ServerStatus; already: boolean }> {
  const running = await serverStatus(env);
  if (running) return { status: running, already: true };
  const pid = startInBackground(env, idleTimeoutS);
  const address = serverAddress(env);
  if (pid === undefined) throw new Error(`could not start a gitway server: the folder ${address.dir} is not private to this user (it must be yours, mode 0700); remove it or set GITWAY_SERVER_DIR`);
  for (const until = Date.now() + waitMs; Date.now() < until; ) {
    await new Promise((r) => setTimeout(r, 100));
    const status = await serverStatus(env);
    if (status) return { status, already: false };
    try {
      process.kill(pid, 0);
    } catch {
      break; // it exited: its log says why
    }
  }
  throw new Error(`the gitway server did not start; its log is ${address.log}`);
}
