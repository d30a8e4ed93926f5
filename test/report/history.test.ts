/** The history renderers: a table with what is live marked and failed attempts explained, json, markdown. */
import type { Stamp } from '../../src/gateways/driver.js';
import { liveStamp, renderHistoryJson, renderHistoryMarkdown, renderHistoryText, revisionLabel } from '../../src/report/history.js';

const base = { tree: null, config: 'sha256:x', gitway: '0.1.0', environment: 'prod', summary: { add: 1, change: 2, destroy: 0 } };
const history: Stamp[] = [
  { ...base, id: 'f1', action: 'apply', result: 'failed', commit: 'cccccccccccccccccccccccccccccccccccccccc', source: 'commit', rev: 'v2', time: '2026-11-25T10:00:03.123Z', actor: 'ci (GitHub Actions run 7)', detail: "smoke check 'list' failed" },
  { ...base, id: 'r1', action: 'rollback', result: 'applied', commit: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', source: 'commit', time: '2026-11-25T10:00:02.000Z', actor: 'ann <ann@x>' },
  { ...base, id: 'a1', action: 'apply', result: 'applied', commit: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', source: 'worktree', dirty: true, time: '2026-11-25T10:00:01.000Z', actor: 'bob' },
];

describe('history renderers', () => {
  it('marks the newest applied stamp as live and explains failed attempts', () => {
    expect(liveStamp(history)?.id).toBe('r1');
    expect(revisionLabel(history[0])).toBe('ccccccc (v2)');
    expect(revisionLabel(history[2])).toBe('aaaaaaa (uncommitted changes)');
    expect(renderHistoryText({ environment: 'prod', where: 'http://caddy:2019', history })).toBe(
      [
        "Deployments of environment 'prod' (http://caddy:2019), newest first; * marks what is live:",
        '',
        '   TIME                  RESULT   ACTION    REVISION                       ACTOR                      CHANGES',
        "   2026-11-25 10:00:03Z  failed   apply     ccccccc (v2)                   ci (GitHub Actions run 7)  +1 ~2 -0",
        "     smoke check 'list' failed",
        '*  2026-11-25 10:00:02Z  applied  rollback  bbbbbbb                        ann <ann@x>                +1 ~2 -0',
        '   2026-11-25 10:00:01Z  applied  apply     aaaaaaa (uncommitted changes)  bob                        +1 ~2 -0',
        '',
      ].join('\n'),
    );
    expect(renderHistoryText({ environment: 'prod', where: 'u', history: [] })).toBe("No deployments recorded on environment 'prod' (u) yet.\n");
  });

  it('gives the stamps as JSON with the live one named, and a markdown table', () => {
    expect(JSON.parse(renderHistoryJson({ environment: 'prod', where: 'u', history }))).toEqual({ environment: 'prod', target: 'u', live: 'r1', history });
    const md = renderHistoryMarkdown({ environment: 'prod', where: 'u', history });
    expect(md).toContain('| **live** | 2026-11-25 10:00:02Z | applied | rollback | `bbbbbbb` | ann <ann@x> | +1 ~2 -0 |  |');
    expect(md).toContain("| failed | apply | `ccccccc (v2)` | ci (GitHub Actions run 7) | +1 ~2 -0 | smoke check 'list' failed |");
  });
});
