// Two operations of one document on the same method and path template (`/pets/{id}` and
// `/pets/{name}`) cannot both be routed: the gateway sees one path.
import { normaliseTemplate } from '../lib/paths.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace', 'query'];

function operationPathCollision(paths) {
  if (!paths || typeof paths !== 'object') return [];
  const seen = new Map();
  const results = [];
  for (const [path, item] of Object.entries(paths)) {
    if (!item || typeof item !== 'object') continue;
    for (const method of METHODS) {
      if (!item[method]) continue;
      const key = `${method} ${normaliseTemplate(path)}`;
      const first = seen.get(key);
      if (first !== undefined) {
        results.push({ message: `${method.toUpperCase()} ${path} collides with ${method.toUpperCase()} ${first}: a gateway routes both templates as one path`, path: ['paths', path, method] });
      } else {
        seen.set(key, path);
      }
    }
  }
  return results;
}

export const id = 'gitway-operation-path-collision';
export const rule = {
  description: 'No two operations may share a method and a path template once parameter names are ignored.',
  message: '{{error}}',
  severity: 'error',
  recommended: true,
  given: '$',
  then: { field: 'paths', function: operationPathCollision },
};
export const tests = {
  valid: [{ name: 'distinct templates', document: { openapi: '3.0.3', info: { title: 't', version: '1' }, paths: { '/pets/{id}': { get: { responses: {} } }, '/pets/{id}/toys': { get: { responses: {} } } } } }],
  invalid: [
    {
      name: 'same template, other parameter name',
      document: { openapi: '3.0.3', info: { title: 't', version: '1' }, paths: { '/pets/{id}': { get: { responses: {} } }, '/pets/{name}': { get: { responses: {} } } } },
      findings: [{ path: ['paths', '/pets/{name}', 'get'], message: 'GET /pets/{name} collides with GET /pets/{id}: a gateway routes both templates as one path' }],
    },
  ],
};
