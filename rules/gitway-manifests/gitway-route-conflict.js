// Two APIs (or an API and a Route) that claim the same host, method and an overlapping path: the
// gateway would send some requests to one of them by accident of ordering.
import { gitwayProject } from '../lib/formats.js';
import { joinPath, segments } from '../lib/paths.js';

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

/**
 * The claims seen so far, as a tree of path segments (literals lower-cased, `{}` for a parameter),
 * so a new claim meets only the earlier claims whose path could overlap its own: what `overlap`
 * decides pair by pair, decided for all earlier claims at once. A repository with tens of thousands
 * of operations under one first segment would take minutes pair by pair.
 */
class ClaimTree {
  constructor() {
    this.root = ClaimTree.node();
  }

  static node() {
    return { children: new Map(), ends: [], stars: [] };
  }

  /** Adds claim number `index` with its segments. */
  add(segs, index) {
    let node = this.root;
    for (const seg of segs) {
      if (seg === '**') {
        node.stars.push(index); // a prefix: overlaps whatever follows
        return;
      }
      const key = seg.toLowerCase();
      let next = node.children.get(key);
      if (!next) node.children.set(key, (next = ClaimTree.node()));
      node = next;
    }
    node.ends.push(index);
  }

  /** Calls `visit` with every claim whose segments overlap `segs` (in no particular order). */
  overlapping(segs, visit, node = this.root, at = 0) {
    node.stars.forEach(visit);
    if (at === segs.length) {
      node.ends.forEach(visit);
      return;
    }
    const seg = segs[at];
    if (seg === '**') {
      ClaimTree.everything(node, visit, false);
      return;
    }
    if (seg === '{}') {
      for (const child of node.children.values()) this.overlapping(segs, visit, child, at + 1);
      return;
    }
    const literal = node.children.get(seg.toLowerCase());
    if (literal) this.overlapping(segs, visit, literal, at + 1);
    const param = node.children.get('{}');
    if (param && param !== literal) this.overlapping(segs, visit, param, at + 1);
  }

  static everything(node, visit, stars = true) {
    if (stars) node.stars.forEach(visit);
    node.ends.forEach(visit);
    for (const child of node.children.values()) ClaimTree.everything(child, visit);
  }
}

function routeConflict(project) {
  if (!project) return [];
  const list = claims(project).map((c) => ({ ...c, segs: segments(c.path, c.match) }));
  const tree = new ClaimTree();
  const results = [];
  list.forEach((b, i) => {
    // the earliest earlier claim of another owner on a shared host and method
    let first = -1;
    tree.overlapping(b.segs, (j) => {
      if (first !== -1 && j > first) return;
      const a = list[j];
      if (a.owner === b.owner || !intersects(a.hosts, b.hosts) || !intersects(a.methods, b.methods)) return;
      first = j;
    });
    tree.add(b.segs, i);
    if (first === -1) return;
    const a = list[first];
    const method = b.methods === ALL ? (a.methods === ALL ? 'any method' : a.methods[0]) : b.methods[0];
    results.push({ message: `${b.owner} claims ${method} ${b.path}${b.match === 'prefix' ? '*' : ''}, which ${a.owner} also claims (${a.path}${a.match === 'prefix' ? '*' : ''}); give them distinct hosts, methods or paths`, path: b.at });
  });
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
