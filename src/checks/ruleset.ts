/**
 * The ruleset a lint runs: the built-ins (gitway:oas + gitway:manifests) when the repository has
 * none, else the team's Spectral-format ruleset (YAML, JSON or JS) with `extends` (built-ins,
 * relative files, npm packages installed in the repository), overrides, aliases and custom
 * functions. Never the network: a remote `extends` or `$ref` is refused before anything loads.
 */
import { promises as fsp } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ruleset } from '@stoplight/spectral-core';
import { GitwayError, ExitCode } from '../errors.js';
import { blobId, type Tree } from '../workspace/tree.js';
import { cachePureFunctions } from './function-cache.js';
import { preferModernNimma } from './spectral-nimma.js';

export const BUILTIN_RULESETS: Record<string, string> = {
  'gitway:oas': fileURLToPath(new URL('../../rules/gitway-oas.js', import.meta.url)),
  'gitway:manifests': fileURLToPath(new URL('../../rules/gitway-manifests.js', import.meta.url)),
};

export const DEFAULT_RULESET_FILES = ['rules/ruleset.yaml', 'rules/ruleset.yml', 'rules/ruleset.json', 'rules/ruleset.js', 'rules/ruleset.mjs', '.spectral.yaml', '.spectral.yml', '.spectral.json'];

/** A ruleset that cannot be loaded: exit 3, naming the file (and rule when known). */
export class RulesetError extends GitwayError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { exitCode: ExitCode.badInput, hint, cause });
  }
}

/**
 * What a lint needs of its ruleset on the main thread: where it comes from, and how a worker
 * thread loads it. Preparing never evaluates the ruleset (never loads spectral-core): when the
 * lint runs on worker threads, only they load it.
 */
export interface PreparedRuleset {
  /** "built-in (gitway:oas, gitway:manifests)" or the file's path relative to the root. */
  source: string;
  /** How a worker thread loads the same ruleset: the built-ins by name, or the bundled code. */
  recipe: RulesetRecipe;
}

export interface LoadedRuleset extends PreparedRuleset {
  ruleset: Ruleset;
}

/** `root` (for bundles) is the folder the ruleset's path is relative to, for messages. */
export type RulesetRecipe = { kind: 'builtin'; names: (keyof typeof BUILTIN_RULESETS)[] } | { kind: 'bundle'; code: string; file: string; source: string; root?: string };

const LOAD_HINT = 'Fix the ruleset (Spectral format: https://docs.stoplight.io/docs/spectral/); `gitway rules test` runs the test cases written beside a rule.';

const DEFAULT_BUILTINS: RulesetRecipe & { kind: 'builtin' } = { kind: 'builtin', names: ['gitway:oas', 'gitway:manifests'] };

/**
 * What a lint result depends on besides the documents: the ruleset (the built-ins by name, a
 * bundle by its code), gitway's built-in rules (they change between builds), and the versions of
 * the Spectral packages that evaluate it (an `npm update` within gitway's ranges can change
 * findings). The result cache's key for lint results.
 */
export async function rulesetIdentity(recipe: RulesetRecipe, rulesDir = fileURLToPath(new URL('../../rules/', import.meta.url))): Promise<string> {
  const { createHash } = await import('node:crypto');
  const hash = createHash('sha256').update(recipe.kind === 'builtin' ? `builtin\u0000${recipe.names.join(',')}` : `bundle\u0000${recipe.code}`);
  const files = (await fsp.readdir(rulesDir, { recursive: true })).filter((f) => f.endsWith('.js')).sort();
  for (const f of files) hash.update(`\u0000${f}\u0000`).update(await fsp.readFile(path.join(rulesDir, f)));
  const req = createRequire(import.meta.url);
  for (const name of ['@stoplight/spectral-core', '@stoplight/spectral-functions', '@stoplight/spectral-rulesets', '@stoplight/spectral-parsers', '@stoplight/spectral-formats', 'nimma']) {
    hash.update(`\u0000${name}@${await packageVersion(req.resolve(name), name)}`);
  }
  if (recipe.kind === 'bundle') {
    // the packages a bundle requires, resolved as evaluateBundle resolves them (a repository's own
    // node_modules first): an update of one changes what the ruleset does
    const from = createRequire(recipe.file);
    const paths = [path.dirname(recipe.file), path.dirname(fileURLToPath(import.meta.url))];
    const names = [...new Set([...recipe.code.matchAll(/\brequire\((['"])([^'"]+)\1\)/g)].map((m) => m[2]))].sort();
    for (const id of names) {
      const name = id.startsWith('@') ? id.split('/').slice(0, 2).join('/') : id.split('/')[0];
      let where = '';
      try {
        const entry = from.resolve(id, { paths });
        where = `${entry}@${await packageVersion(entry, name)}`;
      } catch {
        where = '(not found)';
      }
      hash.update(`\u0000${id}=${where}`);
    }
  }
  return hash.digest('hex');
}

/** The version in the package.json of the package `name` that holds the file `entry`. */
async function packageVersion(entry: string, name: string): Promise<string> {
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(await fsp.readFile(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version ?? '';
    } catch {
      // not this folder
    }
  }
  return '';
}

/** The built-in rulesets, not loaded yet (see PreparedRuleset). */
export function builtinPrepared(names: RulesetRecipe & { kind: 'builtin' } = DEFAULT_BUILTINS): PreparedRuleset {
  return { source: `built-in (${names.names.join(', ')})`, recipe: names };
}

export async function builtinRuleset(names: RulesetRecipe & { kind: 'builtin' } = DEFAULT_BUILTINS): Promise<LoadedRuleset> {
  preferModernNimma();
  const { default: core } = await import('@stoplight/spectral-core');
  const members = await Promise.all(names.names.map((n) => import(BUILTIN_RULESETS[n])));
  const ruleset = new core.Ruleset({ extends: members.map((m) => m.default) } as never, { severity: 'recommended', source: 'gitway:builtin' });
  cachePureFunctions(ruleset as never);
  return { ruleset, ...builtinPrepared(names) };
}

/**
 * Loads a ruleset from its recipe (in a worker thread, or on the main thread when the lint runs
 * there). A bundle that cannot be evaluated (an unknown function, an invalid rule) is a
 * RulesetError naming the file, the same wherever it is loaded.
 */
export async function loadRecipe(recipe: RulesetRecipe): Promise<LoadedRuleset> {
  if (recipe.kind === 'builtin') return builtinRuleset(recipe);
  try {
    preferModernNimma();
    const { default: core } = await import('@stoplight/spectral-core');
    const ruleset = new core.Ruleset(evaluateBundle(recipe.code, recipe.file) as never, { severity: 'recommended', source: recipe.file });
    cachePureFunctions(ruleset as never);
    return { ruleset, source: recipe.source, recipe };
  } catch (err) {
    throw new RulesetError(`ruleset ${recipe.source} cannot be loaded: ${describeRulesetError(err, recipe.root ?? path.dirname(recipe.file))}`, LOAD_HINT, err);
  }
}

/** Loads a ruleset file (prepares it, then evaluates it on this thread). */
export async function loadRulesetFile(root: string, file: string, tree?: Tree, options: { cache?: boolean } = {}): Promise<LoadedRuleset> {
  return loadRecipe((await prepareRulesetFile(root, file, tree, options)).recipe);
}

/**
 * Prepares a ruleset file: refuses remote `extends`, then bundles it to code a worker evaluates.
 * `tree` serves files under `root` (so --staged and --rev lint with the rules as they are there);
 * anything else (the built-ins, npm packages) is read from disk. The bundle (Spectral's migration +
 * rollup, about 0.25 s) is cached under .gitway/cache, keyed by the content of every file it was
 * made from.
 */
export async function prepareRulesetFile(root: string, file: string, tree?: Tree, options: { cache?: boolean; quick?: boolean } = {}): Promise<PreparedRuleset> {
  const abs = path.resolve(root, file);
  const rel = path.relative(root, abs).split(path.sep).join('/');
  const inTree = (p: string) => tree !== undefined && !path.relative(root, p).startsWith('..') && !path.isAbsolute(path.relative(root, p));
  const readText = async (p: string): Promise<string> => (inTree(p) ? (await tree!.read(path.relative(root, p).split(path.sep).join('/'))).toString('utf8') : fsp.readFile(p, 'utf8'));

  await refuseRemote(abs, readText, new Set(), (p) => path.relative(root, p).split(path.sep).join('/') || p);
  // a ruleset that only extends Spectral's own rulesets (and sets severities) bundles to known code
  const quick = options.quick !== false && /\.(ya?ml|json)$/i.test(abs) ? await quickBundle(await readText(abs)) : undefined;
  if (quick !== undefined) return { source: rel, recipe: { kind: 'bundle', code: quick, file: abs, source: rel, root } };

  const { ResultCache } = await import('../cache.js');
  const cache = new ResultCache<string>(root, 'rulesets', 'bundle', options.cache !== false);
  let code = await cache.get(abs, async (p) => blobId(await readText(p)));
  if (code === undefined) {
    const read = new Map<string, string>();
    code = await bundleToCode(abs, rel, async (p) => {
      const text = await readText(p);
      read.set(p, text);
      return text;
    });
    await cache.set(abs, new Map([...read].map(([p, text]) => [p, blobId(text)])), code);
  }
  return { source: rel, recipe: { kind: 'bundle', code, file: abs, source: rel, root } };
}

const SPECTRAL_RULESETS: Record<string, string> = { 'spectral:oas': 'oas', 'spectral:asyncapi': 'asyncapi', 'spectral:arazzo': 'arazzo' };
const SEVERITY_WORDS = new Set(['error', 'warn', 'info', 'hint', 'off']);

/**
 * The bundle of a YAML/JSON ruleset made only of `extends` (Spectral's own rulesets, each maybe
 * with a severity) and `rules` set to severities (`info-contact: off`), or undefined for any other
 * ruleset. Byte for byte what Spectral's migrator and rollup (bundleToCode) make of it, without
 * loading them (about 0.7 s of a `lint FILE --ruleset R` run); test/checks/ruleset-quick.test.ts
 * compares the two on every form accepted here.
 */
export async function quickBundle(text: string): Promise<string | undefined> {
  const YAML = await import('yaml');
  const doc = YAML.parseDocument(text, { prettyErrors: false });
  if (doc.errors.length || doc.warnings.length || !YAML.isMap(doc.contents)) return undefined;
  const ref = (node: unknown) => (YAML.isScalar(node) && typeof node.value === 'string' && node.value in SPECTRAL_RULESETS ? `spectralRulesets.${SPECTRAL_RULESETS[node.value]}` : undefined);
  const entries: string[] = [];
  const seen = new Set<string>();
  for (const pair of doc.contents.items) {
    const key = YAML.isScalar(pair.key) ? pair.key.value : undefined;
    if ((key !== 'extends' && key !== 'rules') || seen.has(key)) return undefined;
    seen.add(key);
    if (key === 'extends') {
      let value: string | undefined;
      if (YAML.isSeq(pair.value)) {
        const items = pair.value.items.map((item) => {
          if (!YAML.isSeq(item)) return ref(item);
          const [name, severity, ...rest] = item.items;
          const level = YAML.isScalar(severity) ? severity.value : undefined;
          const target = ref(name);
          return target && rest.length === 0 && typeof level === 'string' && ['recommended', 'all', 'off'].includes(level) ? `[${target}, ${JSON.stringify(level)}]` : undefined;
        });
        if (items.length && items.every((i) => i !== undefined)) value = `[${items.join(', ')}]`;
      } else value = ref(pair.value);
      if (value === undefined) return undefined;
      entries.push(`  "extends": ${value}`);
    } else {
      if (!YAML.isMap(pair.value) || pair.value.items.length === 0) return undefined;
      const rules: string[] = [];
      for (const rule of pair.value.items) {
        const name = YAML.isScalar(rule.key) ? rule.key.value : undefined;
        const v = rule.value;
        if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(name) || !YAML.isScalar(v)) return undefined;
        const ok = typeof v.value === 'boolean' ? v.source === String(v.value) : typeof v.value === 'string' && SEVERITY_WORDS.has(v.value);
        if (!ok) return undefined;
        rules.push(`    ${JSON.stringify(name)}: ${JSON.stringify(v.value)}`);
      }
      entries.push(`  "rules": {\n${rules.join(',\n')}\n  }`);
    }
  }
  if (!seen.has('extends')) return undefined;
  return `'use strict';\n\nvar spectralRulesets = require('@stoplight/spectral-rulesets');\n\nvar _spectral = {\n${entries.join(',\n')}\n};\n\nmodule.exports = _spectral;\n`;
}

const builtinPattern = new RegExp(`(["']?)(${Object.keys(BUILTIN_RULESETS).join('|')})\\1`, 'g');

/** Spectral's own path (migrate a YAML/JSON ruleset to a module, bundle it with rollup) to CommonJS code. */
async function bundleToCode(abs: string, rel: string, readText: (p: string) => Promise<string>): Promise<string> {
  const fs = {
    promises: {
      readFile: (async (p: string | URL | { toString(): string }) => {
        const target = typeof p === 'string' ? p : p instanceof URL ? fileURLToPath(p) : String(p);
        const text = await readText(target);
        // gitway's built-in rulesets are named like spectral's (`extends: gitway:oas`): point at their files
        return /\.(ya?ml|json)$/i.test(target) ? text.replace(builtinPattern, (_m, _q, name: string) => JSON.stringify(BUILTIN_RULESETS[name])) : text;
      }) as unknown as typeof fsp.readFile,
    },
  };
  const fetch = (async (url: string) => {
    throw new RulesetError(`ruleset ${rel} needs ${url} from the network; gitway never fetches rules`, 'Download the file into the repository (vendor it) and refer to it by a relative path.');
  }) as never;
  const [{ migrateRuleset }, { bundleRuleset }, { stdin }, { virtualFs }, { node }] = await Promise.all([
    import('@stoplight/spectral-ruleset-migrator'),
    import('@stoplight/spectral-ruleset-bundler'),
    import('@stoplight/spectral-ruleset-bundler/plugins/stdin'),
    import('@stoplight/spectral-ruleset-bundler/plugins/virtualFs'),
    import('@stoplight/spectral-ruleset-bundler/presets/node'),
  ]);
  const io = { fs, fetch };
  try {
    const plugins = [virtualFs(io as never), ...node(io as never)];
    if (/\.(ya?ml|json)$/i.test(abs)) {
      const migrated = await migrateRuleset(abs, { format: 'esm', fs: fs as never, fetch });
      const entry = path.join(path.dirname(abs), '.spectral.js');
      return await bundleRuleset(entry, { target: 'node', format: 'commonjs', plugins: [stdin(migrated, entry), ...plugins] });
    }
    return await bundleRuleset(abs, { target: 'node', format: 'commonjs', plugins });
  } catch (err) {
    if (err instanceof GitwayError) throw err;
    throw new RulesetError(`ruleset ${rel} cannot be loaded: ${describeRulesetError(err, path.dirname(abs))}`, LOAD_HINT, err);
  }
}

/** Runs bundled CommonJS code as Spectral's loader does; spectral's own packages resolve from gitway's install. */
function evaluateBundle(code: string, file: string): unknown {
  const req = createRequire(file);
  const paths = [path.dirname(file), path.dirname(fileURLToPath(import.meta.url))];
  const m: { exports?: unknown } = {};
  const requireFrom = (id: string) => req(req.resolve(id, { paths }));
  Function('module, require', code)(m, requireFrom);
  if (typeof m.exports !== 'object' || m.exports === null) throw new Error('the ruleset exports nothing');
  return m.exports;
}

function describeRulesetError(err: unknown, root: string): string {
  const e = err as Error & { errors?: (Error & { path?: (string | number)[] })[] };
  const parts = Array.isArray(e.errors) && e.errors.length ? e.errors.map((x) => `${x.path?.length ? `${x.path.join('.')}: ` : ''}${x.message}`) : [e.message ?? String(err)];
  return parts
    .map((m) => m.split('\n')[0])
    .join('; ')
    .split(root + path.sep)
    .join('');
}

/** Walks `extends` (and `$ref`s) of YAML/JSON rulesets, refusing any that points to the network. */
async function refuseRemote(file: string, readText: (p: string) => Promise<string>, seen: Set<string>, show: (p: string) => string): Promise<void> {
  if (seen.has(file) || !/\.(ya?ml|json)$/i.test(file)) return;
  seen.add(file);
  let text: string;
  try {
    text = await readText(file);
  } catch (err) {
    throw new RulesetError(`ruleset ${show(file)} cannot be read: ${(err as Error).message}`);
  }
  let value: unknown;
  const yaml = await import('yaml');
  const lines = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { prettyErrors: false, lineCounter: lines });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const pos = lines.linePos(e.pos[0]);
    const at = { line: pos.line, col: pos.col };
    throw new RulesetError(`ruleset ${show(file)}${at ? `:${at.line}:${at.col}` : ''} is not valid YAML or JSON: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  value = doc.toJS();
  const targets: string[] = [];
  const collect = (v: unknown, key?: string) => {
    if (typeof v === 'string' && (key === 'extends' || key === '$ref')) targets.push(v);
    else if (Array.isArray(v)) v.forEach((x) => collect(Array.isArray(x) ? x[0] : x, key === 'extends' ? 'extends' : undefined));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) collect(x, k);
  };
  collect(value);
  for (const t of targets) {
    if (/^https?:\/\//i.test(t)) {
      throw new RulesetError(`ruleset ${show(file)} extends ${t}, which is on the network; gitway never fetches rules`, 'Download that ruleset into the repository (vendor it, e.g. rules/vendor/) and extend the local copy by its relative path.');
    }
    // a local file: walk into it when it exists (a missing $ref target is Spectral's to report, as it does)
    if (t.startsWith('.') || t.startsWith('/')) {
      const next = path.resolve(path.dirname(file), t.split('#')[0]);
      const readable = await readText(next).then(
        () => true,
        () => false,
      );
      if (readable) await refuseRemote(next, readText, seen, show);
    }
  }
}
