// The etcd side of storage: every read and write the apiserver makes, with optimistic
// concurrency expressed as etcd transactions (create iff absent, update/delete iff the
// mod_revision is the one the caller read). Values are plain JSON, readable with etcdctl.
import { Etcd3, type IKeyValue } from 'etcd3';

export interface StoredKV {
  key: string;
  value: Buffer;
  modRevision: number;
  createRevision: number;
}

export interface RangeResult {
  kvs: StoredKV[];
  revision: number;
  more: boolean;
  count: number;
}

export type WriteResult = { ok: true; revision: number } | { ok: false; current?: StoredKV };

export class CompactedError extends Error {
  constructor(readonly compactRevision: number) {
    super(`required revision has been compacted`);
  }
}

export function toStoredKV(kv: IKeyValue): StoredKV {
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

function isCompacted(err: unknown): boolean {
  return err instanceof Error && /compacted/i.test(err.message);
}

export class EtcdStore {
  readonly client: Etcd3;

  constructor(endpoints: string[]) {
    // Large LISTs come back in one range response: lift gRPC's 4 MiB receive limit, as Kubernetes does.
    this.client = new Etcd3({
      hosts: endpoints,
      dialTimeout: 5000,
      grpcOptions: { 'grpc.max_receive_message_length': -1 },
    });
  }

  async get(key: string): Promise<StoredKV | undefined> {
    const res = await this.client.kv.range({ key: Buffer.from(key) });
    return res.kvs[0] ? toStoredKV(res.kvs[0]) : undefined;
  }

  /** Reads every key under `prefix` (from `startKey` if given) at `revision` (0 = latest). */
  async range(prefix: string, opts: { revision?: number; limit?: number; startKey?: string } = {}): Promise<RangeResult> {
    try {
      const res = await this.client.kv.range({
        key: Buffer.from(opts.startKey ?? prefix),
        range_end: prefixEnd(prefix),
        revision: opts.revision ?? 0,
        limit: opts.limit ?? 0,
      });
      return {
        kvs: res.kvs.map(toStoredKV),
        revision: Number(res.header.revision),
        more: res.more,
        count: Number(res.count),
      };
    } catch (err) {
      if (isCompacted(err)) throw new CompactedError(0);
      throw err;
    }
  }

  /** Counts keys under a prefix without reading values. */
  async count(prefix: string): Promise<{ count: number; revision: number }> {
    const res = await this.client.kv.range({ key: Buffer.from(prefix), range_end: prefixEnd(prefix), count_only: true });
    return { count: Number(res.count), revision: Number(res.header.revision) };
  }

  async currentRevision(): Promise<number> {
    const res = await this.client.kv.range({ key: Buffer.from('\0'), limit: 1, keys_only: true });
    return Number(res.header.revision);
  }

  async create(key: string, value: Buffer): Promise<WriteResult> {
    const k = Buffer.from(key);
    const res = await this.client.kv.txn({
      compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key: k, value } }],
      failure: [{ request_range: { key: k } }],
    });
    if (res.succeeded) return { ok: true, revision: Number(res.header.revision) };
    const kv = res.responses[0]?.response_range?.kvs[0];
    return { ok: false, current: kv ? toStoredKV(kv) : undefined };
  }

  async update(key: string, value: Buffer, expectedModRevision: number): Promise<WriteResult> {
    const k = Buffer.from(key);
    const res = await this.client.kv.txn({
      compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedModRevision }],
      success: [{ request_put: { key: k, value } }],
      failure: [{ request_range: { key: k } }],
    });
    if (res.succeeded) return { ok: true, revision: Number(res.header.revision) };
    const kv = res.responses[0]?.response_range?.kvs[0];
    return { ok: false, current: kv ? toStoredKV(kv) : undefined };
  }

  async delete(key: string, expectedModRevision: number): Promise<WriteResult> {
    const k = Buffer.from(key);
    const res = await this.client.kv.txn({
      compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedModRevision }],
      success: [{ request_delete_range: { key: k } }],
      failure: [{ request_range: { key: k } }],
    });
    if (res.succeeded) return { ok: true, revision: Number(res.header.revision) };
    const kv = res.responses[0]?.response_range?.kvs[0];
    return { ok: false, current: kv ? toStoredKV(kv) : undefined };
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.client.kv.compact({ revision, physical: false });
    } catch (err) {
      if (!isCompacted(err)) throw err;
    }
  }

  /**
   * Compare-and-swap on a plain key, used to agree on compaction across apiservers:
   * succeeds only if the key's version is still `expectedVersion`.
   */
  async casVersion(key: string, expectedVersion: number, value: string): Promise<{ ok: boolean; version: number; value?: string }> {
    const k = Buffer.from(key);
    const res = await this.client.kv.txn({
      compare: [{ key: k, target: 'Version', result: 'Equal', version: expectedVersion }],
      success: [{ request_put: { key: k, value: Buffer.from(value) } }],
      failure: [{ request_range: { key: k } }],
    });
    if (res.succeeded) return { ok: true, version: expectedVersion + 1 };
    const kv = res.responses[0]?.response_range?.kvs[0];
    return { ok: false, version: kv ? Number(kv.version) : 0, value: kv?.value.toString() };
  }

  close(): void {
    this.client.close();
  }
}
