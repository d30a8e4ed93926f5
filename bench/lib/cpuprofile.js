// Summarises a V8 .cpuprofile (node --cpu-prof): the top functions by self time, and by inclusive
// time (a function counted once per sample when it is anywhere on the stack), each with its file
// and line. Idle time ("(idle)", waiting for Caddy or the disk) is shown apart.
//
//   node bench/lib/cpuprofile.js FILE.cpuprofile [top=25] [filter]
//   (filter: only functions whose name or file contains it, for the inclusive list)
import { readFileSync } from 'node:fs';

const [file, topArg, filter] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/lib/cpuprofile.js FILE.cpuprofile [top] [filter]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const label = (n) => {
  const f = n.callFrame;
  const where = f.url ? `${f.url.replace(/^file:\/\//, '').replace(/^.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
};

const self = new Map();
const inclusive = new Map();
let total = 0;
let idle = 0;
const deltas = profile.timeDeltas;
profile.samples.forEach((id, i) => {
  const dt = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000; // ms, the time until the next sample
  total += dt;
  const n = byId.get(id);
  const name = label(n);
  if (n.callFrame.functionName === '(idle)') idle += dt;
  self.set(name, (self.get(name) ?? 0) + dt);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur));
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + dt);
  }
});

const ms = (v) => `${Math.round(v)} ms`.padStart(9);
console.log(`${file}: ${Math.round(total)} ms sampled, of which idle ${Math.round(idle)} ms (waiting: Caddy, disk, workers)`);
console.log(`\ntop ${top} by self time`);
for (const [name, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(v)}  ${name}`);
console.log(`\ntop ${top} by inclusive time${filter ? ` (matching ${filter})` : ''}`);
const skip = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);
for (const [name, v] of [...inclusive].filter(([n]) => !skip.has(n.split(' ')[0]) && (!filter || n.includes(filter))).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(v)}  ${name}`);
