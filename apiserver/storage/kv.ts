// The key-value store the registry keeps objects in, as the registry needs it: MVCC reads at a
// revision, compare-and-swap writes, compaction, and resumable prefix watches that carry the
// previous value. EtcdStore is the real one; MemoryKV the same contract in one process, for
// tests of the apiserver that need no etcd.
import type { KeyValue, WatchEvent } from './etcd/api.js';

export interface StoredKV {
  key: string;
  value: Buffer;
  modRevision: number;
  createRevision: number;
  /** Read with an encryption key other than the current one: an update must rewrite it. */
  stale?: boolean;
}

export interface RangeResult {
  kvs: StoredKV[];
  /** The store's current revision (etcd's response header), whichever revision was read. */
  revision: number;
  /** More keys follow the `limit` returned. */
  more: boolean;
  /** Keys in the requested range, returned or not. */
  count: number;
}

export type WriteResult = { ok: true; revision: number } | { ok: false; current?: StoredKV };

export interface WriteOptions {
  /**
   * The store deletes the key on its own at least this many seconds after the write (an etcd
   * lease; Kubernetes keeps Events this way for --event-ttl). Each write sets its own: one
   * without a TTL keeps the key until it is deleted.
   */
  ttlSeconds?: number;
}

export interface WatchHandlers {
  /** Events in revision order, etcd-shaped (with the previous value on every event). */
  onEvents(events: WatchEvent[]): void;
  /** Every event up to `revision` has been delivered (progress notification). */
  onProgress?(revision: number): void;
  /** The stream is (again) established and the store has accepted the watch. */
  onConnected?(): void;
  /** The stream broke; it is being re-opened. */
  onDisconnected?(reason: string): void;
  /** The next revision was compacted: the watch cannot continue and has stopped. */
  onCompacted(compactRevision: number): void;
}

export interface KVWatch {
  stop(): void;
}

/**
 * Reads throw CompactedError for a revision compacted away and FutureRevisionError for one not
 * yet reached (both from ./etcd/errors.ts).
 */
export interface KVStore {
  /** Writes whose lost answer was resolved by reading back (metrics). */
  readonly resolvedWrites: number;
  get(key: string): Promise<StoredKV | undefined>;
  /** Every key under `prefix` (from `startKey` if given) at `revision` (0 = latest). */
  range(prefix: string, opts?: { revision?: number; limit?: number; startKey?: string }): Promise<RangeResult>;
  /** Key count and newest mod revision under a prefix, at one revision. */
  summary(prefix: string, revision?: number): Promise<{ count: number; maxModRevision: number; revision: number }>;
  currentRevision(): Promise<number>;
  /** One quick read for health checks. */
  ping(timeoutMs: number): Promise<void>;
  /** Succeeds only if the key is absent. */
  create(key: string, value: Buffer, opts?: WriteOptions): Promise<WriteResult>;
  /** Succeeds only if the key's mod revision is `expectedModRevision`. */
  update(key: string, value: Buffer, expectedModRevision: number, opts?: WriteOptions): Promise<WriteResult>;
  delete(key: string, expectedModRevision: number): Promise<WriteResult>;
  compact(revision: number): Promise<void>;
  /** Compare-and-swap on a plain key's version (agreeing on compaction across apiservers). */
  casVersion(key: string, expectedVersion: number, value: string): Promise<{ ok: boolean; version: number; value?: string }>;
  /** Every change under `prefix` from `startRevision` on, until stopped. */
  watchPrefix(prefix: string, startRevision: number, handlers: WatchHandlers, opts?: { progressNotify?: boolean }): KVWatch;
  close(): void;
}

export function toStoredKV(kv: KeyValue): StoredKV {
  return {
    key: kv.key.toString(),
    value: kv.value,
    modRevision: Number(kv.mod_revision),
    createRevision: Number(kv.create_revision),
  };
}

/** The end of the key range holding every key that starts with `prefix`. */
export function prefixEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}
