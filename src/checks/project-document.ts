/**
 * The project document: one JSON value with the environment, every manifest (its spec with
 * variables substituted and secrets hidden, and as written) and every API's operations. Manifest
 * rules (built-in and the team's) run on it with Spectral; each finding's path is mapped back to the
 * file, line and column it came from.
 */
import { positionOf, type JsonPath } from '../manifest/source.js';
import { toTreePath } from '../workspace/tree.js';
import type { Project } from '../project.js';

export const PROJECT_MARK = 'project';

export interface ProjectDocument {
  value: Record<string, unknown>;
  /** Maps a path in the project document to a place in a source file. */
  locate(path: JsonPath): { file: string; line: number; column: number; path: JsonPath } | undefined;
}

export function buildProjectDocument(project: Project): ProjectDocument {
  const hide = (value: unknown, sensitive: JsonPath[], base: JsonPath): unknown => {
    const isSensitive = (p: JsonPath) => sensitive.some((s) => s.length === p.length && s.every((x, i) => String(x) === String(p[i])));
    const walk = (v: unknown, p: JsonPath): unknown => {
      if (isSensitive(p)) return '(sensitive)';
      if (Array.isArray(v)) return v.map((x, i) => walk(x, [...p, i]));
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, [...p, k])]));
      return v;
    };
    return walk(value, base);
  };
  const manifests = project.manifests.map((m) => ({
    kind: m.kind,
    name: m.name,
    file: m.file,
    metadata: m.metadata,
    spec: hide(m.spec, m.sensitive, ['spec']),
    raw: m.rawSpec,
    'x-gitway-ignore': (m.source.doc.toJS() as Record<string, unknown> | null)?.['x-gitway-ignore'],
  }));
  const apiManifests: number[] = [];
  const apis = project.manifests.flatMap((m, i) => {
    if (m.kind !== 'API') return [];
    let file = m.spec.openapi;
    try {
      file = toTreePath(file);
    } catch {
      // reported by validate
    }
    const doc = project.documents.get(file);
    apiManifests.push(i);
    return [
      {
        name: m.name,
        document: file,
        basePath: m.spec.basePath,
        documentBasePath: doc?.basePath,
        hosts: m.spec.hosts ?? [],
        version: doc?.version,
        operations: (doc?.operations ?? []).map((o) => ({ method: o.method, path: o.path, operationId: o.operationId })),
      },
    ];
  });
  const value = {
    'x-gitway': PROJECT_MARK,
    environment: { name: project.environment.name, driver: project.environment.driver, target: project.environment.target.kind },
    manifests,
    apis,
  };

  const locate = (rawPath: JsonPath) => {
    // Spectral gives array indices as strings
    const path = rawPath.map((p) => (typeof p === 'string' && /^\d+$/.test(p) ? Number(p) : p));
    const [top, index, ...rest] = path;
    if (top === 'manifests' && typeof index === 'number' && project.manifests[index]) {
      const m = project.manifests[index];
      const [field, ...inner] = rest;
      const src: JsonPath = field === 'raw' || field === 'spec' ? ['spec', ...inner] : field === undefined || field === 'kind' || field === 'file' ? [] : field === 'name' ? ['metadata', 'name'] : [field, ...inner];
      return { file: m.file, ...positionOf(m.source, src, true), path: src };
    }
    if (top === 'apis' && typeof index === 'number' && apis[index]) {
      const manifest = project.manifests[apiManifests[index]];
      const [field, opIndex] = rest;
      if (field === 'operations' && typeof opIndex === 'number') {
        const doc = project.documents.get(apis[index].document);
        const op = doc?.operations[opIndex];
        if (op) return { file: op.file, line: 0, column: 0, path: op.at };
      }
      const src: JsonPath = field === 'basePath' || field === 'hosts' ? ['spec', field] : field === 'document' ? ['spec', 'openapi'] : ['metadata', 'name'];
      return { file: manifest.file, ...positionOf(manifest.source, src, true), path: src };
    }
    return undefined;
  };
  return { value, locate };
}
