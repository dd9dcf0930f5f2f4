// storage.k8s.io/v1 StorageClass: which provisioner makes volumes for claims of the class, with
// what parameters, reclaim policy and binding mode (the controller-manager's local-path
// provisioner serves `kubette.io/local-path`). Defaults, checks and immutability as in
// Kubernetes; `kubectl get sc` marks the default class.
import { deepEqual } from '../../codec/values.js';
import { ageCol, col, nameCol } from '../../printers.js';
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import type { KubeObject, Unstructured } from '../../types/meta.js';
import type { FieldErrors } from '../../validation/field-errors.js';
import { qualifiedName } from '../../validation/names.js';
import type { KindModule } from '../kind.js';

const RECLAIM_POLICIES = ['Delete', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_BYTES = 256 * 1024;

/** Marked default by the annotation (or its beta spelling). */
export function isDefaultClass(o: KubeObject): boolean {
  const a = o.metadata.annotations ?? {};
  return a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
}

/** Where volumes of the class may be: per term, each key a label name once, with at least one value, each once. */
function validateAllowedTopologies(terms: unknown, errs: FieldErrors): void {
  (Array.isArray(terms) ? terms : []).forEach((term: Unstructured, i: number) => {
    const keys = new Set<unknown>();
    (Array.isArray(term?.matchLabelExpressions) ? term.matchLabelExpressions : []).forEach((r: Unstructured, j: number) => {
      const f = `allowedTopologies[${i}].matchLabelExpressions[${j}]`;
      const values: unknown[] = Array.isArray(r?.values) ? r.values : [];
      if (!values.length) errs.required(`${f}.values`);
      const seen = new Set<unknown>();
      values.forEach((v, k) => {
        if (seen.has(v)) errs.duplicate(`${f}.values[${k}]`, v);
        seen.add(v);
      });
      errs.format(`${f}.key`, String(r?.key ?? ''), qualifiedName(String(r?.key ?? '')));
      if (keys.has(r?.key)) errs.duplicate(`${f}.key`, r?.key);
      keys.add(r?.key);
    });
  });
}

export const storageClass: KindModule = {
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'StorageClass',
  plural: 'storageclasses',
  namespaced: false,
  shortNames: ['sc'],
  schema: schemaFromProtobuf('storage.k8s.io/v1', 'StorageClass'),
  columns: [
    { ...nameCol, cell: (o) => `${o.metadata.name ?? ''}${isDefaultClass(o) ? ' (default)' : ''}` },
    col('Provisioner', (o) => String(o.provisioner ?? '')),
    col('ReclaimPolicy', (o) => String(o.reclaimPolicy ?? '')),
    col('VolumeBindingMode', (o) => String(o.volumeBindingMode ?? '')),
    col('AllowVolumeExpansion', (o) => String(o.allowVolumeExpansion === true)),
    ageCol,
  ],
  defaults(o) {
    o.reclaimPolicy ??= 'Delete';
    o.volumeBindingMode ??= 'Immediate';
  },
  validate(o, errs) {
    const provisioner = o.provisioner;
    if (typeof provisioner !== 'string' || !provisioner) errs.required('provisioner');
    else errs.format('provisioner', provisioner, qualifiedName(provisioner.toLowerCase()));
    const params = o.parameters;
    if (params && typeof params === 'object') {
      const entries = Object.entries(params as Record<string, unknown>);
      if (entries.length > MAX_PARAMETERS) errs.tooMany('parameters', entries.length, MAX_PARAMETERS);
      else if (entries.reduce((n, [k, v]) => n + k.length + String(v).length, 0) > MAX_PARAMETERS_BYTES) errs.tooLong('parameters', MAX_PARAMETERS_BYTES);
    }
    if (o.reclaimPolicy !== undefined && o.reclaimPolicy !== '' && !RECLAIM_POLICIES.includes(String(o.reclaimPolicy))) errs.notSupported('reclaimPolicy', o.reclaimPolicy, RECLAIM_POLICIES);
    validateAllowedTopologies(o.allowedTopologies, errs);
    if (o.volumeBindingMode === undefined || o.volumeBindingMode === null) errs.required('volumeBindingMode');
    else if (!BINDING_MODES.includes(String(o.volumeBindingMode))) errs.notSupported('volumeBindingMode', o.volumeBindingMode, BINDING_MODES);
  },
  validateUpdate(next, prev, errs) {
    if (!deepEqual(next.parameters ?? {}, prev.parameters ?? {})) errs.forbidden('parameters', 'updates to parameters are forbidden.');
    if (next.provisioner !== prev.provisioner) errs.forbidden('provisioner', 'updates to provisioner are forbidden.');
    if (next.reclaimPolicy !== prev.reclaimPolicy) errs.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.');
    if (next.volumeBindingMode !== prev.volumeBindingMode) errs.invalid('volumeBindingMode', next.volumeBindingMode ?? null, 'field is immutable');
  },
};
