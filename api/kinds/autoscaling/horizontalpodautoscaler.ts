// autoscaling/v2 HorizontalPodAutoscaler, the stored form; autoscaling/v1 is served from it.
import { setIfMissing } from '../../defaulting.js';
import { validateHPASpec } from './hpa-validation.js';
import { ageCol, col, nameCol, type PrinterColumn } from '../../printers.js';
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import { withStatus } from '../strategy.js';
import { ALL, statusOf, type KindModule } from '../kind.js';

const MAX_SHOWN = 2;

/** One metric as `kubectl get hpa` shows it: current/target, with the resource's name for resource metrics. */
function formatMetric(spec: any, status: any): string {
  const unknown = '<unknown>';
  switch (spec?.type) {
    case 'External':
    case 'Object': {
      const key = spec.type === 'External' ? 'external' : 'object';
      const target = spec[key]?.target ?? {};
      const cur = status?.[key]?.current;
      if (target.averageValue !== undefined) return `${cur?.averageValue ?? unknown}/${target.averageValue} (avg)`;
      return `${cur?.value ?? (cur ? '0' : unknown)}/${target.value ?? ''}`;
    }
    case 'Pods':
      return `${status?.pods?.current?.averageValue ?? unknown}/${spec.pods?.target?.averageValue ?? ''}`;
    case 'Resource':
    case 'ContainerResource': {
      const key = spec.type === 'Resource' ? 'resource' : 'containerResource';
      const src = spec[key] ?? {};
      const cur = status?.[key]?.current;
      if (src.target?.averageValue !== undefined) return `${src.name}: ${cur?.averageValue ?? (cur ? '0' : unknown)}/${src.target.averageValue}`;
      const current = cur?.averageUtilization !== undefined ? `${cur.averageUtilization}%` : unknown;
      const target = src.target?.averageUtilization !== undefined ? `${src.target.averageUtilization}%` : '<auto>';
      return `${src.name}: ${current}/${target}`;
    }
    default:
      return '<unknown type>';
  }
}

/** The Targets column: the first two metrics, then how many more. */
function formatMetrics(specs: any[], statuses: any[]): string {
  if (specs.length === 0) return '<none>';
  const shown = specs.slice(0, MAX_SHOWN).map((s, i) => formatMetric(s, statuses[i]));
  return specs.length > MAX_SHOWN ? `${shown.join(', ')} + ${specs.length - MAX_SHOWN} more...` : shown.join(', ');
}

export const hpaColumns: PrinterColumn[] = [
  nameCol,
  col('Reference', (o) => `${o.spec?.scaleTargetRef?.kind ?? ''}/${o.spec?.scaleTargetRef?.name ?? ''}`),
  col('Targets', (o) => {
    // autoscaling/v1 objects (a CPU target only) print as the v2 object they are stored as.
    if (o.spec?.targetCPUUtilizationPercentage !== undefined || (o.apiVersion === 'autoscaling/v1' && !o.spec?.metrics)) {
      const cur = o.status?.currentCPUUtilizationPercentage;
      return `cpu: ${cur === undefined ? '<unknown>' : `${cur}%`}/${o.spec?.targetCPUUtilizationPercentage ?? 80}%`;
    }
    return formatMetrics(Array.isArray(o.spec?.metrics) ? o.spec.metrics : [], Array.isArray(o.status?.currentMetrics) ? o.status.currentMetrics : []);
  }),
  col('MinPods', (o) => (o.spec?.minReplicas === undefined ? '<unset>' : String(o.spec.minReplicas))),
  col('MaxPods', (o) => o.spec?.maxReplicas ?? 0, { type: 'integer' }),
  col('Replicas', (o) => o.status?.currentReplicas ?? 0),
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

const DEFAULT_CPU_UTILIZATION = 80;

function completeRules(given: any, defaults: Record<string, unknown>): Record<string, unknown> {
  if (!given || typeof given !== 'object') return defaults;
  const out = { ...given };
  for (const [k, v] of Object.entries(defaults)) if (out[k] === undefined || out[k] === null) out[k] = v;
  return out;
}

export const horizontalPodAutoscaler: KindModule = {
  ...hpaResource,
  version: 'v2',
  schema: schemaFromProtobuf('autoscaling/v2', 'HorizontalPodAutoscaler'),
  defaults(o) {
    const spec = o.spec ?? (o.spec = {});
    setIfMissing(spec, 'minReplicas', 1);
    if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
      spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } }];
    }
    // A behavior given in part is completed with the defaults; no behavior stays none (the
    // controller then applies its own flags' rules), as in Kubernetes.
    const b = spec.behavior;
    if (b && typeof b === 'object') {
      b.scaleUp = completeRules(b.scaleUp, { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] });
      b.scaleDown = completeRules(b.scaleDown, { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });
    }
  },
  validate(o, errs) {
    validateHPASpec(o.spec, errs);
  },
  strategy: withStatus(),
};
