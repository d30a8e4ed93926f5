// The generated repository the plan and live benchmarks deploy: A APIs × O operations (one path
// template each), one file per API (API + Upstream), shared policies (CORS, key auth, a size limit)
// and one consumer. plan.js feeds the manifests and the operation summaries to the model directly;
// live.js writes them out as a real repository, with an OpenAPI document per API.

/** The upstream targets of API `a` (plan.js: unroutable 10.0.x.y addresses, never contacted). */
export function defaultTargets(a) {
  return [`http://10.0.${a % 250}.1:8080`, `http://10.0.${a % 250}.2:8080`];
}

/**
 * The manifests by path: `gateway/shared.yaml` and `gateway/api-<a>.yaml`. `changedApi` gets
 * `retries: 3` instead of 2 (the one change a plan then finds); -1 changes none.
 */
export function manifestFiles(apis, changedApi, targets = defaultTargets) {
  const out = {
    'gateway/shared.yaml': [
      'apiVersion: gitway/v1\nkind: Policy\nmetadata:\n  name: key\nspec:\n  auth: { type: key }\n',
      'apiVersion: gitway/v1\nkind: Policy\nmetadata:\n  name: cors\nspec:\n  cors: { origins: [https://app.example.com], maxAge: 600 }\n',
      'apiVersion: gitway/v1\nkind: Policy\nmetadata:\n  name: size\nspec:\n  requestSizeLimit: { maxBytes: 1048576 }\n',
      'apiVersion: gitway/v1\nkind: Consumer\nmetadata:\n  name: app\nspec:\n  credentials: [{ type: key, key: "${env.APP_KEY}" }]\n',
    ].join('---\n'),
  };
  for (let a = 0; a < apis; a++) {
    const retries = a === changedApi ? 3 : 2;
    const [t1, t2] = targets(a);
    out[`gateway/api-${a}.yaml`] =
      `apiVersion: gitway/v1\nkind: API\nmetadata:\n  name: api-${a}\nspec:\n  openapi: apis/api-${a}.yaml\n  basePath: /api-${a}\n  hosts: [api.example.com]\n  upstream: up-${a}\n  policies: [cors, key, size]\n---\n` +
      `apiVersion: gitway/v1\nkind: Upstream\nmetadata:\n  name: up-${a}\nspec:\n  targets: [{ url: "${t1}", weight: 2 }, { url: "${t2}" }]\n  healthCheck: { path: /health, interval: 10s }\n  retries: ${retries}\n`;
  }
  return out;
}

/** The operations of every API's document: every third one a POST, the others GETs. */
export function operations(ops) {
  const list = [];
  for (let o = 0; o < ops; o++) list.push({ method: o % 3 === 0 ? 'POST' : 'GET', path: `/things-${o}/{id}`, operationId: `op${o}` });
  return list;
}

/** What the OpenAPI analysis hands the model, by document path (plan.js skips the analysis). */
export function documentSummaries(apis, ops) {
  const docs = new Map();
  for (let a = 0; a < apis; a++) docs.set(`apis/api-${a}.yaml`, { operations: operations(ops) });
  return docs;
}

/** The OpenAPI 3.0 document (YAML) of API `a`, with the same operations. */
export function openapiDocument(a, ops) {
  const lines = ['openapi: 3.0.3', `info: { title: api-${a}, version: 1.0.0 }`, 'paths:'];
  for (const op of operations(ops)) {
    lines.push(`  ${op.path}:`);
    lines.push(`    ${op.method.toLowerCase()}:`);
    lines.push(`      operationId: ${op.operationId}`);
    lines.push('      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]');
    lines.push(`      responses: { '200': { description: ok } }`);
  }
  return lines.join('\n') + '\n';
}

/** Every file of the repository (manifests and OpenAPI documents), by path; gitway.yaml apart. */
export function repositoryFiles(apis, ops, changedApi, targets = defaultTargets) {
  const out = manifestFiles(apis, changedApi, targets);
  for (let a = 0; a < apis; a++) out[`apis/api-${a}.yaml`] = openapiDocument(a, ops);
  return out;
}
