// apps/v1 Deployment: rolls a pod template out through ReplicaSets.
import { defaultTemplate, rollingUpdateStrategy, setIfMissing } from '../../defaulting.js';
import { ageCol, col, containersCol, imagesCol, nameCol, selectorCol } from '../../printers.js';
import { bool, int32, obj, str } from '../../schema/dsl.js';
import { kind, labelSelector } from '../../schema/meta.js';
import { podTemplateSpec } from '../../schema/pod.js';
import { rollingUpdate, workloadStatus } from '../../schema/workloads.js';
import { nonNegative, selectorImmutable, validateIntOrPercent, validateSelectorAndTemplate, validateTemplate } from '../../validation/workloads.js';
import { withStatus } from '../strategy.js';
import { ALL, scale, statusOf, type KindModule } from '../kind.js';

export const deployment: KindModule = {
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  plural: 'deployments',
  generation: true,
  shortNames: ['deploy'],
  categories: ALL,
  subresources: [scale, statusOf('Deployment')],
  schema: kind({
    spec: obj({
      replicas: int32,
      selector: labelSelector,
      template: podTemplateSpec,
      strategy: obj({ type: str, rollingUpdate }),
      minReadySeconds: int32,
      revisionHistoryLimit: int32,
      paused: bool,
      progressDeadlineSeconds: int32,
    }),
    status: workloadStatus,
  }),
  columns: [
    nameCol,
    col('Ready', (o) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`, { description: 'Number of the pod with ready state' }),
    col('Up-to-date', (o) => o.status?.updatedReplicas ?? 0, { type: 'integer', description: 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.' }),
    col('Available', (o) => o.status?.availableReplicas ?? 0, { type: 'integer', description: 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.' }),
    ageCol,
    containersCol,
    imagesCol,
    selectorCol,
  ],
  defaults(o) {
    const spec = o.spec ?? (o.spec = {});
    setIfMissing(spec, 'replicas', 1);
    rollingUpdateStrategy(spec, 'strategy', 'RollingUpdate', { maxUnavailable: '25%', maxSurge: '25%' });
    setIfMissing(spec, 'revisionHistoryLimit', 10);
    setIfMissing(spec, 'progressDeadlineSeconds', 600);
    defaultTemplate(spec.template);
  },
  validate(o, errs, prev) {
    const spec = o.spec ?? {};
    nonNegative(spec.replicas, 'spec.replicas', errs);
    validateSelectorAndTemplate(spec, errs, 'deployment');
    validateTemplate(spec.template, 'spec.template', errs, ['Always'], prev?.spec?.template);
    const strategy = spec.strategy ?? {};
    if (strategy.type && !['RollingUpdate', 'Recreate'].includes(strategy.type)) errs.notSupported('spec.strategy.type', strategy.type, ['Recreate', 'RollingUpdate']);
    if (strategy.type === 'Recreate' && strategy.rollingUpdate) errs.forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'");
    if (strategy.type === 'RollingUpdate' && strategy.rollingUpdate) {
      const surge = validateIntOrPercent(strategy.rollingUpdate.maxSurge, 'spec.strategy.rollingUpdate.maxSurge', errs);
      const unavailable = validateIntOrPercent(strategy.rollingUpdate.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable', errs);
      if (surge === 0 && unavailable === 0) {
        errs.invalid('spec.strategy.rollingUpdate.maxUnavailable', strategy.rollingUpdate.maxUnavailable, 'may not be 0 when `maxSurge` is 0');
      }
    }
    nonNegative(spec.minReadySeconds, 'spec.minReadySeconds', errs);
    nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit', errs);
    if (spec.progressDeadlineSeconds !== undefined && spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds');
    }
  },
  validateUpdate: selectorImmutable,
  strategy: withStatus(),
};
