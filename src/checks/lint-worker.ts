/**
 * Worker thread for `gitway lint`: loads the ruleset once, then lints one file (or the project
 * document) a job. Every rule function records itself in shared memory while it runs, so when a
 * job overruns its time limit the parent knows which rule to blame, stop and skip.
 */
import { serve } from '../workers/serve.js';
import { loadRecipe, type RulesetRecipe } from './ruleset.js';
import { createRunner, type Runner } from './runner.js';

export interface LintWorkerData {
  root: string;
  recipe: RulesetRecipe;
  /** Rules switched off for this worker (they overran the time limit earlier in the run). */
  disabled: string[];
  /** Int32Array[1]: 1 + index of the rule running now, 0 when none. */
  current: SharedArrayBuffer;
}

export type LintJob = { kind: 'file'; file: string } | { kind: 'project'; json: string };

let runner: Promise<Runner> | undefined;
/** The rules this worker runs without. */
let without: string[] = [];
/** Files read by the job running now (its cache dependencies). */
let reads = new Map<string, Buffer>();

serve<LintJob, unknown>(async (job, { read, data, started }) => {
  runner ??= (async () => {
    const d = data as LintWorkerData;
    without = d.disabled;
    const loaded = await loadRecipe(d.recipe);
    const current = new Int32Array(d.current);
    Object.values(loaded.ruleset.rules).forEach((rule, i) => {
      if (d.disabled.includes(rule.name)) rule.enabled = false;
      for (const then of rule.then) {
        const fn = then.function as (...args: unknown[]) => unknown;
        (then as { function: unknown }).function = function (this: unknown, ...args: unknown[]) {
          Atomics.store(current, 0, i + 1);
          try {
            return fn.apply(this, args);
          } finally {
            Atomics.store(current, 0, 0);
          }
        };
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
  const output = job.kind === 'file' ? await r.lintFile(job.file) : await r.lintProject(job.json);
  return { output, files: [...reads.keys()], without };
});
