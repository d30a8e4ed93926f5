import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bin, git, gitway, tempRepo } from '../helpers/cli.js';

const CONFIG = 'environments:\n  local: { driver: caddy, file: out.json }\n';
const UPSTREAM = (url: string) => `apiVersion: gitway/v1\nkind: Upstream\nmetadata: { name: be }\nspec: { targets: [{ url: "${url}" }], healthCheck: { path: /h } }\n`;

function commit(dir: string, pathDir: string, env: Record<string, string> = { GITWAY_SERVER: 'off' }): { status: number; output: string } {
  const r = spawnSync('git', ['commit', '-qm', 'change'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', PATH: `${pathDir}:${process.env.PATH}`, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@e.x', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@e.x', ...env },
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

  it('--server: the hook starts a gitway server on the first commit and the next commits lint in it (blocking as before)', async () => {
    const serverDir = mkdtempSync(path.join(os.tmpdir(), 'gitway-hook-server-'));
    const env = { GITWAY_SERVER_DIR: serverDir };
    const status = () => JSON.parse(gitway(['server', 'status', '--format', 'json'], { cwd: repo.dir, env }).stdout) as { running: boolean; pid?: number; served?: number };
    try {
      const r = gitway(['hook', 'install', '--server'], { cwd: repo.dir });
      expect(r.stdout).toContain('every commit now runs gitway lint --staged, in a gitway server it starts on the first commit');
      expect(readFileSync(path.join(repo.dir, '.git/hooks/pre-commit'), 'utf8')).toContain('GITWAY_SERVER="${GITWAY_SERVER:-auto}"');
      // the commit's environment has no GITWAY_SERVER: the hook's default (auto) applies
      const shim = path.join(repo.dir, 'shim');
      git(repo.dir, 'add', 'gitway.yaml', 'gateway');
      expect(commit(repo.dir, shim, env).status).toBe(0);
      let s = status();
      for (const until = Date.now() + 20_000; !s.running && Date.now() < until; s = status()) await new Promise((done) => setTimeout(done, 200));
      expect(s).toEqual(expect.objectContaining({ running: true, served: 0 }));

      writeFileSync(path.join(repo.dir, 'gateway/u.yaml'), UPSTREAM('not a url'));
      git(repo.dir, 'add', 'gateway');
      const blocked = commit(repo.dir, shim, env);
      expect(blocked.status).not.toBe(0);
      expect(blocked.output).toContain('gateway/u.yaml');
      expect(status().served).toBe(1);
      // GITWAY_SERVER=off in the committer's environment still wins
      expect(commit(repo.dir, shim, { ...env, GITWAY_SERVER: 'off' }).status).not.toBe(0);
      expect(status().served).toBe(1);
    } finally {
      const s = status();
      if (s.running && s.pid) process.kill(s.pid, 'SIGKILL');
      rmSync(serverDir, { recursive: true, force: true });
    }
  });
});
