// Start-up cost of the CLI: `gitway --version` and `gitway --help`, median of 10 runs each,
// against `node -e 0` on the same machine; then proves, with a module-tracing preload, that these
// commands load none of the heavy dependencies.
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bin, median, ms, projectRoot, requireBuild, timed } from './lib/util.js';

requireBuild();
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const GOAL_MS = 120;
const HEAVY = ['@stoplight/spectral', '@apidevtools/swagger-parser', 'undici', 'simple-git', 'js-yaml', 'yaml', 'ajv', '@hyperjump', 'chalk', 'ora'];

const cases = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'gitway --version', args: [bin, '--version'] },
  { name: 'gitway --help', args: [bin, '--help'] },
];

// one warm-up run each (file cache), then RUNS interleaved runs
for (const c of cases) timed(process.execPath, c.args, { cwd: os.tmpdir() });
const walls = new Map(cases.map((c) => [c.name, []]));
for (let i = 0; i < RUNS; i++) {
  for (const c of cases) {
    const r = timed(process.execPath, c.args, { cwd: os.tmpdir() });
    if (r.status !== 0) {
      console.error(`${c.name} failed (exit ${r.status}): ${r.stderr}`);
      process.exit(1);
    }
    walls.get(c.name).push(r.wall);
  }
}

const base = median(walls.get('node -e 0'));
console.log(`# start-up (median of ${RUNS} runs, Node ${process.version}, ${os.cpus().length} CPU ${os.cpus()[0]?.model ?? ''})`);
let worst = 0;
for (const c of cases) {
  const m = median(walls.get(c.name));
  const over = m - base;
  if (c.name !== 'node -e 0') worst = Math.max(worst, m);
  console.log(`${c.name.padEnd(18)} ${ms(m).padStart(7)}   min ${ms(Math.min(...walls.get(c.name))).padStart(7)}   ${c.name === 'node -e 0' ? 'baseline' : `+${ms(over)} over node`}`);
}
const verdict = worst <= GOAL_MS ? 'met' : base >= GOAL_MS ? `not met: node alone takes ${ms(base)} here, so ${GOAL_MS} ms is out of reach on this machine; gitway's own share is the figure over node` : 'NOT met';
console.log(`goal: under ${GOAL_MS} ms — ${verdict}`);

// Which modules do they load?
const tracer = path.join(projectRoot, 'bench/lib/trace-modules.mjs');
let clean = true;
for (const c of cases.slice(1)) {
  const out = path.join(os.tmpdir(), `gitway-trace-${process.pid}.txt`);
  const r = timed(process.execPath, ['--import', tracer, ...c.args], { cwd: os.tmpdir(), env: { ...process.env, GITWAY_TRACE_OUT: out } });
  const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
  rmSync(out, { force: true });
  if (r.status !== 0 || lines.length === 0) {
    console.log(`${c.name}: tracing failed (exit ${r.status}, ${lines.length} lines): ${r.stderr}`);
    clean = false;
    continue;
  }
  const files = [...new Set(lines.map((l) => l.slice(4)).filter((u) => !u.startsWith('node:') && !/^[a-z_]+$/.test(u)))];
  const packages = [...new Set(files.map(packageOf).filter(Boolean))].sort();
  const own = files.filter((f) => f.includes('/dist/')).map((f) => f.replace(/^.*\/dist\//, 'dist/'));
  const heavy = packages.filter((p) => HEAVY.some((h) => p === h || p.startsWith(h)));
  console.log(`${c.name}: ${files.length} files loaded; packages: ${packages.join(', ') || '(none)'}; own modules: ${own.join(', ')}`);
  console.log(`  heavy dependencies loaded: ${heavy.length ? heavy.join(', ') + '  <-- FAIL' : 'none (spectral, swagger-parser, undici, simple-git, yaml parsers, ajv, chalk, ora all absent)'}`);
  if (heavy.length) clean = false;
}
process.exitCode = clean ? 0 : 1;

function packageOf(url) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url.replace(/^file:\/\//, ''));
  return m ? m[1] : undefined;
}
