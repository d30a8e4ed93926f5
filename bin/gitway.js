#!/usr/bin/env node
// The only place that sets the process's exit code.

// `gitway … | head`: a reader that stops reading is not a crash
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});

const argv = process.argv.slice(2);
// `gitway lint` runs in a `gitway server` of this build when one runs (src/server/client.ts)
const served = argv.includes('lint') ? await (await import('../dist/server/client.js')).forwardToServer(argv) : undefined;
if (served !== undefined) process.exitCode = served;
else {
  const { run } = await import('../dist/cli/main.js');
  process.exitCode = await run(argv);
}
