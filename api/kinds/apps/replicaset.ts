// apps/v1 ReplicaSet: keeps a number of pods from one template running.
import { defaultTemplate, setIfMissing } from '../../defaulting.js';
import { ageCol, col, containersCol, imagesCol, nameCol, selectorCol, type PrinterColumn } from '../../printers.js';
import { int32, obj } from '../../schema/dsl.js';
import { kind, labelSelector } from '../../schema/meta.js';
import { podTemplateSpec } from '../../schema/pod.js';
import { workloadStatus } from '../../schema/workloads.js';
import { nonNegative, selectorImmutable, validateSelectorAndTemplate, validateTemplate } from '../../validation/workloads.js';
import { withStatus } from '../strategy.js';
import { ALL, fieldText, scale, statusOf, type KindModule } from '../kind.js';

export const replicaSetColumns: PrinterColumn[] = [
  nameCol,
  col('Desired', (o) => o.spec?.replicas ?? 0, { type: 'integer', description: 'Number of desired pods.' }),
  col('Current', (o) => o.status?.replicas ?? 0, { type: 'integer', description: 'Replicas is the most recently observed number of replicas.' }),
  col('Ready', (o) => o.status?.readyReplicas ?? 0, { type: 'integer', description: 'The number of ready replicas for this replica set.' }),
  ageCol,
  containersCol,
  imagesCol,
  selectorCol,
];

export const replicaSet: KindModule = {
  group: 'apps',
  version: 'v1',
  kind: 'ReplicaSet',
  plural: 'replicasets',
  generation: true,
  shortNames: ['rs'],
  categories: ALL,
  subresources: [scale, statusOf('ReplicaSet')],
  schema: kind({
    spec: obj({ replicas: int32, minReadySeconds: int32, selector: labelSelector, template: podTemplateSpec }),
    status: workloadStatus,
  }),
  columns: replicaSetColumns,
  defaults(o) {
    const spec = o.spec ?? (o.spec = {});
    setIfMissing(spec, 'replicas', 1);
    defaultTemplate(spec.template);
  },
  validate(o, errs, prev) {
    const spec = o.spec ?? {};
    nonNegative(spec.replicas, 'spec.replicas', errs);
    nonNegative(spec.minReadySeconds, 'spec.minReadySeconds', errs);
    validateSelectorAndTemplate(spec, errs, 'deployment');
    validateTemplate(spec.template, 'spec.template', errs, ['Always'], prev?.spec?.template);
  },
  validateUpdate: selectorImmutable,
  strategy: withStatus(),
  selectableFields: (o) => ({ 'status.replicas': fieldText(o.status?.replicas ?? 0) }),
};
