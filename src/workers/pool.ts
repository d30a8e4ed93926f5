/**
 * Jobs on worker threads, several at once, each within a time bound, with the Tree served to the
 * workers from this thread (so `--rev` and `--staged` read the same files everywhere). A job that
 * overruns its bound has its worker stopped; the caller decides what that job's result is, or asks
 * for it to run again (on a fresh worker, whose `workerData` may have changed meanwhile).
 */
import os from 'node:os';
import { SHARE_ENV, Worker, type ResourceLimits } from 'node:worker_threads';
import type { Tree } from '../workspace/tree.js';
import { warm, type WorkerKeeper } from './warm.js';

export interface PoolOptions<I, O> {
  workerFile: string;
  tree: Tree;
  /** Threads to use; default: the machine's cores, at most 4. */
  threads?: number;
  /** Data for each new worker, read when it starts. */
  workerData?: () => unknown;
  /**
   * A worker started earlier (`prestart`, same worker file, data as `workerData` would give now),
   * taken by the first lane instead of a new one. The caller closes it (a no-op once taken).
   */
  prestarted?: Prestarted;
  /**
   * What every job needs besides its input and is not ready yet (a lint's ruleset, which this
   * thread prepares meanwhile): asked for once the workers have started and been told their first
   * input (a `hint`, to begin on it: read and parse a file), then sent with each job.
   */
  shared?: () => Promise<unknown>;
  /**
   * Files a hinted input is read from first: read here before `shared` is asked for (it may keep
   * this thread busy) and sent with the hint, so the worker has them without asking.
   */
  prefetch?: (input: I) => string[];
  timeoutMs: (input: I) => number;
  /**
   * Bound on a job's setup (a fresh worker loading what it needs), for workers that say when the
   * job itself starts (`started()` in serve); the job's own bound then counts from there.
   * Default: the job's bound covers setup and job together.
   */
  setupTimeoutMs?: number;
  /** What an overrun job gives: a result, or `retry` to run it again on a fresh worker. */
  onTimeout: (input: I, worker: { data: unknown; started: boolean }) => TimeoutDecision<O> | Promise<TimeoutDecision<O>>;
  /** Hears of every file sent to a worker for an input (read for its job, or sent with its hint). */
  onServe?: (input: I, file: string, bytes: Buffer) => void;
  /** What a job gives when its worker fails (a bug, or an error the worker could not report). */
  onCrash: (input: I, detail: string) => O;
  /** An error the worker reports as expected (e.g. a ruleset that cannot load) rejects the whole run. */
  onFatal?: (error: { message: string; name?: string; hint?: string }) => Error;
  /**
   * In a long-lived process (workers/warm.ts): workers that end the run healthy are kept under the
   * key of their data, and a later run whose `workerData` has the same key takes them instead of
   * starting new ones. The key must say everything a worker holds from earlier jobs (its data, its
   * loaded ruleset).
   */
  keepKey?: (data: unknown) => string;
  /** The workers' heap settings (`new Worker`'s resourceLimits). */
  resourceLimits?: ResourceLimits;
}

export type TimeoutDecision<O> = { output: O } | { retry: true };

interface Message {
  type: 'read' | 'started' | 'done' | 'failed' | 'fatal';
  id?: number;
  file?: string;
  output?: unknown;
  heap?: number;
  error?: string;
  message?: string;
  name?: string;
  hint?: string;
}

/** A worker started before its jobs are known, so it loads its modules meanwhile. */
export interface Prestarted {
  readonly data: unknown;
  /** Hands the worker over (once); undefined when it was closed, taken or has failed. */
  take(): WorkerState | undefined;
  /** Stops it unless it was taken. Safe to call twice. */
  close(): void;
}

interface WorkerState {
  worker: Worker;
  /** What it was started with. */
  data: unknown;
  /** Serves the worker's reads from this run's Tree. */
  reads?: (msg: Message) => void;
  /** Stops watching for its end (before it is kept for another run). */
  unwatch?: () => void;
  /** Its heap's size after its last job, as it reported it. */
  heap?: number;
  /** The input the worker is busy with (or was hinted), whose reads these are. */
  current?: unknown;
  /** Why the worker ended, when it did. */
  ended?: string;
}

function spawn(workerFile: string, data: unknown, resourceLimits?: ResourceLimits): WorkerState {
  // a kept worker serves later commands: it reads the environment of the one running (workers/warm.ts)
  return watchEnd({ worker: new Worker(workerFile, { workerData: data, env: warm() ? SHARE_ENV : undefined, resourceLimits }), data });
}

/** A worker whose heap grew past this after its last job (a document of several MB) is not kept. */
const KEEP_HEAP_LIMIT = 512 * 1024 * 1024;

/** Keeps a healthy worker for a later run under `key` (a long-lived process), or lets it go. */
function keepOrEnd(state: WorkerState, keeper: WorkerKeeper | undefined, key: (() => string) | undefined): void {
  state.unwatch?.();
  if (keeper && key && state.ended === undefined && (state.heap ?? 0) <= KEEP_HEAP_LIMIT) keeper.put(key(), { worker: state.worker, data: state.data });
  // not awaited: a worker with a large heap takes a while to tear down (0.15 s after a 4 MB
  // document); the process still waits for it before exiting, but reports the results meanwhile
  else state.worker.terminate().catch(() => undefined);
}

/** A worker that fails between jobs (while it prepares a hinted input) fails its next job. */
function watchEnd(state: WorkerState): WorkerState {
  const worker = state.worker;
  const error = (err: Error) => (state.ended ??= err.stack ?? err.message);
  const exit = (code: number) => (state.ended ??= `worker exited with code ${code}`);
  worker.on('error', error).on('exit', exit);
  state.unwatch = () => worker.off('error', error).off('exit', exit);
  return state;
}

/**
 * In a long-lived process (workers/warm.ts), `keepKey` names where a worker left unused is kept, and
 * where the next prestart finds it instead of starting another.
 */
export function prestart(workerFile: string, data: unknown, keepKey?: string, resourceLimits?: ResourceLimits): Prestarted {
  const keeper = keepKey === undefined ? undefined : warm()?.workers;
  const kept = keeper?.take(keepKey!);
  let state: WorkerState | undefined = kept ? watchEnd({ worker: kept.worker, data: kept.data }) : spawn(workerFile, data, resourceLimits);
  return {
    data: state.data,
    take() {
      const taken = state?.ended === undefined ? state : undefined;
      state = undefined;
      return taken;
    },
    close() {
      if (state) keepOrEnd(state, keeper, () => keepKey!);
      state = undefined;
    },
  };
}

/** Starts the workers before it first awaits anything (the caller may start other work right after). */
export async function runPool<I, O>(inputs: readonly I[], options: PoolOptions<I, O>): Promise<O[]> {
  const results: O[] = new Array(inputs.length);
  if (inputs.length === 0) return results;
  const queue = inputs.map((input, index) => ({ input, index }));
  const threads = Math.max(1, Math.min(options.threads ?? Math.min(os.availableParallelism(), 4), queue.length));
  let fatal: Error | undefined;

  const hints: Promise<void>[] = [];
  let shared: Promise<unknown> | undefined;
  const sharedOnce = () => (shared ??= Promise.all(hints).then(() => options.shared?.()));
  const hint = async (state: WorkerState, input: I) => {
    const files = options.prefetch?.(input) ?? [];
    const bytes = await Promise.all(files.map((f) => options.tree.read(f).catch(() => undefined)));
    state.current = input;
    files.forEach((f, i) => bytes[i] && options.onServe?.(input, f, bytes[i]));
    state.worker.postMessage({ type: 'hint', input, files: Object.fromEntries(files.flatMap((f, i) => (bytes[i] ? [[f, bytes[i]]] : []))) });
  };

  /** A worker that reads through the Tree from now on (a hinted input is read before its job). */
  const serveReads = (state: WorkerState) => {
    const worker = state.worker;
    state.reads = async (msg: Message) => {
      if (msg.type !== 'read' || msg.id === undefined || msg.file === undefined) return;
      try {
        const bytes = await options.tree.read(msg.file);
        if (state.current !== undefined) options.onServe?.(state.current as I, msg.file, bytes);
        worker.postMessage({ type: 'read-result', id: msg.id, bytes });
      } catch (err) {
        worker.postMessage({ type: 'read-result', id: msg.id, error: (err as Error).message });
      }
    };
    worker.on('message', state.reads);
    return state;
  };
  let early = options.prestarted;
  const keeper = options.keepKey && warm()?.workers;
  /** A healthy worker kept for a later run (long-lived process), or let go. */
  const release = (state: WorkerState) => {
    if (state.reads) state.worker.off('message', state.reads);
    state.current = undefined;
    keepOrEnd(state, fatal ? undefined : keeper, () => options.keepKey!(state.data));
  };

  const runOne = (state: WorkerState, data: unknown, input: I, shared: unknown) =>
    new Promise<{ output?: O; retry?: boolean; alive: boolean }>((resolve) => {
      const worker = state.worker;
      if (state.ended !== undefined) {
        resolve({ output: options.onCrash(input, state.ended), alive: false });
        return;
      }
      let settled = false;
      const finish = (r: { output?: O; retry?: boolean; alive: boolean } | Promise<{ output?: O; retry?: boolean; alive: boolean }>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        resolve(r);
      };
      let started = false;
      const overrun = () => {
        void worker.terminate();
        finish(Promise.resolve(options.onTimeout(input, { data, started })).then((decided) => ('retry' in decided ? { retry: true, alive: false } : { output: decided.output, alive: false })));
      };
      let timer = setTimeout(overrun, Math.max(options.setupTimeoutMs ?? 0, options.timeoutMs(input)));
      const onMessage = (msg: Message) => {
        if (msg.type === 'started') {
          started = true;
          clearTimeout(timer);
          timer = setTimeout(overrun, options.timeoutMs(input));
        } else if (msg.type === 'done') {
          state.heap = msg.heap;
          finish({ output: msg.output as O, alive: true });
        } else if (msg.type === 'fatal') {
          fatal ??= options.onFatal?.({ message: msg.message ?? 'worker failed', name: msg.name, hint: msg.hint }) ?? new Error(msg.message);
          finish({ alive: true });
        } else if (msg.type === 'failed') {
          finish({ output: options.onCrash(input, msg.error ?? 'unknown error'), alive: true });
        }
      };
      const onError = (err: Error) => finish({ output: options.onCrash(input, err.stack ?? err.message), alive: false });
      const onExit = (code: number) => finish({ output: options.onCrash(input, `worker exited with code ${code}`), alive: false });
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      state.current = input;
      worker.postMessage({ type: 'job', input, shared });
    });

  const lane = async () => {
    let worker: WorkerState | undefined;
    let data: unknown;
    try {
      for (let job = queue.shift(); job !== undefined && !fatal; job = queue.shift()) {
        if (!worker) {
          const kept = keeper ? keeper.take(options.keepKey!(options.workerData?.())) : undefined;
          const taken = kept ? undefined : early?.take();
          if (!kept) early = undefined;
          const fresh = kept ? { worker: kept.worker, data: kept.data } : (taken ?? spawn(options.workerFile, options.workerData?.(), options.resourceLimits));
          if (kept) {
            watchEnd(fresh);
            // a new command: the worker lets go of what belongs to the last one (serve's `begin`)
            kept.worker.postMessage({ type: 'begin' });
          }
          data = fresh.data;
          worker = serveReads(fresh);
          if (options.shared) {
            const sent = hint(worker, job.input);
            hints.push(sent);
            await sent;
          }
        }
        const r = await runOne(worker, data, job.input, options.shared ? await sharedOnce() : undefined);
        if (!r.alive) worker = undefined;
        if (r.retry) queue.unshift(job);
        else if (!fatal) results[job.index] = r.output as O;
      }
    } finally {
      if (worker) release(worker);
    }
  };
  await Promise.all(Array.from({ length: threads }, lane));
  if (fatal) throw fatal;
  return results;
}
