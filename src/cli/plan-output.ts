/** What the plan, apply, diff and render commands share: options, colours, and how problems print. */
import type { Command } from 'commander';
import type { Finding } from '../checks/finding.js';
import { InvalidProjectError, UsageError } from '../errors.js';
import type { DesiredOptions } from '../deploy/desired.js';
import type { PlanStyle } from '../report/plan.js';
import { redact, useColor, type GlobalOptions, type Io } from './context.js';
import type { CommandContext } from './main.js';

export const PLAN_FORMATS = ['text', 'json', 'markdown'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

export function planFormat(options: GlobalOptions, command: string): PlanFormat {
  const format = options.format ?? 'text';
  if (!(PLAN_FORMATS as readonly string[]).includes(format)) throw new UsageError(`format '${format}' is not available for ${command} (use ${PLAN_FORMATS.join(', ')})`);
  return format as PlanFormat;
}

export async function planStyle(io: Io, options: GlobalOptions): Promise<PlanStyle | undefined> {
  if (!useColor(io, options)) return undefined;
  const { Chalk } = await import('chalk');
  const c = new Chalk({ level: 1 });
  return { add: c.green, change: c.yellow, destroy: c.red, dim: c.dim, bold: c.bold };
}

/** Options every desired-state command passes to the core, with secrets registered for redaction as soon as they are known. */
export function desiredOptions(ctx: CommandContext, options: GlobalOptions & Record<string, unknown>): DesiredOptions {
  return {
    cwd: options.cwd ? String(options.cwd) : ctx.io.cwd,
    config: options.config,
    env: options.env,
    rev: options.rev as string | undefined,
    staged: Boolean(options.staged),
    processEnv: ctx.io.env,
    onSecrets: (s) => ctx.secrets.push(...s),
  };
}

/** Warnings met while building the desired state go to stderr, one line each, so stdout stays clean. */
export function printWarnings(ctx: CommandContext, options: GlobalOptions, findings: readonly Finding[]): void {
  if (options.quiet) return;
  for (const f of findings.filter((x) => x.severity === 'warn')) ctx.io.stderr(redact(`warning: ${f.file}:${f.line}:${f.column} ${f.message} (${f.code})\n`, ctx.secrets));
}

/** Runs a core call; a repository with errors prints its findings to stderr before the error itself. */
export async function withFindings<T>(ctx: CommandContext, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof InvalidProjectError) {
      const errors = err.findings.filter((f) => f.severity === 'error');
      ctx.io.stderr(redact(errors.map((f) => `${f.file}:${f.line}:${f.column} error ${f.message} (${f.code})\n`).join(''), ctx.secrets));
    }
    throw err;
  }
}

export function addTreeOptions(command: Command): Command {
  return command
    .option('--rev <rev>', 'read the repository as it is in a commit, tag or branch (no checkout)')
    .option('--staged', 'read what is staged in the git index, not the working copy');
}
