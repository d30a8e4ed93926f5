/** The repository the live-gateway tests deploy: one API on two load-balanced targets, auth routes, a consumer. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { git, tempRepo } from './cli.js';
import type { Caddy, Upstream } from './live.js';

export const LIVE_SECRETS = { ALICE_PASSWORD: 'pw-alice-7d1c4e', ALICE_KEY: 'key-alice-3b9f0a', ADMIN_TOKEN: 'admin-token-e41b77' };

const OPENAPI = `openapi: 3.0.3
info: { title: Echo, version: 1.0.0 }
paths:
  /items:
    get:
      operationId: listItems
      responses: { '200': { description: ok } }
    post:
      operationId: createItem
      responses: { '201': { description: created } }
  /items/{id}:
    get:
      operationId: getItem
      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
      responses: { '200': { description: ok } }
`;

export function liveManifests(up: { a: Upstream; b: Upstream; c: Upstream }): string {
  return `apiVersion: gitway/v1
kind: API
metadata: { name: echo }
spec:
  openapi: apis/echo.yaml
  basePath: /echo
  stripBasePath: true
  upstream: pool
  policies: [cors, small-body]
  checks:
    - name: list items
      request: { method: GET, path: /echo/items }
      expect: { status: 200, bodyContains: '"path":"/items"' }
      timeout: 3s
---
apiVersion: gitway/v1
kind: Upstream
metadata: { name: pool }
spec:
  targets:
    - url: \${var.a}
    - url: \${var.b}
  loadBalancing: { policy: round-robin }
  healthCheck: { path: /health, interval: 500ms, timeout: 1s, expectedStatus: 200 }
---
apiVersion: gitway/v1
kind: Upstream
metadata: { name: solo }
spec:
  targets:
    - url: \${var.c}
---
apiVersion: gitway/v1
kind: Route
metadata: { name: basic }
spec:
  paths: [{ path: /basic, match: prefix }]
  upstream: solo
  policies: [basic-auth]
---
apiVersion: gitway/v1
kind: Route
metadata: { name: key }
spec:
  paths: [{ path: /key, match: prefix }]
  upstream: solo
  policies: [key-auth]
---
apiVersion: gitway/v1
kind: Policy
metadata: { name: basic-auth }
spec:
  auth: { type: basic }
---
apiVersion: gitway/v1
kind: Policy
metadata: { name: key-auth }
spec:
  auth: { type: key, header: apikey }
---
apiVersion: gitway/v1
kind: Policy
metadata: { name: cors }
spec:
  cors: { origins: [https://app.example.com], methods: [GET, POST], headers: [Content-Type], maxAge: 600 }
---
apiVersion: gitway/v1
kind: Policy
metadata: { name: small-body }
spec:
  requestSizeLimit: { maxBytes: 1024 }
---
apiVersion: gitway/v1
kind: Consumer
metadata: { name: alice }
spec:
  credentials:
    - { type: basic, username: alice, password: "\${env.ALICE_PASSWORD}" }
    - { type: key, key: "\${env.ALICE_KEY}" }
`;
}

export function liveConfig(caddy: Caddy, up: { a: Upstream; b: Upstream; c: Upstream }, adminProxy?: string): string {
  const proxied = adminProxy
    ? `  proxied:
    driver: caddy
    admin: ${adminProxy}
    proxy: ${caddy.proxy}
    listen: 127.0.0.1:${caddy.proxyPort}
    timeoutSeconds: 5
    vars: { a: ${up.a.url}, b: ${up.b.url}, c: ${up.c.url} }
`
    : '';
  return `apiVersion: gitway/v1
defaultEnvironment: live
environments:
  live:
    driver: caddy
    admin: ${caddy.admin}
    proxy: ${caddy.proxy}
    listen: 127.0.0.1:${caddy.proxyPort}
    timeoutSeconds: 5
    vars: { a: ${up.a.url}, b: ${up.b.url}, c: ${up.c.url} }
  fronted:
    driver: caddy
    admin: ${caddy.front}
    token: \${env.ADMIN_TOKEN}
    proxy: ${caddy.proxy}
    listen: 127.0.0.1:${caddy.proxyPort}
    timeoutSeconds: 5
    vars: { a: ${up.a.url}, b: ${up.b.url}, c: ${up.c.url} }
${proxied}`;
}

export interface LiveRepo {
  dir: string;
  cleanup(): void;
  read(file: string): string;
  write(file: string, text: string): void;
  remove(file: string): void;
}

/** A git repository (one commit) deploying to `caddy` with the three upstreams. */
export function liveRepo(caddy: Caddy, up: { a: Upstream; b: Upstream; c: Upstream }, adminProxy?: string): LiveRepo {
  const repo = tempRepo({ '.gitignore': '.gitway/\n*.plan.json\n', 'gitway.yaml': liveConfig(caddy, up, adminProxy), 'apis/echo.yaml': OPENAPI, 'gateway/main.yaml': liveManifests(up) });
  git(repo.dir, 'init', '-q');
  git(repo.dir, 'add', '-A');
  git(repo.dir, 'commit', '-qm', 'live');
  return {
    ...repo,
    read: (file) => readFileSync(path.join(repo.dir, file), 'utf8'),
    write: (file, text) => writeFileSync(path.join(repo.dir, file), text),
    remove: (file) => rmSync(path.join(repo.dir, file), { force: true }),
  };
}
