// The etcd side of storage: every read and write the apiserver makes, with optimistic
// concurrency expressed as etcd transactions (create iff absent, update/delete iff the
// mod_revision is the one the caller read). Values are plain JSON, readable with etcdctl.
//
// A write whose answer was lost is never simply sent again. It is retried only as the same
// compare-and-swap, which can apply at most once, and when that compare then fails the store
// looks at what happened to the key: if the first change after the revision we compared
// against is our own write, our earlier attempt committed and the write succeeded. So a lost
// answer never turns into a false AlreadyExists, Conflict or NotFound, nor a double update.
import type { Logger } from 'pino';
import type { RangeRequest, RangeResponse, TxnRequest, WatchEvent } from './etcd/api.js';
import { EtcdClient, type EtcdTLS } from './etcd/client.js';
import { CompactedError, FutureRevisionError, OutcomeUnknownError } from './etcd/errors.js';
import { LeaseManager } from './etcd/leases.js';
import { EtcdWatch } from './etcd/watch.js';
import { prefixEnd, toStoredKV, type KVStore, type RangeResult, type StoredKV, type WatchHandlers, type WriteOptions, type WriteResult } from './kv.js';

export { CompactedError, FutureRevisionError };

export interface EtcdStoreOptions {
  tls?: EtcdTLS;
  callTimeoutMs?: number;
  retryWindowMs?: number;
  log?: Logger;
}

/** What a compare-and-swap compared against: the key's absence, or its mod_revision. */
type Expectation = { absent: true } | { modRevision: number };

export class EtcdStore implements KVStore {
  readonly client: EtcdClient;
  /** Lost answers resolved by reading back (for metrics and tests). */
  resolvedWrites = 0;
  private readonly leases: LeaseManager;

  constructor(endpoints: string[], opts: EtcdStoreOptions = {}) {
    this.client = new EtcdClient({ endpoints, ...opts });
    this.leases = LeaseManager.over(this.client);
  }

  private async rangeRequest(req: RangeRequest): Promise<RangeResponse> {
    try {
      return (await this.client.call('Range', req, { retryAmbiguous: true })).res;
    } catch (err) {
      if (err instanceof FutureRevisionError) throw new FutureRevisionError(await this.currentRevision());
      throw err;
    }
  }

  async get(key: string): Promise<StoredKV | undefined> {
    const res = await this.rangeRequest({ key: Buffer.from(key) });
    return res.kvs[0] ? toStoredKV(res.kvs[0]) : undefined;
  }

  /** Reads every key under `prefix` (from `startKey` if given) at `revision` (0 = latest). */
  async range(prefix: string, opts: { revision?: number; limit?: number; startKey?: string } = {}): Promise<RangeResult> {
    const res = await this.rangeRequest({
      key: Buffer.from(opts.startKey ?? prefix),
      range_end: prefixEnd(prefix),
      revision: opts.revision ?? 0,
      limit: opts.limit ?? 0,
    });
    return { kvs: res.kvs.map(toStoredKV), revision: Number(res.header.revision), more: res.more, count: Number(res.count) };
  }

  /** Counts keys under a prefix, and the newest mod_revision among them, at one revision. */
  async summary(prefix: string, revision = 0): Promise<{ count: number; maxModRevision: number; revision: number }> {
    const counted = await this.rangeRequest({ key: Buffer.from(prefix), range_end: prefixEnd(prefix), count_only: true, revision });
    const rev = Number(counted.header.revision);
    const newest = await this.rangeRequest({
      key: Buffer.from(prefix),
      range_end: prefixEnd(prefix),
      keys_only: true,
      limit: 1,
      sort_target: 'MOD',
      sort_order: 'DESCEND',
      revision: revision || rev,
    });
    return { count: Number(counted.count), maxModRevision: newest.kvs[0] ? Number(newest.kvs[0].mod_revision) : 0, revision: revision || rev };
  }

  async currentRevision(): Promise<number> {
    const res = (await this.client.call('Range', { key: Buffer.from('\0'), limit: 1, keys_only: true }, { retryAmbiguous: true })).res;
    return Number(res.header.revision);
  }

  /** A quick quorum read for health checks: one attempt, short deadline, no retries. */
  async ping(timeoutMs: number): Promise<void> {
    await this.client.call('Range', { key: Buffer.from('health'), limit: 1, keys_only: true }, { retryAmbiguous: true, deadline: Date.now() + timeoutMs });
  }

  private compareFor(key: Buffer, expect: Expectation): TxnRequest['compare'][number] {
    return 'absent' in expect
      ? { key, target: 'CREATE', result: 'EQUAL', create_revision: 0 }
      : { key, target: 'MOD', result: 'EQUAL', mod_revision: expect.modRevision };
  }

  /** One compare-and-swap; a lost answer is resolved by reading, never by writing again blindly. */
  private async cas(key: string, expect: Expectation, write: 'put' | 'delete', value?: Buffer, opts?: WriteOptions): Promise<WriteResult> {
    const k = Buffer.from(key);
    const lease = write === 'put' && opts?.ttlSeconds ? await this.leases.leaseFor(opts.ttlSeconds) : undefined;
    const txn: TxnRequest = {
      compare: [this.compareFor(k, expect)],
      success: [write === 'put' ? { request_put: { key: k, value: value!, ...(lease ? { lease } : {}) } } : { request_delete_range: { key: k } }],
      failure: [{ request_range: { key: k } }],
    };
    const { res, ambiguous } = await this.client.call('Txn', txn, { retryAmbiguous: true, write: true });
    if (res.succeeded) return { ok: true, revision: Number(res.header.revision) };
    const kv = res.responses[0]?.response_range?.kvs[0];
    const current = kv ? toStoredKV(kv) : undefined;
    if (ambiguous) {
      const applied = await this.appliedEarlier(key, expect, write, value, current);
      if (applied !== undefined) {
        this.resolvedWrites++;
        return { ok: true, revision: applied };
      }
    }
    return { ok: false, current };
  }

  /**
   * After a lost answer and a failed compare: did an earlier attempt of this very write commit?
   * Returns the revision it committed at, or undefined if another write came first.
   */
  private async appliedEarlier(key: string, expect: Expectation, write: 'put' | 'delete', value: Buffer | undefined, current: StoredKV | undefined): Promise<number | undefined> {
    if ('absent' in expect) {
      // A create: is the object now there the one we wrote (as it was when created)?
      if (!current) return undefined;
      const created = await this.rangeRequest({ key: Buffer.from(key), revision: current.createRevision }).catch((err) => {
        if (err instanceof CompactedError) return undefined;
        throw err;
      });
      const first = created?.kvs[0]?.value ?? (current.createRevision === current.modRevision ? current.value : undefined);
      if (first === undefined) throw new OutcomeUnknownError(`etcd: cannot tell whether the create of ${key} was applied (history compacted)`);
      return first.equals(value!) ? current.createRevision : undefined;
    }
    // An update or delete compared against modRevision: the first change after it is the one that won.
    const next = await this.firstChangeAfter(key, expect.modRevision);
    if (!next) return undefined;
    if (write === 'delete') return next.type === 'DELETE' ? Number(next.kv.mod_revision) : undefined;
    return next.type === 'PUT' && next.kv.value.equals(value!) ? Number(next.kv.mod_revision) : undefined;
  }

  /** The first event on `key` after `revision`, read from etcd's history. */
  private firstChangeAfter(key: string, revision: number): Promise<WatchEvent | undefined> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        watch.stop();
        fn();
      };
      const timer = setTimeout(() => settle(() => resolve(undefined)), 2000);
      const watch = new EtcdWatch(this.client, { key: Buffer.from(key) }, revision + 1, {
        onEvents: (events) => settle(() => resolve(events[0])),
        // Connected with nothing pending: etcd sends history right after the created response,
        // so an empty history shows up as silence; the timer above ends the wait.
        onCompacted: () => settle(() => reject(new OutcomeUnknownError(`etcd: cannot tell whether the write to ${key} was applied (history compacted)`))),
      });
    });
  }

  create(key: string, value: Buffer, opts?: WriteOptions): Promise<WriteResult> {
    return this.cas(key, { absent: true }, 'put', value, opts);
  }

  update(key: string, value: Buffer, expectedModRevision: number, opts?: WriteOptions): Promise<WriteResult> {
    return this.cas(key, { modRevision: expectedModRevision }, 'put', value, opts);
  }

  delete(key: string, expectedModRevision: number): Promise<WriteResult> {
    return this.cas(key, { modRevision: expectedModRevision }, 'delete');
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.client.call('Compact', { revision, physical: false }, { retryAmbiguous: true });
    } catch (err) {
      if (!(err instanceof CompactedError)) throw err;
    }
  }

  /**
   * Compare-and-swap on a plain key, used to agree on compaction across apiservers:
   * succeeds only if the key's version is still `expectedVersion`.
   */
  async casVersion(key: string, expectedVersion: number, value: string): Promise<{ ok: boolean; version: number; value?: string }> {
    const k = Buffer.from(key);
    const { res } = await this.client.call(
      'Txn',
      {
        compare: [{ key: k, target: 'VERSION', result: 'EQUAL', version: expectedVersion }],
        success: [{ request_put: { key: k, value: Buffer.from(value) } }],
        failure: [{ request_range: { key: k } }],
      },
      { retryAmbiguous: true },
    );
    if (res.succeeded) return { ok: true, version: expectedVersion + 1 };
    const kv = res.responses[0]?.response_range?.kvs[0];
    return { ok: false, version: kv ? Number(kv.version) : 0, value: kv?.value.toString() };
  }

  /** A resumable watch of every key under `prefix` from `startRevision`, with previous values. */
  watchPrefix(prefix: string, startRevision: number, handlers: WatchHandlers, opts: { progressNotify?: boolean } = {}): EtcdWatch {
    return new EtcdWatch(this.client, { key: Buffer.from(prefix), range_end: prefixEnd(prefix), prev_kv: true, progress_notify: opts.progressNotify ?? false }, startRevision, handlers);
  }

  close(): void {
    this.client.close();
  }
}
