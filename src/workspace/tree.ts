/**
 * A Tree lists and reads the files of a gitway repository from one of three sources: the working
 * directory, the git index (`--staged`) or any commit (`--rev REV`). It never checks anything out and
 * never writes to the working tree or the index. Paths are relative to the gitway root (the folder of
 * gitway.yaml) with forward slashes.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { TreeReadError } from '../errors.js';

export type TreeSource =
  | { kind: 'worktree' }
  | { kind: 'index' }
  | { kind: 'commit'; rev: string; sha: string };

export interface Tree {
  readonly source: TreeSource;
  /** Absolute directory of the gitway root on disk (names files in messages; git trees never read it). */
  readonly root: string;
  /** Words for messages: "the working tree", "the index", "commit 1a2b3c4 (v1.2)". */
  describe(): string;
  /** Files matching any of the glob patterns (picomatch syntax), sorted. */
  glob(patterns: readonly string[]): Promise<string[]>;
  /** The bytes of one file. Throws TreeReadError when it is missing or outside the repository. */
  read(file: string): Promise<Buffer>;
  exists(file: string): Promise<boolean>;
  /**
   * The identity of one file's content: git's blob id of the bytes `read` returns. The index and
   * commits know it without reading the file; the working tree hashes the file.
   */
  fingerprint(file: string): Promise<string>;
  /** Releases any helper process. Safe to call twice. */
  close(): Promise<void>;
}

/** Folders never listed by a glob, whatever the pattern says. */
export const ALWAYS_IGNORED = ['**/node_modules/**', '.git/**', '.gitway/**'];

/**
 * Normalises a repository-relative path and refuses one that leaves the repository
 * (absolute, or climbing above the root with `..`).
 */
export function toTreePath(file: string): string {
  const posix = file.replace(/\\/g, '/');
  if (posix.startsWith('/') || /^[a-zA-Z]:\//.test(posix)) {
    throw new TreeReadError(file, `${file} is outside the repository`, 'Keep every file gitway reads inside the repository.');
  }
  const normal = path.posix.normalize(posix);
  if (normal === '..' || normal.startsWith('../')) {
    throw new TreeReadError(file, `${file} is outside the repository`, 'Keep every file gitway reads inside the repository.');
  }
  return normal === '.' ? '' : normal.replace(/^\.\//, '');
}

/** git's blob id of some bytes (what `git hash-object` prints for them). */
export function blobId(bytes: Buffer | string): string {
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  return createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
}

/** True when the first 8 KiB hold a NUL byte: what git itself calls binary. */
export function looksBinary(bytes: Buffer): boolean {
  return bytes.subarray(0, 8192).includes(0);
}
