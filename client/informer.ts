// An informer: a local cache of one resource kept current by list + watch. It resumes a
// dropped watch from the last resourceVersion it saw (bookmarks included), relists when the
// server says that version is gone (410), backs off 1 s -> 30 s on errors, and reconciles a
// relist against its cache so handlers see exactly what changed. Cached objects are shared:
// handlers and readers must copy before changing one.
import type { Logger } from 'pino';
import type { ApiResource } from '../api/resource-catalog.js';
import { StatusError } from '../api/status.js';
import type { KubeObject, Status } from '../api/types/meta.js';
import type { ApiClient } from './api-client.js';
import { readWatchEvents } from './watch.js';
import { sleep } from './sleep.js';
import { StringInterner } from '../api/codec/string-interner.js';
import { SubtreeSharer } from '../api/codec/shared-subtrees.js';
import { metadataWithoutManagedFields } from '../api/managed-fields/without-managed-fields.js';

/** The one table every informer of a process shares: their objects repeat each other's values. */
const informerStrings = new StringInterner();
/** Likewise for the parts objects of one family repeat (see InformerOptions.family). */
const informerSubtrees = new SubtreeSharer();

export interface InformerOptions<T extends KubeObject = KubeObject> {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /**
   * Keep metadata.managedFields in the cache. By default they are dropped as objects arrive,
   * as kube-scheduler and kube-controller-manager do: no control loop reads them, they are
   * often a third of an object, and an update without them leaves the server's as they are.
   */
  keepManagedFields?: boolean;
  /**
   * Cuts an arriving object down to what its reader uses, before it is stored or handed to
   * handlers (client-go's SetTransform). Whatever it drops is gone from the cache, so a
   * reader that trims must never write a cached object back with an update.
   */
  transform?: (obj: T) => T;
  /**
   * The family of an arriving object (e.g. a pod's controller): objects of one family share
   * the parts they repeat, frozen (api/codec/shared-subtrees.ts), which makes a cache of
   * thousands of pods from a few templates far lighter. Only for readers that never change a
   * cached object in place.
   */
  family?: (obj: T) => string;
}

export interface EventHandler<T> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T): void;
}

export type IndexFunc<T> = (obj: T) => string[];

export interface InformerStats {
  lists: number;
  watches: number;
  events: number;
  errors: number;
  lastEventAt: number;
}

/** `namespace/name`, or `name` for cluster-scoped objects: the key queues and caches use. */
export function objectKey(obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name}` : name!;
}

const INITIAL_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
/**
 * No answer at all (a refused or broken connection: the apiserver starting or restarting, as
 * when a whole cluster starts at once) is asked again this often for the first
 * UNREACHABLE_WINDOW_MS of it, rather than after a back-off that can leave a component blind for
 * seconds after the server is up; an answer (an error Status) or a longer silence backs off.
 */
export const UNREACHABLE_RETRY_MS = 250;
const UNREACHABLE_WINDOW_MS = 10_000;

export class Informer<T extends KubeObject = KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly handlers: EventHandler<T>[] = [];
  private readonly indexers = new Map<string, { fn: IndexFunc<T>; index: Map<string, Set<string>> }>();
  private resourceVersion = '';
  private markSynced!: () => void;
  readonly synced: Promise<void> = new Promise((resolve) => (this.markSynced = resolve));
  readonly stats: InformerStats = { lists: 0, watches: 0, events: 0, errors: 0, lastEventAt: 0 };

  constructor(
    private readonly client: ApiClient,
    readonly resource: ApiResource,
    private readonly opts: InformerOptions<T> = {},
    private readonly log?: Logger,
  ) {}

  /** Adds a handler; one added to an informer already holding objects is told of each as added (client-go's AddEventHandler). */
  addHandler(h: EventHandler<T>): void {
    this.handlers.push(h);
    for (const [key, obj] of this.items) {
      try {
        h.add?.(obj);
      } catch (err) {
        this.log?.error({ err, key }, 'informer handler failed');
      }
    }
  }

  /** Adds an index; a second index of the same name is the same index (shared informers). */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    if (this.indexers.has(name)) return;
    const index = new Map<string, Set<string>>();
    for (const [key, obj] of this.items) for (const v of fn(obj)) (index.get(v) ?? index.set(v, new Set()).get(v)!).add(key);
    this.indexers.set(name, { fn, index });
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  byIndex(name: string, value: string): T[] {
    const idx = this.indexers.get(name);
    if (!idx) throw new Error(`no index ${name}`);
    return [...(idx.index.get(value) ?? [])].map((k) => this.items.get(k)!).filter(Boolean);
  }

  get lastResourceVersion(): string {
    return this.resourceVersion;
  }

  /** Runs until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    let backoff = INITIAL_BACKOFF_MS;
    let firstList = true;
    let unreachableSince = 0;
    let quickRetries = 0;
    while (!signal.aborted) {
      try {
        if (!this.resourceVersion) {
          // The first list may come from the server's cache; a relist after 410 must be fresh.
          await this.relist(firstList ? '0' : '');
          firstList = false;
        }
        await this.watch(signal);
        backoff = INITIAL_BACKOFF_MS;
        unreachableSince = quickRetries = 0;
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof StatusError && err.code === 410) {
          this.resourceVersion = '';
          continue;
        }
        this.stats.errors++;
        const unreachable = !(err instanceof StatusError);
        if (!unreachable) unreachableSince = quickRetries = 0;
        else unreachableSince ||= Date.now();
        const quick = unreachable && Date.now() - unreachableSince < UNREACHABLE_WINDOW_MS;
        const delay = quick ? UNREACHABLE_RETRY_MS : backoff;
        // While retrying quickly, about once every five seconds.
        if (!quick || quickRetries++ % 20 === 0) this.log?.warn({ resource: this.resource.plural, err: (err as Error).message, retryInMs: delay }, 'list/watch failed; retrying');
        await sleep(delay, signal);
        if (!quick) backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  private async relist(resourceVersion: string): Promise<void> {
    const list = await this.client.list<T>(this.resource, this.opts.namespace, {
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
      resourceVersion,
    });
    this.stats.lists++;
    this.replace(list.items, list.metadata.resourceVersion ?? '');
  }

  /**
   * Makes the cache hold exactly `items` (handlers see what changed), as a list does, and marks
   * the informer synced. Unit tests seed informers with it instead of a server.
   */
  replace(items: T[], resourceVersion = ''): void {
    const seen = new Set<string>();
    for (const arrived of items) {
      const item = this.trim(arrived);
      // Lists omit kind/apiVersion on items; fill them so handlers see whole objects.
      item.kind ??= this.resource.kind;
      item.apiVersion ??= this.resource.group ? `${this.resource.group}/${this.resource.version}` : this.resource.version;
      const key = objectKey(item);
      seen.add(key);
      this.upsert(key, item);
    }
    for (const [key, obj] of [...this.items]) if (!seen.has(key)) this.remove(key, obj);
    this.resourceVersion = resourceVersion;
    this.markSynced();
  }

  private async watch(signal: AbortSignal): Promise<void> {
    const res = await this.client.openWatch(
      this.resource,
      this.opts.namespace,
      {
        resourceVersion: this.resourceVersion,
        labelSelector: this.opts.labelSelector,
        fieldSelector: this.opts.fieldSelector,
        allowWatchBookmarks: true,
        timeoutSeconds: 300 + Math.floor(Math.random() * 300),
      },
      signal,
    );
    this.stats.watches++;
    for await (const ev of readWatchEvents<T>(res.body)) {
      this.stats.events++;
      this.stats.lastEventAt = Date.now();
      if (ev.type === 'ERROR') {
        const s = ev.object as unknown as Status;
        throw new StatusError(s.code ?? 500, s.reason ?? '', s.message ?? 'watch error');
      }
      const rv = ev.object.metadata?.resourceVersion;
      if (ev.type === 'BOOKMARK') {
        if (rv) this.resourceVersion = rv;
        continue;
      }
      const obj = this.trim(ev.object);
      const key = objectKey(obj);
      if (ev.type === 'DELETED') this.remove(key, obj);
      else this.upsert(key, obj);
      if (rv) this.resourceVersion = rv;
    }
  }

  private trim(obj: T): T {
    if (!this.opts.keepManagedFields && obj.metadata) obj.metadata = metadataWithoutManagedFields(obj.metadata);
    const kept = this.opts.transform ? this.opts.transform(obj) : obj;
    informerStrings.internValues(kept);
    if (this.opts.family) informerSubtrees.share(kept, `${this.resource.storage}\0${this.opts.family(kept)}`);
    return kept;
  }

  private upsert(key: string, obj: T): void {
    const old = this.items.get(key);
    if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    this.items.set(key, obj);
    this.reindex(key, old, obj);
    for (const h of this.handlers) {
      try {
        if (old) h.update?.(old, obj);
        else h.add?.(obj);
      } catch (err) {
        this.log?.error({ err, key }, 'informer handler failed');
      }
    }
  }

  private remove(key: string, obj: T): void {
    const old = this.items.get(key);
    if (!old) return;
    this.items.delete(key);
    this.reindex(key, old, undefined);
    for (const h of this.handlers) {
      try {
        h.delete?.(obj);
      } catch (err) {
        this.log?.error({ err, key }, 'informer handler failed');
      }
    }
  }

  private reindex(key: string, old: T | undefined, obj: T | undefined): void {
    for (const { fn, index } of this.indexers.values()) {
      if (old) for (const v of fn(old)) index.get(v)?.delete(key);
      if (obj) for (const v of fn(obj)) (index.get(v) ?? index.set(v, new Set()).get(v)!).add(key);
    }
  }
}
