/**
 * A content-addressed result cache under .gitway/cache: a result is stored with the fingerprint (git's
 * blob id) of every file it was computed from, and served only while all of them are the same. So an
 * unchanged tree re-validates and re-lints almost instantly, whichever Tree (work tree, index,
 * commit) it is read from; from the index or a commit, checking a result reads no file at all.
 * A cache that cannot be read or written only costs time.
 */
import { createHash } from 'node:crypto';
import { promises as fsp, readFileSync } from 'node:fs';
import path from 'node:path';
import { warm } from './workers/warm.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
/** Changes when what an entry's deps mean changes. */
const FORMAT = 'blob-ids';

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
    return path.join(this.dir, `${sha256(`${VERSION}\u0000${FORMAT}\u0000${this.salt}\u0000${key}`)}.json`);
  }

  /** The value stored under `key`, when every file it depends on still has the same fingerprint. */
  async get(key: string, fingerprint: (file: string) => Promise<string>): Promise<T | undefined> {
    if (!this.enabled) return undefined;
    let entry: Entry<T>;
    try {
      entry = await this.read(this.fileFor(key));
    } catch {
      return undefined;
    }
    for (const [file, hash] of Object.entries(entry.deps)) {
      try {
        if ((await fingerprint(file)) !== hash) return undefined;
      } catch {
        return undefined;
      }
    }
    return entry.value;
  }

  /**
   * An entry file, parsed. A long-lived process (gitway server) keeps entries it has parsed, frozen
   * (callers share them), while the file's size, time and inode are the same.
   */
  private async read(file: string): Promise<Entry<T>> {
    const memo = warm()?.entries;
    if (!memo) return JSON.parse(await fsp.readFile(file, 'utf8')) as Entry<T>;
    const stamp = stampOf(await fsp.stat(file));
    const known = memo.get(file, stamp) as Entry<T> | undefined;
    if (known) return known;
    const entry = deepFreeze(JSON.parse(await fsp.readFile(file, 'utf8')) as Entry<T>);
    memo.set(file, stamp, entry);
    return entry;
  }

  /** Stores a result with the fingerprints of the files it was computed from. */
  async set(key: string, deps: Map<string, string>, value: T): Promise<void> {
    if (!this.enabled) return;
    try {
      const target = this.fileFor(key);
      await fsp.mkdir(path.dirname(target), { recursive: true });
      // the cache never belongs in git, whatever the repository's own .gitignore says
      await fsp.writeFile(path.join(this.base, '.gitignore'), '*\n', { flag: 'wx' }).catch(() => undefined);
      const entry: Entry<T> = { deps: Object.fromEntries(deps), value };
      const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      await fsp.writeFile(tmp, JSON.stringify(entry));
      await fsp.rename(tmp, target);
      const memo = warm()?.entries;
      if (memo) memo.set(target, stampOf(await fsp.stat(target)), deepFreeze(entry));
    } catch {
      // best effort
    }
  }
}

const stampOf = (st: { size: number; mtimeMs: number; ino: number }) => `${st.size}:${st.mtimeMs}:${st.ino}`;

function deepFreeze<V>(value: V): V {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
