// The resourcequota controller: keeps each ResourceQuota's status (hard: its spec's limits;
// used: what the namespace's objects use of them, counted as api/quota.ts counts) true. The
// apiserver's ResourceQuota admission charges writes as they happen; this recount is what
// releases usage when objects go (or a write charged never happened). Pods, services, claims,
// ReplicationControllers and ConfigMaps are followed by the shared informers, so a change to
// them recounts their namespace's quotas at once; other counted kinds (Secrets, count/<any>)
// are listed when a quota is synced, every --resource-quota-sync-period and sooner
// (every 15 s) for quotas that count them.
import { deepEqual } from '../../api/codec/values.js';
import { countName, formatUsage, hardOf, quotaApplies, usageOf } from '../../api/quota.js';
import { builtinResources, type ApiResource } from '../../api/resource-catalog.js';
import type { KubeObject } from '../../api/types/meta.js';
import { cachedExtraResources } from '../../client/discovery.js';
import type { Informer } from '../../client/informer.js';
import { resource } from '../../client/rest.js';
import { StatusError } from '../../api/status.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../framework/controller.js';

const quotas = resource('v1/resourcequotas');
const FOLLOWED = ['pods', 'services', 'persistentvolumeclaims', 'replicationcontrollers', 'configmaps'];
const UNFOLLOWED_RESYNC_MS = 15_000;

export class ResourceQuotaController extends Controller {
  private readonly quotas: Informer<KubeObject>;
  private readonly followed = new Map<string, Informer<KubeObject>>();
  /** Custom resources, for count/<custom resource> limits. */
  private readonly discovered: ReturnType<typeof cachedExtraResources>;

  constructor(
    ctx: ControllerContext,
    private readonly resyncMs: number = ctx.options.resourceQuotaSyncPeriodMs ?? 300_000,
  ) {
    super('resourcequota', ctx);
    this.discovered = cachedExtraResources(ctx.client);
    this.quotas = ctx.informers.for('v1/resourcequotas');
    this.quotas.addIndexer('namespace', (q) => [q.metadata.namespace ?? '']);
    this.quotas.addHandler({ add: (q) => this.enqueue(q), update: (o, q) => !deepEqual(o.spec, q.spec) && this.enqueue(q) });
    for (const plural of FOLLOWED) {
      const inf = ctx.informers.for<KubeObject>(`v1/${plural}`);
      inf.addIndexer('namespace', (o) => [o.metadata.namespace ?? '']);
      const touch = (o: KubeObject) => this.recountNamespace(o.metadata.namespace);
      inf.addHandler({ add: touch, update: (_o, n) => touch(n), delete: touch });
      this.followed.set(plural, inf);
    }
  }

  private recountNamespace(namespace: string | undefined): void {
    if (!namespace) return;
    for (const q of this.quotas.byIndex('namespace', namespace)) this.enqueue(q);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const quota = this.quotas.get(key);
    if (!quota) return;
    const namespace = quota.metadata.namespace!;
    const hard = hardOf(quota);
    const used = new Map<string, number>(Object.keys(hard).map((r) => [r, 0]));
    let listedOthers = false;
    const add = (group: string, plural: string, objs: KubeObject[]) => {
      for (const o of objs) {
        if (!quotaApplies(quota, group, plural, o)) continue;
        for (const [r, v] of usageOf(group, plural, o)) if (used.has(r)) used.set(r, used.get(r)! + v);
      }
    };
    for (const [plural, inf] of this.followed) add('', plural, inf.byIndex('namespace', namespace));
    // Kinds the informers do not follow: counted from a list, for the quotas that name them.
    for (const r of await this.unfollowedCounted(Object.keys(hard))) {
      listedOthers = true;
      const list = await this.ctx.client.list<KubeObject>(r, namespace);
      add(r.group, r.plural, list.items);
    }
    const status = { hard: { ...hard }, used: Object.fromEntries([...used].map(([r, v]) => [r, formatUsage(r, v)])) };
    if (!deepEqual(quota.status ?? {}, status)) {
      try {
        await this.ctx.client.updateStatus(quotas, { ...quota, status });
      } catch (err) {
        // A write meanwhile (the apiserver charging it): the update event recounts.
        if (!(err instanceof StatusError && (err.code === 409 || err.code === 404))) throw err;
        if (err.code === 409) return { requeueAfterMs: 200 };
      }
    }
    return { requeueAfterMs: listedOthers ? Math.min(UNFOLLOWED_RESYNC_MS, this.resyncMs) : this.resyncMs };
  }

  /** The resources a quota counts that no informer here follows: secrets, count/<plural>[.<group>] of any kind. */
  private async unfollowedCounted(names: string[]): Promise<ApiResource[]> {
    const out = new Map<string, ApiResource>();
    const want = (group: string, plural: string) => {
      if (group === '' && FOLLOWED.includes(plural)) return;
      const r = builtinResources.find((x) => x.group === group && x.plural === plural && x.storageVersion && x.namespaced);
      if (r) out.set(`${group}/${plural}`, r);
      return r;
    };
    let custom: ApiResource[] | undefined;
    for (const name of names) {
      if (name === 'secrets') want('', 'secrets');
      if (name === 'resourcequotas') want('', 'resourcequotas');
      if (!name.startsWith('count/')) continue;
      const rest = name.slice('count/'.length);
      const dot = rest.indexOf('.');
      const [plural, group] = dot < 0 ? [rest, ''] : [rest.slice(0, dot), rest.slice(dot + 1)];
      if (countName(group, plural) !== name) continue;
      if (want(group, plural) || (group === '' && FOLLOWED.includes(plural))) continue;
      // A custom resource's count: found by discovery.
      custom ??= await this.discovered().catch(() => []);
      const r = custom.find((x) => x.group === group && x.plural === plural && x.namespaced);
      if (r) out.set(`${group}/${plural}`, r);
    }
    return [...out.values()];
  }
}
