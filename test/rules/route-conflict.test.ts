/**
 * gitway-route-conflict finds the earlier claims a route overlaps through a tree of path segments.
 * It must decide exactly what comparing every pair with `overlap` decides: random projects, both ways.
 */
import * as routeConflict from '../../rules/gitway-manifests/gitway-route-conflict.js';
import { joinPath, overlap, segments } from '../../rules/lib/paths.js';

type Claim = { owner: string; hosts: string[]; methods: string[]; path: string; match: string; at: (string | number)[] };
const ALL = ['*'];
const intersects = (a: string[], b: string[]) => a[0] === '*' || b[0] === '*' || a.some((x) => b.some((y) => x.toLowerCase() === y.toLowerCase()));

/** The rule as it was first written: every claim against every earlier one. */
function pairwise(project: { apis: { name: string; hosts?: string[]; basePath?: string; operations: { method: string; path: string }[] }[]; manifests: { kind: string; name: string; spec: { hosts?: string[]; methods?: string[]; paths: (string | { path: string; match?: string })[] } }[] }) {
  const list: (Claim & { segs: string[] })[] = [];
  project.apis.forEach((api, i) => api.operations.forEach((op, j) => list.push({ owner: `API '${api.name}'`, hosts: api.hosts?.length ? api.hosts : ALL, methods: [op.method], path: joinPath(api.basePath, op.path), match: 'exact', at: ['apis', i, 'operations', j], segs: [] })));
  project.manifests.forEach((m, i) =>
    m.spec.paths.forEach((p, j) => {
      const path = typeof p === 'string' ? p : p.path;
      const match = typeof p === 'string' ? 'prefix' : (p.match ?? 'prefix');
      list.push({ owner: `Route '${m.name}'`, hosts: m.spec.hosts?.length ? m.spec.hosts : ALL, methods: m.spec.methods?.length ? m.spec.methods : ALL, path, match, at: ['manifests', i, 'spec', 'paths', j], segs: [] });
    }),
  );
  for (const c of list) c.segs = segments(c.path, c.match) as string[];
  const out: { path: (string | number)[]; with: string }[] = [];
  list.forEach((b, i) => {
    for (let j = 0; j < i; j++) {
      const a = list[j];
      if (a.owner === b.owner || !intersects(a.hosts, b.hosts) || !intersects(a.methods, b.methods) || !overlap(a.segs, b.segs)) continue;
      out.push({ path: b.at, with: `${a.owner} also claims (${a.path}${a.match === 'prefix' ? '*' : ''}` });
      break;
    }
  });
  return out;
}

function random(seed: number) {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)];
  const seg = () => pick(['pets', 'Pets', 'users', '{id}', '{name}', 'v1', 'a', 'b', 'x.json', '{id}.json']);
  const path = () => '/' + Array.from({ length: Math.floor(next() * 4) }, seg).join('/');
  const apis = Array.from({ length: 1 + Math.floor(next() * 6) }, (_, i) => ({
    name: `api${i}`,
    hosts: next() < 0.3 ? [pick(['a.example', 'B.example'])] : undefined,
    basePath: next() < 0.5 ? pick(['/v1', '/', '/pets', '']) : undefined,
    operations: Array.from({ length: 1 + Math.floor(next() * 8) }, () => ({ method: pick(['GET', 'POST', 'get']), path: path() })),
  }));
  const manifests = Array.from({ length: Math.floor(next() * 3) }, (_, i) => ({
    kind: 'Route',
    name: `route${i}`,
    spec: { hosts: next() < 0.3 ? ['a.example'] : undefined, methods: next() < 0.5 ? [pick(['GET', 'POST'])] : undefined, paths: Array.from({ length: 1 + Math.floor(next() * 3) }, () => (next() < 0.5 ? path() : { path: path(), match: pick(['exact', 'prefix']) })) },
  }));
  return { 'x-gitway': 'project', apis, manifests };
}

describe('gitway-route-conflict', () => {
  it('finds the same conflicts, with the same earlier claim, as comparing every pair (500 random projects)', () => {
    const fn = (routeConflict.rule as { then: { function: (p: unknown) => { message: string; path: (string | number)[] }[] } }).then.function;
    let conflicts = 0;
    for (let seed = 1; seed <= 500; seed++) {
      const project = random(seed);
      const expected = pairwise(project);
      const actual = fn(project).map((r) => ({ path: r.path, with: /(\S+ '[^']+' also claims \([^)]*)/.exec(r.message)?.[1] }));
      expect(actual).toEqual(expected);
      conflicts += expected.length;
    }
    expect(conflicts).toBeGreaterThan(500); // the projects do collide, often
  });
});
