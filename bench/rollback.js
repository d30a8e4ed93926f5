// Rollback and automatic rollback against a real Caddy (issue 6, "Measured"):
//   1. auto-rollback on the fixture repository (fixtures/shop): a deploy that points the orders API
//      at a backend that is not there; its smoke check fails at its deadline; measured from that
//      moment: until the restore is written, until a request through the proxy is served by the
//      previous state again (a poller sends the check's request every 10 ms), and until the restore
//      is verified (applyPlan returns its error). 3 runs. Goal: under 2 s after the check's deadline.
//   2. `gitway rollback --yes` of a 1,000-route config (bench/lib/generate.js, 10 APIs x 100
//      operations, two commits deployed): end to end through the CLI, with and without the
//      commit's rulesets (--no-lint), 3 runs each (every rollback returns to the other commit).
// Caddy, the upstreams and the repositories live on 127.0.0.1 / in temporary folders, stopped and
// removed at the end (bench/lib/caddy.js).
//
//   npm run build && node bench/rollback.js
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanup, freePort, lab, startCaddy, startUpstream } from './lib/caddy.js';
import { repositoryFiles } from './lib/generate.js';
import { median } from './lib/util.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(path.join(root, 'dist/deploy/planner.js'))) {
  console.error('dist/ is missing: run `npm run build` first.');
  process.exit(2);
}
if (spawnSync('caddy', ['version'], { encoding: 'utf8' }).status !== 0) {
  console.error('caddy is not installed (apt-get install -y caddy).');
  process.exit(2);
}
const dist = (p) => import(path.join(root, 'dist', p));
const { computePlan } = await dist('deploy/planner.js');
const { applyPlan } = await dist('deploy/apply.js');
const { runChecks, changedApis, describeFailures } = await dist('deploy/checks.js');
const { request } = await import('undici');
const bin = path.join(root, 'bin/gitway.js');
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;

function git(dir, ...args) {
  const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.com' } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

function environment(caddy, vars) {
  return `  bench:\n    driver: caddy\n    admin: ${caddy.admin}\n    proxy: http://127.0.0.1:${caddy.proxyPort}\n    listen: 127.0.0.1:${caddy.proxyPort}\n    vars: { ${Object.entries(vars).map(([k, v]) => `${k}: ${v}`).join(', ')} }\n`;
}

async function autoRollback(caddy) {
  const repo = mkdtempSync(path.join(os.tmpdir(), 'gitway-bench-rollback-'));
  lab.temp.push(repo);
  cpSync(path.join(root, 'fixtures/shop'), repo, { recursive: true });
  const base = readFileSync(path.join(repo, 'gitway.yaml'), 'utf8');
  const orders = await startUpstream('orders');
  const pets = await startUpstream('pets');
  const dead = `http://127.0.0.1:${await freePort()}`;
  const write = (ordersUp) => writeFileSync(path.join(repo, 'gitway.yaml'), base + environment(caddy, { orders_upstream: ordersUp, pets_upstream: pets }));
  const processEnv = { ...process.env, SHOP_WEB_KEY: 'bench-shop-key', GITWAY_ACTOR: 'gitway-bench' };
  const options = { cwd: repo, env: 'bench', processEnv, gitwayVersion: 'bench' };
  git(repo, 'init', '-q');
  write(orders);
  const first = await computePlan(options);
  await applyPlan(first.plan, first.desired, { gitwayVersion: 'bench', processEnv, live: first.live });
  const url = `http://127.0.0.1:${caddy.proxyPort}/orders/orders`;
  const headers = { host: 'api.example.com', apikey: 'bench-shop-key' };
  const probe = async () => {
    try {
      const r = await request(url, { headers, reset: true });
      await r.body.text();
      return r.statusCode;
    } catch {
      return 0;
    }
  };
  if ((await probe()) !== 200) throw new Error('the healthy deploy does not answer 200 through the proxy');
  const runs = [];
  for (let i = 0; i < 3; i++) {
    write(i % 2 ? `${dead}/` : dead); // a different (dead) backend each run, so every run has a change
    const bad = await computePlan(options);
    let failedAt = 0;
    let restoringAt = 0;
    let servedAt = 0;
    let polling = false;
    const poll = async () => {
      while (polling && !servedAt) {
        const t = performance.now();
        if ((await probe()) === 200) servedAt = t;
        else await new Promise((r) => setTimeout(r, 10));
      }
    };
    let poller;
    const started = performance.now();
    let error;
    try {
      await applyPlan(bad.plan, bad.desired, {
        gitwayVersion: 'bench',
        processEnv,
        live: bad.live,
        progress: (phase) => {
          if (phase === 'restoring') restoringAt = performance.now();
        },
        afterVerify: async () => {
          const results = await runChecks(bad.desired, changedApis(bad.plan, bad.desired));
          failedAt = performance.now();
          polling = true;
          poller = poll();
          return describeFailures(results);
        },
      });
    } catch (err) {
      error = err;
    }
    const verifiedAt = performance.now();
    if (!servedAt) await new Promise((r) => setTimeout(r, 500));
    polling = false;
    await poller;
    if (!error || error.exitCode !== 1) throw new Error(`expected exit 1 (restored), got ${error ? `${error.exitCode}: ${error.message}` : 'success'}`);
    runs.push({ checks: failedAt - started, restoring: restoringAt - failedAt, served: servedAt - failedAt, verified: verifiedAt - failedAt });
    console.log(`  run ${i + 1}: checks failed after ${s(failedAt - started)} (their deadline); then restore started ${s(restoringAt - failedAt)}, previous state serving ${s(servedAt - failedAt)}, restore verified ${s(verifiedAt - failedAt)}`);
  }
  return runs;
}

function cli(repo, args, env) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, ...env, NO_COLOR: '1' } });
  return { ms: performance.now() - t, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function rollbackAtScale(caddy) {
  const repo = mkdtempSync(path.join(os.tmpdir(), 'gitway-bench-rollback-1k-'));
  lab.temp.push(repo);
  const targets = [await startUpstream('a'), await startUpstream('b')];
  const files = (changed) => repositoryFiles(10, 100, changed, () => targets);
  const put = (map) => {
    for (const [file, text] of Object.entries(map)) {
      mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
      writeFileSync(path.join(repo, file), text);
    }
  };
  // The generated APIs reuse operationIds (op0…op99 in each): the team's ruleset turns that rule off.
  writeFileSync(path.join(repo, 'gitway.yaml'), `apiVersion: gitway/v1\nruleset: rules/ruleset.yaml\ndefaultEnvironment: bench\nenvironments:\n${environment(caddy, { x: 1 })}`);
  mkdirSync(path.join(repo, 'rules'));
  writeFileSync(path.join(repo, 'rules/ruleset.yaml'), 'extends: [gitway:oas, gitway:manifests]\nrules:\n  gitway-operation-id-unique-across-apis: off\n');
  writeFileSync(path.join(repo, '.gitignore'), '.gitway/\n');
  put(files(-1));
  git(repo, 'init', '-q');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'v1');
  const env = { APP_KEY: 'bench-secret-key', GITWAY_ACTOR: 'gitway-bench' };
  const apply1 = cli(repo, ['apply', '--yes', '-q'], env);
  if (apply1.status !== 0) throw new Error(`apply v1 failed: ${apply1.stderr}`);
  put(files(0));
  git(repo, 'commit', '-qam', 'v2');
  const apply2 = cli(repo, ['apply', '--yes', '-q'], env);
  if (apply2.status !== 0) throw new Error(`apply v2 failed: ${apply2.stderr}`);
  console.log(`  applies: v1 (1,000 routes) ${s(apply1.ms)}, v2 (one change) ${s(apply2.ms)}`);
  const out = {};
  for (const [label, extra] of [['with the commit\'s rulesets', []], ['--no-lint', ['--no-lint']]]) {
    const times = [];
    for (let i = 0; i < 3; i++) {
      const r = cli(repo, ['rollback', '--yes', '-q', ...extra], env);
      if (r.status !== 0) throw new Error(`rollback failed (${r.status}): ${r.stderr}`);
      times.push(r.ms);
    }
    out[label] = times;
    console.log(`  gitway rollback --yes ${extra.join(' ')}: ${times.map(s).join(', ')} (median ${s(median(times))})`);
  }
  return out;
}

try {
  const caddy = await startCaddy();
  console.log(`Caddy at ${caddy.admin} (pid ${caddy.pid}), traffic on 127.0.0.1:${caddy.proxyPort}`);
  console.log('\n1. auto-rollback on fixtures/shop: a failed smoke check until the previous state serves again');
  const runs = await autoRollback(caddy);
  const worst = Math.max(...runs.map((r) => r.served));
  const worstVerified = Math.max(...runs.map((r) => r.verified));
  console.log(`  goal: previous state serving again under 2 s after the check's deadline: worst ${s(worst)} (verified ${s(worstVerified)}) — ${worst < 2000 ? 'met' : 'NOT MET'}`);

  console.log('\n2. gitway rollback of a 1,000-route config (end to end, CLI)');
  await rollbackAtScale(caddy);
} finally {
  await cleanup();
}
