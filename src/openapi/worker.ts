/** Worker thread: analyses one OpenAPI document at a time, reading files through the parent's Tree. */
import { parentPort } from 'node:worker_threads';
import { analyseDocument } from './analyse.js';

if (!parentPort) throw new Error('openapi worker started outside a worker thread');
const port = parentPort;
let nextId = 0;
const pending = new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>();

const read = (file: string): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    port.postMessage({ type: 'read', id, file });
  });

port.on('message', async (msg: { type: string; id?: number; file?: string; bytes?: Uint8Array; error?: string }) => {
  if (msg.type === 'read-result' && msg.id !== undefined) {
    const waiter = pending.get(msg.id);
    pending.delete(msg.id);
    if (!waiter) return;
    if (msg.error !== undefined) waiter.reject(new Error(msg.error));
    else waiter.resolve(Buffer.from(msg.bytes ?? new Uint8Array()));
  } else if (msg.type === 'analyse' && msg.file) {
    try {
      port.postMessage({ type: 'done', summary: await analyseDocument(msg.file, read) });
    } catch (err) {
      port.postMessage({ type: 'failed', error: (err as Error).stack ?? String(err) });
    }
  }
});
