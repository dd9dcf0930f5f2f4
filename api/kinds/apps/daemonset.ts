// apps/v1 DaemonSet: one pod per eligible node (its controller comes with issue 13).
import { defaultTemplate, rollingUpdateStrategy, setIfMissing } from '../../defaulting.js';
import { ageCol, col, containersCol, imagesCol, nameCol, selectorCol } from '../../printers.js';
import { obj, open, str } from '../../schema/dsl.js';
import { kind, labelSelector } from '../../schema/meta.js';
import { podTemplateSpec } from '../../schema/pod.js';
import { rollingUpdate, workloadStatus } from '../../schema/workloads.js';
import { selectorImmutable, validateDaemonSetUpdateStrategy, validateSelectorAndTemplate, validateTemplate } from '../../validation/workloads.js';
import { withStatus } from '../strategy.js';
import { ALL, statusOf, type KindModule } from '../kind.js';

export const daemonSet: KindModule = {
  group: 'apps',
  version: 'v1',
  kind: 'DaemonSet',
  plural: 'daemonsets',
  generation: true,
  shortNames: ['ds'],
  categories: ALL,
  subresources: [statusOf('DaemonSet')],
  schema: kind({
    spec: open({ selector: labelSelector, template: podTemplateSpec, updateStrategy: obj({ type: str, rollingUpdate }) }),
    status: workloadStatus,
  }),
  columns: [
    nameCol,
    col('Desired', (o) => o.status?.desiredNumberScheduled ?? 0, { type: 'integer' }),
    col('Current', (o) => o.status?.currentNumberScheduled ?? 0, { type: 'integer' }),
    col('Ready', (o) => o.status?.numberReady ?? 0, { type: 'integer' }),
    col('Up-to-date', (o) => o.status?.updatedNumberScheduled ?? 0, { type: 'integer' }),
    col('Available', (o) => o.status?.numberAvailable ?? 0, { type: 'integer' }),
    col('Node Selector', (o) => Object.entries(o.spec?.template?.spec?.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>'),
    ageCol,
    containersCol,
    imagesCol,
    selectorCol,
  ],
  defaults(o) {
    const spec = o.spec ?? (o.spec = {});
    rollingUpdateStrategy(spec, 'updateStrategy', 'RollingUpdate', { maxUnavailable: 1, maxSurge: 0 });
    setIfMissing(spec, 'revisionHistoryLimit', 10);
    defaultTemplate(spec.template);
  },
  validate(o, errs, prev) {
    const spec = o.spec ?? {};
    validateSelectorAndTemplate(spec, errs, 'daemonset');
    validateTemplate(spec.template, 'spec.template', errs, ['Always'], prev?.spec?.template);
    validateDaemonSetUpdateStrategy(spec.updateStrategy, errs);
  },
  validateUpdate: selectorImmutable,
  strategy: withStatus(),
};
