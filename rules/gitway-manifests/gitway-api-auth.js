// An API nobody authenticates for is open to the internet: say so, unless that is intended
// (suppress with x-gitway-ignore and a reason).
import { gitwayProject } from '../lib/formats.js';

function policyKinds(project, api) {
  const names = new Set(api.spec.policies || []);
  return (project.manifests || []).filter((m) => m.kind === 'Policy' && names.has(m.name)).flatMap((m) => Object.keys(m.spec || {}));
}

function apiWithout(kind, label) {
  return (project) => {
    if (!project || !Array.isArray(project.manifests)) return [];
    const results = [];
    project.manifests.forEach((m, i) => {
      if (m.kind !== 'API') return;
      if (!policyKinds(project, m).includes(kind)) results.push({ message: `API '${m.name}' has no ${label} policy`, path: ['manifests', i, 'spec', m.spec.policies ? 'policies' : 'upstream'] });
    });
    return results;
  };
}

export const id = 'gitway-api-auth';
export const rule = {
  description: 'Every API has an authentication policy (auth).',
  message: '{{error}}',
  severity: 'warn',
  recommended: true,
  formats: [gitwayProject],
  given: '$',
  then: { function: apiWithout('auth', 'authentication (auth)') },
};
export const tests = {
  valid: [{ name: 'key auth', document: { 'x-gitway': 'project', manifests: [{ kind: 'API', name: 'a', spec: { policies: ['k'] } }, { kind: 'Policy', name: 'k', spec: { auth: { type: 'key' } } }] } }],
  invalid: [
    {
      name: 'no auth',
      document: { 'x-gitway': 'project', manifests: [{ kind: 'API', name: 'a', spec: { upstream: 'u', policies: ['c'] } }, { kind: 'Policy', name: 'c', spec: { cors: { origins: ['*'] } } }] },
      findings: [{ path: ['manifests', 0, 'spec', 'policies'], message: "API 'a' has no authentication (auth) policy" }],
    },
  ],
};
export { apiWithout };
