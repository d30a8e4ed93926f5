/**
 * Where a gitway repository starts: the folder of gitway.yaml at or above the working folder (up to
 * the first git repository). Light on purpose: commands find the root before they load anything.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';

export const CONFIG_FILE = 'gitway.yaml';

export function locateRoot(options: { cwd?: string; config?: string }): { root: string; configFile: string } {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  if (!isDirectory(cwd)) {
    throw new UsageError(`the folder ${cwd} does not exist`, 'Pass an existing folder with --cwd, or run gitway from inside the repository.');
  }
  if (options.config) {
    const abs = path.resolve(cwd, options.config);
    return { root: path.dirname(abs), configFile: path.basename(abs) };
  }
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, CONFIG_FILE))) return { root: dir, configFile: CONFIG_FILE };
    if (fs.existsSync(path.join(dir, '.git')) || path.dirname(dir) === dir) break;
  }
  return { root: cwd, configFile: CONFIG_FILE };
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

