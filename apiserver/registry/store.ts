// The generic storage of one resource: the verbs every kind shares, with Kubernetes'
// semantics (optimistic concurrency, generated names, finalizers, graceful deletion,
// snapshot-consistent pagination). Objects here are in their stored version.
import { fieldsMatch, selectableFields, type FieldRequirement } from '../../api/fields.js';
import { matches, type Requirement } from '../../api/labels.js';
import { assignOwn, clone, deepEqual } from '../../api/codec/values.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { Shape } from '../../api/managed-fields/field-set.js';
import { recordUpdate, type ManagedFieldsEntry, type VersionViews, type Writer } from '../../api/managed-fields/managed-fields.js';
import { shapeOfKind } from '../../api/managed-fields/shapes.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  gone,
  notFound,
  namespaceTerminating,
  OBJECT_MODIFIED,
  StatusError,
  timeoutError,
} from '../../api/status.js';
import type { DeleteOptions, KubeObject } from '../../api/types/meta.js';
import { validateCreate, validateEphemeralContainersUpdate, validateUpdate, type ValidationTarget } from '../../api/validation/kinds.js';
import { dropGoOmittedZeros, goObject } from '../../api/protobuf/go-json.js';
import { CachedObject, storedJSON, type StoredJSON } from '../storage/cached-object.js';
import { CompactedError, FutureRevisionError } from '../storage/etcd/errors.js';
import type { KVStore, StoredKV, WriteOptions, WriteResult } from '../storage/kv.js';
import { lowerBound, prefixSpan, type CacheSnapshot, type WatchCache } from '../storage/watch-cache.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import { generateName, newUID, nowTimestamp } from './names.js';
import type { Strategy } from '../../api/kinds/strategy.js';

export type NamespaceState = 'active' | 'terminating' | 'missing';

export interface ListOptions {
  namespace?: string;
  labels: Requirement[];
  fields: FieldRequirement[];
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  /** resourceVersionMatch=Exact: read at exactly this revision. */
  exactRevision?: number;
}

/** A resourceVersion parameter: a non-negative integer (Kubernetes parses it as uint64). */
export function parseResourceVersion(rv: string): number {
  if (!/^\d{1,16}$/.test(rv)) {
    throw badRequest(`resourceVersion: Invalid value: "${rv.slice(0, 100)}": must be a non-negative integer`);
  }
  return Number(rv);
}

function tooLargeResourceVersion(wanted: number, current: number): StatusError {
  return timeoutError(`Too large resource version: ${wanted}, current: ${current}`, 1);
}

export interface ListResult {
  items: CachedObject[];
  revision: number;
  continue?: string;
  remainingItemCount?: number;
}

/** Who writes, for metadata.managedFields; precomputed entries come from server-side apply. */
export interface FieldTracking {
  manager: string;
  /** The group version of the request. */
  apiVersion: string;
  /** Entries already computed (server-side apply, or recordCreate before admission): stored as they are. */
  applied?: boolean;
  /** A subresource written through other than status (scale), recorded with the entry. */
  subresource?: string;
}

/** Whether a write through `subresource` names it in its managedFields entry: status and ephemeralcontainers do (scale passes its own in the tracking). */
export function recordsSubresource(subresource: string | undefined): subresource is 'status' | 'ephemeralcontainers' {
  return subresource === 'status' || subresource === 'ephemeralcontainers';
}

export interface UpdateOptions {
  dryRun: boolean;
  tracking?: FieldTracking;
  subresource?: 'status' | 'finalize' | 'binding' | 'approval' | 'ephemeralcontainers';
  /** The client pinned a resourceVersion: a conflict is reported, never retried. */
  mutate: (current: KubeObject) => KubeObject | Promise<KubeObject>;
  /** Builds the object to create when none exists and the kind allows create-on-update. */
  createFrom?: () => KubeObject | Promise<KubeObject>;
}

export interface DeleteResult {
  object: CachedObject;
  /** The object still exists (graceful deletion or finalizers pending). */
  pending: boolean;
}

/**
 * Side effects that go with a kind's writes beyond its own key (a Service's cluster IP and
 * node ports): taken before the write, undone if the write does not happen, and released
 * once the object is gone.
 */
export interface StoreHooks {
  beforeCreate(obj: KubeObject, dryRun: boolean): Promise<() => Promise<void>>;
  beforeUpdate(next: KubeObject, prev: KubeObject, dryRun: boolean): Promise<{ commit(): Promise<void>; undo(): Promise<void> }>;
  afterRemove(obj: KubeObject): Promise<void>;
}

const MAX_RETRIES = 16;
/** How long a consistent list waits for the cache to catch up before reading etcd instead. */
const CONSISTENT_READ_WAIT_MS = 3000;

const SYSTEM_META = ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'namespace', 'name', 'selfLink'] as const;

/** A write's bytes, and the object made of them once written (by the watch cache or the answer, whichever comes first). */
interface WriteBody extends StoredJSON {
  made?: CachedObject;
}


/** The object `body` became at `rev`, encoded once for the watch cache and the answer both. */
function writtenObject(key: string, obj: KubeObject, rev: number, body: WriteBody): CachedObject {
  if (body.made?.rev !== rev) body.made = CachedObject.written(key, rev, obj, body);
  return body.made;
}

/**
 * Makes `obj` what Kubernetes stores (it decodes every write into the kind's Go type and
 * encodes that): fields Go leaves out when zero are gone (`hostNetwork: false`, `env: []`),
 * those it always writes are there (a template's `metadata.creationTimestamp: null`), in the Go
 * type's order. An update is made so before it is validated and checked for being a no-op, so
 * one that differs only in such zeros changes nothing, as in Kubernetes. In place: callers hold `obj`.
 */
function asGoStoresIt(obj: KubeObject): void {
  const stored = goObject(obj);
  if (stored === obj) return;
  for (const k of Object.keys(obj)) delete (obj as Record<string, unknown>)[k];
  Object.assign(obj, stored);
}

function hasFinalizers(obj: KubeObject): boolean {
  return (obj.metadata.finalizers ?? []).length > 0;
}

export class ResourceStore {
  readonly target: ValidationTarget;
  /** How this kind's fields merge and are owned (server-side apply, managedFields). */
  readonly shape: Shape;
  /** The kind's other served versions, for managedFields entries written in them (the registry sets it). */
  versionViews?: VersionViews;

  constructor(
    private readonly etcd: KVStore,
    readonly info: ResourceInfo,
    readonly cache: WatchCache,
    readonly strategy: Strategy,
    private readonly prefix: string,
    private readonly namespaceState: (ns: string) => Promise<NamespaceState>,
    /** Side effects that go with this kind's writes (a Service's cluster IP and node ports). */
    private readonly hooks?: StoreHooks,
    /** Objects go this long after their last write (Events: --event-ttl), as a TTL in etcd. */
    private readonly ttlSeconds?: number,
  ) {
    this.shape = shapeOfKind(info.module);
    this.target = {
      apiVersion: info.group ? `${info.group}/${info.version}` : info.version,
      kind: info.kind,
      group: info.group,
      namespaced: info.namespaced,
      module: info.module,
    };
  }

  private get writeOptions(): WriteOptions | undefined {
    return this.ttlSeconds ? { ttlSeconds: this.ttlSeconds } : undefined;
  }

  get resourcePrefix(): string {
    return `${this.prefix}/${this.info.storage}/`;
  }

  key(namespace: string | undefined, name: string): string {
    return this.info.namespaced ? `${this.resourcePrefix}${namespace}/${name}` : `${this.resourcePrefix}${name}`;
  }

  keyPrefix(namespace?: string): string {
    return this.info.namespaced && namespace ? `${this.resourcePrefix}${namespace}/` : this.resourcePrefix;
  }

  private notFound(name: string): StatusError {
    return notFound(this.info.plural, this.info.group, name);
  }

  async get(namespace: string | undefined, name: string): Promise<CachedObject> {
    const kv = await this.etcd.get(this.key(namespace, name));
    if (!kv) throw this.notFound(name);
    return CachedObject.fromKV(kv);
  }

  /** Reads from the watch cache (resourceVersion=0 semantics: possibly slightly stale). */
  getCached(namespace: string | undefined, name: string): CachedObject | undefined {
    return this.cache.objects.get(this.key(namespace, name));
  }

  /** The newest revision this server wrote for this resource: the cache has it once it caught up. */
  lastWriteRevision = 0;

  /**
   * The object as just written at `revision`: it is ours, so neither the answer nor the watch
   * cache (which is handed a twin for when etcd's event for this write arrives) has to parse
   * or encode it again. The object belongs to the store from here on: callers never change it.
   */
  private stored(key: string, obj: KubeObject, revision: number, body: WriteBody): CachedObject {
    const o = writtenObject(key, obj, this.written(revision), body);
    this.cache.adopt(o.twin());
    return o;
  }

  /**
   * Sends a put of `body` (the serialized `obj`) to etcd, telling the watch cache first: the
   * event of a write usually arrives before its answer, and the cache then takes the object
   * from here rather than parsing the event.
   */
  private async put(key: string, obj: KubeObject, body: WriteBody, write: () => Promise<WriteResult>): Promise<WriteResult> {
    this.cache.expectWrite(key, body.value, (rev) => writtenObject(key, obj, rev, body));
    try {
      return await write();
    } finally {
      this.cache.writeAnswered(key, body.value);
    }
  }

  private written(revision: number): number {
    if (revision > this.lastWriteRevision) this.lastWriteRevision = revision;
    return revision;
  }

  private async checkNamespace(namespace: string | undefined, name: string): Promise<void> {
    if (!this.info.namespaced || !namespace) return;
    const state = await this.namespaceState(namespace);
    if (state === 'missing') throw notFound('namespaces', '', namespace);
    if (state === 'terminating') throw namespaceTerminating(this.info.plural, this.info.group, name, namespace);
  }

  /**
   * Records who owns what in a create as Kubernetes does: the fields of the object as its client
   * sent it, with the kind's defaults (Kubernetes applies them as it decodes a request), before
   * mutating admission, so what admission adds (a pod's service-account volume, default
   * tolerations, priority) is nobody's. Returns the tracking to create with: entries computed.
   */
  recordCreate(obj: KubeObject, tracking: FieldTracking): FieldTracking {
    const meta = obj.metadata;
    this.defaultAsGo(obj);
    delete meta.managedFields;
    const managed = recordUpdate(undefined, obj, this.shape, this.strategy.hasStatus, this.writer(tracking), undefined, this.versionViews);
    if (managed.length) meta.managedFields = managed;
    return { ...tracking, applied: true };
  }

  /**
   * Defaults `obj` as Kubernetes does after decoding it into its Go type, where a zero in a
   * field Go leaves out when empty is the same as no value: a probe's `periodSeconds: 0` takes
   * the default 10. Defaulting the JSON as sent would keep the 0, which storing then drops,
   * leaving an object that differs from its own defaulted copy on every later update.
   */
  private defaultAsGo(obj: KubeObject): void {
    if (!this.info.module.defaults) return;
    dropGoOmittedZeros(obj);
    this.info.module.defaults(obj);
  }

  /** Creates `obj` (stored version, namespace already set). */
  async create(obj: KubeObject, dryRun: boolean, tracking?: FieldTracking): Promise<CachedObject> {
    let meta = obj.metadata;
    // Computed entries are final, none included: admission has run since (see recordCreate).
    const appliedFields = tracking?.applied ? (meta.managedFields ?? []) : undefined;
    const generated = !meta.name && Boolean(meta.generateName);
    if (generated) meta.name = generateName(meta.generateName!);
    meta.uid = newUID();
    meta.creationTimestamp = nowTimestamp();
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.resourceVersion;
    delete meta.managedFields;
    delete meta.selfLink;
    if (!this.info.namespaced) delete meta.namespace;
    this.strategy.prepareForCreate(obj);
    await this.info.module.loadFor?.(obj);
    // Again after recordCreate's: what admission and prepareForCreate added takes defaults too.
    this.defaultAsGo(obj);
    validateCreate(this.target, obj, tracking?.apiVersion);
    const managed = appliedFields ?? recordUpdate(undefined, obj, this.shape, this.strategy.hasStatus, this.writer(tracking), undefined, this.versionViews);
    if (Array.isArray(managed) && managed.length) meta.managedFields = managed;
    else delete meta.managedFields;
    await this.checkNamespace(meta.namespace, meta.name!);

    let key = this.key(meta.namespace, meta.name!);
    if (dryRun) {
      const existing = await this.etcd.get(key);
      if (existing) throw alreadyExists(this.info.plural, this.info.group, meta.name!);
      await this.hooks?.beforeCreate(obj, true);
      asGoStoresIt(obj);
      return new CachedObject(key, 0, obj);
    }
    const undo = await this.hooks?.beforeCreate(obj, false);
    // Shaped last, so what the hooks set (a Service's cluster IP) sits in Go's order too.
    asGoStoresIt(obj);
    meta = obj.metadata;
    try {
      let body = storedJSON(obj);
      let res = await this.put(key, obj, body, () => this.etcd.create(key, body.value, this.writeOptions));
      // A generated name that collided is generated again, as Kubernetes does (up to 7 tries).
      for (let retry = 0; !res.ok && generated && retry < 7; retry++) {
        meta.name = generateName(meta.generateName!);
        key = this.key(meta.namespace, meta.name);
        body = storedJSON(obj);
        res = await this.put(key, obj, body, () => this.etcd.create(key, body.value, this.writeOptions));
      }
      if (!res.ok) throw alreadyExists(this.info.plural, this.info.group, meta.name!);
      return this.stored(key, obj, res.revision, body);
    } catch (err) {
      await undo?.();
      throw err;
    }
  }

  /**
   * Read-modify-write with optimistic concurrency. `mutate` receives a private copy of the
   * current object and returns the desired one; it may throw (e.g. a pinned resourceVersion
   * that no longer matches). Unpinned writes are retried on conflict.
   */
  async update(namespace: string | undefined, name: string, opts: UpdateOptions): Promise<{ object: CachedObject; created: boolean }> {
    const key = this.key(namespace, name);
    // The first attempt starts from the watch cache's copy, as Kubernetes' GuaranteedUpdate
    // does: usually current, and the write's revision check catches it when not. Whatever it
    // would decide without writing (a refusal, a conflict with a pinned resourceVersion, a
    // no-op) is decided again on etcd's own copy, since the cache may be behind.
    let suggestion = !opts.dryRun && this.cache.state === 'synced' ? this.getCached(namespace, name) : undefined;
    for (let attempt = 0; ; attempt++) {
      const suggested = suggestion;
      suggestion = undefined;
      const current: StoredKV | undefined = suggested ? { key, value: suggested.bytes(), modRevision: suggested.rev, createRevision: 0 } : await this.etcd.get(key);
      if (!current) {
        if (opts.createFrom && this.strategy.allowCreateOnUpdate && !opts.subresource) {
          return { object: await this.create(await opts.createFrom(), opts.dryRun, opts.tracking), created: true };
        }
        throw this.notFound(name);
      }
      const prev = CachedObject.fromKV(current);
      let prepared: KubeObject;
      try {
        const next = await opts.mutate(prev.copy());
        await this.info.module.loadFor?.(next);
        const requested = next.metadata?.managedFields;
        prepared = this.prepareUpdate(next, prev.obj, opts.subresource, opts.tracking?.apiVersion);
        const managed = this.managedFields(prev.obj, prepared, requested, opts);
        if (managed.length) prepared.metadata.managedFields = managed;
        else delete prepared.metadata.managedFields;
      } catch (err) {
        if (suggested) continue;
        throw err;
      }
      // A value written with an old encryption key is rewritten even when nothing changed.
      if (!current.stale && deepEqual({ ...prepared, metadata: { ...prepared.metadata, resourceVersion: undefined } }, { ...prev.obj, metadata: { ...prev.obj.metadata, resourceVersion: undefined } })) {
        if (suggested) continue;
        return { object: prev, created: false }; // a no-op writes nothing and keeps the resourceVersion
      }
      const plan = this.hooks && !opts.subresource ? await this.hooks.beforeUpdate(prepared, prev.obj, !!opts.dryRun) : undefined;
      if (plan) asGoStoresIt(prepared);
      if (opts.dryRun) return { object: new CachedObject(key, prev.rev, prepared), created: false };

      // The last finalizer gone from an object being deleted removes it, unless a graceful
      // deletion is still running (its owner, e.g. the kubelet, finishes that with grace 0).
      const gracePending = (prepared.metadata.deletionGracePeriodSeconds ?? 0) > 0;
      try {
        if (prepared.metadata.deletionTimestamp && !hasFinalizers(prepared) && !gracePending && (this.strategy.readyToRemove?.(prepared) ?? true)) {
          const del = await this.etcd.delete(key, current.modRevision);
          if (del.ok) {
            await plan?.commit();
            await this.hooks?.afterRemove(prepared);
            return { object: new CachedObject(key, this.written(del.revision), { ...prepared, metadata: { ...prepared.metadata, resourceVersion: String(del.revision) } }), created: false };
          }
        } else {
          const body = storedJSON(prepared);
          const res = await this.put(key, prepared, body, () => this.etcd.update(key, body.value, current.modRevision, this.writeOptions));
          if (res.ok) {
            await plan?.commit();
            return { object: this.stored(key, prepared, res.revision, body), created: false };
          }
        }
      } catch (err) {
        await plan?.undo();
        throw err;
      }
      await plan?.undo(); // lost the race: the next attempt plans again
      if (attempt >= MAX_RETRIES) throw conflict(this.info.plural, this.info.group, name, OBJECT_MODIFIED);
    }
  }

  private writer(tracking: FieldTracking | undefined, subresource?: string): Writer {
    return {
      manager: tracking?.manager ?? 'kube-apiserver',
      apiVersion: tracking?.apiVersion ?? this.target.apiVersion,
      ...(recordsSubresource(subresource) ? { subresource } : tracking?.subresource ? { subresource: tracking.subresource } : {}),
      now: nowTimestamp(),
    };
  }

  /**
   * The managedFields of an update: server-side apply's own, the client's when it sent
   * different ones (kubectl moving ownership to server-side apply; `[{}]` clears them), and
   * otherwise the live ones with this write recorded.
   */
  private managedFields(prev: KubeObject, next: KubeObject, requested: unknown, opts: UpdateOptions): ManagedFieldsEntry[] {
    // A binding is written to storage as it is in Kubernetes, past the field manager: the
    // scheduler owns no fields of the pods it binds.
    if (opts.subresource === 'binding') return (prev.metadata.managedFields as ManagedFieldsEntry[] | undefined) ?? [];
    if (opts.tracking?.applied && Array.isArray(requested)) return requested as ManagedFieldsEntry[];
    const live = prev.metadata.managedFields;
    const replaced = Array.isArray(requested) && requested.length > 0 && !deepEqual(requested, live) ? requested : undefined;
    return recordUpdate(prev, next, this.shape, this.strategy.hasStatus, this.writer(opts.tracking, opts.subresource), replaced, this.versionViews);
  }

  private prepareUpdate(next: KubeObject, prev: KubeObject, subresource: UpdateOptions['subresource'], requestVersion: string | undefined): KubeObject {
    next.apiVersion = prev.apiVersion;
    next.kind = prev.kind;
    next.metadata = next.metadata ?? {};
    // A uid in the body names the object it was meant for: a same-named successor is not it.
    const uid = next.metadata.uid;
    if (uid && prev.metadata.uid && uid !== prev.metadata.uid) {
      throw conflict(this.info.plural, this.info.group, prev.metadata.name!, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${prev.metadata.uid}`);
    }
    for (const f of SYSTEM_META) {
      if (prev.metadata[f] === undefined) delete next.metadata[f];
      else (next.metadata as Record<string, unknown>)[f] = prev.metadata[f];
    }
    delete next.metadata.managedFields;
    if (subresource === 'status') {
      this.strategy.prepareForStatusUpdate(next, prev);
      next.metadata.generation = prev.metadata.generation;
    } else if (subresource === 'binding') {
      // Binding may set exactly the node (and the PodScheduled condition), nothing else.
      const nodeName = next.spec?.nodeName;
      const conditions = next.status?.conditions;
      assignOwn(next, { ...clone(prev), metadata: next.metadata });
      next.spec = { ...prev.spec, nodeName };
      next.status = { ...(prev.status ?? {}), conditions };
      next.metadata.generation = prev.metadata.generation;
      this.info.module.defaults?.(next);
      asGoStoresIt(next);
      return next;
    } else if (subresource === 'approval') {
      // Approval may change exactly the status conditions (Approved, Denied), nothing else.
      const conditions = next.status?.conditions;
      assignOwn(next, { ...clone(prev), metadata: next.metadata });
      next.status = { ...(prev.status ?? {}), conditions };
      next.metadata.generation = prev.metadata.generation;
    } else if (subresource === 'ephemeralcontainers') {
      // Only spec.ephemeralContainers may change (Kubernetes' ephemeral containers strategy):
      // everything else, metadata included, stays as stored.
      const ephemeral = next.spec?.ephemeralContainers;
      assignOwn(next, clone(prev));
      delete next.metadata.managedFields;
      next.spec = { ...next.spec, ephemeralContainers: ephemeral };
      if (ephemeral === undefined) delete next.spec.ephemeralContainers;
      this.info.module.defaults?.(next);
      asGoStoresIt(next);
      validateEphemeralContainersUpdate(this.target, next, prev);
      return next;
    } else if (subresource === 'finalize') {
      const finalizers = next.spec?.finalizers;
      assignOwn(next, { ...clone(prev), metadata: next.metadata });
      next.spec = { ...(prev.spec ?? {}), finalizers };
      next.metadata.generation = prev.metadata.generation;
    } else {
      // Defaulted first, as Kubernetes defaults a body while decoding it: a spec that differs
      // from the stored one only in defaults is no change and keeps the generation.
      this.defaultAsGo(next);
      this.strategy.prepareForUpdate(next, prev);
    }
    // Once deletion has begun, finalizers may only be removed.
    if (prev.metadata.deletionTimestamp) {
      const before = new Set(prev.metadata.finalizers ?? []);
      const added = (next.metadata.finalizers ?? []).filter((f) => !before.has(f));
      if (added.length > 0) {
        throw new StatusError(422, 'Invalid', `${this.info.kind} "${prev.metadata.name}" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`, {
          name: prev.metadata.name,
          kind: this.info.kind,
          causes: [{ reason: 'FieldValueForbidden', field: 'metadata.finalizers', message: 'Forbidden: no new finalizers can be added if the object is being deleted' }],
        });
      }
    }
    this.info.module.defaults?.(next);
    // Validated as Kubernetes validates its Go values: an immutable template is unchanged
    // whether or not a client's copy carries the `creationTimestamp: null` Go writes in it.
    asGoStoresIt(next);
    validateUpdate(this.target, next, prev, requestVersion);
    return next;
  }

  /** Deletes an object; `admit` sees the object about to be deleted (admission), and may refuse. */
  async delete(namespace: string | undefined, name: string, options: DeleteOptions, dryRun: boolean, admit?: (current: KubeObject) => Promise<void>): Promise<DeleteResult> {
    const key = this.key(namespace, name);
    for (let attempt = 0; ; attempt++) {
      const current = await this.etcd.get(key);
      if (!current) throw this.notFound(name);
      const obj = CachedObject.fromKV(current);
      const pre = options.preconditions;
      if (pre?.uid && pre.uid !== obj.obj.metadata.uid) {
        throw conflict(this.info.plural, this.info.group, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.obj.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== obj.obj.metadata.resourceVersion) {
        throw conflict(this.info.plural, this.info.group, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.obj.metadata.resourceVersion}`);
      }
      await admit?.(obj.copy());
      const next = obj.copy();
      const keep = this.beginDeletion(next, options);
      asGoStoresIt(next);
      if (dryRun) return { object: new CachedObject(key, obj.rev, next), pending: keep };
      if (keep) {
        if (deepEqual(next, obj.obj)) return { object: obj, pending: true };
        const body = storedJSON(next);
        const res = await this.put(key, next, body, () => this.etcd.update(key, body.value, current.modRevision, this.writeOptions));
        if (res.ok) return { object: this.stored(key, next, res.revision, body), pending: true };
      } else {
        const res = await this.etcd.delete(key, current.modRevision);
        if (res.ok) {
          await this.hooks?.afterRemove(obj.obj);
          return { object: obj.atRevision(this.written(res.revision)), pending: false };
        }
      }
      if (attempt >= MAX_RETRIES) throw conflict(this.info.plural, this.info.group, name, OBJECT_MODIFIED);
    }
  }

  /** Marks `obj` as being deleted where needed; returns true if it must stay in storage for now. */
  private beginDeletion(obj: KubeObject, options: DeleteOptions): boolean {
    const meta = obj.metadata;
    const policy = options.propagationPolicy ?? (options.orphanDependents ? 'Orphan' : undefined);
    const finalizers = new Set(meta.finalizers ?? []);
    if (!meta.deletionTimestamp) {
      if (policy === 'Orphan') finalizers.add('orphan');
      if (policy === 'Foreground') finalizers.add('foregroundDeletion');
    } else if (policy === 'Orphan' || policy === 'Background') {
      finalizers.delete('foregroundDeletion');
      if (policy === 'Background') finalizers.delete('orphan');
    }
    meta.finalizers = [...finalizers];
    if (meta.finalizers.length === 0) delete meta.finalizers;

    const grace = this.strategy.gracePeriod(obj, options);
    const kindKeeps = this.strategy.beginDelete?.(obj) ?? false;
    if (grace > 0) {
      const deadline = nowTimestamp(grace);
      // A repeated delete may shorten the grace period, never lengthen it.
      if (!meta.deletionTimestamp || (meta.deletionGracePeriodSeconds ?? Infinity) > grace) {
        meta.deletionTimestamp = deadline;
        meta.deletionGracePeriodSeconds = grace;
      }
      return true;
    }
    if (hasFinalizers(obj) || kindKeeps) {
      // Grace 0 ends any graceful period still running; the finalizers alone hold it now.
      if (!meta.deletionTimestamp || (meta.deletionGracePeriodSeconds ?? 0) > 0) {
        meta.deletionTimestamp = nowTimestamp();
        meta.deletionGracePeriodSeconds = 0;
      }
      return true;
    }
    return false;
  }

  /**
   * Lists with Kubernetes' resourceVersion semantics, from the cache where they allow it:
   * resourceVersion=0 and not-older-than reads, and — as Kubernetes does since 1.31 —
   * consistent reads too, once the cache is shown to hold what etcd holds now. Their pages
   * continue from the same cache snapshot while it is kept; otherwise from etcd.
   */
  async list(opts: ListOptions): Promise<ListResult> {
    if (!this.cache.holdsObjects) return this.listUncached(opts);
    if (opts.continue) {
      const token = decodeContinue(opts.continue, this.keyPrefix(opts.namespace));
      const snapshot = this.cache.pagedSnapshot(token.rv);
      return snapshot ? this.listFromSnapshot(snapshot, opts, token.startKey) : this.listFromEtcd(opts);
    }
    const rv = opts.resourceVersion ?? '';
    if (rv === '') {
      const snapshot = await this.consistentSnapshot();
      return snapshot ? this.listFromSnapshot(snapshot, opts) : this.listFromEtcd(opts);
    }
    const wanted = parseResourceVersion(rv);
    if (opts.resourceVersionMatch === 'Exact') return this.listFromEtcd({ ...opts, exactRevision: wanted });
    if (wanted === 0) return this.listFromCache(opts);
    if (!opts.limit) {
      if (await this.cache.waitFor(wanted, 0)) return this.listFromCache(opts);
      const current = await this.etcd.currentRevision();
      if (wanted > current) {
        if (!(await this.cache.waitFor(wanted, 3000))) throw tooLargeResourceVersion(wanted, current);
        return this.listFromCache(opts);
      }
    }
    return this.listFromEtcd(opts);
  }

  /**
   * A resource whose cache holds no objects (Events): every list is read from etcd, as
   * Kubernetes serves them. resourceVersion=0 reads the newest state; a not-older-than
   * resourceVersion etcd has not reached yet is refused as too large.
   */
  private async listUncached(opts: ListOptions): Promise<ListResult> {
    const rv = opts.resourceVersion ?? '';
    if (opts.continue || rv === '' || rv === '0') return this.listFromEtcd(opts);
    const wanted = parseResourceVersion(rv);
    if (opts.resourceVersionMatch === 'Exact') return this.listFromEtcd({ ...opts, exactRevision: wanted });
    const result = await this.listFromEtcd(opts);
    if (result.revision < wanted) throw tooLargeResourceVersion(wanted, result.revision);
    return result;
  }

  /**
   * For a watch's initial events when the cache holds no objects: every object under
   * `keyPrefix` read from etcd, and the revision they are as of (the watch continues after it).
   */
  async readAll(keyPrefix: string): Promise<{ revision: number; items: CachedObject[] }> {
    const { kvs, revision } = await this.etcd.range(keyPrefix);
    return { revision, items: kvs.map((kv) => CachedObject.fromKV(kv)) };
  }

  /**
   * The cache's contents once they are what etcd holds now, or undefined if the cache does
   * not get there in time — then the list is read from etcd instead. etcd is asked for its
   * revision and, when the cache has not seen that revision (the newest writes may be to
   * other resources), for the key count and newest key under the prefix at that revision.
   */
  private async consistentSnapshot(): Promise<CacheSnapshot | undefined> {
    const current = await this.etcd.currentRevision();
    // Most often the cache has already seen etcd's newest revision: one tiny read is enough.
    if (this.cache.state === 'synced' && this.cache.revision >= current) return this.cache.snapshot();
    const at = await this.etcd.summary(this.cache.prefix, current);
    if (!(await this.cache.reflects(at, CONSISTENT_READ_WAIT_MS))) return undefined;
    return this.cache.snapshot(at.revision);
  }

  /** The object's selectable fields (metadata.name, spec.nodeName, ...), computed once per cached object. */
  fieldsOf(obj: CachedObject): Record<string, string> {
    return obj.selectableFields(this.info.module, (o) => selectableFields(this.info.storage, o, this.info.module));
  }

  private selects(obj: CachedObject, opts: ListOptions): boolean {
    if (opts.labels.length && !matches(opts.labels, obj.labels())) return false;
    if (opts.fields.length && !fieldsMatch(opts.fields, this.fieldsOf(obj))) return false;
    return true;
  }

  /** resourceVersion=0 and not-older-than: the whole list, however large the limit (as Kubernetes' cache does). */
  private async listFromCache(opts: ListOptions): Promise<ListResult> {
    await this.cache.ready;
    return this.listFromSnapshot(this.cache.snapshot(), { ...opts, limit: undefined });
  }

  /** One page (or all) of a snapshot, from `startKey` on, with a continue token into the same snapshot. */
  private listFromSnapshot(snapshot: CacheSnapshot, opts: ListOptions, startKey?: string): ListResult {
    const prefix = this.keyPrefix(opts.namespace);
    const all = snapshot.items;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const filtered = opts.labels.length > 0 || opts.fields.length > 0;
    const items: CachedObject[] = [];
    const span = prefixSpan(all, prefix);
    let i = startKey && startKey > prefix ? Math.max(span.start, lowerBound(all, startKey)) : span.start;
    for (; i < span.end; i++) {
      if (limit && items.length >= limit) break;
      const obj = all[i]!;
      if (!filtered || this.selects(obj, opts)) items.push(obj);
    }
    const result: ListResult = { items, revision: snapshot.revision };
    if (i < span.end) {
      result.continue = encodeContinue(snapshot.revision, `${items[items.length - 1]!.key}\0`, prefix);
      if (!filtered) result.remainingItemCount = span.end - i;
      this.cache.keepForPaging(snapshot);
    }
    return result;
  }

  private async listFromEtcd(opts: ListOptions): Promise<ListResult> {
    const prefix = this.keyPrefix(opts.namespace);
    let revision = 0;
    let startKey: string | undefined;
    if (opts.continue) {
      const token = decodeContinue(opts.continue, prefix);
      revision = token.rv;
      startKey = token.startKey;
    } else if (opts.exactRevision) {
      revision = opts.exactRevision;
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const filtered = opts.labels.length > 0 || opts.fields.length > 0;
    const items: CachedObject[] = [];
    let more = false;
    let lastKey: string | undefined;
    let remaining: number | undefined;
    try {
      for (;;) {
        // With selectors a page may match little: read bigger pages until the limit is met.
        const pageSize = limit ? Math.max(limit - items.length, filtered ? Math.min(limit * 2, 10_000) : 0) : 0;
        const page = await this.etcd.range(prefix, { revision, limit: pageSize, startKey });
        if (!revision) revision = page.revision;
        let kvs: StoredKV[] = page.kvs;
        more = page.more;
        for (let i = 0; i < kvs.length; i++) {
          const kv = kvs[i]!;
          lastKey = kv.key;
          // The cache usually holds this very revision, already parsed and serialized.
          const cached = this.cache.objects.get(kv.key);
          const obj = cached && cached.rev === kv.modRevision ? cached : CachedObject.fromKV(kv);
          if (!filtered || this.selects(obj, opts)) items.push(obj);
          if (limit && items.length >= limit) {
            more = more || i < kvs.length - 1;
            if (!filtered) remaining = page.count - (i + 1);
            kvs = [];
            break;
          }
        }
        if (!more || !limit || items.length >= limit) break;
        startKey = `${lastKey}\0`;
      }
    } catch (err) {
      if (err instanceof FutureRevisionError) {
        if (opts.continue) throw badRequest('invalid continue token: continue key is not valid: the encoded resourceVersion is newer than the current one');
        throw tooLargeResourceVersion(revision, err.currentRevision);
      }
      if (err instanceof CompactedError) {
        if (opts.continue) {
          throw gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
        }
        throw gone(`The resourceVersion for the provided list is too old.`);
      }
      throw err;
    }
    const result: ListResult = { items, revision };
    if (more && lastKey !== undefined) {
      result.continue = encodeContinue(revision, `${lastKey}\0`, prefix);
      if (remaining !== undefined && remaining > 0) result.remainingItemCount = remaining;
    }
    return result;
  }
}
