/**
 * Analyses OpenAPI documents on worker threads, several at once, each within a time bound: a
 * document that takes longer is reported as too slow (and its worker stopped) instead of hanging
 * the run. Files are read by this thread from the Tree, so `--rev` and `--staged` work as well.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { Tree } from '../workspace/tree.js';
import { analyseDocument, type OpenApiSummary } from './analyse.js';

export interface PoolOptions {
  timeoutMs: number;
  /** Threads to use; default: the machine's cores, at most 4. */
  concurrency?: number;
}

const workerFile = fileURLToPath(new URL('./worker.js', import.meta.url));

export async function analyseDocuments(tree: Tree, files: readonly string[], options: PoolOptions): Promise<Map<string, OpenApiSummary>> {
  const results = new Map<string, OpenApiSummary>();
  if (files.length === 0) return results;
  const read = (f: string) => tree.read(f);
  if (!existsSync(workerFile)) {
    // Running from sources (unit tests): same analysis on this thread, with a soft time bound.
    for (const file of files) results.set(file, await withSoftTimeout(file, analyseDocument(file, read), options.timeoutMs));
    return results;
  }
  const { Worker } = await import('node:worker_threads');
  const queue = [...files];
  const threads = Math.max(1, Math.min(options.concurrency ?? Math.min(os.availableParallelism(), 4), queue.length));

  const runOne = (worker: Worker, file: string) =>
    new Promise<{ summary: OpenApiSummary; alive: boolean }>((resolve) => {
      const started = performance.now();
      const finish = (summary: OpenApiSummary, alive: boolean) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        resolve({ summary, alive });
      };
      const timer = setTimeout(() => {
        void worker.terminate();
        finish(tooSlow(file, options.timeoutMs), false);
      }, options.timeoutMs);
      const onMessage = async (msg: { type: string; id?: number; file?: string; summary?: OpenApiSummary; error?: string }) => {
        if (msg.type === 'read' && msg.id !== undefined && msg.file !== undefined) {
          try {
            const bytes = await tree.read(msg.file);
            worker.postMessage({ type: 'read-result', id: msg.id, bytes });
          } catch (err) {
            worker.postMessage({ type: 'read-result', id: msg.id, error: (err as Error).message });
          }
        } else if (msg.type === 'done' && msg.summary) {
          finish(msg.summary, true);
        } else if (msg.type === 'failed') {
          finish(crashed(file, msg.error ?? 'unknown error', performance.now() - started), true);
        }
      };
      const onError = (err: Error) => finish(crashed(file, err.stack ?? err.message, performance.now() - started), false);
      const onExit = (code: number) => finish(crashed(file, `worker exited with code ${code}`, performance.now() - started), false);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage({ type: 'analyse', file });
    });

  const lane = async () => {
    let worker: Worker | undefined;
    try {
      for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
        worker ??= new Worker(workerFile);
        const { summary, alive } = await runOne(worker, file);
        results.set(file, summary);
        if (!alive) worker = undefined;
      }
    } finally {
      if (worker) await worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: threads }, lane));
  return new Map(files.map((f) => [f, results.get(f)!]));
}

async function withSoftTimeout(file: string, work: Promise<OpenApiSummary>, ms: number): Promise<OpenApiSummary> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<OpenApiSummary>((resolve) => {
    timer = setTimeout(() => resolve(tooSlow(file, ms)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

function tooSlow(file: string, ms: number): OpenApiSummary {
  return {
    file,
    valid: false,
    servers: [],
    operations: [],
    files: [file],
    ms,
    phases: { read: 0, parse: 0, resolve: 0, validate: 0, positions: 0 },
    findings: [
      {
        file,
        line: 1,
        column: 1,
        path: [],
        code: 'openapi-timeout',
        severity: 'error',
        message: `${file} took longer than ${ms / 1000} s to load and validate, so gitway stopped; raise openapi.timeoutSeconds in gitway.yaml if the document really is that large`,
      },
    ],
  };
}

function crashed(file: string, detail: string, ms: number): OpenApiSummary {
  return {
    file,
    valid: false,
    servers: [],
    operations: [],
    files: [file],
    ms: Math.round(ms),
    phases: { read: 0, parse: 0, resolve: 0, validate: 0, positions: 0 },
    findings: [{ file, line: 1, column: 1, path: [], code: 'openapi-crash', severity: 'error', message: `gitway could not analyse ${file} (this is likely a bug in gitway): ${detail.split('\n')[0]}` }],
  };
}
