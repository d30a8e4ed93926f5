// Shared subtrees walked once, pure functions called once per value, schemas compiled once per
// content (src/checks/nimma-memo.ts, src/checks/function-cache.ts) against Spectral's own way, on
// many documents: every document of corpus/oas, corpus/large and DigitalOcean's multi-file
// description (or the files given), linted in-process with `extends: spectral:oas` (recommended),
// once in a child process with GITWAY_SUBTREE_MEMO=off (Spectral's traversal, functions and
// compiler as they ship) and once with it on. Prints per document whether the findings are
// identical (rule, path, message, severity, source, range, in Spectral's order) and the time of
// `spectral.run` in each mode, and in total. Exit 1 when any document differs.
//
//   node bench/subtree-memo.js [FILE…]        BENCH_LIMIT=n takes the first n documents,
//   BENCH_EXCLUDE=a.json,b.json leaves documents out, BENCH_PROGRESS=1 prints each document as it ends
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { corpus, projectRoot, requireBuild, timed } from './lib/util.js';

requireBuild();
const child = process.argv[2] === '--child';
if (child) await lintAll(process.argv[3], process.argv.slice(4));
else await compare();

/** In a child: lints every file, writes [{file, ms, results | error}] to `out`. */
async function lintAll(out, files) {
  const dist = (f) => new URL(`../dist/${f}`, import.meta.url).href;
  (await import(dist('checks/spectral-nimma.js'))).preferModernNimma();
  const { cachePureFunctions } = await import(dist('checks/function-cache.js'));
  const { FastResolver } = await import(dist('checks/ref-resolver.js'));
  const { default: core } = await import('@stoplight/spectral-core');
  const { default: Parsers } = await import('@stoplight/spectral-parsers');
  const { oas } = await import('@stoplight/spectral-rulesets');
  const { default: readers } = await import('@stoplight/json-ref-readers');
  const rows = [];
  for (const file of files) {
    const ruleset = new core.Ruleset({ extends: [[oas, 'recommended']] });
    cachePureFunctions(ruleset); // does nothing with GITWAY_SUBTREE_MEMO=off
    const spectral = new core.Spectral({ resolver: new FastResolver({ resolvers: { file: { resolve: readers.resolveFile } } }) });
    spectral.setRuleset(ruleset);
    const doc = new core.Document(readFileSync(file, 'utf8'), /\.json$/i.test(file) ? Parsers.Json : Parsers.Yaml, file);
    const t0 = performance.now();
    try {
      const results = await spectral.run(doc, { ignoreUnknownFormat: true });
      rows.push({ file, ms: performance.now() - t0, results: results.map((r) => [r.code, r.path, r.message, r.severity, r.source, r.range]) });
    } catch (err) {
      rows.push({ file, ms: performance.now() - t0, error: String(err).split('\n')[0] });
    }
    if (process.env.BENCH_PROGRESS) process.stderr.write(`${process.env.GITWAY_SUBTREE_MEMO} ${rows.length}/${files.length} ${path.basename(file)} ${(rows.at(-1).ms / 1000).toFixed(1)} s\n`);
  }
  writeFileSync(out, JSON.stringify(rows));
}

async function compare() {
  let files = process.argv.length > 2
    ? process.argv.slice(2).map((f) => path.resolve(f))
    : [
        ...readdirSync(path.join(corpus, 'oas')).filter((f) => /\.(json|ya?ml)$/i.test(f)).sort().map((f) => path.join(corpus, 'oas', f)),
        ...['stripe-spec3.yaml', 'stripe-spec2.yaml', 'twilio_api_v2010.json'].map((f) => path.join(corpus, 'large', f)),
        path.join(corpus, 'edge/realworld-external-refs/digitalocean/specification/DigitalOcean-public.v2.yaml'),
      ];
  if (process.env.BENCH_LIMIT) files = files.slice(0, Number(process.env.BENCH_LIMIT));
  const exclude = new Set((process.env.BENCH_EXCLUDE ?? '').split(',').filter(Boolean));
  files = files.filter((f) => !exclude.has(path.basename(f)));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gitway-bench-memo-'));
  try {
    const run = (mode) => {
      const out = path.join(dir, `${mode}.json`);
      const r = timed(process.execPath, ['--max-old-space-size=8192', path.join(projectRoot, 'bench/subtree-memo.js'), '--child', out, ...files], { env: { ...process.env, GITWAY_SUBTREE_MEMO: mode }, stdio: ['ignore', 'ignore', process.env.BENCH_PROGRESS ? 'inherit' : 'pipe'] });
      if (r.status !== 0) throw new Error(`the ${mode} run failed: ${r.stderr}`);
      return JSON.parse(readFileSync(out, 'utf8'));
    };
    console.log(`# spectral.run with Spectral's own traversal (off) and gitway's (on), ${files.length} documents, extends: spectral:oas`);
    const off = run('off');
    const on = run('on');
    let different = 0;
    let tOff = 0;
    let tOn = 0;
    for (let i = 0; i < files.length; i++) {
      const a = off[i];
      const b = on[i];
      const same = JSON.stringify(a.results ?? a.error) === JSON.stringify(b.results ?? b.error);
      if (!same) different++;
      tOff += a.ms;
      tOn += b.ms;
      const name = path.relative(corpus, files[i]);
      if (!same || a.ms > 1000 || process.argv.length > 2) {
        console.log(`${same ? 'same' : 'DIFFERENT'}  ${name}: ${a.results?.length ?? a.error} findings; off ${(a.ms / 1000).toFixed(2)} s, on ${(b.ms / 1000).toFixed(2)} s`);
      }
    }
    console.log(`documents ${files.length}; identical ${files.length - different}, different ${different}; spectral.run in total: off ${(tOff / 1000).toFixed(1)} s, on ${(tOn / 1000).toFixed(1)} s (${(tOff / tOn).toFixed(2)}x)`);
    process.exitCode = different ? 1 : 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
