import { createPlan, type PlanBody } from '../../src/plan/plan.js';
import { renderPlanJson, renderPlanMarkdown, renderPlanText } from '../../src/report/plan.js';
import type { Change } from '../../src/plan/diff.js';

const HASH = 'sha256:' + 'ab'.repeat(32);
const changes: Change[] = [
  { action: 'create', kind: 'upstream', name: 'orders', before: null, after: { targets: [{ url: 'http://10.0.0.1:80', weight: 1 }], retries: 2 } },
  {
    action: 'update',
    kind: 'route',
    name: 'orders:/orders/{id}',
    before: {},
    after: {},
    fields: [
      { path: 'methods', before: ['GET'], after: ['DELETE', 'GET'] },
      { path: 'stripPrefix', after: '/orders' },
      { path: 'operations', before: ['getOrder', 'aVeryLongOperationIdentifierNumberOne', 'aVeryLongOperationIdentifierNumberTwo'], after: ['getOrder', 'aVeryLongOperationIdentifierNumberOne', 'cancelOrder', 'aVeryLongOperationIdentifierNumberTwo'] },
    ],
  },
  { action: 'update', kind: 'consumer', name: 'web', before: {}, after: {}, fields: [{ path: 'credentials[0].key', before: HASH, after: 'sha256:' + 'cd'.repeat(32) }] },
  { action: 'update', kind: 'route', name: 'health', before: {}, after: {}, fields: [], drift: 'its Caddy route was edited by hand' },
  { action: 'delete', kind: 'policy', name: 'old', before: { type: 'cors' }, after: null },
];
const body = (c: Change[]): PlanBody => ({
  gitway: '0.1.0',
  environment: 'local',
  driver: 'caddy',
  target: { kind: 'file', file: '.gitway/local/caddy.json' },
  desired: { source: 'worktree', head: '1234567890'.repeat(4), dirty: true, fingerprint: HASH },
  live: { fingerprint: HASH, present: true },
  changes: c,
});

describe('plan renderers', () => {
  const plan = createPlan(body(changes));

  it('renders text exactly, Terraform-like, with colour off', () => {
    expect(renderPlanText(plan)).toBe(`Plan for environment 'local' (caddy, file .gitway/local/caddy.json)
Desired: the working tree at 1234567 with uncommitted changes

  + upstream orders
      + targets: [{"url":"http://10.0.0.1:80","weight":1}]
      + retries: 2
  ~ route orders:/orders/{id}
      ~ methods: ["GET"] → ["DELETE","GET"]
      + stripPrefix: "/orders"
      ~ operations:
            [
              "getOrder",
              "aVeryLongOperationIdentifierNumberOne",
      +       "cancelOrder",
              "aVeryLongOperationIdentifierNumberTwo"
            ]
  ~ consumer web
      ~ credentials[0].key: (sensitive value changed)
  ~ route health
      ! its Caddy route was edited by hand
  - policy old

Plan: 1 to add, 3 to change, 1 to destroy.
`);
  });

  it('says "No changes." in one line when there are none', () => {
    expect(renderPlanText(createPlan(body([])))).toBe("No changes. Environment 'local' matches the working tree at 1234567 with uncommitted changes.\n");
  });

  it('colours + ~ - when asked', () => {
    const tag = (t: string) => (s: string) => `<${t}>${s}</${t}>`;
    const text = renderPlanText(plan, { add: tag('g'), change: tag('y'), destroy: tag('r'), dim: tag('d'), bold: tag('b') });
    expect(text).toContain('  <g>+ upstream orders</g>\n');
    expect(text).toContain('  <y>~ consumer web</y>\n');
    expect(text).toContain('  <r>- policy old</r>\n');
    expect(text).toContain('<b>Plan: 1 to add, 3 to change, 1 to destroy.</b>');
  });

  it('renders markdown for a pull-request comment with a details section', () => {
    const md = renderPlanMarkdown(plan);
    expect(md).toContain('### gitway plan for `local`\n');
    expect(md).toContain('**Plan: 1 to add, 3 to change, 1 to destroy.**');
    expect(md).toContain('| ~ | route | `orders:/orders/{id}` | methods, stripPrefix, operations |');
    expect(md).toContain('| ~ | route | `health` | (edited by hand) |');
    expect(md).toContain('<details><summary>Details</summary>\n\n```diff\n+ upstream orders\n');
    expect(md.trimEnd().endsWith('</details>')).toBe(true);
    expect(renderPlanMarkdown(createPlan(body([])))).toBe("### gitway plan for `local`\n\nNo changes. Environment 'local' matches the working tree at 1234567 with uncommitted changes.\n");
  });

  it('renders json as the plan value itself', () => {
    expect(JSON.parse(renderPlanJson(plan))).toEqual(plan);
  });
});
