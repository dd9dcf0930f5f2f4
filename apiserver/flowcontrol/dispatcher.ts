// API Priority and Fairness' dispatching, as Kubernetes' apiserver does it.
//
// Seats: each priority level has a current concurrency limit in seats. A request takes the
// seats the work estimator gave it (one, or up to ten for a LIST of many objects) while it
// runs. Levels borrow from each other: every ten seconds each level's seat demand over the
// period (average, deviation, high watermark, smoothed) sets its target, and the server's
// seats are shared out in proportion to the targets, each level held between what it may not
// lend (nominal seats less lendablePercent) and what it may borrow up to (nominal plus
// borrowingLimitPercent, unlimited when unset). Exempt levels are never held, but their
// demand counts (they borrow too, as in Kubernetes 1.28+).
//
// Queues (Limited levels whose limitResponse is Queue): a request goes to one of its flow's
// `handSize` queues (shuffle sharding on the flow: its FlowSchema and distinguisher), the one
// with the least work waiting, and is refused (429) when its level's seats are all taken and
// that queue already holds `queueLengthLimit` requests. Freed seats go by fair queuing: each
// queue has a virtual dispatch time that advances by the seat-time its requests take (a guess
// of 3 ms per seat at dispatch, corrected by the real time when they finish), virtual time
// advances at the rate a fair share of the seats would serve each busy queue, and the request
// at the head of the queue whose head would finish first in virtual time goes next. So a flow
// of wide or slow requests gets no more seat-time than a flow of narrow fast ones. A wide
// request whose turn it is waits until its seats are free and the ones behind it wait with it
// (taking narrower ones first would starve it); one wider than its whole level runs when
// nothing else of the level does. A request waiting longer than the wait limit is refused.
// Reject levels refuse at once what their seats cannot take.
//
// A write with many watchers keeps seats a moment after it is answered, while its event goes out
// (work-estimator.ts says how many and how long); the seats count from dispatch to then.
import { StatusError } from '../../api/status.js';
import { allocateConcurrency } from './concurrency-allocation.js';
import { SeatDemand } from './seat-demand.js';

export interface LevelLimits {
  /** Exempt levels never hold a request. */
  exempt?: boolean;
  /** The level's share of the server's seats (its nominalConcurrencyShares'). */
  nominal: number;
  /** Seats it lends to others when it does not need them (lendablePercent of nominal). */
  lendable: number;
  /** Seats it may borrow beyond nominal (borrowingLimitPercent of nominal; the server's limit when unset). */
  borrowing: number;
  /** Absent: excess requests are rejected. */
  queuing?: { queues: number; handSize: number; queueLengthLimit: number };
}

/** Why a request was refused, as Kubernetes' rejected_requests_total labels it. */
export type RejectReason = 'concurrency-limit' | 'queue-full' | 'time-out' | 'cancelled';

/** Gives a request's seats back; safe to call more than once. */
export type Release = () => void;

/** What a request costs: its seats while it runs, and seats it keeps a while after (a write's watchers). */
export interface Work {
  seats: number;
  finalSeats?: number;
  lingerMs?: number;
}

const workOf = (w: Work | number): Work => (typeof w === 'number' ? { seats: w } : w);
/** The seats a request holds from dispatch until its lingering ends. */
const widthOf = (w: Work) => Math.max(w.seats, w.finalSeats ?? 0);

/** The seat-time a request is expected to take per seat before it is known (Kubernetes' 3 ms). */
const SERVICE_ESTIMATE_MS = 3;
/** A request's seat-time as fair queuing counts it before it runs. */
const virtualWork = (w: Work) => w.seats * SERVICE_ESTIMATE_MS + (w.finalSeats ?? 0) * (w.lingerMs ?? 0);
/** How often levels lend and borrow seats anew. */
export const BORROWING_PERIOD_MS = 10_000;

/** Who is asking, for the debugging dumps. */
export interface RequestDescription {
  flowSchema: string;
  distinguisher: string;
  user: string;
  verb: string;
  path: string;
  namespace: string;
  name: string;
  groupVersion: string;
  resource: string;
  subresource: string;
}

interface Waiter {
  queue: Queue;
  cost: Work;
  arrivedAt: number;
  about?: RequestDescription;
  /** Seats it takes while it runs. */
  width: number;
  /** Its seat-time in virtual time: seats x the service guess, plus any lingering seats x their time. */
  work: number;
  /** Virtual time when it arrived: its queue is never dispatched earlier than this. */
  arrivalR: number;
  start: () => void;
  refuse: (reason: RejectReason) => void;
}

class Queue {
  readonly waiting: Waiter[] = [];
  waitingSeats = 0;
  executing = 0;
  seatsInUse = 0;
  constructor(
    readonly index: number,
    /** Virtual time at which its next request would start: where it stands in the fair share. */
    public nextDispatchR: number,
  ) {}

  idle(): boolean {
    return this.waiting.length === 0 && this.executing === 0 && this.seatsInUse === 0;
  }
}

class Level {
  /** The current concurrency limit: nominal, give or take what it lends and borrows. */
  current: number;
  seatsInUse = 0;
  executing = 0;
  waiting = 0;
  waitingSeats = 0;
  /** Queues with requests waiting or running, by index (a configuration may ask for millions: only busy ones exist). */
  readonly queues = new Map<number, Queue>();
  /** Virtual time: seat-milliseconds each busy queue would have been served so far. */
  r = 0;
  lastSync: number;
  /** The queue last dispatched from: ties in virtual finish time go to the queues after it. */
  robin = -1;
  enqueues = 0;
  readonly demand: SeatDemand;
  target = 0;
  /** Gone from the configuration, kept while requests still use it. */
  retired = false;

  constructor(
    public limits: LevelLimits,
    now: number,
  ) {
    this.current = limits.nominal - Math.floor(limits.lendable / 2);
    this.lastSync = now;
    this.demand = new SeatDemand(now);
  }

  idle(): boolean {
    return this.executing === 0 && this.waiting === 0 && this.seatsInUse === 0;
  }

  /** Whether `width` more seats fit now (lingering seats count); a request wider than the level runs when nothing else of it does. */
  fits(width: number): boolean {
    return width > this.current ? this.executing === 0 : this.seatsInUse + width <= this.current;
  }

  /** Brings virtual time up to `now`: it advances at min(seats asked, limit) / busy queues per millisecond. */
  sync(now: number): void {
    const busy = this.queues.size;
    if (busy) this.r += ((now - this.lastSync) * Math.min(this.seatsInUse + this.waitingSeats, this.current)) / busy;
    this.lastSync = now;
  }

  noteDemand(now: number): void {
    this.demand.set(this.seatsInUse + this.waitingSeats, now);
  }

  queue(index: number): Queue {
    let q = this.queues.get(index);
    if (!q) this.queues.set(index, (q = new Queue(index, this.r)));
    return q;
  }

  forgetIfIdle(q: Queue): void {
    if (q.idle() && this.queues.get(q.index) === q) this.queues.delete(q.index);
  }

  /** A queue is never dispatched earlier in virtual time than its oldest request arrived (Kubernetes' anti-windup). */
  bound(q: Queue): void {
    const head = q.waiting[0];
    if (head && q.nextDispatchR < head.arrivalR) q.nextDispatchR = head.arrivalR;
  }

  /** The queue whose head request would finish first in virtual time (ties: the next after the last one served). */
  nextInTurn(): Queue | undefined {
    let best: Queue | undefined;
    let bestFinish = Infinity;
    let bestDistance = Infinity;
    const span = Math.max(1, this.limits.queuing?.queues ?? 1, this.robin + 1);
    for (const q of this.queues.values()) {
      const head = q.waiting[0];
      if (!head) continue;
      const finish = q.nextDispatchR + head.work;
      const distance = (((q.index - this.robin - 1) % span) + span) % span;
      if (finish < bestFinish || (finish === bestFinish && distance < bestDistance)) {
        best = q;
        bestFinish = finish;
        bestDistance = distance;
      }
    }
    return best;
  }
}

export interface LevelDump {
  name: string;
  activeQueues: number;
  idle: boolean;
  quiescing: boolean;
  waiting: number;
  executing: number;
  queues: Array<{ index: number; executing: number; seatsInUse: number; nextDispatchR: number; initialSeatsSum: number; maxSeatsSum: number; totalWorkSum: number; requests: Array<{ arrivedAt: number; cost: Work; about?: RequestDescription }> }>;
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

export interface DispatcherOptions {
  /** How long a queued request may wait for its seats. */
  waitLimitMs: number;
  /** The clock, in milliseconds (a test's own). */
  now?: () => number;
}

export class Dispatcher {
  private readonly levels = new Map<string, Level>();
  private configured?: Map<string, LevelLimits>;
  private readonly now: () => number;
  private readonly waitLimitMs: number;
  private fairProportion = 0;
  private timer?: NodeJS.Timeout;
  /** Counters for /metrics, by level. */
  readonly dispatched = new Map<string, number>();
  readonly rejected = new Map<string, number>();

  constructor(options: DispatcherOptions) {
    this.waitLimitMs = options.waitLimitMs;
    this.now = options.now ?? (() => performance.now());
  }

  /** Lends and borrows seats every BORROWING_PERIOD_MS from now on. */
  startBorrowing(periodMs = BORROWING_PERIOD_MS): void {
    this.timer ??= setInterval(() => this.rebalance(), periodMs).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * The priority levels as configured now, by name (the same map again is a no-op). New levels
   * start; changed ones take their new limits; removed ones finish what they hold, then go.
   * Any change in seats shares them out again at once, as Kubernetes does on a new configuration.
   */
  configure(levels: Map<string, LevelLimits>): void {
    if (levels === this.configured) return;
    this.configured = levels;
    const now = this.now();
    let reshare = false;
    for (const [name, limits] of levels) {
      const level = this.levels.get(name);
      if (!level) {
        this.levels.set(name, new Level(limits, now));
        reshare = true;
        continue;
      }
      const was = level.limits;
      if (was.nominal !== limits.nominal || was.lendable !== limits.lendable || was.borrowing !== limits.borrowing || !!was.exempt !== !!limits.exempt || level.retired) reshare = true;
      level.sync(now);
      level.limits = limits;
      level.retired = false;
    }
    for (const [name, level] of this.levels) {
      if (levels.has(name)) continue;
      if (level.idle()) this.levels.delete(name);
      else level.retired = true;
      reshare = true;
    }
    if (reshare) this.rebalance();
    else for (const level of this.levels.values()) this.dispatch(level);
  }

  /** One borrowing period ends: each level's demand sets its target, and the server's seats are shared out by them. */
  rebalance(): void {
    const now = this.now();
    const levels = [...this.levels.values()];
    const items = levels.map((level) => {
      const stats = level.demand.endPeriod(now);
      const { nominal, lendable, borrowing } = level.limits;
      const lower = Math.max(nominal - lendable, Math.min(nominal, stats.highWatermark));
      level.target = Math.max(lower, stats.smoothed);
      return { lower, upper: nominal + borrowing, target: level.target };
    });
    const total = levels.reduce((sum, l) => sum + l.limits.nominal, 0);
    const { seats, fairProportion } = allocateConcurrency(total, items);
    this.fairProportion = fairProportion;
    levels.forEach((level, i) => {
      level.sync(now);
      level.current = Math.round(seats[i]!);
      this.dispatch(level);
    });
  }

  private count(map: Map<string, number>, key: string): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }

  private refusal(levelName: string, why: RejectReason): TooManyRequests {
    this.count(this.rejected, `${levelName}\0${why}`);
    return new TooManyRequests(why);
  }

  private level(name: string): Level | undefined {
    return this.levels.get(name);
  }

  /** Runs a request costing `work` of `level`, from queue `q` (none for a level without queues). */
  private run(name: string, level: Level, work: Work, q: Queue | undefined, now: number): Release {
    const width = widthOf(work);
    level.seatsInUse += width;
    level.executing++;
    if (q) {
      q.executing++;
      q.seatsInUse += width;
      q.nextDispatchR += virtualWork(work);
    }
    level.noteDemand(now);
    this.count(this.dispatched, name);
    const giveBack = () => {
      const at = this.now();
      level.sync(at);
      level.seatsInUse -= width;
      if (q) {
        q.seatsInUse -= width;
        level.bound(q);
        level.forgetIfIdle(q);
      }
      level.noteDemand(at);
      this.dispatch(level);
      this.retireIfDone(name, level);
    };
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const end = this.now();
      level.sync(end);
      level.executing--;
      if (q) {
        q.executing--;
        // The guess made at dispatch, corrected by the time the request really took.
        q.nextDispatchR += work.seats * (end - now - SERVICE_ESTIMATE_MS);
      }
      // A write's seats stay taken while its watchers are told (none of it for an exempt level: nothing waits on it).
      if (work.lingerMs && !level.limits.exempt) setTimeout(giveBack, work.lingerMs).unref();
      else giveBack();
    };
  }

  private retireIfDone(name: string, level: Level): void {
    if (level.retired && level.idle() && this.levels.get(name) === level) this.levels.delete(name);
  }

  /** The queue of `flow`'s hand with the least work waiting, the hand taken in turns from a rotating start. */
  private chooseQueue(level: Level, flow: string): Queue {
    const queuing = level.limits.queuing!;
    const hand = dealHand(flow, Math.max(1, queuing.queues), queuing.handSize);
    const offset = level.enqueues++ % hand.length;
    let best = hand[offset]!;
    let least = level.queues.get(best)?.waitingSeats ?? 0;
    for (let i = 1; i < hand.length && least > 0; i++) {
      const n = hand[(offset + i) % hand.length]!;
      const work = level.queues.get(n)?.waitingSeats ?? 0;
      if (work < least) [best, least] = [n, work];
    }
    return level.queue(best);
  }

  /**
   * Seats of `levelName` now, as the function that gives them back (call it when the request is
   * done); undefined when the request has to queue (see wait()); throws TooManyRequests when a
   * Reject level cannot take it. An exempt level (or one not configured) always runs it.
   */
  tryAdmit(levelName: string, flow: string, cost: Work | number = 1): Release | undefined {
    const level = this.level(levelName);
    if (!level) return () => undefined;
    const work = workOf(cost);
    const width = widthOf(work);
    const now = this.now();
    if (level.limits.exempt) return this.run(levelName, level, work, undefined, now);
    if (!level.limits.queuing) {
      if (!level.fits(width)) throw this.refusal(levelName, 'concurrency-limit');
      return this.run(levelName, level, work, undefined, now);
    }
    if (level.waiting > 0 || !level.fits(width)) return undefined;
    level.sync(now);
    const q = this.chooseQueue(level, flow);
    // As if it had queued and been dispatched at once: a queue never starts before its request arrived.
    q.nextDispatchR = Math.max(q.nextDispatchR, level.r);
    level.robin = q.index;
    return this.run(levelName, level, work, q, now);
  }

  /**
   * Queues a request of `flow` for seats of `levelName` (after tryAdmit said it must); resolves
   * with the function that gives them back, or rejects with TooManyRequests (its queue full, the
   * wait too long, `signal` aborted because the client went away).
   */
  wait(levelName: string, flow: string, signal?: AbortSignal, cost: Work | number = 1, about?: RequestDescription): Promise<Release> {
    const level = this.level(levelName);
    if (!level || level.limits.exempt) return Promise.resolve(this.tryAdmit(levelName, flow, cost)!);
    const work = workOf(cost);
    const width = widthOf(work);
    const queuing = level.limits.queuing;
    if (!queuing) return Promise.reject(this.refusal(levelName, 'concurrency-limit'));
    const now = this.now();
    level.sync(now);
    const q = this.chooseQueue(level, flow);
    if (level.seatsInUse >= level.current && q.waiting.length >= queuing.queueLengthLimit) {
      level.forgetIfIdle(q);
      return Promise.reject(this.refusal(levelName, 'queue-full'));
    }
    return new Promise((resolve, reject) => {
      let settled = false;
      const leave = () => {
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', cancelled);
      };
      const waiter: Waiter = {
        queue: q,
        cost: work,
        arrivedAt: Date.now(),
        ...(about ? { about } : {}),
        width,
        work: virtualWork(work),
        arrivalR: level.r,
        start: () => {
          leave();
          resolve(this.run(levelName, level, work, q, this.now()));
        },
        refuse: (why) => {
          if (settled) return;
          leave();
          this.unqueue(level, waiter);
          reject(this.refusal(levelName, why));
          this.dispatch(level);
          this.retireIfDone(levelName, level);
        },
      };
      const cancelled = () => waiter.refuse('cancelled');
      const timer = setTimeout(() => waiter.refuse('time-out'), this.waitLimitMs);
      signal?.addEventListener('abort', cancelled, { once: true });
      q.waiting.push(waiter);
      q.waitingSeats += width;
      level.waiting++;
      level.waitingSeats += width;
      level.bound(q);
      level.noteDemand(now);
      if (signal?.aborted) cancelled();
      // Seats may have come free since tryAdmit (or the limit grown): start whoever is first.
      else this.dispatch(level);
    });
  }

  /** Takes a waiting request out of its queue (it gave up or was refused). */
  private unqueue(level: Level, w: Waiter): void {
    const q = w.queue;
    const at = q.waiting.indexOf(w);
    if (at < 0) return;
    const now = this.now();
    level.sync(now);
    q.waiting.splice(at, 1);
    q.waitingSeats -= w.width;
    level.waiting--;
    level.waitingSeats -= w.width;
    if (at === 0) level.bound(q);
    level.forgetIfIdle(q);
    level.noteDemand(now);
  }

  /** Gives free seats to waiting requests by fair queuing, while the next one's fit. */
  private dispatch(level: Level): void {
    if (level.waiting === 0) return;
    const now = this.now();
    level.sync(now);
    while (level.waiting > 0) {
      const q = level.nextInTurn();
      const head = q?.waiting[0];
      if (!q || !head || !level.fits(head.width)) return;
      q.waiting.shift();
      q.waitingSeats -= head.width;
      level.waiting--;
      level.waitingSeats -= head.width;
      level.robin = q.index;
      level.bound(q);
      head.start();
    }
  }

  /** Kubernetes' API Priority and Fairness metrics in Prometheus text: limits and demand, requests running and queued, dispatched and rejected. */
  metrics(): string {
    const label = (level: string) => `priority_level=${JSON.stringify(level)}`;
    const levels = [...this.levels];
    const gauge = (name: string, help: string, value: (l: Level) => number) => [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...levels.map(([n, l]) => `${name}{${label(n)}} ${value(l)}`)];
    const counter = (name: string, help: string, entries: string[]) => [`# HELP ${name} ${help}`, `# TYPE ${name} counter`, ...entries];
    const lines = [
      ...gauge('apiserver_flowcontrol_nominal_limit_seats', 'Nominal number of execution seats configured for each priority level', (l) => l.limits.nominal),
      ...gauge('apiserver_flowcontrol_request_concurrency_limit', 'Nominal number of execution seats configured for each priority level (the older name)', (l) => l.limits.nominal),
      ...gauge('apiserver_flowcontrol_lower_limit_seats', 'Configured lower bound on number of execution seats available to each priority level', (l) => l.limits.nominal - l.limits.lendable),
      ...gauge('apiserver_flowcontrol_upper_limit_seats', 'Configured upper bound on number of execution seats available to each priority level', (l) => l.limits.nominal + l.limits.borrowing),
      ...gauge('apiserver_flowcontrol_current_limit_seats', 'current derived number of execution seats available to each priority level', (l) => l.current),
      ...gauge('apiserver_flowcontrol_target_seats', 'Seat allocation targets', (l) => l.target),
      ...gauge('apiserver_flowcontrol_demand_seats_average', 'Time-weighted average, over last adjustment period, of demand_seats', (l) => l.demand.statistics.average),
      ...gauge('apiserver_flowcontrol_demand_seats_stdev', 'Time-weighted standard deviation, over last adjustment period, of demand_seats', (l) => l.demand.statistics.deviation),
      ...gauge('apiserver_flowcontrol_demand_seats_high_watermark', 'High watermark, over last adjustment period, of demand_seats', (l) => l.demand.statistics.highWatermark),
      ...gauge('apiserver_flowcontrol_demand_seats_smoothed', 'Smoothed seat demands', (l) => l.demand.statistics.smoothed),
      '# HELP apiserver_flowcontrol_seat_fair_frac Fair fraction of server\'s concurrency to allocate to each priority level that can use it',
      '# TYPE apiserver_flowcontrol_seat_fair_frac gauge',
      `apiserver_flowcontrol_seat_fair_frac ${this.fairProportion}`,
      ...gauge('apiserver_flowcontrol_current_r', 'R(time of last change)', (l) => l.r / 1000),
      ...gauge('apiserver_flowcontrol_current_executing_requests', 'Number of requests in initial (for a WATCH) or any (for a non-WATCH) execution stage in the API Priority and Fairness subsystem', (l) => l.executing),
      ...gauge('apiserver_flowcontrol_current_executing_seats', 'Concurrency (number of seats) occupied by the currently executing (initial stage for a WATCH, any stage otherwise) requests in the API Priority and Fairness subsystem', (l) => l.seatsInUse),
      ...gauge('apiserver_flowcontrol_current_inqueue_requests', 'Number of requests currently pending in queues of the API Priority and Fairness subsystem', (l) => l.waiting),
      ...counter('apiserver_flowcontrol_dispatched_requests_total', 'Number of requests executed by API Priority and Fairness subsystem', [...this.dispatched].map(([name, n]) => `apiserver_flowcontrol_dispatched_requests_total{${label(name)}} ${n}`)),
      ...counter(
        'apiserver_flowcontrol_rejected_requests_total',
        'Number of requests rejected by API Priority and Fairness subsystem',
        [...this.rejected].map(([key, n]) => {
          const [name, reason] = key.split('\0');
          return `apiserver_flowcontrol_rejected_requests_total{${label(name!)},reason=${JSON.stringify(reason)}} ${n}`;
        }),
      ),
    ];
    return `${lines.join('\n')}\n`;
  }

  /** Each level, its queues and its waiting requests, for /debug/api_priority_and_fairness/. */
  dump(): LevelDump[] {
    return [...this.levels].map(([name, l]) => {
      const count = l.limits.queuing?.queues ?? 0;
      // Every queue when there are few, as Kubernetes lists them; only the busy ones of a level of thousands.
      const indexes = count <= 1024 ? Array.from({ length: count }, (_, i) => i) : [...l.queues.keys()].sort((a, b) => a - b);
      const queues = indexes.map((index) => {
        const q = l.queues.get(index);
        const waiting = q?.waiting ?? [];
        return {
          index,
          executing: q?.executing ?? 0,
          seatsInUse: q?.seatsInUse ?? 0,
          nextDispatchR: q?.nextDispatchR ?? 0,
          initialSeatsSum: waiting.reduce((sum, w) => sum + w.cost.seats, 0),
          maxSeatsSum: waiting.reduce((sum, w) => sum + w.width, 0),
          totalWorkSum: waiting.reduce((sum, w) => sum + w.work, 0),
          requests: waiting.map((w) => ({ arrivedAt: w.arrivedAt, cost: w.cost, about: w.about })),
        };
      });
      return { name, activeQueues: queues.filter((q) => q.requests.length > 0).length, idle: l.idle(), quiescing: l.retired, waiting: l.waiting, executing: l.executing, queues };
    });
  }

  /** Requests running and waiting, the seats taken and the current limit, by level. */
  load(): Map<string, { executing: number; waiting: number; seats: number; limit: number }> {
    return new Map([...this.levels].map(([name, l]) => [name, { executing: l.executing, waiting: l.waiting, seats: l.seatsInUse, limit: l.current }]));
  }
}
