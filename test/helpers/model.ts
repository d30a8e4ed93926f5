/** Builds the neutral model from manifest files held in memory and documents given as operation lists. */
import { loadManifests } from '../../src/manifest/manifests.js';
import type { VariableScope } from '../../src/manifest/variables.js';
import { buildModel, type DocumentOperations, type ModelResult } from '../../src/model/build.js';
import { MemoryTree } from './memtree.js';

export const SECRET_KEY = 'ck-very-secret-1';
export const SECRET_PASSWORD = 'pw-very-secret-2';

export const scope: VariableScope = {
  environment: 'local',
  vars: { up: { value: 'http://10.0.0.1:8080', sensitive: false } },
  env: { CONSUMER_KEY: SECRET_KEY, CONSUMER_PASSWORD: SECRET_PASSWORD },
};

export async function modelFrom(files: Record<string, string>, documents: Record<string, DocumentOperations> = {}, listen?: string[]): Promise<ModelResult & { secrets: string[] }> {
  const loaded = await loadManifests(new MemoryTree(files), ['gateway/**/*.yaml'], scope, 'gitway.yaml');
  const errors = loaded.findings.filter((f) => f.severity === 'error');
  if (errors.length) throw new Error(`test manifests are invalid: ${errors.map((f) => `${f.file}:${f.line} ${f.message}`).join('; ')}`);
  return { ...buildModel({ manifests: loaded.manifests, documents: new Map(Object.entries(documents)), listen }), secrets: loaded.secrets };
}

export const doc = (ops: [string, string, string?][], basePath?: string): DocumentOperations => ({
  basePath,
  operations: ops.map(([method, path, operationId]) => ({ method, path, operationId })),
});

export const manifest = (kind: string, name: string, spec: string): string => `apiVersion: gitway/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;
