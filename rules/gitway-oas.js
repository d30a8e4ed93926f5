// gitway:oas — Spectral's spectral:oas (recommended rules) plus the rules that matter to a gateway.
// Each rule lives in gitway-oas/<id>.js with its description, severity and test cases.
import { oas } from '@stoplight/spectral-rulesets';
import * as collision from './gitway-oas/gitway-operation-path-collision.js';
import * as uniqueAcross from './gitway-oas/gitway-operation-id-unique-across-apis.js';
import * as serversBasePath from './gitway-oas/gitway-servers-basepath.js';

export const members = [collision, uniqueAcross, serversBasePath];

export default {
  description: 'gitway:oas — spectral:oas plus gateway rules',
  extends: [[oas, 'recommended']],
  rules: Object.fromEntries(members.map((m) => [m.id, m.rule])),
};
