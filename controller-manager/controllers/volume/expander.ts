// The volume expander (kube-controller-manager's persistentvolume-expander, doing for the
// built-in local-path provisioner what an external resizer does for its CSI driver): a Bound
// claim that asks for more storage than it has (PersistentVolumeClaimResize admission already
// checked its class allows it) gets it.
//  - A local-path volume is a directory: nothing to grow on disk nor on the node, so the claim is
//    marked Resizing, the volume's capacity raised, and the claim's capacity then, as a resizer
//    does for a volume that needs no file-system step on its node.
//  - Any other volume is some other driver's to grow: the claim is told so (ExternalExpanding),
//    as Kubernetes does when no in-tree plugin can expand a volume.
import { parseQuantity } from '../../../api/quantity.js';
import { StatusError } from '../../../api/status.js';
import { rfc3339 } from '../../../api/time.js';
import type { Condition } from '../../../api/types/meta.js';
import type { PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimStatus } from '../../../api/types/storage.js';
import type { Informer } from '../../../client/informer.js';
import { resource } from '../../../client/rest.js';
import { Controller, type ControllerContext, type ReconcileResult } from '../../framework/controller.js';
import { LOCAL_PATH_PROVISIONER, PROVISIONED_BY } from './binder.js';

const volumes = resource('v1/persistentvolumes');
const claims = resource('v1/persistentvolumeclaims');

/** The conditions a resize in progress puts on a claim. */
const RESIZE_CONDITIONS = new Set(['Resizing', 'FileSystemResizePending']);

export class VolumeExpander extends Controller {
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly volumes: Informer<PersistentVolume>;
  /** Claims (uid and size asked for) already told another driver must grow their volume. */
  private readonly toldExternal = new Map<string, string>();

  constructor(ctx: ControllerContext) {
    super('persistentvolume-expander', ctx);
    this.claims = ctx.informers.for<PersistentVolumeClaim>('v1/persistentvolumeclaims');
    this.volumes = ctx.informers.for<PersistentVolume>('v1/persistentvolumes');
    this.claims.addHandler({
      add: (c) => this.enqueue(c),
      update: (_o, c) => this.enqueue(c),
      delete: (c) => this.toldExternal.delete(c.metadata.uid ?? ''),
    });
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const cached = this.claims.get(key);
    if (!cached || cached.metadata.deletionTimestamp || cached.status?.phase !== 'Bound' || !cached.spec.volumeName) return;
    const requested = cached.spec.resources?.requests?.storage;
    const want = parseQuantity(requested);
    const have = parseQuantity(cached.status.capacity?.storage);
    if (requested === undefined || want === undefined || have === undefined || want <= have) return;
    const pv = this.volumes.get(cached.spec.volumeName);
    if (!pv || pv.spec.claimRef?.uid !== cached.metadata.uid) return;
    if (pv.metadata.annotations?.[PROVISIONED_BY] !== LOCAL_PATH_PROVISIONER) {
      const uid = cached.metadata.uid ?? '';
      if (this.toldExternal.get(uid) === requested) return;
      this.toldExternal.set(uid, requested);
      this.ctx.recorder.event(cached, 'Normal', 'ExternalExpanding', 'waiting for an external controller to expand this PVC');
      return;
    }
    try {
      let pvc = await this.writeStatus(structuredClone(cached), (s) => ({
        ...s,
        conditions: [...(s.conditions ?? []).filter((c) => c.type !== 'Resizing'), resizing()],
        allocatedResources: { ...(s.allocatedResources ?? {}), storage: requested },
        allocatedResourceStatuses: { ...(s.allocatedResourceStatuses ?? {}), storage: 'ControllerResizeInProgress' },
      }));
      this.ctx.recorder.event(pvc, 'Normal', 'Resizing', `Resizing volume ${pv.metadata.name}`);
      if ((parseQuantity(pv.spec.capacity?.storage) ?? 0) < want) {
        const grown = structuredClone(pv);
        grown.spec.capacity = { ...(grown.spec.capacity ?? {}), storage: requested };
        await this.ctx.client.update<PersistentVolume>(volumes, grown);
      }
      pvc = await this.writeStatus(pvc, (s) => {
        const statuses = { ...(s.allocatedResourceStatuses ?? {}) };
        delete statuses.storage;
        const conditions = (s.conditions ?? []).filter((c) => !RESIZE_CONDITIONS.has(c.type));
        const { allocatedResourceStatuses: _statuses, conditions: _conditions, ...rest } = s;
        return {
          ...rest,
          capacity: { ...(s.capacity ?? {}), storage: requested },
          ...(conditions.length ? { conditions } : {}),
          ...(Object.keys(statuses).length ? { allocatedResourceStatuses: statuses } : {}),
        };
      });
      this.ctx.recorder.event(pvc, 'Normal', 'VolumeResizeSuccessful', 'Resize volume succeeded');
      this.log.info({ claim: key, volume: pv.metadata.name, storage: requested }, 'expanded a volume');
    } catch (err) {
      // 409: the claim or volume changed under us; its update event brings it back here.
      if (!(err instanceof StatusError && (err.code === 409 || err.code === 404))) throw err;
    }
  }

  private async writeStatus(pvc: PersistentVolumeClaim, change: (s: PersistentVolumeClaimStatus) => PersistentVolumeClaimStatus): Promise<PersistentVolumeClaim> {
    const body = { ...pvc, status: change(pvc.status ?? {}) };
    return (await this.ctx.client.request('PUT', this.ctx.client.path(claims, pvc.metadata.namespace, pvc.metadata.name!, 'status'), { body })) as PersistentVolumeClaim;
  }
}

function resizing(): Condition {
  return { type: 'Resizing', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339() };
}
