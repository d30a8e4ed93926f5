/**
 * Spectral's own rule functions run once per value. On a resolved document one schema is reached by
 * many paths (see nimma-memo.ts), and Spectral calls a rule's function at each of them with the same
 * value; the findings those calls make land on the same place in the file and are merged. For the
 * functions of `@stoplight/spectral-functions` and of Spectral's OpenAPI rules that read nothing
 * but their input, their options, the document's formats and (some) the path's last key or whether
 * the path is a request's or a response's media, a call with a value already seen in this document
 * (under the same key) returns the results of the first call again, their paths moved to this
 * call's path: exactly what the function would return. Every other function (a team's own,
 * `alphabetical`, which reads the document, the OpenAPI rules that read more) is called every
 * time. Results of a call whose paths are not below its own path, and of asynchronous calls, are
 * never reused.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { emitProbe, spectralOwnWay } from './nimma-memo.js';

type Key = string | number;

interface Context {
  path: Key[];
  documentInventory: object;
}

type RuleFunction = (this: unknown, input: unknown, options: unknown, context: Context) => unknown;

interface Result {
  path?: Key[];
  [k: string]: unknown;
}

/** Results of one call: each with its path below the call's path (or none), or `null` when not reusable. */
type Stored = Array<{ result: Result; rel: Key[] | undefined }> | undefined | null;

interface LoadedRules {
  rules: Record<string, { then: Array<{ function: unknown; field?: string; functionOptions?: unknown }> }>;
}

/**
 * What a pure function's result depends on beside its input, its options and the document:
 * nothing more (`value`), the path's last key, which `schema` may name in a message (`last`), or
 * whether the path is a request's or a response's media (`media`: `oasExample` relaxes `required`
 * for `readOnly` / `writeOnly` properties there).
 */
type KeyKind = 'value' | 'last' | 'media';

/** Functions of `@stoplight/spectral-functions` that depend on nothing else. */
const PURE: Record<string, KeyKind> = {
  schema: 'last',
  pattern: 'value',
  truthy: 'value',
  falsy: 'value',
  defined: 'value',
  undefined: 'value',
  length: 'value',
  enumeration: 'value',
  casing: 'value',
  xor: 'value',
};

/**
 * Functions of `@stoplight/spectral-rulesets`' OpenAPI rules: they also read the document's formats
 * and `jsonSchemaDialect`, the same for every call in one document.
 */
const PURE_OAS: Record<string, KeyKind> = {
  oasSchema: 'last',
  typedEnum: 'value',
};

/**
 * `oasExample` tells request from response media by the path, with prefixes of its own (below):
 * taken as pure only in the versions of `@stoplight/spectral-rulesets` whose code was checked to
 * use exactly these; with another version it is called every time.
 */
const OAS_EXAMPLE_CHECKED = ['1.23.1'];
const REQUEST_MEDIA: Record<number, Key[][]> = { 2: [], 3: [['components', 'requestBodies'], ['paths', '*', '*', 'requestBody']] };
const RESPONSE_MEDIA: Record<number, Key[][]> = { 2: [['responses'], ['paths', '*', '*', 'responses']], 3: [['components', 'responses'], ['paths', '*', '*', 'responses']] };

function keyOf(kind: KeyKind, at: Key[], options: unknown): unknown {
  if (kind === 'value') return undefined;
  if (kind === 'last') return at.length > 0 ? at[at.length - 1] : undefined;
  const o = (options ?? {}) as { type?: unknown; oasVersion?: unknown };
  if (o.type !== 'media') return '';
  const under = (prefixes: Key[][] | undefined) => (prefixes ?? []).some((p) => p.every((k, i) => k === '*' || k === at[i]));
  return `${under(REQUEST_MEDIA[o.oasVersion as number]) ? 1 : 0}${under(RESPONSE_MEDIA[o.oasVersion as number]) ? 1 : 0}`;
}

type PureFunctions = Map<unknown, { kind: KeyKind; schemaOf?: (input: unknown, options: unknown) => unknown }>;
let pureFunctions: PureFunctions | undefined;

/** The pure functions of this thread's Spectral packages, found once. */
function findPureFunctions(): PureFunctions {
  const req = createRequire(import.meta.url);
  const pure: PureFunctions = new Map();
  const add = (module: string, names: Record<string, KeyKind>) => {
    let functions: Record<string, unknown>;
    try {
      functions = req(module) as Record<string, unknown>;
    } catch {
      return; // another layout: those functions are called every time
    }
    for (const [name, kind] of Object.entries(names)) if (typeof functions[name] === 'function') pure.set(functions[name], { kind, schemaOf: SCHEMA_OF[name] });
  };
  let oasExampleChecked = false;
  try {
    const version = (req('@stoplight/spectral-rulesets/package.json') as { version?: string }).version;
    oasExampleChecked = version !== undefined && OAS_EXAMPLE_CHECKED.includes(version);
  } catch {
    // not checked: called every time
  }
  add('@stoplight/spectral-functions', PURE);
  add('@stoplight/spectral-rulesets/dist/oas/functions/index.js', oasExampleChecked ? { ...PURE_OAS, oasExample: 'media' } : PURE_OAS);
  return pure;
}

/** Makes the ruleset's calls of Spectral's pure functions remember their results per document and value. */
export function cachePureFunctions(ruleset: LoadedRules): void {
  if (spectralOwnWay()) return;
  const pure = (pureFunctions ??= findPureFunctions());
  for (const rule of Object.values(ruleset.rules)) {
    const kinds: Array<{ kind: KeyKind; options: unknown }> = [];
    for (const then of rule.then) {
      // Spectral shares a rule's `then` between rulesets made from the same definition: a function
      // wrapped here before stays wrapped (once)
      const done = (then.function as { gitwayPure?: KeyKind } | undefined)?.gitwayPure;
      const found = done === undefined ? pure.get(then.function) : undefined;
      const kind = done ?? found?.kind;
      if (kind === undefined) continue;
      if (found !== undefined) then.function = remembering(then.function as RuleFunction, found.kind, found.schemaOf);
      // the media test reads the path's beginning: only where the function gets the rule's own path
      if (kind !== 'media' || then.field === undefined) kinds.push({ kind, options: then.functionOptions });
    }
    if (kinds.length === rule.then.length && kinds.length > 0) {
      pureRules.set(rule, {
        keyAt: kinds.length === 1 ? (at) => keyOf(kinds[0].kind, at, kinds[0].options) : (at) => JSON.stringify(kinds.map((k) => keyOf(k.kind, at, k.options) ?? null)),
        // `media` reads the path's beginning, above a shared subtree: such a match is always replayed
        local: kinds.every((k) => k.kind !== 'media'),
      });
    }
  }
}

/**
 * Rules whose every function is one of the pure ones, with what besides a value their findings
 * depend on, and whether that is read below the match only (the key of `value` and `last`).
 */
const pureRules = new WeakMap<object, { keyAt: (at: Key[]) => unknown; local: boolean }>();

/** The schema a pure function compiles (see dependsOnRegistry). */
const SCHEMA_OF: Record<string, (input: unknown, options: unknown) => unknown> = {
  schema: (_i, o) => (o as { schema?: unknown } | null)?.schema,
  oasSchema: (_i, o) => (o as { schema?: unknown } | null)?.schema,
  oasExample: (i, o) => {
    const field = (o as { schemaField?: unknown } | null)?.schemaField;
    return field === '$' ? i : i !== null && typeof i === 'object' && typeof field === 'string' ? (i as Record<string, unknown>)[field] : undefined;
  },
};

interface LintContext {
  documentInventory: object;
  results: unknown[];
  promises: unknown[];
}

/**
 * Spectral's `lintNode` (one rule at one match) skips a rule of pure functions at a value it found
 * nothing on already in this document (under the same last key, when a function reads it): it would
 * find nothing again. Installed on the spectral-core whose entry is `spectralCoreIndex`; idempotent,
 * never throws (on another layout every call runs).
 */
export function installRepeatSkip(spectralCoreIndex: string): void {
  replaceExport<LintNode>(spectralCoreIndex, ['runner', 'lintNode.js'], 'lintNode', (original) => {
    const empty = new WeakMap<object, WeakMap<object, Map<unknown, Set<unknown>>>>();
    return (context, node, rule) => {
      emitProbe.calls++;
      const pureRule = pureRules.get(rule);
      if (pureRule === undefined || context === null || typeof context !== 'object' || typeof context.documentInventory !== 'object' || !Array.isArray(context.results) || !Array.isArray(context.promises)) {
        emitProbe.dirty = true;
        return original(context, node, rule);
      }
      let rules = empty.get(context.documentInventory);
      if (rules === undefined) empty.set(context.documentInventory, (rules = new WeakMap()));
      let keys = rules.get(rule);
      if (keys === undefined) rules.set(rule, (keys = new Map()));
      const key = pureRule.keyAt(node.path);
      let values = keys.get(key);
      if (values === undefined) keys.set(key, (values = new Set()));
      if (values.has(node.value)) {
        if (!pureRule.local) emitProbe.dirty = true;
        return;
      }
      const results = context.results.length;
      const promises = context.promises.length;
      const before = emitProbe.dirty;
      emitProbe.dirty = true; // until it returns having found nothing
      unrepeatable = false;
      original(context, node, rule);
      if (!unrepeatable && context.results.length === results && context.promises.length === promises) {
        values.add(node.value);
        if (pureRule.local) emitProbe.dirty = before;
      }
    };
  });
}

/**
 * Spectral's `schema` function compiles each schema object once per document, remembered by the
 * object. `oasExample` (the example rules) hands it a fresh deep copy of the schema at every call,
 * so the same schema is compiled again at every example: 7.7 s of DigitalOcean's 13 s. This makes
 * the compiler of each document (per dialect and error mode, as Spectral keeps them) remember
 * validators by the schema's content as well: the same JSON compiles to the same validator.
 * Schemas with an `$id` or draft-04 `id` (ajv registers them by it, and reports a second one), with a
 * `$ref` beyond themselves (resolved by what is registered at the time) and schemas that are not
 * plain JSON data are compiled as before.
 */
export function installCompileCache(spectralFunctionsIndex: string): void {
  const unoptimized = compileUnoptimized(spectralFunctionsIndex);
  replaceExport<CreateAjvInstances>(spectralFunctionsIndex, ['schema', 'ajv.js'], 'createAjvInstances', (original) => () => {
    const assign = unoptimized(original());
    const validators = new Map<string, unknown>();
    return (schema, dialect, allErrors) => {
      // a schema with an id is registered by it (a second one is an error Spectral reports); one that
      // refers to another file or id compiles by what is registered at the time
      if (schema === null || typeof schema !== 'object' || dependsOnRegistry(schema)) return assign(schema, dialect, allErrors);
      const json = contentKey(schema);
      if (json === undefined) return assign(schema, dialect, allErrors);
      const key = `${String(dialect)}\u0000${allErrors ? 1 : 0}\u0000${json}`;
      let validator = validators.get(key);
      if (validator === undefined) {
        validator = assign(schema, dialect, allErrors);
        validators.set(key, validator);
      }
      return validator;
    };
  });
}

/**
 * ajv rewrites the code it generates for each schema before compiling it (its `code.optimize`
 * pass: names used once inlined, unused ones dropped). The validator behaves the same either way
 * (same verdicts, same errors); on a document with many example schemas the pass costs more than
 * it saves (DigitalOcean: about 0.3 s). This turns it off for the ajv instances of Spectral's
 * `schema` function only: the compiler of its copy of ajv reads the option at each compile, and
 * the instance's options are set when one of its compiles starts inside `assign`. Returns `assign`
 * wrapped; on a layout it does not know, `assign` as it is.
 */
function compileUnoptimized(spectralFunctionsIndex: string): (assign: Assign) => Assign {
  if (spectralOwnWay()) return (assign) => assign;
  let inside = 0;
  try {
    const fromAjvJs = createRequire(path.join(path.dirname(spectralFunctionsIndex), 'schema', 'ajv.js'));
    const core = fromAjvJs('ajv/dist/core.js') as { default: { prototype: Record<string, unknown> } };
    const proto = core.default.prototype as { _compileSchemaEnv?: ((this: AjvLike, sch: unknown) => unknown) & { [REPLACED]?: true }; [k: string]: unknown };
    const compile = proto._compileSchemaEnv;
    if (typeof compile !== 'function') return (assign) => assign;
    if (!compile[REPLACED]) {
      const replaced = function (this: AjvLike, sch: unknown) {
        if (inside > 0 && this.opts?.code && typeof this.opts.code === 'object') this.opts.code.optimize = 0;
        return compile.call(this, sch);
      };
      Object.defineProperty(replaced, REPLACED, { value: true });
      proto._compileSchemaEnv = replaced;
    }
  } catch {
    return (assign) => assign;
  }
  return (assign) => (schema, dialect, allErrors) => {
    inside++;
    try {
      return assign(schema, dialect, allErrors);
    } finally {
      inside--;
    }
  };
}

interface AjvLike {
  opts?: { code?: { optimize?: number | boolean } };
}

type Assign = (schema: unknown, dialect: unknown, allErrors: unknown) => unknown;

const REPLACED = Symbol('gitway replaced');

/**
 * Replaces `name`, exported by the file at `rel` beside a package's entry file, with `wrap(original)`:
 * once per module, and not with GITWAY_SUBTREE_MEMO=off. Spectral's modules read these exports at
 * each call (`module.name(…)`), so the replacement serves them. Never throws: on a layout it does not
 * know, the original stays.
 */
function replaceExport<F>(entry: string, rel: string[], name: string, wrap: (original: F) => F): void {
  if (spectralOwnWay()) return;
  try {
    const mod = createRequire(entry)(path.join(path.dirname(entry), ...rel)) as Record<string, unknown>;
    const original = mod[name] as (F & { [REPLACED]?: true }) | undefined;
    if (typeof original !== 'function' || original[REPLACED]) return;
    const replaced = wrap(original as F) as F & object;
    Object.defineProperty(replaced, REPLACED, { value: true });
    mod[name] = replaced;
  } catch {
    // the original stays
  }
}

type CreateAjvInstances = () => Assign;

/** The schema as JSON text that tells apart every value a parsed document can hold; undefined for anything else. */
function contentKey(schema: object): string | undefined {
  try {
    return JSON.stringify(schema, (_k, v: unknown) => {
      if (typeof v === 'number') return Number.isFinite(v) ? v : { '\u0000number': String(v) };
      if (v === undefined) return { '\u0000undefined': true };
      if (typeof v === 'function' || typeof v === 'bigint' || typeof v === 'symbol') throw new Error('not JSON');
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        const proto = Object.getPrototypeOf(v) as unknown;
        if (proto !== Object.prototype && proto !== null) throw new Error('not JSON');
      }
      return v;
    });
  } catch {
    return undefined;
  }
}

type LintNode = (context: LintContext, node: { path: Key[]; value: unknown }, rule: object) => void;

/** The function, answering a value it has seen in this document (under the same key of `kind`) from memory. */
export function remembering(fn: RuleFunction, kind: KeyKind, schemaOf?: (input: unknown, options: unknown) => unknown): RuleFunction {
  // per document and per rule: one `then` (and so this function) may serve several rules, and
  // `schema` reads whether its rule runs on the resolved document
  const documents = new WeakMap<object, WeakMap<object, Map<unknown, Map<unknown, Stored>>>>();
  const anyRule = {};
  const wrapped: RuleFunction = function (this: unknown, input, options, context) {
    if (context === null || typeof context !== 'object' || !Array.isArray(context.path) || context.documentInventory === null || typeof context.documentInventory !== 'object') {
      unrepeatable = true;
      return fn.call(this, input, options, context);
    }
    if (schemaOf !== undefined && dependsOnRegistry(schemaOf(input, options))) {
      // ajv refuses a second schema with the same id, and resolves a `$ref` to another file or id
      // by the schemas compiled before: such a call's result depends on the calls before it
      unrepeatable = true;
      return fn.call(this, input, options, context);
    }
    let rules = documents.get(context.documentInventory);
    if (rules === undefined) documents.set(context.documentInventory, (rules = new WeakMap()));
    const rule = (context as { rule?: unknown }).rule;
    const ruleKey = rule !== null && typeof rule === 'object' ? rule : anyRule;
    let keys = rules.get(ruleKey);
    if (keys === undefined) rules.set(ruleKey, (keys = new Map()));
    const key = keyOf(kind, context.path, options);
    let values = keys.get(key);
    if (values === undefined) keys.set(key, (values = new Map()));
    if (values.has(input)) {
      const stored = values.get(input);
      if (stored === undefined) return undefined;
      if (stored !== null) return stored.map(({ result, rel }) => (rel === undefined ? { ...result } : { ...result, path: [...context.path, ...rel] }));
      unrepeatable = true;
      return fn.call(this, input, options, context);
    }
    const out = fn.call(this, input, options, context);
    const stored = store(out, context.path);
    if (stored === null) unrepeatable = true;
    values.set(input, stored);
    return out;
  };
  Object.defineProperty(wrapped, 'name', { value: fn.name });
  Object.defineProperty(wrapped, 'gitwayPure', { value: kind });
  return wrapped;
}

/**
 * Set by a remembering function when its call's result may not repeat (a schema with an id, a
 * result it could not keep): the lint-node skip then neither skips that value later nor calls the
 * match clean.
 */
let unrepeatable = false;

const registryDependent = new WeakMap<object, boolean>();

/**
 * A schema whose compilation depends on, or changes, what ajv has registered before: one with its own
 * id (`$id`, or draft-04's `id`: ajv registers it, and refuses a second one), or one that refers
 * beyond itself (a `$ref` not starting with `#`, `$dynamicRef`, `$recursiveRef`: resolved against
 * the ids registered so far).
 */
function dependsOnRegistry(schema: unknown): boolean {
  if (schema === null || typeof schema !== 'object') return false;
  const top = schema as { $id?: unknown; id?: unknown };
  if (typeof top.$id === 'string' || typeof top.id === 'string') return true;
  const known = registryDependent.get(schema);
  if (known !== undefined) return known;
  const seen = new Set<object>();
  const refersOut = (node: unknown): boolean => {
    if (node === null || typeof node !== 'object' || seen.has(node)) return false;
    seen.add(node);
    if (Array.isArray(node)) return node.some(refersOut);
    for (const [k, v] of Object.entries(node)) {
      if ((k === '$ref' && (typeof v !== 'string' || !v.startsWith('#'))) || k === '$dynamicRef' || k === '$recursiveRef') return true;
      if (refersOut(v)) return true;
    }
    return false;
  };
  const result = refersOut(schema);
  registryDependent.set(schema, result);
  return result;
}

function store(out: unknown, at: Key[]): Stored {
  if (out === undefined) return undefined;
  if (!Array.isArray(out)) return null; // a promise, or anything unexpected
  const stored: Array<{ result: Result; rel: Key[] | undefined }> = [];
  for (const r of out as Result[]) {
    if (r === null || typeof r !== 'object') return null;
    if (r.path === undefined) {
      stored.push({ result: { ...r }, rel: undefined });
      continue;
    }
    if (!Array.isArray(r.path) || r.path.length < at.length || at.some((k, i) => r.path![i] !== k)) return null;
    stored.push({ result: { ...r }, rel: r.path.slice(at.length) });
  }
  return stored;
}
