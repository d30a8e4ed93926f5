/**
 * A baseline: the findings a team accepts for now, so later runs report only new ones. Entries are
 * keyed by file, rule and JSON path, never by line, so edits elsewhere in a file do not disturb
 * them; an entry that no longer matches anything is stale (the problem was fixed) and is reported.
 */
import { byCodeUnit, type Finding } from './finding.js';

export const BASELINE_VERSION = 1;
export const DEFAULT_BASELINE_FILE = '.gitway-baseline.json';

export interface BaselineEntry {
  file: string;
  rule: string;
  path: string;
  /** How many findings share this key. */
  count: number;
  message: string;
}

export interface Baseline {
  version: number;
  entries: BaselineEntry[];
}

const keyOf = (file: string, rule: string, path: string) => `${file}\u0000${rule}\u0000${path}`;
export const pathKey = (path: readonly (string | number)[]) => path.map(String).join('/');

export function createBaseline(findings: readonly Finding[]): Baseline {
  const map = new Map<string, BaselineEntry>();
  for (const f of findings) {
    const path = pathKey(f.path);
    const key = keyOf(f.file, f.code, path);
    const e = map.get(key);
    if (e) e.count++;
    else map.set(key, { file: f.file, rule: f.code, path, count: 1, message: f.message });
  }
  const entries = [...map.values()].sort((a, b) => byCodeUnit(a.file, b.file) || byCodeUnit(a.rule, b.rule) || byCodeUnit(a.path, b.path));
  return { version: BASELINE_VERSION, entries };
}

export function renderBaseline(baseline: Baseline): string {
  return JSON.stringify(baseline, null, 2) + '\n';
}

/** Parses a baseline file; throws with a plain message when it is not one. */
export function parseBaseline(text: string, file: string): Baseline {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${(err as Error).message}); write it again with gitway lint --baseline-write`);
  }
  const b = value as Baseline;
  if (!b || b.version !== BASELINE_VERSION || !Array.isArray(b.entries) || !b.entries.every((e) => typeof e.file === 'string' && typeof e.rule === 'string' && typeof e.path === 'string')) {
    throw new Error(`${file} is not a gitway baseline (version ${BASELINE_VERSION}); write it again with gitway lint --baseline-write`);
  }
  return b;
}

export interface BaselineResult {
  /** Findings not in the baseline: the ones to report. */
  findings: Finding[];
  suppressed: number;
  /** Entries that matched nothing: fixed problems still listed in the baseline. */
  stale: BaselineEntry[];
}

export function applyBaseline(findings: readonly Finding[], baseline: Baseline): BaselineResult {
  const budget = new Map<string, { entry: BaselineEntry; left: number }>();
  for (const e of baseline.entries) budget.set(keyOf(e.file, e.rule, e.path), { entry: e, left: Math.max(1, e.count ?? 1) });
  const kept: Finding[] = [];
  let suppressed = 0;
  for (const f of findings) {
    const b = budget.get(keyOf(f.file, f.code, pathKey(f.path)));
    if (b && b.left > 0) {
      b.left--;
      suppressed++;
    } else {
      kept.push(f);
    }
  }
  const stale = [...budget.values()].filter((b) => b.left === Math.max(1, b.entry.count ?? 1)).map((b) => b.entry);
  return { findings: kept, suppressed, stale };
}
