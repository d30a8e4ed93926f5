import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, UsageError } from '../../src/errors.js';
import { loadConfig, locateRoot, pickEnvironment, resolveEnvironment, type ProjectConfig } from '../../src/manifest/config.js';
import { tempRepo } from '../helpers/cli.js';
import { MemoryTree } from '../helpers/memtree.js';

async function config(text: string): Promise<ProjectConfig> {
  const loaded = await loadConfig(new MemoryTree({ 'gitway.yaml': text }), 'gitway.yaml');
  if (!loaded.config) throw new Error(`config has findings: ${JSON.stringify(loaded.findings)}`);
  return loaded.config;
}

const three = `defaultEnvironment: staging
environments:
  local: { driver: caddy, file: .gitway/local.json }
  staging: { driver: caddy, admin: http://127.0.0.1:2019 }
  prod: { driver: kong, admin: https://kong:8444 }
`;

describe('pickEnvironment', () => {
  it('takes --env first, then GITWAY_ENV, then defaultEnvironment', async () => {
    const c = await config(three);
    expect(pickEnvironment(c, 'prod', { GITWAY_ENV: 'local' })).toBe('prod');
    expect(pickEnvironment(c, undefined, { GITWAY_ENV: 'local' })).toBe('local');
    expect(pickEnvironment(c, undefined, {})).toBe('staging');
  });

  it('then the only environment, then local', async () => {
    expect(pickEnvironment(await config('environments:\n  edge: { driver: caddy, file: e.json }\n'), undefined, {})).toBe('edge');
    expect(pickEnvironment(await config('environments:\n  prod: { driver: caddy, file: p.json }\n  local: { driver: caddy, file: l.json }\n'), undefined, {})).toBe('local');
  });

  it('refuses to guess between several environments', async () => {
    const c = await config('environments:\n  a: { driver: caddy, file: a.json }\n  b: { driver: caddy, file: b.json }\n');
    expect(() => pickEnvironment(c, undefined, {})).toThrow(UsageError);
    expect(() => pickEnvironment(c, undefined, {})).toThrow('no environment chosen and gitway.yaml has several (a, b)');
  });

  it('names an unknown environment and lists the defined ones, whichever way it was asked for', async () => {
    const c = await config(three);
    for (const [flag, env] of [['nope', {}], [undefined, { GITWAY_ENV: 'nope' }]] as const) {
      let err: unknown;
      try {
        pickEnvironment(c, flag, env);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).exitCode).toBe(3);
      expect((err as Error).message).toBe("environment 'nope' is not defined in gitway.yaml (defined: local, staging, prod)");
    }
  });
});

describe('loadConfig', () => {
  it('throws a ConfigError with a hint when gitway.yaml is missing', async () => {
    const err = await loadConfig(new MemoryTree({}), 'gitway.yaml').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).hint).toContain('gitway init');
  });

  it.each([
    ['', 1, 1, 'gitway.yaml is empty'],
    ['# nothing\n', 1, 1, 'gitway.yaml is empty'],
    ['- a\n', 1, 1, "gitway.yaml must be a map with an 'environments' key, not a list"],
    ['just text\n', 1, 1, "gitway.yaml must be a map with an 'environments' key, not the string \"just text\""],
    ['a: 1\n---\nb: 2\n', 1, 1, 'holds more than one YAML document'],
    ['environments:\n  local: *nope\n', 2, 10, 'alias *nope names no anchor'],
    ['environments:\n  local: {driver: caddy, file: a}\n  local: {driver: caddy, file: b}\n', 3, 3, "duplicate key 'local'"],
    ['environments:\n  local:\n    driver: caddy\n', 2, 3, "environment 'local' needs exactly one target"],
    ['environments:\n  local:\n    driver: caddy\n    file: a.json\n    admin: http://x\n', 2, 3, "environment 'local' needs exactly one target"],
    ['manifests:\n  - gateway/*.yaml\n  - ../shared/*.yaml\nenvironments:\n  local: {driver: caddy, file: a}\n', 3, 5, 'manifest pattern "../shared/*.yaml" leaves the repository'],
    ['manifests: [/etc/gitway/*.yaml]\nenvironments:\n  local: {driver: caddy, file: a}\n', 1, 13, 'manifest pattern "/etc/gitway/*.yaml" leaves the repository'],
    ['defaultEnvironment: prod\nenvironments:\n  local: {driver: caddy, file: a}\n', 1, 21, "defaultEnvironment 'prod' is not one of the environments (local)"],
  ])('reports %j as a finding at %i:%i', async (text, line, column, message) => {
    const loaded = await loadConfig(new MemoryTree({ 'gitway.yaml': text }), 'gitway.yaml');
    expect(loaded.config).toBeUndefined();
    expect(loaded.findings).toHaveLength(1);
    expect(loaded.findings[0]).toMatchObject({ file: 'gitway.yaml', line, column, severity: 'error' });
    expect(loaded.findings[0].message).toContain(message);
  });

  it('defaults the manifest globs and the OpenAPI timeout', async () => {
    const c = await config('environments:\n  local: {driver: caddy, file: a}\n');
    expect(c.manifests).toEqual(['gateway/**/*.yaml', 'gateway/**/*.yml']);
    expect(c.openapiTimeoutMs).toBe(30000);
  });
});

describe('resolveEnvironment', () => {
  const text = `environments:
  staging:
    driver: caddy
    admin: \${var.admin}
    token: \${env.ADMIN_TOKEN}
    vars:
      admin: http://\${env.ADMIN_HOST}:2019
      plain: value
  prod:
    driver: kong
    admin: https://kong:8444
    token: hunter2-plain
`;

  it('substitutes vars and the token, and records every value from the environment as a secret', async () => {
    const c = await config(text);
    const { environment, findings } = resolveEnvironment(c, 'staging', { ADMIN_TOKEN: 'tok-123456', ADMIN_HOST: 'admin.internal' });
    expect(findings).toEqual([]);
    expect(environment.target).toEqual({ kind: 'admin', url: 'http://admin.internal:2019' });
    expect(environment.token).toBe('tok-123456');
    expect(environment.scope.vars.admin).toEqual({ value: 'http://admin.internal:2019', sensitive: true });
    expect(environment.scope.vars.plain).toEqual({ value: 'value', sensitive: false });
    expect(environment.secrets.sort()).toEqual(['admin.internal', 'http://admin.internal:2019', 'tok-123456']);
  });

  it('reports a token written in plain text at the token', async () => {
    const { findings } = resolveEnvironment(await config(text), 'prod', {});
    expect(findings).toEqual([expect.objectContaining({ line: 12, column: 12, code: 'secret-plaintext' })]);
    expect(findings[0].message).toContain("the token of environment 'prod' is written in plain text");
  });

  it('reports an unset ${env.X} once, naming it, and not as plain text', async () => {
    const { findings, environment } = resolveEnvironment(await config(text), 'staging', {});
    expect(findings.map((f) => `${f.line}:${f.column} ${f.code} ${f.message}`).sort()).toEqual([
      "4:12 variable-missing variable admin of environment 'staging' could not be resolved (see gitway.yaml:7:14), so ${var.admin} has no value",
      '5:12 variable-missing environment variable ADMIN_TOKEN is not set (used as ${env.ADMIN_TOKEN})',
      '7:14 variable-missing environment variable ADMIN_HOST is not set (used as ${env.ADMIN_HOST})',
    ]);
    expect(environment.scope.vars.admin.broken).toBe('gitway.yaml:7:14');
  });

  it('checks an admin URL written with variables once they are substituted, without showing a secret', async () => {
    const c = await config('environments:\n  a:\n    driver: caddy\n    admin: ${env.ADMIN}\n    proxy: ${var.p}\n    vars: { p: not-a-url }\n');
    const { findings } = resolveEnvironment(c, 'a', { ADMIN: 'localhost:2019-secret' });
    expect(findings.map((f) => `${f.line}:${f.column} ${f.message}`).sort()).toEqual([
      "4:12 the admin URL of environment 'a' is a value from the environment once its variables are substituted, which is not an http:// or https:// URL",
      '5:12 the proxy URL of environment \'a\' is "not-a-url" once its variables are substituted, which is not an http:// or https:// URL',
    ]);
  });
});

describe('locateRoot', () => {
  let repo: ReturnType<typeof tempRepo>;
  beforeEach(() => {
    repo = tempRepo({ 'mono/.git/HEAD': 'ref: refs/heads/main\n', 'mono/svc/gitway.yaml': 'x\n', 'mono/svc/apis/deep/a.yaml': 'a\n', 'mono/other/b.yaml': 'b\n' });
  });
  afterEach(() => repo.cleanup());

  it('finds gitway.yaml in the folder or above it', () => {
    const svc = path.join(repo.dir, 'mono/svc');
    expect(locateRoot({ cwd: svc })).toEqual({ root: svc, configFile: 'gitway.yaml' });
    expect(locateRoot({ cwd: path.join(svc, 'apis/deep') })).toEqual({ root: svc, configFile: 'gitway.yaml' });
  });

  it('stops at the top of the git repository', () => {
    writeFileSync(path.join(repo.dir, 'gitway.yaml'), 'above the repository\n');
    const other = path.join(repo.dir, 'mono/other');
    expect(locateRoot({ cwd: other })).toEqual({ root: other, configFile: 'gitway.yaml' });
  });

  it('uses --config relative to --cwd', () => {
    mkdirSync(path.join(repo.dir, 'cfg'));
    expect(locateRoot({ cwd: repo.dir, config: 'cfg/gw.yaml' })).toEqual({ root: path.join(repo.dir, 'cfg'), configFile: 'gw.yaml' });
  });

  it('refuses a --cwd that does not exist', () => {
    expect(() => locateRoot({ cwd: path.join(repo.dir, 'nope') })).toThrow(UsageError);
    expect(() => locateRoot({ cwd: path.join(repo.dir, 'nope') })).toThrow(`the folder ${path.join(repo.dir, 'nope')} does not exist`);
  });
});
