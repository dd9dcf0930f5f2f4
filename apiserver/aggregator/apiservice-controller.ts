// The aggregator's bookkeeping, as kube-apiserver does it: every group version this server
// serves itself has a local APIService (made at start for built-in groups, and for custom
// resources while their definition is served; those go with it), always Available; an
// APIService backed by a Service is Available only while the Service exists and has ready
// endpoints. Each apiserver runs this from its own caches; the writes are idempotent.
import type { Logger } from 'pino';
import { setCondition, type Condition } from '../../api/conditions.js';
import { rfc3339 } from '../../api/time.js';
import { groupVersion } from '../../api/resources.js';
import { StatusError } from '../../api/status.js';
import type { KubeObject, Unstructured } from '../../api/types/meta.js';
import type { Registry } from '../registry/registry.js';
import type { ResourceStore } from '../registry/store.js';
import type { AggregatorProxy } from './proxy.js';

const AUTOMANAGED = 'kube-aggregator.kubernetes.io/automanaged';
const RESYNC_MS = 5000;

/** Kubernetes' priorities for its own groups (higher first); custom groups get 1000/100. */
const GROUP_PRIORITY: Record<string, number> = {
  '': 18000,
  'apiextensions.k8s.io': 16700,
  'apiregistration.k8s.io': 18000,
  apps: 17800,
  'authentication.k8s.io': 17700,
  'authorization.k8s.io': 17600,
  autoscaling: 17500,
  batch: 17400,
  'certificates.k8s.io': 17300,
  'coordination.k8s.io': 16500,
  'discovery.k8s.io': 16200,
  'events.k8s.io': 17750,
  'networking.k8s.io': 17200,
  policy: 17100,
  'rbac.authorization.k8s.io': 17000,
  'scheduling.k8s.io': 16600,
  'storage.k8s.io': 16800,
};


export class APIServiceController {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly registry: Registry,
    private readonly proxy: AggregatorProxy,
    private readonly log: Logger,
  ) {}

  private store(resource: string, group = ''): ResourceStore {
    return this.registry.storeFor(this.registry.table.find(group, 'v1', resource)!);
  }

  async start(): Promise<void> {
    await this.sync();
    this.timer = setInterval(() => void this.sync(), RESYNC_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One pass; overlapping calls share it. */
  sync(): Promise<void> {
    this.running ??= this.pass()
      .catch((err) => this.log.warn({ err: (err as Error).message }, 'APIService sync failed; trying again'))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    const apiservices = this.store('apiservices', 'apiregistration.k8s.io');
    const existing = new Map(apiservices.cache.list(apiservices.keyPrefix()).map((o) => [o.obj.metadata.name!, o.obj]));
    const served = this.registry.table.groupVersions();
    const wanted = new Set<string>();
    const byGroup = new Map<string, number>();
    // Each APIService is its own object: written together, not one round trip after another
    // (a first start creates about thirty of them before the server says it is ready).
    const writes: Array<Promise<void>> = [];
    for (const gv of served) {
      const name = `${gv.version}.${gv.group}`;
      wanted.add(name);
      const custom = gv.resources.every((r) => r.module.custom);
      const index = byGroup.get(gv.group) ?? 0;
      byGroup.set(gv.group, index + 1);
      if (existing.has(name)) continue;
      writes.push(this.create(apiservices, {
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name, labels: { [AUTOMANAGED]: custom ? 'true' : 'onstart' } },
        spec: {
          group: gv.group,
          version: gv.version,
          groupPriorityMinimum: custom ? 1000 : (GROUP_PRIORITY[gv.group] ?? 1000),
          // The preferred (first) version ranks highest.
          versionPriority: custom ? 100 - index : 15 - index,
        },
      }));
    }
    for (const [name, obj] of existing) {
      // A custom group whose definition is gone takes its APIService with it.
      if (!wanted.has(name) && obj.metadata.labels?.[AUTOMANAGED] === 'true' && !obj.spec?.service) {
        writes.push(
          apiservices.delete(undefined, name, {}, false).then(
            () => undefined,
            (err) => {
              if (!(err instanceof StatusError && err.code === 404)) throw err;
            },
          ),
        );
        continue;
      }
      writes.push(this.updateAvailability(apiservices, obj));
    }
    await Promise.all(writes);
  }

  private async create(store: ResourceStore, obj: KubeObject): Promise<void> {
    try {
      const created = await store.create(obj, false, { manager: 'kube-apiserver', apiVersion: 'apiregistration.k8s.io/v1' });
      await this.updateAvailability(store, created.obj);
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 409)) throw err;
    }
  }

  /** Local: always available. Service-backed: while the Service exists and has a ready endpoint. */
  private async updateAvailability(store: ResourceStore, obj: KubeObject): Promise<void> {
    const service = obj.spec?.service as { namespace?: string; name?: string } | undefined;
    let condition: Condition;
    if (!service) condition = { type: 'Available', status: 'True', reason: 'Local', message: 'Local APIServices are always available' };
    else {
      const svc = this.store('services').getCached(service.namespace, service.name ?? '');
      const endpoints = this.store('endpoints').getCached(service.namespace, service.name ?? '')?.obj;
      const ready = ((endpoints?.subsets as Unstructured[]) ?? []).some((s) => (s.addresses ?? []).length > 0);
      if (!svc) condition = { type: 'Available', status: 'False', reason: 'ServiceNotFound', message: `service/${service.name} in "${service.namespace}" is not present` };
      else if (!ready && svc.obj.spec?.type !== 'ExternalName') condition = { type: 'Available', status: 'False', reason: 'MissingEndpoints', message: `endpoints for service/${service.name} in "${service.namespace}" have no addresses` };
      else {
        // The backend must answer its discovery: that is also what this server's discovery merges.
        try {
          await this.proxy.refresh(obj);
          condition = { type: 'Available', status: 'True', reason: 'Passed', message: 'all checks passed' };
        } catch (err) {
          condition = { type: 'Available', status: 'False', reason: 'FailedDiscoveryCheck', message: `failing or missing response from service/${service.name} in "${service.namespace}": ${(err as Error).message}` };
        }
      }
    }
    const conditions = (obj.status?.conditions as Condition[]) ?? [];
    const old = conditions.find((c) => c.type === 'Available');
    if (old && old.status === condition.status && old.reason === condition.reason && old.message === condition.message) return;
    const next = setCondition(conditions, condition, rfc3339());
    await store
      .update(undefined, obj.metadata.name!, {
        dryRun: false,
        subresource: 'status',
        tracking: { manager: 'kube-apiserver', apiVersion: groupVersion({ group: 'apiregistration.k8s.io', version: 'v1' }) },
        mutate: (current) => ({ ...current, status: { ...(current.status ?? {}), conditions: next } }),
      })
      .catch((err) => {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      });
  }
}
