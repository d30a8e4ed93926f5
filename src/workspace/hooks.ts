/**
 * `gitway hook install`: a pre-commit hook that runs `gitway lint --staged`. It honours
 * core.hooksPath (git rev-parse --git-path hooks) and never overwrites a hook it did not write,
 * unless forced (the old hook is then kept beside it as pre-commit.before-gitway).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RevisionError, UsageError } from '../errors.js';

export const HOOK_MARK = '# gitway pre-commit hook';

export interface HookInstall {
  file: string;
  replaced: 'none' | 'gitway' | 'foreign';
  backup?: string;
}

export function hookScript(relativeRoot: string, options: { server?: boolean } = {}): string {
  const cwd = relativeRoot === '' ? '' : ` --cwd ${JSON.stringify(relativeRoot)}`;
  const server = options.server
    ? `# Runs in a gitway server (started on first use, stopped after 30 min idle); GITWAY_SERVER=off in
# your environment runs it alone.
GITWAY_SERVER="\${GITWAY_SERVER:-auto}"
export GITWAY_SERVER
`
    : '';
  return `#!/bin/sh
${HOOK_MARK} (written by \`gitway hook install\`; delete this file to remove it)
# Lints what is staged, not the working copy, so what you commit is what was checked.
${server}if [ -x ./node_modules/.bin/gitway ]; then
  exec ./node_modules/.bin/gitway lint --staged${cwd} "$@"
fi
exec gitway lint --staged${cwd} "$@"
`;
}

export async function installHook(root: string, options: { force?: boolean; server?: boolean } = {}): Promise<HookInstall> {
  const { simpleGit } = await import('simple-git');
  const git = simpleGit({ baseDir: root });
  let top: string;
  let hooks: string;
  try {
    top = (await git.raw(['rev-parse', '--show-toplevel'])).trim();
    hooks = (await git.raw(['rev-parse', '--git-path', 'hooks'])).trim();
  } catch {
    throw new RevisionError(`${root} is not inside a git repository, so there is no pre-commit hook to install`, 'Run `git init` first.');
  }
  const hooksDir = path.resolve(root, hooks);
  const file = path.join(hooksDir, 'pre-commit');
  const relativeRoot = path.relative(top, root).split(path.sep).join('/');
  let replaced: HookInstall['replaced'] = 'none';
  let backup: string | undefined;
  if (existsSync(file)) {
    const current = readFileSync(file, 'utf8');
    if (current.includes(HOOK_MARK)) replaced = 'gitway';
    else if (!options.force) {
      throw new UsageError(`${file} already exists and was not written by gitway; nothing was changed`, 'Run `gitway hook install --force` to replace it (the old hook is kept as pre-commit.before-gitway), or call `gitway lint --staged` from it yourself.');
    } else {
      replaced = 'foreign';
      backup = `${file}.before-gitway`;
      renameSync(file, backup);
    }
  }
  mkdirSync(hooksDir, { recursive: true });
  writeFileSync(file, hookScript(relativeRoot, { server: options.server }));
  chmodSync(file, 0o755);
  return { file, replaced, backup };
}
