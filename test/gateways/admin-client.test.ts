/**
 * The admin API client against small HTTP servers on 127.0.0.1 that answer as a gateway in trouble
 * would: 5xx, 429 with Retry-After, refused tokens, silence, a connection dropped mid-write.
 */
import http from 'node:http';
import type net from 'node:net';
import { AdminClient, WriteOutcomeUnknown } from '../../src/gateways/admin-client.js';
import { GatewayError } from '../../src/errors.js';
import { freePort } from '../helpers/live.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

async function serve(handler: Handler): Promise<{ url: string; seen: { method: string; headers: http.IncomingHttpHeaders }[]; close: () => Promise<void> }> {
  const seen: { method: string; headers: http.IncomingHttpHeaders }[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => handler(req, res, seen.length));
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

describe('admin API client', () => {
  it('retries a read after 5xx and 429 (honouring Retry-After), then returns the answer', async () => {
    const s = await serve((_req, res, n) => (n === 1 ? json(res, 503, { error: 'reloading' }) : n === 2 ? json(res, 429, { error: 'slow down' }, { 'retry-after': '1' }) : json(res, 200, { ok: true })));
    const client = new AdminClient({ url: s.url, backoffMs: 10 });
    const started = Date.now();
    const r = await client.get('/config/');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual({ ok: true });
    expect(s.seen.length).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950); // waited as Retry-After said
    await client.close();
    await s.close();
  });

  it('gives up after a bounded number of retries and names the URL, status and the gateway message', async () => {
    const s = await serve((_req, res) => json(res, 500, { error: 'disk on fire' }));
    const client = new AdminClient({ url: s.url, retries: 2, backoffMs: 5 });
    const r = await client.get('/config/');
    expect(s.seen.length).toBe(3);
    const err = client.failure(r, 'cannot read the live config');
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.exitCode).toBe(4);
    expect(err.message).toBe(`cannot read the live config: ${s.url}/config/ answered 500: disk on fire`);
    await client.close();
    await s.close();
  });

  it('sends the token in the driver header and never puts it in a message when it is refused', async () => {
    const token = 'tok-9a8b7c6d';
    const s = await serve((req, res) => (req.headers['kong-admin-token'] === token ? json(res, 200, {}) : json(res, 403, { message: 'Invalid credentials' })));
    const good = new AdminClient({ url: s.url, token, auth: { header: 'Kong-Admin-Token' } });
    expect((await good.get('/')).status).toBe(200);
    const bad = new AdminClient({ url: s.url, token: 'wrong-4e5f', auth: { header: 'Kong-Admin-Token' }, backoffMs: 1 });
    const err = (await bad.get('/').catch((e: unknown) => e)) as GatewayError;
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.exitCode).toBe(4);
    expect(err.message).toBe(`the admin API refused the token: ${s.url}/ answered 403: Invalid credentials`);
    expect(`${err.message} ${err.hint}`).not.toContain('wrong-4e5f');
    expect(s.seen.length).toBe(2); // a refusal is not retried
    const bearer = await serve((req, res) => json(res, 200, { auth: req.headers.authorization }));
    const caddy = new AdminClient({ url: bearer.url, token });
    expect(JSON.parse((await caddy.get('/')).text)).toEqual({ auth: `Bearer ${token}` });
    await Promise.all([good.close(), bad.close(), caddy.close(), s.close(), bearer.close()]);
  });

  it('turns credentials in the admin URL into a Basic header and never shows them', async () => {
    const s = await serve((req, res) => json(res, 500, { error: `auth was ${req.headers.authorization}` }));
    const url = new URL(s.url);
    const client = new AdminClient({ url: `http://ops:p%40ss-word@${url.host}`, retries: 0 });
    expect(client.base).toBe(s.url);
    const r = await client.get('/config/');
    expect(JSON.parse(r.text)).toEqual({ error: `auth was Basic ${Buffer.from('ops:p@ss-word').toString('base64')}` });
    expect(client.failure(r, 'x').message).not.toContain('p%40ss-word');
    await client.close();
    await s.close();
  });

  it('says it cannot reach a closed port, after its retries, quickly', async () => {
    const port = await freePort();
    const client = new AdminClient({ url: `http://127.0.0.1:${port}`, backoffMs: 10 });
    const started = Date.now();
    const err = (await client.get('/config/').catch((e: unknown) => e)) as GatewayError;
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.message).toBe(`cannot reach the admin API at http://127.0.0.1:${port}/config/ (connection refused; 4 attempts)`);
    expect(Date.now() - started).toBeLessThan(2000);
    await client.close();
  });

  it('bounds the time of a request that never gets an answer', async () => {
    const sockets: net.Socket[] = [];
    const s = await serve((req) => sockets.push(req.socket)); // never answers
    const client = new AdminClient({ url: s.url, timeoutMs: 300, retries: 1, backoffMs: 10 });
    const started = Date.now();
    const err = (await client.get('/config/').catch((e: unknown) => e)) as GatewayError;
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.message).toBe(`the admin API at ${s.url}/config/ did not answer within 0.3 s`);
    expect(s.seen.length).toBe(1); // a time-out is the whole wait: not tried again
    expect(Date.now() - started).toBeLessThan(1500);
    sockets.forEach((x) => x.destroy());
    await client.close();
    await s.close();
  });

  it('never retries a write whose connection broke: the outcome is unknown and the caller re-reads', async () => {
    const s = await serve((req) => req.socket.destroy());
    const client = new AdminClient({ url: s.url, backoffMs: 1 });
    const err = await client.write('POST', '/config/', '{}').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WriteOutcomeUnknown);
    expect((err as WriteOutcomeUnknown).reason).toBe('connection reset');
    expect(s.seen.length).toBe(1);
    await client.close();
    await s.close();
  });

  it('retries a write the gateway said it did not take (503), and passes other answers back as they are', async () => {
    const s = await serve((req, res, n) => (n === 1 ? json(res, 503, { error: 'busy' }, { 'retry-after': '0' }) : json(res, 412, { error: 'If-Match header did not match current config hash' })));
    const client = new AdminClient({ url: s.url, backoffMs: 1 });
    const r = await client.write('POST', '/config/', '{}', { 'if-match': '"x"' });
    expect(r.status).toBe(412);
    expect(s.seen.map((x) => [x.method, x.headers['content-type'], x.headers['if-match']])).toEqual([
      ['POST', 'application/json', '"x"'],
      ['POST', 'application/json', '"x"'],
    ]);
    await client.close();
    await s.close();
  });
});
