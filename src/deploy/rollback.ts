/**
 * Rollback: the desired state of an earlier commit (default: the one deployed before the current
 * one, from the history stamped on the gateway), read without a checkout, checked like any change
 * (validation and the commit's own rulesets: a commit that fails them is refused before anything
 * is written), then planned against live like any plan. Secrets come from the current environment.
 */
import { InvalidProjectError, UsageError } from '../errors.js';
import type { Stamp } from '../gateways/driver.js';
import { computePlan, type PlanResult } from './planner.js';
import type { Phase } from './apply.js';
import type { DesiredOptions } from './desired.js';
import { gatewayEnvironment, readLive } from './live.js';

export interface RollbackOptions extends DesiredOptions {
  gitwayVersion: string;
  /** The commit, tag or branch to go back to; default: the deployment before the live one. */
  to?: string;
  /** Run the commit's rulesets too (default true); validation always runs. */
  lint?: boolean;
  progress?: (phase: Phase) => void;
}

export interface RollbackPlan extends PlanResult {
  /** Newer deployments passed over because they cannot be read back (uncommitted changes, the index). */
  skipped: Stamp[];
  /** What the user named, or the sha taken from the history. */
  rev: string;
  /** The stamp of the deployment being returned to, when the revision came from the history. */
  from?: Stamp;
  /** The stamp of what is live now. */
  current?: Stamp;
}

/** The deployment a rollback returns to by default: the newest applied one older than the live one, of another commit. */
export function previousDeployment(history: readonly Stamp[]): { live?: Stamp; previous?: Stamp; skipped: Stamp[] } {
  const index = history.findIndex((s) => s.result === 'applied');
  if (index < 0) return { skipped: [] };
  const live = history[index];
  const skipped: Stamp[] = [];
  for (const s of history.slice(index + 1)) {
    if (s.result !== 'applied') continue;
    // Another state than the live one (another commit, or the same commit deployed differently, e.g. from a dirty tree)...
    if (s.commit === live.commit && s.config === live.config) continue;
    // ...that a rollback can read back: a commit, not uncommitted changes or the index.
    if (!s.commit || s.dirty || s.source === 'index') {
      skipped.push(s);
      continue;
    }
    return { live, previous: s, skipped };
  }
  return { live, skipped };
}

export async function planRollback(options: RollbackOptions): Promise<RollbackPlan> {
  let rev = options.to;
  let from: Stamp | undefined;
  let current: Stamp | undefined;
  let skipped: Stamp[] = [];
  // The gateway as the working tree's gitway.yaml defines it: the old commit's manifests and variables go to today's gateway.
  const here = await gatewayEnvironment({ ...options, rev: undefined, staged: false });
  const currentEnvironment = here.environment;
  if (rev === undefined) {
    options.progress?.('reading');
    const read = await readLive(options, here);
    ({ live: current, previous: from, skipped } = previousDeployment(read.live.history));
    if (!from) {
      throw new UsageError(
        current
          ? `the gateway of environment '${read.environment.name}' records no deployment of another commit before the live one (${current.commit ? current.commit.slice(0, 7) : 'not a commit'}), so there is nothing to roll back to by default; nothing was written`
          : `the gateway of environment '${read.environment.name}' records no deployment (it was never applied by gitway, or its history was lost), so there is nothing to roll back to by default; nothing was written`,
        'Name the commit, tag or branch to go back to: gitway rollback REV (see `gitway history`).',
      );
    }
    rev = from.commit as string;
  }
  options.progress?.('loading');
  if (options.lint !== false) {
    const { lintProject } = await import('../checks/lint.js');
    const result = await lintProject({ ...options, rev, staged: false, currentEnvironment });
    options.onSecrets?.(result.secrets);
    if (result.findings.some((f) => f.severity === 'error')) {
      throw new InvalidProjectError(result.findings, result.source, {
        what: 'gitway refuses to roll back to it; nothing was written',
        hint: `Roll back to another revision (see \`gitway history\`), or pass --no-lint to skip the rulesets (validation always runs).`,
      });
    }
  }
  const plan = await computePlan({ ...options, rev, staged: false, currentEnvironment, progress: (p) => (p === 'loading' ? undefined : options.progress?.(p)) });
  return { ...plan, rev, from, current, skipped };
}
