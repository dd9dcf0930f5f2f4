// storage.k8s.io/v1 CSIStorageCapacity: how much storage of a class a CSI driver reports
// available to the nodes a topology selects (namespaced, with the driver). Served and kept for
// the drivers that publish them; the scheduler here does not yet weigh them. Which class and
// which nodes cannot change; the figures may.
import { parseQuantity } from '../../quantity.js';
import { col, nameCol } from '../../printers.js';
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import { dns1123Subdomain } from '../../validation/names.js';
import { validateLabelSelector } from '../../validation/label-selector.js';
import { immutable } from '../../validation/workloads.js';
import type { Unstructured } from '../../types/meta.js';
import type { KindModule } from '../kind.js';

export const csiStorageCapacity: KindModule = {
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'CSIStorageCapacity',
  plural: 'csistoragecapacities',
  schema: schemaFromProtobuf('storage.k8s.io/v1', 'CSIStorageCapacity'),
  columns: [nameCol, col('StorageClassName', (o) => String(o.storageClassName ?? '')), col('Capacity', (o) => (o.capacity === undefined || o.capacity === null ? '<unset>' : String(o.capacity)))],
  validate(o, errs, prev) {
    // nodeTopology cannot change, so an update keeps what the create accepted.
    validateLabelSelector(o.nodeTopology as Unstructured | undefined, 'nodeTopology', errs, { allowInvalidValues: prev !== undefined });
    const className = typeof o.storageClassName === 'string' ? o.storageClassName : '';
    if (!className) errs.required('storageClassName');
    else errs.format('storageClassName', className, dns1123Subdomain(className));
    for (const field of ['capacity', 'maximumVolumeSize']) {
      const v = o[field];
      if (v === undefined || v === null) continue;
      const q = parseQuantity(v as string);
      if (q !== undefined && q < 0) errs.invalid(field, v, 'must be greater than or equal to 0');
    }
  },
  validateUpdate(next, prev, errs) {
    immutable(next.nodeTopology, prev.nodeTopology, 'nodeTopology', errs);
    immutable(next.storageClassName, prev.storageClassName, 'storageClassName', errs);
  },
};
