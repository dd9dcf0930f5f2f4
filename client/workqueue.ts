// A work queue with the controller contract: a key waits at most once however often it is
// added; a key is never handed to two workers at once (one added while being processed is
// handed out again after done()); a key added after a delay waits once, for the soonest time
// asked (as client-go's delaying queue); failed keys come back after a per-key exponential
// delay (5 ms doubling to 1000 s) until forget().

export interface WorkQueueOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export class WorkQueue<K = string> {
  private readonly queue: K[] = [];
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly failures = new Map<K, number>();
  /** Keys waiting to be added, with their timer and when it fires. */
  private readonly waiting = new Map<K, { timer: NodeJS.Timeout; at: number }>();
  private waiters: Array<(k: K | undefined) => void> = [];
  private shuttingDown = false;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(opts: WorkQueueOptions = {}) {
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 1_000_000;
  }

  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // handed out again by done()
    const waiter = this.waiters.shift();
    if (waiter) {
      this.dirty.delete(key);
      this.processing.add(key);
      waiter(key);
    } else this.queue.push(key);
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
    const key = this.queue.shift();
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
