import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gitway, tempRepo } from '../helpers/cli.js';

describe('gitway init then validate', () => {
  let repo: ReturnType<typeof tempRepo>;
  beforeEach(() => {
    repo = tempRepo({});
  });
  afterEach(() => repo.cleanup());

  it('scaffolds a repository that validates clean', () => {
    const init = gitway(['init'], { cwd: repo.dir });
    expect(init.status).toBe(0);
    for (const f of ['gitway.yaml', 'apis/petstore.yaml', 'gateway/petstore.yaml', 'rules/ruleset.yaml']) expect(existsSync(path.join(repo.dir, f))).toBe(true);
    const v = gitway(['validate'], { cwd: repo.dir });
    expect(v.stderr).toBe('');
    expect(v.stdout).toContain("3 manifests and 1 OpenAPI document (3 operations) are valid for environment 'local'");
    expect(v.status).toBe(0);
  });

  it('refuses to overwrite and writes nothing', () => {
    writeFileSync(path.join(repo.dir, 'gitway.yaml'), 'mine\n');
    const init = gitway(['init'], { cwd: repo.dir });
    expect(init.status).toBe(3);
    expect(init.stderr).toContain('would overwrite gitway.yaml');
    expect(readFileSync(path.join(repo.dir, 'gitway.yaml'), 'utf8')).toBe('mine\n');
    expect(existsSync(path.join(repo.dir, 'apis/petstore.yaml'))).toBe(false);
  });
});
