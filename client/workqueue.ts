// A work queue with the controller contract: a key waits at most once however often it is
// added; a key is never handed to two workers at once (one added while being processed is
// handed out again after done()); a key added after a delay waits once, for the soonest time
// asked (as client-go's delaying queue); failed keys come back after a per-key exponential
// delay (5 ms doubling to 1000 s) until forget(). Keys are handed out first in, first out, or
// by `priority` (highest first; first in, first out among equals), as kube-scheduler's active
// queue orders pods.

export interface WorkQueueOptions<K = string> {
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A queued key's priority, read when it is queued: higher ones are handed out first. */
  priority?: (key: K) => number;
}

/** A queued key, its priority when queued and its place in line among equals. */
interface Queued<K> {
  key: K;
  priority: number;
  seq: number;
}

const ahead = <K>(a: Queued<K>, b: Queued<K>) => a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq);

function swap<T>(q: T[], i: number, j: number): void {
  const t = q[i]!;
  q[i] = q[j]!;
  q[j] = t;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export class WorkQueue<K = string> {
  /** A binary heap: every entry is ahead of its children. */
  private readonly queue: Array<Queued<K>> = [];
  private seq = 0;
  private readonly priority?: (key: K) => number;
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly failures = new Map<K, number>();
  /** Keys waiting to be added, with their timer and when it fires. */
  private readonly waiting = new Map<K, { timer: NodeJS.Timeout; at: number }>();
  private waiters: Array<(k: K | undefined) => void> = [];
  private dispatching = false;
  private shuttingDown = false;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(opts: WorkQueueOptions<K> = {}) {
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 1_000_000;
    this.priority = opts.priority;
  }

  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // handed out again by done()
    this.push({ key, priority: this.priority?.(key) ?? 0, seq: this.seq++ });
    this.dispatch();
  }

  /**
   * Hands queued keys to waiting workers on the next turn of the event loop: keys added
   * together (an event that releases many pods) are then handed out in priority order, not in
   * the order they were added.
   */
  private dispatch(): void {
    if (this.dispatching || this.waiters.length === 0) return;
    this.dispatching = true;
    setImmediate(() => {
      this.dispatching = false;
      while (this.waiters.length > 0 && this.queue.length > 0 && !this.shuttingDown) {
        const key = this.pop()!;
        this.dirty.delete(key);
        this.processing.add(key);
        this.waiters.shift()!(key);
      }
    });
  }

  private push(entry: Queued<K>): void {
    const q = this.queue;
    let i = q.push(entry) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!ahead(q[i]!, q[parent]!)) break;
      swap(q, i, parent);
      i = parent;
    }
  }

  private pop(): K | undefined {
    const q = this.queue;
    const top = q[0];
    const last = q.pop();
    if (top === undefined || last === undefined) return undefined;
    if (q.length > 0) {
      q[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let first = i;
        if (l < q.length && ahead(q[l]!, q[first]!)) first = l;
        if (r < q.length && ahead(q[r]!, q[first]!)) first = r;
        if (first === i) break;
        swap(q, i, first);
        i = first;
      }
    }
    return top.key;
  }

  addAfter(key: K, delayMs: number): void {
    if (this.shuttingDown) return;
    if (!(delayMs > 0)) return this.add(key);
    // Node's timers overflow past 2^31-1 ms (and would fire at once): wait at most that long,
    // the caller's reconcile then asks again.
    const wait = Math.min(delayMs, MAX_TIMER_MS);
    const at = Date.now() + wait;
    // Already waiting to come back as soon or sooner: nothing to do (a controller that requeues
    // on every event would otherwise pile up a timer per event).
    const pending = this.waiting.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, wait);
    this.waiting.set(key, { timer, at });
  }

  /** Re-adds a key that failed, after its own exponential back-off. */
  addRateLimited(key: K): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.addAfter(key, Math.min(this.baseDelayMs * 2 ** n, this.maxDelayMs));
  }

  /** Clears a key's failure history (call after it was processed successfully). */
  forget(key: K): void {
    this.failures.delete(key);
  }

  retries(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  /**
   * The next key to process, or undefined once the queue is shut down. A queued key is handed
   * over on the next turn of the event loop, never as an already-resolved promise: a worker
   * that loops over a full queue with little or no I/O of its own (the scheduler's burst)
   * would otherwise run on microtasks alone, and no socket, timer or signal would be served
   * (binds not sent, watch events not read, the leader Lease not renewed, SIGTERM ignored)
   * until the queue ran dry. Once the queue is shut down it hands out nothing more, whatever
   * is still queued: a stopping component stops now, not after its backlog.
   */
  get(): Promise<K | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.pop();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return new Promise((resolve) => setImmediate(resolve, key));
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks a key finished; if it was added meanwhile, it is queued again. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  get length(): number {
    return this.queue.length;
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
    for (const w of this.waiters) w(undefined);
    this.waiters = [];
  }
}
