/**
 * The ruleset a lint runs: the built-ins (gitway:oas + gitway:manifests) when the repository has
 * none, else the team's Spectral-format ruleset (YAML, JSON or JS) with `extends` (built-ins,
 * relative files, npm packages installed in the repository), overrides, aliases and custom
 * functions. Never the network: a remote `extends` or `$ref` is refused before anything loads.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ruleset } from '@stoplight/spectral-core';
import { GitwayError, ExitCode } from '../errors.js';
import type { Tree } from '../workspace/tree.js';

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

export interface LoadedRuleset {
  ruleset: Ruleset;
  /** "built-in (gitway:oas, gitway:manifests)" or the file's path relative to the root. */
  source: string;
}

export async function builtinRuleset(): Promise<LoadedRuleset> {
  const { default: core } = await import('@stoplight/spectral-core');
  const [oas, manifests] = await Promise.all([import(BUILTIN_RULESETS['gitway:oas']), import(BUILTIN_RULESETS['gitway:manifests'])]);
  const ruleset = new core.Ruleset({ extends: [oas.default, manifests.default] } as never, { severity: 'recommended', source: 'gitway:builtin' });
  return { ruleset, source: 'built-in (gitway:oas, gitway:manifests)' };
}

/**
 * Loads a ruleset file. `tree` serves files under `root` (so --staged and --rev lint with the rules
 * as they are there); anything else (the built-ins, npm packages) is read from disk.
 */
export async function loadRulesetFile(root: string, file: string, tree?: Tree): Promise<LoadedRuleset> {
  const abs = path.resolve(root, file);
  const rel = path.relative(root, abs).split(path.sep).join('/');
  const inTree = (p: string) => tree !== undefined && !path.relative(root, p).startsWith('..') && !path.isAbsolute(path.relative(root, p));
  const readText = async (p: string): Promise<string> => (inTree(p) ? (await tree!.read(path.relative(root, p).split(path.sep).join('/'))).toString('utf8') : fsp.readFile(p, 'utf8'));

  await refuseRemote(abs, readText, new Set(), (p) => path.relative(root, p).split(path.sep).join('/') || p);

  const builtinNames = Object.keys(BUILTIN_RULESETS).join('|').replace(/:/g, ':');
  const builtinPattern = new RegExp(`(["']?)(${builtinNames})\\1`, 'g');
  const io = {
    fs: {
      promises: {
        readFile: (async (p: string | URL | { toString(): string }, _enc?: unknown) => {
          const target = typeof p === 'string' ? p : p instanceof URL ? fileURLToPath(p) : String(p);
          const text = await readText(target);
          // gitway's built-in rulesets are named like spectral's (`extends: gitway:oas`): point at their files
          return /\.(ya?ml|json)$/i.test(target) ? text.replace(builtinPattern, (_m, _q, name: string) => JSON.stringify(BUILTIN_RULESETS[name])) : text;
        }) as unknown as typeof fsp.readFile,
      },
    },
    fetch: (async (url: string) => {
      throw new RulesetError(`ruleset ${rel} needs ${url} from the network; gitway never fetches rules`, 'Download the file into the repository (vendor it) and refer to it by a relative path.');
    }) as never,
  };
  const { bundleAndLoadRuleset } = await import('@stoplight/spectral-ruleset-bundler/with-loader');
  try {
    const ruleset = await bundleAndLoadRuleset(abs, io as never);
    return { ruleset, source: rel };
  } catch (err) {
    if (err instanceof GitwayError) throw err;
    throw new RulesetError(`ruleset ${rel} cannot be loaded: ${describeRulesetError(err, root)}`, 'Fix the ruleset (Spectral format: https://docs.stoplight.io/docs/spectral/); `gitway rules test` runs the test cases written beside a rule.', err);
  }
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
    if (t.startsWith('.') || t.startsWith('/')) await refuseRemote(path.resolve(path.dirname(file), t.split('#')[0]), readText, seen, show);
  }
}
