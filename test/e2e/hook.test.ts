import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bin, git, gitway, tempRepo } from '../helpers/cli.js';

const CONFIG = 'environments:\n  local: { driver: caddy, file: out.json }\n';
const UPSTREAM = (url: string) => `apiVersion: gitway/v1\nkind: Upstream\nmetadata: { name: be }\nspec: { targets: [{ url: "${url}" }], healthCheck: { path: /h } }\n`;

function commit(dir: string, pathDir: string): { status: number; output: string } {
  const r = spawnSync('git', ['commit', '-qm', 'change'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', PATH: `${pathDir}:${process.env.PATH}`, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@e.x', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@e.x' },
  });
  return { status: r.status ?? -1, output: r.stdout + r.stderr };
}

describe('gitway hook install', () => {
  let repo: ReturnType<typeof tempRepo>;
  beforeEach(() => {
    repo = tempRepo({ 'gitway.yaml': CONFIG, 'gateway/u.yaml': UPSTREAM('http://127.0.0.1:9000'), 'shim/gitway': `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n` });
    chmodSync(path.join(repo.dir, 'shim/gitway'), 0o755);
    git(repo.dir, 'init', '-q');
  });
  afterEach(() => repo.cleanup());

  it('installs an executable hook that blocks a commit whose staged manifests are invalid', () => {
    const r = gitway(['hook', 'install'], { cwd: repo.dir });
    expect(r.status).toBe(0);
    const hook = path.join(repo.dir, '.git/hooks/pre-commit');
    expect(readFileSync(hook, 'utf8')).toContain('gitway lint --staged');
    expect(statSync(hook).mode & 0o111).not.toBe(0);

    git(repo.dir, 'add', 'gitway.yaml', 'gateway');
    expect(commit(repo.dir, path.join(repo.dir, 'shim')).status).toBe(0);

    writeFileSync(path.join(repo.dir, 'gateway/u.yaml'), UPSTREAM('not a url'));
    git(repo.dir, 'add', 'gateway');
    const blocked = commit(repo.dir, path.join(repo.dir, 'shim'));
    expect(blocked.status).not.toBe(0);
    expect(blocked.output).toContain('gateway/u.yaml');
    expect(git(repo.dir, 'log', '--oneline').trim().split('\n')).toHaveLength(1);
  });

  it('honours core.hooksPath', () => {
    git(repo.dir, 'config', 'core.hooksPath', 'githooks');
    expect(gitway(['hook', 'install'], { cwd: repo.dir }).status).toBe(0);
    expect(existsSync(path.join(repo.dir, 'githooks/pre-commit'))).toBe(true);
    expect(existsSync(path.join(repo.dir, '.git/hooks/pre-commit'))).toBe(false);
  });

  it('never overwrites a hook it did not write, unless --force (which keeps the old one)', () => {
    const hook = path.join(repo.dir, '.git/hooks/pre-commit');
    writeFileSync(hook, '#!/bin/sh\necho mine\n');
    const refused = gitway(['hook', 'install'], { cwd: repo.dir });
    expect(refused.status).toBe(3);
    expect(refused.stderr).toContain('already exists and was not written by gitway; nothing was changed');
    expect(readFileSync(hook, 'utf8')).toBe('#!/bin/sh\necho mine\n');
    expect(gitway(['hook', 'install', '--force'], { cwd: repo.dir }).status).toBe(0);
    expect(readFileSync(hook, 'utf8')).toContain('gitway lint --staged');
    expect(readFileSync(`${hook}.before-gitway`, 'utf8')).toBe('#!/bin/sh\necho mine\n');
    expect(gitway(['hook', 'install'], { cwd: repo.dir }).status).toBe(0); // its own hook is updated freely
  });
});
