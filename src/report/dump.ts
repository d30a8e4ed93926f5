/**
 * What `gitway dump` did, rendered: the files written and the variables to set (text, for stdout),
 * what it skipped or could not dump exactly (text, for stderr), or all of it as one JSON value.
 * Pure functions of the outcome.
 */
import type { DumpOutcome } from '../deploy/dump.js';
import type { PlanStyle } from './plan.js';

const LABELS: Record<DumpOutcome['skipped'][number]['category'], string> = {
  foreign: 'not gitway\'s',
  unexpressible: 'not dumped',
  inexact: 'not exact',
  drift: 'hand edit',
  'not-on-gateway': 'not on gateway',
  environment: 'gitway.yaml',
};

export function renderDumpText(outcome: DumpOutcome, style?: PlanStyle): string {
  const bold = style?.bold ?? ((s: string) => s);
  const head = `environment '${outcome.environment}' (${outcome.driver}, ${outcome.where})`;
  if (!outcome.present) return `The gateway of ${head} holds nothing of gitway's: nothing was written.\n`;
  if (outcome.files.length === 0) return `Nothing of ${head} could be written as manifests (see what was skipped).\n`;
  const out = [bold(`Dumped ${head} into ${outcome.dir}:`)];
  const width = Math.max(...outcome.files.map((f) => f.path.length));
  for (const f of outcome.files) out.push(`  ${f.path.padEnd(width)}  ${f.summary}${f.overwritten ? ' (overwritten)' : ''}`);
  if (outcome.variables.length) {
    out.push('', 'The gateway holds secrets only as hashes. Set these environment variables to the real values before planning:');
    const w = Math.max(...outcome.variables.map((v) => v.name.length));
    for (const v of outcome.variables) out.push(`  ${v.name.padEnd(w)}  ${v.entity} ${v.field}${v.alsoUsedBy?.length ? ` (also ${v.alsoUsedBy.join(', ')})` : ''}`);
  }
  if (outcome.others.length) {
    out.push('', `Warning: the repository already had manifest files (${outcome.others.join(', ')}): an entity defined there and in the dumped files is defined twice, which validate refuses; keep one of them.`);
  }
  for (const f of outcome.unread) out.push('', `Warning: gitway.yaml's manifest patterns do not match ${f}: gitway will not read it until they do.`);
  const exact = !outcome.skipped.some((s) => s.category === 'inexact' || s.category === 'unexpressible' || s.category === 'drift' || s.category === 'environment');
  out.push(
    '',
    `Next: review the files${outcome.variables.length ? ', set the variables' : ''}, and run \`gitway plan --env ${outcome.environment}\`${exact ? ': it should say "No changes."' : ' (it will show what could not be dumped exactly, listed on stderr)'}.`,
  );
  return out.join('\n') + '\n';
}

/** One line per skipped part, for stderr; empty when nothing was skipped. */
export function renderDumpSkipped(outcome: DumpOutcome): string {
  if (outcome.skipped.length === 0) return '';
  const width = Math.max(...outcome.skipped.map((s) => LABELS[s.category].length));
  const lines = outcome.skipped.map((s) => `  ${LABELS[s.category].padEnd(width)}  ${s.subject}: ${s.reason}`);
  return `Skipped or not exact (${outcome.skipped.length}):\n${lines.join('\n')}\n`;
}

export function renderDumpJson(outcome: DumpOutcome): string {
  return (
    JSON.stringify(
      {
        environment: outcome.environment,
        driver: outcome.driver,
        target: outcome.where,
        dir: outcome.dir,
        present: outcome.present,
        files: outcome.files,
        counts: outcome.counts,
        variables: outcome.variables,
        skipped: outcome.skipped,
        unread: outcome.unread,
        others: outcome.others,
      },
      null,
      2,
    ) + '\n'
  );
}
