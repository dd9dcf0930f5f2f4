import { describe, expect, it } from 'vitest';
import type { HorizontalPodAutoscaler } from '../../../api/types/autoscaling.js';
import type { Deployment } from '../../../api/types/apps.js';
import type { Pod } from '../../../api/types/pod.js';
import { fakeWorld } from '../../framework/fake-context.js';
import { HorizontalController } from './horizontal.js';
import type { MetricsSource } from './metrics-client.js';
import type { PodMetrics } from './replica-calculator.js';

const NOW = Date.parse('2026-12-02T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

const deployment = (replicas: number): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'ns', uid: 'd1', resourceVersion: '3' },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
  status: { replicas },
});

const pod = (name: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns', labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '100m' } } }] },
  status: { phase: 'Running', startTime: ago(600_000), conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: ago(590_000) }] },
});

const hpa = (spec: Partial<HorizontalPodAutoscaler['spec']> = {}): HorizontalPodAutoscaler => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'ns', uid: 'h1', resourceVersion: '5' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 1,
    maxReplicas: 10,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
    ...spec,
  },
});

/** A metrics API that answers with fixed CPU usage per pod (millicores), or fails. */
function cpu(values: Record<string, number> | Error): MetricsSource & { calls: number } {
  const src = {
    calls: 0,
    async resource() {
      src.calls++;
      if (values instanceof Error) throw values;
      const metrics: PodMetrics = new Map(Object.entries(values).map(([n, value]) => [n, { timestamp: NOW, windowMs: 15_000, value }]));
      return { metrics, timestamp: NOW };
    },
    pods: () => Promise.reject(new Error('no custom metrics')),
    object: () => Promise.reject(new Error('no custom metrics')),
    external: () => Promise.reject(new Error('no external metrics')),
  };
  return src;
}

function world(replicas: number, metrics: MetricsSource, spec?: Partial<HorizontalPodAutoscaler['spec']>) {
  const w = fakeWorld();
  const c = new HorizontalController(w.ctx, metrics, () => NOW);
  w.seed('apps/v1/deployments', deployment(replicas));
  w.seed('v1/pods', ...Array.from({ length: replicas }, (_, i) => pod(`web-${i}`)));
  w.seed('autoscaling/v2/horizontalpodautoscalers', hpa(spec));
  const status = async () => (await w.client.get<HorizontalPodAutoscaler>({ group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', namespaced: true, storage: 'horizontalpodautoscalers' } as never, 'ns', 'web')).status!;
  const events = () => w.client.actions.filter((a) => a.verb === 'create' && a.resource === 'events').map((a) => a.body as { reason: string; message: string; type: string; source?: { component: string } });
  return { w, c, status, events };
}

const condition = (s: HorizontalPodAutoscaler['status'], type: string) => s?.conditions?.find((c) => c.type === type);

describe('horizontal pod autoscaler reconcile', () => {
  it('scales a busy Deployment up through its scale subresource, at most doubling, and says so', async () => {
    const { w, c, status, events } = world(2, cpu({ 'web-0': 150, 'web-1': 150 }));
    expect(await c.reconcile('ns/web')).toEqual({ requeueAfterMs: 15_000 });
    // 150% of requests against 50%: 6 wanted, 4 allowed in one step.
    expect(w.client.writes('deployments')).toEqual([expect.objectContaining({ verb: 'update', subresource: 'scale', name: 'web', body: expect.objectContaining({ spec: { replicas: 4 } }) })]);
    const s = await status();
    expect(s).toMatchObject({ currentReplicas: 2, desiredReplicas: 4, lastScaleTime: new Date(NOW).toISOString().replace('.000', '') });
    expect(s.currentMetrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 150, averageValue: '150m' } } }]);
    expect(condition(s, 'AbleToScale')).toMatchObject({ status: 'True', reason: 'SucceededRescale', message: 'the HPA controller was able to update the target scale to 4' });
    expect(condition(s, 'ScalingActive')).toMatchObject({ status: 'True', reason: 'ValidMetricFound', message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)' });
    expect(condition(s, 'ScalingLimited')).toMatchObject({ status: 'True', reason: 'ScaleUpLimit' });
    await new Promise((r) => setTimeout(r, 20));
    expect(events()).toEqual([expect.objectContaining({ type: 'Normal', reason: 'SuccessfulRescale', message: 'New size: 4; reason: cpu resource utilization (percentage of request) above target' })]);
  });

  it('holds a scale-down for the stabilization window', async () => {
    const { w, c, status } = world(4, cpu({ 'web-0': 10, 'web-1': 10, 'web-2': 10, 'web-3': 10 }));
    await c.reconcile('ns/web');
    expect(w.client.writes('deployments')).toEqual([]);
    const s = await status();
    expect(s).toMatchObject({ currentReplicas: 4, desiredReplicas: 4 });
    expect(condition(s, 'AbleToScale')).toMatchObject({ reason: 'ScaleDownStabilized' });
  });

  it('scales down at once with a zero stabilization window in its behavior', async () => {
    const { w, c } = world(4, cpu({ 'web-0': 10, 'web-1': 10, 'web-2': 10, 'web-3': 10 }), { behavior: { scaleDown: { stabilizationWindowSeconds: 0 } } });
    await c.reconcile('ns/web');
    // 10% against 50%: ceil(0.2 * 4) = 1.
    expect(w.client.writes('deployments')).toEqual([expect.objectContaining({ subresource: 'scale', body: expect.objectContaining({ spec: { replicas: 1 } }) })]);
  });

  it('keeps the target as it is when no metric can be read, and reports why', async () => {
    const { w, c, status, events } = world(2, cpu(new Error('the server could not find the requested resource')));
    await c.reconcile('ns/web');
    expect(w.client.writes('deployments')).toEqual([]);
    const s = await status();
    expect(s.currentReplicas).toBe(2);
    expect(s.currentMetrics).toBeUndefined();
    expect(condition(s, 'ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'FailedGetResourceMetric',
      message: 'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: the server could not find the requested resource',
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(events().map((e) => e.reason)).toEqual(['FailedGetResourceMetric', 'FailedComputeMetricsReplicas']);
    expect(events()[1]!.message).toBe('invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: failed to get cpu utilization: unable to get metrics for resource cpu: the server could not find the requested resource');
  });

  it('reports a target it cannot find, and one of a kind nobody serves', async () => {
    const { c, status } = world(2, cpu({}), { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gone' } });
    await c.reconcile('ns/web');
    expect(condition(await status(), 'AbleToScale')).toMatchObject({ status: 'False', reason: 'FailedGetScale', message: expect.stringContaining('"gone" not found') });
    const widget = world(2, cpu({}), { scaleTargetRef: { apiVersion: 'example.com/v1', kind: 'Widget', name: 'w' } });
    await widget.c.reconcile('ns/web');
    expect(condition(await widget.status(), 'AbleToScale')?.message).toBe('the HPA controller was unable to get the target\'s current scale: no matches for kind "Widget" in group "example.com"');
  });

  it('brings a target into minReplicas..maxReplicas without reading metrics, and leaves one scaled to zero alone', async () => {
    const metrics = cpu({});
    const low = world(1, metrics, { minReplicas: 3 });
    await low.c.reconcile('ns/web');
    expect(low.w.client.writes('deployments')).toEqual([expect.objectContaining({ body: expect.objectContaining({ spec: { replicas: 3 } }) })]);
    expect(metrics.calls).toBe(0);
    const zero = world(0, metrics);
    await zero.c.reconcile('ns/web');
    expect(zero.w.client.writes('deployments')).toEqual([]);
    expect(condition(await zero.status(), 'ScalingActive')).toMatchObject({ status: 'False', reason: 'ScalingDisabled' });
  });

  it('writes nothing when nothing changed', async () => {
    const { w, c } = world(2, cpu({ 'web-0': 50, 'web-1': 50 }));
    await c.reconcile('ns/web');
    const writes = w.client.writes('horizontalpodautoscalers').length;
    expect(writes).toBe(1);
    // The informer now holds what was written.
    const stored = await w.client.get<HorizontalPodAutoscaler>({ group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', namespaced: true, storage: 'horizontalpodautoscalers' } as never, 'ns', 'web');
    w.ctx.informers.for('autoscaling/v2/horizontalpodautoscalers').replace([stored]);
    await c.reconcile('ns/web');
    expect(w.client.writes('horizontalpodautoscalers').length).toBe(writes);
  });
});

describe('two autoscalers over the same pods', () => {
  it('neither scales, and both say why', async () => {
    const { w, c } = world(2, cpu({ 'web-0': 150, 'web-1': 150 }));
    w.seed('autoscaling/v2/horizontalpodautoscalers', hpa(), { ...hpa(), metadata: { ...hpa().metadata, name: 'web2', uid: 'h2' } });
    await c.reconcile('ns/web');
    await c.reconcile('ns/web2');
    await c.reconcile('ns/web');
    expect(w.client.writes('deployments')).toHaveLength(1);
    const web2 = await w.client.get<HorizontalPodAutoscaler>({ group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', namespaced: true, storage: 'horizontalpodautoscalers' } as never, 'ns', 'web2');
    expect(condition(web2.status, 'ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'AmbiguousSelector',
      message: 'pods by selector app=web are controlled by multiple HPAs: [{web ns} {web2 ns}]',
    });
  });
});
