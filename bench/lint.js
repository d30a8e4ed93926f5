// gitway lint with the built-in rulesets over the whole corpus/oas: the 323 documents are copied (at
// bench time, into a temporary repository under os.tmpdir(), never into the project) next to a
// generated gitway.yaml and one API manifest per document, as corpus-oas.js does; then
// `gitway lint --format json` runs once with an empty result cache, and with BENCH_WARM=1 a second
// time (.gitway/cache filled by the first run, nothing changed). Prints wall time and peak RSS of
// each, the findings by severity and by rule, and every document the lint could not finish (crash,
// time limit).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bin, corpus, mb, measured, readTsv, requireBuild, seconds } from './lib/util.js';

requireBuild();
const src = path.join(corpus, 'oas');
const rows = readTsv(path.join(src, 'INDEX.tsv'));
const TIMEOUT_S = Number(process.env.BENCH_OPENAPI_TIMEOUT_S ?? 120);

const repo = mkdtempSync(path.join(os.tmpdir(), 'gitway-bench-lint-'));
try {
  mkdirSync(path.join(repo, 'apis'));
  mkdirSync(path.join(repo, 'gateway'));
  const docs = rows.map((row, i) => {
    copyFileSync(path.join(src, row.file), path.join(repo, 'apis', row.file));
    return { ...row, doc: `apis/${row.file}`, name: `doc-${String(i + 1).padStart(3, '0')}` };
  });
  writeFileSync(path.join(repo, 'gitway.yaml'), `apiVersion: gitway/v1\nmanifests:\n  - gateway/*.yaml\nopenapi:\n  timeoutSeconds: ${TIMEOUT_S}\nenvironments:\n  local:\n    driver: caddy\n    file: .gitway/local/caddy.json\n`);
  const manifests = [
    'apiVersion: gitway/v1\nkind: Upstream\nmetadata:\n  name: backend\nspec:\n  targets:\n    - url: http://127.0.0.1:9001\n',
    ...docs.map((d) => `apiVersion: gitway/v1\nkind: API\nmetadata:\n  name: ${d.name}\nspec:\n  openapi: ${JSON.stringify(d.doc)}\n  upstream: backend\n`),
  ];
  writeFileSync(path.join(repo, 'gateway/apis.yaml'), manifests.join('---\n'));

  const totalBytes = docs.reduce((n, d) => n + Number(d.bytes || 0), 0);
  console.log(`# corpus/oas: ${docs.length} documents (${(totalBytes / 1048576).toFixed(1)} MB), \`gitway lint --format json\` with the built-in rulesets (${os.availableParallelism()} CPUs, Node ${process.version})`);
  let first;
  for (const run of process.env.BENCH_WARM ? ['cold', 'warm'] : ['cold']) {
    const r = await measured(process.execPath, [bin, 'lint', '--format', 'json', '--fail-on', 'never'], { cwd: repo, env: { ...process.env, NO_COLOR: '1' } });
    let report;
    try {
      report = JSON.parse(r.stdout);
    } catch {
      console.log(`${run}: CRASH: exit ${r.status} signal ${r.signal}; stderr:\n${r.stderr.slice(0, 4000)}`);
      process.exitCode = 1;
      break;
    }
    const s = report.summary;
    console.log(`${run.padEnd(5)} wall ${seconds(r.wall).padStart(8)}   peak RSS ${mb(r.peakRssKb).padStart(7)} (${r.how})   exit ${r.status}   findings: ${s.error} errors, ${s.warn} warnings, ${s.info} info, ${s.hint} hints`);
    if (run === 'warm' && first && JSON.stringify(first.findings) !== JSON.stringify(report.findings)) console.log('  the warm run reported different findings than the cold run  <-- CHECK');
    first ??= report;
  }
  if (first) {
    const f = first.findings;
    const trouble = f.filter((x) => ['gitway-lint-crash', 'gitway-lint-timeout', 'gitway-rule-timeout', 'openapi-crash', 'openapi-timeout'].includes(x.code));
    console.log(`could not finish: ${trouble.length ? '' : 'none'}`);
    for (const t of trouble) console.log(`  ${t.file}: ${t.code}: ${t.message.slice(0, 300)}`);
    const byRule = new Map();
    for (const x of f) byRule.set(x.code, (byRule.get(x.code) ?? 0) + 1);
    console.log(`findings by rule (top 15 of ${byRule.size}): ${[...byRule].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, n]) => `${k} ${n}`).join(', ')}`);
    const byDoc = new Map();
    for (const x of f) byDoc.set(x.file, (byDoc.get(x.file) ?? 0) + 1);
    console.log(`documents with findings: ${[...byDoc.keys()].filter((k) => k.startsWith('apis/')).length}/${docs.length}; most: ${[...byDoc].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, n]) => `${k.replace(/^apis\//, '')} ${n}`).join(', ')}`);
  }
} finally {
  if (!process.env.BENCH_KEEP) rmSync(repo, { recursive: true, force: true });
  else console.log(`kept ${repo}`);
}
