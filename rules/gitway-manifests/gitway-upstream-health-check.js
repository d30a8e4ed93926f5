// Without an active health check a dead target keeps receiving traffic until requests fail.
import { gitwayProject } from '../lib/formats.js';

export const id = 'gitway-upstream-health-check';
export const rule = {
  description: 'Every Upstream has an active health check.',
  message: '{{error}}',
  severity: 'warn',
  recommended: true,
  formats: [gitwayProject],
  given: "$.manifests[?(@.kind == 'Upstream' && !@.spec.healthCheck)].name",
  then: { function: (name) => [{ message: `Upstream '${name}' has no healthCheck: a dead target keeps receiving traffic` }] },
};
export const tests = {
  valid: [{ name: 'has a check', document: { 'x-gitway': 'project', manifests: [{ kind: 'Upstream', name: 'u', spec: { targets: [{ url: 'http://a' }], healthCheck: { path: '/h' } } }] } }],
  invalid: [
    {
      name: 'no check',
      document: { 'x-gitway': 'project', manifests: [{ kind: 'Upstream', name: 'u', spec: { targets: [{ url: 'http://a' }] } }] },
      findings: [{ path: ['manifests', 0, 'name'], message: "Upstream 'u' has no healthCheck: a dead target keeps receiving traffic" }],
    },
  ],
};
