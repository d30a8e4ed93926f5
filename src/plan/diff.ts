/**
 * The differ: desired entities against live entities, keyed by kind and name. Pure.
 *
 * - Both sides are normalised with the gateway's defaults first, so a value the gateway fills in
 *   (retries 0, round-robin, …) never shows as a change.
 * - An update lists only the fields that changed (leaf by leaf; arrays of scalars count as one field).
 * - A live entity that was edited by hand on the gateway (drift) is an update even when its recorded
 *   spec equals the desired one: applying rewrites it.
 * - A rename is a delete and a create (identity is the name).
 * - Order is deterministic: creates and updates in dependency order (server, upstreams, policies,
 *   consumers, routes), then deletes in reverse dependency order; by name within a kind.
 */
import { ENTITY_KINDS, compareEntities, type EntityKind } from '../model/types.js';

export const ACTIONS = ['create', 'update', 'delete'] as const;
export type Action = (typeof ACTIONS)[number];

export interface KeyedEntity {
  kind: EntityKind;
  name: string;
  spec: unknown;
  /** Set on a live entity whose native config differs from what gitway wrote: why. */
  drift?: string;
}

export interface FieldChange {
  /** `retries`, `healthCheck.interval`, `targets[0].url`. */
  path: string;
  /** Absent: the field is new. */
  before?: unknown;
  /** Absent: the field is removed. */
  after?: unknown;
}

export interface Change {
  action: Action;
  kind: EntityKind;
  name: string;
  before: unknown;
  after: unknown;
  /** For an update: what changed, field by field. */
  fields?: FieldChange[];
  /** For an entity edited by hand on the gateway: what was found. */
  drift?: string;
}

/**
 * Values a gateway fills in when they are not given, per kind. A default object is a value filled
 * in when absent (`loadBalancing: {policy: 'random'}`); wrap it in `section()` when it describes
 * the defaults inside an optional part, filled only where that part is present.
 */
export type Defaults = Partial<Record<EntityKind, Record<string, unknown>>>;

const SECTION = Symbol('gitway.defaults.section');

export function section<T extends Record<string, unknown>>(defaults: T): T {
  return Object.assign({ [SECTION]: true }, defaults) as T;
}

function isSection(v: unknown): boolean {
  return isPlainObject(v) && (v as Record<symbol, unknown>)[SECTION] === true;
}

export function diff(desired: readonly KeyedEntity[], live: readonly KeyedEntity[], defaults: Defaults = {}): Change[] {
  const liveByKey = new Map(live.map((e) => [`${e.kind}/${e.name}`, e]));
  const desiredKeys = new Set<string>();
  const upserts: Change[] = [];
  for (const d of desired) {
    const key = `${d.kind}/${d.name}`;
    desiredKeys.add(key);
    const l = liveByKey.get(key);
    if (!l) {
      upserts.push({ action: 'create', kind: d.kind, name: d.name, before: null, after: d.spec });
      continue;
    }
    // Most entities are unchanged: equal as they are needs no normalising.
    const fields = equal(l.spec, d.spec) ? [] : fieldChanges(normalise(l.spec, defaults[d.kind]), normalise(d.spec, defaults[d.kind]), '');
    if (fields.length || l.drift) {
      upserts.push({ action: 'update', kind: d.kind, name: d.name, before: l.spec, after: d.spec, fields, ...(l.drift ? { drift: l.drift } : {}) });
    }
  }
  const deletes: Change[] = live
    .filter((l) => !desiredKeys.has(`${l.kind}/${l.name}`))
    .map((l) => ({ action: 'delete' as const, kind: l.kind, name: l.name, before: l.spec, after: null, ...(l.drift ? { drift: l.drift } : {}) }));
  upserts.sort(compareEntities);
  deletes.sort((a, b) => ENTITY_KINDS.indexOf(b.kind) - ENTITY_KINDS.indexOf(a.kind) || compareEntities(a, b));
  return [...upserts, ...deletes];
}

export function summarise(changes: readonly Change[]): { add: number; change: number; destroy: number } {
  return {
    add: changes.filter((c) => c.action === 'create').length,
    change: changes.filter((c) => c.action === 'update').length,
    destroy: changes.filter((c) => c.action === 'delete').length,
  };
}

/** The value with the gateway's defaults filled in and undefined keys dropped. */
export function normalise(value: unknown, defaults: unknown): unknown {
  if (value === undefined) return isSection(defaults) ? undefined : defaults === undefined ? undefined : clone(defaults);
  if (!isPlainObject(defaults) || !isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = normalise(v, defaults[k]);
  for (const [k, d] of Object.entries(defaults)) {
    if (out[k] === undefined) {
      const filled = normalise(undefined, d);
      if (filled !== undefined) out[k] = filled;
    }
  }
  return out;
}

function clone(v: unknown): unknown {
  return v !== null && typeof v === 'object' ? JSON.parse(JSON.stringify(v)) : v;
}

function fieldChanges(before: unknown, after: unknown, path: string): FieldChange[] {
  if (equal(before, after)) return [];
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => fieldChanges(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length && [...before, ...after].some((x) => isPlainObject(x))) {
    return before.flatMap((b, i) => fieldChanges(b, after[i], `${path}[${i}]`));
  }
  const change: FieldChange = { path };
  if (before !== undefined) change.before = before;
  if (after !== undefined) change.after = after;
  return [change];
}

/** Deep equality of JSON values, whatever the order of object keys. */
function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => equal(x, bb[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
