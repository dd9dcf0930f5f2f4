// Where an HPA's numbers come from: the resource metrics API (metrics.k8s.io, served by
// metrics-server through the aggregator), and for Pods, Object and External metrics the custom
// and external metrics APIs an adapter may serve. Values are in thousandths of their unit.
import { findBuiltinByKind } from '../../../api/resource-catalog.js';
import { labelSelectorToString } from '../../../api/labels.js';
import { milliValue } from '../../../api/quantity.js';
import type { CrossVersionObjectReference, MetricIdentifier } from '../../../api/types/autoscaling.js';
import type { ApiClient } from '../../../client/api-client.js';
import type { PodMetrics } from './replica-calculator.js';

export interface MetricsSource {
  /** Each pod's usage of `resource` (summed over its containers, or `container`'s alone). */
  resource(namespace: string, selector: string, resource: string, container: string): Promise<{ metrics: PodMetrics; timestamp: number }>;
  /** A custom metric of each pod. */
  pods(namespace: string, selector: string, metric: MetricIdentifier): Promise<{ metrics: PodMetrics; timestamp: number }>;
  /** A custom metric of one object. */
  object(namespace: string, described: CrossVersionObjectReference, metric: MetricIdentifier): Promise<{ value: number; timestamp: number }>;
  /** An external metric's series, to be summed. */
  external(namespace: string, metric: MetricIdentifier): Promise<{ values: number[]; timestamp: number }>;
}

interface PodMetricsList {
  items?: Array<{ metadata: { name: string; namespace?: string }; timestamp?: string; window?: string; containers?: Array<{ name: string; usage?: Record<string, string> }> }>;
}

interface MetricValueList {
  items?: Array<{ describedObject?: { name?: string }; timestamp?: string; windowSeconds?: number; value?: string }>;
}

interface ExternalMetricValueList {
  items?: Array<{ timestamp?: string; value?: string }>;
}

/** A Go duration as metrics-server writes a window ("15s", "1m0s", "500ms"), in ms. */
function windowMs(w: string | undefined): number {
  if (!w) return 0;
  let ms = 0;
  // A number starts where a run of digits starts (a long run would otherwise take quadratic time).
  for (const [, n, unit] of w.matchAll(/(?<![\d.])([\d.]+)(ms|s|m|h)/g)) ms += Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms']!;
  return ms;
}

const ns = (n: string) => encodeURIComponent(n);

export class ApiMetricsSource implements MetricsSource {
  constructor(private readonly client: ApiClient) {}

  async resource(namespace: string, selector: string, resource: string, container: string) {
    let list: PodMetricsList;
    try {
      list = await this.client.request<PodMetricsList>('GET', `/apis/metrics.k8s.io/v1beta1/namespaces/${ns(namespace)}/pods`, { query: { labelSelector: selector } });
    } catch (err) {
      throw new Error(`unable to fetch metrics from resource metrics API: ${(err as Error).message}`);
    }
    const items = list.items ?? [];
    if (items.length === 0) throw new Error('no metrics returned from resource metrics API');
    const metrics: PodMetrics = new Map();
    for (const m of items) {
      const timestamp = Date.parse(m.timestamp ?? '') || 0;
      const window = windowMs(m.window);
      const containers = m.containers ?? [];
      if (container) {
        const c = containers.find((x) => x.name === container);
        if (!c) throw new Error(`failed to get container metrics: container ${container} not present in metrics for pod ${m.metadata.namespace ?? namespace}/${m.metadata.name}`);
        if (c.usage?.[resource] !== undefined) metrics.set(m.metadata.name, { timestamp, windowMs: window, value: milliValue(c.usage[resource]) });
        continue;
      }
      // A pod with a container missing the resource is left out, not counted as zero.
      if (containers.length === 0 || containers.some((c) => c.usage?.[resource] === undefined)) continue;
      const value = containers.reduce((sum, c) => sum + milliValue(c.usage![resource]), 0);
      metrics.set(m.metadata.name, { timestamp, windowMs: window, value });
    }
    return { metrics, timestamp: Date.parse(items[0]!.timestamp ?? '') || 0 };
  }

  async pods(namespace: string, selector: string, metric: MetricIdentifier) {
    const list = await this.custom<MetricValueList>(`/apis/custom.metrics.k8s.io/v1beta2/namespaces/${ns(namespace)}/pods/*/${encodeURIComponent(metric.name)}`, selector, metric);
    const items = list.items ?? [];
    if (items.length === 0) throw new Error('no metrics returned from custom metrics API');
    const metrics: PodMetrics = new Map();
    for (const m of items) {
      if (!m.describedObject?.name) continue;
      metrics.set(m.describedObject.name, { timestamp: Date.parse(m.timestamp ?? '') || 0, windowMs: (m.windowSeconds ?? 0) * 1000, value: milliValue(m.value) });
    }
    return { metrics, timestamp: Date.parse(items[0]!.timestamp ?? '') || 0 };
  }

  async object(namespace: string, described: CrossVersionObjectReference, metric: MetricIdentifier) {
    const r = findBuiltinByKind(described.apiVersion ?? 'v1', described.kind);
    const plural = r?.plural ?? `${described.kind.toLowerCase()}s`;
    const path = described.kind === 'Namespace'
      ? `/apis/custom.metrics.k8s.io/v1beta2/namespaces/${ns(described.name)}/metrics/${encodeURIComponent(metric.name)}`
      : `/apis/custom.metrics.k8s.io/v1beta2/namespaces/${ns(namespace)}/${plural}/${encodeURIComponent(described.name)}/${encodeURIComponent(metric.name)}`;
    const list = await this.custom<MetricValueList & { value?: string; timestamp?: string }>(path, undefined, metric);
    // A single object may come as a MetricValue or as a list of one.
    const item = list.items ? list.items[0] : list;
    if (!item || item.value === undefined) throw new Error('no metrics returned from custom metrics API');
    return { value: milliValue(item.value), timestamp: Date.parse(item.timestamp ?? '') || 0 };
  }

  async external(namespace: string, metric: MetricIdentifier) {
    let list: ExternalMetricValueList;
    try {
      list = await this.client.request<ExternalMetricValueList>('GET', `/apis/external.metrics.k8s.io/v1beta1/namespaces/${ns(namespace)}/${encodeURIComponent(metric.name)}`, {
        query: { labelSelector: metric.selector ? labelSelectorToString(metric.selector) : undefined },
      });
    } catch (err) {
      throw new Error(`unable to fetch metrics from external metrics API: ${(err as Error).message}`);
    }
    const items = list.items ?? [];
    if (items.length === 0) throw new Error('no metrics returned from external metrics API');
    return { values: items.map((i) => milliValue(i.value)), timestamp: Date.parse(items[0]!.timestamp ?? '') || 0 };
  }

  private async custom<T>(path: string, selector: string | undefined, metric: MetricIdentifier): Promise<T> {
    try {
      return await this.client.request<T>('GET', path, {
        query: { labelSelector: selector || undefined, metricLabelSelector: metric.selector ? labelSelectorToString(metric.selector) || undefined : undefined },
      });
    } catch (err) {
      throw new Error(`unable to fetch metrics from custom metrics API: ${(err as Error).message}`);
    }
  }
}
