// PersistentVolumeClaimResize: a claim may ask for more storage only once it is Bound, and only
// when its StorageClass (the same before and after) sets allowVolumeExpansion; anything else is
// refused with Kubernetes' messages, since no volume would grow to match the request.
import { parseQuantity } from '../../api/quantity.js';
import { forbidden } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';

/** A StorageClass by name, if it exists. */
export type StorageClassLookup = (name: string) => KubeObject | undefined;

const storageOf = (claim: KubeObject) => parseQuantity((claim.spec?.resources?.requests as Record<string, string> | undefined)?.storage);
const classOf = (claim: KubeObject): string => (typeof claim.spec?.storageClassName === 'string' ? claim.spec.storageClassName : '');

export function admitClaimResize(next: KubeObject, old: KubeObject, storageClass: StorageClassLookup): void {
  const before = storageOf(old);
  const after = storageOf(next);
  if (before === undefined || after === undefined || after <= before) return;
  const name = next.metadata.name ?? '';
  if (old.status?.phase !== 'Bound') throw forbidden('persistentvolumeclaims', '', name, 'Only bound persistent volume claims can be expanded');
  const cls = classOf(next);
  const allowed = cls !== '' && cls === classOf(old) && storageClass(cls)?.allowVolumeExpansion === true;
  if (!allowed) throw forbidden('persistentvolumeclaims', '', name, 'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
}
