#!/usr/bin/env node
// The only place that sets the process's exit code.
import { run } from '../dist/cli/main.js';

// `gitway … | head`: a reader that stops reading is not a crash
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await run(process.argv.slice(2));
