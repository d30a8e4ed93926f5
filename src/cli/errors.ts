/** The one place that turns an error into a message and an exit code. */
import { ExitCode, GitwayError } from '../errors.js';

export interface RenderedError {
  message: string;
  exitCode: number;
}

export function renderError(err: unknown, debug: boolean): RenderedError {
  if (err instanceof GitwayError) {
    const text = `gitway: ${err.message}.${err.hint ? ` ${err.hint}` : ''}`.replace(/\.\./g, '.');
    return { message: debug && err.stack ? `${text}\n${err.stack}` : text, exitCode: err.exitCode };
  }
  const e = err as Error;
  const text = `gitway: unexpected error: ${e?.message ?? String(err)}. This is likely a bug in gitway; run again with --debug for details and report it.`;
  return { message: debug && e?.stack ? `${text}\n${e.stack}` : text, exitCode: ExitCode.findings };
}
