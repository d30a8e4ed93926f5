/**
 * `gitway lint`: validate, then run one Spectral ruleset over every OpenAPI document the APIs name
 * and over the project document (all manifests), and report one stream of findings. Inline
 * `x-gitway-ignore: [{rule, reason}]` on a node suppresses a rule there (a reason is required).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { applyBaseline, createBaseline, DEFAULT_BASELINE_FILE, parseBaseline, renderBaseline, type BaselineEntry } from './baseline.js';
import type { ISpectralDiagnostic } from '@stoplight/spectral-core';
import { parseSource, positionOf, type JsonPath, type SourceDocument } from '../manifest/source.js';
import { withProject, type Project, type ProjectOptions } from '../project.js';
import { changedSince } from '../workspace/changes.js';
import type { Tree } from '../workspace/tree.js';
import { sortFindings, type Finding, type Severity } from './finding.js';
import { buildProjectDocument } from './project-document.js';
import { builtinRuleset, DEFAULT_RULESET_FILES, loadRulesetFile, RulesetError, type LoadedRuleset } from './ruleset.js';

export interface LintOptions extends ProjectOptions {
  /** A ruleset file that replaces the configured one. */
  ruleset?: string;
  /** Baseline file relative to the root (default .gitway-baseline.json when it exists); `false` ignores it. */
  baseline?: string | false;
  /** Write the current findings as the baseline instead of filtering by it. */
  baselineWrite?: boolean;
  /** Lint only what changed since this revision, and what refers to it. */
  since?: string;
}

export interface LintResult {
  findings: Finding[];
  /** True when the input itself is invalid (validation errors, not rule findings): exit 3. */
  invalid: boolean;
  /** Every file linted (documents, manifests, config), for reports that list clean files too. */
  files: string[];
  environment?: string;
  source: string;
  ruleset?: string;
  documents: string[];
  secrets: string[];
  baseline?: { file: string; written?: number; suppressed?: number; stale?: BaselineEntry[] };
}

const SEVERITIES: Severity[] = ['error', 'warn', 'info', 'hint'];

export async function lintProject(options: LintOptions): Promise<LintResult> {
  return withProject(options, async (loaded, tree) => {
    if (!loaded.project) return { findings: loaded.findings, invalid: true, files: [], source: loaded.source, documents: [], secrets: [] };
    const project = loaded.project;
    const rulesetFile = options.ruleset ?? project.config.ruleset ?? (await firstExisting(tree, DEFAULT_RULESET_FILES));
    const ruleset = rulesetFile ? await loadRulesetFile(options.ruleset ? path.resolve(options.cwd ?? process.cwd()) : project.root, rulesetFile, options.ruleset ? undefined : tree) : await builtinRuleset();
    const runner = await createRunner(project.root, tree, ruleset);
    let findings: Finding[] = [...loaded.findings];
    let documents = [...project.documents.values()].filter((d) => d.version !== undefined).map((d) => d.file);
    const affected = options.since === undefined ? undefined : await affectedSince(project, options.since, Boolean(options.staged), rulesetFile);
    if (affected) documents = documents.filter((d) => affected.has(d));
    for (const file of documents) findings.push(...(await runner.lintFile(file)));
    const projectDoc = buildProjectDocument(project);
    findings.push(...(await runner.lintProjectDocument(projectDoc.value, projectDoc.locate)));
    if (affected) findings = findings.filter((f) => affected.has(f.file));
    const files = [...new Set([project.config.file, ...project.manifestFiles, ...[...project.documents.values()].flatMap((d) => d.files)])].sort();
    const invalid = loaded.findings.some((f) => f.severity === 'error');
    const result: LintResult = { findings: dedupe(sortFindings(findings)), invalid, files, environment: project.environment.name, source: loaded.source, ruleset: ruleset.source, documents, secrets: project.secrets };
    return withBaseline(result, project.root, options);
  });
}

/** Writes the findings as the baseline, or filters them by it. */
export function withBaseline(result: LintResult, root: string, options: Pick<LintOptions, 'baseline' | 'baselineWrite'>): LintResult {
  if (options.baseline === false && !options.baselineWrite) return result;
  const file = typeof options.baseline === 'string' ? options.baseline : DEFAULT_BASELINE_FILE;
  const abs = path.resolve(root, file);
  if (options.baselineWrite) {
    const baseline = createBaseline(result.findings);
    const tmp = `${abs}.${process.pid}.tmp`;
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(tmp, renderBaseline(baseline));
    renameSync(tmp, abs);
    return { ...result, baseline: { file, written: baseline.entries.reduce((n, e) => n + e.count, 0) } };
  }
  if (!existsSync(abs)) {
    if (typeof options.baseline === 'string') throw new UsageError(`baseline ${file} does not exist`, 'Write one with gitway lint --baseline-write, or drop --baseline.');
    return result;
  }
  let baseline;
  try {
    baseline = parseBaseline(readFileSync(abs, 'utf8'), file);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const applied = applyBaseline(result.findings, baseline);
  return { ...result, findings: applied.findings, baseline: { file, suppressed: applied.suppressed, stale: applied.stale } };
}

/**
 * The files `--since REV` reports on: the changed ones, every OpenAPI document that pulls in a
 * changed file, and the manifests of the APIs that name such a document. A changed gitway.yaml or
 * ruleset changes everything.
 */
async function affectedSince(project: Project, rev: string, staged: boolean, rulesetFile: string | undefined): Promise<Set<string> | undefined> {
  const changed = new Set(await changedSince(project.root, rev, staged));
  if (changed.has(project.config.file) || (rulesetFile && changed.has(rulesetFile)) || [...changed].some((f) => f.startsWith('rules/'))) return undefined;
  const affected = new Set(changed);
  for (const doc of project.documents.values()) {
    if (!doc.files.some((f) => changed.has(f))) continue;
    affected.add(doc.file);
    for (const m of project.manifests) if (m.kind === 'API' && m.spec.openapi.replace(/^\.\//, '') === doc.file) affected.add(m.file);
  }
  return affected;
}

async function firstExisting(tree: Tree, files: string[]): Promise<string | undefined> {
  for (const f of files) if (await tree.exists(f)) return f;
  return undefined;
}

export interface Runner {
  lintFile(file: string): Promise<Finding[]>;
  lintProjectDocument(value: unknown, locate: (p: JsonPath) => { file: string; line: number; column: number; path: JsonPath } | undefined): Promise<Finding[]>;
}

/** A Spectral instance with the ruleset loaded once, reading `$ref`s only from the tree. */
export async function createRunner(root: string, tree: Tree, loaded: LoadedRuleset): Promise<Runner> {
  const [{ default: core }, { default: Parsers }, { Resolver }] = await Promise.all([
    import('@stoplight/spectral-core'),
    import('@stoplight/spectral-parsers'),
    import('@stoplight/spectral-ref-resolver'),
  ]);
  const toRel = (abs: string) => path.relative(root, abs).split(path.sep).join('/');
  const resolver = new Resolver({
    resolvers: {
      file: {
        resolve: async (ref: { path(): string }) => {
          const rel = toRel(decodeURIComponent(ref.path()));
          return (await tree.read(rel)).toString('utf8');
        },
      },
    },
  });
  const spectral = new core.Spectral({ resolver });
  spectral.setRuleset(loaded.ruleset);
  type SpectralDocument = Parameters<typeof spectral.run>[0];
  /** Runs the ruleset; when a rule breaks (a throwing function, an invalid JSONPath) names it. */
  const run = async (doc: SpectralDocument, file: string) => {
    try {
      return await spectral.run(doc, { ignoreUnknownFormat: true });
    } catch (err) {
      const rules = Object.values(loaded.ruleset.rules);
      const was = rules.map((r) => r.enabled);
      let culprit: string | undefined;
      let cause: unknown = err;
      try {
        for (const candidate of rules.filter((r, i) => was[i])) {
          rules.forEach((r) => (r.enabled = r === candidate));
          try {
            await spectral.run(doc, { ignoreUnknownFormat: true });
          } catch (inner) {
            culprit = candidate.name;
            cause = inner;
            break;
          }
        }
      } finally {
        rules.forEach((r, i) => (r.enabled = was[i]));
      }
      throw new RulesetError(`rule '${culprit ?? '(unknown)'}' of ruleset ${loaded.source} failed on ${file}: ${rootCause(cause)}`, 'Fix the rule (its given JSONPath or its function); `gitway rules test` runs the cases written beside a rule.', err);
    }
  };
  const sources = new Map<string, SourceDocument | null>();
  const sourceOf = async (file: string) => {
    if (!sources.has(file)) {
      try {
        sources.set(file, parseSource(file, await tree.read(file)).documents[0] ?? null);
      } catch {
        sources.set(file, null);
      }
    }
    return sources.get(file) ?? null;
  };
  const toFinding = (r: ISpectralDiagnostic, file: string): Finding => ({
    file,
    line: r.range.start.line + 1,
    column: r.range.start.character + 1,
    endLine: r.range.end.line + 1,
    endColumn: r.range.end.character + 1,
    path: [...r.path],
    code: String(r.code),
    severity: SEVERITIES[r.severity] ?? 'error',
    message: r.message,
  });

  return {
    async lintFile(file) {
      const text = (await tree.read(file)).toString('utf8');
      const abs = path.join(root, file);
      const doc = /\.json$/i.test(file) ? new core.Document(text, Parsers.Json, abs) : new core.Document(text, Parsers.Yaml, abs);
      const results = await run(doc, file);
      const data = doc.data;
      const findings = results.filter((r) => !ignored(data, r.path as JsonPath, String(r.code))).map((r) => toFinding(r, r.source ? toRel(r.source) : file));
      for (const at of ignoresWithoutReason(data)) {
        const range = doc.getRangeForJsonPath(at, true);
        findings.push({ file, line: (range?.start.line ?? 0) + 1, column: (range?.start.character ?? 0) + 1, path: at, code: 'gitway-ignore-reason', severity: 'error', message: 'x-gitway-ignore entries need a rule and a reason (why the finding is acceptable here); without them nothing is suppressed' });
      }
      return findings;
    },
    async lintProjectDocument(value, locate) {
      const doc = new core.Document(JSON.stringify(value), Parsers.Json, path.join(root, '.gitway-project.json'));
      const results = await run(doc, 'the manifests');
      const out: Finding[] = [];
      for (const r of results) {
        const p = r.path as JsonPath;
        if (ignored(value, p, String(r.code))) continue;
        if (p[0] !== 'manifests' && p[0] !== 'apis') continue; // rules about the project document's own shape
        const at = locate(p);
        if (!at) continue;
        let { line, column } = at;
        if (line === 0) {
          const src = await sourceOf(at.file);
          ({ line, column } = src ? positionOf(src, at.path, true) : { line: 1, column: 1 });
        }
        out.push({ ...toFinding(r, at.file), line, column, endLine: undefined, endColumn: undefined, path: at.path });
      }
      return out;
    },
  };
}

/** The innermost message of an error (AggregateError, cause chains), on one line. */
function rootCause(err: unknown): string {
  let e = err as Error & { errors?: unknown[]; cause?: unknown };
  for (let i = 0; i < 10; i++) {
    if (Array.isArray(e.errors) && e.errors.length) e = e.errors[0] as typeof e;
    else if (e.cause instanceof Error) e = e.cause as typeof e;
    else break;
  }
  return (e?.message ?? String(err)).split('\n')[0];
}

/** Paths of x-gitway-ignore entries that lack a rule or a reason. */
function ignoresWithoutReason(data: unknown, at: JsonPath = [], out: JsonPath[] = []): JsonPath[] {
  if (Array.isArray(data)) data.forEach((v, i) => ignoresWithoutReason(v, [...at, i], out));
  else if (data && typeof data === 'object') {
    for (const [k, v] of Object.entries(data)) {
      if (k === 'x-gitway-ignore') {
        const list = Array.isArray(v) ? v : [v];
        list.forEach((e, i) => {
          const entry = e as Record<string, unknown> | null;
          if (!entry || typeof entry.rule !== 'string' || typeof entry.reason !== 'string' || entry.reason.trim() === '') out.push(Array.isArray(v) ? [...at, k, i] : [...at, k]);
        });
      } else ignoresWithoutReason(v, [...at, k], out);
    }
  }
  return out;
}

/** True when a node on the path (or the root) carries x-gitway-ignore for this rule. */
function ignored(data: unknown, p: JsonPath, rule: string): boolean {
  let node: unknown = data;
  const check = (n: unknown) => {
    const list = n && typeof n === 'object' ? (n as Record<string, unknown>)['x-gitway-ignore'] : undefined;
    return Array.isArray(list) && list.some((e) => e && typeof e === 'object' && (e as Record<string, unknown>).rule === rule && typeof (e as Record<string, unknown>).reason === 'string' && ((e as Record<string, unknown>).reason as string).trim() !== '');
  };
  if (check(node)) return true;
  for (const step of p) {
    if (!node || typeof node !== 'object') return false;
    node = (node as Record<string, unknown>)[String(step)];
    if (check(node)) return true;
  }
  return false;
}

export function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.file}:${f.line}:${f.column}:${f.code}:${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
