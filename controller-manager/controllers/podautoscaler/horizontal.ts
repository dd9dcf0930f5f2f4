// The horizontal pod autoscaler controller (Kubernetes' "horizontalpodautoscaling"): every sync
// period each HPA reads its target's scale subresource, asks the metrics APIs how busy the
// target's pods are, computes the replicas each metric wants (replica-calculator.ts), takes the
// largest, stabilizes and rate-limits it (scaling-rules.ts), writes the target's scale when it
// changed, and reports what it did in the HPA's status, conditions and Events, with Kubernetes'
// reasons and messages.
import { clone, deepEqual } from '../../../api/codec/values.js';
import { setCondition } from '../../../api/conditions.js';
import { matches, parseSelector, type Requirement } from '../../../api/labels.js';
import { formatMilliQuantity, milliValue } from '../../../api/quantity.js';
import { builtinResources, type ApiResource } from '../../../api/resource-catalog.js';
import { rfc3339 } from '../../../api/time.js';
import type { HorizontalPodAutoscaler, HPAScalingRules, MetricSpec, MetricStatus, MetricValueStatus, Scale } from '../../../api/types/autoscaling.js';
import type { Pod } from '../../../api/types/pod.js';
import { cachedExtraResources } from '../../../client/discovery.js';
import type { Informer } from '../../../client/informer.js';
import { resource } from '../../../client/rest.js';
import { Controller, type ControllerContext, type HorizontalOptions, type ReconcileResult } from '../../framework/controller.js';
import { ApiMetricsSource, type MetricsSource } from './metrics-client.js';
import { perPodReplicas, plainMetricReplicas, resourceReplicas, usageRatioReplicas, type CalculatorOptions } from './replica-calculator.js';
import { ScalingRules, type NormalizeArgs } from './scaling-rules.js';

const hpas = resource('autoscaling/v2/horizontalpodautoscalers');

export const DEFAULT_HPA_OPTIONS: HorizontalOptions = {
  syncPeriodMs: 15_000,
  downscaleStabilizationMs: 300_000,
  tolerance: 0.1,
  cpuInitializationPeriodMs: 300_000,
  initialReadinessDelayMs: 30_000,
};

/** What one metric asks for, or why it could not say. */
interface Proposal {
  replicas: number;
  name: string;
  status: MetricStatus;
}

/** A metric that could not be computed: the condition and Event Kubernetes gives, and the error text. */
class MetricError extends Error {
  constructor(
    readonly reason: string,
    readonly detail: string,
    message: string,
  ) {
    super(message);
  }
}

type Status = NonNullable<HorizontalPodAutoscaler['status']>;

const DEFAULT_SCALE_UP: Required<HPAScalingRules> = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};
const DEFAULT_SCALE_DOWN_POLICIES: HPAScalingRules['policies'] = [{ type: 'Percent', value: 100, periodSeconds: 15 }];

export class HorizontalController extends Controller {
  private readonly hpas: Informer<HorizontalPodAutoscaler>;
  private readonly pods: Informer<Pod>;
  private readonly rules: ScalingRules;
  private readonly opts: HorizontalOptions;
  private readonly calc: CalculatorOptions;
  /** Custom resources, for scale targets that are not built in. */
  private readonly discovered: ReturnType<typeof cachedExtraResources>;
  /** The pod selector of each HPA reconciled so far, to find two HPAs scaling the same pods. */
  private readonly selectors = new Map<string, Requirement[]>();

  constructor(
    ctx: ControllerContext,
    private readonly metrics: MetricsSource = new ApiMetricsSource(ctx.client),
    private readonly now: () => number = Date.now,
  ) {
    super('horizontal-pod-autoscaler', ctx);
    this.opts = { ...DEFAULT_HPA_OPTIONS, ...ctx.options.horizontalPodAutoscaler };
    this.calc = { tolerance: this.opts.tolerance, cpuInitializationPeriodMs: this.opts.cpuInitializationPeriodMs, initialReadinessDelayMs: this.opts.initialReadinessDelayMs, now };
    this.rules = new ScalingRules(this.opts.downscaleStabilizationMs, now);
    this.discovered = cachedExtraResources(ctx.client);
    this.hpas = ctx.informers.for<HorizontalPodAutoscaler>('autoscaling/v2/horizontalpodautoscalers');
    this.pods = ctx.informers.for<Pod>('v1/pods');
    this.pods.addIndexer('namespace', (p) => [p.metadata.namespace ?? '']);
    // Every HPA is looked at once per sync period, whatever happens to it meanwhile (its own
    // status writes included): an event only makes sure it is waiting for its turn.
    this.hpas.addHandler({ add: (h) => this.enqueue(h), update: (_o, h) => this.enqueue(h) });
  }

  override enqueue(h: HorizontalPodAutoscaler): void {
    this.queue.addAfter(`${h.metadata.namespace}/${h.metadata.name}`, this.opts.syncPeriodMs);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const hpa = this.hpas.get(key);
    if (!hpa) {
      this.rules.forget(key);
      this.selectors.delete(key);
      return;
    }
    try {
      await this.reconcileAutoscaler(clone(hpa), key);
    } catch (err) {
      // Failures are reported on the HPA; the next try is the next period, not sooner.
      this.log.debug({ hpa: key, err: (err as Error).message }, 'autoscaler not reconciled');
    }
    return { requeueAfterMs: this.opts.syncPeriodMs };
  }

  private warn(hpa: HorizontalPodAutoscaler, reason: string, message: string): void {
    this.ctx.recorder.event(hpa, 'Warning', reason, message);
  }

  private condition(status: Status, type: string, value: 'True' | 'False', reason: string, message: string): void {
    status.conditions = setCondition(status.conditions ?? [], { type, status: value, reason, message }, rfc3339(new Date(this.now())));
  }

  private async reconcileAutoscaler(hpa: HorizontalPodAutoscaler, key: string): Promise<void> {
    const original: Status = clone(hpa.status ?? { desiredReplicas: 0 });
    const status: Status = clone(original);
    const ref = hpa.spec.scaleTargetRef;
    const namespace = hpa.metadata.namespace!;
    const reference = `${ref.kind}/${namespace}/${ref.name}`;

    let scale: Scale;
    let target: ApiResource;
    try {
      target = await this.scaleTarget(ref.apiVersion ?? '', ref.kind);
      scale = await this.ctx.client.request<Scale>('GET', this.ctx.client.path(target, namespace, ref.name, 'scale'));
    } catch (err) {
      const msg = (err as Error).message;
      this.warn(hpa, 'FailedGetScale', msg);
      this.condition(status, 'AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${msg}`);
      await this.writeStatus(hpa, original, status);
      throw new Error(`failed to query scale subresource for ${reference}: ${msg}`);
    }
    this.condition(status, 'AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale");
    const current = scale.spec.replicas ?? 0;
    this.rules.recordInitial(key, current);

    const min = hpa.spec.minReplicas ?? 1;
    const max = hpa.spec.maxReplicas;
    let desired = 0;
    let reason = '';
    let rescale = true;
    // Only a computation reports metrics; the min/max corrections clear them, as in Kubernetes.
    let metricStatuses: MetricStatus[] | undefined;
    if (current === 0 && min !== 0) {
      rescale = false;
      this.condition(status, 'ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
    } else if (current > max) {
      reason = 'Current number of replicas above Spec.MaxReplicas';
      desired = max;
    } else if (current < min) {
      reason = 'Current number of replicas below Spec.MinReplicas';
      desired = min;
    } else {
      const computed = await this.computeReplicasForMetrics(hpa, status, scale);
      if (!computed.ok) {
        // No usable metric: keep the target as it is and say why.
        status.currentReplicas = current;
        await this.writeStatus(hpa, original, status);
        this.warn(hpa, 'FailedComputeMetricsReplicas', computed.error);
        throw new Error(`failed to compute desired number of replicas based on listed metrics for ${reference}: ${computed.error}`);
      }
      metricStatuses = computed.statuses;
      let metricName = '';
      if (computed.replicas > desired) {
        desired = computed.replicas;
        metricName = computed.metric;
      }
      if (desired > current) reason = `${metricName} above target`;
      if (desired < current) reason = 'All metrics below target';
      const n = this.rules.normalize({ key, current, desired, min, max, behavior: this.behavior(hpa) });
      this.condition(status, 'AbleToScale', 'True', n.stabilization.reason, n.stabilization.message);
      this.condition(status, 'ScalingLimited', n.limit.limited ? 'True' : 'False', n.limit.reason, n.limit.message);
      desired = n.replicas;
      rescale = desired !== current;
    }

    if (rescale) {
      try {
        await this.ctx.client.request('PUT', this.ctx.client.path(target, namespace, ref.name, 'scale'), { body: { ...scale, spec: { ...scale.spec, replicas: desired } } });
      } catch (err) {
        const msg = (err as Error).message;
        this.warn(hpa, 'FailedRescale', `New size: ${desired}; reason: ${reason}; error: ${msg}`);
        this.condition(status, 'AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${msg}`);
        status.currentReplicas = current;
        await this.writeStatus(hpa, original, status);
        throw new Error(`failed to rescale ${reference}: ${msg}`);
      }
      this.condition(status, 'AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`);
      this.ctx.recorder.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
      this.rules.recordScale(key, this.behavior(hpa), current, desired);
      this.log.info({ hpa: key, currentReplicas: current, desiredReplicas: desired, reason }, 'successfully rescaled');
    } else {
      desired = current;
    }

    status.currentReplicas = current;
    status.desiredReplicas = desired;
    if (metricStatuses) status.currentMetrics = metricStatuses;
    else delete status.currentMetrics;
    if (rescale) status.lastScaleTime = rfc3339(new Date(this.now()));
    await this.writeStatus(hpa, original, status);
  }

  /** The HPA's behavior with Kubernetes' defaults filled in (the scale-down window from the flag), or none. */
  private behavior(hpa: HorizontalPodAutoscaler): NormalizeArgs['behavior'] {
    const b = hpa.spec.behavior;
    if (!b) return undefined;
    const up = b.scaleUp ?? {};
    const down = b.scaleDown ?? {};
    return {
      scaleUp: {
        stabilizationWindowSeconds: up.stabilizationWindowSeconds ?? DEFAULT_SCALE_UP.stabilizationWindowSeconds,
        selectPolicy: up.selectPolicy ?? DEFAULT_SCALE_UP.selectPolicy,
        policies: up.policies ?? DEFAULT_SCALE_UP.policies,
      },
      scaleDown: {
        stabilizationWindowSeconds: down.stabilizationWindowSeconds ?? Math.trunc(this.opts.downscaleStabilizationMs / 1000),
        selectPolicy: down.selectPolicy ?? 'Max',
        policies: down.policies ?? DEFAULT_SCALE_DOWN_POLICIES!,
      },
    };
  }

  /** The target's selected pods, by the selector its scale reports. */
  private selectorOf(hpa: HorizontalPodAutoscaler, status: Status, scale: Scale): Requirement[] | string {
    const text = scale.status?.selector ?? '';
    if (!text) {
      this.warn(hpa, 'SelectorRequired', 'selector is required');
      this.condition(status, 'ScalingActive', 'False', 'InvalidSelector', "the HPA target's scale is missing a selector");
      return 'selector is required';
    }
    try {
      return parseSelector(text);
    } catch (err) {
      const msg = `couldn't convert selector into a corresponding internal selector object: ${(err as Error).message}`;
      this.warn(hpa, 'InvalidSelector', msg);
      this.condition(status, 'ScalingActive', 'False', 'InvalidSelector', msg);
      return msg;
    }
  }

  private async computeReplicasForMetrics(
    hpa: HorizontalPodAutoscaler,
    status: Status,
    scale: Scale,
  ): Promise<{ ok: true; replicas: number; metric: string; statuses: MetricStatus[] } | { ok: false; error: string }> {
    const selector = this.selectorOf(hpa, status, scale);
    if (typeof selector === 'string') return { ok: false, error: selector };
    const namespace = hpa.metadata.namespace!;
    const key = `${namespace}/${hpa.metadata.name}`;
    this.selectors.set(key, selector);
    const pods = this.pods.byIndex('namespace', namespace).filter((p) => matches(selector, p.metadata.labels));
    // Two autoscalers over the same pods would fight: neither acts.
    const controlling = [...this.selectors]
      .filter(([k, sel]) => k.startsWith(`${namespace}/`) && pods.some((p) => matches(sel, p.metadata.labels)))
      .map(([k]) => `{${k.slice(namespace.length + 1)} ${namespace}}`)
      .sort();
    if (controlling.length > 1) {
      const msg = `pods by selector ${scale.status?.selector} are controlled by multiple HPAs: [${controlling.join(' ')}]`;
      this.warn(hpa, 'AmbiguousSelector', msg);
      this.condition(status, 'ScalingActive', 'False', 'AmbiguousSelector', msg);
      return { ok: false, error: msg };
    }
    const specReplicas = scale.spec.replicas ?? 0;
    const statusReplicas = scale.status?.replicas ?? 0;
    const specs = hpa.spec.metrics ?? [];
    // A metric that fails leaves an empty status in its place, as Kubernetes' does.
    const statuses: MetricStatus[] = specs.map(() => ({ type: '' }));
    let replicas = 0;
    let metric = '';
    let invalid = 0;
    let first: MetricError | undefined;
    for (const [i, spec] of specs.entries()) {
      try {
        const p = await this.computeForMetric(spec, namespace, scale.status?.selector ?? '', pods, specReplicas, statusReplicas);
        statuses[i] = p.status;
        if (replicas === 0 || p.replicas > replicas) {
          replicas = p.replicas;
          metric = p.name;
        }
      } catch (err) {
        const e = err instanceof MetricError ? err : new MetricError('InvalidMetricSourceType', (err as Error).message, (err as Error).message);
        this.warn(hpa, e.reason, e.detail);
        if (invalid === 0) first = e;
        invalid++;
      }
    }
    // Every metric failed, or a failed one might have asked for more than the ones that worked.
    if (first && (invalid >= specs.length || replicas < specReplicas)) {
      this.condition(status, 'ScalingActive', 'False', first.reason, `the HPA was unable to compute the replica count: ${first.detail}`);
      return { ok: false, error: `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${first.message}` };
    }
    this.condition(status, 'ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${metric}`);
    return { ok: true, replicas, metric, statuses };
  }

  private async computeForMetric(
    spec: MetricSpec,
    namespace: string,
    selectorText: string,
    pods: Pod[],
    specReplicas: number,
    statusReplicas: number,
  ): Promise<Proposal> {
    const tolerance = this.opts.tolerance;
    switch (spec.type) {
      case 'Resource':
      case 'ContainerResource': {
        const container = spec.type === 'ContainerResource';
        const src = container ? spec.containerResource : spec.resource;
        const reason = container ? 'FailedGetContainerResourceMetric' : 'FailedGetResourceMetric';
        if (!src) throw new MetricError(reason, 'missing metric source', 'missing metric source');
        const containerName = spec.type === 'ContainerResource' ? (spec.containerResource?.container ?? '') : '';
        const wrap = (detail: string) => new MetricError(reason, detail, container ? `failed to get ${containerName} container metric value: ${detail}` : `failed to get ${src.name} resource metric value: ${detail}`);
        const target = src.target;
        const byValue = target.averageValue !== undefined;
        if (!byValue && target.averageUtilization === undefined) {
          throw wrap('invalid resource metric source: neither an average utilization target nor an average value (usage) target was set');
        }
        // Kubernetes words a failure by what the target measures: usage (a value) or utilization.
        const measure = `failed to get ${src.name} ${byValue ? 'usage' : 'utilization'}`;
        let fetched;
        try {
          fetched = await this.metrics.resource(namespace, selectorText, src.name, containerName);
        } catch (err) {
          throw wrap(`${measure}: unable to get metrics for resource ${src.name}: ${(err as Error).message}`);
        }
        const statusOf = (current: MetricValueStatus): MetricStatus =>
          container ? { type: spec.type, containerResource: { name: src.name, container: containerName, current } } : { type: spec.type, resource: { name: src.name, current } };
        try {
          if (byValue) {
            const r = plainMetricReplicas(specReplicas, milliValue(target.averageValue), src.name, pods, fetched.metrics, this.calc);
            return { replicas: r.replicas, name: `${src.name} resource`, status: statusOf({ averageValue: formatMilliQuantity(r.usage) }) };
          }
          const r = resourceReplicas(specReplicas, target.averageUtilization!, src.name, containerName, pods, fetched.metrics, this.calc);
          const name = `${src.name} ${container ? 'container resource' : 'resource'} utilization (percentage of request)`;
          return { replicas: r.replicas, name, status: statusOf({ averageUtilization: r.utilization, averageValue: formatMilliQuantity(r.rawAverage) }) };
        } catch (err) {
          throw wrap(`${measure}: ${(err as Error).message}`);
        }
      }
      case 'Pods': {
        const src = spec.pods!;
        const fail = (detail: string) => new MetricError('FailedGetPodsMetric', detail, `failed to get pods metric value: ${detail}`);
        let fetched;
        try {
          fetched = await this.metrics.pods(namespace, selectorText, src.metric);
        } catch (err) {
          throw fail(`unable to get metric ${src.metric.name}: ${(err as Error).message}`);
        }
        try {
          const r = plainMetricReplicas(specReplicas, milliValue(src.target.averageValue), '', pods, fetched.metrics, this.calc);
          return { replicas: r.replicas, name: `pods metric ${src.metric.name}`, status: { type: 'Pods', pods: { metric: src.metric, current: { averageValue: formatMilliQuantity(r.usage) } } } };
        } catch (err) {
          throw fail((err as Error).message);
        }
      }
      case 'Object': {
        const src = spec.object!;
        const fail = (detail: string) => new MetricError('FailedGetObjectMetric', detail, `failed to get object metric value: ${detail}`);
        let fetched;
        try {
          fetched = await this.metrics.object(namespace, src.describedObject, src.metric);
        } catch (err) {
          throw fail(`unable to get metric ${src.metric.name}: ${src.describedObject.kind} on ${namespace} ${src.describedObject.name}/${(err as Error).message}`);
        }
        try {
          if (src.target.type === 'Value' && src.target.value !== undefined) {
            const replicas = usageRatioReplicas(specReplicas, fetched.value / milliValue(src.target.value), pods, tolerance);
            return { replicas, name: `${src.describedObject.kind} metric ${src.metric.name}`, status: { type: 'Object', object: { describedObject: src.describedObject, metric: src.metric, current: { value: formatMilliQuantity(fetched.value) } } } };
          }
          if (src.target.type === 'AverageValue' && src.target.averageValue !== undefined) {
            const r = perPodReplicas(statusReplicas, fetched.value, milliValue(src.target.averageValue), tolerance);
            return { replicas: r.replicas, name: `external metric ${src.metric.name}`, status: { type: 'Object', object: { metric: src.metric, current: { averageValue: formatMilliQuantity(r.average) } } } };
          }
        } catch (err) {
          throw fail((err as Error).message);
        }
        throw fail('invalid object metric source: neither a value target nor an average value target was set');
      }
      case 'External': {
        const src = spec.external!;
        const fail = (detail: string) => new MetricError('FailedGetExternalMetric', detail, `failed to get ${src.metric.name} external metric value: ${detail}`);
        let fetched;
        try {
          fetched = await this.metrics.external(namespace, src.metric);
        } catch (err) {
          throw fail(`unable to get external metric ${namespace}/${src.metric.name}/${JSON.stringify(src.metric.selector ?? {})}: ${(err as Error).message}`);
        }
        const usage = fetched.values.reduce((a, b) => a + b, 0);
        try {
          if (src.target.averageValue !== undefined) {
            const r = perPodReplicas(statusReplicas, usage, milliValue(src.target.averageValue), tolerance);
            return { replicas: r.replicas, name: `external metric ${src.metric.name}`, status: { type: 'External', external: { metric: src.metric, current: { averageValue: formatMilliQuantity(r.average) } } } };
          }
          if (src.target.value !== undefined) {
            const replicas = usageRatioReplicas(specReplicas, usage / milliValue(src.target.value), pods, tolerance);
            return { replicas, name: `external metric ${src.metric.name}`, status: { type: 'External', external: { metric: src.metric, current: { value: formatMilliQuantity(usage) } } } };
          }
        } catch (err) {
          throw fail((err as Error).message);
        }
        throw fail('invalid external metric source: neither a value target nor an average value target was set');
      }
      default: {
        const msg = `unknown metric source type "${spec.type}"`;
        throw new MetricError('InvalidMetricSourceType', msg, msg);
      }
    }
  }

  /** The resource of a scale target's kind: built in, or a custom resource found by discovery. */
  private async scaleTarget(apiVersion: string, kind: string): Promise<ApiResource> {
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    const builtIn = builtinResources.filter((r) => r.group === group && r.kind === kind && r.storageVersion);
    if (builtIn.length) return builtIn[0]!;
    const found = (await this.discovered()).find((r) => r.group === group && r.kind === kind);
    if (!found) throw new Error(`no matches for kind "${kind}" in group "${group}"`);
    return found;
  }

  /** Writes the status when it changed (never a write for nothing). */
  private async writeStatus(hpa: HorizontalPodAutoscaler, original: Status, status: Status): Promise<void> {
    if (deepEqual(original, status)) return;
    try {
      await this.ctx.client.updateStatus(hpas, { ...hpa, status });
    } catch (err) {
      this.warn(hpa, 'FailedUpdateStatus', (err as Error).message);
      throw new Error(`failed to update status for ${hpa.metadata.name}: ${(err as Error).message}`);
    }
  }
}
