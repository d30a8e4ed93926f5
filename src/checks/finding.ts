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

/** Orders strings by code unit: the same on every machine, whatever its locale. */
export const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      byCodeUnit(a.file, b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      severityRank[a.severity] - severityRank[b.severity] ||
      byCodeUnit(a.code, b.code) ||
      byCodeUnit(a.message, b.message),
  );
}

export function countBySeverity(findings: Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warn: 0, info: 0, hint: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}
