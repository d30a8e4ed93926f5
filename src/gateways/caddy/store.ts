/**
 * Where a Caddy config lives and how it is replaced as a whole: a JSON file (written atomically)
 * or a running Caddy's admin API (`GET /config/` with its ETag, which Caddy 2.6 sends as an HTTP
 * trailer; `POST /config/` with `If-Match`, so a concurrent change is answered 412 instead of
 * being overwritten).
 */
import { promises as fs } from 'node:fs';
import { GatewayError } from '../../errors.js';
import { AdminClient, gatewayMessage } from '../admin-client.js';
import { writeFileAtomic } from '../atomic.js';
import type { ResolvedTarget } from '../driver.js';
import type { Json } from './compile.js';

export interface Loaded {
  config: Json | undefined;
  /** The config's version (Caddy's ETag); a save with it fails when the config moved. */
  version?: string;
}

/** The config changed between load and save. */
export class VersionConflict extends Error {}

/** The gateway refused the config (and, Caddy says, keeps serving the old one). */
export class Rejected extends Error {
  constructor(readonly status: number, readonly reason: string, readonly url: string) {
    super(`${url} answered ${status}: ${reason}`);
  }
}

export interface ConfigStore {
  readonly where: string;
  readonly live: boolean;
  load(): Promise<Loaded>;
  /** Throws VersionConflict, Rejected, WriteOutcomeUnknown (answer lost) or GatewayError. */
  save(config: Json, version: string | undefined, format: (config: Json) => string): Promise<void>;
  /** Write requests sent so far. */
  readonly writes: number;
  close(): Promise<void>;
}

export function storeFor(target: ResolvedTarget, auth: ConstructorParameters<typeof AdminClient>[0]['auth']): ConfigStore {
  return target.kind === 'file' ? new FileStore(target.file, target.path) : new AdminStore(new AdminClient({ url: target.url, token: target.token, auth, tls: target.tls, root: target.root, timeoutMs: target.timeoutMs }));
}

class FileStore implements ConfigStore {
  readonly live = false;
  writes = 0;
  constructor(readonly where: string, private readonly path: string) {}

  async load(): Promise<Loaded> {
    let text: string;
    try {
      text = await fs.readFile(this.path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { config: undefined };
      throw new GatewayError(`cannot read the target file ${this.where} (${code ?? (err as Error).message})`, 'Check the path and its permissions.', err);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new GatewayError(`the target file ${this.where} is not valid JSON, so gitway cannot tell what it holds`, 'Restore it (or remove it to start afresh), then plan again.');
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      throw new GatewayError(`the target file ${this.where} is not a Caddy JSON config (an object)`, 'Restore it (or remove it to start afresh), then plan again.');
    }
    return { config: value as Json };
  }

  async save(config: Json, _version: string | undefined, format: (config: Json) => string): Promise<void> {
    this.writes++;
    await writeFileAtomic(this.path, format(config), { mode: 0o600 });
  }

  async close(): Promise<void> {}
}

class AdminStore implements ConfigStore {
  readonly live = true;
  readonly where: string;
  constructor(private readonly client: AdminClient) {
    this.where = client.base;
  }

  get writes(): number {
    return this.client.writes;
  }

  async load(): Promise<Loaded> {
    const r = await this.client.get('/config/');
    if (r.status !== 200) throw this.client.failure(r, 'cannot read the live config');
    let value: unknown;
    try {
      value = JSON.parse(r.text);
    } catch {
      throw new GatewayError(`${r.url} answered 200 with something that is not JSON, so it does not look like a Caddy admin API`, 'Check the admin URL of the environment.');
    }
    if (value !== null && (typeof value !== 'object' || Array.isArray(value))) {
      throw new GatewayError(`${r.url} answered with JSON that is not a Caddy config (an object)`, 'Check the admin URL of the environment.');
    }
    const etag = r.trailers.etag ?? (r.headers.etag as string | undefined);
    const looksLikeCaddy = value === null || ['admin', 'apps', 'logging', 'storage'].some((k) => k in (value as object)) || Object.keys(value as object).length === 0;
    if (!looksLikeCaddy) {
      throw new GatewayError(`${r.url} answered with JSON that does not look like a Caddy config (no admin, apps or logging), so it does not look like a Caddy admin API`, 'Check the admin URL (and port) of the environment in gitway.yaml.');
    }
    if (!etag) {
      throw new GatewayError(`${r.url} sent no ETag with the config, so gitway cannot write without risking a concurrent change being overwritten`, 'gitway needs Caddy 2.6 or later; check that nothing between gitway and Caddy drops HTTP trailers.');
    }
    return { config: (value ?? undefined) as Json | undefined, version: etag };
  }

  async save(config: Json, version: string | undefined): Promise<void> {
    const r = await this.client.write('POST', '/config/', JSON.stringify(config), version ? { 'if-match': version } : {});
    if (r.status === 200) return;
    if (r.status === 412) throw new VersionConflict(`${r.url} answered 412: the config changed since it was read`);
    // Caddy answers an invalid config with 400 (/load) or 500 (/config paths) and {"error": ...}, and keeps the old one.
    if ((r.status === 400 || r.status === 500) && gatewayMessage(r)) throw new Rejected(r.status, gatewayMessage(r), r.url);
    throw this.client.failure(r, 'the write was not accepted');
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
