import fs from 'node:fs/promises';
import path from 'node:path';
import { TreeReadError } from '../errors.js';
import { ALWAYS_IGNORED, blobId, toTreePath, type Tree, type TreeSource } from './tree.js';

/** The working directory as it is on disk. */
export class WorkTree implements Tree {
  readonly source: TreeSource = { kind: 'worktree' };
  readonly root: string;
  private realRoot: Promise<string>;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.realRoot = fs.realpath(this.root).catch(() => this.root);
  }

  describe(): string {
    return 'the working tree';
  }

  async glob(patterns: readonly string[]): Promise<string[]> {
    const { glob } = await import('tinyglobby');
    const files = await glob([...patterns], {
      cwd: this.root,
      ignore: ALWAYS_IGNORED,
      onlyFiles: true,
      dot: false,
      expandDirectories: false,
    });
    return files.map((f) => f.replace(/\\/g, '/')).sort();
  }

  async read(file: string): Promise<Buffer> {
    const rel = toTreePath(file);
    const abs = path.join(this.root, rel);
    let real: string;
    try {
      real = await fs.realpath(abs);
    } catch {
      throw new TreeReadError(rel, `${rel} does not exist in ${this.describe()}`);
    }
    const root = await this.realRoot;
    // the file-system root ('/', lint FILE… outside the current folder) already ends with a separator
    if (real !== root && !real.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) {
      throw new TreeReadError(rel, `${rel} is a link to ${real}, outside the repository`, 'Keep every file gitway reads inside the repository.');
    }
    try {
      return await fs.readFile(real);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new TreeReadError(rel, code === 'EISDIR' ? `${rel} is a folder, not a file` : `${rel} cannot be read (${code ?? String(err)})`);
    }
  }

  async fingerprint(file: string): Promise<string> {
    return blobId(await this.read(file));
  }

  async exists(file: string): Promise<boolean> {
    try {
      const stat = await fs.stat(path.join(this.root, toTreePath(file)));
      return stat.isFile();
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {}
}
