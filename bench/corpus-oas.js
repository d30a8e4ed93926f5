// Robustness and agreement on 323 real documents: corpus/oas is copied (at bench time, into a
// temporary repository under os.tmpdir(), never into the project) next to a generated gitway.yaml
// and one API manifest per document; `gitway validate --format json` then runs once over all of
// them. Prints wall time, peak RSS, whether it crashed, and every document whose verdict differs
// from swagger-parser 13's (corpus/oas/validate.tsv), with both sides' reasons.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { corpusOas, writeCorpusRepository } from './lib/corpus-repo.js';
import { bin, mb, measured, readTsv, requireBuild, seconds } from './lib/util.js';

requireBuild();
const expected = readTsv(path.join(corpusOas, 'validate.tsv'));
const TIMEOUT_S = Number(process.env.BENCH_OPENAPI_TIMEOUT_S ?? 120);
const DEFAULT_TIMEOUT_S = 30;

const repo = mkdtempSync(path.join(os.tmpdir(), 'gitway-bench-oas-'));
try {
  const docs = writeCorpusRepository(repo, expected, { timeoutS: TIMEOUT_S });

  const r = await measured(process.execPath, [bin, 'validate', '--no-cache', '--format', 'json'], { cwd: repo, env: { ...process.env, NO_COLOR: '1' } });
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    console.log(`CRASH: exit ${r.status} signal ${r.signal}; stderr:\n${r.stderr.slice(0, 4000)}`);
    process.exit(1);
  }
  const byFile = new Map(report.documents.map((d) => [d.file, d]));
  const errorsOf = (file) => report.findings.filter((f) => f.severity === 'error' && (f.file === file || f.file.startsWith('apis/') === false ? f.file === file : f.file === file));
  const crashes = report.findings.filter((f) => f.code === 'openapi-crash' || f.code === 'openapi-timeout');
  const agreements = [];
  const disagreements = [];
  for (const d of docs) {
    const got = byFile.get(d.doc);
    const verdict = got ? (got.valid ? 'valid' : 'invalid') : 'missing';
    const theirs = d.status === 'ok' ? 'valid' : 'invalid';
    (verdict === theirs ? agreements : disagreements).push({ d, got, verdict, theirs });
  }
  const docsMs = report.documents.map((d) => d.ms);
  const slow = [...report.documents].sort((a, b) => b.ms - a.ms).slice(0, 5);

  console.log(`# corpus/oas: ${docs.length} documents, one \`gitway validate --format json\``);
  console.log(`wall time        ${seconds(r.wall)}  (exit ${r.status}; ${os.availableParallelism()} CPUs)`);
  console.log(`peak RSS         ${mb(r.peakRssKb)}  (${r.how})`);
  console.log(`crashes          ${r.signal || !report ? 'the process died' : 'none (process)'}; ${crashes.length} document(s) crashed or timed out${crashes.length ? ': ' + crashes.map((c) => `${c.file} (${c.code})`).join(', ') : ''}`);
  console.log(`per document     sum ${seconds(docsMs.reduce((a, b) => a + b, 0))}; slowest: ${slow.map((s) => `${s.file.slice(5)} ${s.ms} ms`).join(', ')}`);
  const overDefault = report.documents.filter((x) => x.ms > DEFAULT_TIMEOUT_S * 1000);
  if (overDefault.length) console.log(`over the default ${DEFAULT_TIMEOUT_S} s bound: ${overDefault.map((x) => x.file).join(', ')}`);
  const inv = agreements.filter((a) => a.verdict === 'invalid');
  console.log(`agreement        ${agreements.length}/${docs.length} with swagger-parser 13 (${agreements.length - inv.length} valid, ${inv.length} invalid on both sides)`);
  for (const a of inv) console.log(`  both invalid: ${a.d.file}\n      gitway: ${firstError(a.d.doc)}\n      swagger-parser: ${a.d.detail.slice(0, 160)}`);
  console.log(`\n## disagreements (${disagreements.length})`);
  for (const x of disagreements) {
    console.log(`- ${x.d.file}: gitway ${x.verdict}, swagger-parser ${x.theirs}`);
    console.log(`    gitway: ${x.verdict === 'invalid' ? firstError(x.d.doc) : 'no error'}`);
    console.log(`    swagger-parser: ${x.d.detail.slice(0, 300)}`);
  }
  process.exitCode = r.signal ? 1 : 0;

  function firstError(file) {
    const errs = report.findings.filter((f) => f.severity === 'error' && (f.file === file || (f.file !== file && byFile.has(file) && f.file.startsWith('apis/') && f.file === file)));
    const own = errs.length ? errs : errorsOf(file);
    return own.length ? `${own[0].code}: ${own[0].message.slice(0, 300)}${own.length > 1 ? ` (+${own.length - 1} more)` : ''}` : '(no finding)';
  }
} finally {
  if (!process.env.BENCH_KEEP) rmSync(repo, { recursive: true, force: true });
  else console.log(`kept ${repo}`);
}
