// storage.k8s.io/v1 CSIDriver: what a CSI volume driver installed in the cluster needs from
// Kubernetes (attach, pod information on mount, tokens, capacity tracking). Served and kept
// for the drivers and charts that create them; kubette's kubelets run no CSI drivers.
// Defaults, checks and which fields may change are Kubernetes 1.32's.
import { ageCol, col, nameCol } from '../../printers.js';
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import { immutable } from '../../validation/workloads.js';
import type { KindModule } from '../kind.js';
import { validateCSIDriverName } from './csi-driver-name.js';

const LIFECYCLE_MODES = ['Persistent', 'Ephemeral'];
const FS_GROUP_POLICIES = ['None', 'ReadWriteOnceWithFSType', 'File'];
const MIN_TOKEN_SECONDS = 10 * 60;
const MAX_TOKEN_SECONDS = 2 ** 32;

type TokenRequest = { audience?: unknown; expirationSeconds?: unknown };

export const csiDriver: KindModule = {
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'CSIDriver',
  plural: 'csidrivers',
  namespaced: false,
  // Checked as a driver name below (which may have capitals), not as a DNS subdomain.
  nameRule: 'path-segment',
  schema: schemaFromProtobuf('storage.k8s.io/v1', 'CSIDriver'),
  columns: [
    nameCol,
    col('AttachRequired', (o) => o.spec?.attachRequired !== false, { type: 'boolean' }),
    col('PodInfoOnMount', (o) => o.spec?.podInfoOnMount === true, { type: 'boolean' }),
    col('StorageCapacity', (o) => o.spec?.storageCapacity === true, { type: 'boolean' }),
    col('TokenRequests', (o) => (Array.isArray(o.spec?.tokenRequests) ? (o.spec.tokenRequests as TokenRequest[]).map((t) => String(t.audience ?? '')).join(',') : '<unset>')),
    col('RequiresRepublish', (o) => o.spec?.requiresRepublish === true, { type: 'boolean' }),
    col('Modes', (o) => ((o.spec?.volumeLifecycleModes ?? []) as string[]).join(',') || '<none>'),
    ageCol,
  ],
  defaults(o) {
    const spec = (o.spec ??= {});
    spec.attachRequired ??= true;
    spec.podInfoOnMount ??= false;
    spec.storageCapacity ??= false;
    spec.fsGroupPolicy ??= 'ReadWriteOnceWithFSType';
    spec.requiresRepublish ??= false;
    spec.seLinuxMount ??= false;
    if (!Array.isArray(spec.volumeLifecycleModes) || spec.volumeLifecycleModes.length === 0) spec.volumeLifecycleModes = ['Persistent'];
  },
  validate(o, errs) {
    validateCSIDriverName(o.metadata.name, 'name', errs);
    const spec = o.spec ?? {};
    // Kubernetes' own field path spells it so.
    if (spec.attachRequired === undefined || spec.attachRequired === null) errs.required('spec.attachedRequired');
    if (spec.podInfoOnMount === undefined || spec.podInfoOnMount === null) errs.required('spec.podInfoOnMount');
    if (spec.storageCapacity === undefined || spec.storageCapacity === null) errs.required('spec.storageCapacity');
    for (const mode of (spec.volumeLifecycleModes ?? []) as unknown[]) if (!LIFECYCLE_MODES.includes(String(mode))) errs.notSupported('spec.volumeLifecycleModes', mode, LIFECYCLE_MODES);
    if (spec.fsGroupPolicy !== undefined && spec.fsGroupPolicy !== null && !FS_GROUP_POLICIES.includes(String(spec.fsGroupPolicy))) errs.notSupported('spec.fsGroupPolicy', spec.fsGroupPolicy, FS_GROUP_POLICIES);
    const audiences = new Set<string>();
    for (const [i, t] of ((spec.tokenRequests ?? []) as TokenRequest[]).entries()) {
      const audience = String(t.audience ?? '');
      if (audiences.has(audience)) errs.duplicate(`spec.tokenRequests[${i}].audience`, audience);
      audiences.add(audience);
      const seconds = t.expirationSeconds;
      if (typeof seconds === 'number') {
        if (seconds < MIN_TOKEN_SECONDS) errs.invalid(`spec.tokenRequests[${i}].expirationSeconds`, seconds, 'may not specify a duration less than 10 minutes');
        else if (seconds > MAX_TOKEN_SECONDS) errs.invalid(`spec.tokenRequests[${i}].expirationSeconds`, seconds, 'may not specify a duration larger than 2^32 seconds');
      }
    }
  },
  validateUpdate(next, prev, errs) {
    immutable(next.spec?.attachRequired, prev.spec?.attachRequired, 'spec.attachRequired', errs);
    immutable(next.spec?.volumeLifecycleModes, prev.spec?.volumeLifecycleModes, 'spec.volumeLifecycleModes', errs);
  },
};
