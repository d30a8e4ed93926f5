/**
 * Offline comparisons of desired states: between two revisions of the repository (same
 * environment), and between two environments (same revision). Nothing is compiled or contacted.
 */
import type { AnyManifest } from '../manifest/types.js';
import { buildModel } from '../model/build.js';
import { diff, summarise, type Change, type FieldChange } from '../plan/diff.js';
import type { ProjectOptions } from '../project.js';
import { describeRevision, revisionOf } from '../workspace/revision.js';
import { concealedEntities, loadModel, type DesiredOptions, type LoadedModel } from './desired.js';

export interface Comparison {
  from: string;
  to: string;
  changes: Change[];
  summary: { add: number; change: number; destroy: number };
  /** Environment parity: differences that come only from declared variables (hidden unless asked for). */
  explained?: { changes: number; variables: string[] };
  notes: string[];
}

/** What changes between the desired states of two revisions (B: a revision, or the working tree). */
export async function compareRevisions(base: DesiredOptions, a: string, b: string | undefined): Promise<Comparison> {
  const from = await loadModel({ ...base, rev: a, staged: false }, false);
  const to = await loadModel({ ...base, rev: b, staged: false }, false);
  // B is what A would become: B plays the desired state, A the live one.
  const changes = diff(concealedEntities(to.model.state, to.project.secrets), concealedEntities(from.model.state, from.project.secrets));
  return { from: await label(from), to: await label(to), changes, summary: summarise(changes), notes: [] };
}

async function label(m: LoadedModel): Promise<string> {
  return describeRevision(await revisionOf(m.project.root, m.project.tree.source));
}

/**
 * Environment parity: the desired state of environment A against B. A field whose value comes
 * from a `${var.NAME}` is expected to differ and is left out (`all` keeps it), so what remains is
 * what really differs between the environments.
 */
export async function compareEnvironments(base: ProjectOptions & DesiredOptions, envA: string, envB: string, all = false): Promise<Comparison> {
  const a = await loadModel({ ...base, env: envA }, false);
  const b = await loadModel({ ...base, env: envB }, false);
  const notes: string[] = [];
  if (a.environment.driver !== b.environment.driver) notes.push(`driver: ${a.environment.driver} → ${b.environment.driver}`);
  const raw = rawModel(a);
  const varsA = Object.keys(a.environment.scope.vars);
  const varsB = Object.keys(b.environment.scope.vars);
  for (const v of varsA.filter((x) => !varsB.includes(x))) notes.push(`variable ${v} is declared for '${envA}' only`);
  for (const v of varsB.filter((x) => !varsA.includes(x))) notes.push(`variable ${v} is declared for '${envB}' only`);

  const changes = diff(concealedEntities(b.model.state, b.project.secrets), concealedEntities(a.model.state, a.project.secrets));
  const explainedVars = new Set<string>();
  let explainedCount = 0;
  const kept: Change[] = [];
  for (const c of changes) {
    if (c.action !== 'update' || all) {
      kept.push(c);
      continue;
    }
    const spec = raw.get(`${c.kind}/${c.name}`);
    const fields: FieldChange[] = [];
    for (const f of c.fields ?? []) {
      const names = variablesIn(valueAt(spec, f.path));
      if (names.length) {
        explainedCount++;
        names.forEach((n) => explainedVars.add(n));
      } else fields.push(f);
    }
    if (fields.length || c.drift) kept.push({ ...c, fields });
  }
  return {
    from: `environment '${envA}'`,
    to: `environment '${envB}'`,
    changes: kept,
    summary: summarise(kept),
    explained: { changes: explainedCount, variables: [...explainedVars].sort() },
    notes,
  };
}

/** The model built from the manifests as written (variables not substituted), by entity key. */
function rawModel(m: LoadedModel): Map<string, unknown> {
  const manifests = m.project.manifests.map((x) => ({ ...x, spec: x.rawSpec, sensitive: [] }) as AnyManifest);
  const state = buildModel({ manifests, documents: m.project.documents }).state;
  return new Map(state.entities.map((e) => [`${e.kind}/${e.name}`, e.spec as unknown]));
}

/** The value at a field path such as `targets[0].url`. */
function valueAt(root: unknown, path: string): unknown {
  let v = root;
  for (const part of path.split(/\.|(?=\[)/)) {
    if (v === null || typeof v !== 'object') return undefined;
    const index = /^\[(\d+)\]$/.exec(part);
    v = index ? (v as unknown[])[Number(index[1])] : (v as Record<string, unknown>)[part];
  }
  return v;
}

function variablesIn(value: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') for (const m of v.matchAll(/\$\{\s*var\.([A-Za-z_][A-Za-z0-9_]*)\s*\}/g)) out.push(m[1]);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return out;
}
