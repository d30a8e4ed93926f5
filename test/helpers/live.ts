/**
 * A real Caddy and real upstream servers for the live-gateway tests, all on 127.0.0.1 and free
 * ports. Each suite starts its own Caddy (`caddy run --config <bootstrap.json>`, state in a
 * temporary folder, autosave off) so suites can run side by side and a suite may kill its Caddy;
 * everything is stopped by the suite, by process id.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Caddy {
  adminPort: number;
  admin: string;
  /** A port for gitway's server (free when Caddy started; gitway creates the server). */
  proxyPort: number;
  proxy: string;
  /** A hand-made server (not gitway's) answering "hand-made" on every path. */
  handPort: number;
  /** An authenticating proxy in front of the admin API: `Authorization: Bearer <frontToken>` passes, anything else gets 403. */
  frontPort: number;
  front: string;
  pid: number;
  dir: string;
  /** The config Caddy started with. */
  bootstrap: Record<string, unknown>;
  stop(): Promise<void>;
  /** Stops and starts Caddy again with its bootstrap config on the same ports. */
  restart(): Promise<void>;
  /** Stops Caddy (SIGKILL) without cleaning its folder: `start()` brings it back. */
  kill(): Promise<void>;
  /** Starts Caddy again; `resume` loads the config it autosaved last (with `persist: true`). */
  start(config?: Record<string, unknown>, resume?: boolean): Promise<void>;
  /** The live config (GET /config/). */
  config(): Promise<Record<string, unknown>>;
  log(): string;
}

export async function startCaddy(options: { frontToken?: string; persist?: boolean } = {}): Promise<Caddy> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gitway-live-'));
  const [adminPort, proxyPort, handPort, frontPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const adminAddress = `127.0.0.1:${adminPort}`;
  const bootstrap = {
    admin: { listen: `127.0.0.1:${adminPort}`, config: { persist: Boolean(options.persist) } },
    logging: { logs: { default: { level: 'ERROR' } } },
    apps: {
      http: {
        servers: {
          hand: {
            listen: [`127.0.0.1:${handPort}`],
            automatic_https: { disable: true },
            routes: [{ '@id': 'hand-made', handle: [{ handler: 'static_response', body: 'hand-made' }] }],
          },
          front: {
            listen: [`127.0.0.1:${frontPort}`],
            automatic_https: { disable: true },
            routes: [
              {
                match: [{ header: { Authorization: [`Bearer ${options.frontToken ?? 'front-token'}`] } }],
                handle: [{ handler: 'reverse_proxy', upstreams: [{ dial: adminAddress }], headers: { request: { set: { Host: [adminAddress] } } } }],
                terminal: true,
              },
              { handle: [{ handler: 'static_response', status_code: 403, body: '{"error":"forbidden: bad or missing token"}', headers: { 'Content-Type': ['application/json'] } }] },
            ],
          },
        },
      },
    },
  };
  let child: ChildProcess | undefined;
  let output = '';
  const admin = `http://127.0.0.1:${adminPort}`;
  const start = async (config: Record<string, unknown> = bootstrap, resume = false) => {
    const file = path.join(dir, 'bootstrap.json');
    writeFileSync(file, JSON.stringify(config));
    const env = { ...process.env, XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_DATA_HOME: path.join(dir, 'data'), HOME: dir };
    child = spawn('caddy', ['run', '--config', file, ...(resume ? ['--resume'] : [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`caddy exited with ${child.exitCode}:\n${output}`);
      try {
        const r = await fetch(`${admin}/config/`);
        await r.text();
        if (r.ok) return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`caddy did not answer on ${admin} within 15 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    process.kill(c.pid as number, signal);
    const timer = setTimeout(() => c.pid && c.exitCode === null && process.kill(c.pid, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  await start();
  return {
    adminPort,
    admin,
    proxyPort,
    proxy: `http://127.0.0.1:${proxyPort}`,
    handPort,
    frontPort,
    front: `http://127.0.0.1:${frontPort}`,
    get pid() {
      return child?.pid ?? -1;
    },
    dir,
    bootstrap,
    async stop() {
      await kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await kill('SIGTERM');
      await start();
    },
    kill: () => kill('SIGKILL'),
    start,
    async config() {
      const r = await fetch(`${admin}/config/`);
      return (await r.json()) as Record<string, unknown>;
    },
    log: () => output,
  };
}

export interface Upstream {
  name: string;
  port: number;
  url: string;
  /** Requests seen (method and path), in order. */
  seen: { method: string; path: string; headers: http.IncomingHttpHeaders }[];
  /** The status every answer gets (default 200); `health` the one of /health. */
  status: number;
  health: number;
  close(): Promise<void>;
}

/** A small HTTP server on 127.0.0.1 that answers JSON naming itself and echoing the request. */
export async function startUpstream(name: string): Promise<Upstream> {
  const port = await freePort();
  const up: Upstream = {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    seen: [],
    status: 200,
    health: 200,
    close: async () => undefined,
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      if (url.startsWith('/health')) {
        res.writeHead(up.health, { 'content-type': 'text/plain' }).end(up.health === 200 ? 'ok' : 'down');
        return;
      }
      up.seen.push({ method: req.method ?? '', path: url, headers: req.headers });
      const body = JSON.stringify({ upstream: name, method: req.method, path: url, headers: req.headers, bytes: Buffer.concat(chunks).length });
      res.writeHead(up.status, { 'content-type': 'application/json', 'x-upstream': name }).end(body);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  up.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return up;
}

export type ProxyMode = 'pass' | 'drop-response' | 'drop-request' | 'hold';

export interface AdminProxy {
  url: string;
  /** Writes (POST/PUT/PATCH/DELETE) received, and those forwarded to the admin API. */
  writes: number;
  forwarded: number;
  /** What happens to the next write (then back to 'pass'): answer lost after Caddy applied it, dropped before reaching Caddy, or held `holdMs` first. */
  next(mode: ProxyMode, options?: { holdMs?: number; onHold?: () => void }): void;
  close(): Promise<void>;
}

/**
 * An HTTP proxy on 127.0.0.1 in front of a Caddy admin API that passes everything through (HTTP
 * trailers included: Caddy's ETag is one) and can break the next write the ways a reloading
 * gateway or a network does.
 */
export async function startAdminProxy(target: string, tls?: { key: Buffer; cert: Buffer; ca?: Buffer; requireClientCert?: boolean }): Promise<AdminProxy> {
  const { request } = await import('undici');
  const https = await import('node:https');
  const port = await freePort();
  let mode: ProxyMode = 'pass';
  let holdMs = 0;
  let onHold: (() => void) | undefined;
  const proxy: AdminProxy = {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    writes: 0,
    forwarded: 0,
    next(m, o = {}) {
      mode = m;
      holdMs = o.holdMs ?? 0;
      onHold = o.onHold;
    },
    close: async () => undefined,
  };
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const write = req.method !== 'GET' && req.method !== 'HEAD';
      let m: ProxyMode = 'pass';
      if (write) {
        proxy.writes++;
        m = mode;
        mode = 'pass';
      }
      if (m === 'drop-request') {
        req.socket.destroy();
        return;
      }
      if (m === 'hold') {
        onHold?.();
        await new Promise((r) => setTimeout(r, holdMs));
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (k !== 'host' && k !== 'connection' && k !== 'content-length' && typeof v === 'string') headers[k] = v;
      try {
        if (write) proxy.forwarded++;
        const r = await request(`${target}${req.url}`, { method: req.method as 'GET', headers, body: write ? Buffer.concat(chunks) : undefined, reset: true });
        const body = await r.body.text();
        if (m === 'drop-response') {
          req.socket.destroy();
          return;
        }
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(r.headers)) if (typeof v === 'string' && !['content-length', 'transfer-encoding', 'connection', 'trailer'].includes(k)) out[k] = v;
        const trailers = r.trailers ?? {};
        if (Object.keys(trailers).length) out.trailer = Object.keys(trailers).join(', ');
        res.writeHead(r.statusCode, out);
        res.write(body);
        if (Object.keys(trailers).length) res.addTrailers(trailers);
        res.end();
      } catch {
        req.socket.destroy(); // the gateway is gone: so is the connection
      }
    });
  };
  const server = tls
    ? https.createServer({ key: tls.key, cert: tls.cert, ca: tls.ca, requestCert: Boolean(tls.requireClientCert), rejectUnauthorized: Boolean(tls.requireClientCert) }, handler)
    : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}

export interface Certificates {
  dir: string;
  /** PEM files: a CA, a server certificate for 127.0.0.1 signed by it, a client certificate signed by it. */
  ca: string;
  serverKey: string;
  serverCert: string;
  clientKey: string;
  clientCert: string;
}

/** A throwaway CA with a server certificate for 127.0.0.1 and a client certificate (openssl). */
export function makeCertificates(dir: string): Certificates {
  const f = (name: string) => path.join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=gitway test CA');
  writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1');
  ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.pem'), '-days', '2', '-extfile', f('server.ext'));
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('client.key'), '-out', f('client.csr'), '-subj', '/CN=gitway');
  ssl('x509', '-req', '-in', f('client.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('client.pem'), '-days', '2');
  return { dir, ca: f('ca.pem'), serverKey: f('server.key'), serverCert: f('server.pem'), clientKey: f('client.key'), clientCert: f('client.pem') };
}
