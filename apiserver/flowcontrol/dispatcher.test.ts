// API Priority and Fairness' dispatching: seats, rejection, shuffle-sharded queues, fair turns
// between flows, the wait limit and a client that goes away.
import { describe, expect, it } from 'vitest';
import { dealHand, Dispatcher, TooManyRequests, type LevelLimits } from './dispatcher.js';

const queued = (seats: number, queues = 8, handSize = 2, queueLengthLimit = 3): LevelLimits => ({ seats, queuing: { queues, handSize, queueLengthLimit } });
const refusal = (p: Promise<unknown>) => p.then(() => 'admitted', (err) => (err instanceof TooManyRequests ? err.why : String(err)));

describe('API Priority and Fairness dispatching', () => {
  it('deals each flow the same hand of distinct queues, and different flows mostly different ones', () => {
    const hand = dealHand('workload-low\0alice', 128, 6);
    expect(hand).toEqual(dealHand('workload-low\0alice', 128, 6));
    expect(new Set(hand).size).toBe(6);
    for (const q of hand) expect(q >= 0 && q < 128).toBe(true);
    expect(dealHand('workload-low\0bob', 128, 6)).not.toEqual(hand);
    expect(dealHand('x', 4, 8).sort()).toEqual([0, 1, 2, 3]);
    const wide = dealHand('x', 10_000_000, 6);
    expect(new Set(wide).size).toBe(6);
    for (const q of wide) expect(Number.isInteger(q) && q >= 0 && q < 10_000_000).toBe(true);
  });

  it('keeps only the queues in use, whatever number of queues the level has', async () => {
    const d = new Dispatcher(5000);
    const limits = queued(1, 10_000_000, 6, 5);
    const running = d.tryAdmit('wide', limits)!;
    const waiting = d.wait('wide', limits, 'f');
    expect(d.load().get('wide')).toEqual({ executing: 1, waiting: 1, seats: 1 });
    running();
    (await waiting)();
    expect(d.load().get('wide')).toEqual({ executing: 0, waiting: 0, seats: 0 });
  });

  it('runs a level up to its seats, then a Reject level refuses and a Queue level asks the request to wait', () => {
    const d = new Dispatcher(1000);
    const reject: LevelLimits = { seats: 2 };
    const a = d.tryAdmit('r', reject)!;
    d.tryAdmit('r', reject)!;
    expect(() => d.tryAdmit('r', reject)).toThrow(TooManyRequests);
    a();
    a(); // giving a seat back twice frees it once
    expect(d.tryAdmit('r', reject)).toBeTypeOf('function');
    expect(() => d.tryAdmit('r', reject)).toThrow(TooManyRequests);
    d.tryAdmit('q', queued(1));
    expect(d.tryAdmit('q', queued(1))).toBeUndefined();
    expect(d.rejected.get('r\0concurrency-limit')).toBe(2);
  });

  it('gives freed seats to the queues in turn, so a busy flow does not hold back another', async () => {
    const d = new Dispatcher(5000);
    const limits = queued(1, 64, 1, 10);
    const running = d.tryAdmit('l', limits)!;
    const order: string[] = [];
    const enqueue = (flow: string, n: number) =>
      Array.from({ length: n }, (_, i) =>
        d.wait('l', limits, flow).then((release) => {
          order.push(`${flow}${i}`);
          setTimeout(release, 1);
        }),
      );
    const busy = enqueue('busy', 4);
    const quiet = enqueue('quiet', 1);
    expect(d.load().get('l')).toEqual({ executing: 1, waiting: 5, seats: 1 });
    running();
    await Promise.all([...busy, ...quiet]);
    expect(order.indexOf('quiet0')).toBeLessThanOrEqual(1);
    expect(order.filter((x) => x.startsWith('busy'))).toEqual(['busy0', 'busy1', 'busy2', 'busy3']);
  });

  it('refuses a request whose queue is full, one that waited too long, and one whose client went away', async () => {
    const d = new Dispatcher(50);
    const limits = queued(1, 1, 1, 2);
    d.tryAdmit('l', limits);
    const first = refusal(d.wait('l', limits, 'f'));
    const abort = new AbortController();
    const gone = refusal(d.wait('l', limits, 'f', abort.signal));
    expect(await refusal(d.wait('l', limits, 'f'))).toBe('queue-full');
    abort.abort();
    expect(await gone).toBe('cancelled');
    expect(await first).toBe('time-out');
    expect(d.load().get('l')).toEqual({ executing: 1, waiting: 0, seats: 1 });
  });

  it('follows a changed configuration: more seats start waiting requests, a level turned Reject refuses them', async () => {
    const d = new Dispatcher(5000);
    d.tryAdmit('l', queued(1));
    const waiting = d.wait('l', queued(1), 'f');
    expect(d.tryAdmit('l', queued(3))).toBeTypeOf('function'); // the waiting one started first, then this one
    await waiting;
    expect(d.load().get('l')).toEqual({ executing: 3, waiting: 0, seats: 3 });
    const refused = refusal(d.wait('l', queued(3), 'f'));
    expect(() => d.tryAdmit('l', { seats: 3 })).toThrow(TooManyRequests);
    expect(await refused).toBe('concurrency-limit');
  });

  it('a wide request takes its seats: it waits until they are free, the requests behind it wait with it, and one wider than its level runs alone', async () => {
    const d = new Dispatcher(5000);
    const limits = queued(4, 1, 1, 10);
    const narrow = d.tryAdmit('l', limits)!;
    const other = d.tryAdmit('l', limits)!;
    // Three seats asked, two free: it queues, and a one-seat request behind it queues too.
    expect(d.tryAdmit('l', limits, 3)).toBeUndefined();
    const order: string[] = [];
    const wide = d.wait('l', limits, 'f', undefined, 3).then((release) => (order.push('wide'), release));
    const behind = d.wait('l', limits, 'f').then((release) => (order.push('behind'), release));
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual([]);
    expect(d.load().get('l')).toEqual({ executing: 2, waiting: 2, seats: 2 });
    narrow();
    const releaseWide = await wide;
    // One seat and three: the level is full, and the one behind still waits.
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual(['wide']);
    expect(d.load().get('l')).toEqual({ executing: 2, waiting: 1, seats: 4 });
    other();
    const releaseBehind = await behind;
    expect(d.load().get('l')).toEqual({ executing: 2, waiting: 0, seats: 4 });
    releaseWide();
    releaseBehind();
    // Ten seats of a four-seat level: only when nothing else runs.
    const hold = d.tryAdmit('l', limits)!;
    const huge = d.wait('l', limits, 'g', undefined, 10);
    expect(d.load().get('l')).toMatchObject({ executing: 1, waiting: 1 });
    hold();
    const releaseHuge = await huge;
    expect(d.load().get('l')).toEqual({ executing: 1, waiting: 0, seats: 10 });
    expect(d.metrics()).toContain('apiserver_flowcontrol_current_executing_seats{priority_level="l"} 10');
    expect(d.metrics()).toContain('apiserver_flowcontrol_current_executing_requests{priority_level="l"} 1');
    releaseHuge();
    expect(d.load().get('l')).toEqual({ executing: 0, waiting: 0, seats: 0 });
  });
});
