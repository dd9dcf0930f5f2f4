// v1 ReplicationController: ReplicaSet's predecessor, with a plain label map as selector.
import { defaultTemplate, setIfMissing } from '../../defaulting.js';
import { fromLabelSelector, matches } from '../../labels.js';
import { col, mapSelector, wide } from '../../printers.js';
import { int32, obj, stringMap } from '../../schema/dsl.js';
import { kind } from '../../schema/meta.js';
import { podTemplateSpec } from '../../schema/pod.js';
import { workloadStatus } from '../../schema/workloads.js';
import { validateLabels } from '../../validation/object-meta.js';
import { nonNegative, showMap, validateTemplate } from '../../validation/workloads.js';
import { withStatus } from '../strategy.js';
import { ALL, fieldText, scale, statusOf, type KindModule } from '../kind.js';
import { replicaSetColumns } from '../apps/replicaset.js';

export const replicationController: KindModule = {
  group: '',
  version: 'v1',
  kind: 'ReplicationController',
  plural: 'replicationcontrollers',
  generation: true,
  shortNames: ['rc'],
  categories: ALL,
  subresources: [scale, statusOf('ReplicationController')],
  schema: kind({
    spec: obj({ replicas: int32, minReadySeconds: int32, selector: stringMap, template: podTemplateSpec }),
    status: workloadStatus,
  }),
  columns: [...replicaSetColumns.slice(0, 7), col('Selector', (o) => mapSelector(o.spec?.selector), wide)],
  defaults(o) {
    const spec = o.spec ?? (o.spec = {});
    setIfMissing(spec, 'replicas', 1);
    defaultTemplate(spec.template);
    const templateLabels = spec.template?.metadata?.labels;
    if (templateLabels) {
      if (!spec.selector || Object.keys(spec.selector).length === 0) spec.selector = { ...templateLabels };
      if (!o.metadata.labels || Object.keys(o.metadata.labels).length === 0) o.metadata.labels = { ...templateLabels };
    }
  },
  validate(o, errs, prev) {
    const spec = o.spec ?? {};
    nonNegative(spec.replicas, 'spec.replicas', errs);
    const selector = spec.selector as Record<string, string> | undefined;
    if (!selector || Object.keys(selector).length === 0) errs.required('spec.selector');
    validateLabels(selector, 'spec.selector', errs);
    validateTemplate(spec.template, 'spec.template', errs, ['Always'], prev?.spec?.template);
    if (selector && spec.template && !matches(fromLabelSelector({ matchLabels: selector }), spec.template.metadata?.labels)) {
      errs.invalidShown('spec.template.metadata.labels', showMap(spec.template.metadata?.labels), '`selector` does not match template `labels`');
    }
  },
  strategy: withStatus(),
  selectableFields: (o) => ({ 'status.replicas': fieldText(o.status?.replicas ?? 0) }),
};
