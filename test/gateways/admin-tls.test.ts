/**
 * The admin API over HTTPS: a real Caddy admin API behind a TLS endpoint on 127.0.0.1 with a
 * throwaway CA (openssl): tls.ca trusts it, tls.cert/tls.key answer a client-certificate demand,
 * tls.insecure skips the check, and each failure is exit 4 with a TLS message.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { caddyTitle, describeWithCaddy, hasCaddy } from '../helpers/caddy.js';
import { gitwayAsync, tempRepo } from '../helpers/cli.js';
import { makeCertificates, startAdminProxy, startCaddy, type AdminProxy, type Caddy } from '../helpers/live.js';

const config = (url: string, tls: string) => `apiVersion: gitway/v1
defaultEnvironment: tls
environments:
  tls:
    driver: caddy
    admin: ${url}
    listen: 127.0.0.1:1
    timeoutSeconds: 5
${tls ? `    tls: ${tls}\n` : ''}`;

describeWithCaddy(caddyTitle('admin API over TLS (real caddy behind a TLS endpoint)'), () => {
  let caddy: Caddy;
  let plain: AdminProxy;
  let mutual: AdminProxy;
  let repo: ReturnType<typeof tempRepo>;
  const run = async (url: string, tls: string) => {
    repo.cleanup();
    repo = tempRepo({ 'gitway.yaml': config(url, tls), 'gateway/up.yaml': 'apiVersion: gitway/v1\nkind: Upstream\nmetadata: { name: up }\nspec:\n  targets: [{ url: "http://127.0.0.1:1" }]\n' });
    mkdirSync(path.join(repo.dir, 'certs'));
    for (const f of ['ca.pem', 'client.pem', 'client.key']) copyFileSync(path.join(certDir, f), path.join(repo.dir, 'certs', f));
    return gitwayAsync(['plan', '--detailed-exitcode'], { cwd: repo.dir });
  };
  let certDir: string;

  beforeAll(async () => {
    caddy = await startCaddy();
    repo = tempRepo({});
    certDir = path.join(caddy.dir, 'certs');
    mkdirSync(certDir);
    const c = makeCertificates(certDir);
    const key = readFileSync(c.serverKey);
    const cert = readFileSync(c.serverCert);
    plain = await startAdminProxy(caddy.admin, { key, cert });
    mutual = await startAdminProxy(caddy.admin, { key, cert, ca: readFileSync(c.ca), requireClientCert: true });
  });
  afterAll(async () => {
    await plain?.close();
    await mutual?.close();
    await caddy?.stop();
    repo?.cleanup();
  });

  it('trusts the admin API through tls.ca', async () => {
    const r = await run(plain.url, '{ ca: certs/ca.pem }');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(2);
    expect(r.stdout).toContain(`(caddy, admin API ${plain.url})`);
  });

  it('refuses a certificate it cannot verify, saying what to do (exit 4)', async () => {
    const r = await run(plain.url, '');
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(new RegExp(`^gitway: cannot talk TLS with the admin API at ${plain.url.replace(/\./g, '\\.')}/config/: .*certificate.*\\. Give the CA that signed the admin API's certificate as tls\\.ca in gitway\\.yaml`));
  });

  it('skips the check only when asked (tls.insecure)', async () => {
    const r = await run(plain.url, '{ insecure: true }');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(2);
  });

  it('answers a client-certificate demand with tls.cert and tls.key, and fails clearly without them', async () => {
    const ok = await run(mutual.url, '{ ca: certs/ca.pem, cert: certs/client.pem, key: certs/client.key }');
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(2);
    const refused = await run(mutual.url, '{ ca: certs/ca.pem }');
    expect(refused.status).toBe(4);
    expect(refused.stderr).toMatch(/^gitway: (cannot talk TLS with|cannot reach) the admin API at https:\/\/127\.0\.0\.1:\d+\/config\//);
  });

  it('names a TLS file it cannot read (exit 4)', async () => {
    const r = await run(plain.url, '{ ca: certs/missing.pem }');
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/^gitway: cannot read the TLS CA file certs\/missing\.pem for https:\/\/127\.0\.0\.1:\d+ \(ENOENT\)\. Fix tls: in gitway\.yaml/);
  });
});

if (!hasCaddy) test.todo('install caddy (apt-get install -y caddy) to run the admin TLS tests');
