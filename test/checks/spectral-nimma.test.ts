/**
 * preferModernNimma: Spectral's runner gets nimma's current build instead of its legacy
 * (Babel-transpiled) one, and the findings stay those of the legacy build. Run in child processes
 * on the built code (dist/), where `require.cache` is Node's own (not jest's module registry).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../helpers/cli.js';

const DOC = `openapi: 3.0.3
info: { title: Small, version: "1", description: x }
servers: [{ url: 'https://example.com/v1' }]
paths:
  /pets/{id}:
    get:
      parameters: [{ name: id, in: path, required: true, schema: { type: string, enum: [1, b] } }]
      responses:
        '200':
          description: ok
          content: { application/json: { schema: { type: string, example: 3 } } }
`;

/** Lints DOC with spectral:oas in a fresh process; reports the findings and which nimma build ran. */
function lintIn(modern: boolean): { findings: unknown; builds: string[] } {
  const script = `
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
const dist = (f) => pathToFileURL(${JSON.stringify(path.join(projectRoot, 'dist'))} + '/' + f).href;
if (${modern}) (await import(dist('checks/spectral-nimma.js'))).preferModernNimma();
const { default: core } = await import('@stoplight/spectral-core');
const { default: Parsers } = await import('@stoplight/spectral-parsers');
const { oas } = await import('@stoplight/spectral-rulesets');
const spectral = new core.Spectral();
spectral.setRuleset(new core.Ruleset({ extends: [oas] }, { severity: 'recommended' }));
const results = await spectral.run(new core.Document(process.env.DOC, Parsers.Yaml, '/doc.yaml'), { ignoreUnknownFormat: true });
// the file that holds the Nimma class, in whichever build was loaded
const builds = Object.keys(createRequire(import.meta.url).cache).filter((f) => f.endsWith('/nimma/dist/cjs/core/index.js') || f.endsWith('/nimma/dist/legacy/cjs/core/index.js')).map((f) => (f.includes('/legacy/') ? 'legacy' : 'cjs'));
console.log(JSON.stringify({ findings: results.map((r) => [r.code, r.path.join('.'), r.severity, r.range, r.message]), builds }));
`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: projectRoot, env: { ...process.env, DOC, NODE_OPTIONS: '' }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { findings: unknown; builds: string[] };
}

describe('preferModernNimma', () => {
  it("gives Spectral's runner nimma's current build, with the legacy build's findings", () => {
    const legacy = lintIn(false);
    const modern = lintIn(true);
    expect(legacy.builds).toEqual(['legacy']);
    expect(modern.builds).toEqual(['cjs']);
    expect((legacy.findings as unknown[]).length).toBeGreaterThan(3);
    expect(modern.findings).toEqual(legacy.findings);
  }, 60_000);
});
