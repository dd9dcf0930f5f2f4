// The ephemeral volume controller (kube-controller-manager's "ephemeral-volume"): for each
// generic ephemeral volume of a pod it makes the PersistentVolumeClaim <pod>-<volume> from the
// volume's template, owned by the pod (so the garbage collector deletes it with the pod). The
// scheduler and the kubelet wait for that claim; one deleted while its pod still lives is made
// again.
import type { Pod } from '../../../api/types/pod.js';
import type { PersistentVolumeClaim } from '../../../api/types/storage.js';
import { StatusError } from '../../../api/status.js';
import { ephemeralClaimName, ephemeralClaimNames } from '../../../api/pod-claims.js';
import type { Informer } from '../../../client/informer.js';
import { resource } from '../../../client/rest.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../../framework/controller.js';

const claims = resource('v1/persistentvolumeclaims');
/** Pods by the ephemeral claims they wait for: <namespace>/<claim>. */
const BY_EPHEMERAL_CLAIM = 'ephemeral-volume/claim';

const ephemeralClaims = (p: Pod) => ephemeralClaimNames(p).map((name) => `${p.metadata.namespace}/${name}`);

export class EphemeralVolumeController extends Controller {
  private readonly pods: Informer<Pod>;
  private readonly claims: Informer<PersistentVolumeClaim>;

  constructor(ctx: ControllerContext) {
    super('ephemeral-volume', ctx);
    this.pods = ctx.informers.for<Pod>('v1/pods');
    this.claims = ctx.informers.for<PersistentVolumeClaim>('v1/persistentvolumeclaims');
    this.pods.addIndexer(BY_EPHEMERAL_CLAIM, ephemeralClaims);
    const pod = (p: Pod) => ephemeralClaims(p).length > 0 && this.enqueue(p);
    this.pods.addHandler({ add: pod, update: (_o, p) => pod(p) });
    this.claims.addHandler({
      delete: (c) => {
        for (const p of this.pods.byIndex(BY_EPHEMERAL_CLAIM, `${c.metadata.namespace}/${c.metadata.name}`)) this.enqueue(p);
      },
    });
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const pod = this.pods.get(key);
    if (!pod || pod.metadata.deletionTimestamp) return;
    const namespace = pod.metadata.namespace!;
    for (const v of pod.spec.volumes ?? []) {
      const template = v?.ephemeral?.volumeClaimTemplate;
      if (!template) continue;
      const name = ephemeralClaimName(pod, v);
      // One that exists is left alone, whoever made it: the scheduler and kubelet refuse a claim the pod does not own.
      if (this.claims.get(`${namespace}/${name}`)) continue;
      const claim: PersistentVolumeClaim = {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: {
          name,
          namespace,
          ...(template.metadata?.labels ? { labels: template.metadata.labels } : {}),
          ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
          ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name!, uid: pod.metadata.uid!, controller: true, blockOwnerDeletion: true }],
        },
        spec: template.spec,
      };
      try {
        await this.ctx.client.create(claims, namespace, claim);
      } catch (err) {
        // 409: made meanwhile (the cache trails); anything else is retried with back-off.
        if (!(err instanceof StatusError && err.code === 409)) throw err;
      }
    }
  }
}
