// The largest single document: corpus/large/stripe-spec3.yaml (4.2 MB, OAS 3.0, 2,074 $refs),
// validated through the CLI in a temporary repository (the file is copied there at bench time).
// Goal: under 2 s wall. Prints the median of 3 CLI runs, and the time split of one run: process
// start (`gitway --version`), read, parse, resolve (the validation view), validate, and the rest.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bin, corpus, mb, measured, median, ms, requireBuild, seconds, timed } from './lib/util.js';

requireBuild();
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const GOAL_MS = 2000;
const doc = process.argv[2] ?? path.join(corpus, 'large/stripe-spec3.yaml');
const name = path.basename(doc);

const repo = mkdtempSync(path.join(os.tmpdir(), 'gitway-bench-stripe-'));
try {
  mkdirSync(path.join(repo, 'apis'));
  mkdirSync(path.join(repo, 'gateway'));
  copyFileSync(doc, path.join(repo, 'apis', name));
  writeFileSync(path.join(repo, 'gitway.yaml'), 'apiVersion: gitway/v1\nmanifests:\n  - gateway/*.yaml\nenvironments:\n  local:\n    driver: caddy\n    file: .gitway/local/caddy.json\n');
  writeFileSync(
    path.join(repo, 'gateway/stripe.yaml'),
    `apiVersion: gitway/v1\nkind: API\nmetadata:\n  name: stripe\nspec:\n  openapi: apis/${name}\n  upstream: backend\n---\napiVersion: gitway/v1\nkind: Upstream\nmetadata:\n  name: backend\nspec:\n  targets:\n    - url: http://127.0.0.1:9001\n`,
  );

  const walls = [];
  let last;
  for (let i = 0; i < RUNS; i++) {
    last = await measured(process.execPath, [bin, 'validate', '--no-cache', '--format', 'json'], { cwd: repo, env: { ...process.env, NO_COLOR: '1' } });
    walls.push(last.wall);
  }
  const report = JSON.parse(last.stdout);
  const d = report.documents[0];
  const start = median(Array.from({ length: 5 }, () => timed(process.execPath, [bin, '--version']).wall));

  // the phases of one analysis, in this process (same code as the CLI's worker)
  const { analyseDocument } = await import('../dist/openapi/analyse.js');
  const { WorkTree } = await import('../dist/workspace/worktree.js');
  const tree = new WorkTree(repo);
  const s = await analyseDocument(`apis/${name}`, (f) => tree.read(f));

  const wall = median(walls);
  console.log(`# ${name} through \`gitway validate --format json\` (median of ${RUNS})`);
  console.log(`wall time     ${seconds(wall)}  (runs: ${walls.map((w) => seconds(w)).join(', ')}); goal under ${seconds(GOAL_MS)}: ${wall < GOAL_MS ? 'met' : 'NOT met'}`);
  console.log(`peak RSS      ${mb(last.peakRssKb)}`);
  console.log(`verdict       ${d.valid ? 'valid' : 'invalid'}, ${d.operations} operations, exit ${last.status}${report.findings.length ? `; first finding: ${report.findings[0].message}` : ''}`);
  console.log(`split (CLI)   process start ~${ms(start)} (gitway --version), document analysed in ${ms(d.ms)} on a worker, the rest ${ms(wall - d.ms - start)} (config, manifests, worker start, output)`);
  const p = s.phases;
  console.log(`split (doc)   read ${ms(p.read)}, parse ${ms(p.parse)}, resolve ${ms(p.resolve)}, validate ${ms(p.validate)}, positions ${ms(p.positions)}; total ${ms(s.ms)} in-process`);
} finally {
  rmSync(repo, { recursive: true, force: true });
}
