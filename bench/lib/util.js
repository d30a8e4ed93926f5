// Small helpers shared by the benchmarks: paths, timing, medians, peak memory of a child process.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// a bench measures gitway on its own: never through a `gitway server` the user may have running
// (bench/lint-staged.js measures one it starts itself)
process.env.GITWAY_SERVER = 'off';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const bin = path.join(projectRoot, 'bin/gitway.js');
export const corpus = path.resolve(projectRoot, '../shared/corpus');

export function requireBuild() {
  if (!existsSync(path.join(projectRoot, 'dist/cli/main.js'))) {
    console.error('dist/ is missing: run `npm run build` first (or `npm run bench`, which builds).');
    process.exit(2);
  }
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function ms(n) {
  return `${Math.round(n)} ms`;
}

export function seconds(n) {
  return `${(n / 1000).toFixed(2)} s`;
}

export function mb(kb) {
  return `${(kb / 1024).toFixed(0)} MB`;
}

/** Runs a command once, synchronously; returns the wall time in ms with its result. */
export function timed(cmd, args, options = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, ...options });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  return { wall, status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, error: r.error };
}

/**
 * Runs a command, measuring wall time and peak RSS. With GNU time (/usr/bin/time) the peak is the
 * kernel's maximum resident set size of the process (worker threads share it); without it, /proc is
 * polled every 20 ms (VmHWM of the process, and the sum of VmRSS over its descendants).
 */
export function measured(cmd, args, options = {}) {
  const useTime = existsSync('/usr/bin/time');
  const timeOut = path.join(os.tmpdir(), `gitway-bench-time-${process.pid}-${Date.now()}.txt`);
  const [c, a] = useTime ? ['/usr/bin/time', ['-f', '%M', '-o', timeOut, cmd, ...args]] : [cmd, args];
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(c, a, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    const out = [];
    const err = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    let peakTreeKb = 0;
    const sample = () => {
      let total = 0;
      for (const pid of descendants(child.pid)) {
        const status = readStatus(pid);
        if (!status) continue;
        total += status.rss;
        if (status.hwm > peakTreeKb) peakTreeKb = status.hwm;
      }
      if (total > peakTreeKb) peakTreeKb = total;
    };
    const timer = existsSync('/proc/self/status') ? setInterval(sample, 20) : undefined;
    child.on('close', (status, signal) => {
      if (timer) clearInterval(timer);
      const wall = Number(process.hrtime.bigint() - t0) / 1e6;
      let peakRssKb = peakTreeKb;
      let how = 'polled /proc every 20 ms';
      if (useTime) {
        try {
          const lines = readFileSync(timeOut, 'utf8').trim().split('\n');
          const kb = Number(lines[lines.length - 1]);
          if (kb > 0) {
            peakRssKb = kb;
            how = 'GNU time, maximum resident set size';
          }
          rmSync(timeOut, { force: true });
        } catch {
          // keep the polled figure
        }
      }
      resolve({ wall, status, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), peakRssKb, how });
    });
  });
}

function readStatus(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+)/.exec(text)?.[1] ?? 0);
    const hwm = Number(/VmHWM:\s+(\d+)/.exec(text)?.[1] ?? 0);
    return { rss, hwm };
  } catch {
    return undefined;
  }
}

function descendants(pid) {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    try {
      const tasks = readFileSync(`/proc/${all[i]}/task/${all[i]}/children`, 'utf8').trim();
      if (tasks) all.push(...tasks.split(/\s+/).map(Number));
    } catch {
      // gone, or no /proc
    }
  }
  return all;
}

/** Reads a TSV file with a header line into objects. */
export function readTsv(file) {
  const [head, ...rows] = readFileSync(file, 'utf8').split('\n').filter((l) => l.length);
  const cols = head.split('\t');
  return rows.map((line) => {
    const cells = line.split('\t');
    return Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? '']));
  });
}

