/**
 * Plan renderers: pure functions from a plan (or a comparison of two desired states) to a string.
 *   text      Terraform-like: `+ ~ -` per entity, field-level changes, `Plan: N to add, …`
 *   json      the plan value itself (what `--out` saves)
 *   markdown  for a pull-request comment: summary table, then the text form in a <details> block
 * Secret values are `sha256:` hashes in a plan; they are shown as (sensitive).
 */
import { diffLines } from 'diff';
import type { Change, FieldChange } from '../plan/diff.js';
import type { Plan } from '../plan/plan.js';
import { serializePlan } from '../plan/plan.js';
import { describeRevision } from '../workspace/revision.js';

export interface PlanStyle {
  add: (s: string) => string;
  change: (s: string) => string;
  destroy: (s: string) => string;
  dim: (s: string) => string;
  bold: (s: string) => string;
}

const plain: PlanStyle = { add: id, change: id, destroy: id, dim: id, bold: id };

function id(s: string): string {
  return s;
}

/** What the text and markdown renderers show: a heading, the changes, and how to count them. */
export interface ChangesView {
  heading: string[];
  changes: readonly Change[];
  /** "Plan: 1 to add, 0 to change, 0 to destroy." */
  summary: string;
  /** The one line shown when there is nothing to do. */
  none: string;
  notes?: string[];
}

export function planView(plan: Plan): ChangesView {
  const s = plan.summary;
  const target = plan.target.kind === 'file' ? `file ${plan.target.file}` : `admin API ${plan.target.url}`;
  return {
    heading: [`Plan for environment '${plan.environment}' (${plan.driver}, ${target})`, `Desired: ${describeRevision(plan.desired)}`],
    changes: plan.changes,
    summary: `Plan: ${s.add} to add, ${s.change} to change, ${s.destroy} to destroy.`,
    none: `No changes. Environment '${plan.environment}' matches ${describeRevision(plan.desired)}.`,
  };
}

export function renderPlanText(plan: Plan, style?: PlanStyle): string {
  return renderChangesText(planView(plan), style);
}

export function renderPlanJson(plan: Plan): string {
  return serializePlan(plan);
}

export function renderPlanMarkdown(plan: Plan): string {
  return renderChangesMarkdown(planView(plan), `gitway plan for \`${plan.environment}\``);
}

export function renderChangesText(view: ChangesView, style: PlanStyle = plain): string {
  const notes = (view.notes ?? []).map((n) => `${style.dim(`Note: ${n}`)}\n`).join('');
  if (view.changes.length === 0) return `${view.none}\n${notes}`;
  const lines: string[] = [...view.heading.map((h, i) => (i === 0 ? style.bold(h) : h)), ''];
  for (const c of view.changes) lines.push(...changeLines(c, style));
  lines.push('', style.bold(view.summary));
  return lines.join('\n') + '\n' + notes;
}

export function renderChangesMarkdown(view: ChangesView, title: string): string {
  const out: string[] = [`### ${title}`, ''];
  if (view.changes.length === 0) {
    out.push(view.none);
  } else {
    out.push(...view.heading.slice(1).map((h) => `${h}  `), '', `**${view.summary}**`, '', '| | kind | name | changed |', '|---|---|---|---|');
    for (const c of view.changes) {
      const what = c.action === 'update' ? [...(c.fields ?? []).map((f) => f.path), ...(c.drift ? ['(edited by hand)'] : [])].join(', ') : c.action === 'create' ? 'new' : 'removed';
      out.push(`| ${SIGN[c.action]} | ${c.kind} | \`${mdCell(c.name)}\` | ${mdCell(what)} |`);
    }
    out.push('', '<details><summary>Details</summary>', '', '```diff', ...view.changes.flatMap((c) => changeLines(c, plain)).map((l) => l.replace(/^ {2}/, '')), '```', '', '</details>');
  }
  for (const n of view.notes ?? []) out.push('', `> ${n}`);
  return out.join('\n') + '\n';
}

const SIGN = { create: '+', update: '~', delete: '-' } as const;

function changeLines(c: Change, style: PlanStyle): string[] {
  const paint = c.action === 'create' ? style.add : c.action === 'update' ? style.change : style.destroy;
  const lines = [`  ${paint(`${SIGN[c.action]} ${c.kind} ${c.name}`)}`];
  if (c.drift) lines.push(`      ${style.change('!')} ${c.drift}`);
  if (c.action === 'create' && c.after && typeof c.after === 'object') {
    for (const [k, v] of Object.entries(c.after as Record<string, unknown>)) lines.push(`      ${style.add('+')} ${k}: ${show(v)}`);
  } else if (c.action === 'update') {
    for (const f of c.fields ?? []) lines.push(...fieldLines(f, style));
  }
  return lines;
}

function fieldLines(f: FieldChange, style: PlanStyle): string[] {
  const pad = '      ';
  if (!('before' in f)) return [`${pad}${style.add('+')} ${f.path}: ${show(f.after)}`];
  if (!('after' in f)) return [`${pad}${style.destroy('-')} ${f.path}: ${show(f.before)}`];
  if (isSensitive(f.before) || isSensitive(f.after)) return [`${pad}${style.change('~')} ${f.path}: (sensitive value changed)`];
  const before = show(f.before);
  const after = show(f.after);
  if (before.length + after.length <= 100) return [`${pad}${style.change('~')} ${f.path}: ${before} → ${after}`];
  // Long values: a line diff of their pretty JSON, so the change inside them is visible.
  const out = [`${pad}${style.change('~')} ${f.path}:`];
  for (const part of diffLines(pretty(f.before), pretty(f.after))) {
    const mark = part.added ? '+' : part.removed ? '-' : ' ';
    const paint = part.added ? style.add : part.removed ? style.destroy : style.dim;
    for (const line of part.value.replace(/\n$/, '').split('\n')) out.push(`${pad}${paint(`${mark}     ${line}`)}`);
  }
  return out;
}

function isSensitive(v: unknown): boolean {
  return typeof v === 'string' && /^sha256:[0-9a-f]{64}$/.test(v);
}

function hideHashes(v: unknown): unknown {
  if (isSensitive(v)) return '(sensitive)';
  if (Array.isArray(v)) return v.map(hideHashes);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, hideHashes(x)]));
  return v;
}

function show(v: unknown): string {
  if (isSensitive(v)) return '(sensitive)';
  return JSON.stringify(hideHashes(v)) ?? 'null';
}

function pretty(v: unknown): string {
  return JSON.stringify(hideHashes(v), null, 2) + '\n';
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/`/g, "'");
}
