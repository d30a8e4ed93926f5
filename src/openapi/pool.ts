/**
 * Analyses OpenAPI documents on worker threads, several at once, each within a time bound: a
 * document that takes longer is reported as too slow (and its worker stopped) instead of hanging
 * the run. Files are read by this thread from the Tree, so `--rev` and `--staged` work as well.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { blobId, type Tree } from '../workspace/tree.js';
import type { OpenApiSummary } from './analyse.js';
import { prestart, type Prestarted } from '../workers/pool.js';
import { warm } from '../workers/warm.js';

export interface PoolOptions {
  timeoutMs: number;
  /** Threads to use; default: the machine's cores, at most 4. */
  concurrency?: number;
  /** Serve unchanged documents from .gitway/cache (default true). */
  cache?: boolean;
  /** A worker started earlier (prestartAnalysisWorker), taken for the first document to analyse. */
  prestarted?: Prestarted;
}

const workerFile = fileURLToPath(new URL('./worker.js', import.meta.url));
/** Workers of a long-lived process are kept under this key (they hold nothing of a document after its job). */
const KEEP_KEY = 'openapi';

/**
 * Starts an analysis worker while the project's manifests load, so that it has loaded its modules
 * (the OpenAPI parser and validator) when a document that is not cached comes; unused, it ends
 * (or a long-lived process keeps it) when the caller closes it. Undefined from sources (tests).
 */
export function prestartAnalysisWorker(): Prestarted | undefined {
  if (!existsSync(workerFile)) return undefined;
  return prestart(workerFile, undefined, warm() ? KEEP_KEY : undefined);
}

export async function analyseDocuments(tree: Tree, files: readonly string[], options: PoolOptions): Promise<Map<string, OpenApiSummary>> {
  if (files.length === 0) return new Map();
  if (options.cache === false) return analyseUncached(tree, files, options);
  const { ResultCache } = await import('../cache.js');
  const cache = new ResultCache<OpenApiSummary>(tree.root, 'openapi', 'analyse');
  const cached = await Promise.all(files.map((f) => cache.get(f, (dep) => tree.fingerprint(dep))));
  const missing = files.filter((_, i) => cached[i] === undefined);
  // the content each analysis was given, not the files as they are once it is over
  const served = new Map<string, Map<string, string>>();
  const fresh = await analyseUncached(tree, missing, options, (file, dep, bytes) => {
    if (!served.has(file)) served.set(file, new Map());
    served.get(file)!.set(dep, blobId(bytes));
  });
  for (const summary of fresh.values()) {
    if (summary.findings.some((f) => f.code === 'openapi-timeout' || f.code === 'openapi-crash')) continue;
    const deps = new Map<string, string>();
    for (const f of summary.files) deps.set(f, served.get(summary.file)?.get(f) ?? (await tree.fingerprint(f).catch(() => '')));
    await cache.set(summary.file, deps, summary);
  }
  return new Map(files.map((f, i) => [f, cached[i] ?? fresh.get(f)!]));
}

async function analyseUncached(tree: Tree, files: readonly string[], options: PoolOptions, onServe?: (file: string, dep: string, bytes: Buffer) => void): Promise<Map<string, OpenApiSummary>> {
  const results = new Map<string, OpenApiSummary>();
  if (files.length === 0) return results;
  if (!existsSync(workerFile)) {
    // Running from sources (unit tests): same analysis on this thread, with a soft time bound.
    const { analyseDocument } = await import('./analyse.js');
    for (const file of files) {
      const read = async (f: string) => {
        const bytes = await tree.read(f);
        onServe?.(file, f, bytes);
        return bytes;
      };
      results.set(file, await withSoftTimeout(file, analyseDocument(file, read), options.timeoutMs));
    }
    return results;
  }
  const { runPool } = await import('../workers/pool.js');
  const summaries = await runPool(files, {
    workerFile,
    tree,
    threads: options.concurrency,
    timeoutMs: () => options.timeoutMs,
    onServe,
    // a long-lived process keeps these workers (they hold nothing of a document after its job)
    keepKey: () => KEEP_KEY,
    prestarted: options.prestarted,
    onTimeout: (file) => ({ output: tooSlow(file, options.timeoutMs) }),
    onCrash: (file, detail) => crashed(file, detail, 0),
  });
  files.forEach((f, i) => results.set(f, summaries[i]));
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
