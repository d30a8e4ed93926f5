/**
 * `gitway dump`: the live gitway-owned config of an environment, written as the files of a gitway
 * repository (manifests, and a minimal OpenAPI document per API), to adopt a gateway. Reads the
 * gateway with nothing but gitway.yaml; converts with the pure adopt(); writes the files only when
 * none of them exists yet (or when forced), each one atomically. Never prints.
 */
import { lstatSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { glob } from 'tinyglobby';
import { UsageError } from '../errors.js';
import { whyNotWritten, writeFileAtomic } from '../gateways/atomic.js';
import type { DesiredOptions } from './desired.js';
import { adopt, foreignSkipped, type DumpFile, type DumpVariable, type Skipped } from './dump-manifests.js';
import { readLive } from './live.js';

export interface DumpOptions extends DesiredOptions {
  /** The folder to write into (relative to cwd); default: the repository root (the folder of gitway.yaml). */
  dir?: string;
  /** Overwrite files that exist. */
  force?: boolean;
  progress?: (phase: 'reading') => void;
}

export interface DumpOutcome {
  environment: string;
  driver: string;
  /** The URL or file read. */
  where: string;
  /** The folder written into (absolute). */
  dir: string;
  /** False when the gateway holds nothing of gitway's: nothing is written. */
  present: boolean;
  /** The files written, relative to `dir`; `overwritten` when one was there before (with --force). */
  files: (Omit<DumpFile, 'text'> & { overwritten: boolean })[];
  /** The environment variables the files read secrets from: the user sets them to the real values. */
  variables: DumpVariable[];
  /** What was not dumped, or not exactly. */
  skipped: Skipped[];
  /** Entities written, by manifest kind. */
  counts: Record<string, number>;
  /** Files written that gitway.yaml's manifest patterns do not read. */
  unread: string[];
  /** Other manifest files the repository already had (relative to the root): what they define beside the dumped files would be defined twice. */
  others: string[];
}

export async function dumpEnvironment(options: DumpOptions): Promise<DumpOutcome> {
  const read = await readLive(options);
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const dir = options.dir ? path.resolve(cwd, options.dir) : read.root;
  const insideRoot = (abs: string) => {
    const rel = path.relative(read.root, abs);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : undefined;
  };
  const adoption = read.live.present
    ? adopt(read.live.entities, {
        environment: read.environment.name,
        where: read.where,
        listen: read.environment.listen,
        defaults: read.driver.defaults,
        foreign: read.live.foreign,
        // API manifests name their document relative to the repository root.
        openapiPath: (file) => insideRoot(path.join(dir, file)) ?? file,
      })
    : { files: [], variables: [], counts: {}, skipped: foreignSkipped(read.live.foreign) };

  if (adoption.files.length && exists(dir) && !lstatSync(dir).isDirectory()) {
    throw new UsageError(`cannot dump into ${dir}: it is not a folder`, 'Give --dir a folder (it is created when missing).');
  }
  const existing = adoption.files.filter((f) => exists(path.join(dir, f.path)));
  if (existing.length && !options.force) {
    throw new UsageError(
      `refusing to overwrite ${existing.length === 1 ? 'a file that exists' : `${existing.length} files that exist`} in ${dir}: ${existing.map((f) => f.path).join(', ')}; nothing was written`,
      'Dump into an empty folder (--dir DIR), move those files away, or pass --force to overwrite them.',
    );
  }
  const before = adoption.files.length ? await glob(read.manifests, { cwd: read.root, dot: true }) : [];
  const isRead = picomatch(read.manifests, { dot: true });
  const unread: string[] = [];
  const files: DumpOutcome['files'] = [];
  for (const f of adoption.files) {
    const target = path.join(dir, f.path);
    const overwritten = existing.includes(f);
    await writeAtomically(target, f.text);
    files.push({ path: f.path, summary: f.summary, overwritten });
    const rel = insideRoot(target);
    if (f.path.startsWith('gateway/') && (!rel || !isRead(rel))) unread.push(f.path);
  }
  return {
    environment: read.environment.name,
    driver: read.driver.name,
    where: read.where,
    dir,
    present: read.live.present,
    files,
    variables: adoption.variables,
    skipped: adoption.skipped,
    counts: adoption.counts,
    unread,
    others: before.filter((f) => !files.some((w) => insideRoot(path.join(dir, w.path)) === f)).sort(),
  };
}

function exists(file: string): boolean {
  try {
    return lstatSync(file, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false; // a part of its path is a file: writing there fails with a message
  }
}

async function writeAtomically(target: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(target, text, { mode: 0o644 });
  } catch (err) {
    throw new UsageError(`cannot write ${target} (${whyNotWritten(err)})`, 'Dump into a folder you can write to (--dir DIR).');
  }
}
