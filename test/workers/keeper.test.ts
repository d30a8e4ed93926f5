import { Worker } from 'node:worker_threads';
import { EntryMemo, WorkerKeeper, type KeptWorker } from '../../src/workers/warm.js';

const idleWorker = (): KeptWorker => ({ worker: new Worker('setInterval(() => {}, 1000)', { eval: true }), data: {} });
const exited = (w: Worker) => new Promise<number>((resolve) => w.once('exit', resolve));

describe('WorkerKeeper (what a gitway server keeps between commands)', () => {
  it('hands a worker out only under its own key, once', async () => {
    const keeper = new WorkerKeeper(4);
    const a = idleWorker();
    keeper.put('lint\u0000/repo\u0000ruleset-1\u0000', a);
    expect(keeper.take('lint\u0000/repo\u0000ruleset-2\u0000')).toBeUndefined();
    expect(keeper.has('lint\u0000/repo\u0000')).toBe(true);
    expect(keeper.take('lint\u0000/repo\u0000ruleset-1\u0000')).toBe(a);
    expect(keeper.take('lint\u0000/repo\u0000ruleset-1\u0000')).toBeUndefined();
    expect(keeper.has('lint\u0000/repo\u0000')).toBe(false);
    expect(keeper.size).toBe(0);
    await a.worker.terminate();
  });

  it('never hands out a worker that died while idle', async () => {
    const keeper = new WorkerKeeper(4);
    const a = idleWorker();
    keeper.put('k', a);
    const gone = exited(a.worker);
    await a.worker.terminate();
    await gone;
    expect(keeper.take('k')).toBeUndefined();
  });

  it('keeps at most its limit: one more stops the worker idle longest', async () => {
    const keeper = new WorkerKeeper(2);
    const [a, b, c] = [idleWorker(), idleWorker(), idleWorker()];
    const aGone = exited(a.worker);
    keeper.put('old-ruleset', a);
    keeper.put('other-repo', b);
    keeper.put('old-ruleset', keeper.take('old-ruleset')!); // used again: now the most recent
    keeper.put('new-ruleset', c);
    // b was idle longest
    await exited(b.worker);
    expect(keeper.size).toBe(2);
    expect(keeper.take('other-repo')).toBeUndefined();
    expect(keeper.take('old-ruleset')).toBe(a);
    expect(keeper.take('new-ruleset')).toBe(c);
    await Promise.all([a.worker.terminate(), c.worker.terminate(), aGone]);
  });

  it('close stops every idle worker', async () => {
    const keeper = new WorkerKeeper(4);
    const [a, b] = [idleWorker(), idleWorker()];
    keeper.put('x', a);
    keeper.put('y', b);
    const gone = Promise.all([exited(a.worker), exited(b.worker)]);
    await keeper.close();
    await gone;
    expect(keeper.size).toBe(0);
  });
});

describe('EntryMemo (parsed cache entries a gitway server keeps)', () => {
  it('answers only for the same stamp, and keeps at most its limit, dropping the least recently used', () => {
    const memo = new EntryMemo(2);
    memo.set('a', '1', 'A');
    expect(memo.get('a', '2')).toBeUndefined(); // the file changed
    expect(memo.get('a', '1')).toBe('A');
    memo.set('b', '1', 'B');
    expect(memo.get('a', '1')).toBe('A'); // a is now the most recent
    memo.set('c', '1', 'C');
    expect(memo.size).toBe(2);
    expect(memo.get('b', '1')).toBeUndefined();
    expect(memo.get('a', '1')).toBe('A');
    expect(memo.get('c', '1')).toBe('C');
  });
});
