// gitway lint with the built-in rulesets over the whole corpus/oas: the 323 documents are copied (at
// bench time, into a temporary repository under os.tmpdir(), never into the project) next to a
// generated gitway.yaml and one API manifest per document (bench/lib/corpus-repo.js, as corpus-oas.js); then
// `gitway lint --format json` runs once with an empty result cache, and with BENCH_WARM=1 a second
// time (.gitway/cache filled by the first run, nothing changed). Prints wall time and peak RSS of
// each, the findings by severity and by rule, and every document the lint could not finish (crash,
// time limit).
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { corpusOas, writeCorpusRepository } from './lib/corpus-repo.js';
import { bin, mb, measured, readTsv, requireBuild, seconds } from './lib/util.js';

requireBuild();
const rows = readTsv(path.join(corpusOas, 'INDEX.tsv'));
const TIMEOUT_S = Number(process.env.BENCH_OPENAPI_TIMEOUT_S ?? 120);
const TROUBLE = ['gitway-lint-crash', 'gitway-lint-timeout', 'gitway-rule-timeout', 'openapi-crash', 'openapi-timeout'];

const repo = mkdtempSync(path.join(os.tmpdir(), 'gitway-bench-lint-'));
try {
  const docs = writeCorpusRepository(repo, rows, { timeoutS: TIMEOUT_S });

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
    // what the cache holds after the run (a run with a stopped rule stores no lint result)
    const entries = (ns) => (existsSync(path.join(repo, '.gitway/cache', ns)) ? readdirSync(path.join(repo, '.gitway/cache', ns)).filter((f) => f.endsWith('.json')).length : 0);
    console.log(`      result cache after the run: ${entries('openapi')} OpenAPI analyses, ${entries('lint')} lint results (of ${docs.length + 1} jobs)`);
    if (run === 'warm') {
      const stopped = report.findings.filter((x) => TROUBLE.includes(x.code));
      console.log(`      could not finish in the warm run: ${stopped.length ? stopped.map((t) => `${t.file.replace(/^apis\//, '')} (${t.code}${/rule '([^']+)'/.test(t.message) ? ` ${/rule '([^']+)'/.exec(t.message)[1]}` : ''})`).join(', ') : 'none'}`);
    }
    if (run === 'warm' && first && JSON.stringify(first.findings) !== JSON.stringify(report.findings)) {
      console.log('  the warm run reported different findings than the cold run  <-- CHECK');
      const count = (rep) => {
        const m = new Map();
        for (const x of rep.findings) m.set(x.code, (m.get(x.code) ?? 0) + 1);
        return m;
      };
      const [a, b] = [count(first), count(report)];
      const diff = [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).map((k) => `${k} ${a.get(k) ?? 0} -> ${b.get(k) ?? 0}`);
      console.log(`      by rule, cold -> warm: ${diff.join(', ')}`);
    }
    first ??= report;
  }
  if (first) {
    const f = first.findings;
    const trouble = f.filter((x) => TROUBLE.includes(x.code));
    console.log(`could not finish (cold run): ${trouble.length ? '' : 'none'}`);
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
