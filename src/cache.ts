/**
 * A content-addressed result cache under .gitway/cache: a result is stored with the hashes of every
 * file it was computed from, and served only while all of them still hash the same. So an unchanged
 * tree re-validates and re-lints almost instantly, whichever Tree (work tree, index, commit) it is
 * read from. A cache that cannot be read or written only costs time.
 */
import { createHash } from 'node:crypto';
import { promises as fsp, readFileSync } from 'node:fs';
import path from 'node:path';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

interface Entry<T> {
  deps: Record<string, string>;
  value: T;
}

export class ResultCache<T> {
  private readonly dir: string;

  /** `salt` holds everything else the result depends on (the ruleset, options). */
  private readonly base: string;

  constructor(
    root: string,
    namespace: string,
    private readonly salt: string,
    private readonly enabled = true,
  ) {
    this.base = path.join(root, '.gitway', 'cache');
    this.dir = path.join(this.base, namespace);
  }

  private fileFor(key: string): string {
    return path.join(this.dir, `${sha256(`${VERSION}\u0000${this.salt}\u0000${key}`)}.json`);
  }

  async get(key: string, read: (file: string) => Promise<Buffer>): Promise<T | undefined> {
    if (!this.enabled) return undefined;
    let entry: Entry<T>;
    try {
      entry = JSON.parse(await fsp.readFile(this.fileFor(key), 'utf8')) as Entry<T>;
    } catch {
      return undefined;
    }
    for (const [file, hash] of Object.entries(entry.deps)) {
      try {
        if (sha256(await read(file)) !== hash) return undefined;
      } catch {
        return undefined;
      }
    }
    return entry.value;
  }

  /** Stores a result with the content of the files it was computed from. */
  async set(key: string, deps: Map<string, Buffer | string>, value: T): Promise<void> {
    if (!this.enabled) return;
    try {
      const target = this.fileFor(key);
      await fsp.mkdir(path.dirname(target), { recursive: true });
      // the cache never belongs in git, whatever the repository's own .gitignore says
      await fsp.writeFile(path.join(this.base, '.gitignore'), '*\n', { flag: 'wx' }).catch(() => undefined);
      const entry: Entry<T> = { deps: Object.fromEntries([...deps].map(([f, c]) => [f, sha256(c)])), value };
      const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      await fsp.writeFile(tmp, JSON.stringify(entry));
      await fsp.rename(tmp, target);
    } catch {
      // best effort
    }
  }
}
