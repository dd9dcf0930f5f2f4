// How many replicas a metric asks for, as Kubernetes' HPA replica calculator decides it: the
// ratio of the pods' usage to the target, with pods that are starting, unready or unmeasured
// counted so that they never push the scale the wrong way, and a tolerance (10%) within which
// nothing changes. Pure functions of the pods, the metrics and the clock.
import { findCondition } from '../../../api/conditions.js';
import { milliValue } from '../../../api/quantity.js';
import type { Pod } from '../../../api/types/pod.js';

/** One pod's sample, in thousandths of the metric's unit (millicores, millibytes). */
export interface PodMetric {
  timestamp: number;
  windowMs: number;
  value: number;
}

export type PodMetrics = Map<string, PodMetric>;

export interface CalculatorOptions {
  /** --horizontal-pod-autoscaler-tolerance: a usage ratio this close to 1 changes nothing. */
  tolerance: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period: CPU samples of younger pods need care. */
  cpuInitializationPeriodMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay: a pod not ready this soon after start has never been ready. */
  initialReadinessDelayMs: number;
  now: () => number;
}

/** A calculation that cannot be made; its message is the one Kubernetes gives. */
export class ReplicaCalculationError extends Error {}

interface PodGroups {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

/**
 * Sorts the target's pods: ignored (being deleted, or failed), unready (pending; for CPU also
 * not ready yet, or measured before its readiness settled), missing (no sample) and ready.
 */
export function groupPods(pods: Pod[], metrics: PodMetrics, resource: string, opts: CalculatorOptions): PodGroups {
  const g: PodGroups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  const now = opts.now();
  for (const pod of pods) {
    const name = pod.metadata.name!;
    if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Failed') {
      g.ignored.add(name);
      continue;
    }
    if (pod.status?.phase === 'Pending') {
      g.unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      g.missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const ready = findCondition(pod, 'Ready');
      const started = Date.parse(pod.status?.startTime ?? '');
      let unready: boolean;
      if (!ready || Number.isNaN(started)) unready = true;
      else {
        const transition = Date.parse(ready.lastTransitionTime ?? '') || 0;
        if (started + opts.cpuInitializationPeriodMs > now) {
          // Still starting: count it only once ready, with a whole window measured since.
          unready = ready.status === 'False' || metric.timestamp < transition + metric.windowMs;
        } else {
          // Past start-up: leave out only a pod that has never been ready.
          unready = ready.status === 'False' && started + opts.initialReadinessDelayMs > transition;
        }
      }
      if (unready) {
        g.unready.add(name);
        continue;
      }
    }
    g.readyPodCount++;
  }
  return g;
}

/** The sum of a resource's requests per pod (one container's, with `container`); sidecars count. */
export function podRequests(pods: Pod[], resource: string, container: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    const containers = [
      ...(pod.spec?.containers ?? []),
      // Restartable init containers run beside the others, and metrics count them.
      ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
    ];
    let sum = 0;
    for (const c of containers) {
      if (container && c.name !== container) continue;
      const request = c.resources?.requests?.[resource];
      if (request === undefined) throw new ReplicaCalculationError(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`);
      sum += milliValue(request);
    }
    out.set(pod.metadata.name!, sum);
  }
  return out;
}

function deleteAll(metrics: PodMetrics, names: Set<string>): void {
  for (const n of names) metrics.delete(n);
}

/** Usage over requests of the pods that have both, as a whole percentage. */
export function utilizationRatio(metrics: PodMetrics, requests: Map<string, number>, targetUtilization: number): { ratio: number; utilization: number; rawAverage: number } {
  let used = 0;
  let requested = 0;
  let n = 0;
  for (const [name, m] of metrics) {
    const r = requests.get(name);
    if (r === undefined) continue;
    used += m.value;
    requested += r;
    n++;
  }
  if (requested === 0) throw new ReplicaCalculationError('no metrics returned matched known pods');
  const utilization = Math.trunc((used * 100) / requested);
  return { ratio: utilization / targetUtilization, utilization, rawAverage: Math.trunc(used / n) };
}

function usageRatio(metrics: PodMetrics, targetUsage: number): { ratio: number; usage: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const usage = Math.trunc(total / metrics.size);
  return { ratio: usage / targetUsage, usage };
}

const noPods = () => new ReplicaCalculationError('no pods returned by selector while calculating replica count');
const noMetrics = () => new ReplicaCalculationError('did not receive metrics for targeted pods (pods might be unready)');

/**
 * Replicas for a target utilization (percent of requests) of `resource`. `metrics` is consumed.
 * Unready pods count as idle on a scale-up; unmeasured pods as idle on a scale-up and as fully
 * used on a scale-down; and a result those guesses would turn around keeps the current count.
 */
export function resourceReplicas(
  currentReplicas: number,
  targetUtilization: number,
  resource: string,
  container: string,
  pods: Pod[],
  metrics: PodMetrics,
  opts: CalculatorOptions,
): { replicas: number; utilization: number; rawAverage: number } {
  if (pods.length === 0) throw noPods();
  const g = groupPods(pods, metrics, resource, opts);
  deleteAll(metrics, g.ignored);
  deleteAll(metrics, g.unready);
  if (metrics.size === 0) throw noMetrics();
  const requests = podRequests(pods, resource, container);
  const first = utilizationRatio(metrics, requests, targetUtilization);
  const { ratio, utilization, rawAverage } = first;
  const keep = { replicas: currentReplicas, utilization, rawAverage };
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1 - ratio) <= opts.tolerance) return keep;
    return { replicas: Math.ceil(ratio * g.readyPodCount), utilization, rawAverage };
  }
  if (g.missing.size > 0) {
    // Down: an unmeasured pod uses all it asked for (or the target, when that is over 100%). Up: nothing.
    const fallback = Math.max(100, targetUtilization);
    for (const name of g.missing) {
      const value = ratio < 1 ? Math.trunc(((requests.get(name) ?? 0) * fallback) / 100) : ratio > 1 ? 0 : undefined;
      if (value !== undefined) metrics.set(name, { timestamp: 0, windowMs: 0, value });
    }
  }
  if (scaleUpWithUnready) for (const name of g.unready) metrics.set(name, { timestamp: 0, windowMs: 0, value: 0 });
  const next = utilizationRatio(metrics, requests, targetUtilization).ratio;
  if (Math.abs(1 - next) <= opts.tolerance || (ratio < 1 && next > 1) || (ratio > 1 && next < 1)) return keep;
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas)) return keep;
  return { replicas, utilization, rawAverage };
}

/** Replicas for a target average value per pod (resource or pods metrics). `metrics` is consumed. */
export function plainMetricReplicas(
  currentReplicas: number,
  targetUsage: number,
  resource: string,
  pods: Pod[],
  metrics: PodMetrics,
  opts: CalculatorOptions,
): { replicas: number; usage: number } {
  if (pods.length === 0) throw noPods();
  const g = groupPods(pods, metrics, resource, opts);
  deleteAll(metrics, g.ignored);
  deleteAll(metrics, g.unready);
  if (metrics.size === 0) throw noMetrics();
  const { ratio, usage } = usageRatio(metrics, targetUsage);
  const keep = { replicas: currentReplicas, usage };
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1 - ratio) <= opts.tolerance) return keep;
    return { replicas: Math.ceil(ratio * g.readyPodCount), usage };
  }
  for (const name of g.missing) metrics.set(name, { timestamp: 0, windowMs: 0, value: ratio < 1 ? targetUsage : 0 });
  if (scaleUpWithUnready) for (const name of g.unready) metrics.set(name, { timestamp: 0, windowMs: 0, value: 0 });
  const next = usageRatio(metrics, targetUsage).ratio;
  if (Math.abs(1 - next) <= opts.tolerance || (ratio < 1 && next > 1) || (ratio > 1 && next < 1)) return keep;
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas)) return keep;
  return { replicas, usage };
}

/** Running and Ready pods: what a whole-object metric (Object or External value) is shared among. */
export function readyPodCount(pods: Pod[]): number {
  if (pods.length === 0) throw noPods();
  return pods.filter((p) => p.status?.phase === 'Running' && findCondition(p, 'Ready')?.status === 'True').length;
}

/** Replicas for a metric of one object or one external series against a total target value. */
export function usageRatioReplicas(currentReplicas: number, ratio: number, pods: Pod[], tolerance: number): number {
  if (currentReplicas === 0) return Math.ceil(ratio);
  if (Math.abs(1 - ratio) <= tolerance) return currentReplicas;
  return Math.ceil(ratio * readyPodCount(pods));
}

/** Replicas for a total (object or external) against a target average per replica, and that average now. */
export function perPodReplicas(statusReplicas: number, usage: number, targetAveragePerPod: number, tolerance: number): { replicas: number; average: number } {
  let replicas = statusReplicas;
  const ratio = usage / (targetAveragePerPod * replicas);
  if (Math.abs(1 - ratio) > tolerance) replicas = Math.ceil(usage / targetAveragePerPod);
  return { replicas, average: statusReplicas > 0 ? Math.ceil(usage / statusReplicas) : usage };
}
