/** Which files changed since a revision: what `lint --since REV` looks at. */

/**
 * Paths (relative to root) that differ between REV and the working tree (or the index when
 * `staged`), including untracked files that git does not ignore.
 */
export async function changedSince(root: string, rev: string, staged = false): Promise<string[]> {
  const { gitAt, resolveRevision } = await import('./gittree.js');
  const git = await gitAt(root);
  await resolveRevision(git, root, rev);
  const diff = await git.raw(['diff', '--name-only', '--relative', '-z', ...(staged ? ['--cached'] : []), rev, '--']);
  const files = new Set(diff.split('\0').filter(Boolean));
  if (!staged) for (const f of (await git.raw(['ls-files', '--others', '--exclude-standard', '-z'])).split('\0').filter(Boolean)) files.add(f);
  return [...files].sort();
}
