/**
 * The git index and any commit, read through git's object database: `ls-files`/`ls-tree` list,
 * one long-lived `git cat-file --batch` reads blobs (a process per file would cost seconds on a
 * multi-file OpenAPI description of thousands of files). Nothing is checked out.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import picomatch from 'picomatch';
import type { SimpleGit } from 'simple-git';
import { RevisionError, TreeReadError } from '../errors.js';
import { ALWAYS_IGNORED, toTreePath, type Tree, type TreeSource } from './tree.js';

interface Entry {
  mode: string;
  sha: string;
}

export class GitTree implements Tree {
  readonly source: TreeSource;
  readonly root: string;
  private readonly entries: Map<string, Entry>;
  /** Links that lead outside the root, with their target as written. */
  private readonly outside = new Map<string, string>();
  private readonly blobs: BlobReader;

  private constructor(root: string, source: TreeSource, entries: Map<string, Entry>) {
    this.root = root;
    this.source = source;
    this.entries = entries;
    this.blobs = new BlobReader(root);
  }

  /** The tree of a commit, tag or branch. A name git does not know is a RevisionError (exit 3). */
  static async atRevision(root: string, rev: string): Promise<GitTree> {
    const git = await gitAt(root);
    const sha = await resolveRevision(git, root, rev);
    const out = await git.raw(['ls-tree', '-r', '-z', sha]);
    const entries = new Map<string, Entry>();
    for (const record of out.split('\0')) {
      if (!record) continue;
      const tab = record.indexOf('\t');
      const [mode, type, objectSha] = record.slice(0, tab).split(' ');
      if (type !== 'blob') continue; // submodules are not config
      entries.set(record.slice(tab + 1), { mode, sha: objectSha });
    }
    return new GitTree(root, { kind: 'commit', rev, sha }, entries).followLinks();
  }

  /** What `git add` has staged: the content a commit made now would hold. */
  static async staged(root: string): Promise<GitTree> {
    const git = await gitAt(root);
    const out = await git.raw(['ls-files', '-s', '-z']);
    const entries = new Map<string, Entry>();
    for (const record of out.split('\0')) {
      if (!record) continue;
      const tab = record.indexOf('\t');
      const [mode, objectSha, stage] = record.slice(0, tab).split(' ');
      const file = record.slice(tab + 1);
      if (mode === '160000') continue;
      // An unmerged path has stages 1-3 and no stage 0: keep "ours" (2) so the file is still seen.
      if (stage === '0' || (stage === '2' && !entries.has(file))) entries.set(file, { mode, sha: objectSha });
    }
    return new GitTree(root, { kind: 'index' }, entries).followLinks();
  }

  /**
   * Symbolic links, as the working tree sees them: a link to a file or folder inside the root reads
   * as its target; a link that leads outside is listed but refused on read, as WorkTree does.
   */
  private async followLinks(): Promise<this> {
    const linkEntries = [...this.entries].filter(([, entry]) => entry.mode === '120000');
    if (linkEntries.length === 0) return this;
    let targets: Buffer[];
    try {
      targets = await Promise.all(linkEntries.map(([, entry]) => this.blobs.read(entry.sha)));
    } catch (err) {
      this.blobs.close();
      throw err;
    }
    const links = new Map<string, string>(linkEntries.map(([file], i) => [file, targets[i].toString('utf8')]));
    for (const link of links.keys()) this.entries.delete(link);
    const files = [...this.entries.keys()];
    /** The path a link path stands for, following links in it; undefined when it leaves the root. */
    const resolve = (p: string): string | undefined => {
      let current = p;
      for (let depth = 0; depth < 40; depth++) {
        const link = [...links.keys()].find((l) => current === l || current.startsWith(l + '/'));
        if (!link) return current;
        const target = links.get(link)!;
        if (path.posix.isAbsolute(target) || /^[a-zA-Z]:[\\/]/.test(target)) return undefined;
        try {
          current = toTreePath(path.posix.join(path.posix.dirname(link), target) + current.slice(link.length));
        } catch {
          return undefined;
        }
      }
      return undefined; // a loop of links
    };
    for (const [link, target] of links) {
      const resolved = resolve(link);
      if (resolved === undefined) {
        this.outside.set(link, target);
        continue;
      }
      const file = this.entries.get(resolved);
      if (file) {
        this.entries.set(link, file);
        continue;
      }
      for (const f of files) if (f.startsWith(resolved + '/')) this.entries.set(link + f.slice(resolved.length), this.entries.get(f)!);
    }
    return this;
  }

  describe(): string {
    if (this.source.kind === 'index') return 'the git index';
    if (this.source.kind === 'commit') {
      const short = this.source.sha.slice(0, 7);
      return this.source.rev.startsWith(short) ? `commit ${short}` : `commit ${short} (${this.source.rev})`;
    }
    return 'the working tree';
  }

  async glob(patterns: readonly string[]): Promise<string[]> {
    const isMatch = picomatch([...patterns], { dot: false, ignore: ALWAYS_IGNORED });
    return [...this.entries.keys(), ...this.outside.keys()].filter((f) => isMatch(f)).sort();
  }

  async read(file: string): Promise<Buffer> {
    const rel = toTreePath(file);
    const target = this.outside.get(rel);
    if (target !== undefined) throw new TreeReadError(rel, `${rel} is a link to ${target}, outside the repository`, 'Keep every file gitway reads inside the repository.');
    const entry = this.entries.get(rel);
    if (!entry) {
      const isFolder = [...this.entries.keys()].some((k) => k.startsWith(rel + '/'));
      throw new TreeReadError(rel, isFolder ? `${rel} is a folder, not a file` : `${rel} does not exist in ${this.describe()}`);
    }
    return this.blobs.read(entry.sha);
  }

  /** The blob id the index or commit records: nothing is read. */
  async fingerprint(file: string): Promise<string> {
    const rel = toTreePath(file);
    const entry = this.outside.has(rel) ? undefined : this.entries.get(rel);
    return entry ? entry.sha : this.read(rel).then(() => ''); // read throws the right error
  }

  async exists(file: string): Promise<boolean> {
    try {
      return this.entries.has(toTreePath(file));
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.blobs.close();
  }
}

/** The commit sha a revision names; a RevisionError (exit 3) naming it when git does not know it. */
export async function resolveRevision(git: SimpleGit, root: string, rev: string): Promise<string> {
  if (rev.startsWith('-')) throw new RevisionError(`revision '${rev}' is not a valid revision name`);
  let sha: string;
  try {
    sha = (await git.raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`])).trim();
  } catch {
    sha = '';
  }
  if (!/^[0-9a-f]{40,64}$/.test(sha)) {
    throw new RevisionError(
      `revision '${rev}' does not exist in the repository at ${root}`,
      'Give a commit sha, a tag or a branch that `git rev-parse` knows; fetch it first in a shallow CI clone.',
    );
  }
  return sha;
}

export async function gitAt(root: string): Promise<SimpleGit> {
  const { existsSync } = await import('node:fs');
  if (!existsSync(root)) {
    throw new RevisionError(`the folder ${root} does not exist, so git cannot be asked about it`, 'Run gitway from a folder of the repository, or point at gitway.yaml with --cwd DIR or --config FILE.');
  }
  const { simpleGit } = await import('simple-git');
  const git = simpleGit({ baseDir: root });
  let inside = false;
  try {
    inside = (await git.raw(['rev-parse', '--is-inside-work-tree'])).trim() === 'true';
  } catch (err) {
    if (/ENOENT/.test(String((err as Error).message))) {
      throw new RevisionError('git is not installed (or not on the PATH), so --rev and --staged cannot be used', 'Install git, or drop --rev/--staged to read the working tree.', err);
    }
    inside = false;
  }
  if (!inside) {
    throw new RevisionError(
      `${root} is not inside a git repository, so --rev and --staged cannot be used there`,
      'Run `git init` and commit, or drop --rev/--staged to read the working tree.',
    );
  }
  return git;
}

/** Reads blobs by sha through one `git cat-file --batch` process, in request order. */
class BlobReader {
  private proc?: ChildProcessWithoutNullStreams;
  private buffer: Buffer = Buffer.alloc(0);
  /** Chunks received since `buffer` was last joined, and how many bytes the object being read needs in all. */
  private parts: Buffer[] = [];
  private length = 0;
  private need = 0;
  private queue: { sha: string; resolve: (b: Buffer) => void; reject: (e: Error) => void }[] = [];
  private readonly cache = new Map<string, Promise<Buffer>>();

  constructor(private readonly cwd: string) {}

  read(sha: string): Promise<Buffer> {
    let pending = this.cache.get(sha);
    if (!pending) {
      pending = new Promise<Buffer>((resolve, reject) => {
        this.queue.push({ sha, resolve, reject });
        this.start().stdin.write(sha + '\n');
      });
      this.cache.set(sha, pending);
    }
    return pending;
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.proc) return this.proc;
    const proc = spawn('git', ['cat-file', '--batch'], { cwd: this.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    proc.stdout.on('data', (chunk: Buffer) => {
      this.parts.push(chunk);
      this.length += chunk.length;
      // A large blob comes in many chunks: join them once it is complete, not once per chunk.
      if (this.length < this.need) return;
      this.buffer = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.length);
      this.parts = [this.buffer];
      this.drain();
    });
    const fail = (err: Error) => {
      for (const item of this.queue.splice(0)) item.reject(err);
      this.proc = undefined;
    };
    proc.on('error', fail);
    proc.on('exit', (code) => {
      if (this.queue.length) fail(new Error(`git cat-file exited with code ${code}`));
    });
    proc.unref();
    (proc.stdout as unknown as { unref?: () => void }).unref?.();
    this.proc = proc;
    return proc;
  }

  private drain(): void {
    for (;;) {
      const head = this.queue[0];
      if (!head) return;
      const nl = this.buffer.indexOf(10);
      if (nl < 0) return;
      const header = this.buffer.subarray(0, nl).toString('utf8');
      if (header.endsWith(' missing')) {
        this.setBuffer(this.buffer.subarray(nl + 1));
        this.queue.shift();
        head.reject(new Error(`git object ${head.sha} is missing`));
        continue;
      }
      const size = Number(header.split(' ')[2]);
      if (this.buffer.length < nl + 1 + size + 1) {
        this.need = nl + 1 + size + 1;
        return;
      }
      const body = Buffer.from(this.buffer.subarray(nl + 1, nl + 1 + size));
      this.setBuffer(this.buffer.subarray(nl + 1 + size + 1));
      this.queue.shift();
      head.resolve(body);
    }
  }

  private setBuffer(rest: Buffer): void {
    this.buffer = rest;
    this.parts = [rest];
    this.length = rest.length;
    this.need = 0;
  }

  close(): void {
    if (this.proc) {
      this.proc.stdin.end();
      this.proc = undefined;
    }
  }
}

