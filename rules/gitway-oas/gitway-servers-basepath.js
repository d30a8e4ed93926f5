// An API's basePath in its manifest and the path of its document's servers (or 2.0 basePath)
// should agree, or clients generated from the document call paths the gateway does not route.
import { gitwayProject } from '../lib/formats.js';

function serversBasePath(api, _options, context) {
  if (!api || !api.documentBasePath || api.basePath === undefined) return [];
  const doc = api.documentBasePath.replace(/\/+$/, '');
  const manifest = api.basePath.replace(/\/+$/, '');
  if (doc === manifest) return [];
  return [{ message: `API '${api.name}' is served at basePath '${api.basePath}' but its document ${api.document} says '${api.documentBasePath}'; clients generated from the document will call other paths`, path: [...context.path, 'basePath'] }];
}

export const id = 'gitway-servers-basepath';
export const rule = {
  description: "The manifest's basePath agrees with the path of the document's servers (3.x) or basePath (2.0).",
  message: '{{error}}',
  severity: 'warn',
  recommended: true,
  formats: [gitwayProject],
  given: '$.apis[*]',
  then: { function: serversBasePath },
};
export const tests = {
  valid: [{ name: 'same base', document: { 'x-gitway': 'project', apis: [{ name: 'a', document: 'a.yaml', basePath: '/v1', documentBasePath: '/v1/' }] } }],
  invalid: [
    {
      name: 'different base',
      document: { 'x-gitway': 'project', apis: [{ name: 'a', document: 'a.yaml', basePath: '/v2', documentBasePath: '/v1' }] },
      findings: [{ path: ['apis', 0, 'basePath'], message: "API 'a' is served at basePath '/v2' but its document a.yaml says '/v1'; clients generated from the document will call other paths" }],
    },
  ],
};
