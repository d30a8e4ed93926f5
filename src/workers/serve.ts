/** The worker side of runPool: jobs in, results out, files read through the parent's Tree. */
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';

export type ReadFile = (file: string) => Promise<Buffer>;

export interface ServeContext {
  read: ReadFile;
  data: unknown;
}

/**
 * Errors with `expected: true` (or a GitwayError's exitCode) are reported as fatal, not as crashes.
 * `hint` hears of an input before its job arrives (see PoolOptions.shared), to begin on it; it must
 * not throw, and the job's handler must not count on it having run. The handler calls `started()`
 * when its setup is over and the job itself runs: the job's time bound counts from there (a slow
 * start on a busy machine is not the job's fault). `begin` hears that a kept worker starts on the
 * jobs of a new command (a long-lived process: workers/warm.ts).
 */
export function serve<I, O>(handler: (input: I, context: ServeContext & { shared: unknown; started: () => void }) => Promise<O>, hint?: (input: I, context: ServeContext) => void, begin?: () => void): void {
  if (!parentPort) throw new Error('a gitway worker started outside a worker thread');
  const port = parentPort;
  let nextId = 0;
  const pending = new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>();
  /** Files sent with a hint: each serves one read, later ones ask the parent again. */
  const sent = new Map<string, Buffer>();
  const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read: ReadFile = (file) =>
    new Promise((resolve, reject) => {
      const bytes = sent.get(file);
      if (bytes) {
        sent.delete(file);
        resolve(bytes);
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve, reject });
      port.postMessage({ type: 'read', id, file });
    });
  port.on('message', async (msg: { type: string; id?: number; bytes?: Uint8Array; error?: string; input?: I; shared?: unknown; files?: Record<string, Uint8Array> }) => {
    if (msg.type === 'read-result' && msg.id !== undefined) {
      const waiter = pending.get(msg.id);
      pending.delete(msg.id);
      if (!waiter) return;
      if (msg.error !== undefined) waiter.reject(new Error(msg.error));
      // a view of the bytes that arrived (already this thread's copy), not another copy
      else waiter.resolve(msg.bytes ? asBuffer(msg.bytes) : Buffer.alloc(0));
    } else if (msg.type === 'begin') {
      begin?.();
    } else if (msg.type === 'hint') {
      for (const [file, bytes] of Object.entries(msg.files ?? {})) sent.set(file, asBuffer(bytes));
      hint?.(msg.input as I, { read, data: workerData });
    } else if (msg.type === 'job') {
      try {
        const output = await handler(msg.input as I, { read, data: workerData, shared: msg.shared, started: () => port.postMessage({ type: 'started' }) });
        // with its heap's size: a long-lived process does not keep a worker that grew large
        port.postMessage({ type: 'done', output, heap: getHeapStatistics().used_heap_size });
      } catch (err) {
        const e = err as Error & { exitCode?: number; hint?: string };
        if (typeof e.exitCode === 'number') port.postMessage({ type: 'fatal', message: e.message, name: e.name, hint: e.hint });
        else port.postMessage({ type: 'failed', error: e.stack ?? String(err) });
      }
    }
  });
}
