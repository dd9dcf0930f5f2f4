// The Deployment controller: owns ReplicaSets named <deployment>-<pod-template-hash>; rolls
// from old to new by RollingUpdate (within maxSurge / maxUnavailable) or Recreate; numbers
// revisions; treats a template that matches an old ReplicaSet (kubectl rollout undo) as a
// rollback to that ReplicaSet; scales proportionally when replicas change mid-rollout; keeps
// revisionHistoryLimit old ReplicaSets; honours paused; reports progress and availability.
import type { Pod } from '../../../api/types/pod.js';
import { fromLabelSelector, matches } from '../../../api/labels.js';
import { StatusError } from '../../../api/status.js';
import { rfc3339 } from '../../../api/time.js';
import type { Deployment, DeploymentStatus, ReplicaSet } from '../../../api/types/apps.js';
import type { Informer } from '../../../client/informer.js';
import { resource } from '../../../client/rest.js';
import { controllerRef, controllerRefTo } from '../../../api/owners.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../../framework/controller.js';
import {
  CHANGE_CAUSE,
  DESIRED_REPLICAS,
  equalIgnoreHash,
  HASH_LABEL,
  MAX_REPLICAS,
  newReplicaSetReplicas,
  planOldScaleDown,
  proportionalScale,
  REVISION,
  specReplicas,
  surgeAndUnavailable,
} from './rollout.js';
import { templateHash } from '../workload-arithmetic.js';
import { calculateStatus, condition, progressing, setCondition, type DeploymentCondition } from './status.js';

const deployments = resource('apps/v1/deployments');
const replicasets = resource('apps/v1/replicasets');

const revisionOf = (rs: ReplicaSet | undefined): number => Number(rs?.metadata.annotations?.[REVISION] ?? 0) || 0;

export class DeploymentController extends Controller {
  private readonly deployments: Informer<Deployment>;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly pods: Informer<Pod>;

  constructor(ctx: ControllerContext) {
    super('deployment', ctx);
    this.deployments = ctx.informers.for('apps/v1/deployments');
    this.replicaSets = ctx.informers.for('apps/v1/replicasets');
    this.pods = ctx.informers.for('v1/pods');
    this.deployments.addIndexer('namespace', (o) => [o.metadata.namespace ?? '']);
    this.replicaSets.addIndexer('namespace', (o) => [o.metadata.namespace ?? '']);
    this.pods.addIndexer('controller', (p) => {
      const ref = controllerRef(p);
      return ref ? [ref.uid] : [];
    });
    this.deployments.addHandler({ add: (d) => this.enqueue(d), update: (_o, d) => this.enqueue(d), delete: (d) => this.enqueue(d) });
    const rsChanged = (rs: ReplicaSet) => {
      const owner = this.ownerOf(rs);
      if (owner) this.enqueue(owner);
      else if (!controllerRef(rs)) for (const d of this.deployments.byIndex('namespace', rs.metadata.namespace ?? '')) if (matches(fromLabelSelector(d.spec?.selector), rs.metadata.labels)) this.enqueue(d);
    };
    this.replicaSets.addHandler({ add: rsChanged, update: (_o, rs) => rsChanged(rs), delete: rsChanged });
    // Recreate waits for old pods to be gone: their deletion is news.
    this.pods.addHandler({
      delete: (p) => {
        const ref = controllerRef(p);
        const rs = ref?.kind === 'ReplicaSet' ? this.replicaSets.get(`${p.metadata.namespace}/${ref.name}`) : undefined;
        const d = rs && this.ownerOf(rs);
        if (d?.spec?.strategy?.type === 'Recreate') this.enqueue(d);
      },
    });
  }

  private ownerOf(rs: ReplicaSet): Deployment | undefined {
    const ref = controllerRef(rs);
    if (ref?.kind !== 'Deployment') return undefined;
    const d = this.deployments.get(`${rs.metadata.namespace}/${ref.name}`);
    return d?.metadata.uid === ref.uid ? d : undefined;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const cached = this.deployments.get(key);
    if (!cached || cached.metadata.deletionTimestamp) return;
    const d = structuredClone(cached);
    const selector = fromLabelSelector(d.spec?.selector);
    if (!selector || selector.length === 0) {
      this.ctx.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      return;
    }
    const rsList = await this.claimReplicaSets(d);

    if (d.spec?.paused) return this.syncPaused(d, rsList);
    if (this.isScalingEvent(d, rsList)) return this.scaleOnly(d, rsList);
    return d.spec?.strategy?.type === 'Recreate' ? this.rolloutRecreate(d, rsList) : this.rolloutRolling(d, rsList);
  }

  /** ReplicaSets this Deployment controls, adopting matching orphans and releasing strays. */
  private async claimReplicaSets(d: Deployment): Promise<ReplicaSet[]> {
    const selector = fromLabelSelector(d.spec.selector);
    const out: ReplicaSet[] = [];
    for (const rs of this.replicaSets.byIndex('namespace', d.metadata.namespace!)) {
      const ref = controllerRef(rs);
      const selected = matches(selector, rs.metadata.labels);
      if (ref?.uid === d.metadata.uid) {
        if (selected) out.push(rs);
        else await this.patchOwners(rs, (rs.metadata.ownerReferences ?? []).filter((r) => r.uid !== d.metadata.uid));
      } else if (!ref && selected && !rs.metadata.deletionTimestamp) {
        if (await this.patchOwners(rs, [...(rs.metadata.ownerReferences ?? []), controllerRefTo(d, 'apps/v1', 'Deployment')])) out.push(rs);
      }
    }
    return out;
  }

  private async patchOwners(rs: ReplicaSet, refs: unknown[]): Promise<boolean> {
    try {
      await this.ctx.client.patch(replicasets, rs.metadata.namespace, rs.metadata.name!, { metadata: { uid: rs.metadata.uid, ownerReferences: refs.length ? refs : null } }, 'merge');
      return true;
    } catch (err) {
      if (err instanceof StatusError && (err.code === 404 || err.code === 409)) return false;
      throw err;
    }
  }

  /** A replicas change (not a template change) while ReplicaSets still carry the old count. */
  private isScalingEvent(d: Deployment, rsList: ReplicaSet[]): boolean {
    const active = rsList.filter((rs) => specReplicas(rs) > 0);
    return active.some((rs) => {
      const desired = rs.metadata.annotations?.[DESIRED_REPLICAS];
      return desired !== undefined && Number(desired) !== Number(d.spec.replicas ?? 1);
    });
  }

  private split(d: Deployment, rsList: ReplicaSet[]): { newRS?: ReplicaSet; old: ReplicaSet[] } {
    const matching = rsList.filter((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
    matching.sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
    const newRS = matching[0];
    return { newRS, old: rsList.filter((rs) => rs !== newRS) };
  }

  /**
   * The new ReplicaSet with its revision brought up to date: an existing one (also after a
   * rollback) is renumbered above every old revision; with `create`, a missing one is made.
   */
  private async newReplicaSet(d: Deployment, rsList: ReplicaSet[], create: boolean): Promise<{ newRS?: ReplicaSet; old: ReplicaSet[]; created: boolean }> {
    const { newRS, old } = this.split(d, rsList);
    const maxOld = Math.max(0, ...old.map(revisionOf));
    const revision = String(maxOld + 1);
    const { maxSurge } = surgeAndUnavailable(d);
    const replicas = Number(d.spec.replicas ?? 1);
    if (newRS) {
      const annotations = { ...(newRS.metadata.annotations ?? {}) };
      let changed = false;
      if (revisionOf(newRS) < maxOld + 1) {
        const previous = annotations[REVISION];
        if (previous) annotations['deployment.kubernetes.io/revision-history'] = [annotations['deployment.kubernetes.io/revision-history'], previous].filter(Boolean).join(',');
        annotations[REVISION] = revision;
        changed = true;
      }
      const cause = d.metadata.annotations?.[CHANGE_CAUSE];
      if (cause !== undefined && annotations[CHANGE_CAUSE] !== cause) {
        annotations[CHANGE_CAUSE] = cause;
        changed = true;
      }
      let current = newRS;
      if (changed) current = await this.ctx.client.update(replicasets, { ...structuredClone(newRS), metadata: { ...structuredClone(newRS.metadata), annotations } });
      await this.setDeploymentRevision(d, annotations[REVISION]!);
      return { newRS: current, old, created: false };
    }
    if (!create) return { old, created: false };

    const collisionCount = Number(d.status?.collisionCount ?? 0);
    const hash = templateHash(d.spec.template, collisionCount);
    const template = structuredClone(d.spec.template);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash } };
    const selector = structuredClone(d.spec.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH_LABEL]: hash };
    const size = newReplicaSetReplicas(d, rsList, undefined);
    const annotations: Record<string, string> = {
      ...Object.fromEntries(Object.entries(d.metadata.annotations ?? {}).filter(([k]) => !k.startsWith('deployment.kubernetes.io/') && k !== 'kubectl.kubernetes.io/last-applied-configuration')),
      [REVISION]: revision,
      [DESIRED_REPLICAS]: String(replicas),
      [MAX_REPLICAS]: String(replicas + maxSurge),
    };
    const body = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        labels: { ...(template.metadata.labels ?? {}) },
        annotations,
        ownerReferences: [controllerRefTo(d, 'apps/v1', 'Deployment')],
      },
      spec: { replicas: size, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    };
    try {
      const created = await this.ctx.client.create<ReplicaSet>(replicasets, d.metadata.namespace, body);
      this.ctx.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${size}`);
      await this.setDeploymentRevision(d, revision);
      await this.writeStatus(d, { ...(d.status ?? {}), conditions: setCondition((d.status?.conditions ?? []) as DeploymentCondition[], condition('Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "${created.metadata.name}"`, rfc3339())) });
      return { newRS: created, old, created: true };
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 409)) throw err;
      // A ReplicaSet of that name exists but is not ours to use: a hash collision. Bump and retry.
      const existing = this.replicaSets.get(`${d.metadata.namespace}/${body.metadata.name}`);
      if (existing && equalIgnoreHash(existing.spec?.template, d.spec.template) && controllerRef(existing)?.uid === d.metadata.uid) throw err; // our own, not yet in the cache
      await this.writeStatus(d, { ...(d.status ?? {}), collisionCount: collisionCount + 1 });
      throw err;
    }
  }

  private async setDeploymentRevision(d: Deployment, revision: string): Promise<void> {
    if (d.metadata.annotations?.[REVISION] === revision) return;
    const updated = await this.ctx.client.patch<Deployment>(deployments, d.metadata.namespace, d.metadata.name!, { metadata: { annotations: { [REVISION]: revision } } }, 'merge');
    d.metadata = updated.metadata;
  }

  private async scaleReplicaSet(d: Deployment, rs: ReplicaSet, size: number): Promise<ReplicaSet> {
    const { maxSurge } = surgeAndUnavailable(d);
    const replicas = Number(d.spec.replicas ?? 1);
    const annotations = { ...(rs.metadata.annotations ?? {}), [DESIRED_REPLICAS]: String(replicas), [MAX_REPLICAS]: String(replicas + maxSurge) };
    const from = specReplicas(rs);
    if (from === size && rs.metadata.annotations?.[DESIRED_REPLICAS] === annotations[DESIRED_REPLICAS] && rs.metadata.annotations?.[MAX_REPLICAS] === annotations[MAX_REPLICAS]) return rs;
    const updated = await this.ctx.client.update<ReplicaSet>(replicasets, { ...structuredClone(rs), metadata: { ...structuredClone(rs.metadata), annotations }, spec: { ...structuredClone(rs.spec), replicas: size } });
    if (from !== size) this.ctx.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${size > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${size}`);
    return updated;
  }

  private async rolloutRolling(d: Deployment, rsList: ReplicaSet[]): Promise<ReconcileResult> {
    const { newRS: found, old } = await this.newReplicaSet(d, rsList, true);
    let newRS = found!;
    let all = [...old, newRS];
    const want = newReplicaSetReplicas(d, all, newRS);
    if (want !== specReplicas(newRS)) {
      newRS = await this.scaleReplicaSet(d, newRS, want);
      return this.syncStatus(d, [...old, newRS], newRS);
    }
    all = [...old, newRS];
    const plan = planOldScaleDown(d, all, old.filter((rs) => specReplicas(rs) > 0), newRS);
    if (plan.size) {
      const updated = new Map<ReplicaSet, ReplicaSet>();
      for (const [rs, size] of plan) updated.set(rs, await this.scaleReplicaSet(d, rs, size));
      return this.syncStatus(d, [...old.map((rs) => updated.get(rs) ?? rs), newRS], newRS);
    }
    const status = calculateStatus(d, all, newRS, Date.now());
    if (status.updatedReplicas === Number(d.spec.replicas ?? 1) && status.availableReplicas === status.updatedReplicas && status.replicas === status.updatedReplicas) await this.cleanup(d, old);
    return this.syncStatus(d, all, newRS);
  }

  private async rolloutRecreate(d: Deployment, rsList: ReplicaSet[]): Promise<ReconcileResult> {
    const first = await this.newReplicaSet(d, rsList, false);
    const activeOld = first.old.filter((rs) => specReplicas(rs) > 0);
    if (activeOld.length) {
      for (const rs of activeOld) await this.scaleReplicaSet(d, rs, 0);
      return this.syncStatus(d, rsList, first.newRS);
    }
    // The new pods start only when no old pod is left running or terminating.
    const oldPods = first.old.flatMap((rs) => this.pods.byIndex('controller', rs.metadata.uid!)).filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    if (oldPods.length) return this.syncStatus(d, rsList, first.newRS);
    const { newRS, old } = first.newRS ? first : await this.newReplicaSet(d, rsList, true);
    let current = newRS!;
    current = await this.scaleReplicaSet(d, current, Number(d.spec.replicas ?? 1));
    const all = [...old, current];
    const status = calculateStatus(d, all, current, Date.now());
    if (status.availableReplicas === Number(d.spec.replicas ?? 1)) await this.cleanup(d, old);
    return this.syncStatus(d, all, current);
  }

  /** Paused: only scaling, no rollout; Progressing says so. */
  private async syncPaused(d: Deployment, rsList: ReplicaSet[]): Promise<ReconcileResult> {
    const { newRS, old } = await this.newReplicaSet(d, rsList, false);
    if (this.isScalingEvent(d, rsList)) await this.scale(d, rsList, newRS);
    const all = newRS ? [...old, newRS] : old;
    const status = calculateStatus(d, all, newRS, Date.now());
    status.conditions = setCondition(status.conditions ?? [], condition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused', rfc3339()));
    await this.writeStatus(d, status);
  }

  private async scaleOnly(d: Deployment, rsList: ReplicaSet[]): Promise<ReconcileResult> {
    const { newRS, old } = await this.newReplicaSet(d, rsList, false);
    await this.scale(d, rsList, newRS);
    return this.syncStatus(d, newRS ? [...old, newRS] : old, newRS);
  }

  private async scale(d: Deployment, rsList: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<void> {
    const replicas = Number(d.spec.replicas ?? 1);
    const active = rsList.filter((rs) => specReplicas(rs) > 0);
    if (active.length <= 1) {
      const target = active[0] ?? newRS ?? [...rsList].sort((a, b) => revisionOf(b) - revisionOf(a))[0];
      if (target) await this.scaleReplicaSet(d, target, replicas);
      return;
    }
    if (newRS && specReplicas(newRS) === replicas && Number(newRS.status?.availableReplicas ?? 0) === replicas) {
      for (const rs of active) if (rs !== newRS) await this.scaleReplicaSet(d, rs, 0);
      return;
    }
    for (const [rs, size] of proportionalScale(d, active)) await this.scaleReplicaSet(d, rs, size);
  }

  /** Old ReplicaSets beyond revisionHistoryLimit, scaled to zero and empty, are deleted (oldest first). */
  private async cleanup(d: Deployment, old: ReplicaSet[]): Promise<void> {
    const limit = Number(d.spec.revisionHistoryLimit ?? 10);
    const idle = old.filter((rs) => specReplicas(rs) === 0 && Number(rs.status?.replicas ?? 0) === 0 && !rs.metadata.deletionTimestamp).sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) {
      try {
        await this.ctx.client.delete(replicasets, rs.metadata.namespace, rs.metadata.name!, { preconditions: { uid: rs.metadata.uid } });
      } catch (err) {
        if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err;
      }
    }
  }

  private async syncStatus(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<ReconcileResult> {
    const now = Date.now();
    const base = calculateStatus(d, all, newRS, now);
    const { status, recheckMs } = progressing(d, base, newRS, now);
    await this.writeStatus(d, status);
    return recheckMs ? { requeueAfterMs: recheckMs } : undefined;
  }

  private async writeStatus(d: Deployment, status: DeploymentStatus): Promise<void> {
    if (JSON.stringify(status) === JSON.stringify(d.status ?? {})) return;
    const updated = await this.ctx.client.updateStatus<Deployment>(deployments, { ...structuredClone(d), status });
    d.metadata.resourceVersion = updated.metadata.resourceVersion;
    d.status = updated.status;
  }
}
