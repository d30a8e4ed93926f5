/** The worker side of runPool: jobs in, results out, files read through the parent's Tree. */
import { parentPort, workerData } from 'node:worker_threads';

export type ReadFile = (file: string) => Promise<Buffer>;

/** Errors with `expected: true` (or a GitwayError's exitCode) are reported as fatal, not as crashes. */
/**
 * `started()` tells the parent that the worker's setup is over and the job itself runs now: the
 * job's time bound counts from there (a slow start on a busy machine is not the job's fault).
 */
export function serve<I, O>(handler: (input: I, context: { read: ReadFile; data: unknown; started: () => void }) => Promise<O>): void {
  if (!parentPort) throw new Error('a gitway worker started outside a worker thread');
  const port = parentPort;
  let nextId = 0;
  const pending = new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>();
  const read: ReadFile = (file) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      port.postMessage({ type: 'read', id, file });
    });
  port.on('message', async (msg: { type: string; id?: number; bytes?: Uint8Array; error?: string; input?: I }) => {
    if (msg.type === 'read-result' && msg.id !== undefined) {
      const waiter = pending.get(msg.id);
      pending.delete(msg.id);
      if (!waiter) return;
      if (msg.error !== undefined) waiter.reject(new Error(msg.error));
      else waiter.resolve(Buffer.from(msg.bytes ?? new Uint8Array()));
    } else if (msg.type === 'job') {
      try {
        port.postMessage({ type: 'done', output: await handler(msg.input as I, { read, data: workerData, started: () => port.postMessage({ type: 'started' }) }) });
      } catch (err) {
        const e = err as Error & { exitCode?: number; hint?: string };
        if (typeof e.exitCode === 'number') port.postMessage({ type: 'fatal', message: e.message, name: e.name, hint: e.hint });
        else port.postMessage({ type: 'failed', error: e.stack ?? String(err) });
      }
    }
  });
}
