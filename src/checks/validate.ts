/** `gitway validate`: load the project for an environment and report every finding. */
import { loadProject, type ProjectOptions } from '../project.js';
import type { Finding } from './finding.js';

export interface ValidationResult {
  ok: boolean;
  findings: Finding[];
  environment?: string;
  /** Which tree was read: "the working tree", "commit 1a2b3c4 (v1)". */
  source: string;
  manifests: number;
  operations: number;
  documents: { file: string; version?: string; valid: boolean; operations: number; ms: number }[];
  secrets: string[];
}

export async function validateProject(options: ProjectOptions): Promise<ValidationResult> {
  const { project, findings, source } = await loadProject(options);
  const documents = project ? [...project.documents.values()].map((d) => ({ file: d.file, version: d.version, valid: d.valid, operations: d.operations.length, ms: d.ms })) : [];
  return {
    ok: !findings.some((f) => f.severity === 'error'),
    findings,
    environment: project?.environment.name,
    source,
    manifests: project?.manifests.length ?? 0,
    operations: documents.reduce((n, d) => n + d.operations, 0),
    documents,
    secrets: project?.secrets ?? [],
  };
}
