/** `gitway history` needs only gitway.yaml and the gateway: a broken manifest or an unset variable the manifests would use does not stop it. */
import { gitway, tempRepo } from '../helpers/cli.js';

describe('gitway history without a gateway server (file target)', () => {
  it('reads the history with only what it takes to reach the gateway, and refuses when that is missing', () => {
    const repo = tempRepo({
      'gitway.yaml': [
        'apiVersion: gitway/v1',
        'defaultEnvironment: local',
        'environments:',
        '  local: { driver: caddy, file: out.json, vars: { upstream: "${env.UNSET_UPSTREAM_VAR}" } }',
        '  remote: { driver: caddy, admin: "http://127.0.0.1:1", token: "${env.UNSET_ADMIN_TOKEN}" }',
        '',
      ].join('\n'),
      'gateway/broken.yaml': 'apiVersion: gitway/v1\nkind: Upstream\nmetadata: { name: x }\nspec: { targets: [ }\n',
    });
    try {
      const ok = gitway(['history'], { cwd: repo.dir });
      expect(ok.stderr).toBe('');
      expect(ok.status).toBe(0);
      expect(ok.stdout).toBe("No deployments recorded on environment 'local' (out.json) yet.\n");
      const refused = gitway(['history', '--env', 'remote'], { cwd: repo.dir });
      expect(refused.status).toBe(3);
      expect(refused.stderr).toMatch(/^gitway\.yaml:\d+:\d+ error environment variable UNSET_ADMIN_TOKEN is not set/);
      expect(refused.stderr).toContain("so gitway cannot tell how to reach the environment's gateway. Fix them (see above), then try again.");
    } finally {
      repo.cleanup();
    }
  });
});
