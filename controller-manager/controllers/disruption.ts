// The disruption controller: keeps each PodDisruptionBudget's status, which evictions obey.
// expectedPods is the pods' controllers' scale (Deployments through their ReplicaSets,
// ReplicaSets, StatefulSets, ReplicationControllers) when the budget is a percentage or
// maxUnavailable, else the number of matching pods; desiredHealthy follows from the budget;
// currentHealthy counts Ready pods not being deleted (nor just evicted: status.disruptedPods
// holds pods the apiserver let go until they are seen deleted, for two minutes at most);
// disruptionsAllowed is the difference, never below 0.
import { fromLabelSelector, matches } from '../../api/labels.js';
import { controllerRef } from '../../api/owners.js';
import { StatusError } from '../../api/status.js';
import { rfc3339 } from '../../api/time.js';
import type { Deployment, ReplicaSet, StatefulSet } from '../../api/types/apps.js';
import type { ReplicationController } from '../../api/types/core.js';
import type { Pod } from '../../api/types/pod.js';
import type { PodDisruptionBudget } from '../../api/types/policy.js';
import type { Informer } from '../../client/informer.js';
import { resource } from '../../client/rest.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../framework/controller.js';
import { isReady } from './pod-util.js';
import { resolveIntOrPercent } from './workload-arithmetic.js';

const budgets = resource('policy/v1/poddisruptionbudgets');
const DISRUPTED_TIMEOUT_MS = 2 * 60_000;

export interface BudgetNumbers {
  expectedPods: number;
  desiredHealthy: number;
  currentHealthy: number;
  disruptionsAllowed: number;
}

/** The budget's numbers for its pods (`healthy`: Ready ones not going away), given the expected count. */
export function budgetNumbers(spec: PodDisruptionBudget['spec'], matching: number, healthy: number, controllersScale: number | undefined): BudgetNumbers {
  let expectedPods = matching;
  let desiredHealthy = 0;
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    expectedPods = controllersScale ?? matching;
    desiredHealthy = Math.max(0, expectedPods - resolveIntOrPercent(spec.maxUnavailable, expectedPods, true, '0'));
  } else if (typeof spec.minAvailable === 'number') {
    desiredHealthy = spec.minAvailable;
  } else if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
    expectedPods = controllersScale ?? matching;
    desiredHealthy = resolveIntOrPercent(spec.minAvailable, expectedPods, true, '0');
  }
  return { expectedPods, desiredHealthy, currentHealthy: healthy, disruptionsAllowed: Math.max(0, healthy - desiredHealthy) };
}

export class DisruptionController extends Controller {
  private readonly budgets: Informer<PodDisruptionBudget>;
  private readonly pods: Informer<Pod>;
  private readonly deployments: Informer<Deployment>;
  private readonly replicasets: Informer<ReplicaSet>;
  private readonly statefulsets: Informer<StatefulSet>;
  private readonly rcs: Informer<ReplicationController>;

  constructor(
    ctx: ControllerContext,
    private readonly now: () => number = Date.now,
  ) {
    super('disruption', ctx);
    this.budgets = ctx.informers.for<PodDisruptionBudget>('policy/v1/poddisruptionbudgets');
    this.pods = ctx.informers.for<Pod>('v1/pods');
    this.deployments = ctx.informers.for<Deployment>('apps/v1/deployments');
    this.replicasets = ctx.informers.for<ReplicaSet>('apps/v1/replicasets');
    this.statefulsets = ctx.informers.for<StatefulSet>('apps/v1/statefulsets');
    this.rcs = ctx.informers.for<ReplicationController>('v1/replicationcontrollers');
    this.budgets.addIndexer('namespace', (b) => [b.metadata.namespace ?? '']);
    this.budgets.addHandler({ add: (b) => this.enqueue(b), update: (_o, b) => this.enqueue(b) });
    const forPod = (p: Pod) => {
      for (const b of this.budgets.byIndex('namespace', p.metadata.namespace ?? '')) {
        if (matches(fromLabelSelector(b.spec?.selector), p.metadata.labels)) this.enqueue(b);
      }
    };
    this.pods.addHandler({ add: forPod, update: (_o, p) => forPod(p), delete: forPod });
    // A scale change changes expectedPods of percentage budgets.
    const all = () => this.budgets.list().forEach((b) => this.enqueue(b));
    for (const inf of [this.deployments, this.replicasets, this.statefulsets, this.rcs] as Array<Informer<{ metadata: Pod['metadata']; spec?: { replicas?: number } }>>) {
      inf.addHandler({ update: (o, n) => (o.spec?.replicas !== n.spec?.replicas ? all() : undefined) });
    }
  }

  /** The replicas of the controllers of `pods` (a ReplicaSet of a Deployment counts as the Deployment); undefined if a pod has none. */
  private controllersScale(pods: Pod[]): number | undefined {
    const seen = new Map<string, number>();
    for (const p of pods) {
      const ref = controllerRef(p);
      if (!ref) return undefined;
      const ns = p.metadata.namespace;
      let scale: number | undefined;
      let uid = ref.uid;
      if (ref.kind === 'ReplicaSet') {
        const rs = this.replicasets.get(`${ns}/${ref.name}`);
        const owner = rs && controllerRef(rs);
        const d = owner?.kind === 'Deployment' ? this.deployments.get(`${ns}/${owner.name}`) : undefined;
        if (d) {
          scale = d.spec.replicas ?? 1;
          uid = d.metadata.uid!;
        } else scale = rs?.spec?.replicas;
      } else if (ref.kind === 'StatefulSet') scale = this.statefulsets.get(`${ns}/${ref.name}`)?.spec.replicas ?? undefined;
      else if (ref.kind === 'ReplicationController') scale = this.rcs.get(`${ns}/${ref.name}`)?.spec?.replicas;
      if (scale === undefined) return undefined;
      seen.set(uid, scale);
    }
    return [...seen.values()].reduce((a, b) => a + b, 0);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const cached = this.budgets.get(key);
    if (!cached || cached.metadata.deletionTimestamp) return;
    const pdb = structuredClone(cached);
    const now = this.now();
    const selector = fromLabelSelector(pdb.spec?.selector);
    const pods = this.pods.list().filter((p) => p.metadata.namespace === pdb.metadata.namespace && matches(selector, p.metadata.labels));
    if (!pods.length) this.ctx.recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
    // Pods the apiserver just evicted stay counted as gone until seen deleted (or for two minutes).
    const disrupted: Record<string, string> = {};
    let recheck: number | undefined;
    for (const [name, at] of Object.entries(pdb.status?.disruptedPods ?? {})) {
      const p = pods.find((x) => x.metadata.name === name);
      const age = now - (Date.parse(at) || 0);
      if (p && !p.metadata.deletionTimestamp && age < DISRUPTED_TIMEOUT_MS) {
        disrupted[name] = at;
        recheck = Math.min(recheck ?? Infinity, DISRUPTED_TIMEOUT_MS - age);
      }
    }
    const healthy = pods.filter((p) => isReady(p) && !p.metadata.deletionTimestamp && !disrupted[p.metadata.name!]).length;
    const n = budgetNumbers(pdb.spec ?? {}, pods.length, healthy, this.controllersScale(pods));
    const allowed = n.disruptionsAllowed > 0;
    const prior = (pdb.status?.conditions ?? []).find((c) => c.type === 'DisruptionAllowed');
    const condition = {
      type: 'DisruptionAllowed',
      status: allowed ? 'True' : 'False',
      reason: allowed ? 'SufficientPods' : 'InsufficientPods',
      message: '',
      observedGeneration: pdb.metadata.generation ?? 1,
      lastTransitionTime: prior && prior.status === (allowed ? 'True' : 'False') ? prior.lastTransitionTime : rfc3339(new Date(now)),
    };
    const status = { ...n, observedGeneration: pdb.metadata.generation ?? 1, ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}), conditions: [condition] };
    const before = pdb.status ?? {};
    const same = (['expectedPods', 'desiredHealthy', 'currentHealthy', 'disruptionsAllowed', 'observedGeneration'] as const).every((k) => before[k] === status[k]) &&
      JSON.stringify(before.disruptedPods ?? {}) === JSON.stringify(status.disruptedPods ?? {}) &&
      (before.conditions ?? []).find((c) => c.type === 'DisruptionAllowed')?.status === condition.status;
    if (!same) {
      try {
        await this.ctx.client.request('PUT', this.ctx.client.path(budgets, pdb.metadata.namespace, pdb.metadata.name!, 'status'), { body: { ...pdb, status } });
      } catch (err) {
        // 409: an eviction changed it meanwhile; its update event brings it back.
        if (!(err instanceof StatusError && (err.code === 409 || err.code === 404))) throw err;
      }
    }
    return recheck !== undefined ? { requeueAfterMs: recheck + 100 } : undefined;
  }
}
