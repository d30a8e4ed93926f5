import type { Tree } from './tree.js';
import { WorkTree } from './worktree.js';

export type { Tree, TreeSource } from './tree.js';
export { looksBinary, toTreePath } from './tree.js';

export interface TreeSelection {
  /** A commit, tag or branch. */
  rev?: string;
  /** Read the git index instead of the working directory. */
  staged?: boolean;
}

/** Opens the Tree a command asked for: `--rev`, `--staged`, or the working directory. */
export async function openTree(root: string, selection: TreeSelection = {}): Promise<Tree> {
  if (selection.rev !== undefined && selection.staged) {
    const { UsageError } = await import('../errors.js');
    throw new UsageError('--rev and --staged cannot be used together', 'Pick one source: a commit (--rev) or the index (--staged).');
  }
  if (selection.rev !== undefined || selection.staged) {
    const { GitTree } = await import('./gittree.js');
    return selection.rev !== undefined ? GitTree.atRevision(root, selection.rev) : GitTree.staged(root);
  }
  return new WorkTree(root);
}
