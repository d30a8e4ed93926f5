/**
 * Shared subtrees walked once: a faster traversal for nimma, the JSONPath engine Spectral runs its
 * rules' `given` paths with, that gives Spectral the same callbacks in the same order.
 *
 * Spectral runs most rules on the *resolved* document, where every `$ref` is replaced by the object
 * it points to: one schema referenced from a hundred operations is one object reached by a hundred
 * paths. nimma walks every path (stripe-spec3: 2.44 million visits for 99,000 entries in the file)
 * and, at every visit, evaluates every `$..` expression of the ruleset. Its matchers read the path
 * from the root, so a subtree's matches depend on how it was reached, but only through a little
 * state: for each expression, how much of it the path above has matched already.
 *
 * This replaces `Scope.prototype.traverse` of the nimma copy Spectral's runner uses. It walks the
 * tree as nimma does (same order, same `scope.enter`/`exit`, nimma's own compiled matchers at every
 * node it visits), and it tracks for each expression the set of its steps the path has matched (an
 * automaton over the path's keys). The first time an object is entered in a given state, every match
 * below it is recorded (expression and path relative to the object); each later time the object is
 * entered in the same state, the recording is replayed: Spectral's callbacks run for every match, with
 * the full path of that visit and the same value, in the order nimma would have called them, without
 * walking the subtree again. Rule functions run at every match whose rules may find something
 * (function-cache.ts tells which found nothing and would find nothing again), so findings are
 * Spectral's.
 *
 * Sound only for expressions whose matching depends on the path through that state, and whose
 * filters never throw (nimma evaluates a filter at more nodes than can match, some chosen by the
 * absolute depth, and a throw stops Spectral's run). Each expression is parsed with nimma's own
 * parser, and rewritten as nimma rewrites it (`..*` before a step); the traversal falls back to
 * nimma's own as soon as one of them is of another shape: slices, `~` (keys), member names that
 * read as integers (nimma compares them as strings in some places and strictly in others), filters
 * that read `@path`, `@parent`, `@parentProperty`, `@root`, `index`, custom shorthands or anything
 * but the node's value and key, filters that may throw (see cannotThrow), and a filter that is not
 * last or next to last. Expressions nimma hands to its fallback engine (which it runs apart, not in
 * this traversal) are ignored. A recording whose matches are not strictly below its object (nimma's
 * parent emits) is never replayed. test/checks/subtree-memo-fuzz.test.ts compares the two
 * traversals on random expressions and documents.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

type Key = string | number;

/** One step of an expression: `.name`, `[a,b]`, `[*]`, `[?(…)]`, each after `..` (deep) or not. */
interface Step {
  deep: boolean;
  /** Keys it takes; null for any key (a wildcard, or a filter: see `filter`). */
  keys: Set<Key> | null;
  /** A filter: nimma decides on the node's value and key; not followed here (see `maybe`). */
  filter: boolean;
}

/** The ruleset's expressions as automata; null when one of them is of a shape this cannot follow. */
interface Model {
  steps: Step[][];
}

interface ScopeLike {
  path: Key[];
  callbacks: Record<string, (output: { path: Key[]; value: unknown }) => void>;
  root: unknown;
  enter(key: Key): number;
  exit(depth: number): number;
}

type Traverse = (this: ScopeLike, fn: (scope: ScopeLike) => void, zones: unknown) => void;

let enabled = true;

/** GITWAY_SUBTREE_MEMO=off: Spectral's own traversal, functions and compiler (benches and tests compare with it). */
export function spectralOwnWay(): boolean {
  return process.env.GITWAY_SUBTREE_MEMO === 'off';
}

/**
 * What Spectral's callbacks did at one match, told by function-cache.ts: how many rules ran through
 * it, and whether one of them may find something at the same value under the same last key another
 * time. A match whose rules all ran and found nothing, each a rule of pure functions, is not
 * recorded: at a later visit they would find nothing again.
 */
export const emitProbe = { calls: 0, dirty: false };
let installed = false;
let stats = { visits: 0, replays: 0, replayedEmits: 0, recorded: 0, fallbacks: 0 };

/** Turns the shared-subtree traversal on or off (tests compare both); on by default once installed. */
export function setSubtreeMemo(on: boolean): void {
  enabled = on;
}

/** Counters since the last call (for benches and tests): nodes walked, recordings replayed, emits replayed, traversals left to nimma. */
export function takeSubtreeMemoStats(): typeof stats {
  const s = stats;
  stats = { visits: 0, replays: 0, replayedEmits: 0, recorded: 0, fallbacks: 0 };
  return s;
}

/**
 * Installs the traversal on the nimma build whose runner file is `nimmaIndex` (the package's CommonJS
 * `dist/cjs/index.js`, as Spectral's runner resolves it). Idempotent; never throws: on a layout it
 * does not know, nimma keeps its own traversal.
 */
export function installSubtreeMemo(nimmaIndex: string): void {
  if (installed || spectralOwnWay()) return;
  try {
    const req = createRequire(nimmaIndex);
    const dir = path.dirname(nimmaIndex);
    const Scope = (req(path.join(dir, 'runtime', 'scope.js')) as { default?: { prototype: { traverse: Traverse } } }).default;
    const parse = (req(path.join(dir, 'parser', 'index.js')) as { default?: (e: string) => unknown }).default;
    const iterator = (req(path.join(dir, 'codegen', 'iterator.js')) as { default?: { analyze(ast: unknown): { bailed: boolean }; compact(ast: unknown): unknown } }).default;
    const jsep = (req(path.join(dir, 'parser', 'jsep.js')) as { default?: (filter: string) => unknown }).default;
    if (!Scope || typeof Scope.prototype.traverse !== 'function' || typeof parse !== 'function' || typeof iterator?.analyze !== 'function' || typeof iterator.compact !== 'function' || typeof jsep !== 'function') return;
    const original = Scope.prototype.traverse;
    const models = new Map<string, Model | null>();
    Scope.prototype.traverse = function (this: ScopeLike, fn, zones) {
      if (!enabled || zones !== null || typeof this.root !== 'object' || this.root === null) return original.call(this, fn, zones);
      const ids = Object.keys(this.callbacks);
      const cacheKey = ids.join('\u0000');
      let model = models.get(cacheKey);
      if (model === undefined) {
        model = buildModel(ids, parse, (ast) => iterator.analyze(ast).bailed, (ast) => iterator.compact(ast), jsep);
        models.set(cacheKey, model);
      }
      if (model === null) {
        stats.fallbacks++;
        return original.call(this, fn, zones);
      }
      memoTraverse(this, fn, model);
    };
    installed = true;
  } catch {
    // nimma's traversal stays
  }
}

/** Automata for the expressions nimma walks; null when one cannot be followed soundly. */
export function buildModel(expressions: string[], parse: (e: string) => unknown, bailed: (ast: unknown) => boolean, compact: (ast: unknown) => unknown = (ast) => ast, jsep?: (filter: string) => unknown): Model | null {
  const steps: Step[][] = [];
  for (const expression of new Set(expressions)) {
    let ast: unknown;
    try {
      ast = parse(expression);
      if (bailed(ast)) continue; // nimma's fallback engine runs it, outside the traversal
    } catch {
      continue; // likewise
    }
    // nimma compiles the expression after rewriting `..*` followed by a step into that step made deep
    ast = compact(ast);
    if (!Array.isArray(ast)) return null;
    const expr: Step[] = [];
    for (const node of ast as Array<{ type: string; value?: unknown; deep?: boolean }>) {
      const deep = node.deep === true;
      switch (node.type) {
        case 'MemberExpression':
          if (!plainName(node.value)) return null;
          expr.push({ deep, keys: new Set([node.value]), filter: false });
          break;
        case 'MultipleMemberExpression':
          if (!Array.isArray(node.value) || !node.value.every(plainName)) return null;
          expr.push({ deep, keys: new Set(node.value as Key[]), filter: false });
          break;
        case 'WildcardExpression':
          expr.push({ deep, keys: null, filter: false });
          break;
        case 'ScriptFilterExpression':
          if (typeof node.value !== 'string' || !localFilter(node.value) || !cannotThrow(node.value, jsep)) return null;
          expr.push({ deep, keys: null, filter: true });
          break;
        default:
          return null; // slices, `~`, anything else
      }
    }
    // a filter decides on one node: followed here only when nothing or one plain step comes after it
    for (let j = 0; j < expr.length; j++) {
      if (!expr[j].filter || j === expr.length - 1) continue;
      if (j !== expr.length - 2 || expr[j + 1].deep || expr[j + 1].filter) return null;
    }
    if (expr.length > 30) return null;
    steps.push(expr);
  }
  return { steps };
}

/**
 * A member name nimma compares as this automaton does. nimma compares a number, or a string that
 * reads as an integer, with the path's key turned into a string in some positions and strictly in
 * others (array indexes are numbers): such names are not followed here.
 */
function plainName(value: unknown): value is string {
  return typeof value === 'string' && !Number.isSafeInteger(Number(value));
}

const SHORTHANDS = new Set(['@', '@property', '@string', '@number', '@boolean', '@scalar', '@array', '@null', '@object', '@integer']);
const WORDS = new Set(['undefined', 'void', 'typeof', 'true', 'false', 'null', 'in']);

interface Expr {
  type: string;
  name?: string;
  value?: unknown;
  operator?: string;
  computed?: boolean;
  object?: Expr;
  property?: Expr;
  left?: Expr;
  right?: Expr;
  argument?: Expr;
  test?: Expr;
  consequent?: Expr;
  alternate?: Expr;
  elements?: Expr[];
}

/**
 * True when a filter can never throw on a node of parsed JSON or YAML. nimma evaluates a filter at
 * more nodes than those where the expression can match (it may test the filter before the steps
 * around it, and after a check of the absolute depth): a filter that throws somewhere stops
 * Spectral's whole run, and whether it is evaluated at a node inside a shared subtree depends on the
 * path, which the automaton does not follow. So the traversal is shared only where no filter can
 * throw: a member read only of something known to be neither null nor undefined there (`@ &&` or
 * `@ != null &&` before it, or a member of such a value's `constructor`), no calls but `in` on a
 * literal list, nothing jsep parses into another shape. `filter` is parsed by nimma's own jsep.
 * Comparisons, arithmetic, `~=` and `constructor` can still throw on an object with an own
 * `toString` or `constructor` key: the walk stops sharing as soon as it meets one (unusualValue).
 */
export function cannotThrow(filter: string, jsep?: (filter: string) => unknown): boolean {
  if (jsep === undefined) return false;
  let ast: Expr;
  try {
    ast = jsep(filter) as Expr;
  } catch {
    return false;
  }
  const key = (e: Expr | undefined): string | undefined => {
    if (e === undefined) return undefined;
    if (e.type === 'Identifier') return e.name;
    if (e.type === 'Literal') return JSON.stringify(e.value);
    if (e.type === 'MemberExpression') {
      const of = key(e.object);
      const prop = e.computed ? key(e.property) : e.property?.name;
      return of === undefined || prop === undefined ? undefined : `${of}[${JSON.stringify(prop)}]`;
    }
    return undefined;
  };
  /** What is neither null nor undefined once `e` is true. */
  const known = (e: Expr | undefined, into: Set<string>): void => {
    if (e === undefined) return;
    if (e.type === 'BinaryExpression' && e.operator === '&&') {
      known(e.left, into);
      known(e.right, into);
      return;
    }
    if (e.type === 'BinaryExpression' && (e.operator === '!=' || e.operator === '==' || e.operator === '===')) {
      const other = e.right?.type === 'Literal' ? e.right.value : e.right?.type === 'Identifier' && e.right.name === 'undefined' ? undefined : Symbol('not a literal');
      const k = key(e.left);
      if (k === undefined) return;
      if (e.operator === '!=' && (other === null || other === undefined)) into.add(k);
      if (e.operator !== '!=' && e.right?.type === 'Literal' && other !== null && other !== undefined) into.add(k);
      return;
    }
    const k = key(e);
    if (k !== undefined) into.add(k);
  };
  const notNullish = (e: Expr, facts: Set<string>): boolean => {
    const k = key(e);
    if (k !== undefined && facts.has(k)) return true;
    if (e.type === 'Identifier' && e.name === '@property') return true; // a key: a string or a number
    // every value of parsed JSON or YAML that is neither null nor undefined has a constructor
    return e.type === 'MemberExpression' && !e.computed && e.property?.name === 'constructor' && e.object !== undefined && notNullish(e.object, facts);
  };
  const safe = (e: Expr | undefined, facts: Set<string>): boolean => {
    if (e === undefined) return false;
    switch (e.type) {
      case 'Literal':
        return true;
      case 'Identifier':
        return e.name !== undefined && (SHORTHANDS.has(e.name) || e.name === 'undefined');
      case 'MemberExpression':
        return e.object !== undefined && safe(e.object, facts) && (!e.computed || safe(e.property, facts)) && notNullish(e.object, facts);
      case 'UnaryExpression':
        return ['!', '-', '+', 'void', 'typeof'].includes(e.operator ?? '') && safe(e.argument, facts);
      case 'ConditionalExpression': {
        const then = new Set(facts);
        known(e.test, then);
        return safe(e.test, facts) && safe(e.consequent, then) && safe(e.alternate, facts);
      }
      case 'ArrayExpression':
        return (e.elements ?? []).every((x) => safe(x, facts));
      case 'BinaryExpression': {
        if (e.operator === '&&') {
          const then = new Set(facts);
          known(e.left, then);
          return safe(e.left, facts) && safe(e.right, then);
        }
        // nimma turns `a in [..]` into `[..].includes(a)`, and `a ~= 're'` into a test of a literal expression
        if (e.operator === 'in') return e.right?.type === 'ArrayExpression' && safe(e.left, facts) && safe(e.right, facts);
        if (e.operator === '~=') return e.right?.type === 'Literal' && safe(e.left, facts);
        return ['||', '??', '===', '!==', '==', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%'].includes(e.operator ?? '') && safe(e.left, facts) && safe(e.right, facts);
      }
      default:
        return false; // calls, compounds, anything else
    }
  };
  return safe(ast, new Set());
}

/**
 * True for an object that could make a filter throw that cannotThrow accepts: an own `toString`
 * (turning the object, or an array holding it, into a string or number then throws), an own
 * `constructor` (which may be null), or a prototype other than Object's or Array's (a YAML
 * `__proto__` key). A filter at a node reads only that node's subtree, which the walk enters (and
 * checks) before any replay of a subtree holding it.
 */
function unusualValue(value: object): boolean {
  if (Object.prototype.hasOwnProperty.call(value, 'toString') || Object.prototype.hasOwnProperty.call(value, 'constructor')) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto !== Object.prototype && proto !== Array.prototype && proto !== null;
}

/** True when a filter reads only the node's value and key (no path, parent, root, index or scope). */
export function localFilter(filter: string): boolean {
  // text in quotes is not read; anything else counts (a `/` is never taken for a regular expression)
  const code = filter.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''");
  for (const m of code.matchAll(/@[@\w]*/g)) if (!SHORTHANDS.has(m[0])) return false;
  // every identifier not after `.` or `@` (a property access, a shorthand) is a keyword or literal
  for (const m of code.matchAll(/(^|[^.@\w$])([A-Za-z_$][\w$]*)/g)) if (!WORDS.has(m[2])) return false;
  return true;
}

/**
 * The automaton's states, interned: a state is, for each expression, a bit per number of its steps
 * the path has matched (bits of the last step dropped: a match here, nothing to follow below). When a
 * filter that is not the last step may have matched on the node just entered, nimma decides it on
 * that node's value and key: the key is then part of the state (and the node is the memo's object).
 * A state and a key always lead to the same state, so transitions are remembered.
 */
class States {
  private readonly ids = new Map<string, number>();
  private readonly vectors: Int32Array[] = [];
  private readonly transitions: Array<Map<Key, number>> = [];
  private readonly scratch: Int32Array;

  constructor(private readonly model: Model) {
    this.scratch = new Int32Array(model.steps.length);
  }

  /** The state at the root: no step matched. */
  start(): number {
    return this.intern(new Int32Array(this.model.steps.length).fill(1), null);
  }

  /** The state after entering `key` from `state`. */
  next(state: number, key: Key): number {
    const known = this.transitions[state].get(key);
    if (known !== undefined) return known;
    const from = this.vectors[state];
    const out = this.scratch;
    let maybe = false;
    const { steps } = this.model;
    for (let e = 0; e < steps.length; e++) {
      const expr = steps[e];
      let next = 0;
      for (let j = 0, b = from[e]; b !== 0; j++, b >>>= 1) {
        if ((b & 1) === 0 || j >= expr.length) continue;
        const step = expr[j];
        if (step.deep) next |= 1 << j;
        if (step.filter) {
          next |= 1 << (j + 1);
          if (j + 1 < expr.length) maybe = true; // a filter before the last step: its outcome matters below
        } else if (step.keys === null || step.keys.has(key)) next |= 1 << (j + 1);
      }
      out[e] = next & ~(1 << expr.length);
    }
    const id = this.intern(out, maybe ? key : null);
    this.transitions[state].set(key, id);
    return id;
  }

  private intern(vector: Int32Array, key: Key | null): number {
    const name = key === null ? vector.join(',') : `${vector.join(',')}|${typeof key}:${key}`;
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.vectors.length;
      this.ids.set(name, id);
      this.vectors.push(Int32Array.from(vector));
      this.transitions.push(new Map());
    }
    return id;
  }
}

/**
 * A subtree's matches, flat, three slots an entry: the callback's index (or -1 for a nested
 * recording), the path from the subtree's object (one key, or an array), and the value (or the
 * nested recording).
 */
interface Recording {
  items: unknown[];
  /** A match outside the subtree was seen (nimma's parent emits): never replayed. */
  poisoned: boolean;
}

/** Walks `scope.root` as nimma's `_traverse` does, replaying the matches of objects entered in the same state. */
function memoTraverse(scope: ScopeLike, fn: (scope: ScopeLike) => void, model: Model): void {
  const states = new States(model);
  /** Per object: its recording in the first state it was entered in, and in any other. */
  const memo = new Map<object, { state: number; rec: Recording; more?: Map<number, Recording> }>();
  const callbacks = scope.callbacks;
  const ids = Object.keys(callbacks);
  const original = ids.map((id) => callbacks[id]);
  // every match goes to the innermost recording, its path relative to that recording's object
  let current: Recording | null = null;
  let base = 0;
  const recorded: typeof callbacks = {};
  ids.forEach((id, index) => {
    const cb = original[index];
    recorded[id] = (output) => {
      if (current === null) return cb(output);
      const p = output.path;
      const rel = p.length === base + 1 ? p[base] : p.slice(base);
      const value = output.value;
      emitProbe.calls = 0;
      emitProbe.dirty = false;
      try {
        cb(output);
      } finally {
        if (p.length <= base) current.poisoned = true;
        else if (emitProbe.dirty || emitProbe.calls === 0) {
          // a match whose callbacks did something (or may): replayed at every later visit
          stats.recorded++;
          current.items.push(index, rel, value);
        }
      }
    };
  });
  scope.callbacks = recorded;

  const replay = (rec: Recording, prefix: Key[]): void => {
    const items = rec.items;
    for (let i = 0; i < items.length; i += 3) {
      const tag = items[i] as number;
      const rel = items[i + 1] as Key | Key[];
      const at = Array.isArray(rel) ? prefix.concat(rel) : [...prefix, rel];
      if (tag === -1) replay(items[i + 2] as Recording, at);
      else {
        stats.replayedEmits++;
        original[tag]({ path: at, value: items[i + 2] });
      }
    }
  };

  // set at the first object whose keys or prototype could make a filter throw (see unusualValue):
  // from then on nothing is replayed, every path is walked as nimma walks it
  let unusual = false;

  const walk = (node: object, state: number): void => {
    const isArray = Array.isArray(node);
    const keys: Key[] = isArray ? [] : Object.keys(node);
    const length = isArray ? (node as unknown[]).length : keys.length;
    for (let i = 0; i < length; i++) {
      const key = isArray ? i : keys[i];
      const value = (node as Record<Key, unknown>)[key];
      const pos = scope.enter(key);
      stats.visits++;
      fn(scope);
      if (typeof value === 'object' && value !== null) {
        const next = states.next(state, key);
        const seen = memo.get(value);
        if (!unusual && unusualValue(value)) unusual = true;
        const known = seen === undefined || unusual ? undefined : seen.state === next ? seen.rec : seen.more?.get(next);
        if (known !== undefined && !known.poisoned) {
          stats.replays++;
          if (known.items.length > 0) {
            if (current !== null) current.items.push(-1, key, known);
            const outer = current;
            current = null; // recorded as the nested recording above
            try {
              replay(known, scope.path.slice());
            } finally {
              current = outer;
            }
          }
        } else {
          const rec: Recording = { items: [], poisoned: false };
          const outer = current;
          const outerBase = base;
          current = rec;
          base = scope.path.length;
          try {
            walk(value, next);
          } finally {
            current = outer;
            base = outerBase;
          }
          if (outer !== null) {
            if (rec.poisoned) outer.poisoned = true;
            else if (rec.items.length > 0) outer.items.push(-1, key, rec);
          }
          if (seen === undefined) memo.set(value, { state: next, rec });
          else (seen.more ??= new Map()).set(next, rec);
        }
      }
      scope.exit(pos);
    }
  };

  try {
    walk(scope.root as object, states.start());
  } finally {
    scope.callbacks = callbacks;
  }
}
