/** `gitway init`: the files of a new, working gitway repository. Never overwrites a file. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';

export interface ScaffoldFile {
  path: string;
  content: string;
}

const SCHEMA = 'node_modules/gitway/schema';

export function scaffoldFiles(name = 'petstore'): ScaffoldFile[] {
  return [
    {
      path: 'gitway.yaml',
      content: `# yaml-language-server: $schema=${SCHEMA}/gitway-config.schema.json
# gitway project configuration. Paths are relative to this file.
apiVersion: gitway/v1
manifests:
  - gateway/**/*.yaml
ruleset: rules/ruleset.yaml
defaultEnvironment: local
environments:
  # The embedded default: gitway renders Caddy's JSON config to a file, no server needed.
  local:
    driver: caddy
    file: .gitway/local/caddy.json
    vars:
      ${name}_upstream: http://127.0.0.1:9001
`,
    },
    {
      path: `apis/${name}.yaml`,
      content: `openapi: 3.0.3
info:
  title: Petstore
  version: 1.0.0
  description: A small API that gitway exposes through the gateway.
  contact:
    name: Platform team
    email: platform@example.com
tags:
  - name: pets
    description: Pets and their details
servers:
  - url: /v1
paths:
  /pets:
    get:
      operationId: listPets
      summary: List pets
      description: Every pet, in the order they were added.
      tags: [pets]
      responses:
        '200':
          description: The pets
          content:
            application/json:
              schema:
                type: array
                items:
                  $ref: '#/components/schemas/Pet'
    post:
      operationId: createPet
      summary: Add a pet
      description: Adds one pet and returns it.
      tags: [pets]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/Pet'
      responses:
        '201':
          description: Created
  /pets/{petId}:
    get:
      operationId: getPet
      summary: One pet
      description: One pet by its id.
      tags: [pets]
      parameters:
        - name: petId
          in: path
          required: true
          schema:
            type: string
      responses:
        '200':
          description: The pet
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Pet'
        '404':
          description: No such pet
components:
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id:
          type: string
        name:
          type: string
`,
    },
    {
      path: `gateway/${name}.yaml`,
      content: `# yaml-language-server: $schema=../${SCHEMA}/manifest.schema.json
apiVersion: gitway/v1
kind: API
metadata:
  name: ${name}
spec:
  openapi: apis/${name}.yaml
  basePath: /v1
  stripBasePath: true
  upstream: ${name}-backend
  policies: [security-headers]
  checks:
    - name: list pets answers
      request: { method: GET, path: /v1/pets }
      expect: { status: 200 }
---
apiVersion: gitway/v1
kind: Upstream
metadata:
  name: ${name}-backend
spec:
  targets:
    - url: \${var.${name}_upstream}
  loadBalancing:
    policy: round-robin
  healthCheck:
    path: /health
    interval: 10s
    timeout: 2s
    expectedStatus: 200
  timeouts:
    connect: 2s
    read: 30s
---
apiVersion: gitway/v1
kind: Policy
metadata:
  name: security-headers
spec:
  headers:
    response:
      set:
        X-Content-Type-Options: nosniff
        Strict-Transport-Security: max-age=31536000
      remove: [Server]
`,
    },
    {
      // rendered configs (the local file target holds real keys) and caches: never in git
      path: '.gitway/.gitignore',
      content: '*\n',
    },
    {
      path: 'rules/ruleset.yaml',
      content: `# The team's own early checks, in Spectral's ruleset format, run by \`gitway lint\`.
# Add a rule here whenever an incident teaches you something, so it never happens again,
# and pin it with test cases in rules/tests/<rule>.test.yaml (run them with \`gitway rules test\`).
extends:
  - gitway:oas         # spectral:oas (recommended) plus gateway rules
  - gitway:manifests   # route conflicts, secrets in plain text, health checks, driver capabilities
rules: {}
  # An example: refuse CORS for every origin on manifests (they are linted as one project document).
  # no-wildcard-cors:
  #   description: CORS never allows every origin
  #   severity: error
  #   given: "$.manifests[?(@.kind == 'Policy')].spec.cors.origins[*]"
  #   then: { function: pattern, functionOptions: { notMatch: "^\\*$" } }
`,
    },
  ];
}

export interface ScaffoldResult {
  root: string;
  written: string[];
}

/** Writes the scaffold into root, or nothing at all when any of its files already exists. */
export function writeScaffold(root: string, files: ScaffoldFile[] = scaffoldFiles()): ScaffoldResult {
  const existing = files.filter((f) => existsSync(path.join(root, f.path))).map((f) => f.path);
  if (existing.length) {
    throw new UsageError(`gitway init would overwrite ${existing.join(', ')} in ${root}; nothing was written`, 'Move those files away or run gitway init in an empty folder.');
  }
  for (const f of files) {
    const target = path.join(root, f.path);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, f.content, { flag: 'wx' });
  }
  return { root, written: files.map((f) => f.path) };
}
