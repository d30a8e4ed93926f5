/** Findings for CI systems: SARIF 2.1.0, JUnit XML, GitHub workflow annotations, Markdown. Pure. */
import type { Finding, Severity } from '../checks/finding.js';
import { byCodeUnit, countBySeverity, severityRank } from '../checks/finding.js';

export interface ToolInfo {
  version: string;
  /** Rule descriptions by id, when known (SARIF lists them). */
  rules?: Record<string, string>;
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warn: 'warning', info: 'note', hint: 'note' };

export function renderSarif(findings: readonly Finding[], tool: ToolInfo): string {
  const ruleIds = [...new Set(findings.map((f) => f.code))].sort();
  const index = new Map(ruleIds.map((id, i) => [id, i]));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'gitway',
            version: tool.version,
            informationUri: 'https://github.com/gitway/gitway',
            rules: ruleIds.map((id) => ({ id, shortDescription: { text: tool.rules?.[id] ?? id } })),
          },
        },
        columnKind: 'unicodeCodePoints',
        results: findings.map((f) => ({
          ruleId: f.code,
          ruleIndex: index.get(f.code),
          level: SARIF_LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(f.file), uriBaseId: '%SRCROOT%' },
                region: {
                  startLine: Math.max(1, f.line),
                  startColumn: Math.max(1, f.column),
                  ...(f.endLine && f.endLine >= f.line ? { endLine: f.endLine, endColumn: Math.max(1, f.endColumn ?? f.column) } : {}),
                },
              },
            },
          ],
          ...(f.path.length ? { properties: { jsonPath: f.path.map(String) } } : {}),
        })),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/** One test case a file; each finding of the file is a failure of it. */
export function renderJunit(findings: readonly Finding[], files: readonly string[] = []): string {
  const byFile = new Map<string, Finding[]>();
  for (const f of files) byFile.set(f, []);
  for (const f of findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  const cases = [...byFile.entries()].sort(([a], [b]) => byCodeUnit(a, b));
  const failures = cases.filter(([, list]) => list.length > 0).length;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="gitway lint" tests="${cases.length}" failures="${failures}">`, `  <testsuite name="gitway lint" tests="${cases.length}" failures="${failures}" errors="0">`];
  for (const [file, list] of cases) {
    if (list.length === 0) {
      lines.push(`    <testcase classname="gitway" name="${xml(file)}"/>`);
      continue;
    }
    lines.push(`    <testcase classname="gitway" name="${xml(file)}">`);
    const text = list.map((f) => `${f.file}:${f.line}:${f.column} ${f.severity} ${f.code}: ${f.message}`).join('\n');
    const worst = [...list].sort((a, b) => severityRank[a.severity] - severityRank[b.severity])[0];
    lines.push(`      <failure message="${xml(`${list.length} finding${list.length === 1 ? '' : 's'}`)}" type="${xml(worst.code)}">${xml(text)}</failure>`);
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>');
  return lines.join('\n') + '\n';
}

const GITHUB_LEVEL: Record<Severity, 'error' | 'warning' | 'notice'> = { error: 'error', warn: 'warning', info: 'notice', hint: 'notice' };
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** GitHub Actions workflow commands: one annotation a finding. */
export function renderGithub(findings: readonly Finding[]): string {
  return findings
    .map((f) => {
      const props = [`file=${escapeProperty(f.file)}`, `line=${f.line}`, `col=${f.column}`];
      if (f.endLine) props.push(`endLine=${f.endLine}`);
      if (f.endColumn && f.endLine === f.line) props.push(`endColumn=${f.endColumn}`);
      props.push(`title=${escapeProperty(`gitway ${f.code}`)}`);
      return `::${GITHUB_LEVEL[f.severity]} ${props.join(',')}::${escapeData(f.message)}\n`;
    })
    .join('');
}

const md = (s: string) => s.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\n/g, ' ');

/** A pull-request comment: a summary line, then a table per severity inside a collapsible section. */
export function renderMarkdown(findings: readonly Finding[]): string {
  const c = countBySeverity([...findings]);
  if (findings.length === 0) return '### gitway lint\n\n:white_check_mark: No problems found.\n';
  const head = `### gitway lint\n\n${c.error ? ':x:' : ':warning:'} **${findings.length} problem${findings.length === 1 ? '' : 's'}**: ${c.error} error${c.error === 1 ? '' : 's'}, ${c.warn} warning${c.warn === 1 ? '' : 's'}${c.info ? `, ${c.info} info` : ''}${c.hint ? `, ${c.hint} hints` : ''}\n`;
  const rows = findings.map((f) => `| ${f.severity} | \`${md(f.file)}:${f.line}:${f.column}\` | \`${md(f.code)}\` | ${md(f.message)} |`);
  return `${head}\n<details${c.error ? ' open' : ''}>\n<summary>Findings</summary>\n\n| severity | where | rule | message |\n|---|---|---|---|\n${rows.join('\n')}\n\n</details>\n`;
}
