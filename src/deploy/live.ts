/**
 * What is live on an environment's gateway, read with nothing but gitway.yaml (the manifests may be
 * broken, or from another commit): for `history` and `dump`.
 */
import { InvalidProjectError } from '../errors.js';
import { driverFor, resolveTarget, type Driver, type LiveState } from '../gateways/index.js';
import type { Environment } from '../manifest/config.js';
import { loadEnvironment, type EnvironmentOnly } from '../project.js';
import type { DesiredOptions } from './desired.js';
import { planTarget } from './planner.js';
import { targetLabel } from '../plan/plan.js';

export interface LiveRead {
  environment: Environment;
  driver: Driver;
  live: LiveState;
  /** The URL or file, as a plan names it. */
  where: string;
  /** The repository root (the folder of gitway.yaml). */
  root: string;
  /** gitway.yaml's manifest patterns (relative to the root). */
  manifests: string[];
}

/**
 * gitway.yaml's environment, refused (InvalidProjectError) only for what it takes to reach the
 * gateway: a variable the manifests would need (an unset ${env} in vars) does not count.
 */
export async function gatewayEnvironment(options: DesiredOptions): Promise<EnvironmentOnly> {
  const { loaded, findings, source } = await loadEnvironment(options);
  if (loaded) options.onSecrets?.(loaded.environment.secrets);
  const blocking = findings.filter((f) => f.severity === 'error' && !(f.path[0] === 'environments' && f.path[2] === 'vars'));
  if (!loaded || blocking.length) throw new InvalidProjectError(blocking.length ? blocking : findings, source, { what: "gitway cannot tell how to reach the environment's gateway", hint: 'Fix them (see above), then try again.' });
  return loaded;
}

/** Reads the environment's gateway (`here`: its environment when the caller already has it). */
export async function readLive(options: DesiredOptions & { progress?: (phase: 'reading') => void }, here?: EnvironmentOnly): Promise<LiveRead> {
  const loaded = here ?? (await gatewayEnvironment(options));
  const driver = await driverFor(loaded.environment.driver);
  const target = resolveTarget(loaded.root, loaded.environment);
  options.progress?.('reading');
  const live = await driver.read(target);
  return { environment: loaded.environment, driver, live, where: targetLabel(planTarget(target)), root: loaded.root, manifests: loaded.config.manifests };
}
