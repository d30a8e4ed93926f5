/** The drivers gitway has, by name. */
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { Environment } from '../manifest/config.js';
import type { Driver, ResolvedTarget } from './driver.js';

export type { Driver, LiveState, ResolvedTarget, Stamp, WriteRequest } from './driver.js';

export async function driverFor(name: string): Promise<Driver> {
  if (name === 'caddy') return (await import('./caddy/index.js')).caddyDriver as Driver;
  throw new UsageError(`driver '${name}' is not supported by this gitway yet (available: caddy)`, 'Use an environment with driver: caddy.');
}

/** The environment's target, with a file path resolved against the repository root. */
export function resolveTarget(root: string, environment: Environment): ResolvedTarget {
  const t = environment.target;
  if (t.kind === 'file') return { kind: 'file', file: t.file, path: path.resolve(root, t.file) };
  return { kind: 'admin', url: t.url, token: environment.token, tls: environment.tls, root, timeoutMs: environment.timeoutMs };
}
