// autoscaling/v1 HorizontalPodAutoscaler: served from the v2 objects. v1 has a CPU target
// only, so, as Kubernetes does, what v1 cannot say travels in annotations of the v1 object
// (the other metrics, every current metric, the conditions and the behavior, in v1's shapes)
// and comes back from them when the object is written through v1: a v1 client that reads
// an HPA and writes it back loses nothing.
import { isObject } from '../../codec/values.js';
import type { KindModule } from '../kind.js';
import { schemaFromProtobuf } from '../../schema/from-protobuf.js';
import { hpaResource } from './horizontalpodautoscaler.js';

const METRICS = 'autoscaling.alpha.kubernetes.io/metrics';
const CURRENT_METRICS = 'autoscaling.alpha.kubernetes.io/current-metrics';
const CONDITIONS = 'autoscaling.alpha.kubernetes.io/conditions';
const BEHAVIOR = 'autoscaling.alpha.kubernetes.io/behavior';

type Json = Record<string, any>;

const defined = (o: Json): Json => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** A v2 MetricSpec in v1's (v2beta1's) shape. */
function specToV1(m: Json): Json {
  const t = (src: Json | undefined) => src?.target ?? {};
  switch (m.type) {
    case 'Resource':
    case 'ContainerResource': {
      const key = m.type === 'Resource' ? 'resource' : 'containerResource';
      const src = m[key] ?? {};
      return { type: m.type, [key]: defined({ name: src.name, container: src.container, targetAverageUtilization: t(src).averageUtilization, targetAverageValue: t(src).averageValue }) };
    }
    case 'Pods':
      return { type: 'Pods', pods: defined({ metricName: m.pods?.metric?.name, selector: m.pods?.metric?.selector, targetAverageValue: t(m.pods).averageValue }) };
    case 'Object':
      return { type: 'Object', object: defined({ target: m.object?.describedObject, metricName: m.object?.metric?.name, selector: m.object?.metric?.selector, targetValue: t(m.object).value, averageValue: t(m.object).averageValue }) };
    case 'External':
      return { type: 'External', external: defined({ metricName: m.external?.metric?.name, metricSelector: m.external?.metric?.selector, targetValue: t(m.external).value, targetAverageValue: t(m.external).averageValue }) };
    default:
      return m;
  }
}

function specFromV1(m: Json): Json {
  const metric = (name: unknown, selector: unknown) => defined({ name, selector });
  switch (m.type) {
    case 'Resource':
    case 'ContainerResource': {
      const key = m.type === 'Resource' ? 'resource' : 'containerResource';
      const src = m[key] ?? {};
      const target = src.targetAverageUtilization !== undefined
        ? { type: 'Utilization', averageUtilization: src.targetAverageUtilization }
        : { type: 'AverageValue', averageValue: src.targetAverageValue };
      return { type: m.type, [key]: defined({ name: src.name, container: src.container, target }) };
    }
    case 'Pods':
      return { type: 'Pods', pods: { metric: metric(m.pods?.metricName, m.pods?.selector), target: { type: 'AverageValue', averageValue: m.pods?.targetAverageValue } } };
    case 'Object': {
      const o = m.object ?? {};
      const target = o.averageValue !== undefined ? { type: 'AverageValue', averageValue: o.averageValue } : { type: 'Value', value: o.targetValue };
      return { type: 'Object', object: { describedObject: o.target, metric: metric(o.metricName, o.selector), target } };
    }
    case 'External': {
      const e = m.external ?? {};
      const target = e.targetAverageValue !== undefined ? { type: 'AverageValue', averageValue: e.targetAverageValue } : { type: 'Value', value: e.targetValue };
      return { type: 'External', external: { metric: metric(e.metricName, e.metricSelector), target } };
    }
    default:
      return m;
  }
}

function statusToV1(m: Json): Json {
  const c = (src: Json | undefined) => src?.current ?? {};
  switch (m.type) {
    case 'Resource':
    case 'ContainerResource': {
      const key = m.type === 'Resource' ? 'resource' : 'containerResource';
      const src = m[key] ?? {};
      return { type: m.type, [key]: defined({ name: src.name, container: src.container, currentAverageUtilization: c(src).averageUtilization, currentAverageValue: c(src).averageValue }) };
    }
    case 'Pods':
      return { type: 'Pods', pods: defined({ metricName: m.pods?.metric?.name, selector: m.pods?.metric?.selector, currentAverageValue: c(m.pods).averageValue }) };
    case 'Object':
      return { type: 'Object', object: defined({ target: m.object?.describedObject, metricName: m.object?.metric?.name, selector: m.object?.metric?.selector, currentValue: c(m.object).value, averageValue: c(m.object).averageValue }) };
    case 'External':
      return { type: 'External', external: defined({ metricName: m.external?.metric?.name, metricSelector: m.external?.metric?.selector, currentValue: c(m.external).value, currentAverageValue: c(m.external).averageValue }) };
    default:
      return m;
  }
}

function statusFromV1(m: Json): Json {
  const metric = (name: unknown, selector: unknown) => defined({ name, selector });
  switch (m.type) {
    case 'Resource':
    case 'ContainerResource': {
      const key = m.type === 'Resource' ? 'resource' : 'containerResource';
      const src = m[key] ?? {};
      return { type: m.type, [key]: defined({ name: src.name, container: src.container, current: defined({ averageUtilization: src.currentAverageUtilization, averageValue: src.currentAverageValue }) }) };
    }
    case 'Pods':
      return { type: 'Pods', pods: { metric: metric(m.pods?.metricName, m.pods?.selector), current: defined({ averageValue: m.pods?.currentAverageValue }) } };
    case 'Object': {
      const o = m.object ?? {};
      return { type: 'Object', object: defined({ describedObject: o.target, metric: metric(o.metricName, o.selector), current: defined({ value: o.currentValue, averageValue: o.averageValue }) }) };
    }
    case 'External': {
      const e = m.external ?? {};
      return { type: 'External', external: { metric: metric(e.metricName, e.metricSelector), current: defined({ value: e.currentValue, averageValue: e.currentAverageValue }) } };
    }
    default:
      return m;
  }
}

const isCPUTarget = (m: Json) => m?.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.averageUtilization !== undefined;

/** Reads (and removes) one of the carrying annotations; a value that is not the JSON it should be is left as it is. */
function take(annotations: Record<string, string>, key: string): unknown {
  const raw = annotations[key];
  if (raw === undefined) return undefined;
  try {
    const v = JSON.parse(raw);
    delete annotations[key];
    return v;
  } catch {
    return undefined;
  }
}

export const horizontalPodAutoscalerV1: KindModule = {
  ...hpaResource,
  version: 'v1',
  schema: schemaFromProtobuf('autoscaling/v1', 'HorizontalPodAutoscaler'),
  conversion: {
    toStorage(h) {
      const annotations: Record<string, string> = { ...(h.metadata?.annotations ?? {}) };
      const spec: Json = { ...(h.spec ?? {}) };
      const target = spec.targetCPUUtilizationPercentage;
      delete spec.targetCPUUtilizationPercentage;
      const metrics: Json[] = target !== undefined ? [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } } }] : [];
      const others = take(annotations, METRICS);
      if (Array.isArray(others)) metrics.push(...others.filter(isObject).map(specFromV1));
      if (metrics.length) spec.metrics = metrics;
      const behavior = take(annotations, BEHAVIOR);
      if (isObject(behavior)) spec.behavior = behavior;
      const st: Json = { ...(h.status ?? {}) };
      const current = st.currentCPUUtilizationPercentage;
      delete st.currentCPUUtilizationPercentage;
      if (current !== undefined) st.currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: current } } }];
      // The annotation has more than the percentage (the average value too): it wins.
      const currentMetrics = take(annotations, CURRENT_METRICS);
      if (Array.isArray(currentMetrics)) st.currentMetrics = currentMetrics.filter(isObject).map(statusFromV1);
      const conditions = take(annotations, CONDITIONS);
      if (Array.isArray(conditions)) st.conditions = conditions.filter(isObject);
      const metadata = { ...h.metadata };
      if (Object.keys(annotations).length) metadata.annotations = annotations;
      else delete metadata.annotations;
      return { ...h, apiVersion: 'autoscaling/v2', metadata, spec, status: st };
    },
    fromStorage(h) {
      const spec: Json = { ...(h.spec ?? {}) };
      const metrics: Json[] = spec.metrics ?? [];
      const cpu = metrics.find(isCPUTarget);
      const others = metrics.filter((m) => !isCPUTarget(m));
      const behavior = spec.behavior;
      delete spec.metrics;
      delete spec.behavior;
      if (cpu) spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
      const st: Json = { ...(h.status ?? {}) };
      const currentMetrics: Json[] = st.currentMetrics ?? [];
      const conditions: Json[] = st.conditions ?? [];
      const cur = currentMetrics.find((m) => m?.type === 'Resource' && m.resource?.name === 'cpu');
      delete st.currentMetrics;
      delete st.conditions;
      if (cur?.resource?.current?.averageUtilization !== undefined) st.currentCPUUtilizationPercentage = cur.resource.current.averageUtilization;
      const annotations: Record<string, string> = { ...(h.metadata?.annotations ?? {}) };
      if (others.length) annotations[METRICS] = JSON.stringify(others.map(specToV1));
      if (currentMetrics.length) annotations[CURRENT_METRICS] = JSON.stringify(currentMetrics.map(statusToV1));
      if (conditions.length) annotations[CONDITIONS] = JSON.stringify(conditions);
      if (behavior) annotations[BEHAVIOR] = JSON.stringify(behavior);
      const metadata = Object.keys(annotations).length ? { ...h.metadata, annotations } : h.metadata;
      return { ...h, apiVersion: 'autoscaling/v1', metadata, spec, status: st };
    },
  },
};
