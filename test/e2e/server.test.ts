/**
 * `gitway server`: while a server of this build runs, a `gitway lint` run by bin/gitway.js runs in it
 * and prints, writes and exits exactly as it would have on its own; every other command, and every
 * case the server cannot serve (none runs, it died, its build changed, its folder is not private),
 * runs in the CLI's own process. Each test uses its own private GITWAY_SERVER_DIR (no other test
 * ever sees its server) and stops what it started; afterEach kills what is left by its pid.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync, utimesSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bin, git, gitway, gitwayAsync, projectRoot, tempRepo, type CliResult } from '../helpers/cli.js';
import { itemsManifests } from '../helpers/lint-fixtures.js';
import type { ServerStatus } from '../../src/server/address.js';

const CONFIG = 'environments:\n  local: { driver: caddy, file: out.json }\n';
// no info.contact: a warning (info-contact); its schema in another file (a $ref the workers follow)
const DOC = `openapi: 3.0.3
info: { title: T, version: "1", description: d }
servers: [{ url: /v1 }]
tags: [{ name: t, description: d }]
paths:
  /items/{id}:
    get:
      operationId: getItem
      description: d
      tags: [t]
      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
      responses:
        '200': { description: ok, content: { application/json: { schema: { $ref: './item.yaml' } } } }
`;
const ITEM = 'type: object\n';
// a policy caddy cannot enforce (error) on an API without auth (warning)
const manifests = itemsManifests;
const WITH_ERROR = manifests('  rateLimit: { minute: 60 }');
const WITHOUT_ERROR = manifests('  cors: { origins: [https://a.example] }');
const FILES = { 'gitway.yaml': CONFIG, 'apis/items.yaml': DOC, 'apis/item.yaml': ITEM, 'gateway/all.yaml': WITH_ERROR };

type Env = Record<string, string | undefined>;
type Cli = (args: string[], options: { cwd: string; env?: Env }) => CliResult;

type Status = ServerStatus & { running: boolean };

/** Undone after each test, last registered first (kill the servers, then remove their folders). */
let undo: (() => void)[] = [];
afterEach(() => {
  for (const f of undo.reverse()) {
    try {
      f();
    } catch {
      // keep cleaning up
    }
  }
  undo = [];
});

/** True while the process runs (a zombie nobody reaped yet counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return process.platform !== 'linux';
  }
}

function kill(pid: number | undefined): void {
  if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL');
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  for (const until = Date.now() + ms; ; ) {
    if (check()) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The environment that points the CLI at this test's server folder (and never at GITWAY_SERVER of the caller). */
const at = (dir: string, more: Env = {}): Env => ({ GITWAY_SERVER_DIR: dir, GITWAY_SERVER: undefined, ...more });

/** A server status without assertions (for cleanup). */
function rawStatus(dir: string, cli: Cli = gitway): Partial<Status> {
  try {
    return JSON.parse(cli(['server', 'status', '--format', 'json'], { cwd: os.tmpdir(), env: at(dir) }).stdout) as Partial<Status>;
  } catch {
    return {};
  }
}

/** A fresh private (0700) server folder; after the test, a server still running there is killed and the folder removed. */
function serverDir(cli: Cli = gitway): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gitway-server-test-'));
  undo.push(() => rmSync(dir, { recursive: true, force: true }));
  undo.push(() => {
    // a server this test started and did not stop (it failed half-way): killed by the pid it reports
    if (!existsSync(dir) || !readdirSync(dir).some((f) => f.endsWith('.sock'))) return;
    const s = rawStatus(dir, cli);
    if (s.running) kill(s.pid);
  });
  return dir;
}

function repo(files: Record<string, string>): string {
  const r = tempRepo(files);
  undo.push(r.cleanup);
  return r.dir;
}

function status(dir: string, cli: Cli = gitway): Status {
  const r = cli(['server', 'status', '--format', 'json'], { cwd: os.tmpdir(), env: at(dir) });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as Status;
}

/**
 * `gitway server start` from the server folder (so the server's own cwd is none of the repositories);
 * the pid it reports (it answered its status before saying so), killed after the test if still alive.
 */
function start(dir: string, options: { args?: string[]; env?: Env; cli?: Cli } = {}): number {
  const cli = options.cli ?? gitway;
  const r = cli(['server', 'start', ...(options.args ?? [])], { cwd: existsSync(dir) ? dir : os.tmpdir(), env: at(dir, options.env) });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const m = /^Started the gitway server: pid (\d+), gitway \d+\.\d+\.\d+, up since \S+, 0 commands served, \d+ MB, 0 workers kept; stops after \d+ (?:s|min|h) idle\.\nStop it with gitway server stop\.\n$/.exec(r.stdout);
  expect(m).not.toBeNull();
  const pid = Number(m![1]);
  undo.push(() => kill(pid));
  expect(alive(pid)).toBe(true);
  return pid;
}

/** True once a server listens in the folder (its socket is there). */
const listening = (dir: string) => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.sock'));

/** `gitway server stop`, then the process is gone within a few seconds. */
async function stop(dir: string, pid: number, cli: Cli = gitway): Promise<void> {
  const r = cli(['server', 'stop'], { cwd: os.tmpdir(), env: at(dir) });
  expect(r).toEqual({ status: 0, stdout: 'Stopped the gitway server.\n', stderr: '' });
  expect(await waitFor(() => !alive(pid), 10_000)).toBe(true);
}

const served = (dir: string, cli: Cli = gitway) => status(dir, cli).served;
const off = (dir: string, more: Env = {}) => at(dir, { GITWAY_SERVER: 'off', ...more });
const codes = (stdout: string) => (JSON.parse(stdout) as { findings: { severity: string; code: string }[] }).findings.map((f) => `${f.severity} ${f.code}`);

/** The files of the socket folder (a server leaves its socket and its log there). */
const listing = (dir: string) => readdirSync(dir).sort();

describe('gitway server: lint runs in it with the same result', () => {
  it('prints, writes and exits exactly as a lint without a server, for every format, --quiet and the baseline; status counts what it served', async () => {
    const dir = serverDir();
    const viaServer = repo(FILES);
    const alone = repo(FILES);
    const pid = start(dir);
    expect(status(dir)).toEqual(expect.objectContaining({ running: true, pid, served: 0, workers: 0, idleTimeoutS: 1800 }));
    let forwarded = 0;
    /** The same command in two identical repositories, through the server and without it. */
    const both = async (args: string[]) => {
      const [s, l] = await Promise.all([gitwayAsync(args, { cwd: viaServer, env: at(dir) }), gitwayAsync(args, { cwd: alone, env: off(dir) })]);
      forwarded++;
      expect(s).toEqual(l);
      return s;
    };

    const json = await both(['lint', '--format', 'json']);
    expect(json.status).toBe(1);
    expect(codes(json.stdout)).toEqual(expect.arrayContaining(['error gitway-driver-capability', 'warn gitway-api-auth', 'warn info-contact']));

    const sarif = await both(['lint', '--format', 'sarif', '--output', 'out/x.sarif', '--format', 'stylish']);
    expect(sarif.status).toBe(1);
    expect(sarif.stdout).toMatch(/\ngateway\/all\.yaml\n(  .*\n)*  15:3  error  Policy 'p' uses rateLimit, which driver caddy \(environment 'local'\) cannot enforce/);
    expect(sarif.stdout).toMatch(/✖ \d+ problems \(1 error, \d+ warnings\)\n$/);
    const written = readFileSync(path.join(viaServer, 'out/x.sarif'), 'utf8');
    expect(written).toBe(readFileSync(path.join(alone, 'out/x.sarif'), 'utf8'));
    expect(JSON.parse(written).runs[0].results.some((r: { ruleId: string }) => r.ruleId === 'gitway-driver-capability')).toBe(true);

    const quiet = await both(['lint', '--quiet']);
    expect(quiet.status).toBe(1);
    expect(quiet.stdout).toContain('gitway-driver-capability');
    expect(quiet.stdout).not.toMatch(/ warn /);

    const baseline = await both(['lint', '--baseline-write']);
    expect(baseline.status).toBe(0);
    expect(baseline.stderr).toMatch(/^Wrote \d+ findings to the baseline \.gitway-baseline\.json/);
    expect(readFileSync(path.join(viaServer, '.gitway-baseline.json'), 'utf8')).toBe(readFileSync(path.join(alone, '.gitway-baseline.json'), 'utf8'));

    // a new problem on top of the baseline: only it is reported
    const more = '---\napiVersion: gitway/v1\nkind: Upstream\nmetadata: { name: other }\nspec: { targets: [{ url: "http://127.0.0.1:9001" }] }\n';
    for (const d of [viaServer, alone]) writeFileSync(path.join(d, 'gateway/all.yaml'), WITH_ERROR + more);
    const next = await both(['lint']);
    expect(next.status).toBe(0);
    expect(next.stdout).toContain("Upstream 'other' has no healthCheck");
    expect(next.stdout).not.toContain('gitway-driver-capability');
    expect(next.stdout).toMatch(/\n✖ 1 problem \(0 errors, 1 warning\)\n$/);

    // every one of them really ran in the server, which kept its lint workers
    const last = status(dir);
    expect(last.served).toBe(forwarded);
    expect(last.workers).toBeGreaterThanOrEqual(1);
    expect(last.pid).toBe(pid);
    await stop(dir, pid);
  });

  it('never serves a stale result: an edited document, a referenced file, the ruleset and its function are seen by the next lint', async () => {
    const dir = serverDir();
    const r = repo(FILES);
    const pid = start(dir);
    const lint = () => gitwayAsync(['lint', '--format', 'json'], { cwd: r, env: at(dir) });
    /** What a lint without server and without cache says of the repository as it is now (run beside the served one). */
    const truth = () => gitwayAsync(['lint', '--format', 'json', '--no-cache'], { cwd: r, env: off(dir) });
    const edit = (file: string, text: string) => writeFileSync(path.join(r, file), text);

    // two at once: the server runs one, the other runs alone (busy), each with its own output
    const [before, again] = await Promise.all([lint(), lint()]);
    expect(before.status).toBe(1);
    expect(codes(before.stdout)).not.toContain('warn operation-operationId-valid-in-url');
    expect(again).toEqual(before);

    edit('apis/items.yaml', DOC.replace('operationId: getItem', 'operationId: get item'));
    const [renamed, renamedTruth] = await Promise.all([lint(), truth()]);
    expect(codes(renamed.stdout)).toContain('warn operation-operationId-valid-in-url');
    expect(renamed).toEqual(renamedTruth);

    edit('apis/item.yaml', 'type: objekt\n');
    const broken = await lint();
    expect(broken.status).toBe(3);
    expect(broken.stdout).toContain('apis/item.yaml');

    edit('apis/item.yaml', ITEM);
    expect(await lint()).toEqual(renamed);

    // a ruleset of the repository's own (.spectral.yaml) with a custom function
    const ruleset = (severity: string) => `extends: [gitway:oas, gitway:manifests]
functionsDir: functions
functions: [titled]
rules:
  gitway-api-auth: off
  title-says:
    message: "{{error}}"
    severity: ${severity}
    given: $.info
    then: { function: titled }
`;
    const fn = (says: string) => `export default function titled() {\n  return [{ message: '${says}' }];\n}\n`;
    mkdirSync(path.join(r, 'functions'));
    edit('functions/titled.js', fn('the title says one'));
    edit('.spectral.yaml', ruleset('warn'));
    const own = await lint();
    expect(codes(own.stdout)).not.toContain('warn gitway-api-auth');
    expect(codes(own.stdout)).toContain('warn title-says');
    expect(own.stdout).toContain('the title says one');

    edit('functions/titled.js', fn('the title says two'));
    const changedFunction = await lint();
    expect(changedFunction.stdout).toContain('the title says two');
    expect(changedFunction.stdout).not.toContain('the title says one');

    edit('.spectral.yaml', ruleset('error').replace('  gitway-api-auth: off\n', ''));
    const [changedRuleset, changedTruth] = await Promise.all([lint(), truth()]);
    expect(codes(changedRuleset.stdout)).toEqual(expect.arrayContaining(['error title-says', 'warn gitway-api-auth']));
    expect(changedRuleset).toEqual(changedTruth);

    // every lint above ran in the server, but one of the two at once
    expect(served(dir)).toBe(7);
    await stop(dir, pid);
  });
});

describe('gitway server: the index a pre-commit hook commits', () => {
  /** git with extra environment (an alternate index). */
  const gitEnv = (dir: string, env: Env, ...args: string[]) => {
    const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  };

  it("lint --staged reads the client's GIT_INDEX_FILE (absolute, or relative to its cwd), never .git/index then, nor the server's own", async () => {
    const dir = serverDir();
    const r = repo({ ...FILES, 'gateway/all.yaml': WITHOUT_ERROR });
    git(r, 'init', '-q');
    git(r, 'add', '-A');
    git(r, 'commit', '-qm', 'base');
    // an alternate index that holds the version with an error; .git/index and the working tree do not
    const alt = path.join(r, '.git', 'alt-index');
    gitEnv(r, { GIT_INDEX_FILE: alt }, 'read-tree', 'HEAD');
    writeFileSync(path.join(r, 'gateway/all.yaml'), WITH_ERROR);
    gitEnv(r, { GIT_INDEX_FILE: alt }, 'add', 'gateway/all.yaml');
    writeFileSync(path.join(r, 'gateway/all.yaml'), WITHOUT_ERROR);

    // the server itself runs with GIT_INDEX_FILE set (started from a hook, say): never used for a client
    const pid = start(dir, { env: { GIT_INDEX_FILE: alt } });
    const staged = (env: Env = {}) => gitway(['lint', '--staged', '--quiet'], { cwd: r, env: at(dir, env) });

    const plain = staged();
    expect(plain).toEqual({ status: 0, stdout: '', stderr: '' });

    const alone = gitwayAsync(['lint', '--staged', '--quiet'], { cwd: r, env: off(dir, { GIT_INDEX_FILE: alt }) });
    const absolute = staged({ GIT_INDEX_FILE: alt });
    expect(absolute.status).toBe(1);
    expect(absolute.stdout).toContain("gateway/all.yaml\n  15:3  error  Policy 'p' uses rateLimit");
    expect(absolute).toEqual(await alone);

    // relative to the client's folder (the server runs in another one)
    expect(staged({ GIT_INDEX_FILE: '.git/alt-index' })).toEqual(absolute);
    // git's variables of one command are not left behind for the next
    expect(staged()).toEqual(plain);
    expect(served(dir)).toBe(4);
    return stop(dir, pid);
  });

  it('a pre-commit hook run by git commit PATH (a temporary index) blocks the commit through the server', async () => {
    const dir = serverDir();
    const upstream = (url: string) => `apiVersion: gitway/v1\nkind: Upstream\nmetadata: { name: be }\nspec: { targets: [{ url: "${url}" }], healthCheck: { path: /h } }\n`;
    const r = repo({ 'gitway.yaml': CONFIG, 'gateway/u.yaml': upstream('http://127.0.0.1:9000'), 'shim/gitway': `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n` });
    chmodSync(path.join(r, 'shim/gitway'), 0o755);
    git(r, 'init', '-q');
    expect(gitway(['hook', 'install'], { cwd: r, env: off(dir) }).status).toBe(0);
    git(r, 'add', 'gitway.yaml', 'gateway');
    git(r, 'commit', '-qm', 'base', '--no-verify');
    const pid = start(dir);
    const commit = () =>
      spawnSync('git', ['commit', '-qm', 'change', 'gateway/u.yaml'], {
        cwd: r,
        encoding: 'utf8',
        env: { ...process.env, ...at(dir), NO_COLOR: '1', PATH: `${path.join(r, 'shim')}${path.delimiter}${process.env.PATH}`, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@e.x', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@e.x' },
      });
    // the index holds the good version; `git commit PATH` commits the working tree's (bad) one
    writeFileSync(path.join(r, 'gateway/u.yaml'), upstream('not a url'));
    const blocked = commit();
    expect(blocked.status).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toContain('gateway/u.yaml');
    expect(blocked.stdout + blocked.stderr).toContain('manifest-schema');
    expect(git(r, 'log', '--oneline').trim().split('\n')).toHaveLength(1);
    expect(served(dir)).toBe(1);

    writeFileSync(path.join(r, 'gateway/u.yaml'), upstream('http://127.0.0.1:9001'));
    expect(commit().status).toBe(0);
    expect(git(r, 'log', '--oneline').trim().split('\n')).toHaveLength(2);
    expect(served(dir)).toBe(2);
    await stop(dir, pid);
  });
});

describe("gitway server: the caller's folder and environment", () => {
  it('GITWAY_ENV, a relative -C and a relative GIT_INDEX_FILE from a subfolder mean what they mean without a server', async () => {
    const dir = serverDir();
    const r = repo({ ...FILES, 'gitway.yaml': `${CONFIG}  prod: { driver: kong, file: kong.yaml }\n`, 'gateway/all.yaml': WITHOUT_ERROR });
    git(r, 'init', '-q');
    git(r, 'add', '-A');
    git(r, 'commit', '-qm', 'base');
    // an alternate index holding the policy caddy cannot enforce
    const alt = path.join(r, '.git', 'alt-index');
    const gitEnv = (...args: string[]) => {
      const g = spawnSync('git', args, { cwd: r, encoding: 'utf8', env: { ...process.env, GIT_INDEX_FILE: alt } });
      if (g.status !== 0) throw new Error(g.stderr);
    };
    gitEnv('read-tree', 'HEAD');
    writeFileSync(path.join(r, 'gateway/all.yaml'), WITH_ERROR);
    gitEnv('add', 'gateway/all.yaml');
    // the server is started elsewhere, with another environment
    const pid = start(dir, { env: { GITWAY_ENV: 'prod' } });
    let forwarded = 0;
    /** Through the server, then alone: the same output and exit code. */
    const both = async (args: string[], cwd: string, env: Env = {}) => {
      const s = await gitwayAsync(args, { cwd, env: at(dir, env) });
      forwarded++;
      expect(s).toEqual(await gitwayAsync(args, { cwd, env: off(dir, env) }));
      return s;
    };
    // the client's GITWAY_ENV (none: local, where caddy cannot rate-limit), never the server's
    expect((await both(['lint', '--quiet'], r)).status).toBe(1);
    expect((await both(['lint', '--quiet'], r, { GITWAY_ENV: 'prod' })).status).toBe(0);
    // -C relative to the caller's folder
    expect((await both(['-C', path.basename(r), 'lint', '--quiet'], path.dirname(r))).status).toBe(1);
    // GIT_INDEX_FILE relative, from a subfolder: whatever git makes of it, the same with and without a server
    for (const index of ['../.git/alt-index', '.git/alt-index']) await both(['lint', '--staged', '--quiet'], path.join(r, 'gateway'), { GIT_INDEX_FILE: index });
    expect(served(dir)).toBe(forwarded);
    await stop(dir, pid);
  });
});

describe('gitway server: ${env.NAME} comes from the client', () => {
  it("resolves variables from the client's environment, reports one the client lacks, redacts them, and never writes them to the log", async () => {
    const dir = serverDir();
    const files = {
      'gitway.yaml': CONFIG,
      'gateway/all.yaml': `apiVersion: gitway/v1
kind: Upstream
metadata: { name: be }
spec: { targets: [{ url: "\${env.GW_TEST_UPSTREAM}" }], healthCheck: { path: /h } }
---
apiVersion: gitway/v1
kind: Consumer
metadata: { name: web }
spec:
  username: web
  credentials:
    - type: key
      key: \${env.GW_TEST_KEY}
`,
    };
    const r = repo(files);
    const SERVER_KEY = 'server-side-key-4f1c9e';
    const CLIENT_KEY = 'client-side-key-7d20b3';
    const SECRET_UPSTREAM = 'upstream-secret-9a8b7c';
    // the server was started with the key in its environment, not the upstream
    const pid = start(dir, { env: { GW_TEST_KEY: SERVER_KEY, GW_TEST_UPSTREAM: undefined } });
    const both = async (env: Env) => {
      const [viaServer, alone] = await Promise.all([gitwayAsync(['lint'], { cwd: r, env: at(dir, env) }), gitwayAsync(['lint'], { cwd: r, env: off(dir, env) })]);
      expect(viaServer).toEqual(alone);
      for (const secret of [SERVER_KEY, CLIENT_KEY, SECRET_UPSTREAM]) expect(viaServer.stdout + viaServer.stderr).not.toContain(secret);
      return viaServer;
    };

    // set only in the client
    const clean = await both({ GW_TEST_KEY: CLIENT_KEY, GW_TEST_UPSTREAM: 'http://127.0.0.1:9000' });
    expect(clean.status).toBe(0);
    expect(clean.stdout).toContain('No problems found');

    // unset in the client: missing, although the server has it
    const missing = await both({ GW_TEST_KEY: undefined, GW_TEST_UPSTREAM: 'http://127.0.0.1:9000' });
    expect(missing.status).toBe(3);
    expect(missing.stdout).toContain('environment variable GW_TEST_KEY is not set (used as ${env.GW_TEST_KEY})');

    // a value that ends up in a message is redacted with the client's secrets
    const redacted = await both({ GW_TEST_KEY: CLIENT_KEY, GW_TEST_UPSTREAM: SECRET_UPSTREAM });
    expect(redacted.status).toBe(3);
    expect(redacted.stdout).toContain('spec.targets[0].url "(sensitive)" is not valid');

    expect(served(dir)).toBe(3);
    await stop(dir, pid);
    const logs = listing(dir).filter((f) => f.endsWith('.log'));
    expect(logs).toHaveLength(1);
    const log = readFileSync(path.join(dir, logs[0]), 'utf8');
    expect(log).toMatch(/ lint exit 3 in \d+ ms\n/);
    for (const secret of [SERVER_KEY, CLIENT_KEY, SECRET_UPSTREAM]) expect(log).not.toContain(secret);
  });
});

describe('gitway server: what is not forwarded', () => {
  it('runs other commands, GITWAY_SERVER=off and GITWAY_SERVER=0 in the CLI itself; lint after global options is forwarded', async () => {
    const dir = serverDir();
    const r = repo(FILES);
    const alone = gitwayAsync(['lint', '--quiet'], { cwd: r, env: off(dir) });
    const pid = start(dir);
    const validate = gitway(['validate'], { cwd: r, env: at(dir) });
    expect(validate.status).toBe(0);
    expect(validate.stdout).toContain('✔ 3 manifests and 1 OpenAPI document');
    const expected = await alone;
    expect(expected.status).toBe(1);
    expect(gitway(['lint', '--quiet'], { cwd: r, env: at(dir, { GITWAY_SERVER: '0' }) })).toEqual(expected);
    expect(served(dir)).toBe(0);
    // the same lint after global options (the CLI finds the command past their values) is served
    expect(gitway(['--env', 'local', '--no-color', 'lint', '--quiet'], { cwd: r, env: at(dir) })).toEqual(expected);
    expect(served(dir)).toBe(1);
    await stop(dir, pid);
  });

  it('never uses a folder others may enter: start fails naming it (exit 3), lint and GITWAY_SERVER=auto run alone and leave it empty', async () => {
    const dir = serverDir();
    chmodSync(dir, 0o755);
    const r = repo(FILES);
    const alone = gitwayAsync(['lint', '--format', 'json'], { cwd: r, env: off(dir) });
    const refused = gitway(['server', 'start'], { cwd: dir, env: at(dir) });
    expect(refused.status).toBe(3);
    expect(refused.stderr).toContain(`the folder ${dir} is not private to this user`);
    expect(refused.stdout).toBe('');
    expect(status(dir)).toEqual({ running: false });

    const expected = await alone;
    expect(expected.status).toBe(1);
    expect(gitway(['lint', '--format', 'json'], { cwd: r, env: at(dir) })).toEqual(expected);
    expect(gitway(['lint', '--format', 'json'], { cwd: r, env: at(dir, { GITWAY_SERVER: 'auto' }) })).toEqual(expected);
    // (auto would open the new server's log before the CLI exits)
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(listing(dir)).toEqual([]);
    expect(statSync(dir).mode & 0o777).toBe(0o755);

    // group access alone is enough to refuse it
    chmodSync(dir, 0o710);
    expect(gitway(['server', 'start'], { cwd: dir, env: at(dir) }).status).toBe(3);
    expect(listing(dir)).toEqual([]);
  });
});

describe('gitway server: its life', () => {
  it('start creates a private folder, says when one already runs; stop stops it and removes its socket; SIGTERM stops it too', async () => {
    const parent = serverDir();
    const dir = path.join(parent, 'not', 'yet');
    undo.push(() => {
      if (!listening(dir)) return;
      const s = rawStatus(dir);
      if (s.running) kill(s.pid);
    });
    expect(gitway(['server', 'status'], { cwd: os.tmpdir(), env: at(dir) })).toEqual({ status: 0, stdout: 'No gitway server of this build runs (start one with gitway server start).\n', stderr: '' });
    expect(gitway(['server', 'start', '--idle-timeout', '0'], { cwd: os.tmpdir(), env: at(dir) })).toEqual({ status: 3, stdout: '', stderr: expect.stringContaining("--idle-timeout must be a duration from 1s to 24 days, such as 90s, 30m or 2h, not '0'") });

    const pid = start(dir, { args: ['--idle-timeout', '2h'] });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const s = status(dir);
    expect(s).toEqual(expect.objectContaining({ running: true, pid, idleTimeoutS: 7200 }));
    const socket = listing(dir).find((f) => f.endsWith('.sock'));
    expect(socket).toBeDefined();

    const again = gitway(['server', 'start'], { cwd: os.tmpdir(), env: at(dir) });
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^A gitway server already runs: pid ${s.pid}, `));
    expect(gitway(['server', 'status'], { cwd: os.tmpdir(), env: at(dir) }).stdout).toMatch(new RegExp(`^The gitway server runs: pid ${s.pid}, gitway \\S+, up since ${s.startedAt}, 0 commands served, .* stops after 2 h idle\\.\\n$`));

    await stop(dir, pid);
    expect(status(dir)).toEqual({ running: false });
    expect(listing(dir)).not.toContain(socket);
    expect(gitway(['server', 'stop'], { cwd: os.tmpdir(), env: at(dir) }).stdout).toBe('No gitway server of this build runs.\n');

    const next = start(dir);
    expect(next).not.toBe(pid);
    process.kill(next, 'SIGTERM');
    expect(await waitFor(() => !alive(next), 10_000)).toBe(true);
    expect(status(dir)).toEqual({ running: false });
    expect(listing(dir)).not.toContain(socket);
  });

  it('--idle-timeout 2s: it stops by itself once idle', async () => {
    const dir = serverDir();
    const pid = start(dir, { args: ['--idle-timeout', '2s'] });
    expect(status(dir).idleTimeoutS).toBe(2);
    expect(await waitFor(() => !alive(pid), 15_000)).toBe(true);
    expect(status(dir)).toEqual({ running: false });
    const logs = listing(dir).filter((f) => f.endsWith('.log'));
    expect(readFileSync(path.join(dir, logs[0]), 'utf8')).toContain('idle for 2 s');
  });

  it('server run: in the foreground, one log line per command on stderr', async () => {
    const dir = serverDir();
    const r = repo(FILES);
    let child: import('node:child_process').ChildProcess | undefined;
    const running = gitwayAsync(['server', 'run', '--idle-timeout', '60s'], { cwd: dir, env: at(dir, { GITWAY_SERVER: 'off' }), onSpawn: (c) => (child = c) });
    undo.push(() => kill(child?.pid));
    expect(await waitFor(() => listening(dir), 15_000)).toBe(true);
    expect(status(dir).pid).toBe(child!.pid);
    expect((await gitwayAsync(['lint', '--quiet'], { cwd: r, env: at(dir) })).status).toBe(1);
    expect(gitway(['server', 'stop'], { cwd: os.tmpdir(), env: at(dir) }).status).toBe(0);
    const ran = await running;
    expect(ran.status).toBe(0);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toMatch(new RegExp(`^\\S+ gitway \\S+ server \\(pid ${child!.pid}\\) listening on ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\w+\\.sock; stops after 60 s idle\\n\\S+ lint exit 1 in \\d+ ms\\n\\S+ stopped by gitway server stop\\n$`));
  });

  it('a server killed with SIGKILL leaves its socket behind: lint runs alone, and start starts a new one', async () => {
    const dir = serverDir();
    const r = repo(FILES);
    const alone = gitwayAsync(['lint', '--format', 'json'], { cwd: r, env: off(dir) });
    const pid = start(dir);
    const socket = listing(dir).find((f) => f.endsWith('.sock'))!;
    process.kill(pid, 'SIGKILL');
    expect(await waitFor(() => !alive(pid), 10_000)).toBe(true);
    expect(listing(dir)).toContain(socket);
    expect(status(dir)).toEqual({ running: false });

    const expected = await alone;
    expect(expected.status).toBe(1);
    expect(gitway(['lint', '--format', 'json'], { cwd: r, env: at(dir) })).toEqual(expected);

    const next = start(dir);
    expect(next).not.toBe(pid);
    expect(gitway(['lint', '--format', 'json'], { cwd: r, env: at(dir) })).toEqual(expected);
    expect(served(dir)).toBe(1);
    await stop(dir, next);
  });

  it('GITWAY_SERVER=auto: runs the lint itself when none runs, and starts one for the next', async () => {
    const dir = serverDir();
    const r = repo(FILES);
    const auto = at(dir, { GITWAY_SERVER: 'auto' });
    const [expected, first] = await Promise.all([gitwayAsync(['lint', '--format', 'json'], { cwd: r, env: off(dir) }), gitwayAsync(['lint', '--format', 'json'], { cwd: r, env: auto })]);
    expect(expected.status).toBe(1);
    expect(first).toEqual(expected);
    expect(await waitFor(() => listening(dir), 15_000)).toBe(true);
    const s = status(dir);
    undo.push(() => kill(s.pid));
    expect(s).toEqual(expect.objectContaining({ running: true, served: 0 }));
    expect(gitway(['lint', '--format', 'json'], { cwd: r, env: auto })).toEqual(expected);
    expect(served(dir)).toBe(1);
    await stop(dir, s.pid);
  });
});

describe('gitway server: what a command carries, and a server that cannot take it', () => {
  // a team rule whose function keeps state at module level, reads the environment, prints, and can be slow
  const TEAM_FILES = {
    ...FILES,
    '.spectral.yaml': 'extends: [spectral:oas]\nfunctionsDir: functions\nfunctions: [seen]\nrules:\n  title-seen: { given: $.info.title, severity: warn, then: { function: seen } }\n',
    'functions/seen.js': `const seen = new Set();
export default (input) => {
  console.log('seen called on ' + input);
  if (process.env.GW_SLOW) { const t = Date.now(); while (Date.now() - t < Number(process.env.GW_SLOW)); }
  const out = [];
  if (seen.has(input)) out.push({ message: 'title ' + input + ' seen before' });
  seen.add(input);
  if (process.env.GW_STAGE) out.push({ message: 'stage ' + process.env.GW_STAGE });
  return out;
};
`,
  };
  const gitwayYaml = `${CONFIG}ruleset: .spectral.yaml\n`;

  it("a kept lint worker forgets the team functions' state, reads the caller's environment, and prints to the caller", async () => {
    const dir = serverDir();
    const r = repo({ ...TEAM_FILES, 'gitway.yaml': gitwayYaml });
    const pid = start(dir);
    for (const stage of ['one', 'two', undefined]) {
      const args = ['lint', '--no-cache', '--format', 'json'];
      const served = await gitwayAsync(args, { cwd: r, env: at(dir, { GW_STAGE: stage }) });
      const alone = await gitwayAsync(args, { cwd: r, env: off(dir, { GW_STAGE: stage }) });
      expect(served).toEqual(alone);
      expect(served.stdout).toContain('seen called on T');
      expect(served.stdout).not.toContain('seen before');
      if (stage) expect(served.stdout).toContain(`stage ${stage}`);
      else expect(served.stdout).not.toContain('stage ');
    }
    expect(status(dir)).toEqual(expect.objectContaining({ served: 3 }));
    await stop(dir, pid);
  });

  it('busy with another command, or stopped: lint runs alone at once with the same result; a caller that goes away stops the server and nothing is written', async () => {
    const dir = serverDir();
    const r = repo({ ...TEAM_FILES, 'gitway.yaml': gitwayYaml });
    const pid = start(dir);
    const lint = ['lint', '--no-cache', '--format', 'json'];
    const expected = await gitwayAsync(lint, { cwd: r, env: off(dir) });
    expect(expected.stdout).toContain('seen called on T');
    // busy: a slow command runs in the server meanwhile
    const slow = gitwayAsync(['lint', '--no-cache', '--quiet'], { cwd: r, env: at(dir, { GW_SLOW: '4000' }) });
    await waitFor(() => false, 1500);
    expect(await gitwayAsync(lint, { cwd: r, env: at(dir) })).toEqual(expected);
    expect((await slow).status).toBe(0);
    expect(served(dir)).toBe(1);
    // stopped (SIGSTOP, as Ctrl-Z on `gitway server run`): after 2 s the CLI runs it alone
    process.kill(pid, 'SIGSTOP');
    try {
      const began = Date.now();
      expect(await gitwayAsync(lint, { cwd: r, env: at(dir) })).toEqual(expected);
      expect(Date.now() - began).toBeGreaterThanOrEqual(2000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitFor(() => false, 500);
    // the request it was too late for is not run when it wakes up
    expect(status(dir)).toEqual(expect.objectContaining({ running: true, pid, served: 1 }));
    // the caller goes away (Ctrl-C) while its command runs: the server stops, --output is not written
    let child: import('node:child_process').ChildProcess | undefined;
    const interrupted = gitwayAsync(['lint', '--no-cache', '--format', 'json', '--output', 'out.json'], { cwd: r, env: at(dir, { GW_SLOW: '4000' }), onSpawn: (c) => (child = c) });
    await waitFor(() => false, 1500);
    child!.kill('SIGINT');
    await interrupted;
    expect(await waitFor(() => !alive(pid), 10_000)).toBe(true);
    await waitFor(() => false, 4000);
    expect(existsSync(path.join(r, 'out.json'))).toBe(false);
    const log = listing(dir).find((f) => f.endsWith('.log'))!;
    expect(readFileSync(path.join(dir, log), 'utf8')).toContain('the caller of a running lint went away: stopping');
  });

  it("files are written with the caller's umask; help is laid out by the CLI itself; a symlinked server folder is never used", async () => {
    const dir = serverDir();
    const r = repo(FILES);
    const pid = start(dir);
    const env = { ...process.env, NO_COLOR: '1', GITWAY_SERVER_DIR: dir };
    delete env.GITWAY_SERVER;
    const umasked = spawnSync('sh', ['-c', `umask 077 && exec "${process.execPath}" "${bin}" lint --format json --output private.json`], { cwd: r, env, encoding: 'utf8' });
    expect(umasked.status).toBe(1);
    expect(statSync(path.join(r, 'private.json')).mode & 0o777).toBe(0o600);
    expect(served(dir)).toBe(1);
    expect(gitway(['lint', '--help'], { cwd: r, env: at(dir) }).status).toBe(0);
    expect(served(dir)).toBe(1);
    // a symbolic link to the (private) folder: refused, lint runs alone
    const link = `${dir}-link`;
    symlinkSync(dir, link);
    undo.push(() => rmSync(link, { force: true }));
    expect(gitway(['lint', '--format', 'json'], { cwd: r, env: at(link) })).toEqual(gitway(['lint', '--format', 'json'], { cwd: r, env: off(dir) }));
    expect(served(dir)).toBe(1);
    expect(gitway(['server', 'start'], { cwd: r, env: at(link) }).status).toBe(3);
    await stop(dir, pid);
  });
});

describe('gitway server: a rebuilt gitway', () => {
  it('an older server stops when any file of its build changes on disk, and lint runs alone meanwhile (a copy of gitway, one file touched)', async () => {
    // a private copy of this installation: touching its build changes no other test's server name
    const install = mkdtempSync(path.join(os.tmpdir(), 'gitway-install-'));
    undo.push(() => rmSync(install, { recursive: true, force: true }));
    for (const part of ['bin', 'dist', 'rules', 'schema', 'package.json']) cpSync(path.join(projectRoot, part), path.join(install, part), { recursive: true });
    symlinkSync(path.join(projectRoot, 'node_modules'), path.join(install, 'node_modules'), 'dir');
    const copy: Cli = (args, options) => {
      const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, GITWAY_ENV: undefined, ...options.env };
      for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
      const p = spawnSync(process.execPath, [path.join(install, 'bin/gitway.js'), ...args], { cwd: options.cwd, env, encoding: 'utf8', timeout: 60_000 });
      return { status: p.status ?? -1, stdout: p.stdout, stderr: p.stderr };
    };
    const dir = serverDir(copy);
    const r = repo(FILES);
    const alone = gitwayAsync(['lint', '--format', 'json'], { cwd: r, env: off(dir) });
    const pid = start(dir, { cli: copy });
    const expected = await alone;
    expect(copy(['lint', '--format', 'json'], { cwd: r, env: at(dir) })).toEqual(expected);
    expect(served(dir, copy)).toBe(1);

    // one file of the build other than the entry (a `tsc -w` rewrites only what changed)
    const changed = path.join(install, 'dist/report/findings.js');
    const later = new Date(statSync(changed).mtimeMs + 60_000);
    utimesSync(changed, later, later);
    // a new build talks to a new server: none runs for it
    expect(status(dir, copy)).toEqual({ running: false });
    expect(copy(['lint', '--format', 'json'], { cwd: r, env: at(dir) })).toEqual(expected);
    // the old one notices within its 5 s check, and stops
    expect(await waitFor(() => !alive(pid), 15_000)).toBe(true);
    const logs = listing(dir).filter((f) => f.endsWith('.log'));
    expect(readFileSync(path.join(dir, logs[0]), 'utf8')).toContain('gitway was rebuilt or upgraded: this server runs old code');
    expect(listing(dir).filter((f) => f.endsWith('.sock'))).toEqual([]);
  });
});

describe('gitway lint and a server that does not finish (a stand-in server on the socket)', () => {
  /** The socket this build's CLI talks to in `dir` (computed by the built code itself). */
  const socketIn = async (dir: string): Promise<string> => {
    const address = (await import(pathToFileURL(path.join(projectRoot, 'dist/server/address.js')).href)) as typeof import('../../src/server/address.js');
    return address.serverAddress({ GITWAY_SERVER_DIR: dir }).socket;
  };

  /** Listens on the socket; `answer` hears each request and answers it. */
  const standIn = async (dir: string, answer: (request: Record<string, unknown>, conn: net.Socket) => void) => {
    const { frameReader } = (await import(pathToFileURL(path.join(projectRoot, 'dist/server/address.js')).href)) as typeof import('../../src/server/address.js');
    const requests: Record<string, unknown>[] = [];
    const server = net.createServer((conn) => {
      conn.on('error', () => undefined);
      conn.on(
        'data',
        frameReader((type, payload) => {
          if (type !== 'r') return;
          const request = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
          requests.push(request);
          answer(request, conn);
        }),
      );
    });
    const socket = await socketIn(dir);
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    undo.push(() => server.close());
    return requests;
  };

  const frameOf = async () => ((await import(pathToFileURL(path.join(projectRoot, 'dist/server/address.js')).href)) as typeof import('../../src/server/address.js')).frame;

  it('runs the command itself when the server hangs up before printing anything, or answers that its build is stale', async () => {
    const r = repo(FILES);
    const expected = gitway(['lint', '--format', 'json'], { cwd: r, env: { GITWAY_SERVER: 'off' } });
    expect(expected.status).toBe(1);
    const frame = await frameOf();

    const hangsUp = serverDir();
    const heard = await standIn(hangsUp, (_request, conn) => conn.destroy());
    expect(await gitwayAsync(['lint', '--format', 'json'], { cwd: r, env: at(hangsUp) })).toEqual(expected);
    expect(heard).toHaveLength(1);

    const stale = serverDir();
    const asked = await standIn(stale, (_request, conn) => conn.end(frame('x', JSON.stringify({ stale: true }))));
    expect(await gitwayAsync(['lint', '--format', 'json'], { cwd: r, env: at(stale) })).toEqual(expected);
    expect(asked).toHaveLength(1);
  });

  it("prints the server's output and exits with its code; sends argv, cwd, the whole env as it is, isTTY", async () => {
    const frame = await frameOf();
    const dir = serverDir();
    const r = repo(FILES);
    const real = realpathSync(r);
    const requests = await standIn(dir, (_request, conn) => {
      conn.write(frame('o', 'out ✔ '));
      conn.write(frame('e', 'err\n'));
      conn.end(Buffer.concat([frame('o', 'more\n'), frame('x', JSON.stringify({ code: 7 }))]));
    });
    const answered = await gitwayAsync(['--env', 'local', 'lint', '--staged'], { cwd: r, env: at(dir, { GIT_INDEX_FILE: '.git/next-index.lock', GIT_DIR: '.git', GW_TEST_VALUE: 'abc' }) });
    expect(answered).toEqual({ status: 7, stdout: 'out ✔ more\n', stderr: 'err\n' });
    expect(requests).toHaveLength(1);
    const request = requests[0] as { kind: string; argv: string[]; cwd: string; env: Env; isTTY: boolean };
    expect(request.kind).toBe('run');
    expect(request.argv).toEqual(['--env', 'local', 'lint', '--staged']);
    expect(request.cwd).toBe(real);
    expect(request.isTTY).toBe(false);
    expect(request.env).toEqual(expect.objectContaining({ GW_TEST_VALUE: 'abc', NO_COLOR: '1', GIT_INDEX_FILE: '.git/next-index.lock', GIT_DIR: '.git', GITWAY_SERVER_DIR: dir }));
  });

  it('says so and exits 1 when the server stops after it printed something', async () => {
    const frame = await frameOf();
    const dir = serverDir();
    const r = repo(FILES);
    await standIn(dir, (_request, conn) => conn.end(frame('o', 'partial output\n')));
    const cut = await gitwayAsync(['lint'], { cwd: r, env: at(dir) });
    expect(cut).toEqual({ status: 1, stdout: 'partial output\n', stderr: 'gitway: the gitway server stopped before the command finished (see `gitway server status`); run the command again.\n' });
  });
});
