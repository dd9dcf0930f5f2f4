import { describe, expect, it } from 'vitest';
import { SchedulingQueue } from './queue.js';

describe('SchedulingQueue', () => {
  it('brings back only the pods an event could help (queueing hints)', async () => {
    const q = new SchedulingQueue({ initialBackoffMs: 0 });
    q.markUnschedulable('ns/needs-room', new Set(['NodeResourcesFit']));
    q.markUnschedulable('ns/needs-label', new Set(['NodeAffinity']));
    q.markUnschedulable('ns/needs-toleration', new Set(['TaintToleration', 'NodeAffinity']));
    expect(q.onEvent('NodeReadyChanged')).toBe(0);
    expect(q.onEvent('PodRemovedFromNode')).toBe(1);
    expect(await q.get()).toBe('ns/needs-room');
    expect(q.onEvent('NodeTaintsChanged')).toBe(1);
    expect(q.isUnschedulable('ns/needs-label')).toBe(true);
    // A new node could suit anyone.
    expect(q.onEvent('NodeAdded')).toBe(1);
    expect(q.unschedulableCount).toBe(0);
    q.shutDown();
  });

  it('makes a pod brought back wait out its back-off, doubling per attempt up to the maximum', () => {
    let now = 0;
    const q = new SchedulingQueue({ initialBackoffMs: 1000, maxBackoffMs: 4000, now: () => now });
    const left = () => (q as unknown as { backoffLeft(k: string): number }).backoffLeft('ns/p');
    q.markUnschedulable('ns/p', new Set(['NodeResourcesFit']));
    expect(left()).toBe(1000);
    now = 400;
    expect(left()).toBe(600);
    q.markUnschedulable('ns/p', new Set(['NodeResourcesFit']));
    expect(left()).toBe(2000);
    q.markUnschedulable('ns/p', new Set(['NodeResourcesFit']));
    q.markUnschedulable('ns/p', new Set(['NodeResourcesFit']));
    expect(left()).toBe(4000);
    q.scheduled('ns/p');
    expect(left()).toBe(0);
    q.shutDown();
  });

  it('tries pods again after the safety-net wait whatever happened, and forgets removed ones', () => {
    let now = 0;
    const q = new SchedulingQueue({ now: () => now });
    q.markUnschedulable('ns/a', new Set(['NodeAffinity']));
    now = 100_000;
    q.markUnschedulable('ns/b', new Set(['NodeAffinity']));
    q.remove('ns/gone');
    now = 300_000;
    expect(q.flushWaitingLongerThan(300_000)).toBe(1);
    expect([q.isUnschedulable('ns/a'), q.isUnschedulable('ns/b')]).toEqual([false, true]);
    q.remove('ns/b');
    expect(q.unschedulableCount).toBe(0);
    q.shutDown();
  });

  it('a changed pod goes to the front at once, out of the waiting set', async () => {
    const q = new SchedulingQueue();
    q.markUnschedulable('ns/p', new Set(['NodeAffinity']));
    q.add('ns/p');
    expect(q.isUnschedulable('ns/p')).toBe(false);
    expect(await q.get()).toBe('ns/p');
  });

  it('brings pods back by priority: released together, the most important is tried first', async () => {
    const q = new SchedulingQueue({ initialBackoffMs: 0 });
    q.add('ns/batch', 0);
    q.add('ns/critical', 2_000_000_000);
    q.add('ns/web', 100);
    for (let i = 0; i < 3; i++) {
      const key = (await q.get())!;
      q.markUnschedulable(key, new Set(['NodeResourcesFit']));
      q.done(key);
    }
    expect(q.onEvent('PodRemovedFromNode')).toBe(3);
    const order = [];
    for (let i = 0; i < 3; i++) order.push(await q.get());
    expect(order).toEqual(['ns/critical', 'ns/web', 'ns/batch']);
    q.shutDown();
  });
});
