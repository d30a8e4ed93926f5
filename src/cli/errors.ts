/** The one place that turns an error into a message and an exit code. */
import { ExitCode, GitwayError } from '../errors.js';

export interface RenderedError {
  message: string;
  exitCode: number;
}

export function renderError(err: unknown, debug: boolean): RenderedError {
  if (err instanceof GitwayError) {
    // One paragraph: what is wrong, then what to do. Only the joint gets a full stop (a message may hold `../x`).
    const text = `gitway: ${sentence(err.message)}${err.hint ? ` ${sentence(err.hint)}` : ''}`;
    return { message: debug && err.stack ? `${text}\n${err.stack}` : text, exitCode: err.exitCode };
  }
  const e = err as Error;
  const what = String(e?.message ?? err).split('\n')[0];
  const text = `gitway: unexpected error: ${sentence(what)} This is likely a bug in gitway; run again with --debug for details and report it.`;
  return { message: debug && e?.stack ? `${text}\n${e.stack}` : text, exitCode: ExitCode.findings };
}

function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}
