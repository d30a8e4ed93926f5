import path from 'node:path';
import { gitway, projectRoot } from '../helpers/cli.js';

const shop = path.join(projectRoot, 'fixtures/shop');
const SECRET = 'fixture-secret-4f9a2c';

describe('the shop fixture repository', () => {
  it('validates clean for local and staging, with every operation derived', () => {
    for (const env of ['local', 'staging']) {
      const r = gitway(['validate', '--env', env, '--format', 'json'], { cwd: shop, env: { SHOP_WEB_KEY: SECRET } });
      expect(r.status).toBe(0);
      const out = JSON.parse(r.stdout) as { environment: string; manifests: number; documents: { file: string; version: string; valid: boolean; operations: number }[]; findings: unknown[] };
      expect(out.environment).toBe(env);
      expect(out.findings).toEqual([]);
      expect(out.manifests).toBe(10);
      expect(out.documents).toEqual([
        expect.objectContaining({ file: 'apis/orders.yaml', version: '3.0.3', valid: true, operations: 4 }),
        expect.objectContaining({ file: 'apis/pets.json', version: '2.0', valid: true, operations: 2 }),
      ]);
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    }
  });

  it('names the missing ${env} variable at its position, and the exit code is 3', () => {
    const r = gitway(['validate'], { cwd: shop, env: { SHOP_WEB_KEY: undefined } });
    expect(r.status).toBe(3);
    expect(r.stdout).toContain('gateway/consumers.yaml\n  9:12  error  environment variable SHOP_WEB_KEY is not set');
  });

  it('is found from a sub-folder (gitway.yaml is searched upwards)', () => {
    const r = gitway(['validate'], { cwd: path.join(shop, 'apis/schemas'), env: { SHOP_WEB_KEY: SECRET } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("10 manifests and 2 OpenAPI documents (6 operations) are valid for environment 'local'");
  });
});
