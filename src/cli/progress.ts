/**
 * A spinner per phase of a plan or apply (ora), on stderr and only when it is a terminal: never in
 * a pipe, a CI log or a machine format, never with --quiet.
 */
import type { Phase } from '../deploy/apply.js';
import type { GlobalOptions, Io } from './context.js';

const TEXT: Record<Phase, string> = {
  loading: 'Reading the repository',
  reading: 'Reading the live gateway',
  planning: 'Planning',
  writing: 'Writing',
  verifying: 'Verifying (reading the gateway back)',
  checking: 'Running smoke checks',
  restoring: 'Restoring the previous state',
};

export interface Progress {
  /** Starts a phase (the previous one is marked done). */
  phase: (p: Phase) => void;
  /** Marks the current phase done (or failed) and stops. */
  stop: (failed?: boolean) => void;
}

const SILENT: Progress = { phase: () => undefined, stop: () => undefined };

export async function progressFor(io: Io, options: GlobalOptions, where?: string): Promise<Progress> {
  const stream = io.progress;
  // A terminal that reports no width (some CI and `docker exec -t` ptys) would make the spinner redraw forever.
  if (!stream || !(stream.columns > 0) || options.quiet || (options.format && options.format !== 'text')) return SILENT;
  const { default: ora } = await import('ora');
  const spinner = ora({ stream, isEnabled: true, discardStdin: false });
  let current: Phase | undefined;
  const label = (p: Phase) => (p === 'reading' && where ? `${TEXT[p]} (${where})` : TEXT[p]);
  return {
    phase(p) {
      if (current) spinner.succeed(label(current));
      current = p;
      spinner.start(label(p));
    },
    stop(failed) {
      if (!current) return;
      if (failed) spinner.fail(label(current));
      else spinner.succeed(label(current));
      current = undefined;
    },
  };
}

/** Runs `body` with a progress, stopping it (as failed when body throws) before anything else prints. */
export async function withProgress<T>(io: Io, options: GlobalOptions, body: (p: Progress) => Promise<T>, where?: string): Promise<T> {
  const progress = await progressFor(io, options, where);
  try {
    const result = await body(progress);
    progress.stop();
    return result;
  } catch (err) {
    progress.stop(true);
    throw err;
  }
}
