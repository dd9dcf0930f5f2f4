// The watch cache of one resource: a single etcd watch keeps an in-memory copy of every
// object and a bounded history of recent events. It serves LISTs at resourceVersion=0 and
// newer, and fans each event out to every HTTP watcher. Watches that start before the
// history window are served straight from etcd's own history while etcd still has it.
// A cache that holds 'history' keeps no objects, only that window (Events: see CacheHolding).
//
// The etcd watch resumes by itself after connection loss. Until the cache has caught up
// again it reports itself not fresh (so /readyz fails): after each reconnect it compares
// itself with etcd (key count and newest mod_revision at one revision) every 100 ms.
import type { Logger } from 'pino';
import type { WatchEvent } from './etcd/api.js';
import { CachedObject, type CacheEvent } from './cached-object.js';
import { DecryptError } from './encryption/providers.js';
import { toStoredKV, type KVStore, type KVWatch, type StoredKV } from './kv.js';

/** loading: first list; synced: up to date; catching-up: reconnected, replaying; disconnected: no stream. */
export type CacheState = 'loading' | 'synced' | 'catching-up' | 'disconnected';

const FRESHNESS_CHECK_MS = 100;

export type CacheListener = (event: CacheEvent) => void;

/**
 * What a watch cache holds of its resource's objects: each one parsed and serialized
 * ('parsed': resources the apiserver reads on many requests' paths, e.g. RBAC), each one's
 * bytes alone, parsed again when read ('bytes': resources whose numbers grow with the
 * cluster), or none ('history': only the recent events its single etcd watch fans out to
 * watchers; lists and reads go to etcd). Kubernetes keeps Events out of its watch cache, as
 * they would hold more memory than everything else together; their watchers still share one
 * etcd watch here.
 */
export type CacheHolding = 'parsed' | 'bytes' | 'history';

export interface Subscription {
  /** Called when the stream cannot continue (e.g. history compacted); the watcher must end. */
  onClose(handler: (reason: 'expired' | 'reset', message?: string) => void): void;
  cancel(): void;
}

interface Subscriber {
  listener: CacheListener;
  close: (reason: 'expired' | 'reset', message?: string) => void;
}

export class TooOldError extends Error {
  constructor(
    readonly requested: number,
    readonly oldest: number,
  ) {
    super(`too old resource version: ${requested} (${oldest})`);
  }
}

/** What etcd held under the cache's prefix at one revision (KVStore.summary). */
export interface PrefixSummary {
  count: number;
  maxModRevision: number;
  revision: number;
}

/** Every object of the cache in key order at one revision; shared, never changed. */
export interface CacheSnapshot {
  revision: number;
  items: readonly CachedObject[];
}

/** Snapshots kept for paged lists (continue tokens), and for how long after their last use. */
const KEPT_SNAPSHOTS = 8;
const SNAPSHOT_TTL_MS = 90_000;
/** Own writes waiting for their events, at most (a cache that stopped receiving events drops them). */
const MAX_ADOPTED = 10_000;

const byKey = (a: CachedObject, b: CachedObject) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

export class WatchCache {
  readonly objects = new Map<string, CachedObject>();
  /** The objects in key order as of now, built on demand and dropped by the next change. */
  private sorted?: CachedObject[];
  /** Snapshots that paged lists continue from, by the revision their continue tokens carry. */
  private pagedSnapshots = new Map<number, { snapshot: CacheSnapshot; usedAt: number }>();
  private history: CacheEvent[] = [];
  /** Objects this server wrote whose etcd events have not arrived yet: used instead of parsing them. */
  private adopted = new Map<string, CachedObject>();
  /** Writes sent to etcd and not yet answered, by key (see expectWrite). */
  private expected = new Map<string, { value: Buffer; make: (rev: number) => CachedObject }>();
  private historyStart = 0; // events with rev > historyStart are all in `history`
  private subscribers = new Set<Subscriber>();
  private watcher?: KVWatch;
  private waiters: Array<{ test: () => boolean; resolve: () => void }> = [];
  private stopped = false;
  private freshnessTimer?: NodeJS.Timeout;
  revision = 0;
  state: CacheState = 'loading';
  /** When the cache last stopped being synced (ms since epoch), for readiness reporting. */
  staleSince = Date.now();
  ready: Promise<void>;

  constructor(
    private readonly store: KVStore,
    /** The key prefix of this resource, ending in '/'. */
    readonly prefix: string,
    private readonly capacity: number,
    private readonly log: Logger,
    readonly holding: CacheHolding = 'parsed',
  ) {
    this.retainParsed = holding === 'parsed';
    this.ready = this.startWhenReachable();
  }

  /** Keep each object parsed as well as serialized; otherwise only its bytes (see CachedObject.obj). */
  private readonly retainParsed: boolean;

  /** False for a cache of history only: `objects` stays empty, lists and reads go to etcd. */
  get holdsObjects(): boolean {
    return this.holding !== 'history';
  }

  /** etcd may come up after the apiserver (compose, restarts): keep trying, loudly. */
  private async startWhenReachable(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (this.stopped) return;
      try {
        await this.start();
        return;
      } catch (err) {
        // Stored data this configuration cannot decrypt will not become readable by waiting.
        if (err instanceof DecryptError) throw err;
        this.log.debug({ err: (err as Error).message, prefix: this.prefix, attempt }, 'cannot load the watch cache from etcd yet; retrying');
        await new Promise((r) => setTimeout(r, Math.min(200 * attempt, 2000)));
      }
    }
  }

  private async start(): Promise<void> {
    if (!this.holdsObjects) {
      // Nothing to load: events from etcd's current revision on.
      const revision = await this.store.currentRevision();
      this.revision = revision;
      this.historyStart = revision;
      this.history = [];
      this.adopted.clear();
      this.expected.clear();
      this.watchFrom(revision + 1);
      this.setState('synced');
      return;
    }
    const { kvs, revision } = await this.loadAll();
    this.objects.clear();
    this.sorted = undefined;
    this.pagedSnapshots.clear();
    this.adopted.clear();
    this.expected.clear();
    for (const kv of kvs) this.objects.set(kv.key, CachedObject.fromKV(kv).compact(this.retainParsed));
    this.revision = revision;
    this.historyStart = revision;
    this.history = [];
    this.watchFrom(revision + 1);
    // The list was a consistent read at `revision` and the watch continues right after it.
    this.setState('synced');
  }

  private async loadAll() {
    // A single range read; etcd returns it consistently at one revision.
    return this.store.range(this.prefix);
  }

  private setState(state: CacheState): void {
    if (state !== 'synced' && this.state === 'synced') this.staleSince = Date.now();
    this.state = state;
  }

  private watchFrom(startRevision: number): void {
    this.watcher = this.store.watchPrefix(
      this.prefix,
      startRevision,
      {
        onEvents: (events) => this.applyEvents(events),
        onProgress: (rev) => {
          if (rev > this.revision) this.advance(rev);
        },
        onDisconnected: (reason) => {
          this.log.warn({ prefix: this.prefix, reason }, 'watch cache lost its etcd watch; resuming');
          this.setState('disconnected');
        },
        onConnected: () => {
          if (this.state === 'synced') return;
          // Without objects there is nothing to be stale: the watch resumed where it stopped.
          if (!this.holdsObjects) return this.setState('synced');
          this.setState('catching-up');
          this.checkFreshness();
        },
        onCompacted: (compactRevision) => {
          // The revision we need is gone from etcd's history: rebuild from a fresh list.
          this.log.warn({ prefix: this.prefix, compactRevision }, 'watch cache fell behind a compaction; relisting');
          void this.reset();
        },
      },
      { progressNotify: true },
    );
  }

  private applyEvents(events: WatchEvent[]): void {
    for (const ev of events) {
      const rev = Number(ev.kv.mod_revision);
      const kv = toStoredKV(ev.kv);
      // A cache without objects learns an event's previous state from etcd (every event carries it).
      const prev = this.holdsObjects ? this.objects.get(kv.key) : ev.prev_kv ? CachedObject.fromKV(toStoredKV(ev.prev_kv)).compact(false) : undefined;
      if (ev.type === 'PUT') this.applyPut(this.ownWrite(kv.key, rev) ?? this.expectedWrite(kv, rev) ?? CachedObject.fromKV(kv).compact(this.retainParsed), rev, prev);
      else this.applyDelete(kv.key, rev, prev);
    }
    if (events.length > 0) this.advance(Math.max(this.revision, Number(events[events.length - 1]!.kv.mod_revision)));
  }

  /**
   * Takes an object this server has just written, so that when etcd's event for that write
   * arrives the cache uses it instead of parsing the event's value (the same bytes).
   */
  adopt(o: CachedObject): void {
    if (o.rev <= this.revision || this.state === 'loading') return;
    if (this.adopted.size >= MAX_ADOPTED) this.adopted.clear(); // events stopped coming: do not grow
    this.adopted.set(o.key, o);
  }

  /**
   * A write this server is about to send: etcd's event for it usually arrives before the
   * write's own answer (measured: nearly every create), too early for adopt(). An event whose
   * value is these very bytes is this object, whoever wrote them, so the cache builds it with
   * `make` instead of parsing the value.
   */
  expectWrite(key: string, value: Buffer, make: (rev: number) => CachedObject): void {
    if (this.state === 'loading') return;
    if (this.expected.size >= MAX_ADOPTED) this.expected.clear(); // answers stopped coming: do not grow
    this.expected.set(key, { value, make });
  }

  /** The write of `value` to `key` was answered (or failed): its event, if any, has been seen or will be adopted. */
  writeAnswered(key: string, value: Buffer): void {
    if (this.expected.get(key)?.value === value) this.expected.delete(key);
  }

  private expectedWrite(kv: StoredKV, rev: number): CachedObject | undefined {
    const e = this.expected.get(kv.key);
    if (!e || !e.value.equals(kv.value)) return undefined;
    this.expected.delete(kv.key);
    // A twin: the writer answers with the object `make` gives, which the cache's compaction must not touch.
    return e.make(rev).twin().compact(this.retainParsed);
  }

  private ownWrite(key: string, rev: number): CachedObject | undefined {
    const own = this.adopted.get(key);
    if (!own) return undefined;
    if (own.rev <= rev) this.adopted.delete(key);
    return own.rev === rev ? own.compact(this.retainParsed) : undefined;
  }

  /**
   * After a reconnect: synced once the cache has seen an event at or past etcd's current
   * revision, or holds as many keys as etcd with the newest of them (a quiet resource).
   */
  private checkFreshness(): void {
    clearTimeout(this.freshnessTimer);
    if (this.stopped || this.state !== 'catching-up') return;
    void this.store
      .summary(this.prefix)
      .then(({ count, maxModRevision, revision }) => {
        if (this.state !== 'catching-up') return;
        if (this.revision >= revision || (this.revision >= maxModRevision && this.objects.size === count)) {
          this.setState('synced');
          this.log.info({ prefix: this.prefix, staleMs: Date.now() - this.staleSince }, 'watch cache caught up with etcd');
        }
      })
      .catch(() => undefined)
      .finally(() => {
        if (this.state === 'catching-up') this.freshnessTimer = setTimeout(() => this.checkFreshness(), FRESHNESS_CHECK_MS);
      });
  }

  private async reset(): Promise<void> {
    if (this.stopped) return;
    this.watcher?.stop();
    this.watcher = undefined;
    this.setState('loading');
    for (const s of this.subscribers) s.close('reset', 'the watch cache was re-initialized');
    this.subscribers.clear();
    this.ready = this.startWhenReachable();
    await this.ready;
  }

  private applyPut(obj: CachedObject, rev: number, prev: CachedObject | undefined): void {
    if (this.holdsObjects) {
      this.objects.set(obj.key, obj);
      this.sorted = undefined;
    }
    this.emit({ type: prev ? 'MODIFIED' : 'ADDED', rev, object: obj, prev });
  }

  private applyDelete(key: string, rev: number, prev: CachedObject | undefined): void {
    if (!prev) return;
    if (this.holdsObjects) {
      this.objects.delete(key);
      this.sorted = undefined;
    }
    this.emit({ type: 'DELETED', rev, object: prev.atRevision(rev), prev });
  }

  private emit(event: CacheEvent): void {
    this.history.push(event);
    if (this.history.length > this.capacity) {
      const dropped = this.history.splice(0, this.history.length - this.capacity);
      this.historyStart = dropped[dropped.length - 1]!.rev;
    }
    for (const s of this.subscribers) {
      try {
        s.listener(event);
      } catch (err) {
        this.log.error({ err }, 'watch listener failed');
      }
    }
  }

  private advance(rev: number): void {
    this.revision = rev;
    if (this.waiters.length === 0) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.test()) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  /** Resolves true once `test` holds (checked now and after every change), false on timeout. */
  private async until(test: () => boolean, timeoutMs: number): Promise<boolean> {
    await this.ready;
    if (test()) return true;
    return new Promise<boolean>((resolve) => {
      const waiter = { test, resolve: () => (clearTimeout(timer), resolve(true)) };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Resolves true once the cache reflects `rev`, false on timeout. */
  waitFor(rev: number, timeoutMs: number): Promise<boolean> {
    return this.until(() => this.revision >= rev, timeoutMs);
  }

  /**
   * Resolves true once the cache holds exactly what etcd held under its prefix at
   * `at.revision` (false on timeout): it has seen that revision, or — when the newest writes
   * were to other resources — every write to this prefix up to its newest key and the same
   * number of keys (only deletions can follow the newest key, and each changes the count).
   */
  reflects(at: PrefixSummary, timeoutMs: number): Promise<boolean> {
    return this.until(() => this.revision >= at.revision || (this.revision >= at.maxModRevision && this.objects.size === at.count), timeoutMs);
  }

  /** Every object in key order as of the cache's revision (or `revision`, a later one it reflects). */
  snapshot(revision = this.revision): CacheSnapshot {
    if (!this.holdsObjects) throw new Error(`the watch cache of ${this.prefix} holds no objects`);
    this.sorted ??= [...this.objects.values()].sort(byKey);
    return { revision: Math.max(revision, this.revision), items: this.sorted };
  }

  /** Keeps `snapshot` for the pages that follow the first one. */
  keepForPaging(snapshot: CacheSnapshot): void {
    const now = Date.now();
    for (const [rev, kept] of this.pagedSnapshots) if (now - kept.usedAt > SNAPSHOT_TTL_MS) this.pagedSnapshots.delete(rev);
    this.pagedSnapshots.delete(snapshot.revision);
    this.pagedSnapshots.set(snapshot.revision, { snapshot, usedAt: now });
    if (this.pagedSnapshots.size > KEPT_SNAPSHOTS) this.pagedSnapshots.delete(this.pagedSnapshots.keys().next().value!);
  }

  /** The snapshot a continue token at `revision` was cut from, while it is kept. */
  pagedSnapshot(revision: number): CacheSnapshot | undefined {
    const kept = this.pagedSnapshots.get(revision);
    if (!kept || Date.now() - kept.usedAt > SNAPSHOT_TTL_MS) return undefined;
    kept.usedAt = Date.now();
    return kept.snapshot;
  }

  /** Objects under `keyPrefix` in key order. */
  list(keyPrefix: string = this.prefix): CachedObject[] {
    const { items } = this.snapshot();
    const { start, end } = prefixSpan(items, keyPrefix);
    return items.slice(start, end);
  }

  get oldestServable(): number {
    return this.historyStart;
  }

  /**
   * Delivers every event after `fromRev` (replayed from history, then live).
   * Throws TooOldError when the history no longer reaches back to `fromRev`.
   */
  subscribe(fromRev: number, listener: CacheListener): Subscription {
    if (fromRev < this.historyStart) throw new TooOldError(fromRev, this.historyStart);
    let closeHandler: (reason: 'expired' | 'reset', message?: string) => void = () => undefined;
    // A cache still behind `fromRev` (a write it has not seen yet) must not hand the watcher
    // events the client already has: only those after `fromRev`, replayed or live.
    const after = (ev: CacheEvent) => {
      if (ev.rev > fromRev) listener(ev);
    };
    const sub: Subscriber = { listener: after, close: (r, m) => closeHandler(r, m) };
    for (const ev of this.history) after(ev);
    this.subscribers.add(sub);
    return {
      onClose: (h) => (closeHandler = h),
      cancel: () => this.subscribers.delete(sub),
    };
  }

  /**
   * A watch served from etcd's history instead of the cache, for resourceVersions older than
   * the cache's window (e.g. right after an apiserver restart). Events are shaped exactly like
   * the cache's own.
   */
  async subscribeFromEtcd(fromRev: number, listener: CacheListener): Promise<Subscription> {
    let closeHandler: (reason: 'expired' | 'reset', message?: string) => void = () => undefined;
    const known = new Map<string, CachedObject>();
    // etcd reports a compacted start revision only once the watch is open; ask first, so the
    // client gets its 410 before any event. A range read at that revision throws CompactedError.
    await this.store.range(this.prefix, { revision: fromRev + 1, limit: 1 });
    const watch = this.store.watchPrefix(this.prefix, fromRev + 1, {
      onEvents: (events) => {
        for (const ev of events) {
          const rev = Number(ev.kv.mod_revision);
          const key = ev.kv.key.toString();
          const prevKV = ev.prev_kv ? toStoredKV(ev.prev_kv) : undefined;
          const prev = known.get(key) ?? (prevKV ? CachedObject.fromKV(prevKV) : undefined);
          if (ev.type === 'PUT') {
            const obj = CachedObject.fromKV(toStoredKV(ev.kv));
            known.set(key, obj);
            listener({ type: prev ? 'MODIFIED' : 'ADDED', rev, object: obj, prev });
          } else if (prev) {
            known.delete(key);
            listener({ type: 'DELETED', rev, object: prev.atRevision(rev), prev });
          }
        }
      },
      // The history it replays is gone: the client must start over.
      onCompacted: (compactRevision) => closeHandler('expired', `too old resource version: ${fromRev} (${compactRevision})`),
    });
    return {
      onClose: (h) => (closeHandler = h),
      cancel: () => watch.stop(),
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.freshnessTimer);
    for (const s of this.subscribers) s.close('reset');
    this.subscribers.clear();
    this.watcher?.stop();
  }
}

/** Where the objects whose keys start with `prefix` lie in a key-ordered array: [start, end). */
export function prefixSpan(items: readonly CachedObject[], prefix: string): { start: number; end: number } {
  // The smallest string after every key under the prefix: its last character, one higher.
  const after = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  return { start: lowerBound(items, prefix), end: lowerBound(items, after) };
}

/** The index of the first object whose key is >= `key` in a key-ordered array. */
export function lowerBound(items: readonly CachedObject[], key: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (items[mid]!.key < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
