// Every resource's store, keyed by its storage resource, over one etcd client. Builds the
// watch caches and makes sure the system namespaces exist.
import type { Logger } from 'pino';
import { ResourceTable, resources, storageInfo, type ResourceInfo } from '../../api/resources.js';
import { noSuchRoute, StatusError } from '../../api/status.js';
import type { KVStore } from '../storage/kv.js';
import { WatchCache, type CacheHolding } from '../storage/watch-cache.js';
import { strategyOf } from '../../api/kinds/registry.js';
import type { StrategyOptions } from '../../api/kinds/kind.js';
import { ServiceAllocator } from './service-allocator.js';
import { versionViews } from './version-views.js';
import { ResourceStore, type NamespaceState, type StoreHooks } from './store.js';

export interface RegistryOptions extends StrategyOptions {
  prefix: string;
  watchCacheSize: number;
  serviceClusterIPRange: string;
  serviceNodePortRange: string;
  /** Events are deleted this long after their last write (--event-ttl); 0 keeps them. */
  eventTTLSeconds: number;
}

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/**
 * Resources whose numbers grow with the cluster and which the apiserver reads little beyond
 * serving them: their watch caches hold each object's bytes alone, parsed again when read
 * (custom resources too). The others (RBAC, namespaces, service accounts, ...) are read on many
 * requests' paths and stay parsed as well.
 */
const BYTES_ONLY = new Set(['pods', 'nodes', 'configmaps', 'secrets', 'endpoints', 'endpointslices', 'replicasets', 'controllerrevisions', 'jobs']);

/** What the watch cache of a built-in resource holds (see CacheHolding): Events none, as in Kubernetes. */
function holdingOf(storage: string): CacheHolding {
  if (storage === 'events') return 'history';
  return BYTES_ONLY.has(storage) ? 'bytes' : 'parsed';
}

export class Registry {
  private readonly stores = new Map<string, ResourceStore>();
  readonly serviceAllocator: ServiceAllocator;
  /** What this server serves: the built-in resources and the established custom ones. */
  readonly table = new ResourceTable();

  constructor(
    readonly etcd: KVStore,
    readonly opts: RegistryOptions,
    private readonly log: Logger,
  ) {
    this.serviceAllocator = new ServiceAllocator(etcd, opts.prefix, { serviceClusterIPRange: opts.serviceClusterIPRange, serviceNodePortRange: opts.serviceNodePortRange });
    // Writes with side effects beyond the object's own key, by storage resource.
    const hooks: Record<string, StoreHooks> = { services: this.serviceAllocator };
    for (const r of resources) {
      const stored = storageInfo(r);
      // Made at each request, never stored: no watch cache, no etcd watch.
      if (this.stores.has(stored.storage) || r.module.computed) continue;
      const cache = new WatchCache(etcd, `${opts.prefix}/${stored.storage}/`, opts.watchCacheSize, log.child({ resource: stored.storage }), holdingOf(stored.storage));
      const store = new ResourceStore(etcd, stored, cache, strategyOf(stored.module, opts), opts.prefix, (ns) => this.namespaceState(ns), hooks[stored.storage], stored.storage === 'events' ? opts.eventTTLSeconds : undefined);
      store.versionViews = versionViews(this.table, stored);
      this.stores.set(stored.storage, store);
    }
  }

  /** How many objects of a served resource this server holds in its cache (undefined: unknown, not cached, or not served here). */
  objectCount(group: string, version: string, resource: string): number | undefined {
    const r = this.table.find(group, version, resource);
    const store = r && this.stores.get(r.storage);
    return store?.cache.holdsObjects ? store.cache.objects.size : undefined;
  }

  /** The store behind a served resource (any version). */
  storeFor(r: ResourceInfo): ResourceStore {
    const s = this.stores.get(r.storage);
    // A custom resource whose definition went away a moment ago.
    if (!s) throw noSuchRoute();
    return s;
  }

  /**
   * The store of a custom resource, stored as `stored` describes (made on first use; a changed
   * definition keeps the watch cache and takes the new schema and strategy).
   */
  ensureCustomStore(stored: ResourceInfo): ResourceStore {
    const existing = this.stores.get(stored.storage);
    if (existing?.info === stored) return existing;
    const cache = existing?.cache ?? new WatchCache(this.etcd, `${this.opts.prefix}/${stored.storage}/`, this.opts.watchCacheSize, this.log.child({ resource: stored.storage }), 'bytes');
    const store = new ResourceStore(this.etcd, stored, cache, strategyOf(stored.module, this.opts), this.opts.prefix, (ns) => this.namespaceState(ns));
    store.versionViews = versionViews(this.table, stored);
    this.stores.set(stored.storage, store);
    return store;
  }

  /** Stops serving a custom resource's store (its definition is gone). */
  async removeCustomStore(storage: string): Promise<void> {
    const store = this.stores.get(storage);
    if (!store || !store.info.module.custom) return;
    this.stores.delete(storage);
    await store.cache.stop();
  }

  get namespaces(): ResourceStore {
    return this.stores.get('namespaces')!;
  }

  async namespaceState(name: string): Promise<NamespaceState> {
    const ns = this.namespaces;
    // Read our own writes: a namespace this server just marked Terminating must not look Active
    // because its cache has not seen that write yet.
    const fresh = ns.cache.revision >= ns.lastWriteRevision || (await ns.cache.waitFor(ns.lastWriteRevision, 1000));
    let obj = fresh ? ns.getCached(undefined, name)?.obj : undefined;
    if (!obj) {
      // The cache may trail a namespace created a moment ago (or be behind): ask etcd.
      try {
        obj = (await ns.get(undefined, name)).obj;
      } catch (err) {
        if (err instanceof StatusError && err.code === 404) return 'missing';
        throw err;
      }
    }
    return obj.status?.phase === 'Terminating' || obj.metadata.deletionTimestamp ? 'terminating' : 'active';
  }

  /** Resources whose watch cache is not up to date with etcd (loading, disconnected or catching up). */
  staleCaches(): Array<{ resource: string; state: string; staleMs: number }> {
    const now = Date.now();
    return [...this.stores.values()]
      .filter((s) => s.cache.state !== 'synced')
      .map((s) => ({ resource: s.info.storage, state: s.cache.state, staleMs: now - s.cache.staleSince }));
  }

  async ready(): Promise<void> {
    await Promise.all([...this.stores.values()].map((s) => s.cache.ready));
  }

  async bootstrap(): Promise<void> {
    await Promise.all(
      SYSTEM_NAMESPACES.map(async (name) => {
        try {
          await this.namespaces.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, false);
        } catch (err) {
          if (!(err instanceof StatusError && err.code === 409)) throw err;
        }
      }),
    );
  }

  async stop(): Promise<void> {
    await Promise.all([...this.stores.values()].map((s) => s.cache.stop()));
  }
}
