// Secrets belong in the environment, not in git: a field that holds a credential, or a header that
// carries one, must be written as ${env.NAME}.
import { gitwayProject } from '../lib/formats.js';

const SECRET_KEYS = /^(key|apikey|api_key|password|passwd|secret|client_secret|clientsecret|token|access_token|private_key|privatekey)$/i;
const SECRET_HEADERS = /^(authorization|proxy-authorization|x-api-key|apikey|cookie)$/i;
const ENV_REF = /^\$\{env\.[A-Za-z_][A-Za-z0-9_]*\}$/;

function walk(value, path, results, name, inHeaders) {
  if (Array.isArray(value)) return value.forEach((v, i) => walk(v, [...path, i], results, name, false));
  if (!value || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    const here = [...path, k];
    if (typeof v === 'string' && (SECRET_KEYS.test(k) || (inHeaders && SECRET_HEADERS.test(k))) && v.trim() !== '' && !ENV_REF.test(v.trim())) {
      results.push({ message: `${name}: '${k}' holds a secret written in plain text; write it as \${env.NAME} and keep the value out of git`, path: here });
    } else {
      walk(v, here, results, name, k === 'set' || k === 'headers');
    }
  }
}

function secretPlaintext(project) {
  if (!project || !Array.isArray(project.manifests)) return [];
  const results = [];
  project.manifests.forEach((m, i) => {
    if (m.kind === 'Consumer') return; // validate already refuses plain-text consumer credentials
    walk(m.raw, ['manifests', i, 'raw'], results, `${m.kind} '${m.name}'`, false);
  });
  return results;
}

export const id = 'gitway-secret-plaintext';
export const rule = {
  description: 'Credentials in manifests (vendor plugin settings, Authorization headers, …) are written as ${env.NAME}.',
  message: '{{error}}',
  severity: 'error',
  recommended: true,
  formats: [gitwayProject],
  given: '$',
  then: { function: secretPlaintext },
};
export const tests = {
  valid: [{ name: 'from env', document: { 'x-gitway': 'project', manifests: [{ kind: 'Policy', name: 'p', raw: { headers: { request: { set: { Authorization: '${env.UPSTREAM_AUTH}' } } } } }] } }],
  invalid: [
    {
      name: 'bearer token in a header',
      document: { 'x-gitway': 'project', manifests: [{ kind: 'Policy', name: 'p', raw: { headers: { request: { set: { Authorization: 'Bearer abc' } } } } }] },
      findings: [{ path: ['manifests', 0, 'raw', 'headers', 'request', 'set', 'Authorization'], message: "Policy 'p': 'Authorization' holds a secret written in plain text; write it as ${env.NAME} and keep the value out of git" }],
    },
    {
      name: 'vendor plugin secret',
      document: { 'x-gitway': 'project', manifests: [{ kind: 'Policy', name: 'v', raw: { vendor: { kong: { name: 'oauth2', config: { client_secret: 'hunter2' } } } } }] },
      findings: [{ path: ['manifests', 0, 'raw', 'vendor', 'kong', 'config', 'client_secret'], message: "Policy 'v': 'client_secret' holds a secret written in plain text; write it as ${env.NAME} and keep the value out of git" }],
    },
  ],
};
