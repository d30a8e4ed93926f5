/**
 * One finding shape for everything gitway checks: schema problems, references, OpenAPI verdicts and
 * (later) Spectral rules. Positions are 1-based, as editors show them.
 */
export type Severity = 'error' | 'warn' | 'info' | 'hint';

export const severityRank: Record<Severity, number> = { error: 0, warn: 1, info: 2, hint: 3 };

export interface Finding {
  /** Path relative to the gitway root, with forward slashes. */
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  /** JSON path of the node inside the file's document, when known. */
  path: (string | number)[];
  /** Rule or check id, e.g. `manifest-schema`, `openapi-ref`. */
  code: string;
  severity: Severity;
  message: string;
}

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      severityRank[a.severity] - severityRank[b.severity] ||
      a.code.localeCompare(b.code) ||
      a.message.localeCompare(b.message),
  );
}

export function countBySeverity(findings: Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warn: 0, info: 0, hint: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}
