// PersistentVolume rules, as Kubernetes checks them: access modes, a storage capacity, exactly
// one volume source, what local and hostPath volumes need, node affinity; and that an update
// leaves the source, the volume mode and a set node affinity alone.
import { deepEqual } from '../codec/values.js';
import { parseQuantity } from '../quantity.js';
import type { KubeObject, Unstructured } from '../types/meta.js';
import type { FieldErrors } from './field-errors.js';
import { dns1123Subdomain } from './names.js';
import { validateAccessModes } from './persistent-volume-claim.js';
import { validateNodeSelector } from './pod-scheduling.js';
import { validateHostPath, validatePathNoBacksteps } from './volume-sources.js';
import { immutable } from './workloads.js';

const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const VOLUME_MODES = ['Block', 'Filesystem'];
/** PersistentVolumeSource's fields: the volume types a PersistentVolume may name. */
const SOURCES = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'iscsi', 'cinder', 'cephfs', 'fc', 'flocker', 'flexVolume',
  'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'local', 'storageos', 'csi',
];

const present = (v: unknown): boolean => v !== undefined && v !== null;

function validateLocalPath(path: unknown, field: string, errs: FieldErrors): void {
  if (typeof path !== 'string' || !path) return errs.required(field);
  if (!path.startsWith('/')) errs.invalid(field, path, 'must be an absolute path');
  validatePathNoBacksteps(path, field, errs);
}

export function validatePersistentVolume(o: KubeObject, errs: FieldErrors): void {
  const spec = (o.spec ?? {}) as Unstructured;
  validateAccessModes(spec.accessModes, 'spec.accessModes', errs);
  const capacity = (spec.capacity && typeof spec.capacity === 'object' ? spec.capacity : {}) as Record<string, unknown>;
  const names = Object.keys(capacity);
  if (names.length === 0) errs.required('spec.capacity');
  if (!('storage' in capacity) || names.length > 1) errs.notSupported('spec.capacity', names.join(', '), ['storage']);
  for (const [name, q] of Object.entries(capacity)) {
    const v = parseQuantity(q as string);
    if (v !== undefined && !(v > 0)) errs.invalid(`spec.capacity[${name}]`, String(q), 'must be greater than zero');
  }
  const policy = spec.persistentVolumeReclaimPolicy;
  if (present(policy) && policy !== '' && !RECLAIM_POLICIES.includes(policy)) errs.notSupported('spec.persistentVolumeReclaimPolicy', policy, RECLAIM_POLICIES);
  if (typeof spec.storageClassName === 'string' && spec.storageClassName) errs.format('spec.storageClassName', spec.storageClassName, dns1123Subdomain(spec.storageClassName));
  if (present(spec.volumeMode) && !VOLUME_MODES.includes(spec.volumeMode)) errs.notSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES);
  const sources = SOURCES.filter((s) => present(spec[s]));
  if (sources.length === 0) errs.required('spec', 'must specify a volume type');
  for (const extra of sources.slice(1)) errs.forbidden(`spec.${extra}`, 'may not specify more than 1 volume type');
  if (present(spec.hostPath)) {
    validateHostPath(spec.hostPath, 'spec.hostPath', errs);
    if (policy === 'Recycle' && spec.hostPath.path === '/') errs.forbidden('spec.persistentVolumeReclaimPolicy', "may not be 'recycle' for a hostPath mount of '/'");
  }
  if (present(spec.local)) {
    validateLocalPath(spec.local.path, 'spec.local.path', errs);
    if (!present(spec.nodeAffinity)) errs.required('spec.nodeAffinity', 'Local volumes require node affinity');
  }
  if (present(spec.nodeAffinity)) {
    const required = spec.nodeAffinity.required;
    if (!present(required)) errs.required('spec.nodeAffinity.required', 'must specify required node constraints');
    else validateNodeSelector(required, 'spec.nodeAffinity.required', errs);
  }
}

export function validatePersistentVolumeUpdate(next: KubeObject, prev: KubeObject, errs: FieldErrors): void {
  const sourceOf = (o: KubeObject) => Object.fromEntries(SOURCES.filter((s) => present(o.spec?.[s])).map((s) => [s, o.spec[s]]));
  if (!deepEqual(sourceOf(next), sourceOf(prev))) errs.forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation');
  immutable(next.spec?.volumeMode, prev.spec?.volumeMode, 'volumeMode', errs);
  if (present(prev.spec?.nodeAffinity)) immutable(next.spec?.nodeAffinity, prev.spec.nodeAffinity, 'nodeAffinity', errs);
}
