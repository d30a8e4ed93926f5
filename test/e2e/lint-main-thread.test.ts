/**
 * When the lint runs on worker threads, only they evaluate the ruleset: the main thread prepares it
 * (the built-ins by name, a ruleset file bundled to code) and never loads the rules themselves.
 * Checked with the CommonJS modules the main thread loads (a preload records Module._load there).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gitway } from '../helpers/cli.js';

const PRELOAD = `import { createRequire } from 'node:module';
import { appendFileSync, writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
const out = process.env.GITWAY_MAIN_LOADS;
if (out && isMainThread) {
  writeFileSync(out, '');
  const Module = createRequire(import.meta.url)('node:module');
  const original = Module._load;
  Module._load = function (request, parent, isMain) {
    let resolved = request;
    try { resolved = Module._resolveFilename(request, parent, isMain); } catch {}
    appendFileSync(out, resolved + '\\n');
    return original.apply(this, arguments);
  };
}
`;

// no contact, no description, no tags, an operation without operationId: several findings
const DOC = `openapi: 3.0.3
info: { title: Small, version: "1" }
servers: [{ url: "https://api.example.com" }]
paths:
  /pets:
    get:
      responses:
        '200': { description: ok }
`;

function lintRecordingLoads(args: string[], files: Record<string, string>): { status: number; findings: { code: string }[]; loads: string[] } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gitway-main-loads-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    writeFileSync(path.join(dir, 'preload.mjs'), PRELOAD);
    const log = path.join(dir, 'loads.txt');
    const r = gitway(['lint', ...args, '--format', 'json', '--fail-on', 'never'], { cwd: dir, env: { NODE_OPTIONS: `--import ${path.join(dir, 'preload.mjs')}`, GITWAY_MAIN_LOADS: log } });
    const loads = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    return { status: r.status, findings: (JSON.parse(r.stdout) as { findings: { code: string }[] }).findings, loads };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('gitway lint: the ruleset is evaluated on the worker threads only', () => {
  it('with the built-in ruleset, the main thread loads no Spectral module at all', () => {
    const { status, findings, loads } = lintRecordingLoads(['small.yaml'], { 'small.yaml': DOC });
    expect(status).toBe(0);
    expect(loads.length).toBeGreaterThan(0); // the preload really recorded
    expect(findings.map((f) => f.code)).toContain('operation-operationId'); // the workers did lint
    expect(loads.filter((f) => f.includes('/node_modules/@stoplight/'))).toEqual([]);
  });

  it('with a ruleset file, the main thread bundles it but never evaluates it (spectral:oas is not loaded there)', () => {
    const ruleset = 'extends: spectral:oas\nrules:\n  title-set:\n    given: $.info\n    then: { field: title, function: truthy }\n';
    const { status, findings, loads } = lintRecordingLoads(['small.yaml', '--ruleset', 'r.yaml'], { 'small.yaml': DOC, 'r.yaml': ruleset });
    expect(status).toBe(0);
    expect(loads.some((f) => f.includes('/node_modules/@stoplight/spectral-ruleset-migrator/'))).toBe(true); // bundling happened here
    expect(findings.map((f) => f.code)).toContain('operation-operationId');
    expect(loads.filter((f) => f.includes('/node_modules/@stoplight/spectral-rulesets/'))).toEqual([]);
  });

  it('with a ruleset that only extends spectral:oas, the main thread loads no Spectral module at all (its bundle is known)', () => {
    const { status, findings, loads } = lintRecordingLoads(['small.yaml', '--ruleset', 'r.yaml'], { 'small.yaml': DOC, 'r.yaml': 'extends: spectral:oas\n' });
    expect(status).toBe(0);
    expect(loads.length).toBeGreaterThan(0);
    expect(findings.map((f) => f.code)).toContain('operation-operationId');
    expect(loads.filter((f) => f.includes('/node_modules/@stoplight/'))).toEqual([]);
  });
});
