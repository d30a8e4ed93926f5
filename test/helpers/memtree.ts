/** An in-memory Tree for unit tests of the code that reads through one. */
import picomatch from 'picomatch';
import { TreeReadError } from '../../src/errors.js';
import { blobId, toTreePath, type Tree, type TreeSource } from '../../src/workspace/tree.js';

export class MemoryTree implements Tree {
  readonly source: TreeSource = { kind: 'worktree' };
  readonly root = '/memory';
  readonly reads: string[] = [];
  private readonly files: Map<string, Buffer>;

  constructor(files: Record<string, string | Buffer>) {
    this.files = new Map(Object.entries(files).map(([k, v]) => [k, Buffer.isBuffer(v) ? v : Buffer.from(v)]));
  }

  describe(): string {
    return 'the memory tree';
  }

  async glob(patterns: readonly string[]): Promise<string[]> {
    const isMatch = picomatch([...patterns]);
    return [...this.files.keys()].filter((f) => isMatch(f)).sort();
  }

  async read(file: string): Promise<Buffer> {
    const rel = toTreePath(file);
    this.reads.push(rel);
    const b = this.files.get(rel);
    if (!b) throw new TreeReadError(rel, `${rel} does not exist in ${this.describe()}`);
    return b;
  }

  async fingerprint(file: string): Promise<string> {
    return blobId(await this.read(file));
  }

  async exists(file: string): Promise<boolean> {
    return this.files.has(toTreePath(file));
  }

  async close(): Promise<void> {}
}
