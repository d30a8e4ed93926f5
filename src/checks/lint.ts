/**
 * `gitway lint`: validate, then run one Spectral ruleset over every OpenAPI document the APIs name
 * and over the project document (all manifests), and report one stream of findings. Inline
 * `x-gitway-ignore: [{rule, reason}]` on a node suppresses a rule there (a reason is required).
 */
import path from 'node:path';
import type { ISpectralDiagnostic } from '@stoplight/spectral-core';
import { parseSource, positionOf, type JsonPath, type SourceDocument } from '../manifest/source.js';
import { withProject, type ProjectOptions } from '../project.js';
import type { Tree } from '../workspace/tree.js';
import { sortFindings, type Finding, type Severity } from './finding.js';
import { buildProjectDocument } from './project-document.js';
import { builtinRuleset, DEFAULT_RULESET_FILES, loadRulesetFile, type LoadedRuleset } from './ruleset.js';

export interface LintOptions extends ProjectOptions {
  /** A ruleset file that replaces the configured one. */
  ruleset?: string;
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
}

const SEVERITIES: Severity[] = ['error', 'warn', 'info', 'hint'];

export async function lintProject(options: LintOptions): Promise<LintResult> {
  return withProject(options, async (loaded, tree) => {
    if (!loaded.project) return { findings: loaded.findings, invalid: true, files: [], source: loaded.source, documents: [], secrets: [] };
    const project = loaded.project;
    const rulesetFile = options.ruleset ?? project.config.ruleset ?? (await firstExisting(tree, DEFAULT_RULESET_FILES));
    const ruleset = rulesetFile ? await loadRulesetFile(options.ruleset ? path.resolve(options.cwd ?? process.cwd()) : project.root, rulesetFile, options.ruleset ? undefined : tree) : await builtinRuleset();
    const runner = await createRunner(project.root, tree, ruleset);
    const findings: Finding[] = [...loaded.findings];
    const documents = [...project.documents.values()].filter((d) => d.version !== undefined).map((d) => d.file);
    for (const file of documents) findings.push(...(await runner.lintFile(file)));
    const projectDoc = buildProjectDocument(project);
    findings.push(...(await runner.lintProjectDocument(projectDoc.value, projectDoc.locate)));
    const files = [...new Set([project.config.file, ...project.manifestFiles, ...[...project.documents.values()].flatMap((d) => d.files)])].sort();
    const invalid = loaded.findings.some((f) => f.severity === 'error');
    return { findings: dedupe(sortFindings(findings)), invalid, files, environment: project.environment.name, source: loaded.source, ruleset: ruleset.source, documents, secrets: project.secrets };
  });
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
      const results = await spectral.run(doc, { ignoreUnknownFormat: true });
      const data = doc.data;
      return results.filter((r) => !ignored(data, r.path as JsonPath, String(r.code))).map((r) => toFinding(r, r.source ? toRel(r.source) : file));
    },
    async lintProjectDocument(value, locate) {
      const doc = new core.Document(JSON.stringify(value), Parsers.Json, path.join(root, '.gitway-project.json'));
      const results = await spectral.run(doc, { ignoreUnknownFormat: true });
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
