/**
 * Secrets in the model: values that came from `${env...}` are replaced by `sha256:<hex>` wherever a
 * model leaves the process (plans, the metadata gitway embeds in a gateway). Comparing two hashes
 * says whether a secret changed without showing it.
 */
import type { JsonPath } from '../manifest/source.js';
import { sha256 } from './fingerprint.js';
import type { AnyEntity } from './types.js';

/** Secrets shorter than this are not concealed where they merely appear inside another value. */
const MIN_SECRET = 3;
/**
 * Secrets shorter than this are found only as a whole value, not inside another one (a key
 * "petstore" would otherwise turn every route of API petstore into a hash). Values that come from
 * `${env...}` are concealed by where they come from (`sensitive` paths), whatever their length.
 */
const MIN_SECRET_INSIDE = 12;

export function isConcealed(value: unknown): boolean {
  return typeof value === 'string' && /^sha256:[0-9a-f]{64}$/.test(value);
}

/**
 * The entity with every sensitive value (at its `sensitive` paths, and any string that contains one
 * of the run's secrets) replaced by its hash.
 */
export function conceal<E extends AnyEntity>(entity: E, secrets: readonly string[] = []): E {
  // The compiler (for its metadata) and the planner conceal the same entities with the same secrets: once is enough.
  const known = concealed.get(entity);
  if (known && known.secrets === secrets) return known.result as E;
  const result = concealNow(entity, secrets);
  concealed.set(entity, { secrets, result });
  return result;
}

const concealed = new WeakMap<object, { secrets: readonly string[]; result: AnyEntity }>();

function concealNow<E extends AnyEntity>(entity: E, secrets: readonly string[]): E {
  let spec = entity.spec as unknown as Record<string, unknown>;
  if (entity.sensitive.length) {
    spec = JSON.parse(JSON.stringify(spec)) as Record<string, unknown>;
    for (const p of entity.sensitive) replaceAt(spec, p);
  }
  spec = secrets.length ? concealValues(spec, secrets) : spec;
  return spec === (entity.spec as unknown) ? entity : ({ ...entity, spec } as E);
}

/**
 * Every string that contains one of the secrets, replaced by its hash. Parts without a secret are
 * shared with the input (nothing is copied when nothing is secret); the input is never changed.
 */
export function concealValues<T>(value: T, secrets: readonly string[]): T {
  const list = secrets.filter((s) => s.length >= MIN_SECRET);
  if (list.length === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return !isConcealed(v) && list.some((s) => v === s || (s.length >= MIN_SECRET_INSIDE && v.includes(s))) ? sha256(v) : v;
    if (Array.isArray(v)) {
      let out: unknown[] | undefined;
      v.forEach((x, i) => {
        const y = walk(x);
        if (y !== x) (out ??= [...v])[i] = y;
      });
      return out ?? v;
    }
    if (v && typeof v === 'object') {
      let out: Record<string, unknown> | undefined;
      for (const [k, x] of Object.entries(v)) {
        const y = walk(x);
        if (y !== x) (out ??= { ...(v as Record<string, unknown>) })[k] = y;
      }
      return out ?? v;
    }
    return v;
  };
  return walk(value) as T;
}

function replaceAt(root: Record<string, unknown>, path: JsonPath): void {
  if (path.length === 0) return;
  let node: unknown = root;
  for (const k of path.slice(0, -1)) {
    if (!node || typeof node !== 'object') return;
    node = (node as Record<string | number, unknown>)[k];
  }
  const last = path[path.length - 1];
  if (node && typeof node === 'object') {
    const holder = node as Record<string | number, unknown>;
    const v = holder[last];
    if (typeof v === 'string' && !isConcealed(v)) holder[last] = sha256(v);
  }
}

/**
 * Replaces every secret value in a text by (sensitive), longest first: as written, and as it reads
 * once quoted into a message (JSON.stringify) and once more into JSON output.
 */
export function redact(text: string, secrets: readonly string[]): string {
  const forms = new Set<string>();
  for (const s of secrets.filter((x) => x.length >= 3)) {
    const once = JSON.stringify(s).slice(1, -1);
    forms.add(s).add(once).add(JSON.stringify(once).slice(1, -1));
  }
  let out = text;
  for (const s of [...forms].sort((a, b) => b.length - a.length)) out = out.split(s).join('(sensitive)');
  return out;
}
