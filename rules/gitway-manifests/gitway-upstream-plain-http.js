// Outside the local environment, traffic to upstreams should be encrypted; loopback is exempt.
import { gitwayProject } from '../lib/formats.js';

function plainHttp(project) {
  const env = project && project.environment;
  if (!env || env.name === 'local' || !Array.isArray(project.manifests)) return [];
  const results = [];
  project.manifests.forEach((m, i) => {
    if (m.kind !== 'Upstream') return;
    ((m.spec && m.spec.targets) || []).forEach((t, j) => {
      if (typeof t.url !== 'string' || !/^http:\/\//i.test(t.url)) return;
      const host = t.url.replace(/^http:\/\//i, '').split(/[/:]/)[0];
      if (host === 'localhost' || host.startsWith('127.') || host === '[::1]') return;
      results.push({ message: `Upstream '${m.name}' sends traffic to ${host} over plain http in environment '${env.name}'; use https outside local`, path: ['manifests', i, 'spec', 'targets', j, 'url'] });
    });
  });
  return results;
}

export const id = 'gitway-upstream-plain-http';
export const rule = {
  description: 'Upstream targets use https outside the local environment (loopback targets excepted).',
  message: '{{error}}',
  severity: 'warn',
  recommended: true,
  formats: [gitwayProject],
  given: '$',
  then: { function: plainHttp },
};
export const tests = {
  valid: [
    { name: 'local may use http', document: { 'x-gitway': 'project', environment: { name: 'local' }, manifests: [{ kind: 'Upstream', name: 'u', spec: { targets: [{ url: 'http://10.0.0.1' }] } }] } },
    { name: 'loopback', document: { 'x-gitway': 'project', environment: { name: 'prod' }, manifests: [{ kind: 'Upstream', name: 'u', spec: { targets: [{ url: 'http://127.0.0.1:9000' }] } }] } },
  ],
  invalid: [
    {
      name: 'http in prod',
      document: { 'x-gitway': 'project', environment: { name: 'prod' }, manifests: [{ kind: 'Upstream', name: 'u', spec: { targets: [{ url: 'http://10.0.0.5:8080/x' }] } }] },
      findings: [{ path: ['manifests', 0, 'spec', 'targets', 0, 'url'], message: "Upstream 'u' sends traffic to 10.0.0.5 over plain http in environment 'prod'; use https outside local" }],
    },
  ],
};
