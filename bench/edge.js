// Verdicts on the edge-case corpus: every row of corpus/edge/EXPECTED.tsv analysed by gitway
// (dist/openapi/pool.js, the code path `gitway validate` uses: worker threads, a WorkTree rooted at
// corpus/edge, the same per-document time bound), compared with the expected verdict.
//
// Fragments (8 rows: the non-root files of OAI's petstore-separate) are $ref targets, not documents:
// an API manifest naming one would rightly get "not an OpenAPI document". They are therefore judged
// as what they are: a fragment is right when gitway parses it and resolves it as a $ref target of
// a root document of the corpus that gitway finds valid. (Each is also analysed on its own, and the
// bench checks that gitway then says it is not an OpenAPI document rather than crashing.)
import path from 'node:path';
import { corpus, readTsv, requireBuild, seconds } from './lib/util.js';

requireBuild();
const { analyseDocuments } = await import('../dist/openapi/pool.js');
const { WorkTree } = await import('../dist/workspace/worktree.js');

const root = path.join(corpus, 'edge');
const rows = readTsv(path.join(root, 'EXPECTED.tsv'));
const only = process.argv[2]; // optional: a path prefix, to run one group
const selected = only ? rows.filter((r) => r.path.startsWith(only)) : rows;

const GROUPS = [
  ['swagger-parser fixtures', 'swagger-parser/'],
  ['OAI examples', 'oai-examples/'],
  ['OAI schema tests 3.0', 'oai-schema-tests/v3.0/'],
  ['OAI schema tests 3.1 pass', 'oai-schema-tests/v3.1/pass/'],
  ['OAI schema tests 3.1 fail', 'oai-schema-tests/v3.1/fail/'],
  ['OAI schema tests 3.2 pass', 'oai-schema-tests/v3.2/pass/'],
  ['OAI schema tests 3.2 fail', 'oai-schema-tests/v3.2/fail/'],
  ['readme examples', 'readme-oas-examples/'],
  ['DigitalOcean (multi-file)', 'realworld-external-refs/digitalocean/'],
];
const groupOf = (p) => GROUPS.find(([, prefix]) => p.startsWith(prefix))?.[0] ?? 'other';

const tree = new WorkTree(root);
const t0 = performance.now();
const summaries = await analyseDocuments(tree, selected.map((r) => r.path), { timeoutMs: Number(process.env.BENCH_TIMEOUT_MS ?? 60_000) });
const wall = performance.now() - t0;

// which files valid roots pulled in
const reachedFromValid = new Map();
for (const s of summaries.values()) {
  if (!s.valid) continue;
  for (const f of s.files.slice(1)) if (!reachedFromValid.has(f)) reachedFromValid.set(f, s.file);
}

const byGroup = new Map();
const misses = [];
const fragmentNotes = [];
for (const row of selected) {
  const s = summaries.get(row.path);
  let got;
  let right;
  if (row.expected === 'fragment') {
    const via = reachedFromValid.get(row.path);
    got = via ? 'fragment' : s.valid ? 'valid' : 'invalid';
    right = Boolean(via);
    const alone = s.findings.find((f) => f.severity === 'error');
    fragmentNotes.push(`${row.path}: ${via ? `resolved from valid root ${via}` : 'NOT reached from any valid root'}; on its own: ${alone ? alone.code : 'no error (!)'}`);
    if (alone && alone.code === 'openapi-crash') right = false;
  } else {
    got = s.valid ? 'valid' : 'invalid';
    right = got === row.expected;
  }
  const g = groupOf(row.path);
  const entry = byGroup.get(g) ?? { right: 0, total: 0 };
  entry.total++;
  if (right) entry.right++;
  byGroup.set(g, entry);
  if (!right) {
    const errors = s.findings.filter((f) => f.severity === 'error');
    const message = errors.length ? `${errors[0].code}: ${errors[0].message}${errors.length > 1 ? ` (+${errors.length - 1} more)` : ''}` : 'no error found';
    misses.push({ path: row.path, expected: row.expected, got, message, why: row['why (as the source says)'] });
  }
}

console.log(`# edge corpus: ${selected.length} rows analysed in ${seconds(wall)}`);
let right = 0;
for (const [name] of [...GROUPS, ['other']]) {
  const e = byGroup.get(name);
  if (!e) continue;
  right += e.right;
  console.log(`${name.padEnd(28)} ${String(e.right).padStart(3)}/${String(e.total).padEnd(3)} ${((100 * e.right) / e.total).toFixed(1).padStart(5)} %`);
}
console.log(`${'all'.padEnd(28)} ${String(right).padStart(3)}/${String(selected.length).padEnd(3)} ${((100 * right) / selected.length).toFixed(1).padStart(5)} %`);
const doRow = selected.find((r) => r.path.startsWith('realworld-external-refs/digitalocean/'));
if (doRow) {
  const s = summaries.get(doRow.path);
  console.log(`DigitalOcean: ${s.valid ? 'VALID' : 'INVALID'}, ${s.operations.length} operations, ${s.files.length} files, ${s.ms} ms`);
}
if (fragmentNotes.length) {
  console.log('\n## fragments (treated as $ref targets, see the head of bench/edge.js)');
  for (const n of fragmentNotes) console.log(`  ${n}`);
}
console.log(`\n## misses (${misses.length})`);
for (const m of misses) console.log(`- ${m.path}: expected ${m.expected}, got ${m.got}\n    gitway: ${m.message}\n    source says: ${m.why}`);
const slow = [...summaries.values()].sort((a, b) => b.ms - a.ms).slice(0, 3);
console.log(`\nslowest: ${slow.map((s) => `${s.file} ${s.ms} ms`).join('; ')}`);
process.exitCode = 0;
