/**
 * From a tree to a desired state: load the project (refusing one with errors), build the neutral
 * model (refusing route conflicts), and, for a driver, compile it.
 */
import type { Finding } from '../checks/finding.js';
import { InvalidProjectError, RouteConflictError } from '../errors.js';
import type { Environment } from '../manifest/config.js';
import { buildModel, describeConflict, type ModelResult } from '../model/build.js';
import { conceal } from '../model/sensitive.js';
import type { DesiredState } from '../model/types.js';
import type { KeyedEntity } from '../plan/diff.js';
import { loadProject, type Project, type ProjectOptions } from '../project.js';
import { driverFor, resolveTarget, type Driver, type ResolvedTarget } from '../gateways/index.js';
import { revisionOf, type Revision } from '../workspace/revision.js';
import { toTreePath } from '../workspace/tree.js';

export interface DesiredOptions extends ProjectOptions {
  /** Called with the run's secrets as soon as they are known (before anything can fail), for redaction. */
  onSecrets?: (secrets: readonly string[]) => void;
}

export interface LoadedModel {
  project: Project;
  environment: Environment;
  model: ModelResult;
  /** Warnings met on the way (an API with no operations, warnings of validation). */
  warnings: Finding[];
  source: string;
}

export interface Desired extends LoadedModel {
  driver: Driver;
  target: ResolvedTarget;
  native: unknown;
  fingerprint: string;
  revision: Revision;
}

/** The project and its neutral model. Refuses a project with errors (InvalidProjectError). */
export async function loadModel(options: DesiredOptions, refuseConflicts = true): Promise<LoadedModel> {
  const loaded = await loadProject(options);
  if (loaded.project) options.onSecrets?.(loaded.project.secrets);
  if (!loaded.project || loaded.findings.some((f) => f.severity === 'error')) throw new InvalidProjectError(loaded.findings, loaded.source);
  const project = loaded.project;
  const model = buildModel({ manifests: project.manifests, documents: project.documents, listen: project.environment.listen });
  if (refuseConflicts && model.conflicts.length) throw new RouteConflictError(model.conflicts.map(describeConflict));
  return { project, environment: project.environment, model, warnings: [...loaded.findings, ...model.findings], source: loaded.source };
}

/** The desired state compiled for the environment's driver, with the revision it comes from. */
export async function loadDesired(options: DesiredOptions): Promise<Desired> {
  const m = await loadModel(options);
  const driver = await driverFor(m.environment.driver);
  const target = resolveTarget(m.project.root, m.environment);
  const native = driver.compile(m.model.state, { secrets: m.project.secrets });
  const ignore: string[] = ['.gitway']; // gitway's own folder (rendered files, caches) never makes the tree dirty
  if (target.kind === 'file') {
    try {
      ignore.push(toTreePath(target.file));
    } catch {
      // a target outside the repository cannot make it dirty
    }
  }
  const revision = await revisionOf(m.project.root, m.project.tree.source, ignore);
  return { ...m, driver, target, native, fingerprint: driver.fingerprint(native), revision };
}

/** The model's entities as the differ and plans see them: secrets replaced by hashes. */
export function concealedEntities(state: DesiredState, secrets: readonly string[]): KeyedEntity[] {
  return state.entities.map((e) => {
    const c = conceal(e, secrets);
    return { kind: c.kind, name: c.name, spec: c.spec };
  });
}
