import { writeFileSync, readFileSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { RevisionError, TreeReadError } from '../../src/errors.js';
import { GitTree } from '../../src/workspace/gittree.js';
import { openTree } from '../../src/workspace/index.js';
import { blobId } from '../../src/workspace/tree.js';
import { WorkTree } from '../../src/workspace/worktree.js';
import { git, tempRepo } from '../helpers/cli.js';

describe('GitTree', () => {
  let repo: ReturnType<typeof tempRepo>;
  let first: string;
  beforeAll(() => {
    const files: Record<string, string | Buffer> = {
      'gitway.yaml': 'environments: {}\n',
      'gateway/a.yaml': 'version: 1\n',
      'gateway/with space ü.yaml': 'unicode: true\n',
      'gateway/empty.yaml': '',
      'gateway/binary.yaml': Buffer.from([0, 1, 2, 3, 255]),
      'apis/big.json': JSON.stringify({ items: Array.from({ length: 20000 }, (_, i) => `item-${i}`) }),
      'node_modules/x/y.yaml': 'ignored\n',
    };
    for (let i = 0; i < 150; i++) files[`many/f${String(i).padStart(3, '0')}.yaml`] = `n: ${i}\n`;
    repo = tempRepo(files);
    git(repo.dir, 'init', '-q', '-b', 'main');
    git(repo.dir, 'add', '-A');
    git(repo.dir, 'commit', '-qm', 'first');
    git(repo.dir, 'tag', 'v1');
    first = git(repo.dir, 'rev-parse', 'HEAD').trim();
    writeFileSync(path.join(repo.dir, 'gateway/a.yaml'), 'version: 2\n');
    git(repo.dir, 'commit', '-qam', 'second');
    writeFileSync(path.join(repo.dir, 'gateway/a.yaml'), 'version: 3\n');
    git(repo.dir, 'add', 'gateway/a.yaml');
    writeFileSync(path.join(repo.dir, 'gateway/a.yaml'), 'version: 4\n');
  });
  afterAll(() => repo.cleanup());

  it('reads a commit by sha, short sha, tag and branch, never the disk', async () => {
    for (const [rev, expected] of [
      [first, 'version: 1\n'],
      [first.slice(0, 8), 'version: 1\n'],
      ['v1', 'version: 1\n'],
      ['main', 'version: 2\n'],
      ['HEAD', 'version: 2\n'],
      ['HEAD~1', 'version: 1\n'],
    ]) {
      const tree = await GitTree.atRevision(repo.dir, rev);
      try {
        expect((await tree.read('gateway/a.yaml')).toString()).toBe(expected);
      } finally {
        await tree.close();
      }
    }
  });

  it('reads the index with --staged', async () => {
    const tree = await openTree(repo.dir, { staged: true });
    try {
      expect(tree.source).toEqual({ kind: 'index' });
      expect((await tree.read('gateway/a.yaml')).toString()).toBe('version: 3\n');
      expect(tree.describe()).toBe('the git index');
    } finally {
      await tree.close();
    }
    expect(readFileSync(path.join(repo.dir, 'gateway/a.yaml'), 'utf8')).toBe('version: 4\n');
  });

  it('fingerprints a file by its blob id without reading it, as the working tree does by hashing it', async () => {
    const staged = await openTree(repo.dir, { staged: true });
    const work = new WorkTree(repo.dir);
    try {
      for (const file of ['gateway/a.yaml', 'apis/big.json', 'gateway/binary.yaml', 'gateway/empty.yaml']) {
        const expected = git(repo.dir, 'hash-object', file).trim();
        if (file !== 'gateway/a.yaml') expect(await work.fingerprint(file)).toBe(expected);
        const indexed = git(repo.dir, 'rev-parse', `:${file}`).trim();
        expect(await staged.fingerprint(file)).toBe(indexed);
      }
      // the index holds version 3, the disk version 4: two contents, two fingerprints
      expect(await staged.fingerprint('gateway/a.yaml')).not.toBe(await work.fingerprint('gateway/a.yaml'));
      expect(blobId('version: 3\n')).toBe(await staged.fingerprint('gateway/a.yaml'));
      await expect(staged.fingerprint('gateway/missing.yaml')).rejects.toThrow(TreeReadError);
    } finally {
      await staged.close();
      await work.close();
    }
  });

  it('describes the commit it reads', async () => {
    const tree = await GitTree.atRevision(repo.dir, 'v1');
    expect(tree.describe()).toBe(`commit ${first.slice(0, 7)} (v1)`);
    expect(tree.source).toEqual({ kind: 'commit', rev: 'v1', sha: first });
    await tree.close();
    const bySha = await GitTree.atRevision(repo.dir, first);
    expect(bySha.describe()).toBe(`commit ${first.slice(0, 7)}`);
    await bySha.close();
  });

  it('reads many blobs at once, big, empty, binary and oddly named ones, through one process', async () => {
    const tree = await GitTree.atRevision(repo.dir, 'v1');
    try {
      const many = await tree.glob(['many/*.yaml']);
      expect(many).toHaveLength(150);
      // a big blob (many pipe chunks) asked for between small ones
      const [texts, bigFirst] = await Promise.all([Promise.all(many.map(async (f) => (await tree.read(f)).toString())), tree.read('apis/big.json')]);
      texts.forEach((t, i) => expect(t).toBe(`n: ${i}\n`));
      expect(bigFirst.length).toBe(readFileSync(path.join(repo.dir, 'apis/big.json')).length);
      const big = JSON.parse((await tree.read('apis/big.json')).toString()) as { items: string[] };
      expect(big.items).toHaveLength(20000);
      expect(big.items[19999]).toBe('item-19999');
      expect((await tree.read('gateway/empty.yaml')).length).toBe(0);
      expect([...(await tree.read('gateway/binary.yaml'))]).toEqual([0, 1, 2, 3, 255]);
      expect((await tree.read('gateway/with space ü.yaml')).toString()).toBe('unicode: true\n');
      expect(await tree.glob(['gateway/*.yaml'])).toEqual(['gateway/a.yaml', 'gateway/binary.yaml', 'gateway/empty.yaml', 'gateway/with space ü.yaml']);
      expect(await tree.glob(['**/*.yaml'])).not.toContain('node_modules/x/y.yaml');
    } finally {
      await tree.close();
    }
  });

  it('refuses paths outside the repository and names what is missing', async () => {
    const tree = await GitTree.atRevision(repo.dir, 'v1');
    try {
      await expect(tree.read('../outside.yaml')).rejects.toThrow('outside the repository');
      expect(await tree.exists('../outside.yaml')).toBe(false);
      const err = await tree.read('gateway/nope.yaml').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TreeReadError);
      expect((err as Error).message).toBe(`gateway/nope.yaml does not exist in commit ${first.slice(0, 7)} (v1)`);
      await expect(tree.read('gateway')).rejects.toThrow('gateway is a folder, not a file');
    } finally {
      await tree.close();
      await tree.close();
    }
  });

  it('turns an unknown revision into a RevisionError naming it', async () => {
    for (const rev of ['no-such-branch', 'v999', '0000000000000000000000000000000000000000', 'HEAD~50', '--output=/tmp/x', 'main:gitway.yaml']) {
      const err = await GitTree.atRevision(repo.dir, rev).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RevisionError);
      expect((err as RevisionError).exitCode).toBe(3);
      expect((err as Error).message).toContain(`'${rev}'`);
    }
  });

  it('lists only the gitway root when it is a subfolder of the repository', async () => {
    const sub = tempRepo({ 'svc/gw/gitway.yaml': 'environments: {}\n', 'svc/gw/gateway/a.yaml': 'a: 1\n', 'other/gateway/b.yaml': 'b: 1\n' });
    try {
      git(sub.dir, 'init', '-q');
      git(sub.dir, 'add', '-A');
      git(sub.dir, 'commit', '-qm', 'x');
      for (const tree of [await GitTree.atRevision(path.join(sub.dir, 'svc/gw'), 'HEAD'), await GitTree.staged(path.join(sub.dir, 'svc/gw'))]) {
        expect(await tree.glob(['**/*.yaml'])).toEqual(['gateway/a.yaml', 'gitway.yaml']);
        expect((await tree.read('gateway/a.yaml')).toString()).toBe('a: 1\n');
        await expect(tree.read('../../other/gateway/b.yaml')).rejects.toThrow('outside the repository');
        await tree.close();
      }
    } finally {
      sub.cleanup();
    }
  });

  it('follows symbolic links as the working tree does', async () => {
    const linked = tempRepo({ 'gw/gitway.yaml': 'environments: {}\n', 'gw/shared/a.yaml': 'a: 1\n', 'gw/shared/deep/b.yaml': 'b: 1\n', 'outside.yaml': 'secret: 1\n' });
    try {
      const gw = path.join(linked.dir, 'gw');
      mkdirSync(path.join(gw, 'gateway'));
      symlinkSync('../shared/a.yaml', path.join(gw, 'gateway/a.yaml'));
      symlinkSync('../shared', path.join(gw, 'gateway/shared'));
      symlinkSync('../../outside.yaml', path.join(gw, 'gateway/out.yaml'));
      git(linked.dir, 'init', '-q');
      git(linked.dir, 'add', '-A');
      git(linked.dir, 'commit', '-qm', 'links');
      const work = new WorkTree(gw);
      const patterns = ['gateway/**/*.yaml'];
      const expected = ['gateway/a.yaml', 'gateway/out.yaml', 'gateway/shared/a.yaml', 'gateway/shared/deep/b.yaml'];
      expect(await work.glob(patterns)).toEqual(expected);
      for (const tree of [await GitTree.atRevision(gw, 'HEAD'), await GitTree.staged(gw)]) {
        try {
          expect(await tree.glob(patterns)).toEqual(expected);
          expect((await tree.read('gateway/a.yaml')).toString()).toBe('a: 1\n');
          expect((await tree.read('gateway/shared/deep/b.yaml')).toString()).toBe('b: 1\n');
          await expect(tree.read('gateway/out.yaml')).rejects.toThrow('gateway/out.yaml is a link to ../../outside.yaml, outside the repository');
          await expect(work.read('gateway/out.yaml')).rejects.toThrow('outside the repository');
        } finally {
          await tree.close();
        }
      }
    } finally {
      linked.cleanup();
    }
  });

  it('refuses a folder that is not in a git repository', async () => {
    const plain = tempRepo({ 'gitway.yaml': 'x\n' });
    try {
      mkdirSync(path.join(plain.dir, 'sub'));
      const env = { ...process.env };
      process.env.GIT_CEILING_DIRECTORIES = path.dirname(plain.dir);
      try {
        await expect(GitTree.staged(plain.dir)).rejects.toThrow('is not inside a git repository');
        await expect(GitTree.atRevision(path.join(plain.dir, 'missing'), 'HEAD')).rejects.toThrow('does not exist');
      } finally {
        process.env = env;
      }
    } finally {
      plain.cleanup();
    }
  });
});
