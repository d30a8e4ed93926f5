/** Runs the built CLI (dist/) as a user would, colour off, and captures what it prints. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const bin = path.join(projectRoot, 'bin/gitway.js');

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function gitway(args: string[], options: { cwd: string; env?: Record<string, string | undefined> } ): CliResult {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, GITWAY_ENV: undefined, GITWAY_SERVER: 'off', ...options.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: options.cwd, env, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Like gitway(), without blocking this process (for tests that serve something to the CLI). */
export function gitwayAsync(args: string[], options: { cwd: string; env?: Record<string, string | undefined>; timeoutMs?: number; onSpawn?: (child: import('node:child_process').ChildProcess) => void }): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, GITWAY_ENV: undefined, GITWAY_SERVER: 'off', ...options.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd, env, timeout: options.timeoutMs ?? 120_000 });
    options.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

export interface StylishFinding {
  file: string;
  line: number;
  column: number;
  severity: string;
  message: string;
  code: string;
}

/** The findings of `--format stylish` output, as a user reads them: file heading, then `line:col  severity  message  code`. */
export function stylishFindings(stdout: string): StylishFinding[] {
  const out: StylishFinding[] = [];
  let file = '';
  for (const line of stdout.split('\n')) {
    const m = /^  (\d+):(\d+)\s+(error|warn|info|hint)\s+(.*\S)\s{2}(\S+)$/.exec(line);
    if (m) out.push({ file, line: Number(m[1]), column: Number(m[2]), severity: m[3], message: m[4], code: m[5] });
    else if (line && !line.startsWith(' ') && !/^[✖✔]/.test(line)) file = line;
  }
  return out;
}

/** A temporary folder with the given files; removed by the returned cleanup. */
export function tempRepo(files: Record<string, string | Buffer>): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gitway-test-'));
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(dir, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function git(dir: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 't@example.com' } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}
