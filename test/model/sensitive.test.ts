/** Concealing secrets: by where a value came from, and as a last guard by its text, never renaming anything. */
import { concealValues } from '../../src/model/sensitive.js';
import { createPlan } from '../../src/plan/plan.js';
import { sha256 } from '../../src/model/fingerprint.js';

describe('concealing secrets', () => {
  it('hashes a value equal to a secret, and one containing a long secret, but not a name that merely contains a short one', () => {
    const long = 'k3y-0123456789abcdef';
    const v = { key: 'petstore', api: 'petstore', upstream: 'petstore-backend', header: `Bearer ${long}`, other: 'x' };
    expect(concealValues(v, ['petstore', long])).toEqual({ key: sha256('petstore'), api: sha256('petstore'), upstream: 'petstore-backend', header: sha256(`Bearer ${long}`), other: 'x' });
  });

  it("never conceals a plan's entity names, kinds or field paths", () => {
    const plan = createPlan(
      {
        gitway: 't',
        environment: 'e',
        driver: 'caddy',
        target: { kind: 'file', file: 'f' },
        desired: { source: 'worktree', head: null, dirty: true, fingerprint: 'sha256:x' },
        live: { fingerprint: 'sha256:y', present: true },
        changes: [{ action: 'update', kind: 'consumer', name: 'petstore', before: { key: 'old-secret-value' }, after: { key: 'petstore' }, fields: [{ path: 'key', before: 'old-secret-value', after: 'petstore' }] }],
      },
      ['petstore', 'old-secret-value'],
    );
    expect(plan.changes[0]).toEqual({
      action: 'update',
      kind: 'consumer',
      name: 'petstore',
      before: { key: sha256('old-secret-value') },
      after: { key: sha256('petstore') },
      fields: [{ path: 'key', before: sha256('old-secret-value'), after: sha256('petstore') }],
    });
  });
});
