import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TreeReadError } from '../../src/errors.js';
import { openTree } from '../../src/workspace/index.js';
import { WorkTree } from '../../src/workspace/worktree.js';
import { tempRepo } from '../helpers/cli.js';

describe('WorkTree', () => {
  let repo: ReturnType<typeof tempRepo>;
  let root: string;
  beforeEach(() => {
    repo = tempRepo({
      'project/gitway.yaml': 'environments: {}\n',
      'project/gateway/a.yaml': 'a: 1\n',
      'project/gateway/sub/b.yml': 'b: 2\n',
      'project/gateway/node_modules/c.yaml': 'c\n',
      'project/.gitway/local/d.yaml': 'd\n',
      'project/.hidden/e.yaml': 'e\n',
      'secret.txt': 'outside\n',
    });
    root = path.join(repo.dir, 'project');
  });
  afterEach(() => repo.cleanup());

  it('lists matching files sorted, never node_modules, .git or .gitway', async () => {
    const tree = new WorkTree(root);
    expect(await tree.glob(['gateway/**/*.yaml', 'gateway/**/*.yml', '.gitway/**/*.yaml'])).toEqual(['gateway/a.yaml', 'gateway/sub/b.yml']);
    expect(await tree.glob(['**/*.yaml'])).toEqual(['gateway/a.yaml', 'gitway.yaml']);
    expect(tree.describe()).toBe('the working tree');
    expect(tree.source).toEqual({ kind: 'worktree' });
  });

  it('reads files by repository path', async () => {
    const tree = await openTree(root);
    expect((await tree.read('gateway/a.yaml')).toString()).toBe('a: 1\n');
    expect((await tree.read('./gateway/sub/../a.yaml')).toString()).toBe('a: 1\n');
    expect(await tree.exists('gateway/a.yaml')).toBe(true);
    expect(await tree.exists('gateway')).toBe(false);
    expect(await tree.exists('../secret.txt')).toBe(false);
    await tree.close();
    await tree.close();
  });

  it('refuses paths and links that leave the repository, without reading them', async () => {
    symlinkSync(path.join(repo.dir, 'secret.txt'), path.join(root, 'gateway/link.yaml'));
    const tree = new WorkTree(root);
    await expect(tree.read('../secret.txt')).rejects.toThrow('../secret.txt is outside the repository');
    await expect(tree.read(path.join(repo.dir, 'secret.txt'))).rejects.toThrow('outside the repository');
    await expect(tree.read('gateway/link.yaml')).rejects.toThrow(/gateway\/link.yaml is a link to .*secret.txt, outside the repository/);
  });

  it('follows links that stay inside', async () => {
    mkdirSync(path.join(root, 'shared'));
    writeFileSync(path.join(root, 'shared/x.yaml'), 'x: 1\n');
    symlinkSync('../shared/x.yaml', path.join(root, 'gateway/x.yaml'));
    expect((await new WorkTree(root).read('gateway/x.yaml')).toString()).toBe('x: 1\n');
  });

  it('names the missing file and says when it is a folder', async () => {
    const tree = new WorkTree(root);
    const err = await tree.read('gateway/nope.yaml').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TreeReadError);
    expect((err as Error).message).toBe('gateway/nope.yaml does not exist in the working tree');
    await expect(tree.read('gateway')).rejects.toThrow('gateway is a folder, not a file');
  });

  it('refuses --rev together with --staged', async () => {
    await expect(openTree(root, { rev: 'HEAD', staged: true })).rejects.toThrow('--rev and --staged cannot be used together');
  });
});
