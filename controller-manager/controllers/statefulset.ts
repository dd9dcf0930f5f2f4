// The StatefulSet controller: pods with stable identities, as Kubernetes' does.
//  - Pods are <set>-<ordinal> (from spec.ordinals.start), with hostname = their name and
//    subdomain = serviceName, so the headless Service gives each a stable DNS name; labels
//    statefulset.kubernetes.io/pod-name and apps.kubernetes.io/pod-index.
//  - volumeClaimTemplates give each ordinal its own PVC, <template>-<set>-<ordinal>, made before
//    the pod and kept across pod restarts; persistentVolumeClaimRetentionPolicy decides whether
//    the set's deletion (whenDeleted) or a scale-down (whenScaled) deletes them.
//  - OrderedReady: pods are created in order, each after the previous is Running and Ready,
//    and removed highest ordinal first, one at a time; Parallel does both at once. Failed pods
//    are replaced under the same name.
//  - Templates are ControllerRevisions; pods carry controller-revision-hash (the revision's
//    name). RollingUpdate replaces pods from the highest ordinal down to `partition`, with at
//    most maxUnavailable (default 1) of the set unavailable at once; OnDelete waits for deletions.
import { fromLabelSelector, matches } from '../../api/labels.js';
import { controllerRef, controllerRefTo } from '../../api/owners.js';
import { isNamespaceTerminating, StatusError } from '../../api/status.js';
import type { ControllerRevision, StatefulSet } from '../../api/types/apps.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { Pod } from '../../api/types/pod.js';
import type { Informer } from '../../client/informer.js';
import { objectKey } from '../../client/informer.js';
import { resource } from '../../client/rest.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../framework/controller.js';
import { Expectations } from '../framework/expectations.js';
import { resolveIntOrPercent } from './workload-arithmetic.js';
import { BURST, deleteOwnedPods, followOwnedPods } from '../framework/pod-control.js';
import { isAvailable, isReady, untilAvailable } from './pod-util.js';
import { recordRevision, REVISION_HASH } from './revisions.js';

const pods = resource('v1/pods');
const claims = resource('v1/persistentvolumeclaims');
const statefulsets = resource('apps/v1/statefulsets');
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

/** The ordinal in a pod's name `<set>-<n>`, if it is one of this set's. */
export function ordinalOf(set: string, pod: Pod): number | undefined {
  const name = pod.metadata.name ?? '';
  if (!name.startsWith(`${set}-`)) return undefined;
  const tail = name.slice(set.length + 1);
  return /^(0|[1-9]\d*)$/.test(tail) ? Number(tail) : undefined;
}

const runningAndReady = (p: Pod) => p.status?.phase === 'Running' && isReady(p) && !p.metadata.deletionTimestamp;

export class StatefulSetController extends Controller {
  private readonly sets: Informer<StatefulSet>;
  private readonly pods: Informer<Pod>;
  private readonly revisions: Informer<ControllerRevision>;
  private readonly claims: Informer<KubeObject>;
  private readonly expectations = new Expectations();

  constructor(ctx: ControllerContext) {
    super('statefulset', ctx);
    this.sets = ctx.informers.for<StatefulSet>('apps/v1/statefulsets');
    this.pods = ctx.informers.for<Pod>('v1/pods');
    this.revisions = ctx.informers.for<ControllerRevision>('apps/v1/controllerrevisions');
    this.claims = ctx.informers.for<KubeObject>('v1/persistentvolumeclaims');
    this.revisions.addIndexer('statefulset-owner', (r) => {
      const ref = controllerRef(r);
      return ref?.kind === 'StatefulSet' ? [ref.uid] : [];
    });
    this.sets.addHandler({ add: (s) => this.enqueue(s), update: (_o, s) => this.enqueue(s), delete: (s) => this.expectations.forget(objectKey(s)) });
    followOwnedPods(this.pods, 'StatefulSet', this.sets, this.expectations, (s) => this.enqueue(s));
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const cached = this.sets.get(key);
    if (!cached) {
      this.expectations.forget(key);
      return;
    }
    const set = structuredClone(cached);
    if (set.metadata.deletionTimestamp) return;
    const name = set.metadata.name!;
    const selector = fromLabelSelector(set.spec.selector);
    const owned = this.pods.byIndex('statefulset-owner', set.metadata.uid!).filter((p) => matches(selector, p.metadata.labels) && ordinalOf(name, p) !== undefined);
    const history = this.revisions.byIndex('statefulset-owner', set.metadata.uid!);
    const update = await recordRevision(this.ctx.client, set, 'StatefulSet', history, new Set(owned.map((p) => p.metadata.labels?.[REVISION_HASH] ?? '')));
    const updateRevision = update.name;
    const currentRevision = set.status?.currentRevision ?? updateRevision;

    const replicas = set.spec.replicas ?? 1;
    const start = set.spec.ordinals?.start ?? 0;
    const parallel = set.spec.podManagementPolicy === 'Parallel';
    const byOrdinal = new Map<number, Pod>();
    for (const p of owned) byOrdinal.set(ordinalOf(name, p)!, p);
    const inRange = (o: number) => o >= start && o < start + replicas;
    // The ordinals this pass can reach: those of its pods and a burst more (replicas may be two billion).
    const wanted = Array.from({ length: Math.min(replicas, byOrdinal.size + BURST) }, (_, i) => start + i);
    const condemned = [...byOrdinal.keys()].filter((o) => !inRange(o)).sort((a, b) => b - a);

    if (this.expectations.satisfied(key)) await this.act(key, set, byOrdinal, wanted, condemned, parallel, updateRevision);
    return this.writeStatus(set, owned.filter((p) => inRange(ordinalOf(name, p)!)), currentRevision, updateRevision);
  }

  private async act(key: string, set: StatefulSet, byOrdinal: Map<number, Pod>, wanted: number[], condemned: number[], parallel: boolean, updateRevision: string): Promise<void> {
    // Create what is missing (and replace failed pods), in order unless Parallel (then at most BURST a pass).
    let created = 0;
    for (const ordinal of wanted) {
      const pod = byOrdinal.get(ordinal);
      if (pod?.status?.phase === 'Failed' && !pod.metadata.deletionTimestamp) {
        await this.deletePod(key, set, pod);
        if (!parallel) return;
        continue;
      }
      if (!pod) {
        await this.createPod(key, set, ordinal, updateRevision);
        if (!parallel || ++created >= BURST) return;
        continue;
      }
      if (!parallel && !runningAndReady(pod)) return; // the next waits for this one
    }
    // Remove the condemned, highest ordinal first; OrderedReady one at a time after the rest are ready.
    for (const ordinal of condemned) {
      const pod = byOrdinal.get(ordinal)!;
      if (pod.metadata.deletionTimestamp) {
        if (!parallel) return;
        continue;
      }
      await this.deletePod(key, set, pod);
      await this.deleteScaledClaims(set, ordinal);
      if (!parallel) return;
    }
    // Rolling update: highest ordinal first down to the partition, replacing old pods while no
    // more than maxUnavailable (default 1) of the set are unavailable.
    if ((set.spec.updateStrategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return;
    const rolling = set.spec.updateStrategy?.rollingUpdate;
    const partition = rolling?.partition ?? 0;
    const start = set.spec.ordinals?.start ?? 0;
    const maxUnavailable = Math.max(1, resolveIntOrPercent(rolling?.maxUnavailable, set.spec.replicas ?? 1, false, '1'));
    let unavailable = wanted.filter((o) => {
      const p = byOrdinal.get(o);
      return !p || !runningAndReady(p);
    }).length;
    for (const ordinal of [...wanted].reverse()) {
      if (ordinal - start < partition) break;
      const pod = byOrdinal.get(ordinal);
      if (!pod || pod.metadata.deletionTimestamp) continue;
      if (pod.metadata.labels?.[REVISION_HASH] === updateRevision) {
        // An updated pod not yet ready holds the rest back while the budget is spent.
        if (!runningAndReady(pod) && unavailable >= maxUnavailable) break;
        continue;
      }
      if (!runningAndReady(pod)) await this.deletePod(key, set, pod); // unavailable anyway
      else if (unavailable < maxUnavailable) {
        await this.deletePod(key, set, pod);
        unavailable++;
      } else break;
    }
  }

  private claimName(template: string, set: StatefulSet, ordinal: number): string {
    return `${template}-${set.metadata.name}-${ordinal}`;
  }

  private async createPod(key: string, set: StatefulSet, ordinal: number, revision: string): Promise<void> {
    const name = `${set.metadata.name}-${ordinal}`;
    const template = set.spec.template;
    const spec = structuredClone(template.spec);
    spec.hostname = name;
    if (set.spec.serviceName) spec.subdomain = set.spec.serviceName;
    // Each ordinal's claims first, then the pod that uses them.
    for (const t of set.spec.volumeClaimTemplates ?? []) {
      const claim = this.claimName(t.metadata.name ?? '', set, ordinal);
      await this.ensureClaim(set, t, claim, ordinal);
      const volumes = (spec.volumes ?? []).filter((v) => v.name !== t.metadata.name);
      spec.volumes = [...volumes, { name: t.metadata.name!, persistentVolumeClaim: { claimName: claim } }];
    }
    this.expectations.expectCreations(key, 1);
    try {
      await this.ctx.client.create<Pod>(pods, set.metadata.namespace, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          namespace: set.metadata.namespace,
          labels: { ...(template.metadata?.labels ?? {}), [REVISION_HASH]: revision, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal) },
          ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
          ownerReferences: [controllerRefTo(set, 'apps/v1', 'StatefulSet')],
        },
        spec,
      });
      this.ctx.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${name} in StatefulSet ${set.metadata.name} successful`);
    } catch (err) {
      this.expectations.creationSkipped(key);
      // 409: the old pod of this name is still going away; its deletion brings the set back.
      if (err instanceof StatusError && err.code === 409) return;
      if (isNamespaceTerminating(err)) return;
      this.ctx.recorder.event(set, 'Warning', 'FailedCreate', `create Pod ${name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`);
      throw err;
    }
  }

  private async ensureClaim(set: StatefulSet, template: NonNullable<StatefulSet['spec']['volumeClaimTemplates']>[number], claim: string, ordinal: number): Promise<void> {
    if (this.claims.get(`${set.metadata.namespace}/${claim}`)) return;
    const deleteWithSet = set.spec.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete';
    try {
      await this.ctx.client.create<KubeObject>(claims, set.metadata.namespace, {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: {
          name: claim,
          namespace: set.metadata.namespace,
          labels: { ...(set.spec.selector.matchLabels ?? {}), ...(template.metadata.labels ?? {}), [POD_INDEX_LABEL]: String(ordinal) },
          ...(template.metadata.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
          // whenDeleted: Delete lets the garbage collector take the claim with the set.
          ...(deleteWithSet ? { ownerReferences: [{ ...controllerRefTo(set, 'apps/v1', 'StatefulSet'), controller: false }] } : {}),
        },
        spec: structuredClone(template.spec ?? {}),
      });
      this.ctx.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${claim} Pod ${set.metadata.name}-${ordinal} in StatefulSet ${set.metadata.name} success`);
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 409)) throw err;
    }
  }

  /** whenScaled: Delete removes a condemned ordinal's claims with its pod. */
  private async deleteScaledClaims(set: StatefulSet, ordinal: number): Promise<void> {
    if (set.spec.persistentVolumeClaimRetentionPolicy?.whenScaled !== 'Delete') return;
    for (const t of set.spec.volumeClaimTemplates ?? []) {
      await this.ctx.client.delete(claims, set.metadata.namespace, this.claimName(t.metadata.name ?? '', set, ordinal)).catch((err) => {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      });
    }
  }

  private async deletePod(key: string, set: StatefulSet, pod: Pod): Promise<void> {
    await deleteOwnedPods(this.ctx, this.expectations, key, set, [pod], (p) => `delete Pod ${p.metadata.name} in StatefulSet ${set.metadata.name} successful`);
  }

  private async writeStatus(set: StatefulSet, members: Pod[], currentRevision: string, updateRevision: string): Promise<ReconcileResult> {
    const now = Date.now();
    const minReady = set.spec.minReadySeconds ?? 0;
    const alive = members.filter((p) => !p.metadata.deletionTimestamp);
    const updated = alive.filter((p) => p.metadata.labels?.[REVISION_HASH] === updateRevision).length;
    const replicas = set.spec.replicas ?? 1;
    // The update is complete when every pod runs it: it becomes the current revision.
    const current = updated === replicas && alive.length === replicas ? updateRevision : currentRevision;
    const status = {
      observedGeneration: set.metadata.generation ?? 1,
      replicas: alive.length,
      readyReplicas: alive.filter(isReady).length,
      currentReplicas: alive.filter((p) => p.metadata.labels?.[REVISION_HASH] === current).length,
      updatedReplicas: updated,
      availableReplicas: alive.filter((p) => isAvailable(p, minReady, now)).length,
      currentRevision: current,
      updateRevision,
      collisionCount: set.status?.collisionCount ?? 0,
    };
    const before = (set.status ?? {}) as Record<string, unknown>;
    if (Object.entries(status).some(([k, v]) => before[k] !== v)) {
      try {
        await this.ctx.client.request('PUT', this.ctx.client.path(statefulsets, set.metadata.namespace, set.metadata.name!, 'status'), { body: { ...set, status: { ...set.status, ...status } } });
      } catch (err) {
        if (!(err instanceof StatusError && (err.code === 409 || err.code === 404))) throw err;
      }
    }
    const wait = Math.min(...alive.map((p) => untilAvailable(p, minReady, now)).filter((ms) => ms > 0));
    return Number.isFinite(wait) ? { requeueAfterMs: wait + 100 } : undefined;
  }
}
