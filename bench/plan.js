// Plan at scale: a generated repository of A APIs × O operations (one path template each), a live
// Caddy file holding the same state with one API changed, and the time and memory of each step of
// `gitway plan`: build the model, compile to Caddy JSON, read the live file back, diff, render.
// Each size runs in its own process so peak memory is its own. Goal: 10,000 routes under 1 s and 300 MB.
// `plan total` is model + compile + read + diff + render; `manifests` (parsing and schema-checking
// the generated YAML, which `gitway plan` also does, before OpenAPI analysis) is shown apart.
//
//   node bench/plan.js              # 1,000 and 10,000 routes
//   node bench/plan.js 100x100      # one size (APIs x operations)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { documentSummaries, manifestFiles } from './lib/generate.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(path.join(root, 'dist/model/build.js'))) {
  console.error('dist/ is missing: run `npm run build` first.');
  process.exit(2);
}

const [arg, child] = process.argv.slice(2);
if (child !== '--child') {
  const sizes = arg ? [arg] : ['10x100', '100x100'];
  console.log('routes  model    compile  read     diff     render   plan total  peak RSS  manifests  changes');
  for (const size of sizes) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), size, '--child'], { encoding: 'utf8' });
    if (r.status !== 0) {
      console.error(r.stderr);
      process.exit(1);
    }
    process.stdout.write(r.stdout);
  }
  process.exit(0);
}

const [apis, ops] = arg.split('x').map(Number);
const { loadManifests } = await import(path.join(root, 'dist/manifest/manifests.js'));
const { buildModel } = await import(path.join(root, 'dist/model/build.js'));
const { caddyDriver } = await import(path.join(root, 'dist/gateways/caddy/index.js'));
const { decompile } = await import(path.join(root, 'dist/gateways/caddy/live.js'));
const { conceal } = await import(path.join(root, 'dist/model/sensitive.js'));
const { diff } = await import(path.join(root, 'dist/plan/diff.js'));
const { createPlan } = await import(path.join(root, 'dist/plan/plan.js'));
const { renderPlanText } = await import(path.join(root, 'dist/report/plan.js'));

const files = (changedApi) => manifestFiles(apis, changedApi);
const documents = () => documentSummaries(apis, ops);

function memoryTree(map) {
  const names = Object.keys(map).sort();
  return {
    source: { kind: 'worktree' },
    root: '/bench',
    describe: () => 'the generated tree',
    glob: async () => names,
    read: async (f) => Buffer.from(map[f]),
    exists: async (f) => f in map,
    close: async () => {},
  };
}

const scope = { environment: 'bench', vars: {}, env: { APP_KEY: 'bench-secret-key' } };
const docs = documents();

// The live file: what an earlier apply wrote (api-0 with retries 2).
const before = await loadManifests(memoryTree(files(-1)), ['gateway/**/*.yaml'], scope, 'gitway.yaml');
const liveText = caddyDriver.render(caddyDriver.compile(buildModel({ manifests: before.manifests, documents: docs }).state, { secrets: before.secrets }));

// The plan, step by step (manifest parsing is timed apart: it is the project loader's work).
const t0 = performance.now();
const loaded = await loadManifests(memoryTree(files(0)), ['gateway/**/*.yaml'], scope, 'gitway.yaml');
const loadMs = performance.now() - t0;
const t = [performance.now()];
const model = buildModel({ manifests: loaded.manifests, documents: docs });
t.push(performance.now());
const native = caddyDriver.compile(model.state, { secrets: loaded.secrets });
caddyDriver.fingerprint(native);
t.push(performance.now());
const live = decompile(JSON.parse(liveText), 'caddy.json');
t.push(performance.now());
const desired = model.state.entities.map((e) => conceal(e, loaded.secrets)).map(({ kind, name, spec }) => ({ kind, name, spec }));
const changes = diff(desired, live.entities, caddyDriver.defaults);
t.push(performance.now());
const plan = createPlan({ gitway: 'bench', environment: 'bench', driver: 'caddy', target: { kind: 'file', file: 'caddy.json' }, desired: { source: 'worktree', head: null, dirty: true, fingerprint: 'x' }, live: { fingerprint: live.fingerprint, present: true }, changes }, loaded.secrets);
const text = renderPlanText(plan);
t.push(performance.now());

const routes = model.state.entities.filter((e) => e.kind === 'route').length;
const step = (i) => `${Math.round(t[i + 1] - t[i])} ms`.padEnd(9);
const peak = process.resourceUsage().maxRSS / 1024;
console.log(
  `${String(routes).padEnd(8)}${step(0)}${step(1)}${step(2)}${step(3)}${step(4)}${`${Math.round(t[5] - t[0])} ms`.padEnd(12)}${`${Math.round(peak)} MB`.padEnd(10)}${`${Math.round(loadMs)} ms`.padEnd(11)}${plan.summary.change} to change (${text.length} chars of text, live file ${(liveText.length / 1e6).toFixed(1)} MB)`,
);
