/**
 * Resolves the `$ref`s of an OpenAPI document inside a Tree, never from the network, and builds the
 * "validation view": one object graph in which every reference is inlined except the ones that
 * close a cycle, which stay as internal `$ref`s to the ancestor they point back to. (swagger-parser's
 * own `circular: "ignore"` leaves whole operations un-inlined on DigitalOcean's description; this
 * does not.) Every object of the view remembers the file and JSON path it came from, so a problem
 * found in the view is reported at its source.
 */
import path from 'node:path';
import { toTreePath } from '../workspace/tree.js';
import type { JsonPath } from '../manifest/source.js';

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

export async function resolveDocument(rootFile: string, read: ReadFile): Promise<Resolved> {
  const files = new Map<string, Loaded>();
  const problems: RefProblem[] = [];
  const origins = new WeakMap<object, Origin>();
  const memo = new Map<string, unknown>();
  const stack = new Map<string, JsonPath>();
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
      const value = await parseDocumentText(file, bytes);
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

  // Phase 2 (sync): build the view.
  const walk = (value: unknown, file: string, srcPath: JsonPath, viewPath: JsonPath): unknown => {
    if (Array.isArray(value)) {
      const out: unknown[] = new Array(value.length);
      origins.set(out, { file, path: srcPath });
      for (let i = 0; i < value.length; i++) out[i] = walk(value[i], file, [...srcPath, i], [...viewPath, i]);
      return out;
    }
    if (!value || typeof value !== 'object') return value;
    const obj = value as Record<string, unknown>;
    if (typeof obj.$ref === 'string') return follow(obj, file, srcPath, viewPath);
    const out: Record<string, unknown> = {};
    origins.set(out, { file, path: srcPath });
    for (const key of Object.keys(obj)) out[key] = walk(obj[key], file, [...srcPath, key], [...viewPath, key]);
    return out;
  };

  const follow = (refObj: Record<string, unknown>, file: string, srcPath: JsonPath, viewPath: JsonPath): unknown => {
    const ref = refObj.$ref as string;
    const target = locate(ref, file, srcPath, 0);
    if (!target) return { ...refObj };
    const key = `${target.file}#${target.pointer}`;
    const siblings = Object.keys(refObj).filter((k) => k !== '$ref');
    const ancestor = stack.get(key);
    let inlined: unknown;
    if (ancestor) {
      circular = true;
      inlined = { $ref: '#' + toPointer(ancestor) };
      origins.set(inlined as object, { file, path: srcPath });
    } else if (memo.has(key)) {
      inlined = memo.get(key);
    } else {
      stack.set(key, viewPath);
      try {
        inlined = walk(target.value, target.file, target.path, viewPath);
      } finally {
        stack.delete(key);
      }
      memo.set(key, inlined);
    }
    if (siblings.length === 0 || ancestor || !inlined || typeof inlined !== 'object' || Array.isArray(inlined)) return inlined;
    // $ref with siblings (description, summary, 3.1 schema keywords): the siblings win, as in swagger-parser
    const merged: Record<string, unknown> = { ...(inlined as Record<string, unknown>) };
    origins.set(merged, { file, path: srcPath });
    for (const k of siblings) merged[k] = walk(refObj[k], file, [...srcPath, k], [...viewPath, k]);
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
  const view = walk(rootLoaded.value, rootFile, [], []);
  return { root: rootLoaded.value, view, origins, problems, files: [...files.keys()], circular };
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

