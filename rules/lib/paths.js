// Path templates and matching, shared by the built-in rule functions.

/** `/pets/{id}` and `/pets/{petId}` are the same route: parameters become `{}`. */
export function normaliseTemplate(path) {
  return path.replace(/\{[^}]*\}/g, '{}').replace(/\/+$/, '') || '/';
}

/** Joins a base path and a path template: `/v1` + `/pets` = `/v1/pets`. */
export function joinPath(base, path) {
  const b = (base || '').replace(/\/+$/, '');
  const p = path.startsWith('/') ? path : `/${path}`;
  return b + p || '/';
}

/**
 * A route's path as a list of segment patterns: a literal, `{}` (one segment), or `**` (a prefix:
 * any number of segments, including none).
 */
export function segments(path, match) {
  const parts = normaliseTemplate(path).split('/').filter(Boolean);
  return match === 'prefix' ? [...parts, '**'] : parts;
}

/** True when some request path could match both segment lists. */
export function overlap(a, b) {
  if (a.length === 0 || b.length === 0) return (a.length === 0 || a[0] === '**') && (b.length === 0 || b[0] === '**');
  const [x, ...restA] = a;
  const [y, ...restB] = b;
  if (x === '**') return true;
  if (y === '**') return true;
  if (x === '{}' || y === '{}' || x.toLowerCase() === y.toLowerCase()) return overlap(restA, restB);
  return false;
}
