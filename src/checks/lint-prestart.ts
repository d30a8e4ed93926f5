/**
 * Lint workers started as early as possible: this module loads nothing heavy, so a command can
 * start the worker (which then loads Spectral, a third of a second) before it imports the code
 * that finds, reads and loads what is to be linted. runLintJobs (lint-jobs.ts) takes it for its
 * first jobs.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import type { LintWorkerData } from './lint-worker.js';
import { prestart, type Prestarted } from '../workers/pool.js';
import { warm } from '../workers/warm.js';

const workerFile = fileURLToPath(new URL('./lint-worker.js', import.meta.url));

/** The built worker file; undefined from sources (jest), where lints run on the calling thread. */
export function lintWorkerFile(): string | undefined {
  return existsSync(workerFile) ? workerFile : undefined;
}

/**
 * Linting a large document makes a lot of short-lived garbage (copies made while resolving, the
 * rules' intermediate values), and V8 grows a heap by about half again whenever it fills, so the
 * peak is mostly garbage not yet collected. A smaller young generation for lint workers and a
 * slower growth of every heap of this process (60 % a step) keep DigitalOcean's lint under 300 MB
 * (397 MB without), for about 0.1 s on a 2 s lint. Set once, before the first lint worker starts.
 */
export const LINT_WORKER_LIMITS = { maxYoungGenerationSizeMb: 24 };
let heapGrowthSet = false;
export function limitHeapGrowth(): void {
  if (heapGrowthSet) return;
  heapGrowthSet = true;
  try {
    v8.setFlagsFromString('--heap-growing-percent=60');
  } catch {
    // a runtime without the flag: the default growth
  }
}

export const workerDataFor = (root: string, disabled: string[]): LintWorkerData => ({ root, disabled: [...disabled], current: new SharedArrayBuffer(4) });

/**
 * Starts a lint worker before the files to lint are known (while the project loads and its
 * OpenAPI documents are analysed), so it loads Spectral meanwhile. Undefined where lints run on
 * this thread (from sources), or where a long-lived process keeps one for this repository. The
 * caller closes it (a no-op once runLintJobs took it).
 */
export function prestartLintWorker(root: string): Prestarted | undefined {
  // a long-lived process that kept a lint worker for this repository uses that one; one started
  // early and not used is kept for the next run
  if (!lintWorkerFile() || warm()?.workers.has(`lint\u0000${root}\u0000`)) return undefined;
  limitHeapGrowth();
  return prestart(workerFile, workerDataFor(root, []), `lint-unused\u0000${root}`, LINT_WORKER_LIMITS);
}
