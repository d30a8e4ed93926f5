/**
 * One HTTP request through a gateway's proxy, as a client would send it (for smoke checks). The
 * answer comes back whatever its status; only a connection that fails is an error, returned as a
 * description so the caller can retry until its deadline.
 */
export interface ProbeRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export interface ProbeAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export async function probe(req: ProbeRequest): Promise<ProbeAnswer | { error: string }> {
  const { request } = await import('undici');
  try {
    const r = await request(req.url, { method: req.method as 'GET', headers: req.headers, body: req.body, reset: true, signal: AbortSignal.timeout(req.timeoutMs), headersTimeout: req.timeoutMs, bodyTimeout: req.timeoutMs });
    const body = await r.body.text();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
    return { status: r.statusCode, headers, body };
  } catch (err) {
    const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string } };
    const code = e.code ?? e.cause?.code;
    return { error: code === 'ECONNREFUSED' ? 'connection refused' : e.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' ? `no answer within ${req.timeoutMs} ms` : (code ?? e.message ?? String(err)) };
  }
}
