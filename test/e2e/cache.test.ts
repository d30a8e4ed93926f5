import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gitway, tempRepo } from '../helpers/cli.js';

const CONFIG = 'environments:\n  local: { driver: caddy, file: out.json }\n';
const DOC = `openapi: 3.0.3
info: { title: T, version: "1", description: d, contact: { name: n } }
tags: [{ name: t, description: d }]
paths:
  /items:
    get:
      operationId: listItems
      description: d
      tags: [t]
      responses:
        '200': { description: ok, content: { application/json: { schema: { $ref: './item.yaml' } } } }
`;
const MANIFESTS = `apiVersion: gitway/v1
kind: API
metadata: { name: items }
spec: { openapi: apis/items.yaml, upstream: be }
---
apiVersion: gitway/v1
kind: Upstream
metadata: { name: be }
spec: { targets: [{ url: "http://127.0.0.1:9000" }], healthCheck: { path: /h } }
`;

describe('the result cache', () => {
  it('serves unchanged results, and never a stale one when a referenced file changes', () => {
    const repo = tempRepo({ 'gitway.yaml': CONFIG, 'apis/items.yaml': DOC, 'apis/item.yaml': 'type: object\n', 'gateway/all.yaml': MANIFESTS });
    try {
      const first = gitway(['lint', '--format', 'json'], { cwd: repo.dir });
      expect(existsSync(path.join(repo.dir, '.gitway/cache/.gitignore'))).toBe(true);
      expect(readdirSync(path.join(repo.dir, '.gitway/cache/lint')).length).toBeGreaterThan(0);
      expect(readdirSync(path.join(repo.dir, '.gitway/cache/openapi')).length).toBe(1);
      const second = gitway(['lint', '--format', 'json'], { cwd: repo.dir });
      expect(second.stdout).toBe(first.stdout);
      expect(first.stdout).not.toContain('oas3-schema');

      // break the referenced schema file only: both the validation and the lint must see it
      writeFileSync(path.join(repo.dir, 'apis/item.yaml'), 'type: objekt\n');
      const broken = gitway(['lint', '--format', 'json'], { cwd: repo.dir });
      expect(broken.stdout).not.toBe(first.stdout);
      expect(broken.stdout).toContain('apis/item.yaml');
      expect(broken.status).toBe(3);
      const validate = gitway(['validate'], { cwd: repo.dir });
      expect(validate.status).toBe(3);
      expect(validate.stdout).toContain('apis/item.yaml');

      writeFileSync(path.join(repo.dir, 'apis/item.yaml'), 'type: object\n');
      expect(gitway(['lint', '--format', 'json'], { cwd: repo.dir }).stdout).toBe(first.stdout);
      expect(gitway(['validate', '--no-cache'], { cwd: repo.dir }).status).toBe(0);
    } finally {
      repo.cleanup();
    }
  });
  it('places the project rules\' findings in an OpenAPI document from cached positions, and moves them when the document changes', () => {
    // two APIs with the same operationId: a project-rule finding inside each document
    const other = DOC.replace('title: T', 'title: U');
    const manifests = MANIFESTS + '---\napiVersion: gitway/v1\nkind: API\nmetadata: { name: more }\nspec: { openapi: apis/more.yaml, upstream: be }\n';
    const repo = tempRepo({ 'gitway.yaml': CONFIG, 'apis/items.yaml': DOC, 'apis/more.yaml': other, 'apis/item.yaml': 'type: object\n', 'gateway/all.yaml': manifests });
    const placed = (stdout: string) =>
      (JSON.parse(stdout) as { findings: { file: string; line: number; code: string }[] }).findings.filter((f) => f.code === 'gitway-operation-id-unique-across-apis' && f.file === 'apis/more.yaml').map((f) => f.line);
    try {
      const first = gitway(['lint', '--format', 'json', '--fail-on', 'never'], { cwd: repo.dir });
      expect(placed(first.stdout)).toEqual([6]); // the operation (get:)
      expect(readdirSync(path.join(repo.dir, '.gitway/cache/positions')).length).toBeGreaterThan(0);
      const second = gitway(['lint', '--format', 'json', '--fail-on', 'never'], { cwd: repo.dir });
      expect(second.stdout).toBe(first.stdout);
      // three lines more above the operation: the finding moves with it
      writeFileSync(path.join(repo.dir, 'apis/more.yaml'), other.replace('paths:', 'x-a: 1\nx-b: 2\nx-c: 3\npaths:'));
      const third = gitway(['lint', '--format', 'json', '--fail-on', 'never'], { cwd: repo.dir });
      expect(placed(third.stdout)).toEqual([9]);
    } finally {
      repo.cleanup();
    }
  });
});
