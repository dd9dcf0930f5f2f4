// v1 PersistentVolumeClaim: validated as Kubernetes does; bound by the controller-manager's binder.
import { ageCol, col, nameCol, none, wide } from '../../printers.js';
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import { startPending, withStatus } from '../strategy.js';
import { statusOf, type KindModule } from '../kind.js';
import { validateClaimSpec, validateClaimUpdate } from '../../validation/persistent-volume-claim.js';

export const ACCESS_MODES: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };

export const persistentVolumeClaim: KindModule = {
  group: '',
  version: 'v1',
  kind: 'PersistentVolumeClaim',
  plural: 'persistentvolumeclaims',
  shortNames: ['pvc'],
  subresources: [statusOf('PersistentVolumeClaim')],
  schema: schemaFromProtobuf('v1', 'PersistentVolumeClaim'),
  columns: [
    nameCol,
    col('Status', (o) => (o.metadata.deletionTimestamp ? 'Terminating' : o.status?.phase ?? 'Pending')),
    col('Volume', (o) => o.spec?.volumeName ?? ''),
    col('Capacity', (o) => o.status?.capacity?.storage ?? ''),
    col('Access Modes', (o) => ((o.status?.accessModes ?? []) as string[]).map((m) => ACCESS_MODES[m] ?? m).join(',')),
    col('StorageClass', (o) => none(o.spec?.storageClassName)),
    col('VolumeAttributesClass', (o) => none(o.spec?.volumeAttributesClassName)),
    ageCol,
    col('VolumeMode', (o) => o.spec?.volumeMode ?? 'Filesystem', wide),
  ],
  validate: (o, errs) => validateClaimSpec(o.spec, 'spec', errs),
  validateUpdate: (next, prev, errs) => validateClaimUpdate(next, prev, errs),
  // A new claim is Pending until the volume controller binds it (Kubernetes defaults the phase).
  strategy: withStatus({ prepareForCreate: startPending }),
};
