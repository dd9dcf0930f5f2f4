// The PersistentVolume controller with a built-in local-path provisioner, as k3s ships one.
//  - A Pending claim is bound to the smallest Available volume that fits (class, access modes,
//    capacity, selector, and the selected node when the scheduler chose one); the volume gets
//    the claim in spec.claimRef and phase Bound, the claim gets spec.volumeName and phase Bound.
//  - A claim of a class whose provisioner is kubette.io/local-path that nothing fits gets a new
//    volume: a directory under --local-path-root on its node (with WaitForFirstConsumer, the
//    node the scheduler picked for its first pod, which the volume's node affinity then keeps).
//  - A volume whose claim is gone is Released; with reclaimPolicy Delete it is deleted, and a
//    provisioned volume's directory with it.
//  - The default StorageClass local-path (expandable: see expander.ts) is made at start if the
//    cluster has no default class.
import { rm } from 'node:fs/promises';
import { normalize, resolve, sep } from 'node:path';
import { fromLabelSelector, matches } from '../../../api/labels.js';
import { termMatches } from '../../../api/node-affinity.js';
import { parseQuantity } from '../../../api/quantity.js';
import { StatusError } from '../../../api/status.js';
import type { Node } from '../../../api/types/core.js';
import {
  DEFAULT_CLASS_ANNOTATION,
  SELECTED_NODE_ANNOTATION,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type StorageClass,
} from '../../../api/types/storage.js';
import type { Informer } from '../../../client/informer.js';
import { resource } from '../../../client/rest.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../../framework/controller.js';

export const LOCAL_PATH_PROVISIONER = 'kubette.io/local-path';
export const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
const volumes = resource('v1/persistentvolumes');
const claims = resource('v1/persistentvolumeclaims');
const classes = resource('storage.k8s.io/v1/storageclasses');

const storageOf = (r: Record<string, string> | undefined) => parseQuantity(r?.storage) ?? 0;

/** Whether `pv` can serve `pvc` (ignoring whether it is free). */
export function volumeFits(pv: PersistentVolume, pvc: PersistentVolumeClaim, node?: Node): boolean {
  const className = pvc.spec.storageClassName ?? '';
  if ((pv.spec.storageClassName ?? '') !== className) return false;
  if (!(pvc.spec.accessModes ?? []).every((m) => (pv.spec.accessModes ?? []).includes(m))) return false;
  if (storageOf(pv.spec.capacity) < storageOf(pvc.spec.resources?.requests)) return false;
  if (pvc.spec.selector && !matches(fromLabelSelector(pvc.spec.selector), pv.metadata.labels)) return false;
  const terms = pv.spec.nodeAffinity?.required?.nodeSelectorTerms;
  if (node && terms?.length && !terms.some((t) => termMatches(t, node))) return false;
  return true;
}

export class VolumeBinder extends Controller {
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly volumes: Informer<PersistentVolume>;
  private readonly classes: Informer<StorageClass>;
  private readonly nodes: Informer<Node>;

  constructor(
    ctx: ControllerContext,
    /** Where provisioned volumes' directories live (the same path on every node here). */
    private readonly localPathRoot: string,
  ) {
    super('persistentvolume-binder', ctx);
    this.claims = ctx.informers.for<PersistentVolumeClaim>('v1/persistentvolumeclaims');
    this.volumes = ctx.informers.for<PersistentVolume>('v1/persistentvolumes');
    this.classes = ctx.informers.for<StorageClass>('storage.k8s.io/v1/storageclasses');
    this.nodes = ctx.informers.for<Node>('v1/nodes');
    this.claims.addHandler({ add: (c) => this.enqueue(c), update: (_o, c) => this.enqueue(c), delete: (c) => this.claimGone(c) });
    this.volumes.addHandler({ add: (v) => this.queue.add(`pv:${v.metadata.name}`), update: (_o, v) => this.queue.add(`pv:${v.metadata.name}`) });
  }

  override async run(signal: AbortSignal): Promise<void> {
    this.queue.add('default-class');
    return super.run(signal);
  }

  private claimGone(c: PersistentVolumeClaim): void {
    if (c.spec?.volumeName) this.queue.add(`pv:${c.spec.volumeName}`);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    if (key === 'default-class') return this.ensureDefaultClass();
    if (key.startsWith('pv:')) return this.syncVolume(key.slice(3));
    return this.syncClaim(key);
  }

  private async ensureDefaultClass(): Promise<void> {
    if (this.classes.list().some((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true')) return;
    try {
      await this.ctx.client.create<StorageClass>(classes, undefined, {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: 'local-path', annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } },
        provisioner: LOCAL_PATH_PROVISIONER,
        reclaimPolicy: 'Delete',
        volumeBindingMode: 'WaitForFirstConsumer',
        // A directory grows with what is written to it: the expander only raises the figures.
        allowVolumeExpansion: true,
      });
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 409)) throw err;
    }
  }

  private async syncClaim(key: string): Promise<ReconcileResult> {
    const cached = this.claims.get(key);
    if (!cached || cached.metadata.deletionTimestamp) return;
    const pvc = structuredClone(cached);
    if (pvc.spec.volumeName) {
      const pv = this.volumes.get(pvc.spec.volumeName);
      // Bound on both sides: only the claim's status may trail.
      if (pv && pv.spec.claimRef?.uid === pvc.metadata.uid && pvc.status?.phase !== 'Bound') await this.markClaimBound(pvc, pv);
      return;
    }
    const className = pvc.spec.storageClassName ?? '';
    const sc = className ? this.classes.get(className) : undefined;
    const selectedNode = pvc.metadata.annotations?.[SELECTED_NODE_ANNOTATION];
    const node = selectedNode ? this.nodes.get(selectedNode) : undefined;
    // A volume pre-bound to this claim, else the smallest free one that fits.
    const candidates = this.volumes
      .list()
      .filter((pv) => !pv.metadata.deletionTimestamp && (pv.status?.phase ?? 'Available') === 'Available')
      .filter((pv) => (pv.spec.claimRef ? pv.spec.claimRef.namespace === pvc.metadata.namespace && pv.spec.claimRef.name === pvc.metadata.name && (!pv.spec.claimRef.uid || pv.spec.claimRef.uid === pvc.metadata.uid) : true))
      .filter((pv) => volumeFits(pv, pvc, node))
      .sort((a, b) => (a.spec.claimRef ? -1 : 0) - (b.spec.claimRef ? -1 : 0) || storageOf(a.spec.capacity) - storageOf(b.spec.capacity));
    const waitForConsumer = sc?.volumeBindingMode === 'WaitForFirstConsumer' && !selectedNode;
    if (candidates.length && !waitForConsumer) return this.bind(candidates[0]!, pvc);
    if (waitForConsumer) {
      this.ctx.recorder.event(pvc, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
      return;
    }
    if (sc?.provisioner === LOCAL_PATH_PROVISIONER) return this.provision(pvc, sc, selectedNode);
    this.ctx.recorder.event(pvc, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
  }

  private async provision(pvc: PersistentVolumeClaim, sc: StorageClass, node: string | undefined): Promise<void> {
    const name = `pvc-${pvc.metadata.uid}`;
    if (this.volumes.get(name)) return;
    const path = resolve(this.localPathRoot, `${name}_${pvc.metadata.namespace}_${pvc.metadata.name}`);
    try {
      await this.ctx.client.create<PersistentVolume>(volumes, undefined, {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name, annotations: { [PROVISIONED_BY]: LOCAL_PATH_PROVISIONER } },
        spec: {
          capacity: { storage: pvc.spec.resources?.requests?.storage ?? '1Gi' },
          accessModes: pvc.spec.accessModes ?? ['ReadWriteOnce'],
          storageClassName: sc.metadata.name,
          persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
          // Pre-bound: no other claim can take it.
          claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid },
          hostPath: { path, type: 'DirectoryOrCreate' },
          ...(node ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } } } : {}),
        },
      });
      this.ctx.recorder.event(pvc, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${name}`);
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 409)) throw err;
    }
  }

  private async bind(pv: PersistentVolume, pvc: PersistentVolumeClaim): Promise<void> {
    try {
      const claimRef = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid, resourceVersion: pvc.metadata.resourceVersion };
      const boundPv = await this.ctx.client.update<PersistentVolume>(volumes, { ...structuredClone(pv), spec: { ...pv.spec, claimRef } });
      await this.ctx.client.request('PUT', this.ctx.client.path(volumes, undefined, pv.metadata.name!, 'status'), { body: { ...boundPv, status: { phase: 'Bound' } } });
      const annotations = { ...(pvc.metadata.annotations ?? {}), 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' };
      const boundPvc = await this.ctx.client.update<PersistentVolumeClaim>(claims, { ...pvc, metadata: { ...pvc.metadata, annotations }, spec: { ...pvc.spec, volumeName: pv.metadata.name } });
      await this.markClaimBound(boundPvc, boundPv);
    } catch (err) {
      // 409: someone got there first (another claim, a user); the next event tries again.
      if (!(err instanceof StatusError && (err.code === 409 || err.code === 404))) throw err;
    }
  }

  private async markClaimBound(pvc: PersistentVolumeClaim, pv: PersistentVolume): Promise<void> {
    await this.ctx.client.request('PUT', this.ctx.client.path(claims, pvc.metadata.namespace, pvc.metadata.name!, 'status'), {
      body: { ...pvc, status: { phase: 'Bound', accessModes: pv.spec.accessModes ?? [], capacity: pv.spec.capacity ?? {} } },
    });
  }

  private async syncVolume(name: string): Promise<ReconcileResult> {
    const cached = this.volumes.get(name);
    if (!cached || cached.metadata.deletionTimestamp) return;
    const pv = structuredClone(cached);
    const ref = pv.spec.claimRef;
    const phase = pv.status?.phase ?? 'Available';
    // A new volume (the apiserver makes every one Pending) is Available first, as Kubernetes'
    // controller makes it; the update brings it back here to be bound.
    if (phase === 'Pending') return this.setPhase(pv, 'Available');
    if (!ref) {
      if (phase !== 'Available') await this.setPhase(pv, 'Available');
      return;
    }
    const claim = this.claims.get(`${ref.namespace}/${ref.name}`);
    const claimed = claim && (!ref.uid || claim.metadata.uid === ref.uid);
    if (claimed) {
      if (claim.spec.volumeName === name && phase !== 'Bound') await this.setPhase(pv, 'Bound');
      if (!claim.spec.volumeName) this.enqueue(claim);
      return;
    }
    // A uid-bound claim that is gone (and not just missing from a young cache): released.
    if (!ref.uid) return;
    try {
      const live = await this.ctx.client.get<PersistentVolumeClaim>(claims, ref.namespace, ref.name!);
      if (live.metadata.uid === ref.uid) return;
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
    if (pv.spec.persistentVolumeReclaimPolicy === 'Delete') return this.reclaim(pv);
    if (phase !== 'Released') await this.setPhase(pv, 'Released');
  }

  private async reclaim(pv: PersistentVolume): Promise<void> {
    if (pv.metadata.annotations?.[PROVISIONED_BY] === LOCAL_PATH_PROVISIONER && pv.spec.hostPath?.path) {
      // Only ever a directory of our own, strictly inside the root.
      const root = resolve(this.localPathRoot);
      const dir = normalize(pv.spec.hostPath.path);
      if (dir.startsWith(root + sep) && dir.slice(root.length + 1).startsWith(`${pv.metadata.name}_`) && !dir.slice(root.length + 1).includes(sep)) {
        await rm(dir, { recursive: true, force: true });
      } else {
        this.log.warn({ pv: pv.metadata.name, path: pv.spec.hostPath.path }, 'not deleting a volume directory outside the local-path root');
      }
    }
    try {
      // Released first: a Bound volume is kept by its pv-protection finalizer.
      if (pv.status?.phase === 'Bound') await this.setPhase(pv, 'Released');
      await this.ctx.client.delete(volumes, undefined, pv.metadata.name!, { preconditions: { uid: pv.metadata.uid } });
      this.log.info({ pv: pv.metadata.name }, 'deleted a released volume (reclaim policy Delete)');
    } catch (err) {
      if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err;
    }
  }

  private async setPhase(pv: PersistentVolume, phase: string): Promise<void> {
    try {
      await this.ctx.client.request('PUT', this.ctx.client.path(volumes, undefined, pv.metadata.name!, 'status'), { body: { ...pv, status: { ...(pv.status ?? {}), phase } } });
    } catch (err) {
      if (!(err instanceof StatusError && (err.code === 409 || err.code === 404))) throw err;
    }
  }
}
