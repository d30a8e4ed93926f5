/** A repository that uses every policy Caddy can enforce, weights, health checks, templates and strip options. */
import { doc, manifest } from './model.js';

export const richFiles = {
  'gateway/upstreams.yaml': [
    manifest('Upstream', 'shop', 'targets:\n  - url: ${var.up}\n    weight: 2\n  - url: http://10.0.0.2:8080\nloadBalancing: { policy: cookie, cookie: lb }\nhealthCheck: { path: /health, interval: 5s, timeout: 1s, expectedStatus: 200, passive: { maxFails: 3, unhealthyStatus: [502] } }\ntimeouts: { connect: 2s, read: 15s, write: 10s }\nretries: 2'),
    manifest('Upstream', 'tls', 'targets:\n  - url: https://secure.example.com'),
  ].join('---\n'),
  'gateway/policies.yaml': [
    manifest('Policy', 'key', 'auth: { type: key, header: X-Api-Key, query: api_key }'),
    manifest('Policy', 'basic', 'auth: { type: basic, realm: shop, hashCost: 4 }'),
    manifest('Policy', 'cors', 'cors: { origins: [https://a.example.com], methods: [GET], headers: [X-Api-Key], exposeHeaders: [X-Total], credentials: true, maxAge: 60 }'),
    manifest('Policy', 'hdrs', 'headers:\n  request: { set: { X-From: gitway }, remove: [Cookie] }\n  response: { set: { X-Frame-Options: DENY }, remove: [Server] }'),
    manifest('Policy', 'ips', 'ipRestriction: { allow: [10.0.0.0/8], deny: [10.6.6.6/32] }'),
    manifest('Policy', 'size', 'requestSizeLimit: { maxBytes: 1000 }'),
    manifest('Policy', 'gzip', 'vendor:\n  caddy: { handler: encode, encodings: { gzip: {} } }'),
  ].join('---\n'),
  'gateway/consumers.yaml': [
    manifest('Consumer', 'web', 'credentials:\n  - type: key\n    key: ${env.CONSUMER_KEY}'),
    manifest('Consumer', 'ops', 'username: ops\ncredentials:\n  - type: basic\n    password: ${env.CONSUMER_PASSWORD}'),
  ].join('---\n'),
  'gateway/apis.yaml': [
    manifest('API', 'pets', 'openapi: apis/pets.yaml\nbasePath: /pets\nstripBasePath: true\nhosts: [api.example.com]\nupstream: shop\npolicies: [cors, ips, key, size, hdrs, gzip]'),
    manifest('API', 'admin', 'openapi: apis/admin.yaml\nbasePath: /admin\nupstream: tls\npolicies: [basic]'),
    manifest('Route', 'static', 'paths: [/static, { path: /assets, match: prefix }]\nstripPath: true\nupstream: tls'),
    manifest('Route', 'legacy', 'paths: [{ path: "^/v[0-9]+/legacy$", match: regex }]\nmethods: [GET]\nupstream: shop'),
  ].join('---\n'),
};
export const richDocuments = {
  'apis/pets.yaml': doc([
    ['GET', '/pets', 'listPets'],
    ['POST', '/pets', 'createPet'],
    ['GET', '/pets/{id}', 'getPet'],
    ['GET', '/pets/{id}/photo.{ext}', 'getPhoto'],
    ['GET', '/pets/mine', 'mine'],
  ]),
  'apis/admin.yaml': doc([['GET', '/stats']]),
};

