// Conversion between a served version and the stored version of the same resource, for
// resources served in more than one shape (core/v1 vs events.k8s.io/v1 Events,
// autoscaling/v1 vs v2 HorizontalPodAutoscalers). Conversions are lossless for the fields
// both shapes share.
import { groupVersion, type ResourceInfo } from './resources.js';
import type { KubeObject } from './types/meta.js';

interface Converter {
  toStorage(obj: KubeObject): KubeObject;
  fromStorage(obj: KubeObject): KubeObject;
}

function definedOnly<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

const eventsV1: Converter = {
  toStorage(e) {
    const src = e.deprecatedSource as any;
    return definedOnly({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: e.metadata,
      involvedObject: e.regarding ?? {},
      reason: e.reason,
      message: e.note,
      source: src,
      firstTimestamp: e.deprecatedFirstTimestamp,
      lastTimestamp: e.deprecatedLastTimestamp,
      count: e.deprecatedCount,
      type: e.type,
      eventTime: e.eventTime,
      series: e.series,
      action: e.action,
      related: e.related,
      reportingComponent: e.reportingController ?? '',
      reportingInstance: e.reportingInstance ?? '',
    }) as KubeObject;
  },
  fromStorage(e) {
    return definedOnly({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: e.metadata,
      eventTime: e.eventTime ?? null,
      series: e.series,
      reportingController: e.reportingComponent || undefined,
      reportingInstance: e.reportingInstance || undefined,
      action: e.action,
      reason: e.reason,
      regarding: e.involvedObject,
      related: e.related,
      note: e.message,
      type: e.type,
      deprecatedSource: e.source,
      deprecatedFirstTimestamp: e.firstTimestamp,
      deprecatedLastTimestamp: e.lastTimestamp,
      deprecatedCount: e.count,
    }) as KubeObject;
  },
};

const hpaV1: Converter = {
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
};

const converters: Record<string, Converter> = {
  'events.k8s.io/v1/events': eventsV1,
  'autoscaling/v1/horizontalpodautoscalers': hpaV1,
};

function converterFor(r: ResourceInfo): Converter | undefined {
  if (r.storageVersion) return undefined;
  const c = converters[`${groupVersion(r)}/${r.plural}`];
  if (!c) throw new Error(`no conversion for ${groupVersion(r)}/${r.plural}`);
  return c;
}

/** Converts an object of `r`'s version to the stored version. */
export function toStorage(r: ResourceInfo, obj: KubeObject): KubeObject {
  const c = converterFor(r);
  return c ? c.toStorage(obj) : obj;
}

/** Converts a stored object to `r`'s version (the identity for the storage version). */
export function fromStorage(r: ResourceInfo, obj: KubeObject): KubeObject {
  const c = converterFor(r);
  return c ? c.fromStorage(obj) : obj;
}
