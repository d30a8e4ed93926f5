// A policy the environment's driver cannot enforce is an error, never a silent drop.
import { gitwayProject } from '../lib/formats.js';
import { unsupported } from '../lib/capabilities.js';

function driverCapability(project) {
  const driver = project && project.environment && project.environment.driver;
  if (!driver || !Array.isArray(project.manifests)) return [];
  const results = [];
  project.manifests.forEach((m, i) => {
    if (m.kind !== 'Policy') return;
    const gap = unsupported(driver, m.spec);
    if (gap) results.push({ message: `Policy '${m.name}' uses ${gap.feature}, which driver ${driver} (environment '${project.environment.name}') cannot enforce: ${gap.reason}`, path: ['manifests', i, 'spec', gap.feature.split('.')[0]] });
  });
  return results;
}

export const id = 'gitway-driver-capability';
export const rule = {
  description: "Every policy can be enforced by the environment's driver.",
  message: '{{error}}',
  severity: 'error',
  recommended: true,
  formats: [gitwayProject],
  given: '$',
  then: { function: driverCapability },
};
export const tests = {
  valid: [{ name: 'cors on caddy', document: { 'x-gitway': 'project', environment: { name: 'local', driver: 'caddy' }, manifests: [{ kind: 'Policy', name: 'c', spec: { cors: { origins: ['*'] } } }] } }],
  invalid: [
    {
      name: 'rate limit on caddy',
      document: { 'x-gitway': 'project', environment: { name: 'local', driver: 'caddy' }, manifests: [{ kind: 'Policy', name: 'rl', spec: { rateLimit: { minute: 10 } } }] },
      findings: [{ path: ['manifests', 0, 'spec', 'rateLimit'], message: "Policy 'rl' uses rateLimit, which driver caddy (environment 'local') cannot enforce: stock Caddy has no rate limiting handler (the Debian build lists none)" }],
    },
  ],
};
