/**
 * Real rulesets, written for Spectral (and for decK's lint), load and run in `gitway lint FILE…
 * --ruleset R`, and give the findings their projects expect: adidas' guidelines, the Italian
 * government's ModI security rules (against the Spectral output their repository keeps), and decK's
 * lint rulesets (against decK's expected outputs). Where gitway cannot give the same output, the test
 * pins down the difference and its cause.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { gitway, tempRepo } from '../helpers/cli.js';
import { corpus, gitwayLint, keys, rulesets, spectralLint, type Result } from './helpers.js';

const G = (r: Result) => `${r.file} ${r.code} ${r.severity} ${r.path} @${r.line}:${r.column} ${r.message}`;

describe('adidas API guidelines (rulesets/adidas)', () => {
  // adidas-spectral.yaml $refs supermodel/adidas/api/HAL.yaml and ProblemDetail.yaml (schemas of
  // adidas' repository, not in the corpus). Spectral CLI loads the ruleset anyway and only a rule
  // that uses them would fail. gitway's offline check (refuseRemote) walks only local targets that exist.
  it('adidas-spectral.yaml loads in place although the schemas it $refs are missing (as in Spectral)', () => {
    const cwd = tempRepo({});
    try {
      const r = gitwayLint([path.join(corpus, 'oas/placekit.co.json')], path.join(rulesets, 'adidas/adidas-spectral.yaml'), cwd.dir);
      expect(r.stderr).toBe('');
      expect(r.results.some((f) => f.code.startsWith('adidas-'))).toBe(true);
    } finally {
      cwd.cleanup();
    }
  });

  it('runs its own rules and [spectral:oas, all] on corpus documents (2.0 JSON, 3.0 YAML, 3.1 JSON)', () => {
    const text = readFileSync(path.join(rulesets, 'adidas/adidas-spectral.yaml'), 'utf8');
    const repo = tempRepo({ 'adidas-spectral.yaml': text, 'supermodel/adidas/api/HAL.yaml': 'type: object\n', 'supermodel/adidas/api/ProblemDetail.yaml': 'type: object\n' });
    try {
      const docs = ['nytimes.com__article_search__1.0.0.json', 'twilio.com__twilio_sync_v1.yaml', 'placekit.co.json'].map((d) => path.join(corpus, 'oas', d));
      const r = gitwayLint(docs, 'adidas-spectral.yaml', repo.dir);
      expect(r.status).toBe(0);
      const codes = keys(r.results, (f) => f.code);
      // adidas' own rules (pattern, casing, enumeration, schema functions) and rules that only the
      // `all` severity of spectral:oas turns on
      for (const code of ['adidas-paths-kebab-case', 'adidas-definitions-camelCase-alphanumeric', 'adidas-oas2-protocol-https-only', 'adidas-oas3-response-success-OK', 'info-license', 'contact-properties']) expect(codes).toContain(code);
      // its overrides: operation-tags and operation-operationId are off
      expect(codes).not.toContain('operation-tags');
      expect(codes).not.toContain('operation-operationId');
      expect(r.results.find((f) => f.code === 'adidas-oas2-protocol-https-only')).toMatchObject({ file: 'nytimes.com__article_search__1.0.0.json', severity: 'error', path: 'schemes', line: 3 });
    } finally {
      repo.cleanup();
    }
  }, 120_000);
});

describe('SchwarzIT rulesets (rulesets/schwarzit): remote extends', () => {
  it.each(['spectral-api.yml', 'spectral-bff.yml', 'spectral-legacy.yml'])('%s is refused at once, offline, naming the URL (exit 3)', (file) => {
    const cwd = tempRepo({});
    try {
      const started = Date.now();
      const r = gitway(['lint', path.join(corpus, 'oas/placekit.co.json'), '--ruleset', path.join(rulesets, 'schwarzit', file)], { cwd: cwd.dir });
      expect(r.status).toBe(3);
      expect(r.stderr).toContain('extends https://github.com/SchwarzIT/api-linter-rules/releases/download/latest/openapi.js, which is on the network; gitway never fetches rules');
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      cwd.cleanup();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Italian ModI rules (rulesets/italia-api-oas-checker)

const italia = path.join(rulesets, 'italia-api-oas-checker');

/**
 * What their builder.py does for the published spectral-security.yml: load each YAML fragment of
 * the folders (merge keys resolved, aliases expanded), merge them in file-name order (maps merged
 * deeply, lists concatenated, anything else replaced), and write the result after the template
 * (which holds `extends: spectral:oas`).
 */
function buildRuleset(folders: string[], skip: string[] = []): string {
  const merge = (a: Record<string, unknown>, b: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(b)) {
      const old = a[k];
      if (old && typeof old === 'object' && !Array.isArray(old) && v && typeof v === 'object' && !Array.isArray(v)) merge(old as Record<string, unknown>, v as Record<string, unknown>);
      else if (Array.isArray(old) && Array.isArray(v)) old.push(...v);
      else a[k] = v;
    }
    return a;
  };
  const files = folders.flatMap((f) => readdirSync(path.join(italia, f)).filter((n) => /\.ya?ml$/i.test(n) && !skip.includes(`${f}/${n}`)).map((n) => path.join(italia, f, n))).sort();
  let merged: Record<string, unknown> = {};
  for (const file of files) {
    const value = YAML.parse(readFileSync(file, 'utf8'), { merge: true }) as Record<string, unknown> | null;
    if (value) merged = merge(merged, value);
  }
  const template = readFileSync(path.join(italia, 'rules/rules-template.yml.template'), 'utf8');
  return `${template}\n${YAML.stringify(merged, { aliasDuplicateObjects: false, lineWidth: 0 })}`;
}

interface SnapshotLine {
  line: number;
  column: number;
  severity: string;
  code: string;
  message: string;
  path: string;
}

/** The findings of a Spectral stylish-format snapshot (`  4:20  warning  rule  message  path`). */
function parseSnapshot(text: string): Map<string, SnapshotLine[]> {
  const byFile = new Map<string, SnapshotLine[]>();
  let file = '';
  const severities: Record<string, string> = { error: 'error', warning: 'warn', information: 'info', hint: 'hint' };
  for (const line of text.split('\n')) {
    if (line.startsWith('/')) file = path.basename(line.trim());
    const m = /^\s*(\d+):(\d+)\s+(error|warning|information|hint)\s+(\S+)\s+(.*?)\s{2,}(\S+)$/.exec(line);
    if (m) byFile.set(file, [...(byFile.get(file) ?? []), { line: Number(m[1]), column: Number(m[2]), severity: severities[m[3]], code: m[4], message: m[5], path: m[6] }]);
  }
  return byFile;
}

/** A JSON path as Spectral's stylish output prints it: `paths./x.parameters[0].schema`. */
const stylishPath = (dotted: string) => dotted.split('.').reduce((out, seg) => (/^\d+$/.test(seg) ? `${out}[${seg}]` : out ? `${out}.${seg}` : seg), '');

/**
 * The snapshots were written by Spectral 5 (their first line, "OpenAPI 3.x detected", is Spectral 5's);
 * gitway runs Spectral 6's engine. Spectral 6 changed the core functions' messages: this turns a
 * Spectral 6 message back into its Spectral 5 wording, nothing else.
 */
function spectral5Wording(message: string): string {
  return message
    .replace(/"([^"]*)" property must be defined/g, '`$1` property should be defined')
    .replace(/"([^"]*)" property must be truthy/g, '`$1` property is not truthy')
    .replace(/"[^"]*" must (not )?match the pattern "([^"]*)"/g, "must $1match the pattern '$2'")
    .replace(/%2B/g, '+');
}

describe('Italian ModI security rules (rulesets/italia-api-oas-checker), against their Spectral snapshots', () => {
  const tests = path.join(italia, 'security/tests');
  const cases = readdirSync(tests)
    .filter((n) => n.endsWith('-test.snapshot') && readFileSync(path.join(tests, n), 'utf8').trim() !== '')
    .map((n) => n.replace(/\.snapshot$/, ''))
    .filter((n) => n !== 'security-test'); // needs security/functions/checkSecurity.js: see below
  let repo: ReturnType<typeof tempRepo>;
  let results: Result[];
  let spectral: Result[];

  beforeAll(() => {
    // spectral-security.yml as builder.py assembles it, without security.yml (its custom function
    // checkSecurity.js is not in the corpus)
    repo = tempRepo({ 'spectral-security.yml': buildRuleset(['security'], ['security/security.yml']) });
    const docs = cases.map((c) => path.join(tests, `${c}.yml`));
    const r = gitwayLint(docs, 'spectral-security.yml', repo.dir);
    expect(r.stderr).toBe('');
    results = r.results;
    spectral = spectralLint(docs, 'spectral-security.yml', repo.dir);
  }, 120_000);
  afterAll(() => repo.cleanup());

  it('covers the six snapshots that can run', () => {
    expect(cases.sort()).toEqual(['array-test', 'numbers-test', 'objects-test', 'securitySchemes-test', 'securitySchemes_insecure-test', 'string-test']);
  });

  it('gives exactly what Spectral CLI 6 gives with the same assembled ruleset (spectral:oas included)', () => {
    expect(results.filter((r) => r.code.startsWith('sec-')).length).toBeGreaterThan(20);
    expect(keys(results, G)).toEqual(keys(spectral, G));
    expect(results.length).toBe(spectral.length);
  });

  // Spectral 5 merged results with the same rule and path (its fingerprint had no message); Spectral
  // 6 keeps one per message, so where a rule's `then` has two fields (maxItems and minItems) gitway,
  // like Spectral 6, may report more than one message at a place where the snapshot has one.
  it.each(['array-test', 'numbers-test', 'objects-test', 'securitySchemes-test', 'securitySchemes_insecure-test', 'string-test'])('%s: the same rules at the same places with the same severities and messages', (name) => {
    const expected = parseSnapshot(readFileSync(path.join(tests, `${name}.snapshot`), 'utf8')).get(`${name}.yml`) ?? [];
    expect(expected.length).toBeGreaterThan(0);
    // each snapshot holds the findings of its own fragment's rules only (security/array.yml for array-test)
    const fragment = YAML.parse(readFileSync(path.join(italia, 'security', `${name.replace(/-test$/, '')}.yml`), 'utf8'), { merge: true }) as { rules: Record<string, unknown> };
    const ours = results.filter((r) => r.file === `${name}.yml` && r.code in fragment.rules);
    const place = (x: { code: string; path: string; severity: string; line: number; column: number }) => `${x.code} ${x.path} ${x.severity} ${x.line}:${x.column}`;
    expect([...new Set(ours.map((r) => place({ ...r, path: stylishPath(r.path) })))].sort()).toEqual([...new Set(expected.map(place))].sort());
    for (const e of expected) {
      const messages = ours.filter((r) => place({ ...r, path: stylishPath(r.path) }) === place(e)).map((r) => spectral5Wording(r.message));
      expect(messages).toContain(e.message);
    }
  });

  it('security.yml: its custom function is missing from the corpus, so the ruleset is refused clearly (exit 3), as Spectral refuses it', () => {
    const r = gitway(['lint', path.join(tests, 'security-test.yml'), '--ruleset', path.join(italia, 'security/security.yml')], { cwd: repo.dir });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('functions/checkSecurity.js');
    expect(existsSync(path.join(italia, 'security/functions/checkSecurity.js'))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// decK's lint rulesets (rulesets/deck-lint): decK lints with vacuum (a Go implementation of
// Spectral), so its messages and some positions are vacuum's, not Spectral's.

const deck = path.join(rulesets, 'deck-lint');

interface DeckExpected {
  fail_count: number;
  total_count: number;
  results: { Line: number; Column: number; Message: string; Path: string; Severity: string }[];
}

function deckExpected(file: string): DeckExpected {
  const text = readFileSync(path.join(deck, file), 'utf8');
  return (file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text)) as DeckExpected;
}

const rank: Record<string, number> = { error: 0, warn: 1, info: 2, hint: 3 };
const failCount = (results: Result[], failSeverity: string) => results.filter((r) => rank[r.severity] <= rank[failSeverity]).length;

describe("decK's lint rulesets (rulesets/deck-lint), against decK's expected outputs", () => {
  let cwd: ReturnType<typeof tempRepo>;
  beforeAll(() => {
    cwd = tempRepo({});
  });
  afterAll(() => cwd.cleanup());
  const lint = (input: string, ruleset: string, extra: string[] = []) => {
    const r = gitwayLint([path.join(deck, input)], path.join(deck, ruleset), cwd.dir, extra);
    expect(r.stderr).toBe('');
    return r.results;
  };

  // decK's Path is the rule's `given`; gitway reports the node it selected
  const selected: Record<string, string> = { '$._format_version': '_format_version', '$.services[*].protocol': 'services.0.protocol' };

  it.each(['expected.yaml', 'expected.json'])('001-simple-lint/kong.yaml with ruleset.yaml: %s', (file) => {
    const expected = deckExpected(`001-simple-lint/${file}`);
    const ours = lint('001-simple-lint/kong.yaml', '001-simple-lint/ruleset.yaml');
    expect(ours.length).toBe(expected.total_count);
    expect(failCount(ours, 'error')).toBe(expected.fail_count);
    const sorted = [...expected.results].sort((a, b) => a.Line - b.Line);
    expect(ours.map((r) => ({ Line: r.line, Column: r.column, Severity: r.severity, Path: r.path }))).toEqual(sorted.map((e) => ({ Line: e.Line, Column: e.Column, Severity: e.Severity, Path: selected[e.Path] })));
    // A rule without `message`: Spectral's message is the rule's description; vacuum's is the
    // description, a colon and its own wording of the function's result
    for (const [i, e] of sorted.entries()) expect(e.Message.startsWith(`${ours[i].message}: `)).toBe(true);
    expect(sorted.map((e) => e.Message.slice(e.Message.indexOf(': ') + 2))).toEqual(['`3.0` does not match the expression `^1.1$`', '`http` does not match the expression `^https`']);
  });

  it.each(['expected-fail-severity-error.yaml', 'expected-fail-severity-error.json'])('001-simple-lint, only failures at error (decK --display-only-failures, gitway --quiet): %s', (file) => {
    const expected = deckExpected(`001-simple-lint/${file}`);
    const ours = lint('001-simple-lint/kong.yaml', '001-simple-lint/ruleset.yaml', ['--quiet']);
    expect(ours.map((r) => `${r.line}:${r.column} ${r.severity} ${r.path}`)).toEqual(expected.results.map((e) => `${e.Line}:${e.Column} ${e.Severity} ${selected[e.Path]}`));
    expect(failCount(ours, 'error')).toBe(expected.fail_count);
    // and the exit code says it failed
    expect(gitway(['lint', path.join(deck, '001-simple-lint/kong.yaml'), '--ruleset', path.join(deck, '001-simple-lint/ruleset.yaml'), '--fail-on', 'error'], { cwd: cwd.dir }).status).toBe(1);
  });

  it('001-simple-lint: an empty file and a file of comments lint clean', () => {
    for (const f of ['empty.yaml', 'comments-only.yaml']) {
      const r = gitway(['lint', path.join(deck, '001-simple-lint', f), '--ruleset', path.join(deck, '001-simple-lint/ruleset.yaml')], { cwd: cwd.dir });
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('No problems found');
    }
  });

  it('002-extends/kong.yaml with [spectral:oas, off] plus its own rules: expected-recommended-off-kong.yaml', () => {
    const expected = deckExpected('002-extends/expected-recommended-off-kong.yaml');
    const ours = lint('002-extends/kong.yaml', '002-extends/ruleset-recommended-off-kong.yaml');
    expect(ours.map((r) => `${r.line}:${r.column} ${r.severity} ${r.path}`)).toEqual(expected.results.map((e) => `${e.Line}:${e.Column} ${e.Severity} ${selected[e.Path]}`));
    expect(failCount(ours, 'error')).toBe(expected.fail_count);
    expect(expected.results[0].Message.startsWith(`${ours[0].message}: `)).toBe(true);
  });

  it("002-extends/oas.yaml with [spectral:oas, recommended]: only the rules both rulesets have agree (vacuum's recommended set is not Spectral's)", () => {
    const expected = deckExpected('002-extends/expected-recommended-only.yaml');
    const ours = lint('002-extends/oas.yaml', '002-extends/ruleset-recommended-only.yaml');
    // Spectral's rule → vacuum's message for the same check; vacuum points at the key
    // (`- url`, `get`), Spectral at the value, so only the lines are comparable
    const same: Record<string, RegExp> = { 'oas3-server-trailing-slash': /^Server URL is not valid: must not have a trailing slash$/, 'operation-tags': /^tags for `GET` operation are missing$/ };
    for (const [code, message] of Object.entries(same)) {
      expect(ours.filter((r) => r.code === code).map((r) => `${r.line} ${r.severity}`)).toEqual(expected.results.filter((e) => message.test(e.Message)).map((e) => `${e.Line} ${e.Severity}`));
    }
    // vacuum-only rules (not in spectral:oas): description-duplication, paths-kebab-case
    expect(expected.results.filter((e) => !Object.values(same).some((m) => m.test(e.Message))).map((e) => e.Message)).toEqual([
      'Description at line `28` is a duplicate of line `18`',
      'path segments `internalRoute` do not use kebab-case',
      'path segments `externalRoute` do not use kebab-case',
    ]);
    // Spectral-only recommended rules on this document
    expect(keys(ours.filter((r) => !(r.code in same)), (r) => `${r.line}:${r.column} ${r.code}`)).toEqual(['13:9 operation-description', '23:9 operation-description', '2:6 info-contact']);
  });

  it('002-extends/oas.yaml with [spectral:oas, recommended] and a custom rule: the same 4 failures, each placed on its node (vacuum: its first child)', () => {
    const expected = deckExpected('002-extends/expected-recommended-plus-custom.yaml');
    const ours = lint('002-extends/oas.yaml', '002-extends/ruleset-recommended-plus-custom.yaml');
    expect(failCount(ours, 'error')).toBe(expected.fail_count);
    const custom = ours.filter((r) => r.code === 'x-visibility-truthy');
    const theirs = expected.results.filter((e) => e.Path === '$.paths.*.*').sort((a, b) => a.Line - b.Line);
    expect(custom.map((r) => r.message)).toEqual(theirs.map((e) => e.Message));
    expect(custom.map((r) => r.path)).toEqual(['paths./internalRoute.servers', 'paths./internalRoute.get', 'paths./externalRoute.servers', 'paths./externalRoute.get']);
    // Spectral's range of a block collection starts right after `key:`; vacuum's at its first entry
    expect(custom.map((r) => `${r.line}:${r.column}`)).toEqual(['11:13', '13:9', '21:13', '23:9']);
    expect(theirs.map((e) => `${e.Line}:${e.Column}`)).toEqual(['12:9', '14:7', '22:9', '24:7']);
  });
});
