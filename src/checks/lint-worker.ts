/**
 * Worker thread for `gitway lint`: loads the ruleset once, then lints one file (or the project
 * document) a job. Every rule function records itself in shared memory while it runs, so when a
 * job overruns its time limit the parent knows which rule to blame, stop and skip.
 *
 * The worker starts before the ruleset is ready (the main thread prepares it meanwhile): it loads
 * Spectral, and reads and parses the file of its first job (the pool's hint), so that only the
 * ruleset is left to load when the job arrives with it.
 */
import { serve } from '../workers/serve.js';
import { loadRecipe, type RulesetRecipe } from './ruleset.js';
import { preferModernNimma } from './spectral-nimma.js';
import { createRunner, openDocument, type OpenedDocument, type Runner } from './runner.js';

export interface LintWorkerData {
  root: string;
  /** Rules switched off for this worker (they overran the time limit earlier in the run). */
  disabled: string[];
  /** Int32Array[1]: 1 + index of the rule running now, 0 when none. */
  current: SharedArrayBuffer;
}

export type LintJob = { kind: 'file'; file: string } | { kind: 'project'; json: string };

/**
 * What every job of a run carries: the ruleset, and the rules the run switched off before it
 * started (stops replayed from the cache). A worker started before these were known (prestarted)
 * learns them here; one started later has them in its data as well.
 */
export interface LintShared {
  recipe: RulesetRecipe;
  disabled: string[];
}

// A worker may start before its jobs are known (prestartLintWorker): load what nearly every
// ruleset needs meanwhile (the same modules the first job would load; importing twice is free).
preferModernNimma(); // before Spectral loads: see spectral-nimma.ts
void Promise.all([import('@stoplight/spectral-core'), import('@stoplight/spectral-parsers'), import('@stoplight/spectral-rulesets'), import('./ref-resolver.js')])
  .then(([{ default: core }]) => {
    // Spectral compiles its ruleset validator once per thread, on the first ruleset: do it now
    new core.Ruleset({ rules: {} });
  })
  .catch(() => undefined);

let runner: Promise<Runner> | undefined;
/** The ruleset the runner was made from. */
let recipe: RulesetRecipe | undefined;
/** The rules this worker runs without. */
let without: string[] = [];
/** Files read by the job running now (its cache dependencies). */
let reads = new Map<string, Buffer>();
/** Files opened ahead of their jobs (hints). */
const opened = new Map<string, Promise<OpenedDocument>>();

serve<LintJob, unknown>(
  async (job, { read, data, shared, started }) => {
    runner ??= (async () => {
      const d = data as LintWorkerData;
      without = [...new Set([...d.disabled, ...(shared as LintShared).disabled])];
      recipe = (shared as LintShared).recipe;
      const loaded = await loadRecipe(recipe);
      const current = new Int32Array(d.current);
      Object.values(loaded.ruleset.rules).forEach((rule, i) => {
        if (without.includes(rule.name)) rule.enabled = false;
        for (const then of rule.then) {
          // Spectral calls a rule function with (target value, options, context). Spectral shares
          // a `then` between rulesets made from the same definitions (a team ruleset evaluated
          // again for the next command of a gitway server): wrap the function, not an earlier wrapper
          type Fn = ((this: unknown, a: unknown, b: unknown, c: unknown) => unknown) & { gitwayInner?: Fn; gitwayPure?: unknown };
          const fn = (then.function as Fn).gitwayInner ?? (then.function as Fn);
          const timed: Fn = function (this: unknown, a: unknown, b: unknown, c: unknown) {
            Atomics.store(current, 0, i + 1);
            try {
              return fn.call(this, a, b, c);
            } finally {
              Atomics.store(current, 0, 0);
            }
          };
          timed.gitwayInner = fn;
          // still the same pure function to function-cache.ts
          if (fn.gitwayPure !== undefined) Object.defineProperty(timed, 'gitwayPure', { value: fn.gitwayPure });
          (then as { function: unknown }).function = timed;
        }
      });
      return createRunner(d.root, async (f) => {
        const bytes = await read(f);
        reads.set(f, bytes);
        return bytes;
      }, loaded);
    })();
    const r = await runner;
    started(); // the rule time limit counts from here, not from the worker's start
    reads = new Map();
    if (job.kind === 'project') return { output: await r.lintProject(job.json), files: [...reads.keys()], without };
    const early = opened.get(job.file);
    opened.delete(job.file);
    const output = await r.lintFile(
      job.file,
      early?.then((o) => {
        reads.set(job.file, o.bytes);
        return o;
      }),
    );
    return { output, files: [...reads.keys()], without };
  },
  (job, { read, data }) => {
    if (job.kind !== 'file' || opened.has(job.file)) return;
    const early = read(job.file).then((bytes) => openDocument((data as LintWorkerData).root, job.file, bytes));
    early.catch(() => undefined); // the job sees the failure (it awaits this promise)
    opened.set(job.file, early);
  },
  () => {
    // Kept for a new command (gitway server): a ruleset with the team's own code is evaluated
    // again, so what its functions kept at module level from the last command is gone, as it
    // would be in a new process. gitway's built-in rules keep nothing between documents.
    if (recipe?.kind !== 'builtin') runner = undefined;
    opened.clear();
  },
);
