/**
 * gitway lint FILE… gives Spectral CLI's findings: the same rules on the same JSON paths with the
 * same severities, lines and messages, for real documents of the shared corpus (small and medium;
 * the large ones are compared by bench/lint-vs-spectral.js, which takes minutes).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { tempRepo } from '../helpers/cli.js';
import { corpus, gitwayLint, keys, read, rulesets, spectralLint, unexplainedColumns, type Result } from './helpers.js';

/** Swagger 2.0, OAS 3.0 and 3.1; JSON and YAML; 335 B to 210 KB. */
const SAMPLE = [
  'azure-apiops__versioned-api-v1__specification.yaml',
  'konghq.com__plugins__ai-sanitizer__openapi.yaml',
  'yelp.com__v3__swagger.yaml',
  'konghq.com__kong-admin-api.yml',
  'healthcare.gov__1.0.0__swagger.yaml',
  'twilio.com__twilio_sync_v1.yaml',
  'apitore.com__pioneerBlogFeedsApis__0.0.1.json',
  'adyen.com__BalancePlatformReportNotification-v1.json',
  'nytimes.com__article_search__1.0.0.json',
  'nexmo.com__external-accounts.json',
  'googleapis.com__testing__v1.json',
  'adyen.com__PayoutService.json',
];

const full = (r: Result) => `${r.file} ${r.code} ${r.severity} ${r.path} @${r.line} ${r.message}`;

/** Both tools on the same copies of the documents, in one run each. */
function lintBoth(docs: string[], ruleset: { name: string; text: string; files?: Record<string, string> }) {
  const repo = tempRepo({ [ruleset.name]: ruleset.text, ...(ruleset.files ?? {}) });
  try {
    mkdirSync(path.join(repo.dir, 'docs'));
    for (const d of docs) copyFileSync(path.join(corpus, 'oas', d), path.join(repo.dir, 'docs', d));
    const files = docs.map((d) => `docs/${d}`);
    const g = gitwayLint(files, ruleset.name, repo.dir);
    expect(g.stderr).toBe('');
    expect(g.status).toBe(0);
    const s = spectralLint(files, ruleset.name, repo.dir);
    return { gitway: g.results, spectral: s, textOf: (f: string) => read(path.join(corpus, 'oas', f)) };
  } finally {
    repo.cleanup();
  }
}

function expectSame(both: ReturnType<typeof lintBoth>) {
  // the set of (rule, JSON path, severity) per document: the comparison the product promises
  expect(keys(both.gitway)).toEqual(keys(both.spectral));
  // and more: each finding once, on the same line, with the same message
  expect(both.gitway.length).toBe(both.spectral.length);
  expect(keys(both.gitway, full)).toEqual(keys(both.spectral, full));
  // columns agree except where the JSON parser puts a collection's start on its brace (see helpers)
  expect(unexplainedColumns(both.gitway, both.spectral, both.textOf)).toEqual([]);
}

describe('gitway lint FILE… --ruleset R equals spectral lint', () => {
  it('extends: spectral:oas, on 12 corpus documents (2.0, 3.0, 3.1; JSON and YAML)', () => {
    const both = lintBoth(SAMPLE, { name: 'ruleset.yaml', text: 'extends: spectral:oas\n' });
    expect(both.spectral.length).toBeGreaterThan(100); // the documents do have findings to compare
    expect(new Set(both.spectral.map((r) => r.file)).size).toBeGreaterThanOrEqual(10);
    expectSame(both);
  }, 180_000);

  it('adidas-spectral.yaml ([spectral:oas, all] and 20 rules of its own) on 4 documents', () => {
    // The ruleset $refs two schemas of adidas' repository (supermodel/…) that the corpus does not
    // hold; both tools get the same stand-ins, so the comparison is fair.
    const text = read(path.join(rulesets, 'adidas/adidas-spectral.yaml'));
    const stub = 'type: object\n';
    const docs = ['nytimes.com__article_search__1.0.0.json', 'twilio.com__twilio_sync_v1.yaml', 'adyen.com__PayoutService.json', 'yelp.com__v3__swagger.yaml'];
    const both = lintBoth(docs, { name: 'adidas-spectral.yaml', text, files: { 'supermodel/adidas/api/HAL.yaml': stub, 'supermodel/adidas/api/ProblemDetail.yaml': stub } });
    expect(both.spectral.filter((r) => r.code.startsWith('adidas-')).length).toBeGreaterThan(10);
    expectSame(both);
  }, 180_000);
});

describe('gitway lint FILE…: the known differences from spectral lint', () => {
  // src/checks/runner.ts parses `.json` files with Spectral's JSON parser; Spectral's CLI parses
  // every file with its YAML parser, whose range for a flow collection starts at the blank after
  // the colon. Same findings, same lines; the column differs by one.
  it('a JSON document: columns of object and array values are on the brace (Spectral CLI: the blank before it)', () => {
    const repo = tempRepo({ 'r.yaml': 'extends: spectral:oas\n', 'a.json': '{\n  "openapi": "3.0.3",\n  "info": {\n    "title": "t",\n    "version": "1"\n  },\n  "paths": {}\n}\n' });
    try {
      const g = gitwayLint(['a.json'], 'r.yaml', repo.dir).results.filter((r) => r.code === 'info-contact');
      const s = spectralLint(['a.json'], 'r.yaml', repo.dir).filter((r) => r.code === 'info-contact');
      expect(g.map((r) => `${r.line}:${r.column}`)).toEqual(['3:11']);
      expect(s.map((r) => `${r.line}:${r.column}`)).toEqual(['3:10']);
    } finally {
      repo.cleanup();
    }
  });

  // src/checks/runner.ts runs Spectral with ignoreUnknownFormat: true (manifests and kong.yaml are
  // not OpenAPI); Spectral's CLI runs with false, so a ruleset with formats (spectral:oas) warns.
  it('a document no rule format matches: Spectral warns unrecognized-format, gitway says nothing', () => {
    const repo = tempRepo({ 'r.yaml': 'extends: spectral:oas\nrules:\n  must-have-name: { given: $, then: { field: name, function: truthy } }\n', 'kong.yaml': '_format_version: "3.0"\nservices: []\n' });
    try {
      const g = gitwayLint(['kong.yaml'], 'r.yaml', repo.dir).results;
      const s = spectralLint(['kong.yaml'], 'r.yaml', repo.dir);
      expect(keys(s, (r) => r.code)).toEqual(['must-have-name', 'unrecognized-format']);
      expect(keys(g, (r) => r.code)).toEqual(['must-have-name']);
    } finally {
      repo.cleanup();
    }
  });
});
