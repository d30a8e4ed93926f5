/**
 * Path templates and path matches: joining a base path to an OpenAPI template, the key two routes
 * compare on to find a conflict, and the order in which routes must be tried (most specific first).
 */
import type { PathMatch } from './types.js';

/** `/orders` + `/{id}` → `/orders/{id}`; a template `/` under a base path is the base path itself. */
export function joinPath(base: string | undefined, template: string): string {
  const b = (base ?? '').replace(/\/+$/, '');
  if (!b) return template.startsWith('/') ? template : `/${template}`;
  if (template === '/' || template === '') return b;
  return `${b}${template.startsWith('/') ? '' : '/'}${template}`;
}

/** True when a path holds an OpenAPI parameter (`{name}`). */
export function hasParameters(template: string): boolean {
  return /\{[^}/]*\}/.test(template);
}

/**
 * What two path matches are compared on: parameter names do not matter (`/a/{x}` and `/a/{y}`
 * match the same requests) and gateways match paths case-insensitively.
 */
export function claimKey(m: PathMatch): string {
  if (m.match === 'regex') return `regex:${m.path}`;
  if (m.match === 'prefix') return `prefix:${m.path.toLowerCase()}`;
  return `=${m.path.replace(/\{[^}/]*\}/g, '{}').toLowerCase()}`;
}

/**
 * Sort key for route order: exact paths and templates before prefixes, regexes last; among
 * templates, a literal segment before a parameter at the same place (so `/pets/mine` is tried before
 * `/pets/{id}`), longer paths first; among prefixes, the longest first.
 */
export function specificity(m: PathMatch): string {
  const segments = m.path.split('/').filter(Boolean);
  // Lower sorts first. Each segment: 0 literal, 1 partly parameter, 2 parameter.
  const rank = segments
    .map((s) => (/^\{[^}]*\}$/.test(s) ? '2' : hasParameters(s) ? '1' : '0'))
    .join('');
  const depth = String(999 - Math.min(segments.length, 999)).padStart(3, '0');
  if (m.match === 'regex') return `3|${m.path}`;
  if (m.match === 'prefix') return `2|${String(99999 - Math.min(m.path.length, 99999)).padStart(5, '0')}|${m.path}`;
  return `1|${rank.padEnd(64, '9')}|${depth}|${m.path}`;
}
