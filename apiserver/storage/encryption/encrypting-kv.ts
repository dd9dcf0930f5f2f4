// Encryption at rest as a KVStore in front of another: values under the resources an
// EncryptionConfiguration names are encrypted by its first provider on every write and
// decrypted by whichever provider wrote them on every read (gets, ranges, watch events).
// A value read with any but the first provider is marked stale, so an update that changes
// nothing still rewrites it: that is how `kubectl get secrets -A -o json | kubectl replace -f -`
// moves every Secret to a new key.
import type { Logger } from 'pino';
import { resources, storageInfo } from '../../../api/resources.js';
import type { KeyValue, WatchEvent } from '../etcd/api.js';
import type { KVStore, KVWatch, RangeResult, StoredKV, WatchHandlers, WriteOptions, WriteResult } from '../kv.js';
import { providersFor, type EncryptionRule } from './config.js';
import { DecryptError, identity, type Provider } from './providers.js';

const ENC_PREFIX = Buffer.from('k8s:enc:');

export class EncryptingKV implements KVStore {
  /** Providers by storage resource (the first path segment under the prefix). */
  private readonly byResource = new Map<string, Provider[]>();

  constructor(
    private readonly inner: KVStore,
    private readonly prefix: string,
    rules: EncryptionRule[],
    private readonly log?: Logger,
  ) {
    for (const r of resources) {
      const stored = storageInfo(r);
      const providers = providersFor(rules, stored.plural, stored.group);
      if (providers && !this.byResource.has(stored.storage)) this.byResource.set(stored.storage, providers);
    }
  }

  get resolvedWrites(): number {
    return this.inner.resolvedWrites;
  }

  private providersOf(key: string): Provider[] | undefined {
    if (!key.startsWith(`${this.prefix}/`)) return undefined;
    return this.byResource.get(key.slice(this.prefix.length + 1).split('/')[0]!);
  }

  private seal(key: string, value: Buffer): Buffer {
    const providers = this.providersOf(key);
    return providers ? providers[0]!.encrypt(value, key) : value;
  }

  /** The plaintext of a stored value, and whether it was written by other than the first provider. */
  private open(key: string, value: Buffer): { value: Buffer; stale: boolean } {
    const providers = this.providersOf(key);
    if (!providers) return { value, stale: false };
    if (value.subarray(0, ENC_PREFIX.length).equals(ENC_PREFIX)) {
      const header = /^k8s:enc:([a-z]+):v1:([^:]*):/.exec(value.subarray(0, 300).toString('latin1'));
      const p = header && providers.find((x) => x.type === header[1] && x.keyName === header[2]);
      if (!header || !p) throw new DecryptError(`unable to transform key "${key}": no matching key was found for the provided ${header ? `${header[1]} transformer key "${header[2]}"` : 'prefix'}`);
      return { value: p.decrypt(value.subarray(header[0].length), key), stale: p !== providers[0] };
    }
    if (!providers.includes(identity)) throw new DecryptError(`unable to transform key "${key}": no matching prefix found`);
    return { value, stale: providers[0] !== identity };
  }

  private openKV(kv: StoredKV): StoredKV {
    const { value, stale } = this.open(kv.key, kv.value);
    return { ...kv, value, ...(stale ? { stale } : {}) };
  }

  private openRaw(kv: KeyValue): KeyValue {
    return { ...kv, value: this.open(kv.key.toString(), kv.value).value };
  }

  async get(key: string): Promise<StoredKV | undefined> {
    const kv = await this.inner.get(key);
    return kv && this.openKV(kv);
  }

  async range(prefix: string, opts?: { revision?: number; limit?: number; startKey?: string }): Promise<RangeResult> {
    const r = await this.inner.range(prefix, opts);
    return { ...r, kvs: r.kvs.map((kv) => this.openKV(kv)) };
  }

  summary(prefix: string, revision?: number) {
    return this.inner.summary(prefix, revision);
  }

  currentRevision() {
    return this.inner.currentRevision();
  }

  ping(timeoutMs: number) {
    return this.inner.ping(timeoutMs);
  }

  private result(r: WriteResult): WriteResult {
    return r.ok || !r.current ? r : { ok: false, current: this.openKV(r.current) };
  }

  async create(key: string, value: Buffer, opts?: WriteOptions): Promise<WriteResult> {
    return this.result(await this.inner.create(key, this.seal(key, value), opts));
  }

  async update(key: string, value: Buffer, expectedModRevision: number, opts?: WriteOptions): Promise<WriteResult> {
    return this.result(await this.inner.update(key, this.seal(key, value), expectedModRevision, opts));
  }

  async delete(key: string, expectedModRevision: number): Promise<WriteResult> {
    return this.result(await this.inner.delete(key, expectedModRevision));
  }

  compact(revision: number) {
    return this.inner.compact(revision);
  }

  casVersion(key: string, expectedVersion: number, value: string) {
    return this.inner.casVersion(key, expectedVersion, value);
  }

  watchPrefix(prefix: string, startRevision: number, handlers: WatchHandlers, opts?: { progressNotify?: boolean }): KVWatch {
    return this.inner.watchPrefix(
      prefix,
      startRevision,
      {
        ...handlers,
        onEvents: (events: WatchEvent[]) => {
          const out: WatchEvent[] = [];
          for (const e of events) {
            try {
              out.push({ type: e.type, kv: e.type === 'DELETE' ? e.kv : this.openRaw(e.kv), prev_kv: e.prev_kv ? this.openRaw(e.prev_kv) : e.prev_kv });
            } catch (err) {
              // Only a key removed from the configuration while data still uses it gets here;
              // reads of that object answer 500 until the key is put back.
              this.log?.error({ key: e.kv.key.toString(), err: (err as Error).message }, 'cannot decrypt a watched value');
            }
          }
          if (out.length) handlers.onEvents(out);
        },
      },
      opts,
    );
  }

  close(): void {
    this.inner.close();
  }
}
