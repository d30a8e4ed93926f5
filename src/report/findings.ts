/** Renderers for findings: pure functions from findings to a string. */
import type { Finding, Severity } from '../checks/finding.js';
import { countBySeverity } from '../checks/finding.js';

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  underline(s: string): string;
  severity(sev: Severity, s: string): string;
}

export const plainStyle: Style = { bold: (s) => s, dim: (s) => s, underline: (s) => s, severity: (_sev, s) => s };

/** Grouped by file, one line a finding (line:col  severity  message  code), then a summary line. */
export function renderStylish(findings: readonly Finding[], style: Style = plainStyle): string {
  if (findings.length === 0) return '';
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = byFile.get(f.file);
    if (list) list.push(f);
    else byFile.set(f.file, [f]);
  }
  const lines: string[] = [];
  for (const [file, list] of byFile) {
    lines.push(style.underline(file));
    let posWidth = 0;
    let sevWidth = 0;
    for (const f of list) {
      posWidth = Math.max(posWidth, `${f.line}:${f.column}`.length);
      sevWidth = Math.max(sevWidth, f.severity.length);
    }
    for (const f of list) {
      const pos = `${f.line}:${f.column}`.padEnd(posWidth);
      lines.push(`  ${style.dim(pos)}  ${style.severity(f.severity, f.severity.padEnd(sevWidth))}  ${f.message}  ${style.dim(f.code)}`);
    }
    lines.push('');
  }
  const c = countBySeverity([...findings]);
  const parts = [`${c.error} error${c.error === 1 ? '' : 's'}`, `${c.warn} warning${c.warn === 1 ? '' : 's'}`];
  if (c.info) parts.push(`${c.info} info`);
  if (c.hint) parts.push(`${c.hint} hint${c.hint === 1 ? '' : 's'}`);
  const total = findings.length;
  const summary = `✖ ${total} problem${total === 1 ? '' : 's'} (${parts.join(', ')})`;
  lines.push(c.error ? style.severity('error', style.bold(summary)) : style.severity('warn', style.bold(summary)));
  return lines.join('\n') + '\n';
}

/** One JSON value: the findings and their counts. */
export function renderJson(findings: readonly Finding[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...extra, summary: countBySeverity([...findings]), findings }, null, 2) + '\n';
}
