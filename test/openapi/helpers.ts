/**
 * Small OpenAPI documents written to a temporary folder and analysed with analyseDocument.
 * swagger-parser (CommonJS) requires json-schema-ref-parser (ESM), which Node 20 allows but jest's
 * module runtime does not, so the analysis runs in a child Node process on the built code (dist/,
 * which `npm test` builds first); the resolver tests import src/ directly.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OpenApiSummary } from '../../src/openapi/analyse.js';

export const projectRoot = process.cwd();
export const corpusEdge = path.resolve(projectRoot, '../shared/corpus/edge');

const script = `
const [root, file] = process.argv.slice(1);
const { analyseDocument } = await import(${JSON.stringify(path.join(projectRoot, 'dist/openapi/analyse.js'))});
const { WorkTree } = await import(${JSON.stringify(path.join(projectRoot, 'dist/workspace/worktree.js'))});
const tree = new WorkTree(root);
process.stdout.write(JSON.stringify(await analyseDocument(file, (f) => tree.read(f))));
`;

export function analyseCorpus(root: string, file: string): OpenApiSummary {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, root, file], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`analysis of ${file} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as OpenApiSummary;
}

export function analyseFiles(files: Record<string, string>, root: string): OpenApiSummary {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gitway-oas-'));
  try {
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      writeFileSync(path.join(dir, f), text);
    }
    return analyseCorpus(dir, root);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const errors = (s: OpenApiSummary) => s.findings.filter((f) => f.severity === 'error');
