// gitway lint FILE --ruleset R against Spectral CLI 6.16 (`spectral lint FILE -r R`), with R a
// ruleset holding only `extends: spectral:oas`, on the large documents (corpus/large/*) and
// DigitalOcean's multi-file description: per document, wall time and peak RSS of each tool, and
// whether their findings are equal: the set of (rule, JSON path, severity), then lines and
// messages, then columns (where gitway's JSON parser puts a collection's start on its brace and
// Spectral's YAML parser on the blank before it, the difference is counted apart). Every other
// difference is listed. Each run starts in an empty temporary folder (cold caches).
// `node bench/lint-vs-spectral.js FILE…` compares other documents.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bin, corpus, mb, measured, projectRoot, requireBuild, seconds } from './lib/util.js';

requireBuild();
const spectralBin = path.join(projectRoot, 'node_modules/@stoplight/spectral-cli/dist/index.js');
if (!existsSync(spectralBin)) {
  console.error('@stoplight/spectral-cli is not installed (a devDependency): run npm ci');
  process.exit(2);
}
const docs = process.argv.length > 2
  ? process.argv.slice(2).map((f) => path.resolve(f))
  : [
      ...['stripe-spec3.yaml', 'stripe-spec2.yaml', 'twilio_api_v2010.json'].map((f) => path.join(corpus, 'large', f)),
      path.join(corpus, 'edge/realworld-external-refs/digitalocean/specification/DigitalOcean-public.v2.yaml'),
    ];
const SEVERITIES = ['error', 'warn', 'info', 'hint'];
const SHOW = 10;

console.log(`# gitway lint vs spectral lint, ruleset \`extends: spectral:oas\` (${os.availableParallelism()} CPUs, Node ${process.version})`);
console.log(`${'document'.padEnd(28)} ${'gitway'.padStart(20)} ${'spectral'.padStart(20)}   findings`);
let unequal = 0;
for (const doc of docs) {
  const name = path.basename(doc);
  const base = path.dirname(doc);
  const run = async (cmd) => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'gitway-bench-vs-'));
    try {
      writeFileSync(path.join(cwd, 'ruleset.yaml'), 'extends: spectral:oas\n');
      return await measured(process.execPath, cmd, { cwd, env: { ...process.env, NO_COLOR: '1' } });
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  };
  const g = await run([bin, 'lint', doc, '--ruleset', 'ruleset.yaml', '--format', 'json', '--fail-on', 'never']);
  const s = await run([spectralBin, 'lint', doc, '-r', 'ruleset.yaml', '-f', 'json', '--fail-severity', 'error']);
  let ours;
  let theirs;
  try {
    // gitway names files relative to its root (/ for a document outside the current folder)
    ours = JSON.parse(g.stdout).findings.map((f) => ({ file: path.relative(base, path.resolve('/', f.file)), code: f.code, path: f.path.map(String).join('.'), severity: f.severity, line: f.line, column: f.column, message: f.message }));
  } catch {
    console.log(`${name}: gitway failed (exit ${g.status}): ${g.stderr.slice(0, 500)}`);
    unequal++;
    continue;
  }
  try {
    theirs = JSON.parse(s.stdout.trim() || '[]').map((r) => ({ file: path.relative(base, r.source ?? doc), code: String(r.code), path: r.path.map(String).join('.'), severity: SEVERITIES[r.severity], line: r.range.start.line + 1, column: r.range.start.character + 1, message: r.message }));
  } catch {
    console.log(`${name}: spectral failed (exit ${s.status}): ${s.stderr.slice(0, 500)}`);
    unequal++;
    continue;
  }
  const rulePathSeverity = (r) => `${r.file} ${r.code} ${r.severity} ${r.path}`;
  const lineMessage = (r) => `${rulePathSeverity(r)} @${r.line} ${r.message}`;
  const setA = diff(ours, theirs, rulePathSeverity);
  const setB = diff(ours, theirs, lineMessage);
  const cols = columns(ours, theirs, base);
  const equal = setA.onlyOurs.length + setA.onlyTheirs.length === 0 && ours.length === theirs.length;
  const verdict = equal ? `equal (${ours.length})${setB.onlyOurs.length + setB.onlyTheirs.length ? `; lines/messages differ: ${setB.onlyOurs.length}` : ''}${cols.json ? `; ${cols.json} JSON brace columns` : ''}${cols.other.length ? `; ${cols.other.length} other column differences` : ''}` : `DIFFERENT: gitway ${ours.length}, spectral ${theirs.length}`;
  if (!equal || setB.onlyOurs.length + setB.onlyTheirs.length || cols.other.length) unequal++;
  console.log(`${name.padEnd(28)} ${`${seconds(g.wall)}, ${mb(g.peakRssKb)}`.padStart(20)} ${`${seconds(s.wall)}, ${mb(s.peakRssKb)}`.padStart(20)}   ${verdict}`);
  for (const [label, list] of [['only gitway', setA.onlyOurs], ['only spectral', setA.onlyTheirs], ['line/message only gitway', setA.onlyOurs.length ? [] : setB.onlyOurs], ['line/message only spectral', setA.onlyTheirs.length ? [] : setB.onlyTheirs], ['column', cols.other]]) {
    if (!list.length) continue;
    console.log(`  ${label} (${list.length}):`);
    for (const k of list.slice(0, SHOW)) console.log(`    ${k.slice(0, 300)}`);
    if (list.length > SHOW) console.log(`    … ${list.length - SHOW} more`);
  }
}
console.log(unequal ? `${unequal} document(s) with differences` : 'findings equal on every document');
process.exitCode = unequal ? 1 : 0;

function diff(a, b, key) {
  const count = (list) => {
    const m = new Map();
    for (const r of list) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
    return m;
  };
  const ca = count(a);
  const cb = count(b);
  return { onlyOurs: [...ca.keys()].filter((k) => !cb.has(k)).sort(), onlyTheirs: [...cb.keys()].filter((k) => !ca.has(k)).sort() };
}

/** Column differences: those explained by gitway's JSON parser (see the header), and the others. */
function columns(ours, theirs, base) {
  const key = (r) => `${r.file}|${r.code}|${r.path}|${r.line}|${r.message}`;
  const spectralColumns = new Map();
  for (const r of theirs) spectralColumns.set(key(r), [...(spectralColumns.get(key(r)) ?? []), r.column]);
  const texts = new Map();
  const lineOf = (file, n) => {
    if (!texts.has(file)) texts.set(file, readFileSync(path.join(base, file), 'utf8').split('\n'));
    return texts.get(file)[n - 1] ?? '';
  };
  let json = 0;
  const other = [];
  for (const r of ours) {
    const cols = spectralColumns.get(key(r));
    if (!cols || cols.includes(r.column)) continue;
    const line = lineOf(r.file, r.line);
    if (/\.json$/i.test(r.file) && cols.some((c) => c < r.column && /^\s+$/.test(line.slice(c - 1, r.column - 1)) && /[{[]/.test(line[r.column - 1] ?? ''))) json++;
    else other.push(`${key(r)}: gitway ${r.column}, spectral ${cols.join('/')}`);
  }
  return { json, other };
}
