// storage.k8s.io/v1 VolumeAttachment: a request to attach a volume to a node, for a CSI
// driver's external attacher to act on and report in status. Served and kept; no controller
// here makes them (kubette's volumes are local paths that need no attaching). The spec cannot
// change after creation.
import { ageCol, col, nameCol } from '../../printers.js';
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import { dns1123Subdomain } from '../../validation/names.js';
import { immutable } from '../../validation/workloads.js';
import { withStatus } from '../strategy.js';
import { statusOf, type KindModule } from '../kind.js';
import { validateCSIDriverName } from './csi-driver-name.js';

const MAX_METADATA_BYTES = 256 * 1024;
const MAX_ERROR_MESSAGE = 1024;

export const volumeAttachment: KindModule = {
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'VolumeAttachment',
  plural: 'volumeattachments',
  namespaced: false,
  subresources: [statusOf('VolumeAttachment')],
  schema: schemaFromProtobuf('storage.k8s.io/v1', 'VolumeAttachment'),
  columns: [
    nameCol,
    col('Attacher', (o) => String(o.spec?.attacher ?? '')),
    col('PV', (o) => String(o.spec?.source?.persistentVolumeName ?? '')),
    col('Node', (o) => String(o.spec?.nodeName ?? '')),
    col('Attached', (o) => o.status?.attached === true, { type: 'boolean' }),
    ageCol,
  ],
  strategy: withStatus(),
  validate(o, errs) {
    const spec = o.spec ?? {};
    validateCSIDriverName(spec.attacher, 'spec.attacher', errs);
    const source = spec.source ?? {};
    const pv = source.persistentVolumeName;
    const inline = source.inlineVolumeSpec;
    if ((pv === undefined || pv === null) && (inline === undefined || inline === null)) errs.required('spec.source', 'must specify exactly one of inlineVolumeSpec and persistentVolumeName');
    else if (pv !== undefined && pv !== null && inline !== undefined && inline !== null) errs.forbidden('spec.source', 'must specify exactly one of inlineVolumeSpec and persistentVolumeName');
    else if (typeof pv === 'string') {
      if (!pv) errs.required('spec.source.persistentVolumeName', 'must specify non empty persistentVolumeName');
      else errs.format('spec.source.persistentVolumeName', pv, dns1123Subdomain(pv));
    }
    const node = typeof spec.nodeName === 'string' ? spec.nodeName : '';
    errs.format('spec.nodeName', node, dns1123Subdomain(node));
    const status = o.status ?? {};
    const metadata = (status.attachmentMetadata ?? {}) as Record<string, unknown>;
    if (Object.entries(metadata).reduce((n, [k, v]) => n + k.length + String(v).length, 0) > MAX_METADATA_BYTES) errs.tooLong('status.attachmentMetadata', MAX_METADATA_BYTES);
    for (const which of ['attachError', 'detachError']) {
      const message = (status[which] as { message?: unknown } | undefined)?.message;
      if (typeof message === 'string' && message.length > MAX_ERROR_MESSAGE) errs.tooLong(`status.${which}.message`, MAX_ERROR_MESSAGE);
    }
  },
  validateUpdate(next, prev, errs) {
    immutable(next.spec, prev.spec, 'spec', errs);
  },
};
