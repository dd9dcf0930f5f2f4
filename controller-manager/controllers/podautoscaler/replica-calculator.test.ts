import { describe, expect, it } from 'vitest';
import type { Pod } from '../../../api/types/pod.js';
import { plainMetricReplicas, resourceReplicas, ReplicaCalculationError, type CalculatorOptions, type PodMetrics } from './replica-calculator.js';

const NOW = Date.parse('2026-12-02T12:00:00Z');
const opts: CalculatorOptions = { tolerance: 0.1, cpuInitializationPeriodMs: 300_000, initialReadinessDelayMs: 30_000, now: () => NOW };
const ago = (ms: number) => new Date(NOW - ms).toISOString();

interface PodOpts {
  request?: string;
  phase?: string;
  ready?: 'True' | 'False' | null;
  startedAgo?: number;
  readySinceAgo?: number;
  deleting?: boolean;
}

function pod(name: string, o: PodOpts = {}): Pod {
  const started = o.startedAgo ?? 600_000;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', ...(o.deleting ? { deletionTimestamp: ago(1000) } : {}) },
    spec: { containers: [{ name: 'c', image: 'x', resources: o.request === undefined ? {} : { requests: { cpu: o.request, memory: o.request } } }] },
    status: {
      phase: (o.phase ?? 'Running') as 'Running',
      startTime: ago(started),
      conditions: o.ready === null ? [] : [{ type: 'Ready', status: o.ready ?? 'True', lastTransitionTime: ago(o.readySinceAgo ?? started - 5000) }],
    },
  };
}

/** Samples taken just now over a 15 s window. */
function samples(values: Record<string, number>): PodMetrics {
  return new Map(Object.entries(values).map(([n, value]) => [n, { timestamp: NOW, windowMs: 15_000, value }]));
}

const three = (o: PodOpts = {}) => ['a', 'b', 'c'].map((n) => pod(n, { request: '1', ...o }));

describe('resource utilization replicas', () => {
  it('scales up by the ratio of usage to the target', () => {
    // 300m + 500m + 700m of 3 cores requested: 50% against a 30% target -> 3 * 50/30 = 5.
    expect(resourceReplicas(3, 30, 'cpu', '', three(), samples({ a: 300, b: 500, c: 700 }), opts)).toEqual({ replicas: 5, utilization: 50, rawAverage: 500 });
  });

  it('scales down, rounding up', () => {
    const pods = ['a', 'b', 'c', 'd', 'e'].map((n) => pod(n, { request: '1' }));
    // 1400m of 5000m: 28% against 50% -> ceil(0.56 * 5) = 3.
    expect(resourceReplicas(5, 50, 'cpu', '', pods, samples({ a: 100, b: 300, c: 500, d: 250, e: 250 }), opts).replicas).toBe(3);
  });

  it('changes nothing within the tolerance', () => {
    // 105% of the target: within 10%.
    expect(resourceReplicas(3, 50, 'cpu', '', three(), samples({ a: 525, b: 525, c: 525 }), opts)).toMatchObject({ replicas: 3, utilization: 52 });
  });

  it('counts an unready pod as idle when scaling up, so it does not make the step bigger', () => {
    const pods = [pod('a', { request: '1', ready: 'False' }), pod('b', { request: '1' }), pod('c', { request: '1' })];
    // Ready pods at 60% (ratio 2); with the unready one at 0: 40% -> ceil(1.33 * 3) = 4, not 6.
    expect(resourceReplicas(3, 30, 'cpu', '', pods, samples({ a: 300, b: 500, c: 700 }), opts)).toEqual({ replicas: 4, utilization: 60, rawAverage: 600 });
  });

  it('leaves out pods being deleted and failed pods, and takes pending pods as unready', () => {
    const pods = [pod('a', { request: '1' }), pod('b', { request: '1', deleting: true }), pod('c', { request: '1', phase: 'Failed' }), pod('d', { request: '1', phase: 'Pending' })];
    // Only a counts for the utilization: 80% against 40% -> 2 ready-pod equivalents; pending d at 0 -> (800+0)/2000 = 40% -> no change.
    expect(resourceReplicas(4, 40, 'cpu', '', pods, samples({ a: 800, b: 900, c: 900 }), opts)).toMatchObject({ replicas: 4, utilization: 80 });
  });

  it('on a scale-down takes unmeasured pods as using all they asked for, and keeps the count when that turns the direction', () => {
    const pods = [pod('a', { request: '1' }), pod('b', { request: '1' }), pod('c', { request: '1' }), pod('d', { request: '1' })];
    // Measured: 100m, 100m (10% vs 50%: down); with c and d at 100%: 55% -> up: keep 4.
    expect(resourceReplicas(4, 50, 'cpu', '', pods, samples({ a: 100, b: 100 }), opts)).toMatchObject({ replicas: 4, utilization: 10 });
    // Measured lower still against a lower target: (0+0+1000+1000)/4000 = 50% vs 80% -> ceil(0.625 * 4) = 3.
    expect(resourceReplicas(4, 80, 'cpu', '', pods, samples({ a: 0, b: 0 }), opts).replicas).toBe(3);
  });

  it('ignores CPU samples of a starting pod taken before it had been ready for a whole window', () => {
    const young = [pod('a', { request: '1', startedAgo: 60_000, readySinceAgo: 5_000 }), pod('b', { request: '1', startedAgo: 60_000, readySinceAgo: 50_000 })];
    // a's sample covers time before it was ready: a is unready; b alone: 900m -> 90% vs 50% -> with a at 0: 45% -> direction flips: keep 2.
    expect(resourceReplicas(2, 50, 'cpu', '', young, samples({ a: 900, b: 900 }), opts)).toMatchObject({ replicas: 2, utilization: 90 });
    // Memory samples are taken as they come.
    expect(resourceReplicas(2, 50, 'memory', '', young, samples({ a: 900, b: 900 }), opts).replicas).toBe(4);
  });

  it('reports a missing request and a target without metrics, as Kubernetes words them', () => {
    expect(() => resourceReplicas(1, 50, 'cpu', '', [pod('a')], samples({ a: 1 }), opts)).toThrow(new ReplicaCalculationError('missing request for cpu in container c of Pod a'));
    expect(() => resourceReplicas(1, 50, 'cpu', '', [pod('a', { request: '1', ready: 'False' })], samples({ a: 1 }), opts)).toThrow('did not receive metrics for targeted pods (pods might be unready)');
    expect(() => resourceReplicas(1, 50, 'cpu', '', [], samples({}), opts)).toThrow('no pods returned by selector while calculating replica count');
  });
});

describe('average value replicas', () => {
  it('scales by the average per pod against the target', () => {
    // 300 + 500 + 700 = average 500 against 250 -> 6.
    expect(plainMetricReplicas(3, 250, 'memory', three(), samples({ a: 300, b: 500, c: 700 }), opts)).toEqual({ replicas: 6, usage: 500 });
    // Average 500 against 1000 -> 2 (ceil 1.5).
    expect(plainMetricReplicas(3, 1000, 'memory', three(), samples({ a: 300, b: 500, c: 700 }), opts)).toEqual({ replicas: 2, usage: 500 });
  });
});
