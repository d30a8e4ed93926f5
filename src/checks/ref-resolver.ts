/**
 * Spectral's `$ref` resolver (@stoplight/json-ref-resolver), with its inline-dereferencing step made
 * cheaper and nothing else changed, so the resolved document, the reference graph (which places
 * findings in the right file and path) and the resolver errors (invalid-ref findings) are the
 * library's own. The library re-parses the same JSON pointers for every reference it replaces, asks
 * the stem graph for the same (loop-invariant) dependencies once per dependant, and finds the
 * graph's leftover nodes with a quadratic scan; here each pointer is parsed once, the stems are
 * looked up once per target, and the leftover scan uses a Set. The order of every step (and so the
 * immer drafts it builds) is the library's. On stripe-spec3 (2,074 refs) resolving drops from
 * about 1.9 s to about 0.8 s.
 *
 * The algorithm is the library's ResolveRunner.resolve (Apache-2.0, Stoplight), ported line by line;
 * it runs on the library's own copies of immer, lodash and @stoplight/json, loaded from its folder.
 */
import { createRequire } from 'node:module';
import { posix } from 'node:path';
import type { Resolver as LibraryResolver } from '@stoplight/spectral-ref-resolver';

type Path = string[];
type Pointer = string;

interface DepGraph {
  hasNode(node: string): boolean;
  overallOrder(): string[];
  dependantsOf(node: string): string[];
  dependenciesOf(node: string): string[];
  nodes: Record<string, unknown>;
  incomingEdges: Record<string, string[]>;
  outgoingEdges: Record<string, string[]>;
  circular: boolean;
}

interface ResolveError {
  code: string;
  message: string;
  uri: unknown;
  uriStack: string[];
  pointerStack: string[];
  path: Path | undefined;
}

interface UriResult {
  uri: unknown;
  targetPath: Path;
  error?: ResolveError;
  resolved?: { result: unknown; errors?: ResolveError[] };
}

interface Resolved {
  result: unknown;
  graph: DepGraph;
  refMap: Record<string, string>;
  errors: ResolveError[];
  runner: unknown;
}

interface Crawler {
  resolvers: Promise<UriResult>[];
  pointerGraph: DepGraph;
  pointerStemGraph: DepGraph;
  computeGraph(target: unknown, parentPath: Path | undefined, parentPointer: string): void;
}

/** The library's runner, as far as this port touches it (fields its typings call private included). */
interface RunnerInternals {
  _source: unknown;
  readonly source: unknown;
  readonly baseUri: { toString(): string; clone(): { fragment(f: string): unknown } };
  readonly root: string;
  readonly graph: DepGraph;
  uriStack: string[];
  readonly dereferenceInline: boolean;
  readonly transformDereferenceResult?: unknown;
  _setGraphNodeData(nodeId: string, data: unknown): void;
  _setGraphNodeEdge(nodeId: string, fromPointer: string, toNodeId: string): void;
}

interface Uri {
  scheme(): string;
  toString(): string;
}

/** What the library's lookupUri reads of its runner. */
interface LookupInternals {
  resolvers: Record<string, { resolve(ref: Uri, ctx: unknown): Promise<unknown> }>;
  isFile(ref: Uri): boolean;
  ctx: unknown;
  parseResolveResult?: (opts: Record<string, unknown>) => Promise<{ result: unknown }>;
  baseUri: unknown;
  graph: unknown;
  depth: number;
  uriStack: string[];
  uriCache: unknown;
  transformRef?: unknown;
  transformDereferenceResult?: unknown;
  dereferenceRemote: boolean;
  dereferenceInline: boolean;
  _cacheKeySerializer: (...args: unknown[]) => unknown;
  lookupUri: unknown;
}

interface UriObject {
  toString(): string;
  scheme(): string;
  authority(): string;
  path(): string;
  is(what: string): boolean;
  fragment(): string;
  fragment(f: string): UriObject;
  absoluteTo(base: UriObject): UriObject;
}

/** What the library's computeRef reads of its runner. */
interface RefInternals {
  getRef(key: unknown, val: unknown): string | undefined;
  isFile(ref: UriObject): boolean;
  baseUri: UriObject;
  transformRef?: (opts: Record<string, unknown>, ctx: unknown) => unknown;
  ctx: unknown;
  computeRef: (o: { key?: unknown; val: unknown; jsonPointer?: string; pointerStack: string[] }) => unknown;
}

interface ResolveOpts {
  jsonPointer?: string;
  parentPath?: Path;
}

type RunnerClass = new (source: unknown, graph?: unknown, opts?: Record<string, unknown>) => { resolve(opts?: ResolveOpts): Promise<Resolved> };

// The library (the copy spectral-ref-resolver uses) and the exact copies of the packages it runs on.
const fromHere = createRequire(import.meta.url);
const fromSpectral = createRequire(fromHere.resolve('@stoplight/spectral-ref-resolver'));
const fromLib = createRequire(fromSpectral.resolve('@stoplight/json-ref-resolver'));
const { ResolveRunner } = fromLib('./runner.js') as { ResolveRunner: RunnerClass };
const { ResolveCrawler } = fromLib('./crawler.js') as { ResolveCrawler: new (runner: unknown, jsonPointer: string | undefined | '', resolved: Resolved) => Crawler };
const { Resolver } = fromLib('./resolver.js') as { Resolver: typeof LibraryResolver };
const { DepGraph: Graph } = fromLib('dependency-graph') as { DepGraph: new (opts: { circular: boolean }) => DepGraph };
const immer = fromLib('immer') as { default: <T>(base: T, recipe: (draft: T) => unknown) => T; original: <T>(draft: T) => T };
const get = fromLib('lodash/get') as (object: unknown, path: Path) => unknown;
const set = fromLib('lodash/set') as (object: unknown, path: Path, value: unknown) => unknown;
const memoize = fromLib('fast-memoize') as <F>(fn: F, opts: { serializer: unknown; cache: { create: () => unknown } }) => F;
const json = fromLib('@stoplight/json') as { pointerToPath(p: Pointer): Path; pathToPointer(p: Path): Pointer; startsWith(a: Path, b: Path): boolean };

const { ExtendedURI } = fromLib('./uri.js') as { ExtendedURI: new (value: string) => UriObject };
const URI = fromLib('urijs') as new (value: string) => UriObject;
const paths = fromLib('@stoplight/path') as { join(...parts: string[]): string; dirname(p: string): string; stripRoot(p: string): string; toFSPath(p: string): string };

const fsPaths = new Map<string, string>();
const remember = (key: string, compute: () => string): string => {
  let v = fsPaths.get(key);
  if (v === undefined) {
    if (fsPaths.size > 50_000) fsPaths.clear();
    fsPaths.set(key, (v = compute()));
  }
  return v;
};
const fsPath = (p: string) => remember(`\u0000${p}`, () => paths.toFSPath(p));
/** The path a relative `$ref` names from the document at `base`, as the library computes it. */
const joined = (base: string, ref: string) => remember(`${base}\u0000${ref}`, () => joinedPath(base, ref));

const PLAIN_PATH = /^[A-Za-z0-9_.\-/]*$/;
/** A plain path, and a fragment of the same characters (and `~`) after a `#`. */
const PLAIN_REF = /^[A-Za-z0-9_.\-/]*(?:#[A-Za-z0-9_.\-/~]*)?$/;

/**
 * The library's `join(dirname(base), stripRoot(ref))`, which parses every path with a grammar for
 * URLs and Windows drives (0.3 s on DigitalOcean's 2,907 files). For the common case (an absolute
 * POSIX path of plain names without `.` or `..` steps, a relative reference of plain names, with a
 * fragment or not) Node's
 * POSIX join gives the same answer (checked against the library by a test); anything else asks it.
 */
export function joinedPath(base: string, ref: string): string {
  const plain =
    base.startsWith('/') && ref !== '' && !ref.startsWith('/') && !base.endsWith('/') && !ref.endsWith('/') && !base.includes('//') && !ref.includes('//') && PLAIN_PATH.test(base) && PLAIN_REF.test(ref) && !base.split('/').some((s) => s === '.' || s === '..');
  return plain ? posix.join(posix.dirname(base), ref) : paths.join(paths.dirname(base), paths.stripRoot(ref));
}

/** The same ordering as dependency-graph's overallOrder() with circular: true, without its quadratic scan. */
function overallOrder(graph: DepGraph): string[] {
  const keys = Object.keys(graph.nodes);
  if (keys.length === 0) return [];
  const result: string[] = [];
  const visited = new Set<string>();
  const dfs = (start: string) => {
    if (visited.has(start)) return;
    const inCurrentPath = new Set<string>();
    const todo: { node: string; processed: boolean }[] = [{ node: start, processed: false }];
    while (todo.length > 0) {
      const current = todo[todo.length - 1];
      const node = current.node;
      if (!current.processed) {
        if (visited.has(node) || inCurrentPath.has(node)) {
          todo.pop();
          continue;
        }
        inCurrentPath.add(node);
        const edges = graph.outgoingEdges[node];
        for (let i = edges.length - 1; i >= 0; i--) todo.push({ node: edges[i], processed: false });
        current.processed = true;
      } else {
        todo.pop();
        inCurrentPath.delete(node);
        visited.add(node);
        result.push(node);
      }
    }
  };
  for (const node of keys) if (graph.incomingEdges[node].length === 0) dfs(node);
  const seen = new Set(result);
  for (const node of keys.filter((n) => !seen.has(n))) dfs(node);
  return result;
}

class FastRunner extends ResolveRunner {
  constructor(source: unknown, graph?: unknown, opts?: Record<string, unknown>) {
    super(source, graph, opts);
    // the library's lookupUri, except that the documents it pulls in get a FastRunner too
    const self = this as unknown as LookupInternals;
    const lookupUri = async (o: { ref: Uri; fragment: string; cacheKey: string; parentPath: Path }) => {
      const { ref } = o;
      let scheme = ref.scheme();
      if (!self.resolvers[scheme] && self.isFile(ref)) scheme = 'file';
      const resolver = self.resolvers[scheme];
      if (!resolver) throw new Error(`No resolver defined for scheme '${ref.scheme() || 'file'}' in ref ${ref.toString()}`);
      let result = await resolver.resolve(ref, self.ctx);
      if (self.parseResolveResult) {
        try {
          const parsed = await self.parseResolveResult({ uriResult: result, result, targetAuthority: ref, parentAuthority: self.baseUri, parentPath: o.parentPath, fragment: o.fragment });
          result = parsed.result;
        } catch (e) {
          throw new Error(`Could not parse remote reference response for '${ref.toString()}' - ${String(e)}`);
        }
      }
      return new FastRunner(result, self.graph, {
        depth: self.depth + 1,
        baseUri: ref.toString(),
        root: ref,
        uriStack: self.uriStack,
        uriCache: self.uriCache,
        resolvers: self.resolvers,
        transformRef: self.transformRef,
        parseResolveResult: self.parseResolveResult,
        transformDereferenceResult: self.transformDereferenceResult,
        dereferenceRemote: self.dereferenceRemote,
        dereferenceInline: self.dereferenceInline,
        ctx: self.ctx,
      });
    };
    self.lookupUri = memoize(lookupUri, { serializer: self._cacheKeySerializer, cache: { create: () => self.uriCache } });
    // the library's computeRef, with its path arithmetic (a PEG parse per call) done once per input
    const refs = this as unknown as RefInternals;
    refs.computeRef = (o) => {
      const refStr = refs.getRef(o.key, o.val);
      if (refStr === undefined) return undefined;
      let ref: UriObject = new ExtendedURI(refStr);
      if (refStr[0] !== '#') {
        if (refs.isFile(ref)) {
          let absRef = ref.toString();
          const base = refs.baseUri.toString();
          if (!ref.is('absolute')) absRef = base ? joined(base, absRef) : '';
          if (absRef) ref = new URI(fsPath(absRef)).fragment(ref.fragment());
        } else if (ref.scheme().includes('http') || (ref.scheme() === '' && refs.baseUri.scheme().includes('http'))) {
          if (refs.baseUri.authority() !== '' && ref.authority() === '') ref = ref.absoluteTo(refs.baseUri);
        }
      }
      if (String(ref).length > 0 && refs.isFile(refs.baseUri) && refs.isFile(ref) && refs.baseUri.path() === ref.path()) ref = new ExtendedURI(`#${ref.fragment()}`);
      if (refs.transformRef) return refs.transformRef({ ...o, ref, uri: refs.baseUri }, refs.ctx);
      return ref;
    };
  }

  override async resolve(opts?: ResolveOpts): Promise<Resolved> {
    const self = this as unknown as RunnerInternals;
    // a transform of the dereferenced result (Spectral sets none) goes through the library unchanged
    if (self.transformDereferenceResult) return super.resolve(opts);
    const resolved: Resolved = { result: self.source, graph: self.graph, refMap: {}, errors: [], runner: this };
    let targetPath: Path | undefined;
    const jsonPointer = opts && opts.jsonPointer && opts.jsonPointer.trim();
    if (jsonPointer && jsonPointer !== '#' && jsonPointer !== '#/') {
      try {
        targetPath = json.pointerToPath(jsonPointer);
      } catch {
        resolved.errors.push({ code: 'PARSE_POINTER', message: `'${jsonPointer}' JSON pointer is invalid`, uri: self.baseUri, uriStack: self.uriStack, pointerStack: [], path: [] });
        return resolved;
      }
      resolved.result = get(resolved.result, targetPath);
    }
    if (resolved.result === undefined) {
      resolved.errors.push({ code: 'POINTER_MISSING', message: `'${jsonPointer}' does not exist @ '${self.baseUri.toString()}'`, uri: self.baseUri, uriStack: self.uriStack, pointerStack: [], path: targetPath || [] });
      return resolved;
    }
    const crawler = new ResolveCrawler(this, jsonPointer, resolved);
    crawler.computeGraph(resolved.result, targetPath, jsonPointer || '');
    let uriResults: UriResult[] = [];
    if (crawler.resolvers.length) uriResults = await Promise.all(crawler.resolvers);
    // the first result through immer (it freezes the whole source); the rest copied on write and
    // frozen at the end, as immer's one produce per result would leave them (see ResultWriter)
    const writer = new ResultWriter(self._source);
    for (const r of uriResults) {
      let resolvedTargetPath = r.targetPath;
      if (!resolvedTargetPath.length) resolvedTargetPath = targetPath || [];
      resolved.refMap[String(self.baseUri.clone().fragment(json.pathToPointer(resolvedTargetPath)))] = String(r.uri);
      self._setGraphNodeEdge(String(self.root), json.pathToPointer(resolvedTargetPath), String(r.uri));
      if (r.error) resolved.errors.push(r.error);
      if (!r.resolved) continue;
      if (r.resolved.errors) resolved.errors = resolved.errors.concat(r.resolved.errors);
      if (r.resolved.result === undefined) continue;
      const { result } = r.resolved;
      if (writer.set(resolvedTargetPath, result)) {
        self._setGraphNodeData(String(r.uri), result);
        continue;
      }
      // the library's step: one produce per result
      self._source = immer.default(writer.finish(), (draft) => {
        if (!resolvedTargetPath.length) return result;
        set(draft, resolvedTargetPath, result);
        self._setGraphNodeData(String(r.uri), result);
        return undefined;
      });
      writer.restart(self._source);
    }
    self._source = writer.finish();
    if (typeof self._source === 'object') {
      if (self.dereferenceInline) self._source = immer.default(self._source, (draft) => dereferenceInline(self, crawler, resolved, draft));
      resolved.result = targetPath ? get(self._source, targetPath) : self._source;
    } else {
      resolved.result = self._source;
    }
    self._setGraphNodeData(self.root, self._source);
    return resolved;
  }
}

const DRAFT_STATE = Symbol.for('immer-state');
const DRAFTABLE = Symbol.for('immer-draftable');
const INDEX = /^(?:0|[1-9]\d*)$/;
const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** immer 9's isPlainObject. */
function isPlainObject(value: unknown): value is Record<string | symbol, unknown> {
  if (!value || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as { constructor?: unknown } | null;
  if (proto === null) return true;
  const Ctor = Object.hasOwnProperty.call(proto, 'constructor') && proto.constructor;
  if (Ctor === Object) return true;
  return typeof Ctor === 'function' && Function.toString.call(Ctor) === Function.toString.call(Object);
}

/** immer 9's isDraftable. */
function isDraftable(value: unknown): boolean {
  if (!value) return false;
  const v = value as Record<string | symbol, unknown> & { constructor?: Record<symbol, unknown> };
  return isPlainObject(value) || Array.isArray(value) || !!v[DRAFTABLE] || !!v.constructor?.[DRAFTABLE] || value instanceof Map || value instanceof Set;
}

const isFrozen = (o: unknown) => o === null || typeof o !== 'object' || Object.isFrozen(o);

/** immer 9's shallow freeze (what its auto-freeze does to each object it finalizes). */
function freeze(o: unknown): void {
  if (isFrozen(o) || (o as Record<symbol, unknown>)[DRAFT_STATE] || !isDraftable(o)) return;
  if (o instanceof Map || o instanceof Set) {
    const m = o as unknown as Record<string, unknown>;
    m.set = m.add = m.clear = m.delete = frozenCollection;
  }
  Object.freeze(o);
}

function frozenCollection(): never {
  throw new Error('[Immer] This object has been frozen and should not be mutated');
}

/** lodash's eq: SameValueZero. */
const eq = (a: unknown, b: unknown) => a === b || (a !== a && b !== b);

/** immer 9's shallowCopy (every own key, accessors read into data properties, all writable). */
function shallowCopy(base: object): object {
  if (Array.isArray(base)) return Array.prototype.slice.call(base) as unknown[];
  const descriptors = Object.getOwnPropertyDescriptors(base) as Record<string | symbol, PropertyDescriptor>;
  delete descriptors[DRAFT_STATE];
  for (const key of Reflect.ownKeys(descriptors)) {
    const desc = descriptors[key];
    if (desc.writable === false) {
      desc.writable = true;
      desc.configurable = true;
    }
    if (desc.get || desc.set) descriptors[key] = { configurable: true, writable: true, enumerable: desc.enumerable, value: (base as Record<string | symbol, unknown>)[key] };
  }
  return Object.create(Object.getPrototypeOf(base) as object | null, descriptors) as object;
}

/**
 * The library writes each file a document refers to into it with one immer produce per `$ref`
 * (DigitalOcean: 29,000 of them, each copying every object on the path again and checking every
 * key of each copy). The first produce freezes everything the new tree reaches (immer deep-freezes
 * what it finalizes, and walks every unfrozen child of a copy); that walk is what the unresolved
 * document keeps of it, so it stays immer's. After it, each later produce copies the (frozen)
 * objects on its path, sets the result with lodash's `set` and freezes the copies and whatever
 * new it reaches. This does the same in one pass: it copies an object the first time a path goes
 * through it (immer's copy), sets with the same `set`, and at the end freezes as immer's finalize
 * would have, copy by copy. Same tree, same objects shared, same frozen objects; what differs is
 * only the intermediate copies immer would have made and dropped. A write it cannot make that way
 * (the first, an empty path, a key lodash refuses, a path through anything but plain objects and
 * arrays or into an array by a name, or an unfrozen value, which immer would freeze before a
 * later write could drop it) goes to immer after the pending copies are finished.
 */
export class ResultWriter {
  /** Copies made since the last produce: immer's modified drafts. */
  private copies = new Set<object>();
  /** True once an immer produce made the tree (everything it reaches is frozen). */
  private settled = false;

  constructor(private source: unknown) {}

  /** Writes `value` at `at` as immer's produce + lodash `set` would; false when immer must do it. */
  set(at: Path, value: unknown): boolean {
    if (!this.settled || at.length === 0 || !isContainer(this.source)) return false;
    // immer would freeze a new value at once (a later write may drop it from the tree)
    if (isDraftable(value) && !isFrozen(value)) return false;
    for (const key of at) if (key === '__proto__' || key === 'constructor' || key === 'prototype') return false;
    // the containers the path goes through; lodash creates what is missing past a primitive
    const chain: object[] = [this.source as object];
    for (let i = 0; i < at.length - 1; i++) {
      const node = chain[i] as Record<string, unknown>;
      if (Array.isArray(node) && !INDEX.test(at[i])) return false;
      const next = node[at[i]];
      if (next === null || (typeof next !== 'object' && typeof next !== 'function')) break;
      if (!hasOwn(node, at[i]) || !isContainer(next)) return false;
      chain.push(next);
    }
    const last = at[at.length - 1];
    if (chain.length === at.length) {
      const parent = chain[chain.length - 1] as Record<string, unknown>;
      if (Array.isArray(parent) && !INDEX.test(last)) return false;
      // immer keeps the tree when the value is there already (nothing modified)
      if (hasOwn(parent, last) && eq(parent[last], value)) return true;
    }
    for (let i = 0; i < chain.length; i++) {
      if (this.copies.has(chain[i])) continue;
      const copy = shallowCopy(chain[i]);
      this.copies.add(copy);
      if (i === 0) this.source = copy;
      else (chain[i - 1] as Record<string, unknown>)[at[i - 1]] = copy;
      chain[i] = copy;
    }
    set(this.source, at, value);
    return true;
  }

  /** The tree, with the copies finished (frozen) as immer finalizes a produce. */
  finish(): unknown {
    if (this.copies.has(this.source as object)) this.finalizeCopy(this.source as object);
    // copies a later write replaced: immer finalized them too (they share children with the
    // objects they copy, such as the key-order arrays of Spectral's ordered mappings)
    for (const copy of this.copies) this.finalizeCopy(copy);
    return this.source;
  }

  /** After a produce of immer's own. */
  restart(source: unknown): void {
    this.source = source;
    this.copies.clear();
    this.settled = true;
  }

  /** immer's finalize of a modified draft: its children (every own key), then the copy itself. */
  private finalizeCopy(copy: object): void {
    this.copies.delete(copy);
    if (Array.isArray(copy)) copy.forEach((child) => this.finalizeChild(copy, child));
    else for (const key of Reflect.ownKeys(copy)) this.finalizeChild(copy, (copy as Record<string | symbol, unknown>)[key]);
    freeze(copy);
  }

  /** immer's finalizeProperty: a copy is finalized; anything else unfrozen is walked and frozen. */
  private finalizeChild(parent: object, child: unknown): void {
    if (child === parent) throw new Error('[Immer] Immer forbids circular references');
    if (this.copies.has(child as object)) return this.finalizeCopy(child as object);
    if (!isDraftable(child) || isFrozen(child)) return;
    // immer's finalize of a value that is not a draft: enumerable keys only
    const value = child as Record<string, unknown>;
    if (Array.isArray(value)) value.forEach((c) => this.finalizeChild(value, c));
    else for (const key of Object.keys(value)) this.finalizeChild(value, value[key]);
    freeze(value);
  }
}

/** A plain object or an array: what the writer copies (immer drafts Maps and Sets too, handled there). */
const isContainer = (x: unknown): x is object => Array.isArray(x) || isPlainObject(x);

/**
 * @stoplight/json's startsWith(path, prefix) for two arrays of strings, with the same answers: segment
 * by segment, equal when both parseInt to NaN and are the same string, or parseInt to the same
 * number (so '01' matches '1'). The library walks the prefix with for…in and parses both sides of
 * every segment; equal strings are settled here without parsing (same verdict either way), which
 * is nearly every segment compared (about 0.15 s on stripe-spec3).
 */
export function startsWith(path: Path, prefix: Path): boolean {
  if (prefix.length > path.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    const a = path[i];
    const b = prefix[i];
    if (a === b) continue;
    const n = parseInt(a);
    const m = parseInt(b);
    if (Number.isNaN(n) && Number.isNaN(m)) return false; // different strings
    if (n !== m) return false;
  }
  return true;
}

/** The library's inline step: every local `$ref` replaced by its target, in dependency order. */
function dereferenceInline(self: RunnerInternals, crawler: Crawler, resolved: Resolved, draft: unknown): void {
  const paths = new Map<Pointer, Path>();
  // pointerToPath throws on a malformed pointer; like the library, that ends the step
  const pathOf = (pointer: Pointer): Path => {
    let p = paths.get(pointer);
    if (p === undefined) paths.set(pointer, (p = json.pointerToPath(pointer)));
    return p;
  };
  try {
    for (const pointer of overallOrder(crawler.pointerGraph)) {
      const dependants = crawler.pointerGraph.dependantsOf(pointer);
      if (!dependants.length) continue;
      const pointerPath = pathOf(pointer);
      const val = pointerPath.length === 0 ? immer.original(draft) : get(draft, pointerPath);
      const target = json.pathToPointer(pointerPath);
      let stems: Pointer[] | undefined;
      for (const dependant of dependants) {
        const dependantPath = pathOf(dependant);
        stems ??= crawler.pointerStemGraph.dependenciesOf(pointer);
        let circular = false;
        for (const stem of stems) {
          if (startsWith(dependantPath, pathOf(stem))) {
            circular = true;
            break;
          }
        }
        if (circular) continue;
        const from = json.pathToPointer(dependantPath);
        resolved.refMap[from] = target;
        self._setGraphNodeEdge(self.root, from, target);
        if (val !== undefined) {
          set(draft, dependantPath, val);
          self._setGraphNodeData(target, val);
        } else {
          resolved.errors.push({ code: 'POINTER_MISSING', message: `'${pointer}' does not exist`, path: [...dependantPath], uri: self.baseUri, uriStack: self.uriStack, pointerStack: [] });
        }
      }
    }
  } catch {
    // as in the library: an error here leaves the rest of the references unresolved
  }
}

/**
 * A drop-in for `new Resolver(opts)` (spectral-ref-resolver's), for `new Spectral({ resolver })`.
 */
export class FastResolver extends Resolver {
  override resolve(source: unknown, options: Parameters<LibraryResolver['resolve']>[1] = {}): ReturnType<LibraryResolver['resolve']> {
    const opts = options as Record<string, unknown>;
    const base = this as unknown as Record<string, unknown>;
    const graph = new Graph({ circular: true });
    const runner = new FastRunner(source, graph, {
      uriCache: base.uriCache,
      resolvers: base.resolvers,
      getRef: base.getRef,
      transformRef: base.transformRef,
      dereferenceInline: base.dereferenceInline,
      dereferenceRemote: base.dereferenceRemote,
      parseResolveResult: base.parseResolveResult,
      transformDereferenceResult: base.transformDereferenceResult,
      ...opts,
      ctx: { ...((base.ctx as object) || {}), ...((opts.ctx as object) || {}) },
    });
    return runner.resolve(opts) as unknown as ReturnType<LibraryResolver['resolve']>;
  }
}
