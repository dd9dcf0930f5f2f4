// Storage in-use protection: a claim being deleted keeps its kubernetes.io/pvc-protection
// finalizer while a pod that has not finished uses it, and a volume being deleted keeps
// kubernetes.io/pv-protection while it is Bound, so no one pulls storage from under a
// running pod.
import { StatusError } from '../../../api/status.js';
import type { Pod } from '../../../api/types/pod.js';
import { podClaimNames } from '../../../api/pod-claims.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../../../api/types/storage.js';
import type { Informer } from '../../../client/informer.js';
import { resource } from '../../../client/rest.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../../framework/controller.js';

const PVC_PROTECTION = 'kubernetes.io/pvc-protection';
const PV_PROTECTION = 'kubernetes.io/pv-protection';
const claims = resource('v1/persistentvolumeclaims');
const volumes = resource('v1/persistentvolumes');

const finished = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

export class StorageProtectionController extends Controller {
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly volumes: Informer<PersistentVolume>;
  private readonly pods: Informer<Pod>;

  constructor(ctx: ControllerContext) {
    super('storage-protection', ctx);
    this.claims = ctx.informers.for<PersistentVolumeClaim>('v1/persistentvolumeclaims');
    this.volumes = ctx.informers.for<PersistentVolume>('v1/persistentvolumes');
    this.pods = ctx.informers.for<Pod>('v1/pods');
    this.pods.addIndexer('claim', (p) => podClaimNames(p).map((c) => `${p.metadata.namespace}/${c}`));
    const claim = (c: PersistentVolumeClaim) => c.metadata.deletionTimestamp && this.enqueue(c);
    this.claims.addHandler({ add: claim, update: (_o, c) => claim(c) });
    const volume = (v: PersistentVolume) => v.metadata.deletionTimestamp && this.queue.add(`pv:${v.metadata.name}`);
    this.volumes.addHandler({ add: volume, update: (_o, v) => volume(v) });
    // A pod that finishes or goes may free its claims.
    const pod = (p: Pod) => podClaimNames(p).forEach((c) => this.queue.add(`${p.metadata.namespace}/${c}`));
    this.pods.addHandler({ update: (_o, p) => pod(p), delete: pod });
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    if (key.startsWith('pv:')) {
      const pv = this.volumes.get(key.slice(3));
      if (!pv?.metadata.deletionTimestamp || !(pv.metadata.finalizers ?? []).includes(PV_PROTECTION)) return;
      if (pv.status?.phase === 'Bound') return; // its claim's release brings it back
      return this.release(volumes, pv, PV_PROTECTION);
    }
    const pvc = this.claims.get(key);
    if (!pvc?.metadata.deletionTimestamp || !(pvc.metadata.finalizers ?? []).includes(PVC_PROTECTION)) return;
    const users = this.pods.byIndex('claim', key).filter((p) => !finished(p));
    if (users.length) return;
    return this.release(claims, pvc, PVC_PROTECTION);
  }

  private async release(r: typeof claims, obj: PersistentVolumeClaim | PersistentVolume, finalizer: string): Promise<void> {
    const finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    try {
      await this.ctx.client.patch(r, obj.metadata.namespace, obj.metadata.name!, { metadata: { uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion, finalizers: finalizers.length ? finalizers : null } }, 'merge');
    } catch (err) {
      if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err;
    }
  }
}
