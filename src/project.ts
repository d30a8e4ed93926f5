/**
 * A gitway project as a command sees it: the Tree it reads, gitway.yaml, the chosen environment,
 * the manifests, and the OpenAPI documents the APIs name, with every finding found on the way.
 * Loading never throws for bad content (that is findings); it throws typed errors only when there
 * is nothing to read (no gitway.yaml, a bad --rev, an unknown environment).
 */
import type { Finding } from './checks/finding.js';
import { sortFindings } from './checks/finding.js';
import { loadConfig, locateRoot, pickEnvironment, resolveEnvironment, type Environment, type ProjectConfig } from './manifest/config.js';
import { loadManifests } from './manifest/manifests.js';
import { finding, positionOf } from './manifest/source.js';
import type { AnyManifest, Manifest } from './manifest/types.js';
import type { OpenApiSummary } from './openapi/analyse.js';
import { openTree, toTreePath, type Tree, type TreeSelection } from './workspace/index.js';

export interface ProjectOptions extends TreeSelection {
  cwd?: string;
  config?: string;
  env?: string;
  processEnv?: NodeJS.ProcessEnv;
  /** Overrides openapi.timeoutSeconds (ms). */
  openapiTimeoutMs?: number;
  /** Use the content-addressed result cache in .gitway/cache (default true). */
  cache?: boolean;
  /**
   * Where the gateway is now (the environment as the working tree's gitway.yaml defines it): its
   * target, token, TLS, proxy and listener replace those of the tree being read (a rollback deploys
   * an old commit's manifests and variables to today's gateway).
   */
  currentEnvironment?: Environment;
}

export interface Project {
  root: string;
  tree: Tree;
  config: ProjectConfig;
  environment: Environment;
  manifests: AnyManifest[];
  manifestFiles: string[];
  /** By document path, for every document an API names. */
  documents: Map<string, OpenApiSummary>;
  findings: Finding[];
  /** Every sensitive value met while loading; outputs redact them. */
  secrets: string[];
}

/** Without a project (gitway.yaml unusable) the findings still say which tree they were read from. */
export type LoadResult = { project: Project; findings: Finding[]; source: string } | { project?: undefined; findings: Finding[]; source: string };

export async function loadProject(options: ProjectOptions): Promise<LoadResult> {
  return withProject(options, async (loaded) => loaded);
}

/** Loads the project and keeps its Tree open while `use` runs (to read more files: linting), then closes it. */
export async function withProject<T>(options: ProjectOptions, use: (loaded: LoadResult, tree: Tree) => Promise<T>): Promise<T> {
  const { root, configFile } = locateRoot(options);
  const tree = await openTree(root, options);
  try {
    return await use(await loadFromTree(tree, configFile, options), tree);
  } finally {
    await tree.close();
  }
}

async function loadFromTree(tree: Tree, configFile: string, options: ProjectOptions): Promise<LoadResult> {
  // an analysis worker loads the OpenAPI parser while the manifests load (used when a document is
  // not cached; a long-lived process keeps it either way)
  const pool = await import('./openapi/pool.js');
  const early = pool.prestartAnalysisWorker();
  try {
    return await loadWith(tree, configFile, options, (docFiles, timeoutMs) => pool.analyseDocuments(tree, docFiles, { timeoutMs, cache: options.cache, prestarted: early }));
  } finally {
    early?.close();
  }
}

async function loadWith(tree: Tree, configFile: string, options: ProjectOptions, analyse: (docFiles: string[], timeoutMs: number) => Promise<Map<string, OpenApiSummary>>): Promise<LoadResult> {
  const processEnv = options.processEnv ?? process.env;
  const loaded = await loadConfig(tree, configFile);
  if (!loaded.config) return { findings: sortFindings(loaded.findings), source: tree.describe() };
  const config = loaded.config;
  const current = options.currentEnvironment;
  const envName = current?.name ?? pickEnvironment(config, options.env, processEnv);
  const resolved = current && !config.environments[current.name] ? { environment: current, findings: [] } : resolveEnvironment(config, envName, processEnv);
  const envFindings = resolved.findings;
  const environment: Environment = current
    ? { ...resolved.environment, target: current.target, token: current.token, tls: current.tls, proxy: current.proxy, timeoutMs: current.timeoutMs, listen: current.listen, secrets: [...new Set([...resolved.environment.secrets, ...current.secrets])] }
    : resolved.environment;
  const manifests = await loadManifests(tree, config.manifests, environment.scope, config.file);
  const findings: Finding[] = [...loaded.findings, ...envFindings, ...manifests.findings];

  const apis = manifests.manifests.filter((m): m is Manifest<'API'> => m.kind === 'API');
  const docFiles: string[] = [];
  for (const api of apis) {
    let file: string;
    try {
      file = toTreePath(api.spec.openapi);
    } catch {
      findings.push(finding(api.file, positionOf(api.source, ['spec', 'openapi']), 'manifest-reference', `API '${api.name}' names OpenAPI document ${api.spec.openapi}, which is outside the repository; gitway reads only files of the repository (paths are relative to the repository root)`, ['spec', 'openapi']));
      continue;
    }
    let ok = false;
    try {
      ok = await tree.exists(file);
    } catch {
      ok = false;
    }
    if (!ok) {
      findings.push(finding(api.file, positionOf(api.source, ['spec', 'openapi']), 'manifest-reference', `API '${api.name}' names OpenAPI document ${file}, which does not exist in ${tree.describe()} (paths are relative to the repository root)`, ['spec', 'openapi']));
    } else if (!docFiles.includes(file)) {
      docFiles.push(file);
    }
  }
  const documents = await analyse(docFiles, options.openapiTimeoutMs ?? config.openapiTimeoutMs);
  for (const doc of documents.values()) findings.push(...doc.findings);

  const project: Project = {
    root: tree.root,
    tree,
    config,
    environment,
    manifests: manifests.manifests,
    manifestFiles: manifests.files,
    documents,
    findings: sortFindings(uniqueFindings(findings)),
    secrets: [...new Set([...environment.secrets, ...manifests.secrets])],
  };
  return { project, findings: project.findings, source: tree.describe() };
}

/** The same finding reached twice (a broken $ref met through two references) is reported once. */
function uniqueFindings(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.file}|${f.line}|${f.column}|${f.code}|${f.severity}|${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface EnvironmentOnly {
  root: string;
  config: ProjectConfig;
  environment: Environment;
  findings: Finding[];
  source: string;
}

/**
 * gitway.yaml and one environment, without the manifests or OpenAPI documents: what commands that
 * talk only to the gateway need (`history`, `dump`), so a broken manifest does not stop them.
 */
export async function loadEnvironment(options: ProjectOptions): Promise<{ loaded?: EnvironmentOnly; findings: Finding[]; source: string }> {
  const { root, configFile } = locateRoot(options);
  const tree = await openTree(root, options);
  try {
    const processEnv = options.processEnv ?? process.env;
    const loaded = await loadConfig(tree, configFile);
    if (!loaded.config) return { findings: sortFindings(loaded.findings), source: tree.describe() };
    const envName = pickEnvironment(loaded.config, options.env, processEnv);
    const { environment, findings } = resolveEnvironment(loaded.config, envName, processEnv);
    const all = sortFindings([...loaded.findings, ...findings]);
    return { loaded: { root: tree.root, config: loaded.config, environment, findings: all, source: tree.describe() }, findings: all, source: tree.describe() };
  } finally {
    await tree.close();
  }
}
