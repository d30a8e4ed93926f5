// Two APIs (or an API and a Route) that claim the same host, method and an overlapping path: the
// gateway would send some requests to one of them by accident of ordering.
import { gitwayProject } from '../lib/formats.js';
import { joinPath, overlap, segments } from '../lib/paths.js';

const ALL = ['*'];

function claims(project) {
  const out = [];
  (project.apis || []).forEach((api, i) => {
    (api.operations || []).forEach((op, j) => {
      out.push({ owner: `API '${api.name}'`, hosts: api.hosts && api.hosts.length ? api.hosts : ALL, methods: [op.method], path: joinPath(api.basePath, op.path), match: 'exact', at: ['apis', i, 'operations', j] });
    });
  });
  (project.manifests || []).forEach((m, i) => {
    if (m.kind !== 'Route') return;
    (m.spec.paths || []).forEach((p, j) => {
      const path = typeof p === 'string' ? p : p.path;
      const match = typeof p === 'string' ? 'prefix' : p.match || 'prefix';
      if (match === 'regex') return; // overlap of regular expressions is not decided here
      out.push({ owner: `Route '${m.name}'`, hosts: m.spec.hosts && m.spec.hosts.length ? m.spec.hosts : ALL, methods: m.spec.methods && m.spec.methods.length ? m.spec.methods : ALL, path, match, at: ['manifests', i, 'spec', 'paths', j] });
    });
  });
  return out;
}

const intersects = (a, b) => a === ALL || b === ALL || a.some((x) => b.some((y) => x.toLowerCase() === y.toLowerCase()));

function routeConflict(project) {
  if (!project) return [];
  const list = claims(project).map((c) => ({ ...c, segs: segments(c.path, c.match) }));
  // Only claims that share a first segment (or that can match any first segment) can overlap:
  // compare within those buckets instead of every pair of the repository.
  const buckets = new Map();
  const wide = [];
  list.forEach((c, i) => {
    const first = c.segs[0];
    if (first === undefined || first === '**' || first === '{}') wide.push(i);
    else {
      const key = first.toLowerCase();
      if (!buckets.has(key)) buckets.set(key, []);
      buckets.get(key).push(i);
    }
  });
  const results = [];
  for (let i = 0; i < list.length; i++) {
    const b = list[i];
    const first = b.segs[0];
    const candidates = first === undefined || first === '**' || first === '{}' ? list.keys() : [...(buckets.get(first.toLowerCase()) || []), ...wide];
    const earlier = [...candidates].filter((j) => j < i).sort((x, y) => x - y);
    for (const j of earlier) {
      const a = list[j];
      if (a.owner === b.owner) continue;
      if (!intersects(a.hosts, b.hosts) || !intersects(a.methods, b.methods)) continue;
      if (!overlap(a.segs, b.segs)) continue;
      const method = b.methods === ALL ? (a.methods === ALL ? 'any method' : a.methods[0]) : b.methods[0];
      results.push({ message: `${b.owner} claims ${method} ${b.path}${b.match === 'prefix' ? '*' : ''}, which ${a.owner} also claims (${a.path}${a.match === 'prefix' ? '*' : ''}); give them distinct hosts, methods or paths`, path: b.at });
      break; // one finding per claim is enough
    }
  }
  return results;
}

export const id = 'gitway-route-conflict';
export const rule = {
  description: 'No two APIs or Routes claim the same host, method and an overlapping path.',
  message: '{{error}}',
  severity: 'error',
  recommended: true,
  formats: [gitwayProject],
  given: '$',
  then: { function: routeConflict },
};
export const tests = {
  valid: [
    {
      name: 'different base paths',
      document: { 'x-gitway': 'project', apis: [{ name: 'a', basePath: '/a', operations: [{ method: 'GET', path: '/x/{id}' }] }, { name: 'b', basePath: '/b', operations: [{ method: 'GET', path: '/x/{id}' }] }], manifests: [] },
    },
    {
      name: 'different hosts',
      document: { 'x-gitway': 'project', apis: [{ name: 'a', hosts: ['a.example.com'], operations: [{ method: 'GET', path: '/x' }] }, { name: 'b', hosts: ['b.example.com'], operations: [{ method: 'GET', path: '/x' }] }], manifests: [] },
    },
  ],
  invalid: [
    {
      name: 'two APIs on one template',
      document: { 'x-gitway': 'project', apis: [{ name: 'a', basePath: '/v1', operations: [{ method: 'GET', path: '/pets/{id}' }] }, { name: 'b', basePath: '/v1', operations: [{ method: 'GET', path: '/pets/{petId}' }] }], manifests: [] },
      findings: [{ path: ['apis', 1, 'operations', 0], message: "API 'b' claims GET /v1/pets/{petId}, which API 'a' also claims (/v1/pets/{id}); give them distinct hosts, methods or paths" }],
    },
    {
      name: 'a prefix Route over an API',
      document: { 'x-gitway': 'project', apis: [{ name: 'a', basePath: '/v1', operations: [{ method: 'GET', path: '/pets' }] }], manifests: [{ kind: 'Route', name: 'legacy', spec: { paths: ['/v1'] } }] },
      findings: [{ path: ['manifests', 0, 'spec', 'paths', 0], message: "Route 'legacy' claims GET /v1*, which API 'a' also claims (/v1/pets); give them distinct hosts, methods or paths" }],
    },
  ],
};
