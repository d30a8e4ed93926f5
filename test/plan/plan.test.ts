import { PlanFileError } from '../../src/errors.js';
import { checkPlanFor, createPlan, parsePlan, serializePlan, type PlanBody } from '../../src/plan/plan.js';

const SECRET = 'a-secret-value-77';
const body: PlanBody = {
  gitway: '0.1.0',
  environment: 'local',
  driver: 'caddy',
  target: { kind: 'file', file: '.gitway/local/caddy.json' },
  desired: { source: 'worktree', head: 'a'.repeat(40), dirty: false, fingerprint: 'sha256:' + '1'.repeat(64) },
  live: { fingerprint: 'sha256:' + '2'.repeat(64), present: true },
  changes: [{ action: 'update', kind: 'consumer', name: 'c', before: { key: 'old' }, after: { key: `Bearer ${SECRET}` }, fields: [{ path: 'key', before: 'old', after: `Bearer ${SECRET}` }] }],
};

describe('plan files', () => {
  const plan = createPlan(body, [SECRET]);
  const text = serializePlan(plan);

  it('is a versioned value with a summary and a checksum, and holds secrets only as hashes', () => {
    expect(plan).toMatchObject({ formatVersion: 1, environment: 'local', summary: { add: 0, change: 1, destroy: 0 }, checksum: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect(text).not.toContain(SECRET);
    expect(plan.changes[0].after).toEqual({ key: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect(parsePlan(text, 'plan.json')).toEqual(plan);
  });

  it('refuses a truncated file', () => {
    expect(() => parsePlan(text.slice(0, text.length / 2), 'plan.json')).toThrow(new PlanFileError('plan.json is not a complete plan file (it does not parse as JSON: truncated or damaged?); nothing was applied'));
  });

  it('refuses a hand-edited file', () => {
    expect(() => parsePlan(text.replace('"name": "c"', '"name": "d"'), 'plan.json')).toThrow(/was changed after gitway wrote it/);
    const unsummed = JSON.parse(text) as Record<string, unknown>;
    delete unsummed.checksum;
    expect(() => parsePlan(JSON.stringify(unsummed), 'plan.json')).toThrow(/was changed after gitway wrote it/);
  });

  it('refuses another format version and a file that is not a plan', () => {
    expect(() => parsePlan(text.replace('"formatVersion": 1', '"formatVersion": 2'), 'plan.json')).toThrow(/plan of format 2; this gitway applies format 1/);
    expect(() => parsePlan('[]', 'plan.json')).toThrow(/is not a gitway plan file/);
  });

  it('refuses a plan for another environment or target', () => {
    expect(() => checkPlanFor(plan, { environment: 'prod', driver: 'caddy', target: body.target }, 'plan.json')).toThrow("plan.json is a plan for environment 'local', not 'prod'; nothing was applied");
    expect(() => checkPlanFor(plan, { environment: 'local', driver: 'caddy', target: { kind: 'file', file: 'other.json' } }, 'plan.json')).toThrow(/was made for caddy at file .gitway\/local\/caddy.json, but environment 'local' is now caddy at file other.json/);
    expect(() => checkPlanFor(plan, { environment: 'local', driver: 'caddy', target: body.target }, 'plan.json')).not.toThrow();
  });
});
