// An object as the apiserver holds it in memory: parsed once, never mutated, and serialized
// at most once however many clients receive it.
import { stringify } from '../../api/codec/json.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { StoredKV } from './kv.js';

export class CachedObject {
  private json?: string;

  constructor(
    readonly key: string,
    readonly rev: number,
    /** The stored form with metadata.resourceVersion filled in. Treat as read-only. */
    readonly obj: KubeObject,
  ) {}

  static fromKV(kv: StoredKV, rev = kv.modRevision): CachedObject {
    const obj = JSON.parse(kv.value.toString()) as KubeObject;
    obj.metadata = obj.metadata ?? {};
    obj.metadata.resourceVersion = String(rev);
    return new CachedObject(kv.key, rev, obj);
  }

  /** The same object as of a later revision (a deletion carries the deleted state at its revision). */
  atRevision(rev: number): CachedObject {
    const obj = { ...this.obj, metadata: { ...this.obj.metadata, resourceVersion: String(rev) } };
    return new CachedObject(this.key, rev, obj);
  }

  toJSON(): string {
    return (this.json ??= stringify(this.obj));
  }

  /** A private deep copy the caller may change. */
  copy(): KubeObject {
    return JSON.parse(this.toJSON()) as KubeObject;
  }

  get namespace(): string {
    return this.obj.metadata.namespace ?? '';
  }

  get name(): string {
    return this.obj.metadata.name ?? '';
  }
}

export interface CacheEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  rev: number;
  /** The object after the change; for DELETED, its last state stamped with the deletion revision. */
  object: CachedObject;
  /** The object before the change, when there was one. */
  prev?: CachedObject;
  /** Serialized frames, memoized per (event type, output variant) for the fan-out. */
  frames?: Map<string, string | Buffer>;
}
