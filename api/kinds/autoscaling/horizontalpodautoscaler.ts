// autoscaling/v2 HorizontalPodAutoscaler, the stored form; autoscaling/v1 is served from it.
import { setIfMissing } from '../../defaulting.js';
import { ageCol, col, nameCol, type PrinterColumn } from '../../printers.js';
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import { withStatus } from '../strategy.js';
import { ALL, statusOf, type KindModule } from '../kind.js';

export const hpaColumns: PrinterColumn[] = [
  nameCol,
  col('Reference', (o) => `${o.spec?.scaleTargetRef?.kind ?? ''}/${o.spec?.scaleTargetRef?.name ?? ''}`),
  col('Targets', (o) => {
    const metrics: any[] = o.spec?.metrics ?? [];
    if (metrics.length === 0 && o.spec?.targetCPUUtilizationPercentage !== undefined) {
      const cur = o.status?.currentCPUUtilizationPercentage;
      return `cpu: ${cur === undefined ? '<unknown>' : `${cur}%`}/${o.spec.targetCPUUtilizationPercentage}%`;
    }
    if (metrics.length === 0) return '<none>';
    return metrics
      .map((m) => (m.resource ? `${m.resource.name}: <unknown>/${m.resource.target?.averageUtilization ?? m.resource.target?.averageValue ?? ''}${m.resource.target?.averageUtilization !== undefined ? '%' : ''}` : '<unknown>'))
      .join(', ');
  }),
  col('MinPods', (o) => o.spec?.minReplicas ?? 1, { type: 'integer' }),
  col('MaxPods', (o) => o.spec?.maxReplicas ?? 0, { type: 'integer' }),
  col('Replicas', (o) => o.status?.currentReplicas ?? 0, { type: 'integer' }),
  ageCol,
];

/** What both served versions share. */
export const hpaResource = {
  group: 'autoscaling',
  kind: 'HorizontalPodAutoscaler',
  plural: 'horizontalpodautoscalers',
  shortNames: ['hpa'],
  categories: ALL,
  subresources: [statusOf('HorizontalPodAutoscaler')],
  columns: hpaColumns,
};

export const horizontalPodAutoscaler: KindModule = {
  ...hpaResource,
  version: 'v2',
  schema: schemaFromProtobuf('autoscaling/v2', 'HorizontalPodAutoscaler'),
  defaults(o) {
    const spec = o.spec ?? (o.spec = {});
    setIfMissing(spec, 'minReplicas', 1);
  },
  strategy: withStatus(),
};
