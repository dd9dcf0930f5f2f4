// API Priority and Fairness' dispatching, as Kubernetes' apiserver does it for Limited priority
// levels: a level runs requests while their seats fit in its own (a request takes the seats the
// work estimator gave it: one, or up to ten for a LIST of many objects); past that, a level whose limitResponse is Reject refuses at once (429), and a Queue level puts the
// request in one of its queues chosen by shuffle sharding: the flow (its FlowSchema and
// distinguisher: user name or namespace) is dealt a hand of `handSize` of the level's queues
// and joins the shortest of them, unless that one already holds `queueLengthLimit` requests
// (429). Freed seats go to the queues in turn, so one busy flow, whose requests crowd its own few
// queues, does not hold back the others; a wide request whose turn it is waits until its seats
// are free, and the requests behind it wait with it (taking narrower ones first would starve
// it), as in Kubernetes. A request wider than its whole level runs when the level is idle. A
// request that waits longer than the wait limit is refused (429) too. Exempt levels are never
// held. Not done: a level borrowing seats other levels lend (lendablePercent,
// borrowingLimitPercent).
import { StatusError } from '../../api/status.js';

export interface LevelLimits {
  /** How many requests run at once: the level's nominal concurrency limit. */
  seats: number;
  /** Absent: excess requests are rejected. */
  queuing?: { queues: number; handSize: number; queueLengthLimit: number };
}

/** Why a request was refused, as Kubernetes' rejected_requests_total labels it. */
export type RejectReason = 'concurrency-limit' | 'queue-full' | 'time-out' | 'cancelled';

interface Waiter {
  queue: number;
  /** Seats it takes while it runs. */
  width: number;
  start: () => void;
  refuse: (reason: RejectReason) => void;
}

class Level {
  /** Seats taken by the requests executing. */
  seatsInUse = 0;
  /** Requests executing. */
  executing = 0;
  waiting = 0;
  /** How many queues the level has (a configuration may ask for millions: only non-empty ones exist). */
  queueCount = 0;
  /** The non-empty queues by number, in the order they get freed seats: the first is served, then goes last. */
  queues = new Map<number, Waiter[]>();

  constructor(public limits: LevelLimits) {}

  length(queue: number): number {
    return this.queues.get(queue)?.length ?? 0;
  }

  push(w: Waiter): void {
    const q = this.queues.get(w.queue);
    if (q) q.push(w);
    else this.queues.set(w.queue, [w]);
    this.waiting++;
  }

  /** Takes `w` out of its queue, if it is still in one. */
  remove(w: Waiter): void {
    const q = this.queues.get(w.queue);
    const at = q ? q.indexOf(w) : -1;
    if (at < 0) return;
    q!.splice(at, 1);
    if (!q!.length) this.queues.delete(w.queue);
    this.waiting--;
  }

  /** Whether `width` more seats fit now: they do in an idle level, whatever the width. */
  fits(width: number): boolean {
    return this.seatsInUse === 0 || this.seatsInUse + width <= this.limits.seats;
  }

  /** The first request of the queue whose turn it is, if its seats fit (any when `always`); that queue then waits behind the others. */
  next(always = false): Waiter | undefined {
    for (const [n, q] of this.queues) {
      if (!always && !this.fits(q[0]!.width)) return undefined;
      const w = q.shift()!;
      this.queues.delete(n);
      if (q.length) this.queues.set(n, q);
      this.waiting--;
      return w;
    }
    return undefined;
  }
}

export class TooManyRequests extends StatusError {
  constructor(readonly why: RejectReason) {
    super(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: 1 });
  }
}

/** A 32-bit FNV-1a hash of the flow's identity, the seed of its hand. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The `handSize` distinct queues of `queues` a flow may use: always the same ones for the same flow. */
export function dealHand(flow: string, queues: number, handSize: number): number[] {
  // A partial Fisher-Yates shuffle of the deck 0..queues-1, seeded by the flow (xorshift32);
  // only the cards it moves are held, so a level of millions of queues costs nothing more.
  const moved = new Map<number, number>();
  const card = (i: number) => moved.get(i) ?? i;
  let state = hash(flow) || 1;
  const hand: number[] = [];
  for (let i = 0; i < Math.min(handSize, queues); i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    const j = i + (state % (queues - i));
    const [atI, atJ] = [card(i), card(j)];
    moved.set(i, atJ);
    moved.set(j, atI);
    hand.push(atJ);
  }
  return hand;
}

export class Dispatcher {
  private readonly levels = new Map<string, Level>();
  /** Counters for /metrics, by level. */
  readonly dispatched = new Map<string, number>();
  readonly rejected = new Map<string, number>();

  constructor(
    /** How long a queued request may wait for a seat. */
    private readonly waitLimitMs: number,
  ) {}

  private level(name: string, limits: LevelLimits): Level {
    let level = this.levels.get(name);
    if (!level) this.levels.set(name, (level = new Level(limits)));
    else level.limits = limits;
    const queues = limits.queuing ? Math.max(1, limits.queuing.queues) : 0;
    if (level.queueCount !== queues) {
      level.queueCount = queues;
      // A changed configuration: the waiting requests keep their turns, spread over the new
      // queues, or are refused when the level no longer queues.
      const waiting: Waiter[] = [];
      for (let w = level.next(true); w; w = level.next(true)) waiting.push(w);
      waiting.forEach((w, i) => {
        if (queues === 0) return w.refuse('concurrency-limit');
        w.queue = i % queues;
        level.push(w);
      });
    }
    this.dispatch(level);
    return level;
  }

  private count(map: Map<string, number>, key: string): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }

  /** Takes `width` seats of the level; answers the function that gives them back. */
  private seat(levelName: string, level: Level, width: number): () => void {
    let released = false;
    level.seatsInUse += width;
    level.executing++;
    this.count(this.dispatched, levelName);
    return () => {
      if (released) return;
      released = true;
      level.seatsInUse -= width;
      level.executing--;
      this.dispatch(level);
    };
  }

  private refusal(levelName: string, why: RejectReason): TooManyRequests {
    this.count(this.rejected, `${levelName}\0${why}`);
    return new TooManyRequests(why);
  }

  /**
   * `width` seats of `levelName` now, as the function that gives them back (call it once, when
   * the request is done); undefined when the request has to queue (see wait()); throws
   * TooManyRequests when the level rejects what it cannot run.
   */
  tryAdmit(levelName: string, limits: LevelLimits, width = 1): (() => void) | undefined {
    const level = this.level(levelName, limits);
    if (level.waiting === 0 && level.fits(width)) return this.seat(levelName, level, width);
    if (!level.limits.queuing) throw this.refusal(levelName, 'concurrency-limit');
    return undefined;
  }

  /**
   * Queues a request of `flow` for a seat of `levelName` (after tryAdmit said it must); resolves
   * with the function that gives the seat back, or rejects with TooManyRequests (its queue full,
   * the wait too long, `signal` aborted because the client went away).
   */
  wait(levelName: string, limits: LevelLimits, flow: string, signal?: AbortSignal, width = 1): Promise<() => void> {
    const level = this.level(levelName, limits);
    const queuing = level.limits.queuing;
    if (!queuing) return Promise.reject(this.refusal(levelName, 'concurrency-limit'));
    const hand = dealHand(flow, level.queueCount, queuing.handSize);
    const queue = hand.reduce((best, q) => (level.length(q) < level.length(best) ? q : best), hand[0]!);
    if (level.length(queue) >= queuing.queueLengthLimit) return Promise.reject(this.refusal(levelName, 'queue-full'));
    return new Promise((resolve, reject) => {
      const leave = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', cancelled);
        // Already out when dispatched or when a new configuration took the waiters out.
        level.remove(waiter);
      };
      const waiter: Waiter = {
        queue,
        width,
        start: () => {
          leave();
          resolve(this.seat(levelName, level, width));
        },
        refuse: (why) => {
          leave();
          reject(this.refusal(levelName, why));
        },
      };
      const cancelled = () => waiter.refuse('cancelled');
      const timer = setTimeout(() => waiter.refuse('time-out'), this.waitLimitMs);
      signal?.addEventListener('abort', cancelled, { once: true });
      level.push(waiter);
      if (signal?.aborted) cancelled();
      // Seats may have come free since tryAdmit (or the limits grown): start whoever is first.
      this.dispatch(level);
    });
  }

  /** Gives free seats to waiting requests, one queue after another, while the next one's fit. */
  private dispatch(level: Level): void {
    for (let w = level.next(); w; w = level.next()) w.start();
  }

  /** Kubernetes' dispatching metrics in Prometheus text: requests running and queued, dispatched and rejected. */
  metrics(): string {
    const label = (level: string) => `priority_level=${JSON.stringify(level)}`;
    const lines = [
      '# HELP apiserver_flowcontrol_current_executing_requests Number of requests in initial (for a WATCH) or any (for a non-WATCH) execution stage in the API Priority and Fairness subsystem',
      '# TYPE apiserver_flowcontrol_current_executing_requests gauge',
      ...[...this.levels].map(([name, l]) => `apiserver_flowcontrol_current_executing_requests{${label(name)}} ${l.executing}`),
      '# HELP apiserver_flowcontrol_current_executing_seats Concurrency (number of seats) occupied by the currently executing (initial stage for a WATCH, any stage otherwise) requests in the API Priority and Fairness subsystem',
      '# TYPE apiserver_flowcontrol_current_executing_seats gauge',
      ...[...this.levels].map(([name, l]) => `apiserver_flowcontrol_current_executing_seats{${label(name)}} ${l.seatsInUse}`),
      '# HELP apiserver_flowcontrol_current_inqueue_requests Number of requests currently pending in queues of the API Priority and Fairness subsystem',
      '# TYPE apiserver_flowcontrol_current_inqueue_requests gauge',
      ...[...this.levels].map(([name, l]) => `apiserver_flowcontrol_current_inqueue_requests{${label(name)}} ${l.waiting}`),
      '# HELP apiserver_flowcontrol_dispatched_requests_total Number of requests executed by API Priority and Fairness subsystem',
      '# TYPE apiserver_flowcontrol_dispatched_requests_total counter',
      ...[...this.dispatched].map(([name, n]) => `apiserver_flowcontrol_dispatched_requests_total{${label(name)}} ${n}`),
      '# HELP apiserver_flowcontrol_rejected_requests_total Number of requests rejected by API Priority and Fairness subsystem',
      '# TYPE apiserver_flowcontrol_rejected_requests_total counter',
      ...[...this.rejected].map(([key, n]) => {
        const [name, reason] = key.split('\0');
        return `apiserver_flowcontrol_rejected_requests_total{${label(name!)},reason=${JSON.stringify(reason)}} ${n}`;
      }),
    ];
    return `${lines.join('\n')}\n`;
  }

  /** Requests running and waiting, and the seats taken, by level. */
  load(): Map<string, { executing: number; waiting: number; seats: number }> {
    return new Map([...this.levels].map(([name, l]) => [name, { executing: l.executing, waiting: l.waiting, seats: l.seatsInUse }]));
  }
}
