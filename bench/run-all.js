// Runs every benchmark in turn, each in its own process (so one's memory and caches do not colour
// the next). `npm run bench` builds first; `node bench/run-all.js` expects a fresh dist/.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const benches = ['startup.js', 'stripe.js', 'edge.js', 'corpus-oas.js', 'plan.js', 'live.js', 'rollback.js', 'lint.js', 'lint-staged.js', 'lint-vs-spectral.js'];
let failed = 0;
for (const b of benches) {
  console.log(`\n===== ${b} =====`);
  const started = Date.now();
  const r = spawnSync(process.execPath, [path.join(here, b)], { stdio: 'inherit' });
  console.log(`(${b}: exit ${r.status}, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
