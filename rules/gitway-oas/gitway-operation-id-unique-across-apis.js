// operationIds name routes, metrics and generated clients: they must be unique across every API
// of the repository, not only inside one document (which spectral:oas already checks).
import { gitwayProject } from '../lib/formats.js';

function operationIdUniqueAcrossApis(apis) {
  if (!Array.isArray(apis)) return [];
  const seen = new Map();
  const results = [];
  apis.forEach((api, i) => {
    (api.operations || []).forEach((op, j) => {
      if (!op.operationId) return;
      const first = seen.get(op.operationId);
      if (first && first.api !== api.name) {
        results.push({ message: `operationId '${op.operationId}' of API '${api.name}' is also used by API '${first.api}' (${first.method} ${first.path}); make it unique across the repository`, path: ['apis', i, 'operations', j, 'operationId'] });
      } else if (!first) {
        seen.set(op.operationId, { api: api.name, method: op.method, path: op.path });
      }
    });
  });
  return results;
}

export const id = 'gitway-operation-id-unique-across-apis';
export const rule = {
  description: 'Every operationId is unique across all APIs of the repository.',
  message: '{{error}}',
  severity: 'error',
  recommended: true,
  formats: [gitwayProject],
  given: '$',
  then: { field: 'apis', function: operationIdUniqueAcrossApis },
};
export const tests = {
  valid: [{ name: 'distinct ids', document: { 'x-gitway': 'project', apis: [{ name: 'a', operations: [{ method: 'GET', path: '/a', operationId: 'listA' }] }, { name: 'b', operations: [{ method: 'GET', path: '/b', operationId: 'listB' }] }] } }],
  invalid: [
    {
      name: 'same id in two APIs',
      document: { 'x-gitway': 'project', apis: [{ name: 'a', operations: [{ method: 'GET', path: '/a', operationId: 'list' }] }, { name: 'b', operations: [{ method: 'GET', path: '/b', operationId: 'list' }] }] },
      findings: [{ path: ['apis', 1, 'operations', 0, 'operationId'], message: "operationId 'list' of API 'b' is also used by API 'a' (GET /a); make it unique across the repository" }],
    },
  ],
};
