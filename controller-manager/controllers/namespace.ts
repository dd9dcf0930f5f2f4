// The namespace controller: a namespace being deleted (phase Terminating) is emptied of every
// namespaced resource, waiting for pods to finish their graceful termination, and then its
// `kubernetes` finalizer is removed through the finalize subresource so the apiserver can
// remove it. Conditions on the namespace say what is still in the way.
import type { Namespace } from '../../api/types/core.js';
import { builtinResources, groupVersion, type ApiResource } from '../../api/resource-catalog.js';
import { StatusError } from '../../api/status.js';
import { rfc3339 } from '../../api/time.js';
import type { Informer } from '../../client/informer.js';
import { discoverExtraResources } from '../../client/discovery.js';
import { resource } from '../../client/rest.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../framework/controller.js';

const namespaces = resource('v1/namespaces');

const deletable = (r: ApiResource) => r.namespaced && r.verbs.includes('deletecollection') && r.verbs.includes('list');

/** Built-in namespaced resources that can be emptied, one version per stored resource. */
function namespacedContent(): ApiResource[] {
  return builtinResources.filter((r) => r.storageVersion && deletable(r));
}

export class NamespaceController extends Controller {
  private readonly namespaces: Informer<Namespace>;

  constructor(ctx: ControllerContext) {
    super('namespace', ctx);
    this.namespaces = ctx.informers.for('v1/namespaces');
    this.namespaces.addHandler({ add: (n) => this.maybe(n), update: (_o, n) => this.maybe(n) });
  }

  private maybe(ns: Namespace): void {
    if (ns.metadata.deletionTimestamp) this.enqueue(ns);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const ns = this.namespaces.get(key);
    if (!ns?.metadata.deletionTimestamp) return;
    if (!(ns.spec?.finalizers ?? []).includes('kubernetes')) return;
    const name = ns.metadata.name!;
    const remaining: string[] = [];
    const failures: string[] = [];
    // Custom resources live in namespaces too: ask the server what it serves beyond the built-ins.
    let discovered: ApiResource[];
    try {
      discovered = (await discoverExtraResources(this.ctx.client)).filter(deletable);
    } catch (err) {
      await this.setConditions(ns, remaining, failures, (err as Error).message);
      return { requeueAfterMs: 1000 };
    }
    await Promise.all(
      [...namespacedContent(), ...discovered].map(async (r) => {
        try {
          const list = await this.ctx.client.list(r, name, { limit: 1 });
          if (!list.items.length) return;
          await this.ctx.client.request('DELETE', this.ctx.client.path(r, name), { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' } });
          const after = await this.ctx.client.list(r, name, {});
          if (after.items.length) remaining.push(`${r.plural}${r.group ? `.${r.group}` : ''} has ${after.items.length} resource instances`);
        } catch (err) {
          if (err instanceof StatusError && err.code === 404) return;
          failures.push(`${groupVersion(r)}/${r.plural}: ${(err as Error).message}`);
        }
      }),
    );
    await this.setConditions(ns, remaining, failures);
    if (remaining.length || failures.length) return { requeueAfterMs: 1000 };
    const finalizers = (ns.spec?.finalizers ?? []).filter((f: string) => f !== 'kubernetes');
    try {
      await this.ctx.client.request('PUT', this.ctx.client.path(namespaces, undefined, name, 'finalize'), { body: { ...structuredClone(ns), spec: { ...ns.spec, finalizers } } });
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
  }

  private async setConditions(ns: Namespace, remaining: string[], failures: string[], discoveryFailure?: string): Promise<void> {
    const now = rfc3339();
    const prior = ns.status?.conditions ?? [];
    const cond = (type: string, bad: boolean, reason: string, message: string) => {
      const before = prior.find((c) => c.type === type);
      const status = bad ? 'True' : 'False';
      return { type, status, lastTransitionTime: before?.status === status ? before.lastTransitionTime : now, reason, message };
    };
    const conditions = [
      discoveryFailure
        ? cond('NamespaceDeletionDiscoveryFailure', true, 'DiscoveryFailed', `Discovery failed for some groups: ${discoveryFailure}`)
        : cond('NamespaceDeletionDiscoveryFailure', false, 'ResourcesDiscovered', 'All resources successfully discovered'),
      cond('NamespaceDeletionGroupVersionParsingFailure', false, 'ParsedGroupVersions', 'All legacy kube types successfully parsed'),
      failures.length
        ? cond('NamespaceDeletionContentFailure', true, 'ContentDeletionFailed', `Failed to delete all resource types, ${failures.length} remaining: ${failures.join(', ')}`)
        : cond('NamespaceDeletionContentFailure', false, 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'),
      remaining.length
        ? cond('NamespaceContentRemaining', true, 'SomeResourcesRemain', `Some resources are remaining: ${remaining.join(', ')}`)
        : cond('NamespaceContentRemaining', false, 'ContentRemoved', 'All content successfully removed'),
      cond('NamespaceFinalizersRemaining', false, 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'),
    ];
    const strip = (cs: Array<{ lastTransitionTime?: string }>) => JSON.stringify(cs.map(({ lastTransitionTime: _t, ...c }) => c));
    if (strip(conditions) === strip(prior)) return;
    try {
      await this.ctx.client.patch(namespaces, undefined, ns.metadata.name!, { status: { conditions } }, 'merge', 'status');
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
  }
}
