/**
 * Plan and apply on a target: compute a plan (desired vs live), and apply a reviewed plan (a saved
 * one, after every check it owes, or one just made and confirmed). Apply never recomputes a
 * different plan silently: it writes exactly the native config whose hash the plan records, and only
 * onto the live state whose hash the plan records.
 */
import { PlanFileError, StalePlanError } from '../errors.js';
import { diff } from '../plan/diff.js';
import { checkPlanFor, createPlan, parsePlan, type Plan, type PlanTarget } from '../plan/plan.js';
import type { LiveState, ResolvedTarget } from '../gateways/index.js';
import { applyPlan, type ApplyOptions, type ApplyOutcome, type Phase } from './apply.js';
import { concealedEntities, loadDesired, type Desired, type DesiredOptions } from './desired.js';

export interface PlanResult {
  plan: Plan;
  desired: Desired;
  /** The live read the plan was computed against. */
  live: LiveState;
}

/** The target as a plan records and messages show it: an admin URL without any credentials in it. */
export function planTarget(target: ResolvedTarget): PlanTarget {
  return target.kind === 'file' ? { kind: 'file', file: target.file } : { kind: 'admin', url: withoutCredentials(target.url) };
}

export function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/+$/, '');
  } catch {
    return url;
  }
}

export async function computePlan(options: DesiredOptions & { gitwayVersion: string; progress?: (phase: Phase) => void }): Promise<PlanResult> {
  options.progress?.('loading');
  const desired = await loadDesired(options);
  options.progress?.('reading');
  const live = await desired.driver.read(desired.target);
  options.progress?.('planning');
  const changes = diff(concealedEntities(desired.model.state, desired.project.secrets), live.entities, desired.driver.defaults);
  const plan = createPlan(
    {
      gitway: options.gitwayVersion,
      environment: desired.environment.name,
      driver: desired.driver.name,
      target: planTarget(desired.target),
      desired: { ...desired.revision, fingerprint: desired.fingerprint },
      live: { fingerprint: live.fingerprint, present: live.present },
      changes,
    },
    desired.project.secrets,
  );
  return { plan, desired, live };
}

/**
 * Applies a saved plan file. Refused (nothing written) when the file is truncated or edited, of
 * another format, for another environment or target, when the desired state no longer compiles to
 * what the plan promises (files or secrets changed), or when the live state moved (StalePlanError).
 */
export async function applySavedPlan(text: string, file: string, options: DesiredOptions & { env?: string } & ApplyOptions): Promise<ApplyOutcome> {
  const plan = parsePlan(text, file);
  const environment = options.env ?? plan.environment;
  if (environment !== plan.environment) {
    throw new PlanFileError(`${file} is a plan for environment '${plan.environment}', not '${environment}'; nothing was applied`, `Apply it with --env ${plan.environment}, or make a plan for '${environment}'.`);
  }
  const d = plan.desired;
  options.progress?.('loading');
  const desired = await loadDesired({
    ...options,
    env: environment,
    rev: d.source === 'commit' ? d.commit : undefined,
    staged: d.source === 'index',
  });
  checkPlanFor(plan, { environment: desired.environment.name, driver: desired.driver.name, target: planTarget(desired.target) }, file);
  if (desired.fingerprint !== plan.desired.fingerprint) {
    throw new PlanFileError(
      `the desired state no longer compiles to what ${file} promises (${d.source === 'commit' ? `commit ${d.commit.slice(0, 7)}` : d.source === 'index' ? 'the index' : 'the working tree'} or the secrets it uses changed since the plan was made); nothing was applied`,
      'Run `gitway plan` again and review the new plan.',
    );
  }
  options.progress?.('reading');
  const live = await desired.driver.read(desired.target);
  if (live.fingerprint !== plan.live.fingerprint) {
    const last = live.history[0];
    const who = last ? ` (the newest deployment on it: ${last.action} ${last.result} by ${last.actor} at ${last.time})` : '';
    throw new StalePlanError(`the live state of environment '${plan.environment}' changed since ${file} was made${who}; nothing was applied`);
  }
  return applyPlan(plan, desired, { ...options, live });
}
