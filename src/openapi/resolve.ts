/**
 * Resolves the `$ref`s of an OpenAPI document inside a Tree, never from the network, and builds the
 * "validation view": one object graph in which every reference is inlined except the ones that
 * close a cycle, which stay as internal `$ref`s to the ancestor they point back to. (swagger-parser's
 * own `circular: "ignore"` leaves whole operations un-inlined on DigitalOcean's description; this
 * does not.) Every object of the view remembers the file and JSON path it came from, so a problem
 * found in the view is reported at its source.
 *
 * The view is a tree, not a graph: a target that several references name is inlined once, at its
 * first place (in document order), and every later place where the specification allows a
 * Reference Object becomes an internal `$ref` to that first place. Validators therefore see each
 * target once, in the context of its first use, instead of once per path that leads to it (Stripe's
 * 2,074 references otherwise unfold into a structure no validator finishes). Where a Reference Object
 * is not allowed (an operation, a media type …) the target is inlined at every place, as before.
 * Use `derefView` to follow such a `$ref` when reading the view.
 */
import path from 'node:path';
import { toTreePath } from '../workspace/tree.js';
import type { JsonPath } from '../manifest/source.js';
import { childKind, elementKind, familyOf, referenceAllowed, siblingApplies, type Family, type Kind } from './kinds.js';

export type ReadFile = (file: string) => Promise<Buffer>;

export interface Origin {
  file: string;
  path: JsonPath;
}

export interface RefProblem {
  file: string;
  path: JsonPath;
  code: 'openapi-ref' | 'openapi-ref-remote' | 'openapi-ref-outside' | 'openapi-parse';
  message: string;
}

export interface Resolved {
  /** The root document as parsed (no references replaced). */
  root: unknown;
  /** The validation view (see above). */
  view: unknown;
  /** The specification family the root says (2.0, 3.0, 3.1, 3.2), which decides how `$ref` siblings count. */
  family?: Family;
  origins: WeakMap<object, Origin>;
  problems: RefProblem[];
  /** Every file the document pulled in, the root first. */
  files: string[];
  circular: boolean;
}

interface Loaded {
  value?: unknown;
  problem?: string;
}

const DATA_EXTENSIONS = new Set(['.yaml', '.yml', '.json', '']);

export async function parseDocumentText(file: string, bytes: Buffer): Promise<unknown> {
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const ext = path.posix.extname(file).toLowerCase();
  if (ext === '.json') {
    try {
      return JSON.parse(text);
    } catch {
      // fall through: some .json files are YAML (or JSON with comments)
    }
  }
  const yaml = (await import('js-yaml')).default;
  try {
    return yaml.load(text, { schema: yaml.JSON_SCHEMA, filename: file });
  } catch (first) {
    try {
      return yaml.load(text, { schema: yaml.CORE_SCHEMA, filename: file });
    } catch {
      throw first;
    }
  }
}

/** `onParse` is told how long each file took to parse (ms), for the benchmarks' time split. */
export async function resolveDocument(rootFile: string, read: ReadFile, onParse?: (ms: number) => void): Promise<Resolved> {
  const files = new Map<string, Loaded>();
  const problems: RefProblem[] = [];
  const origins = new WeakMap<object, Origin>();
  const memo = new Map<string, unknown>();
  const stack = new Map<string, JsonPath>();
  /** Objects made from a `$ref` and its siblings: the target they extend, and the sibling keys. */
  const extended = new WeakMap<object, { base: object; siblings: string[] }>();
  /** Cycle-closing `$ref`s, with the target they close on. */
  const closers = new WeakMap<object, string>();
  let circular = false;

  const load = async (file: string): Promise<Loaded> => {
    let bytes: Buffer;
    try {
      bytes = await read(file);
    } catch (err) {
      return { problem: (err as Error).message };
    }
    const ext = path.posix.extname(file).toLowerCase();
    if (bytes.subarray(0, 8192).includes(0)) return { value: '' }; // binary: an opaque value, as swagger-parser treats it
    if (!DATA_EXTENSIONS.has(ext)) {
      // .txt, .html, .md …: swagger-parser parses them as YAML when it can, else keeps the text
      try {
        return { value: await parseDocumentText(file, bytes) };
      } catch {
        return { value: bytes.toString('utf8') };
      }
    }
    try {
      const t = performance.now();
      const value = await parseDocumentText(file, bytes);
      onParse?.(performance.now() - t);
      return { value: value === undefined ? '' : value };
    } catch (err) {
      return { problem: `cannot be parsed: ${firstLine((err as Error).message)}` };
    }
  };

  // Phase 1 (async): load the root and, breadth first, every file its references name.
  files.set(rootFile, await load(rootFile));
  const rootLoaded = files.get(rootFile)!;
  if (rootLoaded.problem !== undefined) {
    problems.push({ file: rootFile, path: [], code: 'openapi-parse', message: `${rootFile} ${rootLoaded.problem}` });
    return { root: undefined, view: undefined, origins, problems, files: [rootFile], circular };
  }
  const detected = familyOf(rootLoaded.value);
  const family: Family = detected ?? '3.0';
  let frontier = [rootFile];
  while (frontier.length) {
    const next = new Set<string>();
    for (const file of frontier) {
      for (const ref of collectRefs(files.get(file)?.value)) {
        const target = targetFileOf(ref, file);
        if (target && !files.has(target) && !next.has(target)) next.add(target);
      }
    }
    frontier = [...next];
    const loaded = await Promise.all(frontier.map(load));
    frontier.forEach((f, i) => files.set(f, loaded[i]));
  }

  // Phase 2 (sync): build the view, every reference inlined (a graph: a target named twice is one object).
  const walk = (value: unknown, file: string, srcPath: JsonPath, viewPath: JsonPath, kind: Kind): unknown => {
    if (Array.isArray(value)) {
      const out: unknown[] = new Array(value.length);
      origins.set(out, { file, path: srcPath });
      const itemKind = elementKind(kind);
      for (let i = 0; i < value.length; i++) out[i] = walk(value[i], file, [...srcPath, i], [...viewPath, i], itemKind);
      return out;
    }
    if (!value || typeof value !== 'object') return value;
    const obj = value as Record<string, unknown>;
    if (typeof obj.$ref === 'string') return follow(obj, file, srcPath, viewPath, kind);
    // One view object per place of a file, whether reached by walking or by a reference.
    const self = `${file}#${toPointer(srcPath)}`;
    const known = memo.get(self);
    if (known !== undefined) return known;
    const out: Record<string, unknown> = {};
    origins.set(out, { file, path: srcPath });
    const keys = Object.keys(obj);
    for (const key of keys) out[key] = undefined; // keep the document's key order …
    const outer = stack.get(self);
    stack.set(self, viewPath);
    try {
      for (const key of visitOrder(kind, keys)) out[key] = walk(obj[key], file, [...srcPath, key], [...viewPath, key], childKind(family, kind, key));
    } finally {
      if (outer) stack.set(self, outer);
      else stack.delete(self);
    }
    memo.set(self, out);
    return out;
  };

  const follow = (refObj: Record<string, unknown>, file: string, srcPath: JsonPath, viewPath: JsonPath, kind: Kind): unknown => {
    const ref = refObj.$ref as string;
    const target = locate(ref, file, srcPath, 0);
    if (!target) return { ...refObj };
    const key = `${target.file}#${target.pointer}`;
    const siblings = Object.keys(refObj).filter((k) => k !== '$ref' && siblingApplies(family, kind, k));
    const ancestor = stack.get(key);
    let inlined: unknown;
    if (ancestor) {
      circular = true;
      inlined = { $ref: '#' + toPointer(ancestor) };
      origins.set(inlined as object, { file, path: srcPath });
      closers.set(inlined as object, key);
    } else if (memo.has(key)) {
      inlined = memo.get(key);
    } else {
      stack.set(key, viewPath);
      try {
        inlined = walk(target.value, target.file, target.path, viewPath, kind);
      } finally {
        stack.delete(key);
      }
      memo.set(key, inlined);
    }
    if (siblings.length === 0 || ancestor || !inlined || typeof inlined !== 'object' || Array.isArray(inlined)) return inlined;
    // $ref with siblings that count here (schema keywords, Path Item fields, 3.1 summary/description): they win, as in swagger-parser
    const merged: Record<string, unknown> = { ...(inlined as Record<string, unknown>) };
    origins.set(merged, { file, path: srcPath });
    for (const k of siblings) merged[k] = walk(refObj[k], file, [...srcPath, k], [...viewPath, k], childKind(family, kind, k));
    extended.set(merged, { base: inlined as object, siblings });
    return merged;
  };

  const locate = (ref: string, file: string, srcPath: JsonPath, depth: number): { file: string; pointer: string; path: JsonPath; value: unknown } | undefined => {
    const refPath = [...srcPath, '$ref'];
    const { location, fragment } = splitRef(ref);
    if (isRemote(location)) {
      problems.push({ file, path: refPath, code: 'openapi-ref-remote', message: `$ref ${JSON.stringify(ref)} points to the network; gitway never fetches remote references: vendor the file into the repository and refer to it by a relative path` });
      return undefined;
    }
    const targetFile = location ? targetFileOf(ref, file) : file;
    if (targetFile === undefined) {
      problems.push({ file, path: refPath, code: 'openapi-ref-outside', message: `$ref ${JSON.stringify(ref)} points outside the repository; gitway reads only files of the repository (and of the commit given with --rev)` });
      return undefined;
    }
    const loaded = files.get(targetFile);
    if (!loaded || loaded.problem !== undefined) {
      const why = loaded?.problem ?? 'could not be read';
      problems.push({ file, path: refPath, code: why.startsWith('cannot be parsed') ? 'openapi-parse' : 'openapi-ref', message: `$ref ${JSON.stringify(ref)}: ${why.startsWith(targetFile) ? why : `${targetFile} ${why}`}` });
      return undefined;
    }
    if (fragment && !fragment.startsWith('/')) return undefined; // a plain-name anchor: left to the schema validator
    const tokens = fragment ? fragment.slice(1).split('/').map(unescapeToken) : [];
    let value: unknown = loaded.value;
    const at: JsonPath = [];
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      if (Array.isArray(value) && /^\d+$/.test(token) && Number(token) < value.length) {
        value = value[Number(token)];
        at.push(Number(token));
      } else if (value && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, token)) {
        value = (value as Record<string, unknown>)[token];
        at.push(token);
      } else {
        problems.push({ file, path: refPath, code: 'openapi-ref', message: `$ref ${JSON.stringify(ref)}: ${location ? targetFile : 'this document'} has nothing at #${fragment}` });
        return undefined;
      }
      // a pointer that walks through another $ref (#/paths/~1a/get where /a is itself a $ref)
      const inner = value && typeof value === 'object' ? (value as Record<string, unknown>).$ref : undefined;
      if (typeof inner === 'string' && i < tokens.length - 1) {
        if (depth > 50) return undefined;
        const via = locate(inner, targetFile, [...at], depth + 1);
        if (!via) return undefined;
        return locate('#' + toPointer([...via.path, ...tokens.slice(i + 1)]), via.file, [], depth + 1);
      }
    }
    return { file: targetFile, pointer: toPointer(at), path: at, value };
  };

  stack.set(`${rootFile}#`, []);
  const graph = walk(rootLoaded.value, rootFile, [], [], 'root');

  // Phase 3: from graph to tree. Walk it in document order; the first place of each object keeps
  // it; a later place becomes a `$ref` to the first where a Reference Object is allowed (or where
  // nothing is validated), and elsewhere (an operation, a `properties` map shared by a `$ref` with
  // siblings …) gets a shallow copy whose own children go through the same rule.
  const placed = new Map<object, { path: JsonPath; kind: Kind }>();
  const compactChildren = (node: object, viewPath: JsonPath, kind: Kind): void => {
    if (Array.isArray(node)) {
      const itemKind = elementKind(kind);
      for (let i = 0; i < node.length; i++) node[i] = compact(node[i], [...viewPath, i], itemKind);
      return;
    }
    const obj = node as Record<string, unknown>;
    const keys = visitOrder(kind, Object.keys(obj));
    // Siblings first, nephews after: a map's own entries (components.schemas.X) are placed before
    // the references inside them are met, so those become `$ref`s to the entries.
    const owned = new Set<string>();
    for (const key of keys) {
      const v = obj[key];
      if (!v || typeof v !== 'object' || placed.has(v) || extended.has(v) || closers.has(v)) continue;
      placed.set(v, { path: [...viewPath, key], kind: childKind(family, kind, key) });
      owned.add(key);
    }
    for (const key of keys) {
      const v = obj[key];
      if (owned.has(key)) {
        if (typeof (v as Record<string, unknown>).$ref !== 'string') compactChildren(v as object, [...viewPath, key], childKind(family, kind, key));
      } else {
        obj[key] = compact(v, [...viewPath, key], childKind(family, kind, key));
      }
    }
  };
  const compact = (node: unknown, viewPath: JsonPath, kind: Kind): unknown => {
    if (!node || typeof node !== 'object') return node;
    const closes = closers.get(node);
    if (closes !== undefined) {
      // point a cycle-closing reference at the target's place in the view, where that is known
      const at = memo.has(closes) ? placed.get(memo.get(closes) as object) : undefined;
      if (at && at.kind !== 'other') (node as Record<string, unknown>).$ref = '#' + toPointer(at.path);
      return node;
    }
    const first = placed.get(node);
    if (!first) {
      const ext = extended.get(node);
      const base = ext && placed.get(ext.base);
      if (ext && base && base.kind !== 'other' && referenceAllowed(family, kind)) {
        // the target is already in the view: keep the reference with its siblings, as written
        const ref: Record<string, unknown> = { $ref: '#' + toPointer(base.path) };
        const origin = origins.get(node);
        if (origin) origins.set(ref, origin);
        for (const k of ext.siblings) ref[k] = (node as Record<string, unknown>)[k];
        placed.set(ref, { path: viewPath, kind });
        compactChildren(ref, viewPath, kind);
        return ref;
      }
      placed.set(node, { path: viewPath, kind });
      if (typeof (node as Record<string, unknown>).$ref !== 'string') compactChildren(node, viewPath, kind); // else: closes a cycle, or could not be resolved
      return node;
    }
    const origin = origins.get(node);
    if (first.kind !== 'other' && referenceAllowed(family, kind)) {
      const ref = { $ref: '#' + toPointer(first.path) };
      if (origin) origins.set(ref, origin);
      return ref;
    }
    // plain values (a `required` list, an example) are shared as they are: already compacted, and
    // validated as what they are at each place
    if (kind === 'other' || (!Array.isArray(node) && typeof (node as Record<string, unknown>).$ref === 'string')) return node;
    const copy = Array.isArray(node) ? [...node] : { ...(node as Record<string, unknown>) };
    if (origin) origins.set(copy, origin);
    compactChildren(copy, viewPath, kind);
    return copy;
  };
  const view = compact(graph, [], 'root');
  return { root: rootLoaded.value, view, family: detected, origins, problems, files: [...files.keys()], circular };
}

/**
 * Follows the internal `$ref`s the view keeps (repeated targets, cycle-closing references) to the
 * object they name in the view; anything else is returned as it is.
 */
export function derefView(view: unknown, node: unknown, limit = 20): unknown {
  let current = node;
  for (let i = 0; i < limit; i++) {
    if (!current || typeof current !== 'object' || Array.isArray(current)) return current;
    const ref = (current as Record<string, unknown>).$ref;
    if (typeof ref !== 'string' || !ref.startsWith('#')) return current;
    let at: unknown = view;
    for (const token of ref.slice(1).split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))) {
      if (!at || typeof at !== 'object') return current;
      at = Array.isArray(at) ? at[Number(token)] : (at as Record<string, unknown>)[token];
    }
    if (at === undefined) return current;
    current = at;
  }
  return current;
}

/**
 * … but visit the reusable components first, so that a target named from both places is placed
 * (and, in a cycle, anchored) where the document defines it, and the view's `$ref`s are short.
 */
function visitOrder(kind: Kind, keys: string[]): string[] {
  if (kind !== 'root') return keys;
  const first = ['components', 'definitions', 'parameters', 'responses', 'securityDefinitions'];
  return [...keys.filter((k) => first.includes(k)), ...keys.filter((k) => !first.includes(k))];
}

function splitRef(ref: string): { location: string; fragment: string } {
  const hashAt = ref.indexOf('#');
  return hashAt < 0 ? { location: ref, fragment: '' } : { location: ref.slice(0, hashAt), fragment: ref.slice(hashAt + 1) };
}

function isRemote(location: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(location) && !/^file:/i.test(location);
}

/** The tree path a reference's file part names, relative to the file it is written in; undefined when outside. */
function targetFileOf(ref: string, file: string): string | undefined {
  const { location } = splitRef(ref);
  if (!location) return file;
  if (isRemote(location)) return undefined;
  let decoded = location.replace(/^file:\/\//i, '');
  try {
    decoded = decodeURIComponent(decoded);
  } catch {
    // keep it as written
  }
  try {
    return path.posix.isAbsolute(decoded) ? toTreePath(decoded) : toTreePath(path.posix.join(path.posix.dirname(file), decoded));
  } catch {
    return undefined;
  }
}

/** Every `$ref` string in a parsed value. */
function collectRefs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else collectRefs(v, out);
    }
  }
  return out;
}

function unescapeToken(token: string): string {
  let t = token;
  try {
    t = decodeURIComponent(token);
  } catch {
    // keep it as written
  }
  return t.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function toPointer(path: JsonPath): string {
  return path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

function firstLine(message: string): string {
  return message.split('\n')[0];
}

