/**
 * The deployment history a gateway keeps about itself, rendered: a table (text), the stamps
 * (json), or a table for a pull-request comment (markdown). Pure functions of the stamps.
 */
import type { Stamp } from '../gateways/driver.js';
import type { PlanStyle } from './plan.js';

export interface HistoryView {
  environment: string;
  where: string;
  history: readonly Stamp[];
}

/** The stamp whose state is live: the newest applied one (a failed attempt on top put it back). */
export function liveStamp(history: readonly Stamp[]): Stamp | undefined {
  return history.find((s) => s.result === 'applied');
}

export function revisionLabel(s: Stamp): string {
  if (!s.commit) return s.source === 'index' ? 'index (no commit)' : 'working tree (no commit)';
  const short = s.commit.slice(0, 7);
  const extra = [s.rev && !s.commit.startsWith(s.rev) ? s.rev : '', s.dirty ? 'uncommitted changes' : s.source === 'index' ? 'index' : ''].filter(Boolean);
  return extra.length ? `${short} (${extra.join(', ')})` : short;
}

function changes(s: Stamp): string {
  return `+${s.summary?.add ?? 0} ~${s.summary?.change ?? 0} -${s.summary?.destroy ?? 0}`;
}

function when(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function renderHistoryText(view: HistoryView, style?: PlanStyle): string {
  if (view.history.length === 0) return `No deployments recorded on environment '${view.environment}' (${view.where}) yet.\n`;
  const live = liveStamp(view.history);
  const rows = view.history.map((s) => [s === live ? '*' : ' ', when(s.time), s.result, s.action, revisionLabel(s), s.actor, changes(s)]);
  const head = [' ', 'TIME', 'RESULT', 'ACTION', 'REVISION', 'ACTOR', 'CHANGES'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  const paint = (s: Stamp, text: string) => (!style ? text : s.result === 'failed' ? style.destroy(text) : s === live ? style.bold(text) : text);
  const out = [`Deployments of environment '${view.environment}' (${view.where}), newest first; * marks what is live:`, '', line(head)];
  view.history.forEach((s, i) => {
    out.push(paint(s, line(rows[i])));
    if (s.result === 'failed' && s.detail) out.push(`     ${style ? style.dim(s.detail) : s.detail}`);
  });
  return out.join('\n') + '\n';
}

export function renderHistoryJson(view: HistoryView): string {
  return JSON.stringify({ environment: view.environment, target: view.where, live: liveStamp(view.history)?.id ?? null, history: view.history }, null, 2) + '\n';
}

export function renderHistoryMarkdown(view: HistoryView): string {
  if (view.history.length === 0) return `No deployments recorded on environment \`${view.environment}\` yet.\n`;
  const live = liveStamp(view.history);
  const cell = (t: string) => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rows = view.history.map((s) => `| ${s === live ? '**live**' : ''} | ${when(s.time)} | ${s.result} | ${s.action} | \`${cell(revisionLabel(s))}\` | ${cell(s.actor)} | ${changes(s)} | ${cell(s.detail ?? '')} |`);
  return [`### Deployments of \`${view.environment}\``, '', '| | time | result | action | revision | actor | changes | detail |', '|---|---|---|---|---|---|---|---|', ...rows].join('\n') + '\n';
}
