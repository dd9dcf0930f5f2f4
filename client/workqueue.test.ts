import { describe, expect, it, vi } from 'vitest';
import { WorkQueue } from './workqueue.js';

describe('WorkQueue', () => {
  it('holds a key once however often it is added', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.length).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
  });

  it('never hands a key to two workers; one added while processing comes back after done', async () => {
    const q = new WorkQueue();
    q.add('a');
    const key = await q.get();
    q.add('a');
    expect(q.length).toBe(0);
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await Promise.resolve();
    expect(second).toBeUndefined();
    q.done(key!);
    await new Promise((r) => setImmediate(r));
    expect(second).toBe('a');
  });

  it('backs failed keys off exponentially until forgotten', async () => {
    const q = new WorkQueue({ baseDelayMs: 20 });
    const started = Date.now();
    q.addRateLimited('a');
    q.addRateLimited('a'); // second failure: 40 ms; the 20 ms copy arrives first and de-duplicates
    expect(q.retries('a')).toBe(2);
    expect(await q.get()).toBe('a');
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    q.forget('a');
    expect(q.retries('a')).toBe(0);
    q.shutDown();
  });

  it('releases waiting workers on shutdown', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.shutDown();
    expect(await waiting).toBeUndefined();
    q.add('late');
    expect(await q.get()).toBeUndefined();
  });
});

describe('WorkQueue and the event loop', () => {
  it('lets timers and I/O run between keys while a worker drains a full queue without I/O of its own', async () => {
    const q = new WorkQueue<number>();
    for (let i = 0; i < 2000; i++) q.add(i);
    let processed = 0;
    let timerSawProcessed = -1;
    setTimeout(() => (timerSawProcessed = processed), 0);
    for (;;) {
      if (q.length === 0) break;
      const key = (await q.get())!;
      processed++; // synchronous work only, as the scheduler's filtering and scoring
      q.done(key);
    }
    // The timer ran while keys were still queued, not after the queue ran dry.
    expect(timerSawProcessed).toBeGreaterThanOrEqual(0);
    expect(timerSawProcessed).toBeLessThan(2000);
  });
});

describe('WorkQueue shutdown', () => {
  it('hands out nothing more once shut down, even with keys still queued', async () => {
    const q = new WorkQueue<number>();
    for (let i = 0; i < 10; i++) q.add(i);
    expect(await q.get()).toBe(0);
    q.shutDown();
    expect(await q.get()).toBeUndefined();
  });
});

describe('WorkQueue timers', () => {
  it('does not fire at once for a delay past what Node timers hold (a CronJob a century away)', async () => {
    const q = new WorkQueue();
    q.addAfter('far', 100 * 365 * 86_400_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(q.length).toBe(0);
    q.shutDown();
  });

  it('keeps one timer per key, for the soonest time asked, however often a key is added after a delay', async () => {
    vi.useFakeTimers();
    try {
      const q = new WorkQueue();
      for (let i = 0; i < 1000; i++) q.addAfter('node-1', 40_000);
      q.addAfter('node-1', 5_000);
      q.addAfter('node-1', 60_000);
      expect(vi.getTimerCount()).toBe(1);
      await vi.advanceTimersByTimeAsync(4_999);
      expect(q.length).toBe(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(q.length).toBe(1);
      // Nothing else was left waiting: the key came back once.
      expect(vi.getTimerCount()).toBe(0);
      q.shutDown();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('WorkQueue order', () => {
  it('hands out keys added together by priority, highest first and first come first served among equals, even to a worker already waiting', async () => {
    const priority: Record<string, number> = { low: 0, 'low-2': 0, high: 1000, mid: 10 };
    const q = new WorkQueue<string>({ priority: (k) => priority[k] ?? 0 });
    const waiting = q.get();
    for (const k of ['low', 'low-2', 'mid', 'high']) q.add(k);
    const got = [await waiting];
    for (let i = 0; i < 3; i++) got.push((await q.get())!);
    expect(got).toEqual(['high', 'mid', 'low', 'low-2']);
    q.shutDown();
  });

  it('is first in, first out without priorities, over many keys', async () => {
    const q = new WorkQueue<number>();
    for (let i = 0; i < 200; i++) q.add(i);
    const got: number[] = [];
    for (let i = 0; i < 200; i++) got.push((await q.get())!);
    expect(got).toEqual([...Array(200).keys()]);
    q.shutDown();
  });
});
