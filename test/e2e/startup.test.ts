import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bin, projectRoot } from '../helpers/cli.js';

const HEAVY = ['@stoplight/spectral', '@apidevtools/swagger-parser', 'undici', 'simple-git', 'ajv', 'js-yaml', '@hyperjump'];

function loadsOf(args: string[]): { status: number; stdout: string; loads: string[] } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gitway-loads-'));
  const log = path.join(dir, 'loads.txt');
  try {
    const r = spawnSync(process.execPath, ['--import', path.join(projectRoot, 'test/helpers/register-record-loads.mjs'), bin, ...args], {
      env: { ...process.env, GITWAY_LOADS: log, NO_COLOR: '1' },
      encoding: 'utf8',
    });
    let loads: string[] = [];
    try {
      loads = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    } catch {
      loads = [];
    }
    return { status: r.status ?? -1, stdout: r.stdout, loads };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('start-up stays light', () => {
  it.each([['--version'], ['--help'], ['validate', '--help']])('gitway %s loads none of the heavy modules', (...args) => {
    const { status, stdout, loads } = loadsOf(args);
    expect(status).toBe(0);
    expect(stdout.length).toBeGreaterThan(0);
    expect(loads.some((u) => u.includes('/dist/cli/main.js'))).toBe(true); // the hook really recorded loads
    for (const heavy of HEAVY) expect(loads.filter((u) => u.includes(`/node_modules/${heavy}`))).toEqual([]);
  });

  it('prints the version of package.json', () => {
    const pkg = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string };
    expect(loadsOf(['--version']).stdout.trim()).toBe(pkg.version);
  });
});
