import { existsSync } from 'node:fs';
import path from 'node:path';
import { run } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/context.js';
import { gitway, tempRepo } from '../helpers/cli.js';

/** An Io for run() in this process: a terminal that answers the question with `answer`. */
function terminal(cwd: string, answer: string) {
  const out = { stdout: '', stderr: '', asked: [] as string[] };
  const io: Io = {
    stdout: (t) => void (out.stdout += t),
    stderr: (t) => void (out.stderr += t),
    isTTY: true,
    interactive: true,
    env: { ...process.env, NO_COLOR: '1', GITWAY_ENV: undefined },
    cwd,
    ask: async (q) => {
      out.asked.push(q);
      return answer;
    },
  };
  return { io, out };
}

describe('gitway apply without a plan file, on a terminal', () => {
  let repo: ReturnType<typeof tempRepo>;
  beforeAll(() => {
    repo = tempRepo({});
    expect(gitway(['init'], { cwd: repo.dir }).status).toBe(0);
  });
  afterAll(() => repo.cleanup());
  const target = () => path.join(repo.dir, '.gitway/local/caddy.json');

  it('writes nothing unless the answer is yes (exit 1)', async () => {
    const { io, out } = terminal(repo.dir, 'y');
    expect(await run(['apply'], io)).toBe(1);
    expect(out.asked).toEqual(["\nApply these changes to environment 'local'? Only 'yes' is accepted: "]);
    expect(out.stdout).toContain('Plan: 5 to add, 0 to change, 0 to destroy.');
    expect(out.stderr).toBe('Apply cancelled; nothing was written.\n');
    expect(existsSync(target())).toBe(false);
  });

  it('applies after yes, then has nothing to ask', async () => {
    const first = terminal(repo.dir, 'yes');
    expect(await run(['apply'], first.io)).toBe(0);
    expect(first.out.stdout).toContain("Apply complete: 5 added, 0 changed, 0 destroyed (environment 'local', .gitway/local/caddy.json).");
    expect(existsSync(target())).toBe(true);
    const again = terminal(repo.dir, 'yes');
    expect(await run(['apply'], again.io)).toBe(0);
    expect(again.out.asked).toEqual([]);
    expect(again.out.stdout).toMatch(/^No changes\./);
  });
});
