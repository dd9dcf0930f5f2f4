// apps/v1 StatefulSet: pods with stable names and storage (its controller comes with issue 13).
import { defaultTemplate, rollingUpdateStrategy, setIfMissing } from '../../defaulting.js';
import { ageCol, col, containersCol, imagesCol, nameCol } from '../../printers.js';
import { any, int32, list, open, str } from '../../schema/dsl.js';
import { kind, labelSelector } from '../../schema/meta.js';
import { podTemplateSpec } from '../../schema/pod.js';
import { workloadStatus } from '../../schema/workloads.js';
import { nonNegative, selectorImmutable, validateSelectorAndTemplate, validateStatefulSetUpdateStrategy, validateTemplate } from '../../validation/workloads.js';
import { withStatus } from '../strategy.js';
import { ALL, scale, statusOf, type KindModule } from '../kind.js';
import type { Unstructured } from '../../types/meta.js';

export const statefulSet: KindModule = {
  group: 'apps',
  version: 'v1',
  kind: 'StatefulSet',
  plural: 'statefulsets',
  generation: true,
  shortNames: ['sts'],
  categories: ALL,
  subresources: [scale, statusOf('StatefulSet')],
  schema: kind({
    spec: open({ replicas: int32, minReadySeconds: int32, revisionHistoryLimit: int32, selector: labelSelector, template: podTemplateSpec, serviceName: str, volumeClaimTemplates: list(any) }),
    status: workloadStatus,
  }),
  columns: [
    nameCol,
    col('Ready', (o) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`, { description: 'Number of the pod with ready state' }),
    ageCol,
    containersCol,
    imagesCol,
  ],
  defaults(o) {
    const spec = o.spec ?? (o.spec = {});
    setIfMissing(spec, 'replicas', 1);
    setIfMissing(spec, 'podManagementPolicy', 'OrderedReady');
    rollingUpdateStrategy(spec, 'updateStrategy', 'RollingUpdate', { partition: 0 });
    setIfMissing(spec, 'revisionHistoryLimit', 10);
    setIfMissing(spec, 'persistentVolumeClaimRetentionPolicy', {});
    if (typeof spec.persistentVolumeClaimRetentionPolicy === 'object') {
      setIfMissing(spec.persistentVolumeClaimRetentionPolicy, 'whenDeleted', 'Retain');
      setIfMissing(spec.persistentVolumeClaimRetentionPolicy, 'whenScaled', 'Retain');
    }
    defaultTemplate(spec.template);
  },
  validate(o, errs, prev) {
    const spec = o.spec ?? {};
    nonNegative(spec.replicas, 'spec.replicas', errs);
    validateSelectorAndTemplate(spec, errs, 'statefulset');
    // Mounts may name volumeClaimTemplates: each pod gets a volume of that name.
    const claimVolumes = (Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : [])
      .map((t: Unstructured) => t?.metadata?.name)
      .filter((n: unknown): n is string => typeof n === 'string' && n !== '')
      .map((name: string) => ({ name, persistentVolumeClaim: { claimName: name } }));
    const podSpec = spec.template?.spec;
    const template =
      claimVolumes.length && podSpec && typeof podSpec === 'object' && !Array.isArray(podSpec) && (podSpec.volumes === undefined || Array.isArray(podSpec.volumes))
        ? { ...spec.template, spec: { ...podSpec, volumes: [...(podSpec.volumes ?? []), ...claimVolumes] } }
        : spec.template;
    validateTemplate(template, 'spec.template', errs, ['Always'], prev?.spec?.template);
    if (spec.podManagementPolicy && !['OrderedReady', 'Parallel'].includes(spec.podManagementPolicy)) {
      errs.notSupported('spec.podManagementPolicy', spec.podManagementPolicy, ['OrderedReady', 'Parallel']);
    }
    validateStatefulSetUpdateStrategy(spec.updateStrategy, errs);
    nonNegative(spec.minReadySeconds, 'spec.minReadySeconds', errs);
    if (spec.revisionHistoryLimit !== null) nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit', errs);
    if (spec.ordinals && typeof spec.ordinals === 'object') nonNegative(spec.ordinals.start, 'spec.ordinals.start', errs);
    const retention = spec.persistentVolumeClaimRetentionPolicy;
    for (const when of ['whenDeleted', 'whenScaled']) {
      const policy = retention?.[when];
      if (policy !== undefined && policy !== null && policy !== 'Retain' && policy !== 'Delete') {
        errs.notSupported(`spec.persistentVolumeClaimRetentionPolicy.${when}`, policy, ['Retain', 'Delete']);
      }
    }
  },
  validateUpdate: selectorImmutable,
  strategy: withStatus(),
};
