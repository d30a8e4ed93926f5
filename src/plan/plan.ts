/**
 * The plan: a versioned value that records what it was computed against and the ordered changes.
 * Saved with `--out`, it is what `apply` consumes: apply checks that it is whole (checksum), of this
 * format, for this environment, that the live state has not moved (fingerprint), and that the
 * desired state still compiles to what the plan promises. Secrets appear only as `sha256:` hashes.
 */
import { PlanFileError } from '../errors.js';
import { canonicalJson, sha256 } from '../model/fingerprint.js';
import { concealValues } from '../model/sensitive.js';
import type { Revision } from '../workspace/revision.js';
import { ACTIONS, summarise, type Change } from './diff.js';
import { ENTITY_KINDS } from '../model/types.js';

export const PLAN_FORMAT = 1;

export type PlanTarget = { kind: 'file'; file: string } | { kind: 'admin'; url: string };

/** A target as messages name it: the file, or the admin URL. */
export function targetLabel(target: PlanTarget): string {
  return target.kind === 'file' ? target.file : target.url;
}

export interface Plan {
  formatVersion: number;
  gitway: string;
  environment: string;
  driver: string;
  target: PlanTarget;
  desired: Revision & {
    /** Hash of the native config the desired state compiles to (with the secrets of the run that planned). */
    fingerprint: string;
  };
  live: {
    /** Hash of the gitway-owned live state the changes were computed against. */
    fingerprint: string;
    present: boolean;
  };
  summary: { add: number; change: number; destroy: number };
  changes: Change[];
  /** sha256 of the canonical JSON of every other field: a truncated or edited plan file is refused. */
  checksum: string;
}

export type PlanBody = Omit<Plan, 'checksum' | 'summary' | 'formatVersion'>;

/** A plan value from its parts; any string holding one of the run's secrets is hashed as a last guard. */
export function createPlan(body: PlanBody, secrets: readonly string[] = []): Plan {
  // Values only: names, kinds and field paths are identities, never secrets (a short secret that
  // happens to appear in a name must not rename an entity).
  const hide = <T>(v: T): T => concealValues(v, secrets);
  const changes = body.changes.map((c) => ({
    ...c,
    before: hide(c.before),
    after: hide(c.after),
    ...(c.fields ? { fields: c.fields.map((f) => ({ ...f, ...('before' in f ? { before: hide(f.before) } : {}), ...('after' in f ? { after: hide(f.after) } : {}) })) } : {}),
  }));
  const unsigned = { formatVersion: PLAN_FORMAT, ...body, summary: summarise(changes), changes };
  return { ...unsigned, checksum: checksumOf(unsigned) };
}

function checksumOf(plan: Omit<Plan, 'checksum'>): string {
  return sha256(canonicalJson(plan));
}

export function serializePlan(plan: Plan): string {
  return JSON.stringify(plan, null, 2) + '\n';
}

/** Reads a saved plan, refusing anything that is not a whole, unedited plan of this format. */
export function parsePlan(text: string, file: string): Plan {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new PlanFileError(`${file} is not a complete plan file (it does not parse as JSON: truncated or damaged?); nothing was applied`, 'Make a new plan with `gitway plan --out FILE`.');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new PlanFileError(`${file} is not a gitway plan file; nothing was applied`);
  const v = value as Partial<Plan>;
  if (v.formatVersion !== PLAN_FORMAT) {
    throw new PlanFileError(
      v.formatVersion === undefined ? `${file} is not a gitway plan file (it has no formatVersion); nothing was applied` : `${file} is a plan of format ${JSON.stringify(v.formatVersion)}; this gitway applies format ${PLAN_FORMAT}; nothing was applied`,
      'Make a new plan with this gitway: `gitway plan --out FILE`.',
    );
  }
  const { checksum, ...rest } = v;
  if (typeof checksum !== 'string' || checksumOf(rest as Omit<Plan, 'checksum'>) !== checksum) {
    throw new PlanFileError(`${file} was changed after gitway wrote it (its checksum does not match its content); nothing was applied`, 'Never edit a plan file: make a new plan with `gitway plan --out FILE`.');
  }
  const shapeOk =
    typeof v.environment === 'string' &&
    typeof v.driver === 'string' &&
    v.target && typeof v.target === 'object' &&
    v.desired && typeof v.desired === 'object' && typeof v.desired.fingerprint === 'string' &&
    v.live && typeof v.live.fingerprint === 'string' &&
    Array.isArray(v.changes) &&
    v.changes.every((c) => c && (ACTIONS as readonly string[]).includes(c.action) && (ENTITY_KINDS as readonly string[]).includes(c.kind) && typeof c.name === 'string');
  if (!shapeOk) throw new PlanFileError(`${file} is not a usable gitway plan (fields are missing or of the wrong kind); nothing was applied`);
  return v as Plan;
}

/** Refuses a plan made for another environment, driver or target. */
export function checkPlanFor(plan: Plan, here: { environment: string; driver: string; target: PlanTarget }, file: string): void {
  if (plan.environment !== here.environment) {
    throw new PlanFileError(`${file} is a plan for environment '${plan.environment}', not '${here.environment}'; nothing was applied`, `Apply it with --env ${plan.environment}, or make a plan for '${here.environment}'.`);
  }
  if (plan.driver !== here.driver || canonicalJson(plan.target) !== canonicalJson(here.target)) {
    const show = (t: PlanTarget) => (t.kind === 'file' ? `file ${t.file}` : `admin ${t.url}`);
    throw new PlanFileError(
      `${file} was made for ${plan.driver} at ${show(plan.target)}, but environment '${here.environment}' is now ${here.driver} at ${show(here.target)}; nothing was applied`,
      'Make a new plan for the environment as it is configured now.',
    );
  }
}
