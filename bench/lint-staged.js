// `gitway lint --staged` (what the pre-commit hook runs) in a repository holding all of corpus/oas
// with one changed document: the repository of lint.js (bench/lib/corpus-repo.js, under
// os.tmpdir(), never in the project) made a git repository and committed; one `gitway lint` fills
// the result cache; then, BENCH_RUNS times (default 3), one document gets a new harmless edit (a few
// characters added to its info.description), is `git add`ed, and `gitway lint --staged --format json`
// is timed: each run has exactly one document the cache has not seen, as a commit after an edit
// does. Prints the median (and each run) of wall time and peak RSS against the 1 s goal, then for
// comparison: the same with nothing changed since the last run (everything cached), `--staged
// --since HEAD` (report only on what changed, and what refers to it), and `--staged --no-cache`
// (BENCH_COLD_RUNS times, default 1: it lints the whole corpus, minutes). Then the same edits with a
// `gitway server` running (started here in its own folder, stopped at the end): its first command
// loads Spectral and the ruleset, the next BENCH_RUNS are timed, as `--format json` and as the
// pre-commit hook runs it (`gitway lint --staged`: stylish, to a pipe).
//
//   node bench/lint-staged.js                          # the document of median size
//   BENCH_DOC=listennotes.com.json node bench/lint-staged.js
//   BENCH_REPO=/tmp/gitway-bench-lint-XXXX node bench/lint-staged.js
//       (a copy of a repository kept by `BENCH_KEEP=1 node bench/lint.js`, its cache warm: the
//       warm-up lint then only checks it is warm)
//   BENCH_LIMIT=10 node bench/lint-staged.js           # only the first 10 documents (a quick check)
//   BENCH_EXCLUDE=a.json,b.json                        # leave documents out (e.g. those the 60 s limit stops)
//   BENCH_RULE_TIMEOUT_S=300                           # lint.ruleTimeoutSeconds in the generated gitway.yaml
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { corpusOas, writeCorpusRepository } from './lib/corpus-repo.js';
import { bin, mb, measured, median, readTsv, requireBuild, seconds } from './lib/util.js';

requireBuild();
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 1);
const TIMEOUT_S = Number(process.env.BENCH_OPENAPI_TIMEOUT_S ?? 120);
const GOAL_MS = 1000;
const EXCLUDE = (process.env.BENCH_EXCLUDE ?? '').split(',').filter(Boolean);
const RULE_TIMEOUT_S = Number(process.env.BENCH_RULE_TIMEOUT_S) || undefined;
const rows = readTsv(path.join(corpusOas, 'INDEX.tsv'))
  .filter((r) => !EXCLUDE.includes(r.file))
  .slice(0, Number(process.env.BENCH_LIMIT) || undefined);

const repo = mkdtempSync(path.join(os.tmpdir(), 'gitway-bench-staged-'));
const git = (...args) => {
  const r = spawnSync('git', ['-c', 'user.name=gitway bench', '-c', 'user.email=bench@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const serverDir = mkdtempSync(path.join(os.tmpdir(), 'gitway-bench-server-'));
let useServer = false;
const gitway = (...args) => measured(process.execPath, [bin, ...args], { cwd: repo, env: { ...process.env, NO_COLOR: '1', GITWAY_SERVER_DIR: serverDir, GITWAY_SERVER: useServer ? '' : 'off' } });
const report = (r, what) => {
  try {
    return JSON.parse(r.stdout);
  } catch {
    console.log(`${what}: CRASH: exit ${r.status} signal ${r.signal}; stderr:\n${r.stderr.slice(0, 4000)}`);
    process.exitCode = 1;
    return undefined;
  }
};
const line = (label, r, rep) =>
  `${label.padEnd(34)} wall ${seconds(r.wall).padStart(8)}   peak RSS ${mb(r.peakRssKb).padStart(7)}   exit ${r.status}${rep ? `   findings ${rep.findings.length}` : ''}`;

try {
  let docs;
  if (process.env.BENCH_REPO) {
    cpSync(path.resolve(process.env.BENCH_REPO), repo, { recursive: true });
    docs = rows.map((row, i) => ({ ...row, doc: `apis/${row.file}`, name: `doc-${String(i + 1).padStart(3, '0')}` }));
  } else {
    docs = writeCorpusRepository(repo, rows, { timeoutS: TIMEOUT_S, ruleTimeoutS: RULE_TIMEOUT_S });
  }
  rmSync(path.join(repo, '.git'), { recursive: true, force: true });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'corpus/oas');

  // the document that changes: BENCH_DOC, else the one of median size
  const bySize = [...docs].sort((a, b) => Number(a.bytes) - Number(b.bytes));
  const target = process.env.BENCH_DOC ? docs.find((d) => d.file === process.env.BENCH_DOC) : bySize[Math.floor(bySize.length / 2)];
  if (!target) throw new Error(`BENCH_DOC ${process.env.BENCH_DOC} is not a document of corpus/oas`);
  const original = readFileSync(path.join(repo, target.doc), 'utf8');
  const edit = editor(original, target.format);

  console.log(`# corpus/oas: ${docs.length} documents${EXCLUDE.length ? ` (left out: ${EXCLUDE.join(', ')})` : ''}${RULE_TIMEOUT_S ? `, lint.ruleTimeoutSeconds ${RULE_TIMEOUT_S}` : ''} in a git repository; one changed: ${target.file} (${(Number(target.bytes) / 1024).toFixed(0)} KB, ${target.version}; ${edit.how}) (${os.availableParallelism()} CPUs, Node ${process.version})`);
  const warmup = await gitway('lint', '--format', 'json', '--fail-on', 'never');
  const warmupReport = report(warmup, 'warm-up lint');
  console.log(line(`warm-up \`gitway lint\`${process.env.BENCH_REPO ? ' (copied cache)' : ' (cold)'}`, warmup, warmupReport));
  const trouble = (warmupReport?.findings ?? []).filter((f) => ['gitway-lint-crash', 'gitway-lint-timeout', 'gitway-rule-timeout'].includes(f.code));
  // Stopped rules and documents are cached with their stop (per content and time limit), and the
  // other documents' results are cached whatever stopped elsewhere (src/checks/lint-jobs.ts): the
  // runs below replay the stops. Listed, for the record.
  const runs = RUNS;
  if (trouble.length) console.log(`  the warm-up lint stopped ${trouble.length} job(s) (${trouble.map((t) => `${t.file.replace(/^apis\//, '')} ${t.code}`).join(', ')}); later runs replay these stops from the cache`);

  const staged = [];
  let lastReport;
  for (let i = 1; i <= runs; i++) {
    writeFileSync(path.join(repo, target.doc), edit.apply(i));
    git('add', target.doc);
    const r = await gitway('lint', '--staged', '--format', 'json', '--fail-on', 'never');
    lastReport = report(r, `--staged run ${i}`) ?? lastReport;
    staged.push(r);
    console.log(line(`  --staged, edit ${i}`, r, lastReport));
  }
  const wall = median(staged.map((r) => r.wall));
  const rss = Math.max(...staged.map((r) => r.peakRssKb));
  console.log(`--staged, one changed document     median ${seconds(wall)} (min ${seconds(Math.min(...staged.map((r) => r.wall)))}, max ${seconds(Math.max(...staged.map((r) => r.wall)))}), peak RSS ${mb(rss)}   goal 1 s: ${wall < GOAL_MS ? 'met' : 'MISSED'}`);
  if (warmupReport && lastReport) {
    const others = (rep) => JSON.stringify(rep.findings.filter((f) => f.file !== target.doc));
    console.log(`  findings outside the changed document equal to the warm-up lint's: ${others(warmupReport) === others(lastReport) ? 'yes' : 'NO  <-- CHECK'}`);
  }

  const same = await gitway('lint', '--staged', '--format', 'json', '--fail-on', 'never');
  console.log(line('--staged, nothing new (all cached)', same, report(same, '--staged, nothing new')));
  const since = await gitway('lint', '--staged', '--since', 'HEAD', '--format', 'json', '--fail-on', 'never');
  console.log(line('--staged --since HEAD (all cached)', since, report(since, '--staged --since HEAD')));
  writeFileSync(path.join(repo, target.doc), edit.apply(runs + 1));
  git('add', target.doc);
  const sinceNew = await gitway('lint', '--staged', '--since', 'HEAD', '--format', 'json', '--fail-on', 'never');
  console.log(line('--staged --since HEAD, new edit', sinceNew, report(sinceNew, '--staged --since HEAD, new edit')));
  for (let i = 1; i <= COLD_RUNS; i++) {
    const cold = await gitway('lint', '--staged', '--no-cache', '--format', 'json', '--fail-on', 'never');
    console.log(line(`--staged --no-cache${COLD_RUNS > 1 ? ` (${i})` : ''}`, cold, report(cold, '--staged --no-cache')));
  }

  // with a server
  useServer = true;
  const started = await gitway('server', 'start', '--idle-timeout', '10m');
  if (started.status !== 0) throw new Error(`gitway server start: ${started.stderr}`);
  let n = runs + 1;
  const edit1 = async (...args) => {
    writeFileSync(path.join(repo, target.doc), edit.apply(++n));
    git('add', target.doc);
    return gitway('lint', '--staged', ...args, '--fail-on', 'never');
  };
  const first = await edit1('--format', 'json');
  console.log(line('server: first command (loads all)', first, report(first, 'server, first')));
  for (const [label, args] of [['--format json', ['--format', 'json']], ['(the hook)', []]]) {
    const served = [];
    for (let i = 1; i <= runs; i++) {
      const r = await edit1(...args);
      const rep = label.startsWith('--format json') ? report(r, `server ${label} ${i}`) : undefined;
      served.push(r);
      console.log(line(`  server, ${label}, edit ${i}`, r, rep));
      if (rep && lastReport) {
        const others = (x) => JSON.stringify(x.findings.filter((f) => f.file !== target.doc));
        if (others(rep) !== others(lastReport)) console.log('  findings outside the changed document differ from the run without a server  <-- CHECK');
      }
    }
    const w = median(served.map((r) => r.wall));
    console.log(`server, --staged ${label.padEnd(20)} median ${seconds(w)}, client peak RSS ${mb(Math.max(...served.map((r) => r.peakRssKb)))}   goal 1 s: ${w < GOAL_MS ? 'met' : 'MISSED'}`);
  }
  const status = await gitway('server', 'status', '--format', 'json');
  const st = JSON.parse(status.stdout);
  console.log(`server after the runs: ${mb(st.rssBytes / 1024)} RSS (main thread and ${st.workers} kept worker(s))`);
} finally {
  useServer = true;
  await gitway('server', 'stop').catch(() => undefined);
  rmSync(serverDir, { recursive: true, force: true });
  if (!process.env.BENCH_KEEP) rmSync(repo, { recursive: true, force: true });
  else console.log(`kept ${repo}`);
}

/**
 * A harmless edit of the document, different for every n: text added at the end of info.description
 * (or info.title when there is none), so no line or column of the rest of the document moves.
 */
function editor(text, format) {
  if (format === 'json') {
    const info = text.search(/"info"\s*:\s*\{/);
    for (const key of ['description', 'title']) {
      const re = new RegExp(`"${key}"\\s*:\\s*"`, 'g');
      re.lastIndex = info;
      const m = info < 0 ? null : re.exec(text);
      if (!m) continue;
      let end = m.index + m[0].length;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      return { how: `edit: text added to the first "${key}" after "info"`, apply: (n) => `${text.slice(0, end)} (edited ${n})${text.slice(end)}` };
    }
  } else {
    const info = text.search(/^info:\s*$/m);
    for (const key of ['description', 'title']) {
      const re = new RegExp(`^(\\s+)${key}: *([^|>'"\\s].*)$`, 'gm');
      re.lastIndex = Math.max(info, 0);
      const m = info < 0 ? null : re.exec(text);
      if (!m) continue;
      const end = m.index + m[0].length;
      return { how: `edit: text added to the first plain ${key} after info:`, apply: (n) => `${text.slice(0, end)} (edited ${n})${text.slice(end)}` };
    }
  }
  return format === 'json' ? { how: 'edit: blanks appended', apply: (n) => `${text}${' '.repeat(n)}\n` } : { how: 'edit: a comment line appended', apply: (n) => `${text}\n# edited ${n}\n` };
}
