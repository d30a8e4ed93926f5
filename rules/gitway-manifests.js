// gitway:manifests — rules on the gateway manifests, run on the project document (every manifest,
// the environment and every API's operations). Each rule lives in gitway-manifests/<id>.js.
import * as capability from './gitway-manifests/gitway-driver-capability.js';
import * as routeConflict from './gitway-manifests/gitway-route-conflict.js';
import * as plainHttp from './gitway-manifests/gitway-upstream-plain-http.js';
import * as secrets from './gitway-manifests/gitway-secret-plaintext.js';
import * as auth from './gitway-manifests/gitway-api-auth.js';
import * as rateLimit from './gitway-manifests/gitway-api-rate-limit.js';
import * as healthCheck from './gitway-manifests/gitway-upstream-health-check.js';

export const members = [capability, routeConflict, plainHttp, secrets, auth, rateLimit, healthCheck];

export default {
  description: 'gitway:manifests — checks of gateway manifests',
  rules: Object.fromEntries(members.map((m) => [m.id, m.rule])),
};
