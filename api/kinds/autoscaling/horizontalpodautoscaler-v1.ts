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

/** Where each v1 (v2beta1-shaped) field of a metric lives in v2, by metric type: [v2 path, v1 field]. */
type FieldMap = Array<[string, string]>;
const RESOURCE_NAMES: FieldMap = [['name', 'name'], ['container', 'container']];
const SPEC_FIELDS: Record<string, FieldMap> = {
  Resource: [...RESOURCE_NAMES, ['target.averageUtilization', 'targetAverageUtilization'], ['target.averageValue', 'targetAverageValue']],
  Pods: [['metric.name', 'metricName'], ['metric.selector', 'selector'], ['target.averageValue', 'targetAverageValue']],
  Object: [['describedObject', 'target'], ['metric.name', 'metricName'], ['metric.selector', 'selector'], ['target.value', 'targetValue'], ['target.averageValue', 'averageValue']],
  External: [['metric.name', 'metricName'], ['metric.selector', 'metricSelector'], ['target.value', 'targetValue'], ['target.averageValue', 'targetAverageValue']],
};
const STATUS_FIELDS: Record<string, FieldMap> = {
  Resource: [...RESOURCE_NAMES, ['current.averageUtilization', 'currentAverageUtilization'], ['current.averageValue', 'currentAverageValue']],
  Pods: [['metric.name', 'metricName'], ['metric.selector', 'selector'], ['current.averageValue', 'currentAverageValue']],
  Object: [['describedObject', 'target'], ['metric.name', 'metricName'], ['metric.selector', 'selector'], ['current.value', 'currentValue'], ['current.averageValue', 'averageValue']],
  External: [['metric.name', 'metricName'], ['metric.selector', 'metricSelector'], ['current.value', 'currentValue'], ['current.averageValue', 'currentAverageValue']],
};
SPEC_FIELDS.ContainerResource = SPEC_FIELDS.Resource!;
STATUS_FIELDS.ContainerResource = STATUS_FIELDS.Resource!;

/** The v2 field holding a metric type's source: resource, containerResource, pods, object, external. */
const sourceKey = (type: string) => type.charAt(0).toLowerCase() + type.slice(1);

function getPath(o: Json | undefined, path: string): unknown {
  let v: unknown = o;
  for (const f of path.split('.')) v = isObject(v) && Object.hasOwn(v, f) ? (v as Json)[f] : undefined;
  return v;
}

function setPath(o: Json, path: string, value: unknown): void {
  const fields = path.split('.');
  let at = o;
  for (const f of fields.slice(0, -1)) at = (at[f] ??= {}) as Json;
  at[fields[fields.length - 1]!] = value;
}

/** A v2 metric (spec or status) in v1's shape; a type v1 does not know passes as it is. */
function toV1(m: Json, table: Record<string, FieldMap>): Json {
  const fields = Object.hasOwn(table, m.type) ? table[m.type] : undefined;
  if (!fields) return m;
  const src = m[sourceKey(m.type)] as Json | undefined;
  const out: Json = {};
  for (const [v2, v1] of fields) {
    const v = getPath(src, v2);
    if (v !== undefined) out[v1] = v;
  }
  return { type: m.type, [sourceKey(m.type)]: out };
}

/** A v1-shaped metric back in v2's shape. */
function fromV1(m: Json, table: Record<string, FieldMap>): Json {
  const fields = Object.hasOwn(table, m.type) ? table[m.type] : undefined;
  if (!fields) return m;
  const src = (isObject(m[sourceKey(m.type)]) ? m[sourceKey(m.type)] : {}) as Json;
  const out: Json = {};
  for (const [v2, v1] of fields) if (src[v1] !== undefined) setPath(out, v2, src[v1]);
  return { type: m.type, [sourceKey(m.type)]: out };
}

/** v1 spec metrics have no target type: it is what the target sets (a utilization, else an average, else a value). */
function withTargetType(m: Json): Json {
  const target = m[sourceKey(m.type)]?.target;
  if (isObject(target)) target.type = target.averageUtilization !== undefined ? 'Utilization' : target.averageValue !== undefined || m.type === 'Pods' ? 'AverageValue' : 'Value';
  return m;
}

const specToV1 = (m: Json) => toV1(m, SPEC_FIELDS);
const specFromV1 = (m: Json) => withTargetType(fromV1(m, SPEC_FIELDS));
const statusToV1 = (m: Json) => toV1(m, STATUS_FIELDS);
const statusFromV1 = (m: Json) => fromV1(m, STATUS_FIELDS);

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
