// API Priority and Fairness' dispatching: seats, rejection, shuffle-sharded queues, fair queuing
// by seat-time between flows, the wait limit, a client that goes away, and levels lending and
// borrowing seats by their demand.
import { describe, expect, it } from 'vitest';
import { dealHand, Dispatcher, TooManyRequests, type LevelLimits, type Release } from './dispatcher.js';

/** A level of exactly `seats` seats (it neither lends nor borrows). */
const fixed = (seats: number, queuing?: LevelLimits['queuing']): LevelLimits => ({ nominal: seats, lendable: 0, borrowing: 0, ...(queuing ? { queuing } : {}) });
const queued = (seats: number, queues = 8, handSize = 2, queueLengthLimit = 3) => fixed(seats, { queues, handSize, queueLengthLimit });
const refusal = (p: Promise<unknown>) => p.then(() => 'admitted', (err) => (err instanceof TooManyRequests ? err.why : String(err)));
const tick = () => new Promise((r) => setImmediate(r));

/** A dispatcher on a clock the test moves, configured with `levels`. */
function dispatcher(levels: Record<string, LevelLimits>, waitLimitMs = 5000) {
  const clock = { now: 0 };
  const d = new Dispatcher({ waitLimitMs, now: () => clock.now });
  d.configure(new Map(Object.entries(levels)));
  return { d, clock };
}

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
    const { d } = dispatcher({ wide: queued(1, 10_000_000, 6, 5) });
    const running = d.tryAdmit('wide', 'f')!;
    const waiting = d.wait('wide', 'f');
    expect(d.load().get('wide')).toMatchObject({ executing: 1, waiting: 1, seats: 1 });
    running();
    (await waiting)();
    expect(d.load().get('wide')).toMatchObject({ executing: 0, waiting: 0, seats: 0 });
  });

  it('runs a level up to its seats, then a Reject level refuses and a Queue level asks the request to wait', () => {
    const { d } = dispatcher({ r: fixed(2), q: queued(1) });
    const a = d.tryAdmit('r', 'f')!;
    d.tryAdmit('r', 'f')!;
    expect(() => d.tryAdmit('r', 'f')).toThrow(TooManyRequests);
    a();
    a(); // giving a seat back twice frees it once
    expect(d.tryAdmit('r', 'f')).toBeTypeOf('function');
    expect(() => d.tryAdmit('r', 'f')).toThrow(TooManyRequests);
    d.tryAdmit('q', 'f');
    expect(d.tryAdmit('q', 'f')).toBeUndefined();
    expect(d.rejected.get('r\0concurrency-limit')).toBe(2);
  });

  it('never holds an exempt level, and counts what it runs', () => {
    const { d } = dispatcher({ exempt: { exempt: true, nominal: 0, lendable: 0, borrowing: 600 } });
    const releases = Array.from({ length: 50 }, () => d.tryAdmit('exempt', 'f')!);
    expect(d.load().get('exempt')).toMatchObject({ executing: 50, seats: 50 });
    releases.forEach((r) => r());
    expect(d.load().get('exempt')).toMatchObject({ executing: 0, seats: 0 });
  });

  it('gives freed seats by turns, so a busy flow does not hold back another', async () => {
    const { d } = dispatcher({ l: queued(1, 64, 1, 10) });
    const running = d.tryAdmit('l', 'busy')!;
    const order: string[] = [];
    const enqueue = (flow: string, n: number) =>
      Array.from({ length: n }, (_, i) =>
        d.wait('l', flow).then((release) => {
          order.push(`${flow}${i}`);
          setTimeout(release, 1);
        }),
      );
    const busy = enqueue('busy', 4);
    const quiet = enqueue('quiet', 1);
    expect(d.load().get('l')).toMatchObject({ executing: 1, waiting: 5, seats: 1 });
    running();
    await Promise.all([...busy, ...quiet]);
    expect(order.indexOf('quiet0')).toBeLessThanOrEqual(1);
    expect(order.filter((x) => x.startsWith('busy'))).toEqual(['busy0', 'busy1', 'busy2', 'busy3']);
  });

  it('shares seat-time, not turns: a flow of three-seat requests gets no more of the level than a flow of one-seat ones', async () => {
    // Six seats, both flows always have requests waiting, every request takes 10 ms.
    const { d, clock } = dispatcher({ l: queued(6, 64, 1, 500) });
    const served = { wide: 0, narrow: 0 };
    const running: { end: number; release: Release }[] = [];
    const start = (flow: 'wide' | 'narrow', width: number) => (release: Release) => {
      served[flow] += width;
      running.push({ end: clock.now + 10, release });
    };
    for (let i = 0; i < 60; i++) void d.wait('l', 'wide', undefined, 3).then(start('wide', 3));
    for (let i = 0; i < 180; i++) void d.wait('l', 'narrow', undefined, 1).then(start('narrow', 1));
    await tick();
    while (clock.now < 200) {
      running.sort((a, b) => a.end - b.end);
      const next = running.shift()!;
      clock.now = next.end;
      next.release();
      await tick();
    }
    // Round-robin turns would give the wide flow three seats for each of the narrow flow's.
    expect(served.wide / served.narrow).toBeGreaterThan(0.75);
    expect(served.wide / served.narrow).toBeLessThan(1.34);
  });

  it('refuses a request whose queue is full, one that waited too long, and one whose client went away', async () => {
    const { d } = dispatcher({ l: queued(1, 1, 1, 2) }, 50);
    d.tryAdmit('l', 'f');
    const first = refusal(d.wait('l', 'f'));
    const abort = new AbortController();
    const gone = refusal(d.wait('l', 'f', abort.signal));
    expect(await refusal(d.wait('l', 'f'))).toBe('queue-full');
    abort.abort();
    expect(await gone).toBe('cancelled');
    expect(await first).toBe('time-out');
    expect(d.load().get('l')).toMatchObject({ executing: 1, waiting: 0, seats: 1 });
  });

  it('follows a changed configuration: more seats start waiting requests, a level turned Reject lets its queues drain', async () => {
    const { d } = dispatcher({ l: queued(1) });
    const first = d.tryAdmit('l', 'f')!;
    const waiting = d.wait('l', 'f');
    d.configure(new Map([['l', queued(3)]]));
    const second = await waiting;
    expect(d.tryAdmit('l', 'f')).toBeTypeOf('function');
    expect(d.load().get('l')).toMatchObject({ executing: 3, waiting: 0, seats: 3 });
    first();
    const held = d.tryAdmit('l', 'f')!;
    const queuedBeforeChange = d.wait('l', 'f');
    d.configure(new Map([['l', fixed(3)]]));
    expect(await refusal(d.wait('l', 'f'))).toBe('concurrency-limit');
    second();
    expect(await refusal(queuedBeforeChange)).toBe('admitted');
    held();
  });

  it('a wide request takes its seats: it waits until they are free, the requests behind it wait with it, and one wider than its level runs alone', async () => {
    const { d } = dispatcher({ l: queued(4, 1, 1, 10) });
    const narrow = d.tryAdmit('l', 'f')!;
    const other = d.tryAdmit('l', 'f')!;
    // Three seats asked, two free: it queues, and a one-seat request behind it queues too.
    expect(d.tryAdmit('l', 'f', 3)).toBeUndefined();
    const order: string[] = [];
    const wide = d.wait('l', 'f', undefined, 3).then((release) => (order.push('wide'), release));
    const behind = d.wait('l', 'f').then((release) => (order.push('behind'), release));
    await tick();
    expect(order).toEqual([]);
    expect(d.load().get('l')).toMatchObject({ executing: 2, waiting: 2, seats: 2 });
    narrow();
    const releaseWide = await wide;
    // One seat and three: the level is full, and the one behind still waits.
    await tick();
    expect(order).toEqual(['wide']);
    expect(d.load().get('l')).toMatchObject({ executing: 2, waiting: 1, seats: 4 });
    other();
    const releaseBehind = await behind;
    expect(d.load().get('l')).toMatchObject({ executing: 2, waiting: 0, seats: 4 });
    releaseWide();
    releaseBehind();
    // Ten seats of a four-seat level: only when nothing else runs.
    const hold = d.tryAdmit('l', 'f')!;
    const huge = d.wait('l', 'g', undefined, 10);
    expect(d.load().get('l')).toMatchObject({ executing: 1, waiting: 1 });
    hold();
    const releaseHuge = await huge;
    expect(d.load().get('l')).toMatchObject({ executing: 1, waiting: 0, seats: 10 });
    expect(d.metrics()).toContain('apiserver_flowcontrol_current_executing_seats{priority_level="l"} 10');
    expect(d.metrics()).toContain('apiserver_flowcontrol_current_executing_requests{priority_level="l"} 1');
    releaseHuge();
    expect(d.load().get('l')).toMatchObject({ executing: 0, waiting: 0, seats: 0 });
  });

  it('lends an idle level’s lendable seats to a busy one after a borrowing period, and takes them back when it needs them', async () => {
    // Twenty seats: two levels of ten, each may lend half.
    const level = (borrowing: number): LevelLimits => ({ nominal: 10, lendable: 5, borrowing, queuing: { queues: 16, handSize: 4, queueLengthLimit: 50 } });
    const { d, clock } = dispatcher({ busy: level(20), idle: level(20) });
    expect(d.load().get('busy')!.limit).toBe(10);
    // The busy level wants 20 seats for a whole period: 10 run, 10 wait.
    const releases: Release[] = [];
    for (let i = 0; i < 20; i++) void d.wait('busy', `f${i}`).then((r) => releases.push(r));
    await tick();
    expect(d.load().get('busy')).toMatchObject({ executing: 10, waiting: 10 });
    clock.now += 10_000;
    d.rebalance();
    await tick();
    // It borrows the five seats the idle level may lend: 15 run.
    expect(d.load().get('busy')).toMatchObject({ limit: 15, executing: 15, waiting: 5 });
    expect(d.load().get('idle')!.limit).toBe(5);
    const metrics = d.metrics();
    expect(metrics).toContain('apiserver_flowcontrol_current_limit_seats{priority_level="busy"} 15');
    expect(metrics).toContain('apiserver_flowcontrol_lower_limit_seats{priority_level="idle"} 5');
    expect(metrics).toContain('apiserver_flowcontrol_upper_limit_seats{priority_level="busy"} 30');
    expect(metrics).toContain('apiserver_flowcontrol_demand_seats_high_watermark{priority_level="busy"} 20');

    // The idle level gets busy too: at once it has its five, and after a period its ten back.
    const idleReleases: Release[] = [];
    for (let i = 0; i < 12; i++) void d.wait('idle', `g${i}`).then((r) => idleReleases.push(r));
    await tick();
    expect(d.load().get('idle')).toMatchObject({ executing: 5, waiting: 7 });
    clock.now += 10_000;
    d.rebalance();
    await tick();
    expect(d.load().get('idle')!.executing).toBeGreaterThanOrEqual(10);
    expect(d.load().get('busy')!.limit + d.load().get('idle')!.limit).toBe(20);
    [...releases, ...idleReleases].forEach((r) => r());
  });

  it('never lets a level borrow past its borrowing limit', async () => {
    const { d, clock } = dispatcher({
      capped: { nominal: 10, lendable: 0, borrowing: 0, queuing: { queues: 4, handSize: 1, queueLengthLimit: 50 } },
      lender: { nominal: 10, lendable: 10, borrowing: 20 },
    });
    const releases: Release[] = [];
    for (let i = 0; i < 30; i++) void d.wait('capped', 'f').then((r) => releases.push(r));
    clock.now += 10_000;
    d.rebalance();
    await tick();
    expect(d.load().get('capped')).toMatchObject({ limit: 10, executing: 10 });
    releases.forEach((r) => r());
  });

  it('keeps a write\'s lingering seats taken after it is answered, then gives them back', async () => {
    const { d } = dispatcher({ r: fixed(3) });
    const write = d.tryAdmit('r', 'f', { seats: 1, finalSeats: 3, lingerMs: 30 })!;
    expect(d.load().get('r')).toMatchObject({ executing: 1, seats: 3 });
    expect(() => d.tryAdmit('r', 'f')).toThrow(TooManyRequests);
    write();
    // Answered, but its watchers are still being told: the seats stay taken.
    expect(d.load().get('r')).toMatchObject({ executing: 0, seats: 3 });
    expect(() => d.tryAdmit('r', 'f')).toThrow(TooManyRequests);
    await new Promise((r) => setTimeout(r, 60));
    expect(d.load().get('r')).toMatchObject({ executing: 0, seats: 0 });
    expect(d.tryAdmit('r', 'f')).toBeTypeOf('function');
  });
});

