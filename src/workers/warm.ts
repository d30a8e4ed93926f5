/**
 * What a long-lived gitway process (`gitway server`) keeps between commands: worker threads that
 * have loaded their modules (a lint worker holds Spectral and a ruleset), and cache entries already
 * parsed. A one-shot CLI run keeps nothing: `warm()` is undefined there and every caller goes its
 * usual way.
 */
import type { Worker } from 'node:worker_threads';

/** An idle worker and what it was started with. */
export interface KeptWorker {
  worker: Worker;
  data: unknown;
  /** Set when the worker failed or exited while idle: never handed out again. */
  ended?: string;
}

/** The listeners that watch a kept worker while it is idle. */
const watchers = new WeakMap<KeptWorker, { error: (err: Error) => void; exit: (code: number) => void }>();

export class WorkerKeeper {
  private readonly idle = new Map<string, KeptWorker[]>();

  /**
   * At most this many idle workers are kept; putting one more stops the one idle longest (workers
   * of a ruleset edited since, or of a repository not linted lately, go first).
   */
  constructor(private readonly limit = 8) {}

  /** An idle worker kept under `key` (same worker file, same data, same loaded ruleset), if any. */
  take(key: string): KeptWorker | undefined {
    const list = this.idle.get(key);
    while (list?.length) {
      const kept = list.pop()!;
      const w = watchers.get(kept);
      if (w) kept.worker.off('error', w.error).off('exit', w.exit);
      watchers.delete(kept);
      if (list.length === 0) this.idle.delete(key);
      if (kept.ended === undefined) return kept;
    }
    return undefined;
  }

  /** Keeps a worker for a later run with the same key. */
  put(key: string, kept: KeptWorker): void {
    let list = this.idle.get(key);
    if (!list) this.idle.set(key, (list = []));
    const w = { error: (err: Error) => void (kept.ended ??= err.message), exit: (code: number) => void (kept.ended ??= `exited with code ${code}`) };
    watchers.set(kept, w);
    kept.worker.on('error', w.error).on('exit', w.exit);
    // most recently used last, in the map's order too
    this.idle.delete(key);
    this.idle.set(key, list);
    list.push(kept);
    while (this.size > this.limit) {
      const [oldestKey, oldest] = this.idle.entries().next().value as [string, KeptWorker[]];
      const gone = oldest.shift();
      if (oldest.length === 0) this.idle.delete(oldestKey);
      gone?.worker.terminate().catch(() => undefined);
    }
  }

  /** True when a worker is kept under a key that starts with `prefix`. */
  has(prefix: string): boolean {
    return [...this.idle].some(([key, list]) => key.startsWith(prefix) && list.length > 0);
  }

  get size(): number {
    return [...this.idle.values()].reduce((n, list) => n + list.length, 0);
  }

  /** Stops every idle worker. */
  async close(): Promise<void> {
    const all = [...this.idle.values()].flat();
    this.idle.clear();
    await Promise.all(all.map((k) => k.worker.terminate().catch(() => undefined)));
  }
}

export interface WarmState {
  workers: WorkerKeeper;
  /** Parsed cache entries by file, with the file's stat when it was read (see cache.ts). */
  entries: EntryMemo;
}

/** Parsed cache entries, the most recently used last; at most `limit` (the oldest go first). */
export class EntryMemo {
  private readonly map = new Map<string, { stamp: string; entry: unknown }>();

  constructor(private readonly limit = 50_000) {}

  get(file: string, stamp: string): unknown {
    const known = this.map.get(file);
    if (known?.stamp !== stamp) return undefined;
    this.map.delete(file);
    this.map.set(file, known);
    return known.entry;
  }

  set(file: string, stamp: string, entry: unknown): void {
    this.map.delete(file);
    this.map.set(file, { stamp, entry });
    if (this.map.size > this.limit) this.map.delete(this.map.keys().next().value as string);
  }

  get size(): number {
    return this.map.size;
  }
}

let state: WarmState | undefined;

/** Turns on keeping (gitway server, once, at start). */
export function enableWarm(): WarmState {
  return (state ??= { workers: new WorkerKeeper(), entries: new EntryMemo() });
}

export function warm(): WarmState | undefined {
  return state;
}
