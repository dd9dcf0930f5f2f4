// The KVStore contract in one process: a multi-version map with one revision counter, as etcd
// keeps it (every write makes a new revision; reads at an older revision see the state then,
// until it is compacted), and prefix watches fed from the same log. For apiserver tests that
// need no etcd; it keeps everything in memory and is not durable.
import type { KeyValue, WatchEvent } from './etcd/api.js';
import { CompactedError, FutureRevisionError } from './etcd/errors.js';
import { toStoredKV, type KVStore, type KVWatch, type RangeResult, type StoredKV, type WatchHandlers, type WriteOptions, type WriteResult } from './kv.js';

interface Version {
  value: Buffer;
  createRevision: number;
  modRevision: number;
  version: number;
}

interface LogEntry {
  revision: number;
  event: WatchEvent;
}

interface Watcher {
  prefix: string;
  handlers: WatchHandlers;
  /** The next revision it wants. */
  next: number;
  stopped: boolean;
}

const keyValue = (key: string, v: Version): KeyValue => ({ key: Buffer.from(key), value: v.value, create_revision: v.createRevision, mod_revision: v.modRevision, version: v.version });

export class MemoryKV implements KVStore {
  readonly resolvedWrites = 0;
  private revision = 1;
  private compacted = 0;
  /** The live keys. */
  private readonly current = new Map<string, Version>();
  /** Every change since the compaction revision, in order. */
  private log: LogEntry[] = [];
  private readonly watchers = new Set<Watcher>();
  private delivering = false;
  /** Keys written with a TTL: when each goes (etcd deletes a lease's keys when it expires). */
  private readonly expiries = new Map<string, NodeJS.Timeout>();

  async get(key: string): Promise<StoredKV | undefined> {
    const v = this.current.get(key);
    return v ? toStoredKV(keyValue(key, v)) : undefined;
  }

  /** The keys under `prefix` as they were at `revision`. */
  private stateAt(prefix: string, revision: number): Map<string, Version> {
    if (revision >= this.revision) return new Map([...this.current].filter(([k]) => k.startsWith(prefix)));
    if (revision < this.compacted) throw new CompactedError(this.compacted);
    // Undo, newest first, every change made after `revision`.
    const state = new Map([...this.current].filter(([k]) => k.startsWith(prefix)));
    for (let i = this.log.length - 1; i >= 0 && this.log[i]!.revision > revision; i--) {
      const { event } = this.log[i]!;
      const key = event.kv.key.toString();
      if (!key.startsWith(prefix)) continue;
      const prev = event.prev_kv;
      if (prev) state.set(key, { value: prev.value, createRevision: prev.create_revision, modRevision: prev.mod_revision, version: prev.version });
      else state.delete(key);
    }
    return state;
  }

  async range(prefix: string, opts: { revision?: number; limit?: number; startKey?: string } = {}): Promise<RangeResult> {
    const at = opts.revision || this.revision;
    if (at > this.revision) throw new FutureRevisionError(this.revision);
    const from = opts.startKey ?? prefix;
    const keys = [...this.stateAt(prefix, at)].filter(([k]) => k >= from).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const limit = opts.limit || keys.length;
    // As etcd's response header: the store's current revision, whichever revision was read.
    return { kvs: keys.slice(0, limit).map(([k, v]) => toStoredKV(keyValue(k, v))), revision: this.revision, more: keys.length > limit, count: keys.length };
  }

  async summary(prefix: string, revision = 0): Promise<{ count: number; maxModRevision: number; revision: number }> {
    const at = revision || this.revision;
    const state = [...this.stateAt(prefix, at).values()];
    return { count: state.length, maxModRevision: Math.max(0, ...state.map((v) => v.modRevision)), revision: at };
  }

  async currentRevision(): Promise<number> {
    return this.revision;
  }

  async ping(): Promise<void> {}

  private write(key: string, value: Buffer | undefined): number {
    const revision = ++this.revision;
    const prev = this.current.get(key);
    let event: WatchEvent;
    if (value) {
      const next: Version = { value, createRevision: prev?.createRevision ?? revision, modRevision: revision, version: (prev?.version ?? 0) + 1 };
      this.current.set(key, next);
      event = { type: 'PUT', kv: keyValue(key, next), prev_kv: prev ? keyValue(key, prev) : null };
    } else {
      this.current.delete(key);
      event = { type: 'DELETE', kv: { key: Buffer.from(key), value: Buffer.alloc(0), create_revision: 0, mod_revision: revision, version: 0 }, prev_kv: prev ? keyValue(key, prev) : null };
    }
    this.log.push({ revision, event });
    this.deliverSoon();
    return revision;
  }

  private cas(key: string, expectedModRevision: number | 'absent', value: Buffer | undefined, ttlSeconds?: number): WriteResult {
    const cur = this.current.get(key);
    const ok = expectedModRevision === 'absent' ? !cur : cur?.modRevision === expectedModRevision;
    if (!ok) return { ok: false, current: cur ? toStoredKV(keyValue(key, cur)) : undefined };
    // Each write decides the key's TTL anew, as attaching (or not) a lease does in etcd.
    clearTimeout(this.expiries.get(key));
    this.expiries.delete(key);
    if (value && ttlSeconds) {
      const timer = setTimeout(() => {
        this.expiries.delete(key);
        if (this.current.has(key)) this.write(key, undefined);
      }, ttlSeconds * 1000);
      timer.unref();
      this.expiries.set(key, timer);
    }
    return { ok: true, revision: this.write(key, value) };
  }

  async create(key: string, value: Buffer, opts?: WriteOptions): Promise<WriteResult> {
    return this.cas(key, 'absent', value, opts?.ttlSeconds);
  }

  async update(key: string, value: Buffer, expectedModRevision: number, opts?: WriteOptions): Promise<WriteResult> {
    return this.cas(key, expectedModRevision, value, opts?.ttlSeconds);
  }

  async delete(key: string, expectedModRevision: number): Promise<WriteResult> {
    return this.cas(key, expectedModRevision, undefined);
  }

  async compact(revision: number): Promise<void> {
    if (revision > this.revision) throw new FutureRevisionError(this.revision);
    if (revision <= this.compacted) return; // already compacted: as EtcdStore, no error
    this.compacted = revision;
    this.log = this.log.filter((e) => e.revision > revision);
    for (const w of this.watchers) {
      if (w.stopped || w.next > revision) continue;
      w.stopped = true;
      this.watchers.delete(w);
      w.handlers.onCompacted(revision);
    }
  }

  async casVersion(key: string, expectedVersion: number, value: string): Promise<{ ok: boolean; version: number; value?: string }> {
    const cur = this.current.get(key);
    if ((cur?.version ?? 0) !== expectedVersion) return { ok: false, version: cur?.version ?? 0, value: cur?.value.toString() };
    this.write(key, Buffer.from(value));
    return { ok: true, version: expectedVersion + 1 };
  }

  watchPrefix(prefix: string, startRevision: number, handlers: WatchHandlers): KVWatch {
    const w: Watcher = { prefix, handlers, next: Math.max(startRevision, 1), stopped: false };
    this.watchers.add(w);
    queueMicrotask(() => {
      if (w.stopped) return;
      if (w.next <= this.compacted) {
        w.stopped = true;
        this.watchers.delete(w);
        handlers.onCompacted(this.compacted);
        return;
      }
      handlers.onConnected?.();
      this.deliverSoon();
    });
    return {
      stop: () => {
        w.stopped = true;
        this.watchers.delete(w);
      },
    };
  }

  /** The index of the first log entry at or after `revision` (the log is in revision order). */
  private firstIndexFrom(revision: number): number {
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.log[mid]!.revision < revision) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Events reach watchers after the write returns, in order, as from etcd's stream. */
  private deliverSoon(): void {
    if (this.delivering) return;
    this.delivering = true;
    queueMicrotask(() => {
      this.delivering = false;
      for (const w of [...this.watchers]) {
        if (w.stopped || w.next > this.revision) continue;
        const events: WatchEvent[] = [];
        for (let i = this.firstIndexFrom(w.next); i < this.log.length; i++) {
          const { event } = this.log[i]!;
          if (event.kv.key.toString().startsWith(w.prefix)) events.push(event);
        }
        w.next = this.revision + 1;
        if (events.length) w.handlers.onEvents(events);
        if (!w.stopped) w.handlers.onProgress?.(this.revision);
      }
    });
  }

  close(): void {
    for (const timer of this.expiries.values()) clearTimeout(timer);
    this.expiries.clear();
    for (const w of this.watchers) w.stopped = true;
    this.watchers.clear();
  }
}
