/** What a command needs from the process: where to write, colours, and the shared flags. */
import { writeFileSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { whyNotWritten } from '../gateways/atomic.js';
import path from 'node:path';
import type { Severity } from '../checks/finding.js';
import type { Style } from '../report/findings.js';

export interface GlobalOptions {
  env?: string;
  cwd?: string;
  config?: string;
  format?: string;
  output?: string;
  color?: boolean;
  quiet?: boolean;
  debug?: boolean;
}

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** True when a person can answer a question (stdin and stdout are terminals). */
  interactive?: boolean;
  /** Asks a question on the terminal and returns the answer. */
  ask?: (question: string) => Promise<string>;
  /** Where spinners go: stderr when it is a terminal (never stdout, never a pipe). */
  progress?: NodeJS.WriteStream;
}

export function processIo(): Io {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    isTTY: Boolean(process.stdout.isTTY),
    env: process.env,
    cwd: process.cwd(),
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    progress: process.stderr.isTTY ? process.stderr : undefined,
    ask: async (question) => {
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
}

/** Colour on a TTY unless --no-color or NO_COLOR; FORCE_COLOR forces it. */
export function useColor(io: Io, options: GlobalOptions): boolean {
  if (options.color === false) return false;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '0' && io.env.FORCE_COLOR !== 'false') return true;
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  return io.isTTY;
}

export async function styleFor(color: boolean): Promise<Style | undefined> {
  if (!color) return undefined;
  const { Chalk } = await import('chalk');
  const c = new Chalk({ level: 1 });
  const bySeverity: Record<Severity, (s: string) => string> = { error: c.red, warn: c.yellow, info: c.blue, hint: c.gray };
  return { bold: c.bold, dim: c.dim, underline: c.underline, severity: (sev, s) => bySeverity[sev](s) };
}

export { redact } from '../model/sensitive.js';
import { redact } from '../model/sensitive.js';

/** Writes a command's main output to --output (atomically) or stdout. */
export function emit(io: Io, options: GlobalOptions, text: string, secrets: readonly string[] = []): void {
  const safe = redact(text, secrets);
  if (options.output) {
    const target = path.resolve(io.cwd, options.output);
    const tmp = `${target}.${process.pid}.tmp`;
    try {
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(tmp, safe);
      renameSync(tmp, target);
    } catch (err) {
      try {
        rmSync(tmp, { force: true });
      } catch {
        // nothing was written there
      }
      throw new UsageError(`cannot write --output ${options.output} (${whyNotWritten(err)})`, 'Give a file path in a folder you can write to.');
    }
  } else {
    io.stdout(safe);
  }
}
