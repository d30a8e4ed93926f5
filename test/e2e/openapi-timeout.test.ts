import { gitway, tempRepo } from '../helpers/cli.js';

/** A document large enough to take a while: many paths with nested schemas. */
function bigDocument(paths: number): string {
  const doc = {
    openapi: '3.0.3',
    info: { title: 'Big', version: '1.0.0' },
    paths: Object.fromEntries(
      Array.from({ length: paths }, (_, i) => [
        `/r${i}/{id}`,
        {
          get: {
            operationId: `get${i}`,
            parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
            responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'array', items: { type: 'integer' } } } } } } } },
          },
        },
      ]),
    ),
  };
  return JSON.stringify(doc);
}

const manifests = `apiVersion: gitway/v1
kind: API
metadata: { name: big }
spec: { openapi: apis/big.json, upstream: be }
---
apiVersion: gitway/v1
kind: Upstream
metadata: { name: be }
spec: { targets: [{ url: "http://127.0.0.1:9000" }] }
`;

describe('time bound per OpenAPI document', () => {
  it('reports a document that takes too long instead of hanging, exit 3', () => {
    const repo = tempRepo({
      'gitway.yaml': 'environments:\n  local: { driver: caddy, file: out.json }\n',
      'gateway/all.yaml': manifests,
      'apis/big.json': bigDocument(3000),
    });
    try {
      const started = Date.now();
      const slow = gitway(['validate', '--openapi-timeout', '0.05'], { cwd: repo.dir });
      const elapsed = Date.now() - started;
      expect(slow.status).toBe(3);
      expect(slow.stdout).toContain('apis/big.json');
      expect(slow.stdout).toContain('took longer than 0.05 s to load and validate, so gitway stopped; raise openapi.timeoutSeconds');
      expect(elapsed).toBeLessThan(20_000);
      const fine = gitway(['validate'], { cwd: repo.dir });
      expect(fine.stdout).toContain('(3000 operations) are valid');
      expect(fine.status).toBe(0);
    } finally {
      repo.cleanup();
    }
  });

  it('refuses a timeout that is not a positive number', () => {
    const repo = tempRepo({ 'gitway.yaml': 'environments:\n  local: { driver: caddy, file: out.json }\n' });
    try {
      const r = gitway(['validate', '--openapi-timeout', 'soon'], { cwd: repo.dir });
      expect(r.status).toBe(3);
      expect(r.stderr).toContain("--openapi-timeout must be a number of seconds above 0, not 'soon'");
    } finally {
      repo.cleanup();
    }
  });
});
