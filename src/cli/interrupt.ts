/**
 * Ctrl-C (SIGINT) and SIGTERM during an apply: gitway never dies between two writes. The first
 * signal is remembered and the apply stops at its next safe point (before the write: nothing is
 * written; after it: the previous state is put back); later signals only say it is still finishing.
 */
import type { Io } from './context.js';

export interface InterruptWatch {
  interrupted: () => string | undefined;
  dispose: () => void;
}

export function watchInterrupts(io: Io): InterruptWatch {
  let fired: string | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (!fired) {
      fired = signal;
      io.stderr(`\ngitway: ${signal} received: stopping at the next safe point (before the write nothing is written; after it the previous state is put back; an apply is never left half-done); gitway will say which state is live. Please wait.\n`);
    } else {
      io.stderr(`gitway: ${signal} again: still finishing so the gateway is not left half-done; please wait.\n`);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    interrupted: () => fired,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
