/**
 * Differential fuzzing of the shared-subtree traversal (src/checks/nimma-memo.ts): random JSONPath
 * expressions (members, unions, wildcards, filters on the node and its key, deep and fixed steps,
 * names that read as integers) over random documents whose objects are shared as `$ref`s make them,
 * run by one nimma instance with its own traversal and with gitway's. Every callback, with its path,
 * must come in the same order. Run in a child process on the built code (dist/), where the
 * traversal installs itself on nimma's module.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../helpers/cli.js';

const SCRIPT = `
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
const req = createRequire(${JSON.stringify(path.join(projectRoot, 'package.json'))});
const nimmaIndex = req.resolve('nimma');
const memo = await import(pathToFileURL(${JSON.stringify(path.join(projectRoot, 'dist/checks/nimma-memo.js'))}).href);
memo.installSubtreeMemo(nimmaIndex);
const Nimma = req(nimmaIndex).default;
const { jsonPathPlus } = req('nimma/fallbacks');
const [seedArg, count, numeric] = process.argv.slice(1);
let seed = Number(seedArg);
const rnd = () => { seed |= 0; seed = (seed + 0x6D2B79F5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
const pick = (a) => a[Math.floor(rnd() * a.length)];
const KEYS = numeric === '1' ? ['a', 'b', 'c', '0', '1', 'x'] : ['a', 'b', 'c', 'x'];
const FILTERS = ['@string', '@.length > 1', '@ && @.a && @.a.x', "@property.indexOf('a') === 0", '@.b !== void 0', '@.x', '@ && @.a', "@property === 'a'", "@property !== 'b'", '@ && @.x === 1', '@.a.x'];
function step() {
  const deep = rnd() < 0.35;
  const r = rnd();
  if (r < 0.45) { const k = pick(KEYS); return deep ? '..' + (/^\\d/.test(k) ? '[' + k + ']' : k) : (/^\\d/.test(k) ? (rnd() < 0.5 ? '[' + k + ']' : "['" + k + "']") : '.' + k); }
  if (r < 0.6) return (deep ? '..' : '') + "['a'," + pick(numeric === '1' ? ["'b'", 1, "'1'"] : ["'b'", "'c'"]) + ']';
  if (r < 0.8) return deep ? '..[*]' : '[*]';
  return (deep ? '..' : '') + '[?(' + pick(FILTERS) + ')]';
}
const expr = () => { let e = '$'; const n = 1 + Math.floor(rnd() * 5); for (let i = 0; i < n; i++) e += step(); return e; };
function doc() {
  const pool = [];
  const make = (d) => {
    if (d > 3 || rnd() < 0.15) return pick([1, 'a', true, null]);
    if (pool.length && rnd() < 0.3) return pick(pool);
    let o;
    if (rnd() < 0.25) { o = []; const n = Math.floor(rnd() * 3); for (let i = 0; i < n; i++) o.push(make(d + 1)); }
    else { o = {}; const n = Math.floor(rnd() * 4); for (let i = 0; i < n; i++) o[pick(KEYS)] = make(d + 1); }
    pool.push(o);
    return o;
  };
  const root = {};
  for (let i = 0; i < 4; i++) root[pick(KEYS)] = make(0);
  return root;
}
function run(exprs, input, on) {
  memo.setSubtreeMemo(on);
  const out = [];
  let n;
  try { n = new Nimma(exprs, { fallback: jsonPathPlus, unsafe: false, output: 'auto', customShorthands: {} }); } catch { return null; }
  const cbs = {};
  for (const e of exprs) cbs[e] = (r) => out.push(e + ' ' + JSON.stringify(r.path));
  try { n.query(input, cbs); } catch (e) { out.push('ERR ' + e.message); }
  return out;
}
const differences = [];
let compared = 0;
memo.takeSubtreeMemoStats();
for (let t = 0; t < Number(count) && differences.length < 3; t++) {
  const exprs = Array.from({ length: 1 + Math.floor(rnd() * 3) }, expr);
  if (!exprs.some((e) => e.includes('..'))) exprs.push('$..zz');
  const d = doc();
  const a = run(exprs, d, false);
  const b = run(exprs, d, true);
  if (a === null) continue;
  compared++;
  if (a.join('\\n') !== b.join('\\n')) differences.push({ exprs, off: a.slice(0, 8), on: b.slice(0, 8) });
}
console.log(JSON.stringify({ compared, differences, stats: memo.takeSubtreeMemoStats() }));
`;

function fuzz(seed: number, count: number, numeric: boolean) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT, String(seed), String(count), numeric ? '1' : '0'], { cwd: projectRoot, env: { ...process.env, NODE_OPTIONS: '' }, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { compared: number; differences: unknown[]; stats: { visits: number; replays: number; fallbacks: number } };
}

describe("gitway's traversal against nimma's on random expressions and shared documents", () => {
  it.each([
    [11, false],
    [14, false], // finds nimma's rewrite of \`..[*]\` followed by a step
    [20, false],
    [13, true], // finds nimma's string comparison of names that read as integers
  ])('seed %i (names that read as integers: %s): every callback in the same order', (seed, numeric) => {
    const result = fuzz(seed, 1500, numeric);
    expect(result.differences).toEqual([]);
    expect(result.compared).toBeGreaterThan(1000);
    // the cases did run through the shared-subtree walk, and did replay
    expect(result.stats.visits).toBeGreaterThan(2_000);
    expect(result.stats.replays).toBeGreaterThan(100);
  }, 120_000);
});
