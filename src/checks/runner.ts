/**
 * One Spectral instance with a ruleset loaded once, reading `$ref`s only through `read` (the Tree,
 * or the parent thread's Tree from a worker). Used on the main thread and in lint workers alike.
 */
import path from 'node:path';
import type { Document, ISpectralDiagnostic } from '@stoplight/spectral-core';
import type { Json, Yaml } from '@stoplight/spectral-parsers';
import type { JsonPath } from '../manifest/source.js';
import type { Finding, Severity } from './finding.js';
import { RulesetError, type LoadedRuleset } from './ruleset.js';
import { preferModernNimma } from './spectral-nimma.js';

const SEVERITIES: Severity[] = ['error', 'warn', 'info', 'hint'];

export interface Runner {
  /** Findings of one file (an OpenAPI document, or any Spectral-linted file), opened already or not. */
  lintFile(file: string, opened?: Promise<OpenedDocument>): Promise<Finding[]>;
  /** Results on the project document (JSON text); mapped to sources by the caller. */
  lintProject(json: string): Promise<ProjectResult[]>;
}

/** A Spectral result on the project document: positions come later, from the manifests. */
export interface ProjectResult {
  code: string;
  message: string;
  path: JsonPath;
  severity: Severity;
}

/** A file read and parsed for Spectral: a worker does it while its ruleset is still being prepared. */
export interface OpenedDocument {
  bytes: Buffer;
  document: Document<unknown, ReturnType<typeof Json.parse>> | Document<unknown, ReturnType<typeof Yaml.parse>>;
}

export async function openDocument(root: string, file: string, bytes: Buffer): Promise<OpenedDocument> {
  preferModernNimma();
  const [{ default: core }, { default: Parsers }] = await Promise.all([import('@stoplight/spectral-core'), import('@stoplight/spectral-parsers')]);
  const text = bytes.toString('utf8');
  const abs = path.join(root, file);
  const document = /\.json$/i.test(file) ? new core.Document(text, Parsers.Json, abs) : new core.Document(text, Parsers.Yaml, abs);
  return { bytes, document };
}

/** A Spectral instance with the ruleset loaded once, reading `$ref`s only from the tree. */
export async function createRunner(root: string, read: (file: string) => Promise<Buffer>, loaded: LoadedRuleset): Promise<Runner> {
  preferModernNimma();
  const [{ default: core }, { default: Parsers }, { FastResolver }] = await Promise.all([
    import('@stoplight/spectral-core'),
    import('@stoplight/spectral-parsers'),
    import('./ref-resolver.js'),
  ]);
  const toRel = (abs: string) => path.relative(root, abs).split(path.sep).join('/');
  // Spectral's resolver with a cheaper inline step (same results): see ref-resolver.ts
  const resolver = new FastResolver({
    resolvers: {
      file: {
        resolve: async (ref: { path(): string }) => {
          const rel = toRel(decodeURIComponent(ref.path()));
          return (await read(rel)).toString('utf8');
        },
      },
    },
  });
  const spectral = new core.Spectral({ resolver });
  spectral.setRuleset(loaded.ruleset);
  // Each job reads every file it refers to again (they are its cache dependencies): the resolver
  // would otherwise serve a file another document of this thread already read, unrecorded.
  const forgetFiles = () => (resolver as unknown as { uriCache?: { purge?: () => void } }).uriCache?.purge?.();
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
    async lintFile(file, opened) {
      forgetFiles();
      const doc = (await (opened ?? openDocument(root, file, await read(file)))).document;
      const results = await run(doc, file);
      const data = doc.data;
      const findings = results.filter((r) => !ignored(data, r.path as JsonPath, String(r.code))).map((r) => toFinding(r, r.source ? toRel(r.source) : file));
      for (const at of ignoresWithoutReason(data)) {
        const range = doc.getRangeForJsonPath(at, true);
        findings.push({ file, line: (range?.start.line ?? 0) + 1, column: (range?.start.character ?? 0) + 1, path: at, code: 'gitway-ignore-reason', severity: 'error', message: 'x-gitway-ignore entries need a rule and a reason (why the finding is acceptable here); without them nothing is suppressed' });
      }
      return findings;
    },
    async lintProject(json) {
      forgetFiles();
      const doc = new core.Document(json, Parsers.Json, path.join(root, '.gitway-project.json'));
      const results = await run(doc, 'the manifests');
      return results.map((r) => ({ code: String(r.code), message: r.message, severity: SEVERITIES[r.severity] ?? 'error', path: r.path.map((p) => (typeof p === 'string' && /^\d+$/.test(p) ? Number(p) : p)) }));
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

/** Paths of x-gitway-ignore entries that lack a rule or a reason (one walk, one path stack). */
function ignoresWithoutReason(data: unknown): JsonPath[] {
  const out: JsonPath[] = [];
  const at: JsonPath = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const v: unknown = node[i];
        if (v === null || typeof v !== 'object') continue;
        at.push(i);
        walk(v);
        at.pop();
      }
      return;
    }
    const record = node as Record<string, unknown>;
    for (const k of Object.keys(record)) {
      const v = record[k];
      if (k === 'x-gitway-ignore') {
        const list = Array.isArray(v) ? v : [v];
        list.forEach((e, i) => {
          const entry = e as Record<string, unknown> | null;
          if (!entry || typeof entry.rule !== 'string' || typeof entry.reason !== 'string' || entry.reason.trim() === '') out.push(Array.isArray(v) ? [...at, k, i] : [...at, k]);
        });
      } else if (v !== null && typeof v === 'object') {
        at.push(k);
        walk(v);
        at.pop();
      }
    }
  };
  if (data !== null && typeof data === 'object') walk(data);
  return out;
}

/** True when a node on the path (or the root) carries x-gitway-ignore for this rule. */
export function ignored(data: unknown, p: JsonPath, rule: string): boolean {
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

