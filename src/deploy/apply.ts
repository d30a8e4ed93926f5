/**
 * Applying a reviewed plan: write it (stamped with who deployed what), read the gateway back and
 * check it now holds exactly the desired state and this apply's stamp, and if it does not, put the
 * previous state back and check that too. An apply ends with the old state or the new one: when
 * even the restore fails, the error (exit 5) says what is live and how to finish.
 */
import { randomBytes } from 'node:crypto';
import { ApplyFailedError, GitwayError, UnrestoredError } from '../errors.js';
import type { LiveState, Stamp } from '../gateways/driver.js';
import { redact } from '../model/sensitive.js';
import { diff, summarise, type Change } from '../plan/diff.js';
import { targetLabel, type Plan } from '../plan/plan.js';
import { actorOf, treeOf } from '../workspace/actor.js';
import { concealedEntities, type Desired } from './desired.js';

export type Phase = 'loading' | 'reading' | 'planning' | 'writing' | 'verifying' | 'checking' | 'restoring';

export interface ApplyOptions {
  gitwayVersion: string;
  processEnv?: NodeJS.ProcessEnv;
  action?: Stamp['action'];
  /** Called as each phase starts (the CLI shows a spinner). */
  progress?: (phase: Phase) => void;
  /** Runs before anything is written (what afterVerify will need, e.g. a proxy for the smoke checks); throws to refuse. */
  beforeWrite?: () => void;
  /** Runs after the write verified (smoke checks); a problem it returns (or throws) puts the previous state back. */
  afterVerify?: (live: LiveState) => Promise<string | undefined>;
  /** The name of the signal once the user interrupted (Ctrl-C, SIGTERM): the apply stops at the next safe point and puts the previous state back. */
  interrupted?: () => string | undefined;
  /** Secret values: kept out of what is stamped on the gateway. */
  secrets?: readonly string[];
  /** Told the desired state and plan about to be applied (a saved plan's are loaded inside). */
  onDesired?: (desired: Desired, plan: Plan) => void;
  /** The live read the plan was checked against: a driver may write from it instead of reading again. */
  live?: LiveState;
}

export interface ApplyOutcome {
  plan: Plan;
  stamp?: Stamp;
  /** Write requests sent (0 when there was nothing to do). */
  writes: number;
}

/** The stamp an apply records: revision, tree, config hash, time, actor, gitway version. */
export async function stampFor(plan: Plan, desired: Desired, options: ApplyOptions): Promise<Stamp> {
  const r = desired.revision;
  return {
    id: randomBytes(8).toString('hex'),
    action: options.action ?? 'apply',
    result: 'applied',
    commit: r.source === 'commit' ? r.commit : r.head,
    ...(r.source === 'commit' && r.rev !== r.commit ? { rev: r.rev } : {}),
    source: r.source,
    ...(r.source === 'worktree' && r.dirty ? { dirty: true } : {}),
    tree: await treeOf(desired.project.root, r),
    config: desired.fingerprint,
    time: new Date().toISOString(),
    actor: await actorOf(desired.project.root, options.processEnv ?? process.env),
    gitway: options.gitwayVersion,
    environment: plan.environment,
    summary: plan.summary,
  };
}

export async function applyPlan(plan: Plan, desired: Desired, options: ApplyOptions): Promise<ApplyOutcome> {
  if (plan.changes.length === 0) return { plan, writes: 0 };
  options.onDesired?.(desired, plan);
  const stamp = await stampFor(plan, desired, options);
  const before = options.interrupted?.();
  if (before) throw new ApplyFailedError(`interrupted (${before}) before anything was written; nothing changed on ${targetLabel(plan.target)}`, 'Run the apply again when you are ready.');
  options.beforeWrite?.();
  options.progress?.('writing');
  const live = options.live?.fingerprint === plan.live.fingerprint ? options.live : undefined;
  const result = await desired.driver.write(desired.target, { native: desired.native, changes: plan.changes, expectedFingerprint: plan.live.fingerprint, stamp, live });
  options.progress?.('verifying');
  let check: { live: LiveState; problem?: string; foreign?: Stamp };
  try {
    check = await verify(desired, stamp);
  } catch (err) {
    // The gateway took the write, then could not be read back: what is live is not known for sure.
    throw new UnrestoredError(
      `the gateway accepted the write of this apply, then reading it back to verify failed (${(err as Error).message}); gitway could not check it${options.afterVerify ? ' or run the smoke checks' : ''}, so it did not undo it: the new state is most likely live on ${targetLabel(plan.target)}`,
      `When the gateway answers again, run \`gitway plan --env ${plan.environment}\` ("No changes." means the new state is live), then \`gitway rollback --env ${plan.environment}\` if it must not stay.`,
      err,
    );
  }
  if (check.foreign) {
    // Someone else's write is on top of this one: putting the previous state back would undo theirs.
    throw new UnrestoredError(
      `${check.problem}: deployment ${check.foreign.id} (${check.foreign.action} by ${check.foreign.actor} at ${check.foreign.time}) is live on ${targetLabel(plan.target)}, not this apply; gitway did not undo anything`,
      `Run \`gitway history --env ${plan.environment}\` and \`gitway plan --env ${plan.environment}\` to see what is live.`,
    );
  }
  let problem = check.problem;
  if (!problem && options.afterVerify) {
    options.progress?.('checking');
    try {
      problem = await options.afterVerify(check.live);
    } catch (err) {
      problem = `the smoke checks could not run (${(err as Error).message})`;
    }
  }
  // An interrupt that came during the write is honoured once the write is known: the previous state goes back.
  const stop = options.interrupted?.();
  if (!problem && stop) problem = `interrupted (${stop}) during the apply, after the write`;
  if (problem) await restore(desired, result.previous, check.live, stamp, problem, options);
  return { plan, stamp, writes: result.writes };
}

/** Reads the gateway back: it must hold exactly the desired state, with this apply's stamp on top. */
async function verify(desired: Desired, stamp: Stamp): Promise<{ live: LiveState; problem?: string; foreign?: Stamp }> {
  const live = await desired.driver.read(desired.target);
  const left = diff(concealedEntities(desired.model.state, desired.project.secrets), live.entities, desired.driver.defaults);
  if (left.length) return { live, problem: `reading ${live.where} back after the write does not give the desired state (${describeChanges(left)})` };
  if (live.history[0]?.id !== stamp.id) {
    const problem = `reading ${live.where} back after the write does not show this apply's stamp on top (another write got in between)`;
    // Another deployment's stamp on top, and ours below it: that deployment came after this one.
    const ours = live.history.findIndex((s) => s.id === stamp.id);
    return ours > 0 ? { live, problem, foreign: live.history[0] } : { live, problem };
  }
  return { live };
}

/**
 * Puts `previous` back after a failed apply (the gateway holds `now`), stamped as a failed attempt,
 * and checks it by reading back. Always throws: ApplyFailedError (exit 1) when the previous state is
 * live again, UnrestoredError (exit 5) when it could not be put back.
 */
export async function restore(desired: Desired, previous: LiveState, now: LiveState, stamp: Stamp, problem: string, options: Pick<ApplyOptions, 'progress' | 'secrets'>): Promise<never> {
  options.progress?.('restoring');
  const failed: Stamp = { ...stamp, id: randomBytes(8).toString('hex'), result: 'failed', time: new Date().toISOString(), detail: shorten(redact(problem, options.secrets ?? desired.project.secrets)) };
  try {
    await desired.driver.restore(desired.target, { snapshot: previous.snapshot, expectedFingerprint: now.fingerprint, stamp: failed });
    const back = await desired.driver.read(desired.target);
    const left = diff(previous.entities, back.entities);
    if (left.length) throw new Error(`reading it back after the restore gives ${describeChanges(left)} against the previous state`);
  } catch (err) {
    const why = err instanceof GitwayError ? err.message : (err as Error).message;
    const live = await desired.driver.read(desired.target).catch(() => undefined);
    const state = !live ? 'gitway cannot read the gateway to tell what is live' : live.fingerprint === now.fingerprint ? 'the NEW state (of this apply) is live' : 'a state that is neither the previous nor the new one is live';
    throw new UnrestoredError(
      `${problem}; putting the previous state back failed too (${why}): ${state} on ${previous.where}`,
      `Run \`gitway plan --env ${desired.environment.name}\` to see what is live; \`gitway apply --env ${desired.environment.name}\` finishes this apply, \`gitway rollback --env ${desired.environment.name}\` returns to the previous deployment.`,
      err,
    );
  }
  throw new ApplyFailedError(`${problem}; the previous state was put back and is live again (read back to check)`, 'Nothing of this apply is live. Fix the cause, plan again, and apply.');
}

function describeChanges(changes: readonly Change[]): string {
  const s = summarise(changes);
  const names = changes.slice(0, 3).map((c) => `${c.kind} ${c.name}`).join(', ');
  return `${s.add} to add, ${s.change} to change, ${s.destroy} to destroy: ${names}${changes.length > 3 ? ', …' : ''}`;
}

function shorten(text: string): string {
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
