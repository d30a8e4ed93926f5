/** Runs the installed Caddy's `caddy validate` on a config, when Caddy is installed. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const hasCaddy = spawnSync('caddy', ['version'], { encoding: 'utf8' }).status === 0;
/** A describe title that says why its tests are skipped when Caddy is missing. */
export const caddyTitle = (title: string) => (hasCaddy ? title : `${title} (SKIPPED: the caddy binary is not installed; CI installs it through .ci/run)`);
export const describeWithCaddy = (hasCaddy ? describe : describe.skip) as typeof describe;

export function caddyValidate(config: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gitway-caddy-'));
  try {
    const file = path.join(dir, 'caddy.json');
    writeFileSync(file, config);
    const r = spawnSync('caddy', ['validate', '--config', file], { encoding: 'utf8', env: { ...process.env, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir }, timeout: 60_000 });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
