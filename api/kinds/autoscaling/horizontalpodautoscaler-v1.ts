// autoscaling/v1 HorizontalPodAutoscaler: served from the v2 objects (a CPU target only),
// converted both ways without losing what both versions share.
import type { KindModule } from '../kind.js';
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import { hpaResource } from './horizontalpodautoscaler.js';

export const horizontalPodAutoscalerV1: KindModule = {
  ...hpaResource,
  version: 'v1',
  schema: schemaFromProtobuf('autoscaling/v1', 'HorizontalPodAutoscaler'),
  conversion: {
    toStorage(h) {
      const spec = { ...(h.spec ?? {}) };
      const target = spec.targetCPUUtilizationPercentage;
      delete spec.targetCPUUtilizationPercentage;
      if (target !== undefined) {
        spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } } }];
      }
      const st = { ...(h.status ?? {}) };
      const current = st.currentCPUUtilizationPercentage;
      delete st.currentCPUUtilizationPercentage;
      if (current !== undefined) {
        st.currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: current } } }];
      }
      return { ...h, apiVersion: 'autoscaling/v2', spec, status: st };
    },
    fromStorage(h) {
      const spec = { ...(h.spec ?? {}) };
      const cpu = (spec.metrics ?? []).find((m: any) => m.type === 'Resource' && m.resource?.name === 'cpu');
      delete spec.metrics;
      delete spec.behavior;
      if (cpu?.resource?.target?.averageUtilization !== undefined) spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
      const st = { ...(h.status ?? {}) };
      const cur = (st.currentMetrics ?? []).find((m: any) => m.type === 'Resource' && m.resource?.name === 'cpu');
      delete st.currentMetrics;
      delete st.conditions;
      if (cur?.resource?.current?.averageUtilization !== undefined) st.currentCPUUtilizationPercentage = cur.resource.current.averageUtilization;
      return { ...h, apiVersion: 'autoscaling/v1', spec, status: st };
    },
  },
};
