/**
 * The HTTP client every live driver talks to its gateway's admin API with (undici). What it owns:
 * the base URL, the token header (name per driver; the token itself never appears in any message),
 * TLS (a CA file, a client certificate, `insecure` only when asked), a time bound per request,
 * bounded retries with backoff for reads (connection errors, 5xx, 429 with `Retry-After`), and
 * turning what goes wrong into a GatewayError (exit 4) naming the URL, the status and the gateway's
 * own message.
 *
 * Writes are never retried blindly: a write whose connection broke may have landed (Caddy reloads
 * and can reset the connection), so the client reports `WriteOutcomeUnknown` and the driver re-reads
 * before it decides anything. Only a 429 or 503 (the gateway said it did not take the request) is
 * retried for a write.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Dispatcher } from 'undici';
import { GatewayError } from '../errors.js';

export interface AdminAuth {
  /** The header the token goes in (Caddy behind an auth proxy: Authorization; Kong: Kong-Admin-Token). */
  header: string;
  /** Put before the token (`Bearer`), or nothing. */
  scheme?: string;
}

export interface AdminTls {
  /** Paths, relative to `root`. */
  ca?: string;
  cert?: string;
  key?: string;
  insecure?: boolean;
}

export interface AdminClientOptions {
  url: string;
  token?: string;
  auth?: AdminAuth;
  tls?: AdminTls;
  /** Where relative TLS file paths start (the repository root). */
  root?: string;
  /** Time bound of one request, connection included (default 30 s). */
  timeoutMs?: number;
  /** How many times a read is retried (default 3). */
  retries?: number;
  /** First backoff (doubles each time; default 200 ms). */
  backoffMs?: number;
}

export interface AdminResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  trailers: Record<string, string>;
  text: string;
  url: string;
}

/** A write whose connection broke before an answer came: it may or may not have been applied. */
export class WriteOutcomeUnknown extends Error {
  constructor(readonly url: string, readonly reason: string) {
    super(`the connection to ${url} broke before the gateway answered the write (${reason})`);
  }
}

const RETRY_STATUS = new Set([429, 502, 503, 504]);
const MAX_RETRY_AFTER_MS = 30_000;

export class AdminClient {
  readonly base: string;
  private readonly options: AdminClientOptions;
  private readonly basic?: string;
  private dispatcher?: Dispatcher;
  private undici?: typeof import('undici');
  /** Requests sent (each attempt counts): the benches and tests read it. */
  requests = 0;
  writes = 0;

  constructor(options: AdminClientOptions) {
    this.options = options;
    // Credentials in the URL (http://user:pass@host) become a Basic Authorization header (unless a
    // token is set); they never stay in the URL gitway shows.
    const url = new URL(options.url);
    if (url.username || url.password) {
      this.basic = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
      url.username = '';
      url.password = '';
    }
    this.base = url.toString().replace(/\/+$/, '');
  }

  urlOf(p: string): string {
    return `${this.base}${p.startsWith('/') ? p : `/${p}`}`;
  }

  /** A read: retried on connection errors, 5xx and 429. Answers of other statuses are returned. */
  async get(p: string): Promise<AdminResponse> {
    const retries = this.options.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      let response: AdminResponse;
      try {
        response = await this.send('GET', p);
      } catch (err) {
        // A time-out is not tried again: the time bound is the whole wait, and a signal is not held up for it.
        if (attempt < retries && !(err instanceof GatewayError) && !isTlsError(err) && !isTimeout(err)) {
          await sleep(this.backoff(attempt));
          continue;
        }
        throw this.unreachable(p, err);
      }
      if ((response.status >= 500 || response.status === 429) && attempt < retries) {
        await sleep(this.retryAfter(response) ?? this.backoff(attempt));
        continue;
      }
      this.refuseAuth(response);
      return response;
    }
  }

  /**
   * A write. Returns the gateway's answer whatever its status (the driver knows what a 400, 412 or
   * 500 means for it); throws WriteOutcomeUnknown when the connection broke after the request may
   * have been sent, and GatewayError when it could not even connect.
   */
  async write(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', p: string, body: string | undefined, headers: Record<string, string> = {}): Promise<AdminResponse> {
    const retries = this.options.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      let response: AdminResponse;
      try {
        this.writes++;
        response = await this.send(method, p, body, headers);
      } catch (err) {
        const code = codeOf(err);
        // Refused before anything was sent: safe to try again.
        if (isTlsError(err)) throw this.unreachable(p, err); // no handshake: nothing was sent
        if (code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
          if (attempt < retries) {
            await sleep(this.backoff(attempt));
            continue;
          }
          throw this.unreachable(p, err);
        }
        throw new WriteOutcomeUnknown(this.urlOf(p), describe(err));
      }
      if ((response.status === 429 || response.status === 503) && attempt < retries) {
        await sleep(this.retryAfter(response) ?? this.backoff(attempt));
        continue;
      }
      this.refuseAuth(response);
      return response;
    }
  }

  async close(): Promise<void> {
    await this.dispatcher?.close().catch(() => undefined);
    this.dispatcher = undefined;
  }

  /** A GatewayError for an answer gitway cannot use: the URL, the status, and the gateway's own message. */
  failure(response: AdminResponse, what: string, hint?: string): GatewayError {
    return new GatewayError(`${what}: ${response.url} answered ${response.status}${gatewayMessage(response) ? `: ${gatewayMessage(response)}` : ''}`, hint);
  }

  private async send(method: string, p: string, body?: string, extra: Record<string, string> = {}): Promise<AdminResponse> {
    const undici = (this.undici ??= await import('undici'));
    const timeout = this.options.timeoutMs ?? 30_000;
    this.dispatcher ??= new undici.Agent({
      connect: { timeout, ...this.tlsOptions() },
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    const headers: Record<string, string> = { accept: 'application/json', ...extra };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token) {
      const auth = this.options.auth ?? { header: 'Authorization', scheme: 'Bearer' };
      headers[auth.header.toLowerCase()] = auth.scheme ? `${auth.scheme} ${this.options.token}` : this.options.token;
    } else if (this.basic) headers.authorization = this.basic;
    const url = this.urlOf(p);
    this.requests++;
    // `reset`: one connection per request. Caddy closes its admin connections on every reload, so a
    // kept-alive connection would fail the next request for no reason.
    const r = await undici.request(url, { method: method as Dispatcher.HttpMethod, headers, body, dispatcher: this.dispatcher, reset: true, signal: AbortSignal.timeout(timeout) });
    const text = await r.body.text();
    return { status: r.statusCode, headers: r.headers as AdminResponse['headers'], trailers: (r.trailers ?? {}) as Record<string, string>, text, url };
  }

  private tlsOptions(): Record<string, unknown> {
    const tls = this.options.tls;
    if (!tls || !this.base.startsWith('https:')) return {};
    const read = (file: string, what: string) => {
      const full = path.resolve(this.options.root ?? process.cwd(), file);
      try {
        return readFileSync(full);
      } catch (err) {
        throw new GatewayError(`cannot read the TLS ${what} ${file} for ${this.base} (${codeOf(err) ?? describe(err)})`, 'Fix tls: in gitway.yaml (paths are relative to the repository root).');
      }
    };
    return {
      ...(tls.ca ? { ca: read(tls.ca, 'CA file') } : {}),
      ...(tls.cert ? { cert: read(tls.cert, 'client certificate') } : {}),
      ...(tls.key ? { key: read(tls.key, 'client key') } : {}),
      ...(tls.insecure ? { rejectUnauthorized: false } : {}),
    };
  }

  private refuseAuth(response: AdminResponse): void {
    if (response.status !== 401 && response.status !== 403) return;
    const sent = Boolean(this.options.token || this.basic);
    throw this.failure(
      response,
      `the admin API refused ${sent ? 'the token' : 'a request without a token'}`,
      sent ? "Check the environment's token (the variable it names must hold a token the gateway accepts)." : "Give the environment a token: token: ${env.NAME} in gitway.yaml, with NAME set.",
    );
  }

  private unreachable(p: string, err: unknown): GatewayError {
    if (err instanceof GatewayError) return err;
    const code = codeOf(err);
    const timeout = isTimeout(err);
    const after = `${(this.options.retries ?? 3) + 1} attempts`;
    if (isTlsError(err)) {
      return new GatewayError(
        `cannot talk TLS with the admin API at ${this.urlOf(p)}: ${(err as Error).message}${code ? ` (${code})` : ''}`,
        "Give the CA that signed the admin API's certificate as tls.ca in gitway.yaml (and tls.cert/tls.key when it asks for a client certificate); tls.insecure: true skips the check, for tests only.",
        err,
      );
    }
    return new GatewayError(
      timeout
        ? `the admin API at ${this.urlOf(p)} did not answer within ${Math.round((this.options.timeoutMs ?? 30_000) / 100) / 10} s`
        : `cannot reach the admin API at ${this.urlOf(p)} (${describe(err)}; ${after})`,
      'Check that the gateway is running and that the admin URL of the environment is right.',
      err,
    );
  }

  private backoff(attempt: number): number {
    return (this.options.backoffMs ?? 200) * 2 ** attempt;
  }

  private retryAfter(response: AdminResponse): number | undefined {
    const value = response.headers['retry-after'];
    const v = Array.isArray(value) ? value[0] : value;
    if (!v) return undefined;
    const seconds = Number(v);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(v) - Date.now();
    return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : undefined;
  }
}

/** The gateway's own message: `{"error": ...}` or `{"message": ...}` (Caddy, Kong, APISIX), else the body's first line. */
export function gatewayMessage(response: AdminResponse): string {
  const text = response.text.trim();
  if (!text) return '';
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    for (const key of ['error', 'message', 'error_msg']) if (typeof v?.[key] === 'string') return v[key] as string;
  } catch {
    // not JSON
  }
  const line = text.split('\n')[0];
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function isTimeout(err: unknown): boolean {
  const code = codeOf(err);
  return code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || (err as Error)?.name === 'TimeoutError';
}

/** A certificate the client does not trust, or a handshake the server refused (no client certificate). */
function isTlsError(err: unknown): boolean {
  const code = codeOf(err) ?? '';
  const message = String((err as Error)?.message ?? '');
  return /^(CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|ERR_TLS|ERR_SSL|EPROTO$|HOSTNAME_MISMATCH|ERR_TLS_CERT)/.test(code) || /certificate|SSL routines|alert/i.test(message);
}

function codeOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  const code = e?.code ?? e?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

function describe(err: unknown): string {
  const code = codeOf(err);
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET') return 'connection reset';
  return code ?? (err as Error)?.message ?? String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
