/**
 * --rev and --staged read git's objects, never the disk, and leave the working tree and the index
 * exactly as they were.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { git, gitway, stylishFindings, tempRepo, type CliResult } from '../helpers/cli.js';

const GITWAY_YAML = `environments:
  local:
    driver: caddy
    file: .gitway/local/caddy.json
    vars:
      web_upstream: http://127.0.0.1:9001
`;

const OPENAPI = `openapi: 3.0.3
info:
  title: Items
  version: 1.0.0
paths:
  /items:
    get:
      responses:
        '200':
          description: The items
          content:
            application/json:
              schema:
                $ref: './schemas/item.yaml'
`;

const ITEM_V1 = 'type: object\nproperties:\n  id:\n    type: string\n';
const ITEM_BROKEN = 'type: object\nproperties:\n  id:\n    $ref: "#/definitions/Id"\n';

const MANIFESTS = `apiVersion: gitway/v1
kind: API
metadata:
  name: web
spec:
  openapi: apis/web.yaml
  upstream: web-backend
---
apiVersion: gitway/v1
kind: Upstream
metadata:
  name: web-backend
spec:
  targets:
    - url: \${var.web_upstream}
`;

const BROKEN_MANIFEST = MANIFESTS.replace('  upstream: web-backend\n', '  upstream: web-backend\n  retries: 3\n');

const files = (prefix = '') => ({
  [`${prefix}gitway.yaml`]: GITWAY_YAML,
  [`${prefix}apis/web.yaml`]: OPENAPI,
  [`${prefix}apis/schemas/item.yaml`]: ITEM_V1,
  [`${prefix}gateway/web.yaml`]: MANIFESTS,
});

function ok(r: CliResult, source: string | RegExp): void {
  expect(r.stderr).toBe('');
  expect(r.stdout).toMatch(/✔ 2 manifests and 1 OpenAPI document \(1 operations\) are valid for environment 'local'/);
  if (typeof source === 'string') expect(r.stdout).toContain(`(${source}).`);
  else expect(r.stdout).toMatch(source);
  expect(r.status).toBe(0);
}

function fails(r: CliResult, file: string, line: number, column: number, message: string): void {
  expect(r.status).toBe(3);
  const found = stylishFindings(r.stdout);
  expect(found).toHaveLength(1);
  expect(found[0]).toMatchObject({ file, line, column, severity: 'error' });
  expect(found[0].message).toContain(message);
}

/** Everything git knows about the working tree and the index, to compare before and after a run. */
function gitState(dir: string): string {
  // the index file's bytes first; --no-optional-locks keeps `git status` itself from refreshing it
  const index = createHash('sha256').update(readFileSync(path.join(dir, '.git/index'))).digest('hex');
  const status = git(dir, '--no-optional-locks', 'status', '--porcelain=v1', '--untracked-files=all', '--ignored');
  return [index, status, git(dir, 'ls-files', '-s'), git(dir, 'stash', 'list'), git(dir, 'rev-parse', 'HEAD'), git(dir, 'symbolic-ref', '-q', 'HEAD')].join('\n--\n');
}

describe('validate --rev and --staged', () => {
  let repo: ReturnType<typeof tempRepo>;
  let dir: string;
  let v1: string;
  let v2: string;
  beforeAll(() => {
    repo = tempRepo(files());
    dir = repo.dir;
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'v1: valid');
    git(dir, 'tag', 'v1');
    git(dir, 'branch', 'release');
    v1 = git(dir, 'rev-parse', 'HEAD').trim();
    // v2: the document's $ref'ed file (not the document itself) becomes broken
    writeFileSync(path.join(dir, 'apis/schemas/item.yaml'), ITEM_BROKEN);
    git(dir, 'commit', '-qam', 'v2: broken schema file');
    v2 = git(dir, 'rev-parse', 'HEAD').trim();
  });
  afterAll(() => repo.cleanup());

  beforeEach(() => {
    // disk and index back to v2 (with plain git: gitway itself never does this)
    git(dir, 'reset', '-q', '--hard', 'main');
    git(dir, 'clean', '-q', '-f', '-d');
  });

  it('--rev reads the commit named by sha, short sha, tag or branch, not the disk', () => {
    writeFileSync(path.join(dir, 'gateway/web.yaml'), BROKEN_MANIFEST);
    writeFileSync(path.join(dir, 'apis/schemas/item.yaml'), ITEM_V1);
    fails(gitway(['validate'], { cwd: dir }), 'gateway/web.yaml', 8, 3, "unknown field 'retries' in spec");
    ok(gitway(['validate', '--rev', v1], { cwd: dir }), `commit ${v1.slice(0, 7)}`);
    ok(gitway(['validate', '--rev', v1.slice(0, 10)], { cwd: dir }), `commit ${v1.slice(0, 7)}`);
    ok(gitway(['validate', '--rev', 'v1'], { cwd: dir }), `commit ${v1.slice(0, 7)} (v1)`);
    ok(gitway(['validate', '--rev', 'release'], { cwd: dir }), `commit ${v1.slice(0, 7)} (release)`);
    ok(gitway(['validate', '--rev', 'main~1'], { cwd: dir }), `commit ${v1.slice(0, 7)} (main~1)`);
  });

  it('--rev uses the committed version of a file the OpenAPI document $refs', () => {
    // on disk the referenced file is valid again; in v2 it is broken, in v1 it is valid
    writeFileSync(path.join(dir, 'apis/schemas/item.yaml'), ITEM_V1);
    ok(gitway(['validate'], { cwd: dir }), 'the working tree');
    fails(gitway(['validate', '--rev', 'HEAD'], { cwd: dir }), 'apis/schemas/item.yaml', 4, 11, '$ref "#/definitions/Id": this document has nothing at #/definitions/Id');
    fails(gitway(['validate', '--rev', v2], { cwd: dir }), 'apis/schemas/item.yaml', 4, 11, 'this document has nothing at #/definitions/Id');
    ok(gitway(['validate', '--rev', 'v1'], { cwd: dir }), /commit [0-9a-f]{7} \(v1\)/);
  });

  it('--rev sees files deleted from the disk and ignores files that were never committed', () => {
    rmSync(path.join(dir, 'apis'), { recursive: true });
    writeFileSync(path.join(dir, 'gateway/untracked.yaml'), 'not: [valid\n');
    expect(gitway(['validate'], { cwd: dir }).status).toBe(3);
    ok(gitway(['validate', '--rev', 'v1'], { cwd: dir }), /\(v1\)/);
  });

  it('--rev reads gitway.yaml from the commit too', () => {
    writeFileSync(path.join(dir, 'gitway.yaml'), 'environments: {}\n');
    expect(gitway(['validate'], { cwd: dir }).status).toBe(3);
    ok(gitway(['validate', '--rev', 'v1'], { cwd: dir }), /\(v1\)/);
    // an unusable gitway.yaml in the index: the report still says where it was read
    git(dir, 'add', 'gitway.yaml');
    const r = gitway(['validate', '--staged', '--format', 'json'], { cwd: dir });
    expect(r.status).toBe(3);
    const report = JSON.parse(r.stdout) as { source: string; findings: { file: string; line: number; column: number; message: string }[] };
    expect(report.source).toBe('the git index');
    expect(report.findings).toEqual([expect.objectContaining({ file: 'gitway.yaml', line: 1, column: 15, message: 'environments needs at least 1 entry' })]);
  });

  it('--staged reads the index: a fix on disk that is not staged still fails', () => {
    writeFileSync(path.join(dir, 'apis/schemas/item.yaml'), ITEM_V1);
    ok(gitway(['validate'], { cwd: dir }), 'the working tree');
    fails(gitway(['validate', '--staged'], { cwd: dir }), 'apis/schemas/item.yaml', 4, 11, 'nothing at #/definitions/Id');
    git(dir, 'add', 'apis/schemas/item.yaml');
    ok(gitway(['validate', '--staged'], { cwd: dir }), 'the git index');
  });

  it('--staged reads the index: a broken file staged fails while the disk is fixed', () => {
    writeFileSync(path.join(dir, 'apis/schemas/item.yaml'), ITEM_V1);
    git(dir, 'add', 'apis/schemas/item.yaml');
    writeFileSync(path.join(dir, 'gateway/web.yaml'), BROKEN_MANIFEST);
    git(dir, 'add', 'gateway/web.yaml');
    writeFileSync(path.join(dir, 'gateway/web.yaml'), MANIFESTS);
    ok(gitway(['validate'], { cwd: dir }), 'the working tree');
    fails(gitway(['validate', '--staged'], { cwd: dir }), 'gateway/web.yaml', 8, 3, "unknown field 'retries' in spec");
  });

  it('--staged sees a new file only once it is added, and a file removed with git rm is gone', () => {
    writeFileSync(path.join(dir, 'apis/schemas/item.yaml'), ITEM_V1);
    git(dir, 'add', 'apis/schemas/item.yaml');
    writeFileSync(path.join(dir, 'gateway/new.yaml'), 'apiVersion: gitway/v1\nkind: Gadget\n');
    ok(gitway(['validate', '--staged'], { cwd: dir }), 'the git index');
    git(dir, 'add', 'gateway/new.yaml');
    fails(gitway(['validate', '--staged'], { cwd: dir }), 'gateway/new.yaml', 2, 7, 'unknown kind "Gadget"');
    git(dir, 'rm', '-q', '--cached', 'apis/web.yaml');
    const r = gitway(['validate', '--staged'], { cwd: dir });
    expect(r.status).toBe(3);
    expect(stylishFindings(r.stdout).map((f) => `${f.file}:${f.line}:${f.column} ${f.message}`)).toEqual([
      "gateway/new.yaml:2:7 unknown kind \"Gadget\"; use one of API, Route, Upstream, Policy, Consumer",
      'gateway/web.yaml:6:12 API \'web\' names OpenAPI document apis/web.yaml, which does not exist in the git index (paths are relative to the repository root)',
    ]);
  });

  it('never changes the working tree, the index, HEAD or the stash', () => {
    writeFileSync(path.join(dir, 'gateway/web.yaml'), BROKEN_MANIFEST);
    git(dir, 'add', 'gateway/web.yaml');
    writeFileSync(path.join(dir, 'gateway/web.yaml'), MANIFESTS + '# edited on disk\n');
    writeFileSync(path.join(dir, 'untracked.txt'), 'x\n');
    const before = gitState(dir);
    const disk = readFileSync(path.join(dir, 'gateway/web.yaml'), 'utf8');
    for (const args of [['validate', '--rev', 'v1'], ['validate', '--rev', 'HEAD'], ['validate', '--staged'], ['validate'], ['validate', '--rev', 'nope']]) {
      gitway(args, { cwd: dir });
      expect(gitState(dir)).toBe(before);
    }
    expect(readFileSync(path.join(dir, 'gateway/web.yaml'), 'utf8')).toBe(disk);
  });

  it('a commit without gitway.yaml says so and how to fix it', () => {
    const empty = tempRepo({ 'README.md': 'x\n' });
    try {
      git(empty.dir, 'init', '-q');
      git(empty.dir, 'add', '-A');
      git(empty.dir, 'commit', '-qm', 'x');
      for (const f of Object.keys(files())) {
        mkdirSync(path.dirname(path.join(empty.dir, f)), { recursive: true });
        writeFileSync(path.join(empty.dir, f), files()[f]);
      }
      const r = gitway(['validate', '--rev', 'HEAD'], { cwd: empty.dir });
      expect(r.status).toBe(3);
      expect(r.stderr).toMatch(/^gitway: no gitway.yaml in .* \(read from commit [0-9a-f]{7} \(HEAD\)\)\. Commit a gitway.yaml first/);
      // nothing committed yet, but staged: --staged works in a repository without commits
      const fresh = tempRepo(files());
      try {
        git(fresh.dir, 'init', '-q');
        git(fresh.dir, 'add', '-A');
        ok(gitway(['validate', '--staged'], { cwd: fresh.dir }), 'the git index');
        expect(gitway(['validate', '--rev', 'HEAD'], { cwd: fresh.dir }).stderr).toContain("revision 'HEAD' does not exist");
      } finally {
        fresh.cleanup();
      }
    } finally {
      empty.cleanup();
    }
  });
});

describe('a gitway.yaml in a subfolder of the repository (monorepo)', () => {
  let repo: ReturnType<typeof tempRepo>;
  let sub: string;
  beforeAll(() => {
    repo = tempRepo({
      ...files('services/edge/'),
      'services/other/gateway/web.yaml': 'not: [a manifest\n',
      'gateway/web.yaml': 'kind: Gadget\n',
      'README.md': 'monorepo\n',
    });
    sub = path.join(repo.dir, 'services/edge');
    git(repo.dir, 'init', '-q');
    git(repo.dir, 'add', '-A');
    git(repo.dir, 'commit', '-qm', 'init');
    writeFileSync(path.join(sub, 'gateway/web.yaml'), BROKEN_MANIFEST);
  });
  afterAll(() => repo.cleanup());

  it('works with --rev and --staged from the repository root, the subfolder and below it', () => {
    fails(gitway(['validate', '--cwd', 'services/edge'], { cwd: repo.dir }), 'gateway/web.yaml', 8, 3, "unknown field 'retries'");
    ok(gitway(['validate', '--cwd', 'services/edge', '--rev', 'HEAD'], { cwd: repo.dir }), /\(HEAD\)/);
    ok(gitway(['validate', '--cwd', 'services/edge', '--staged'], { cwd: repo.dir }), 'the git index');
    ok(gitway(['validate', '--rev', 'HEAD'], { cwd: sub }), /\(HEAD\)/);
    ok(gitway(['validate', '--staged'], { cwd: path.join(sub, 'apis/schemas') }), 'the git index');
    ok(gitway(['validate', '--config', 'services/edge/gitway.yaml', '--rev', 'HEAD'], { cwd: repo.dir }), /\(HEAD\)/);
  });

  it('keeps references inside the subfolder', () => {
    git(repo.dir, 'add', 'services/edge/gateway/web.yaml');
    fails(gitway(['validate', '--staged'], { cwd: sub }), 'gateway/web.yaml', 8, 3, "unknown field 'retries'");
    git(repo.dir, 'reset', '-q', 'services/edge/gateway/web.yaml');
    writeFileSync(path.join(sub, 'apis/web.yaml'), OPENAPI.replace("'./schemas/item.yaml'", "'../../other/gateway/web.yaml'"));
    git(repo.dir, 'add', 'services/edge/apis/web.yaml');
    const r = gitway(['validate', '--staged'], { cwd: sub });
    expect(r.status).toBe(3);
    expect(stylishFindings(r.stdout)).toEqual([expect.objectContaining({ file: 'apis/web.yaml', line: 14, column: 23, code: 'openapi-ref-outside' })]);
    git(repo.dir, 'reset', '-q', '--hard');
  });
});
