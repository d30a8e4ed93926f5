// An API without a rate limit lets one client starve the others.
import { gitwayProject } from '../lib/formats.js';
import { apiWithout } from './gitway-api-auth.js';

export const id = 'gitway-api-rate-limit';
export const rule = {
  description: 'Every API has a rate-limit policy (rateLimit).',
  message: '{{error}}',
  severity: 'warn',
  recommended: true,
  formats: [gitwayProject],
  given: '$',
  then: { function: apiWithout('rateLimit', 'rate-limit (rateLimit)') },
};
export const tests = {
  valid: [{ name: 'limited', document: { 'x-gitway': 'project', manifests: [{ kind: 'API', name: 'a', spec: { policies: ['r'] } }, { kind: 'Policy', name: 'r', spec: { rateLimit: { minute: 60 } } }] } }],
  invalid: [
    {
      name: 'unlimited',
      document: { 'x-gitway': 'project', manifests: [{ kind: 'API', name: 'a', spec: { upstream: 'u' } }] },
      findings: [{ path: ['manifests', 0, 'spec', 'upstream'], message: "API 'a' has no rate-limit (rateLimit) policy" }],
    },
  ],
};
