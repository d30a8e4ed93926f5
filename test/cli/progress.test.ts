/** Spinners: on a terminal's stderr only, never in machine formats, with --quiet, or without a terminal. */
import type { Io } from '../../src/cli/context.js';
import { progressFor } from '../../src/cli/progress.js';

function fakeTty(columns = 80) {
  let text = '';
  const stream = { isTTY: true, columns, write: (s: string) => ((text += s), true), cursorTo: () => true, clearLine: () => true, moveCursor: () => true, on: () => stream, once: () => stream, removeListener: () => stream } as unknown as NodeJS.WriteStream;
  // eslint-disable-next-line no-control-regex
  return { stream, text: () => text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '') };
}
const io = (progress?: NodeJS.WriteStream): Io => ({ stdout: () => undefined, stderr: () => undefined, isTTY: false, env: {}, cwd: '/', progress });

describe('progress', () => {
  it('shows each phase on a terminal, marking the finished ones', async () => {
    const tty = fakeTty();
    const p = await progressFor(io(tty.stream), {}, 'http://127.0.0.1:2019');
    p.phase('reading');
    p.phase('planning');
    p.stop();
    expect(tty.text()).toContain('Reading the live gateway (http://127.0.0.1:2019)');
    expect(tty.text()).toContain('✔ Planning');
  });

  it('marks the running phase as failed when the command fails', async () => {
    const tty = fakeTty();
    const p = await progressFor(io(tty.stream), {});
    p.phase('writing');
    p.stop(true);
    expect(tty.text()).toContain('✖ Writing');
  });

  it('stays silent without a terminal, with --quiet, for machine formats, and on a terminal of no width', async () => {
    for (const [columns, options, present] of [[80, {}, false], [80, { quiet: true }, true], [80, { format: 'json' }, true], [0, {}, true]] as const) {
      const tty = fakeTty(columns);
      const p = await progressFor(io(present ? tty.stream : undefined), options);
      p.phase('reading');
      p.stop();
      expect(tty.text()).toBe('');
    }
  });
});
