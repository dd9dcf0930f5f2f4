// v1 PersistentVolume: stored and served; the controller-manager's volume controller binds and provisions them.
import { ageCol, col, nameCol, wide } from '../../printers.js';
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import { validatePersistentVolume, validatePersistentVolumeUpdate } from '../../validation/persistent-volume.js';
import { ACCESS_MODES } from './persistentvolumeclaim.js';
import { startPending, withStatus } from '../strategy.js';
import { statusOf, type KindModule } from '../kind.js';

export const persistentVolume: KindModule = {
  group: '',
  version: 'v1',
  kind: 'PersistentVolume',
  plural: 'persistentvolumes',
  namespaced: false,
  shortNames: ['pv'],
  subresources: [statusOf('PersistentVolume')],
  schema: schemaFromProtobuf('v1', 'PersistentVolume'),
  columns: [
    nameCol,
    col('Capacity', (o) => String(o.spec?.capacity?.storage ?? '')),
    col('Access Modes', (o) => ((o.spec?.accessModes ?? []) as string[]).map((m) => ACCESS_MODES[m] ?? m).join(',')),
    col('Reclaim Policy', (o) => String(o.spec?.persistentVolumeReclaimPolicy ?? '')),
    col('Status', (o) => (o.metadata.deletionTimestamp ? 'Terminating' : String(o.status?.phase ?? ''))),
    col('Claim', (o) => (o.spec?.claimRef ? `${o.spec.claimRef.namespace ?? ''}/${o.spec.claimRef.name ?? ''}` : '')),
    col('StorageClass', (o) => String(o.spec?.storageClassName ?? o.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '')),
    col('VolumeAttributesClass', (o) => String(o.spec?.volumeAttributesClassName ?? '<unset>')),
    col('Reason', (o) => String(o.status?.reason ?? '')),
    ageCol,
    col('VolumeMode', (o) => String(o.spec?.volumeMode ?? '<unset>'), wide),
  ],
  validate: validatePersistentVolume,
  validateUpdate: validatePersistentVolumeUpdate,
  // A new volume is Pending until the volume controller finds it Available, as in Kubernetes.
  strategy: withStatus({ prepareForCreate: startPending }),
};
