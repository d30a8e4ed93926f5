/**
 * Loading the manifest files gitway.yaml points at: parse (with positions), check each document
 * against the schema of its kind, substitute variables, then check the documents against each
 * other (duplicate names per kind, references between kinds).
 */
import type { Finding } from '../checks/finding.js';
import { toTreePath, type Tree } from '../workspace/tree.js';
import { KINDS, validateManifestSchema, type Kind } from './schema.js';
import { finding, isEmptyDocument, parseSource, positionOf, toValue, type SourceDocument } from './source.js';
import { POLICY_TYPES, type AnyManifest, type Manifest } from './types.js';
import { isEnvReference, substitute, type VariableScope } from './variables.js';

export interface LoadedManifests {
  files: string[];
  manifests: AnyManifest[];
  findings: Finding[];
  secrets: string[];
}

export async function loadManifests(tree: Tree, patterns: readonly string[], scope: VariableScope, configFile: string): Promise<LoadedManifests> {
  const files = await tree.glob(patterns);
  const out: LoadedManifests = { files, manifests: [], findings: [], secrets: [] };
  if (files.length === 0) {
    out.findings.push(finding(configFile, { line: 1, column: 1 }, 'manifest-none', `no manifest file matches ${patterns.join(', ')} in ${tree.describe()}`, [], 'warn'));
  }
  const parsed = await Promise.all(files.map(async (file) => parseSource(file, await tree.read(file))));
  // Kind and name of documents that are written but invalid: a reference to one of them is not
  // reported as "not defined" on top of the document's own findings.
  const invalid: Named[] = [];
  let unreadable = false;
  for (const source of parsed) {
    out.findings.push(...source.findings);
    if (source.findings.length) unreadable = true;
    if (source.findings.length === 0 && source.documents.every(isEmptyDocument)) {
      out.findings.push(finding(source.file, { line: 1, column: 1 }, 'manifest-empty', `${source.file} is empty: a manifest file holds one or more documents with apiVersion, kind, metadata and spec`));
      continue;
    }
    for (const doc of source.documents) {
      if (isEmptyDocument(doc)) continue; // an empty document between two '---' separators
      const m = await readDocument(doc, scope, out.findings, out.secrets);
      if (m.manifest) out.manifests.push(m.manifest);
      else if (m.named) invalid.push(m.named);
      else if (m.unreadable) unreadable = true;
    }
  }
  // A file that does not parse may hold the definitions others refer to: check references once every file reads.
  out.findings.push(...crossCheck(out.manifests, { invalid, references: !unreadable }));
  return out;
}

interface Named {
  kind: Kind;
  name: string;
}

async function readDocument(source: SourceDocument, scope: VariableScope, findings: Finding[], secrets: string[]): Promise<{ manifest?: AnyManifest; named?: Named; unreadable?: boolean }> {
  const read = toValue(source);
  if (read.findings.length) {
    findings.push(...read.findings);
    return { unreadable: true };
  }
  const value = read.value;
  const at = (path: (string | number)[], onKey = false) => positionOf(source, path, onKey);
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    findings.push(finding(source.file, at([]), 'manifest-schema', `document ${source.index + 1} of ${source.file} is not a map; a manifest has apiVersion, kind, metadata and spec`));
    return {};
  }
  const doc = value as Record<string, unknown>;
  if (doc.apiVersion !== 'gitway/v1') {
    findings.push(finding(source.file, at(['apiVersion']), 'manifest-schema', doc.apiVersion === undefined ? `document ${source.index + 1} has no apiVersion; write apiVersion: gitway/v1` : `apiVersion ${JSON.stringify(doc.apiVersion)} is not supported; write apiVersion: gitway/v1`, ['apiVersion']));
    return {};
  }
  const kind = doc.kind;
  if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) {
    findings.push(finding(source.file, at(['kind']), 'manifest-unknown-kind', kind === undefined ? `document ${source.index + 1} has no kind; use one of ${KINDS.join(', ')}` : `unknown kind ${JSON.stringify(kind)}; use one of ${KINDS.join(', ')}`, ['kind']));
    return {};
  }
  // Variables first, so the schema sees the values the gateway will get (a URL from ${var.X} is checked as a URL).
  const sub = doc.spec && typeof doc.spec === 'object' ? substitute(doc.spec as Record<string, unknown>, scope, ['spec']) : { value: doc.spec, problems: [], sensitive: [], secrets: [] };
  // Secrets join the run's list before anything can fail: a schema message may quote the value.
  secrets.push(...sub.secrets);
  const metaName = (doc.metadata as { name?: unknown } | undefined)?.name;
  const named = typeof metaName === 'string' ? { kind: kind as Kind, name: metaName } : undefined;
  for (const p of sub.problems) findings.push(finding(source.file, at(p.path), p.code, p.message, p.path));
  if (sub.problems.length) return { named };
  const schemaFindings = await validateManifestSchema(source, kind as Kind, { ...doc, spec: sub.value });
  if (schemaFindings.length) {
    findings.push(...schemaFindings);
    return { named };
  }
  const metadata = doc.metadata as Manifest['metadata'];
  const spec = doc.spec as Record<string, unknown>;
  const manifest = { kind, name: metadata.name, file: source.file, source, metadata, spec: sub.value, rawSpec: spec, sensitive: sub.sensitive } as AnyManifest;
  if (manifest.kind === 'API') {
    // one spelling per document (`./apis/x.yaml` is `apis/x.yaml`); a path outside is reported by the project
    try {
      manifest.spec = { ...manifest.spec, openapi: toTreePath(manifest.spec.openapi) || manifest.spec.openapi };
    } catch {
      // left as written
    }
  }
  findings.push(...checkDocument(manifest));
  return { manifest };
}

/** Rules of one document that JSON Schema cannot say well. */
function checkDocument(m: AnyManifest): Finding[] {
  const out: Finding[] = [];
  const at = (path: (string | number)[], onKey = false) => positionOf(m.source, path, onKey);
  if (m.kind === 'Policy') {
    const types = POLICY_TYPES.filter((t) => m.spec[t] !== undefined);
    if (types.length !== 1) {
      out.push(finding(m.file, at(['spec']), 'manifest-schema', types.length === 0 ? `Policy '${m.name}' sets no policy; give exactly one of ${POLICY_TYPES.join(', ')}` : `Policy '${m.name}' sets ${types.join(' and ')}; give exactly one per Policy (split it into ${types.length} Policies)`, ['spec']));
    }
  }
  if (m.kind === 'Consumer') {
    (m.rawSpec.credentials ?? []).forEach((cred, i) => {
      for (const field of ['key', 'password', 'secret'] as const) {
        const raw = cred[field];
        if (raw !== undefined && !isEnvReference(raw)) {
          out.push(finding(m.file, at(['spec', 'credentials', i, field]), 'secret-plaintext', `the ${field} of Consumer '${m.name}' credential ${i + 1} is written in plain text; write it as \${env.NAME} and keep the value out of git`, ['spec', 'credentials', i, field]));
        }
      }
      const needs = cred.type === 'key' ? 'key' : cred.type === 'basic' ? 'password' : 'secret';
      if (cred[needs] === undefined) out.push(finding(m.file, at(['spec', 'credentials', i]), 'manifest-schema', `a ${cred.type} credential of Consumer '${m.name}' needs '${needs}'`, ['spec', 'credentials', i]));
    });
  }
  if (m.kind === 'Upstream') {
    const lb = m.spec.loadBalancing;
    if (lb?.policy === 'header' && !lb.header) out.push(finding(m.file, at(['spec', 'loadBalancing']), 'manifest-schema', `load balancing by header needs 'header' (the header to hash on)`, ['spec', 'loadBalancing']));
    if (lb?.policy === 'cookie' && !lb.cookie) out.push(finding(m.file, at(['spec', 'loadBalancing']), 'manifest-schema', `load balancing by cookie needs 'cookie' (the cookie name)`, ['spec', 'loadBalancing']));
  }
  if (m.kind === 'Route') {
    m.spec.paths.forEach((p, i) => {
      if (typeof p === 'object' && p.match === 'regex') {
        try {
          new RegExp(p.path);
        } catch (err) {
          out.push(finding(m.file, at(['spec', 'paths', i, 'path']), 'manifest-schema', `path regex ${JSON.stringify(p.path)} does not compile: ${(err as Error).message}`, ['spec', 'paths', i, 'path']));
        }
      } else if (typeof p === 'object' && !p.path.startsWith('/')) {
        out.push(finding(m.file, at(['spec', 'paths', i, 'path']), 'manifest-schema', `path ${JSON.stringify(p.path)} must start with /`, ['spec', 'paths', i, 'path']));
      }
    });
  }
  return out;
}

/** Duplicate names per kind and references from APIs and Routes to Upstreams and Policies. */
export function crossCheck(manifests: AnyManifest[], options: { invalid?: readonly Named[]; references?: boolean } = {}): Finding[] {
  const out: Finding[] = [];
  const byKind = new Map<Kind, Map<string, AnyManifest>>();
  for (const m of manifests) {
    const names = byKind.get(m.kind) ?? new Map<string, AnyManifest>();
    byKind.set(m.kind, names);
    const first = names.get(m.name);
    if (first) {
      const pos = positionOf(first.source, ['metadata', 'name']);
      out.push(finding(m.file, positionOf(m.source, ['metadata', 'name']), 'manifest-duplicate', `${m.kind} '${m.name}' is defined twice; the first is at ${first.file}:${pos.line}:${pos.column}`, ['metadata', 'name']));
    } else {
      names.set(m.name, m);
    }
  }
  if (options.references === false) return out;
  const has = (kind: Kind, name: string) => (byKind.get(kind)?.has(name) ?? false) || (options.invalid ?? []).some((n) => n.kind === kind && n.name === name);
  for (const m of manifests) {
    if (m.kind !== 'API' && m.kind !== 'Route') continue;
    if (!has('Upstream', m.spec.upstream)) {
      out.push(finding(m.file, positionOf(m.source, ['spec', 'upstream']), 'manifest-reference', `${m.kind} '${m.name}' names Upstream '${m.spec.upstream}', which is not defined${suggest(m.spec.upstream, byKind.get('Upstream'))}`, ['spec', 'upstream']));
    }
    (m.spec.policies ?? []).forEach((p, i) => {
      if (!has('Policy', p)) out.push(finding(m.file, positionOf(m.source, ['spec', 'policies', i]), 'manifest-reference', `${m.kind} '${m.name}' names Policy '${p}', which is not defined${suggest(p, byKind.get('Policy'))}`, ['spec', 'policies', i]));
    });
  }
  return out;
}

function suggest(name: string, known: Map<string, unknown> | undefined): string {
  const names = [...(known?.keys() ?? [])];
  if (names.length === 0) return '';
  const close = names.filter((n) => distance(n, name) <= 2);
  return close.length ? ` (did you mean '${close[0]}'?)` : ` (defined: ${names.slice(0, 8).join(', ')})`;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
