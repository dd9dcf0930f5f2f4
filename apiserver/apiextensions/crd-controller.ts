// The apiextensions part of the apiserver, as Kubernetes runs it inside kube-apiserver: every
// CustomResourceDefinition whose names do not clash is served at once (routes, discovery,
// storage), its status says so (NamesAccepted, Established), and a deleted one first has every
// object of it deleted (Terminating), then its cleanup finalizer removed. Each apiserver runs
// its own copy from its own watch cache; status writes are idempotent, so several agree.
import type { Logger } from 'pino';
import { customResourceInfos, customStorage, type CRDNames, type CustomResourceDefinition, type WebhookConverter } from '../../api/custom-resources/custom-kind.js';
import { deepEqual } from '../../api/codec/values.js';
import { setCondition as setConditionAt, type Condition } from '../../api/conditions.js';
import { rfc3339 } from '../../api/time.js';
import { CRD_CLEANUP_FINALIZER } from '../../api/kinds/apiextensions/customresourcedefinition.js';
import { StatusError } from '../../api/status.js';
import type { Unstructured } from '../../api/types/meta.js';
import type { Registry } from '../registry/registry.js';
import type { ResourceStore } from '../registry/store.js';
import type { Subscription } from '../storage/watch-cache.js';

const RESYNC_MS = 30_000;

const setCondition = (conditions: Condition[], c: Condition) => setConditionAt(conditions, c, rfc3339());

/** The names of `crd` another definition in its group already uses, as Kubernetes reports them. */
export function nameConflict(crd: CustomResourceDefinition, others: CustomResourceDefinition[], builtinPlurals: Set<string>): Condition | undefined {
  const n = crd.spec!.names;
  const group = crd.spec!.group;
  const taken = { plurals: new Set<string>(), singulars: new Set<string>(), shortNames: new Set<string>(), kinds: new Set<string>() };
  for (const p of builtinPlurals) taken.plurals.add(p);
  for (const o of others) {
    if (o.metadata.name === crd.metadata.name || o.spec?.group !== group) continue;
    const accepted = o.status?.acceptedNames as CRDNames | undefined;
    if (!accepted?.plural) continue;
    taken.plurals.add(accepted.plural);
    if (accepted.singular) taken.singulars.add(accepted.singular);
    for (const s of accepted.shortNames ?? []) taken.shortNames.add(s);
    taken.kinds.add(accepted.kind);
    if (accepted.listKind) taken.kinds.add(accepted.listKind);
  }
  const conflict = (reason: string, name: string): Condition => ({ type: 'NamesAccepted', status: 'False', reason, message: `"${name}" is already in use` });
  if (taken.plurals.has(n.plural) || taken.singulars.has(n.plural)) return conflict('PluralConflict', n.plural);
  const singular = n.singular || n.kind.toLowerCase();
  if (taken.plurals.has(singular) || taken.singulars.has(singular)) return conflict('SingularConflict', singular);
  for (const s of n.shortNames ?? []) if (taken.shortNames.has(s) || taken.plurals.has(s)) return conflict('ShortNamesConflict', s);
  if (taken.kinds.has(n.kind)) return conflict('KindConflict', n.kind);
  const listKind = n.listKind || `${n.kind}List`;
  if (taken.kinds.has(listKind)) return conflict('ListKindConflict', listKind);
  return undefined;
}

export class CRDController {
  private readonly queue = new Set<string>();
  private running?: Promise<void>;
  /** The definitions served now, by name (the spec they are served from). */
  private readonly served = new Map<string, CustomResourceDefinition>();
  private subscription?: Subscription;
  private resync?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly registry: Registry,
    private readonly log: Logger,
    /** How objects of CRDs with `conversion.strategy: Webhook` are converted. */
    private readonly webhookConverter?: WebhookConverter,
  ) {}

  private get store(): ResourceStore {
    return this.registry.storeFor(this.registry.table.find('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!);
  }

  private all(): CustomResourceDefinition[] {
    const store = this.store;
    return store.cache.list(store.keyPrefix()).map((o) => o.obj as CustomResourceDefinition);
  }

  /** Serves every definition already stored (before the server reports ready), then follows changes. */
  async start(): Promise<void> {
    await this.store.cache.ready;
    this.follow();
    for (const crd of this.all()) this.queue.add(crd.metadata.name!);
    await this.drain();
    this.resync = setInterval(() => {
      for (const name of [...this.served.keys(), ...this.all().map((c) => c.metadata.name!)]) this.enqueue(name);
    }, RESYNC_MS);
    this.resync.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.resync);
    this.subscription?.cancel();
  }

  private follow(): void {
    if (this.stopped) return;
    const cache = this.store.cache;
    try {
      this.subscription = cache.subscribe(cache.revision, (ev) => this.enqueue(ev.object.obj.metadata.name!));
      this.subscription.onClose(() => setTimeout(() => this.follow(), 100).unref());
    } catch {
      setTimeout(() => this.follow(), 100).unref();
    }
    // Whatever happened while not following is caught by a full pass.
    for (const crd of this.all()) this.enqueue(crd.metadata.name!);
  }

  private enqueue(name: string): void {
    this.queue.add(name);
    void this.drain();
  }

  /** Processes the queue one name at a time; resolves when it is empty. */
  drain(): Promise<void> {
    this.running ??= (async () => {
      while (this.queue.size && !this.stopped) {
        const name = this.queue.values().next().value as string;
        this.queue.delete(name);
        try {
          await this.reconcile(name);
        } catch (err) {
          this.log.warn({ crd: name, err: (err as Error).message }, 'custom resource definition not reconciled; retrying');
          setTimeout(() => this.enqueue(name), 1000).unref();
        }
      }
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  private async reconcile(name: string): Promise<void> {
    const crd = this.store.getCached(undefined, name)?.obj as CustomResourceDefinition | undefined;
    if (!crd) return this.unserve(name);
    if (crd.metadata.deletionTimestamp) return this.cleanUp(crd);
    const conflict = nameConflict(crd, this.all(), this.builtinPlurals(crd.spec!.group));
    if (conflict) {
      // Already served names stay served; new ones wait until the clash is gone.
      await this.writeStatus(crd, (conditions) => setCondition(setCondition(conditions, conflict), { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' }));
      return;
    }
    this.serve(crd);
    await this.writeStatus(crd, (conditions) =>
      setCondition(
        setCondition(conditions, { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' }),
        { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
      ), crd.spec!.names);
  }

  private builtinPlurals(group: string): Set<string> {
    return new Set(this.registry.table.all().filter((r) => r.group === group && !r.module.custom).map((r) => r.plural));
  }

  private serve(crd: CustomResourceDefinition): void {
    const name = crd.metadata.name!;
    const was = this.served.get(name);
    if (was && deepEqual(was.spec, crd.spec)) return;
    const infos = customResourceInfos(crd, this.webhookConverter);
    if (!infos) return;
    this.registry.ensureCustomStore(infos.stored);
    this.registry.table.setCustom(name, infos.served);
    this.registry.table.terminating.delete(name);
    this.served.set(name, crd);
    this.log.info({ crd: name, versions: infos.served.map((r) => r.version) }, 'serving custom resource');
  }

  private async unserve(name: string): Promise<void> {
    const was = this.served.get(name);
    if (!was) return;
    this.served.delete(name);
    this.registry.table.removeCustom(name);
    this.registry.table.terminating.delete(name);
    await this.registry.removeCustomStore(customStorage(was.spec!));
    this.log.info({ crd: name }, 'stopped serving custom resource');
  }

  /** Deletes every object of a deleted definition, then lets the definition go. */
  private async cleanUp(crd: CustomResourceDefinition): Promise<void> {
    const name = crd.metadata.name!;
    if (!(crd.metadata.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER)) return;
    const infos = customResourceInfos(crd, this.webhookConverter);
    this.registry.table.terminating.add(name);
    if (infos) {
      const store = this.registry.ensureCustomStore(infos.stored);
      const { items } = await store.list({ labels: [], fields: [] });
      await this.writeStatus(crd, (conditions) => setCondition(conditions, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' }));
      for (const item of items) {
        try {
          await store.delete(item.namespace || undefined, item.name, {}, false);
        } catch (err) {
          if (!(err instanceof StatusError && err.code === 404)) throw err;
        }
      }
      const left = (await store.list({ labels: [], fields: [] })).items.length;
      if (left > 0) {
        // Objects with finalizers of their own: look again shortly.
        await this.writeStatus(crd, (conditions) => setCondition(conditions, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionCheck', message: `could not confirm zero CustomResources remaining: ${left} left` }));
        setTimeout(() => this.enqueue(name), 1000).unref();
        return;
      }
    }
    const released = await this.store.update(undefined, name, {
      dryRun: false,
      mutate: (current) => {
        current.metadata.finalizers = (current.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER);
        return current;
      },
    }).catch((err) => {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    });
    // The last finalizer gone, the definition is deleted: stop serving it now rather than when
    // the watch brings the deletion, so this apiserver never serves a definition it has removed.
    if (released && !(released.object.obj.metadata.finalizers ?? []).length) await this.unserve(name);
  }

  private async writeStatus(crd: CustomResourceDefinition, conditions: (c: Condition[]) => Condition[], acceptedNames?: unknown): Promise<void> {
    const status = (crd.status ?? {}) as Unstructured;
    const next: Unstructured = { ...status, conditions: conditions((status.conditions as Condition[]) ?? []) };
    if (acceptedNames) next.acceptedNames = acceptedNames;
    // Stored versions only grow: a new storage version joins the old ones until migrated.
    const storage = crd.spec!.versions.find((v) => v.storage)?.name;
    const stored = (status.storedVersions as string[]) ?? [];
    if (storage && !stored.includes(storage)) next.storedVersions = [...stored, storage];
    if (deepEqual(stripTimes(next), stripTimes(status))) return;
    try {
      await this.store.update(undefined, crd.metadata.name!, {
        dryRun: false,
        subresource: 'status',
        mutate: (current) => ({ ...current, status: next }),
      });
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
  }
}

function stripTimes(status: Unstructured): unknown {
  return { ...status, conditions: ((status.conditions as Condition[]) ?? []).map(({ lastTransitionTime: _t, ...c }) => c) };
}
