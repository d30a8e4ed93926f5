/**
 * Runs `gitway lint FILE… --ruleset R --format json` and Spectral's own CLI on the same inputs, and
 * puts both outputs into one shape so a test can compare them. The shared corpus is read in place
 * (`../shared/corpus`), or copied into a temporary folder when a test needs to change something.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gitway, projectRoot } from '../helpers/cli.js';

export const corpus = path.resolve(projectRoot, '../shared/corpus');
export const rulesets = path.join(corpus, 'rulesets');
const spectralBin = path.join(projectRoot, 'node_modules/@stoplight/spectral-cli/dist/index.js');
const SEVERITIES = ['error', 'warn', 'info', 'hint'] as const;

/** One finding, as both tools report it. `path` is the JSON path joined with dots. */
export interface Result {
  /** The file's base name. */
  file: string;
  code: string;
  path: string;
  severity: string;
  line: number;
  column: number;
  message: string;
}

interface GitwayJson {
  findings: { file: string; line: number; column: number; path: (string | number)[]; code: string; severity: string; message: string }[];
}

interface SpectralJson {
  code: string | number;
  path: (string | number)[];
  message: string;
  severity: number;
  range: { start: { line: number; character: number } };
  source?: string;
}

/** `gitway lint DOCS --ruleset R --format json` in `cwd`; every finding, whatever its severity. */
export function gitwayLint(docs: string[], ruleset: string, cwd: string, extra: string[] = []): { status: number; stderr: string; results: Result[] } {
  const r = gitway(['lint', ...docs, '--ruleset', ruleset, '--format', 'json', '--fail-on', 'never', ...extra], { cwd });
  if (r.status !== 0) return { status: r.status, stderr: r.stderr, results: [] };
  const json = JSON.parse(r.stdout) as GitwayJson;
  return {
    status: r.status,
    stderr: r.stderr,
    results: json.findings.map((f) => ({ file: path.basename(f.file), code: f.code, path: f.path.map(String).join('.'), severity: f.severity, line: f.line, column: f.column, message: f.message })),
  };
}

/** `spectral lint DOCS -r R -f json` (Spectral CLI 6.16) in `cwd`. */
export function spectralLint(docs: string[], ruleset: string, cwd: string): Result[] {
  const r = spawnSync(process.execPath, [spectralBin, 'lint', ...docs, '-r', ruleset, '-f', 'json', '--fail-severity', 'error'], { cwd, encoding: 'utf8', maxBuffer: 1 << 30, timeout: 300_000 });
  const out = r.stdout.trim();
  if (!out.startsWith('[')) throw new Error(`spectral lint failed (exit ${r.status}): ${r.stderr}${r.stdout}`);
  return (JSON.parse(out) as SpectralJson[]).map((x) => ({
    file: path.basename(x.source ?? docs[0]),
    code: String(x.code),
    path: x.path.map(String).join('.'),
    severity: SEVERITIES[x.severity],
    line: x.range.start.line + 1,
    column: x.range.start.character + 1,
    message: x.message,
  }));
}

/** A sorted list of one key per result: what "the same set of findings" means. */
export function keys(results: Result[], key: (r: Result) => string = (r) => `${r.file} ${r.code} ${r.severity} ${r.path}`): string[] {
  return [...new Set(results.map(key))].sort();
}

/**
 * Position differences that are explained: Spectral's CLI parses every document with its YAML
 * parser, gitway parses `.json` files with Spectral's JSON parser. On a key whose value is an object
 * or array (`"info": {`), the YAML parser's range starts at the blank after the colon, the JSON
 * parser's at the brace. Returns the pairs (same file, rule, path, line, message) whose columns
 * differ in any other way.
 */
export function unexplainedColumns(gitwayResults: Result[], spectralResults: Result[], textOf: (file: string) => string): string[] {
  const lines = new Map<string, string[]>();
  const lineOf = (file: string, n: number) => {
    if (!lines.has(file)) lines.set(file, textOf(file).split('\n'));
    return lines.get(file)![n - 1] ?? '';
  };
  const byKey = (r: Result) => `${r.file}|${r.code}|${r.path}|${r.line}|${r.message}`;
  const spectralColumns = new Map<string, number[]>();
  for (const s of spectralResults) spectralColumns.set(byKey(s), [...(spectralColumns.get(byKey(s)) ?? []), s.column]);
  const out: string[] = [];
  for (const g of gitwayResults) {
    const columns = spectralColumns.get(byKey(g)) ?? [];
    if (columns.includes(g.column)) continue;
    const line = lineOf(g.file, g.line);
    const explained = /\.json$/i.test(g.file) && columns.some((c) => c < g.column && /^\s+$/.test(line.slice(c - 1, g.column - 1)) && /[{[]/.test(line[g.column - 1] ?? ''));
    if (!explained) out.push(`${byKey(g)}: gitway column ${g.column}, Spectral ${columns.join('/') || '(none)'}`);
  }
  return out;
}

export function read(file: string): string {
  return readFileSync(file, 'utf8');
}
