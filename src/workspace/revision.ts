/**
 * Which revision a Tree stands for, as a plan records it: a commit sha, the index, or the working
 * tree with the HEAD it is based on and whether it has uncommitted changes.
 */
import type { TreeSource } from './tree.js';

export type Revision =
  | { source: 'commit'; commit: string; rev: string }
  | { source: 'index'; head: string | null }
  | { source: 'worktree'; head: string | null; dirty: boolean };

/**
 * `ignore`: repository-relative paths that do not make the tree dirty (the rendered target file,
 * which an apply writes inside the repository).
 */
export async function revisionOf(root: string, source: TreeSource, ignore: readonly string[] = []): Promise<Revision> {
  if (source.kind === 'commit') return { source: 'commit', commit: source.sha, rev: source.rev };
  const head = await headOf(root);
  if (source.kind === 'index') return { source: 'index', head };
  if (head === null) return { source: 'worktree', head: null, dirty: true };
  const { simpleGit } = await import('simple-git');
  let dirty = true;
  try {
    const excludes = ignore.map((p) => `:(exclude)${p}`);
    const out = await simpleGit({ baseDir: root }).raw(['status', '--porcelain', '--untracked-files=all', '--', '.', ...excludes]);
    dirty = out.trim() !== '';
  } catch {
    dirty = true;
  }
  return { source: 'worktree', head, dirty };
}

/** The sha of HEAD, or null outside a repository or before the first commit. */
async function headOf(root: string): Promise<string | null> {
  try {
    const { simpleGit } = await import('simple-git');
    const sha = (await simpleGit({ baseDir: root }).raw(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'])).trim();
    return /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
  } catch {
    return null;
  }
}

/** "commit 1a2b3c4", "the index (on 1a2b3c4)", "the working tree at 1a2b3c4 with uncommitted changes". */
export function describeRevision(r: Revision): string {
  const short = (s: string | null) => (s ? s.slice(0, 7) : 'no commit');
  if (r.source === 'commit') return r.rev.startsWith(short(r.commit)) ? `commit ${short(r.commit)}` : `commit ${short(r.commit)} (${r.rev})`;
  if (r.source === 'index') return `the git index (on ${short(r.head)})`;
  return r.head === null ? 'the working tree (not in a git commit)' : `the working tree at ${short(r.head)}${r.dirty ? ' with uncommitted changes' : ''}`;
}
