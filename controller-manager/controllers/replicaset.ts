// ReplicaSet and ReplicationController: keep `replicas` active pods matching the selector.
// Pods are claimed through ownerReferences (controller: true): matching orphans are adopted,
// owned pods that stop matching are released. Scale-down removes the most expendable pods
// first. Expectations keep a stale cache from causing double creates or deletes.
import { fromLabelSelector, matches, type Selector } from '../../api/labels.js';
import { isNamespaceTerminating, StatusError } from '../../api/status.js';
import { rfc3339 } from '../../api/time.js';
import { findCondition } from '../../api/conditions.js';
import type { ReplicaSet } from '../../api/types/apps.js';
import type { ReplicationController } from '../../api/types/core.js';
import type { LabelSelector } from '../../api/types/meta.js';
import type { Pod } from '../../api/types/pod.js';
import type { Informer } from '../../client/informer.js';
import { objectKey } from '../../client/informer.js';
import { resource } from '../../client/rest.js';
import { controllerRef, controllerRefTo } from '../../api/owners.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../framework/controller.js';
import { Expectations } from '../framework/expectations.js';
import { BURST, slowStartBatch } from '../framework/pod-control.js';
import { deletionOrder, isActive, isAvailable, isReady, untilAvailable } from './pod-util.js';

const pods = resource('v1/pods');

/** What this controller keeps replicas of: a ReplicaSet or a ReplicationController. */
export type ReplicatedOwner = ReplicaSet | ReplicationController;

export interface ReplicaKind {
  name: string;
  path: string;
  apiVersion: string;
  kind: string;
  selector(obj: ReplicatedOwner): Selector;
}

export const REPLICA_SET: ReplicaKind = {
  name: 'replicaset',
  path: 'apps/v1/replicasets',
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  selector: (rs) => fromLabelSelector(rs.spec?.selector as LabelSelector | undefined),
};

export const REPLICATION_CONTROLLER: ReplicaKind = {
  name: 'replicationcontroller',
  path: 'v1/replicationcontrollers',
  apiVersion: 'v1',
  kind: 'ReplicationController',
  // An RC's selector is a plain map; an empty one selects nothing.
  selector: (rc) => {
    const sel = (rc as ReplicationController).spec?.selector;
    return sel && Object.keys(sel).length ? fromLabelSelector({ matchLabels: sel }) : null;
  },
};

export class ReplicaController extends Controller {
  private readonly owners: Informer<ReplicatedOwner>;
  private readonly pods: Informer<Pod>;
  private readonly expectations = new Expectations();

  constructor(
    ctx: ControllerContext,
    private readonly kind: ReplicaKind,
  ) {
    super(kind.name, ctx);
    this.owners = ctx.informers.for<ReplicatedOwner>(kind.path);
    this.pods = ctx.informers.for('v1/pods');
    this.pods.addIndexer('namespace', (p) => [p.metadata.namespace ?? '']);
    this.owners.addIndexer('namespace', (o) => [o.metadata.namespace ?? '']);
    this.owners.addHandler({
      add: (o) => this.enqueue(o),
      update: (_old, o) => this.enqueue(o),
      delete: (o) => {
        this.expectations.forget(objectKey(o));
        this.enqueue(o);
      },
    });
    this.pods.addHandler({
      add: (p) => {
        const owner = this.ownerOf(p);
        if (owner) {
          this.expectations.creationObserved(objectKey(owner));
          this.enqueue(owner);
        } else if (!controllerRef(p)) this.enqueueMatching(p);
      },
      update: (old, p) => {
        if (p.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) {
          const owner = this.ownerOf(p);
          if (owner) this.expectations.deletionObserved(objectKey(owner), p.metadata.uid!);
        }
        const oldOwner = this.ownerOf(old);
        const owner = this.ownerOf(p);
        if (oldOwner && oldOwner !== owner) this.enqueue(oldOwner);
        if (owner) this.enqueue(owner);
        else if (!controllerRef(p)) this.enqueueMatching(p); // an orphan may now match someone
      },
      delete: (p) => {
        const owner = this.ownerOf(p);
        if (!owner) return;
        this.expectations.deletionObserved(objectKey(owner), p.metadata.uid!);
        this.enqueue(owner);
      },
    });
  }

  /** The owner of this kind in the cache that controls the pod. */
  private ownerOf(pod: Pod): ReplicatedOwner | undefined {
    const ref = controllerRef(pod);
    if (!ref || ref.kind !== this.kind.kind) return undefined;
    const owner = this.owners.get(`${pod.metadata.namespace}/${ref.name}`);
    return owner && owner.metadata.uid === ref.uid ? owner : undefined;
  }

  private enqueueMatching(pod: Pod): void {
    for (const o of this.owners.byIndex('namespace', pod.metadata.namespace ?? '')) {
      if (matches(this.kind.selector(o), pod.metadata.labels)) this.enqueue(o);
    }
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const owner = this.owners.get(key);
    if (!owner) {
      this.expectations.forget(key);
      return;
    }
    const selector = this.kind.selector(owner);
    const candidates = this.pods.byIndex('namespace', owner.metadata.namespace!).filter(isActive);
    const owned = await this.claim(owner, selector, candidates);

    let failure: { reason: string; message: string } | undefined;
    if (this.expectations.satisfied(key) && !owner.metadata.deletionTimestamp) {
      failure = await this.manage(key, owner, owned);
    }
    return this.writeStatus(owner, owned, failure);
  }

  /** The pods this owner controls after adopting matching orphans and releasing non-matching ones. */
  private async claim(owner: ReplicatedOwner, selector: Selector, candidates: Pod[]): Promise<Pod[]> {
    const owned: Pod[] = [];
    for (const pod of candidates) {
      const ref = controllerRef(pod);
      const selected = matches(selector, pod.metadata.labels);
      if (ref?.uid === owner.metadata.uid) {
        if (selected) owned.push(pod);
        else if (!owner.metadata.deletionTimestamp) await this.release(owner, pod);
      } else if (!ref && selected && !owner.metadata.deletionTimestamp) {
        if (await this.adopt(owner, pod)) owned.push(pod);
      }
    }
    return owned;
  }

  private async adopt(owner: ReplicatedOwner, pod: Pod): Promise<boolean> {
    const refs = [...(pod.metadata.ownerReferences ?? []), controllerRefTo(owner, this.kind.apiVersion, this.kind.kind)];
    try {
      await this.ctx.client.patch(pods, pod.metadata.namespace, pod.metadata.name!, { metadata: { uid: pod.metadata.uid, ownerReferences: refs } }, 'merge');
      return true;
    } catch (err) {
      if (err instanceof StatusError && (err.code === 404 || err.code === 409)) return false;
      throw err;
    }
  }

  private async release(owner: ReplicatedOwner, pod: Pod): Promise<void> {
    const refs = (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid);
    try {
      await this.ctx.client.patch(pods, pod.metadata.namespace, pod.metadata.name!, { metadata: { uid: pod.metadata.uid, ownerReferences: refs.length ? refs : null } }, 'merge');
    } catch (err) {
      if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err;
    }
  }

  private async manage(key: string, owner: ReplicatedOwner, owned: Pod[]): Promise<{ reason: string; message: string } | undefined> {
    const want = owner.spec?.replicas ?? 1;
    const diff = owned.length - want;
    if (diff < 0) {
      const n = Math.min(-diff, BURST);
      this.expectations.expectCreations(key, n);
      const result = await slowStartBatch(n, () => this.createPod(owner));
      if (result.done < n) this.expectations.creationSkipped(key, n - result.done);
      // A namespace being deleted refuses every create: nothing to report (as Kubernetes does).
      if (result.error && !isNamespaceTerminating(result.error)) {
        const message = result.error.message;
        this.ctx.recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${message}`);
        return { reason: 'FailedCreate', message };
      }
    } else if (diff > 0) {
      const victims = [...owned].sort(deletionOrder).slice(0, Math.min(diff, BURST));
      this.expectations.expectDeletions(key, victims.map((p) => p.metadata.uid!));
      const results = await Promise.allSettled(victims.map((p) => this.deletePod(key, owner, p)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) return { reason: 'FailedDelete', message: (failed.reason as Error).message };
    }
    return undefined;
  }

  private async createPod(owner: ReplicatedOwner): Promise<void> {
    const template = owner.spec?.template;
    const created = await this.ctx.client.create<Pod>(pods, owner.metadata.namespace, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${owner.metadata.name}-`,
        namespace: owner.metadata.namespace,
        labels: { ...(template?.metadata?.labels ?? {}) },
        ...(template?.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
        ...(template?.metadata?.finalizers ? { finalizers: [...template.metadata.finalizers] } : {}),
        ownerReferences: [controllerRefTo(owner, this.kind.apiVersion, this.kind.kind)],
      },
      spec: structuredClone(template?.spec ?? { containers: [] }),
    });
    this.ctx.recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
  }

  private async deletePod(key: string, owner: ReplicatedOwner, pod: Pod): Promise<void> {
    try {
      await this.ctx.client.delete(pods, pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
      this.ctx.recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
    } catch (err) {
      this.expectations.deletionObserved(key, pod.metadata.uid!);
      if (err instanceof StatusError && (err.code === 404 || err.code === 409)) return;
      this.ctx.recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
      throw err;
    }
  }

  private async writeStatus(owner: ReplicatedOwner, owned: Pod[], failure: { reason: string; message: string } | undefined): Promise<ReconcileResult> {
    const now = Date.now();
    const minReady = owner.spec?.minReadySeconds ?? 0;
    const templateLabels = owner.spec?.template?.metadata?.labels ?? {};
    const fullyLabeled = owned.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v)).length;
    const current: Partial<NonNullable<ReplicatedOwner['status']>> = owner.status ?? {};
    const conditions = (current.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure');
    if (failure) {
      const prior = findCondition(owner, 'ReplicaFailure');
      conditions.push({ type: 'ReplicaFailure', status: 'True', lastTransitionTime: prior?.lastTransitionTime ?? rfc3339(), reason: failure.reason, message: failure.message });
    }
    const status: Record<string, unknown> = {
      replicas: owned.length,
      fullyLabeledReplicas: fullyLabeled,
      readyReplicas: owned.filter(isReady).length,
      availableReplicas: owned.filter((p) => isAvailable(p, minReady, now)).length,
      observedGeneration: owner.metadata.generation ?? 1,
      ...(conditions.length ? { conditions } : {}),
    };
    const comparable = (s: object) => JSON.stringify(['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration', 'conditions'].map((k) => (s as Record<string, unknown>)[k] ?? (k === 'conditions' ? [] : 0)));
    if (comparable(status) !== comparable(current)) {
      const path = this.ctx.client.path(resource(this.kind.path), owner.metadata.namespace, owner.metadata.name!, 'status');
      await this.ctx.client.request('PUT', path, { body: { ...structuredClone(owner), status } });
    }
    // A pod that is ready but not yet available becomes available without any event: look again then.
    const wait = Math.min(...owned.map((p) => untilAvailable(p, minReady, now)).filter((ms) => ms > 0));
    if (Number.isFinite(wait)) return { requeueAfterMs: wait + 100 };
    if (failure) throw new Error(failure.message);
    return undefined;
  }
}
