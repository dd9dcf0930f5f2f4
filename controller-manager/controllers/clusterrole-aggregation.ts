// ClusterRole aggregation: a ClusterRole with an aggregationRule holds the union of the rules of
// every other ClusterRole its selectors match (in name order, each rule once), kept up to date
// as those roles come, change and go. The apiserver fills in the shipped admin, edit and view
// at start-up; this is what makes roles users add with aggregate-to-* labels (or aggregating
// roles of their own) take effect.
import { fromLabelSelector, matches } from '../../api/labels.js';
import { StatusError } from '../../api/status.js';
import type { KubeObject, LabelSelector } from '../../api/types/meta.js';
import type { Informer } from '../../client/informer.js';
import { resource } from '../../client/rest.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../framework/controller.js';

const clusterroles = resource('rbac.authorization.k8s.io/v1/clusterroles');

interface ClusterRole extends KubeObject<never, never> {
  rules?: unknown[] | null;
  aggregationRule?: { clusterRoleSelectors?: LabelSelector[] };
}

export class ClusterRoleAggregationController extends Controller {
  private readonly roles: Informer<ClusterRole>;

  constructor(ctx: ControllerContext) {
    super('clusterrole-aggregation', ctx);
    this.roles = ctx.informers.for<ClusterRole>('rbac.authorization.k8s.io/v1/clusterroles');
    // Any role may be selected by any aggregating one: each change re-checks those.
    const all = () => this.roles.list().filter((r) => r.aggregationRule).forEach((r) => this.enqueue(r));
    this.roles.addHandler({ add: all, update: all, delete: all });
  }

  async reconcile(name: string): Promise<ReconcileResult> {
    const role = this.roles.get(name);
    const selectors = role?.aggregationRule?.clusterRoleSelectors;
    if (!role || !selectors) return;
    const compiled = selectors.map((s) => fromLabelSelector(s));
    const sources = this.roles
      .list()
      .filter((r) => r.metadata.name !== name && compiled.some((sel) => matches(sel, r.metadata.labels)))
      .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
    const rules: unknown[] = [];
    const seen = new Set<string>();
    for (const r of sources) {
      for (const rule of r.rules ?? []) {
        const key = JSON.stringify(rule);
        if (seen.has(key)) continue;
        seen.add(key);
        rules.push(rule);
      }
    }
    if (JSON.stringify(role.rules ?? []) === JSON.stringify(rules)) return;
    try {
      await this.ctx.client.update<ClusterRole>(clusterroles, { ...role, rules });
    } catch (err) {
      // 409: the role changed meanwhile; its update event brings it back.
      if (!(err instanceof StatusError && (err.code === 409 || err.code === 404))) throw err;
    }
  }
}
