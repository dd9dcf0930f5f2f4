// storage.k8s.io/v1 CSINode: the CSI drivers installed on a node (named after it), with each
// driver's node ID, topology keys and volume limit. A kubelet creates its node's, with no
// drivers, as Kubernetes' kubelet does; a driver's registrar would fill it in.
import { ageCol, col, nameCol } from '../../printers.js';
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import { deepEqual } from '../../codec/values.js';
import { qualifiedName } from '../../validation/names.js';
import type { KindModule } from '../kind.js';
import { validateCSIDriverName } from './csi-driver-name.js';

const MAX_NODE_ID_LENGTH = 192;

type Driver = { name?: unknown; nodeID?: unknown; topologyKeys?: unknown[]; allocatable?: { count?: unknown } };

export const csiNode: KindModule = {
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'CSINode',
  plural: 'csinodes',
  namespaced: false,
  schema: schemaFromProtobuf('storage.k8s.io/v1', 'CSINode'),
  columns: [nameCol, col('Drivers', (o) => ((o.spec?.drivers ?? []) as unknown[]).length, { type: 'integer' }), ageCol],
  validate(o, errs) {
    const names = new Set<string>();
    for (const [i, d] of ((o.spec?.drivers ?? []) as Driver[]).entries()) {
      const p = `spec.drivers[${i}]`;
      validateCSIDriverName(d.name, `${p}.name`, errs);
      if (typeof d.name === 'string') {
        if (names.has(d.name)) errs.duplicate(`${p}.name`, d.name);
        names.add(d.name);
      }
      const nodeID = typeof d.nodeID === 'string' ? d.nodeID : '';
      if (!nodeID) errs.required(`${p}.nodeID`);
      else if (nodeID.length > MAX_NODE_ID_LENGTH) errs.invalid(`${p}.nodeID`, nodeID, `must be ${MAX_NODE_ID_LENGTH} characters or less`);
      const count = d.allocatable?.count;
      if (typeof count === 'number' && count < 0) errs.invalid(`${p}.allocatable.count`, count, 'must be greater than or equal to 0');
      const keys = new Set<string>();
      for (const key of d.topologyKeys ?? []) {
        const k = String(key);
        if (!k) errs.required(p);
        if (keys.has(k)) errs.duplicate(p, k);
        keys.add(k);
        errs.format(p, k, k ? qualifiedName(k) : []);
      }
    }
  },
  validateUpdate(next, prev, errs) {
    // A driver's entry cannot change once registered; drivers may come and go.
    for (const before of (prev.spec?.drivers ?? []) as Driver[]) {
      const after = ((next.spec?.drivers ?? []) as Driver[]).find((d) => d.name === before.name);
      if (after && !deepEqual(after, before)) errs.invalid('CSINodeDriver', after, 'field is immutable');
    }
  },
};
