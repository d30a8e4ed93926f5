/** Repository pieces the lint end-to-end tests share. */

/** An API `items` (apis/items.yaml) on an upstream with a health check, and one Policy `p` with the given spec lines. */
export const itemsManifests = (policy: string) => `apiVersion: gitway/v1
kind: API
metadata: { name: items }
spec: { openapi: apis/items.yaml, basePath: /v1, upstream: be, policies: [p] }
---
apiVersion: gitway/v1
kind: Upstream
metadata: { name: be }
spec: { targets: [{ url: "http://127.0.0.1:9000" }], healthCheck: { path: /h } }
---
apiVersion: gitway/v1
kind: Policy
metadata: { name: p }
spec:
${policy}
`;
