// A real Caddy and small upstream servers for the benchmarks that need a live gateway (live.js,
// rollback.js): everything on free 127.0.0.1 ports, state in temporary folders, stopped by process
// id at the end, also on error or Ctrl-C.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const lab = {
  /** Folders removed at the end. */
  temp: [],
  /** { child, pid, dir, output, adminPort, proxyPort, handPort, admin } once started. */
  caddy: undefined,
  upstreams: [],
};
let cleaned = false;

export async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  const caddy = lab.caddy;
  if (caddy?.child && caddy.child.exitCode === null && caddy.child.signalCode === null) {
    const c = caddy.child;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    try {
      process.kill(caddy.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      try {
        process.kill(caddy.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  }
  for (const s of lab.upstreams) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
  for (const d of lab.temp) rmSync(d, { recursive: true, force: true });
}
process.on('exit', () => {
  // Last resort (an uncaught error): never leave Caddy or the folders behind.
  const caddy = lab.caddy;
  if (caddy?.child && caddy.child.exitCode === null && caddy.child.signalCode === null) {
    try {
      process.kill(caddy.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  for (const d of lab.temp) rmSync(d, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => cleanup().finally(() => process.exit(130)));

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

/** A server answering every request with 200 (its name, method and path); `state.status` changes the status of non-health answers. */
export async function startUpstream(name, state = { status: 200 }) {
  const port = await freePort();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const health = req.url.startsWith('/health');
      res.writeHead(health ? 200 : state.status, { 'content-type': 'text/plain', 'x-upstream': name }).end(health ? 'ok' : `${name} ${req.method} ${req.url}`);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  lab.upstreams.push(server);
  return `http://127.0.0.1:${port}`;
}

export async function startCaddy() {
  const { request } = await import('undici');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gitway-bench-caddy-'));
  lab.temp.push(dir);
  const [adminPort, proxyPort, handPort] = [await freePort(), await freePort(), await freePort()];
  const bootstrap = {
    admin: { listen: `127.0.0.1:${adminPort}`, config: { persist: false } },
    logging: { logs: { default: { level: 'ERROR' } } },
    apps: {
      http: {
        servers: {
          hand: {
            listen: [`127.0.0.1:${handPort}`],
            automatic_https: { disable: true },
            routes: [{ '@id': 'hand-made', handle: [{ handler: 'static_response', body: 'hand-made' }] }],
          },
        },
      },
    },
  };
  const file = path.join(dir, 'bootstrap.json');
  writeFileSync(file, JSON.stringify(bootstrap));
  const env = { ...process.env, XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_DATA_HOME: path.join(dir, 'data'), HOME: dir };
  const c = spawn('caddy', ['run', '--config', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const caddy = { child: c, pid: c.pid, dir, output: '', adminPort, proxyPort, handPort, admin: `http://127.0.0.1:${adminPort}` };
  lab.caddy = caddy;
  const keep = (d) => (caddy.output = (caddy.output + d.toString()).slice(-8000));
  c.stdout.on('data', keep);
  c.stderr.on('data', keep);
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (c.exitCode !== null) throw new Error(`caddy exited with ${c.exitCode}:\n${caddy.output}`);
    try {
      const r = await request(`${caddy.admin}/config/`, { reset: true });
      await r.body.text();
      if (r.statusCode === 200) return caddy;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`caddy did not answer on ${caddy.admin} within 15 s:\n${caddy.output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
