/**
 * Runs the lint jobs (each file, then the project document) on worker threads in parallel, each
 * job within the rule time limit: a rule that keeps a job busy longer is stopped, reported, and
 * switched off for the rest of the run, and the job runs again without it. From sources (jest)
 * the jobs run on this thread instead.
 */
import { positionOf, parseSource, type JsonPath, type SourceDocument } from '../manifest/source.js';
import { blobId, type Tree } from '../workspace/tree.js';
import type { Finding } from './finding.js';
import type { LintJob, LintShared, LintWorkerData } from './lint-worker.js';
import { loadRecipe, RulesetError, rulesetIdentity, type LoadedRuleset, type PreparedRuleset } from './ruleset.js';
import { createRunner, ignored, type ProjectResult } from './runner.js';
import { runPool, type Prestarted } from '../workers/pool.js';
import { warm } from '../workers/warm.js';
import { LINT_WORKER_LIMITS, limitHeapGrowth, lintWorkerFile, workerDataFor } from './lint-prestart.js';

export const DEFAULT_RULE_TIMEOUT_S = 60;
/** Time a fresh lint worker may take to load the ruleset. */
const SETUP_TIMEOUT_MS = 120_000;

export interface ProjectInput {
  value: unknown;
  locate(path: JsonPath): { file: string; line: number; column: number; path: JsonPath } | undefined;
}

export interface LintJobsOptions {
  root: string;
  tree: Tree;
  /**
   * Evaluated only where the jobs run: on the worker threads, or here when there are none. Given as
   * a function, it is prepared here once the workers have started (without the cache, whose keys
   * need it first), so that they read and parse their files meanwhile.
   */
  ruleset: PreparedRuleset | (() => Promise<PreparedRuleset>);
  files: string[];
  project?: ProjectInput;
  ruleTimeoutMs: number;
  threads?: number;
  /** Serve unchanged results from .gitway/cache (default true). */
  cache?: boolean;
  /** A lint worker started while the project loaded (prestartLintWorker); the caller closes it. */
  prestarted?: Prestarted;
}

const keepKeyOf = (root: string, identity: string, disabled: string[]) => `lint\u0000${root}\u0000${identity}\u0000${disabled.join('\u0000')}`;

/**
 * What the cache keeps of one job: its output, the rules it ran without (switched off because they
 * overran elsewhere in that run; their findings are dropped from every run that stops them), and
 * the rules that overran on this very content within `limitMs` (replayed by later runs, so a warm
 * run reports what the cold one did, whatever the machine's load is now).
 */
interface CachedJob {
  output: unknown;
  without: string[];
  stops: string[];
  /** The whole job overran even without the rules that overran on it. */
  timedOut?: boolean;
  limitMs: number;
}

type JobResult = { output: unknown; files: string[]; without: string[] };

export async function runLintJobs(options: LintJobsOptions): Promise<Finding[]> {
  const all: LintJob[] = options.files.map((file) => ({ kind: 'file', file }));
  if (options.project) all.push({ kind: 'project', json: JSON.stringify(options.project.value) });
  const read = (f: string) => options.tree.read(f);
  const fingerprint = (f: string) => options.tree.fingerprint(f);
  const given = options.ruleset;
  let preparing: Promise<PreparedRuleset> | undefined;
  /** The ruleset's name for messages, once prepared. */
  let source = '';
  const prepared = () => (preparing ??= (typeof given === 'function' ? given() : Promise.resolve(given)).then((p) => ((source = p.source), p)));
  const recipeOf = async () => (await prepared()).recipe;
  const { ResultCache, sha256 } = await import('../cache.js');
  // the cache's keys (and kept workers) need the ruleset first; otherwise it is prepared while the workers start
  const identity = options.cache !== false || warm() ? await rulesetIdentity(await recipeOf()) : '';
  const cache = new ResultCache<CachedJob>(options.root, 'lint', options.cache === false ? '' : `2\u0000${identity}`, options.cache !== false);
  const keyOf = (job: LintJob) => (job.kind === 'file' ? `file:${job.file}` : `project:${sha256(job.json)}`);
  const fileOf = (job: LintJob) => (job.kind === 'file' ? job.file : 'gitway.yaml');
  const whereOf = (job: LintJob) => (job.kind === 'file' ? job.file : 'the manifests');
  const seconds = options.ruleTimeoutMs / 1000;
  const ruleStopped = (job: LintJob, rule: string): Finding => ({ file: fileOf(job), line: 1, column: 1, path: [], code: 'gitway-rule-timeout', severity: 'error', message: `rule '${rule}' of ruleset ${source} did not finish within ${seconds} s on ${whereOf(job)}; it was stopped and skipped for the rest of this run` });
  const jobStopped = (job: LintJob): Finding => ({ file: fileOf(job), line: 1, column: 1, path: [], code: 'gitway-lint-timeout', severity: 'error', message: `linting ${whereOf(job)} took longer than ${seconds} s and was stopped; raise lint.ruleTimeoutSeconds if it is really that large` });

  // Rules stopped (now or by the cached runs being replayed) are switched off for the whole run.
  const disabled: string[] = [];
  const timeouts: Finding[] = [];
  const stopsOf = new Map<LintJob, string[]>();
  const timedOut = new Set<LintJob>();
  // under another time limit a rule may have finished, or been stopped, where it would not be now
  const found = (await Promise.all(all.map((job) => cache.get(keyOf(job), fingerprint)))).map((e) => (e?.limitMs === options.ruleTimeoutMs ? e : undefined));
  for (const e of found) for (const rule of e?.stops ?? []) if (!disabled.includes(rule)) disabled.push(rule);
  // an entry computed without a rule that this run does not stop lacks that rule's findings
  const cached = found.map((e) => (e?.without.every((r) => disabled.includes(r)) ? e : undefined));
  for (const [i, e] of found.entries()) {
    // a stop is a fact about this content: replayed, and kept when the job runs again without the rule
    if (e?.stops.length) stopsOf.set(all[i], [...e.stops]);
    for (const rule of e?.stops ?? []) timeouts.push(ruleStopped(all[i], rule));
    if (cached[i]?.timedOut) timeouts.push(jobStopped(all[i]));
  }
  const jobs = all.filter((_, i) => cached[i] === undefined);
  const outputs = new Map<LintJob, unknown>();
  /** The content each job was given (its files' blob ids): what its result is stored under. */
  const served = new Map<LintJob, Map<string, string>>();
  const serve = (job: LintJob, file: string, bytes: Buffer) => {
    let files = served.get(job);
    if (!files) served.set(job, (files = new Map()));
    files.set(file, blobId(bytes));
  };
  const writes: Promise<void>[] = [];
  const store = (job: LintJob, result: JobResult | undefined) => {
    writes.push(
      (async () => {
        const deps = new Map(served.get(job));
        // a file the job read that was not served to it for this job (none expected): as it is now
        for (const f of result?.files ?? []) if (!deps.has(f)) deps.set(f, await fingerprint(f).catch(() => ''));
        await cache.set(keyOf(job), deps, { output: result?.output, without: result?.without ?? [], stops: stopsOf.get(job) ?? [], timedOut: timedOut.has(job) || undefined, limitMs: options.ruleTimeoutMs });
      })(),
    );
  };
  // nothing to lint at all: still load the ruleset, so a broken one is reported
  if (all.length === 0) await loadRecipe(await recipeOf());
  if (!lintWorkerFile()) {
    let loaded: LoadedRuleset | undefined;
    for (const job of jobs) {
      loaded ??= await loadRecipe(await recipeOf());
      const files = new Map<string, Buffer>();
      const runner = await createRunner(options.root, async (f) => {
        const b = await read(f);
        files.set(f, b);
        serve(job, f, b);
        return b;
      }, loaded);
      const output = job.kind === 'file' ? await runner.lintFile(job.file) : await runner.lintProject(job.json);
      outputs.set(job, output);
      store(job, { output, files: [...files.keys()], without: [] });
    }
  } else {
    let ruleNames: Promise<string[]> | undefined;
    limitHeapGrowth();
    if (options.prestarted) (options.prestarted.data as LintWorkerData).disabled = [...disabled];
    const results = await runPool<LintJob, JobResult | undefined>(jobs, {
      workerFile: lintWorkerFile() as string,
      resourceLimits: LINT_WORKER_LIMITS,
      tree: options.tree,
      threads: options.threads ?? (jobs.length > 2 ? undefined : 1),
      workerData: () => workerDataFor(options.root, disabled),
      // a long-lived process keeps workers that hold this ruleset, without these rules
      keepKey: (data) => keepKeyOf(options.root, identity, (data as LintWorkerData).disabled),
      prestarted: options.prestarted,
      // the pool asks for it once the workers have started and have their first file; a worker
      // started early learns there which rules this run switches off (its data says so too, here)
      shared: async (): Promise<LintShared> => ({ recipe: await recipeOf(), disabled: [...disabled] }),
      prefetch: (job) => (job.kind === 'file' ? [job.file] : []),
      onServe: serve,
      timeoutMs: () => options.ruleTimeoutMs,
      // loading the ruleset on a fresh worker is not a rule's time
      setupTimeoutMs: Math.max(options.ruleTimeoutMs, SETUP_TIMEOUT_MS),
      onTimeout: async (job, worker) => {
        const data = worker.data as LintWorkerData;
        if (!worker.started) {
          // the machine's load, not the content: reported, never cached
          timeouts.push({ file: fileOf(job), line: 1, column: 1, path: [], code: 'gitway-lint-timeout', severity: 'error', message: `the lint worker for ${whereOf(job)} did not load the ruleset within ${Math.max(options.ruleTimeoutMs, SETUP_TIMEOUT_MS) / 1000} s and was stopped` });
          return { output: undefined };
        }
        const index = Atomics.load(new Int32Array(data.current), 0) - 1;
        // the rule's name: only the workers hold the ruleset, so load it here on this rare path
        ruleNames ??= recipeOf().then(async (recipe) => Object.keys((await loadRecipe(recipe)).ruleset.rules));
        const rule = index >= 0 ? (await ruleNames)[index] : undefined;
        // a rule this worker ran without cannot be the one; another lane may have stopped it already
        if (rule === undefined || data.disabled.includes(rule)) {
          timeouts.push(jobStopped(job));
          timedOut.add(job);
          return { output: undefined };
        }
        if (!disabled.includes(rule)) disabled.push(rule);
        stopsOf.set(job, [...(stopsOf.get(job) ?? []), rule]);
        timeouts.push(ruleStopped(job, rule));
        return { retry: true };
      },
      onCrash: (job, detail) => {
        timeouts.push({ file: fileOf(job), line: 1, column: 1, path: [], code: 'gitway-lint-crash', severity: 'error', message: `gitway could not lint ${whereOf(job)} (this is likely a bug in gitway): ${detail.split('\n')[0]}` });
        return undefined;
      },
      onFatal: (e) => new RulesetError(e.message.replace(/\.$/, ''), e.hint),
    });
    for (const [i, result] of results.entries()) {
      outputs.set(jobs[i], result?.output);
      // a crash is not a result; a job stopped as a whole is (it is replayed, not run again)
      if (result || timedOut.has(jobs[i])) store(jobs[i], result);
    }
  }
  await Promise.all(writes);
  // A rule stopped part-way ran on some documents and not others: drop all its findings, so every
  // run reports the same thing (the timeout finding says which rule was skipped).
  const stopped = new Set(disabled);
  const findings: Finding[] = [...timeouts];
  for (const [i, job] of all.entries()) {
    const output = cached[i] ? cached[i].output : outputs.get(job);
    if (job.kind === 'file') findings.push(...((output as Finding[] | undefined) ?? []));
    else if (options.project) findings.push(...(await mapProjectResults((output as ProjectResult[] | undefined) ?? [], options.project, options.tree, options.root, options.cache !== false)));
  }
  return stopped.size ? findings.filter((f) => !stopped.has(f.code)) : findings;
}

/**
 * Places results on the project document at the manifest (or operation) they are about. A result
 * inside an OpenAPI document needs that document's line and column: positions are cached per file
 * content (.gitway/cache/positions), so an unchanged document is not parsed again to place the
 * project rules' findings (on a large repository that parse was most of a cached run). Documents
 * are parsed one at a time and let go.
 */
async function mapProjectResults(results: ProjectResult[], project: ProjectInput, tree: Tree, root: string, cacheEnabled: boolean): Promise<Finding[]> {
  const placed: { r: ProjectResult; at: NonNullable<ReturnType<ProjectInput['locate']>> }[] = [];
  const needed = new Map<string, Set<string>>();
  for (const r of results) {
    if (ignored(project.value, r.path, r.code)) continue;
    if (r.path[0] !== 'manifests' && r.path[0] !== 'apis') continue; // rules about the project document's own shape
    const at = project.locate(r.path);
    if (!at) continue;
    placed.push({ r, at });
    if (at.line === 0) {
      let set = needed.get(at.file);
      if (!set) needed.set(at.file, (set = new Set()));
      set.add(JSON.stringify(at.path));
    }
  }
  const { ResultCache } = await import('../cache.js');
  const cache = new ResultCache<Record<string, [number, number]>>(root, 'positions', '1', cacheEnabled);
  const positions = new Map<string, Record<string, [number, number]>>();
  for (const [file, paths] of needed) {
    const known = { ...(await cache.get(file, (f) => tree.fingerprint(f))) };
    const missing = [...paths].filter((p) => !(p in known));
    if (missing.length) {
      let src: SourceDocument | null = null;
      let text: Buffer | undefined;
      try {
        text = await tree.read(file);
        src = parseSource(file, text).documents[0] ?? null;
      } catch {
        src = null;
      }
      for (const p of missing) {
        const at = src ? positionOf(src, JSON.parse(p) as JsonPath, true) : { line: 1, column: 1 };
        known[p] = [at.line, at.column];
      }
      if (src && text) await cache.set(file, new Map([[file, blobId(text)]]), known); // the bytes parsed, whatever the file is now
    }
    positions.set(file, known);
  }
  return placed.map(({ r, at }) => {
    const [line, column] = at.line === 0 ? (positions.get(at.file)?.[JSON.stringify(at.path)] ?? [1, 1]) : [at.line, at.column];
    return { file: at.file, line, column, path: at.path, code: r.code, severity: r.severity, message: r.message };
  });
}

