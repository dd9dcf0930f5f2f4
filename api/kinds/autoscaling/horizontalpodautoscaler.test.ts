import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../../defaults.js';
import type { KubeObject } from '../../types/meta.js';
import { invalidCauses } from '../../validation/invalid-causes.js';
import { validateCreate } from '../../validation/kinds.js';
import { hpaColumns } from './horizontalpodautoscaler.js';
import { horizontalPodAutoscalerV1 } from './horizontalpodautoscaler-v1.js';

const target = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', group: 'autoscaling', namespaced: true };

const hpa = (spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'default' },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5, ...spec },
  ...(status ? { status } : {}),
});

const causes = (o: KubeObject): string[] => invalidCauses(() => validateCreate(target, o));

const cell = (name: string, o: KubeObject) => hpaColumns.find((c) => c.name === name)!.cell(o, Date.now());

describe('HorizontalPodAutoscaler defaults', () => {
  it('gives an HPA without metrics an 80% CPU target and minReplicas 1, as Kubernetes does', () => {
    const o = hpa({});
    applyDefaults(o);
    expect(o.spec).toMatchObject({ minReplicas: 1, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }] });
    expect(o.spec.behavior).toBeUndefined();
  });

  it('completes a behavior given in part, leaving the scale-down window to the controller', () => {
    const o = hpa({ behavior: { scaleDown: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } } });
    applyDefaults(o);
    expect(o.spec.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
      scaleDown: { selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
    });
  });
});

describe('HorizontalPodAutoscaler validation', () => {
  it('accepts a well-formed HPA', () => {
    expect(causes(hpa({ minReplicas: 2, metrics: [{ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } }] }))).toEqual([]);
  });

  it('refuses bad bounds, a missing target and mismatched metric sources, naming each field', () => {
    expect(causes(hpa({ scaleTargetRef: { kind: 'Deployment' }, minReplicas: 3, maxReplicas: 2 }))).toEqual([
      'spec.scaleTargetRef.name: Required value',
      'spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`',
    ]);
    expect(causes(hpa({ minReplicas: 0, maxReplicas: 0 }))).toEqual(['spec.minReplicas: Invalid value: 0: must be greater than or equal to 1', 'spec.maxReplicas: Invalid value: 0: must be greater than 0']);
    expect(causes(hpa({ metrics: [{ type: 'Pods', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] }))).toEqual([
      'spec.metrics[0].resource: Forbidden: must populate the given metric source only',
      'spec.metrics[0].pods: Required value: must populate information for the given metric source',
    ]);
    expect(causes(hpa({ metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0 } } }] }))).toContain(
      'spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0',
    );
  });

  it('keeps behavior policies within their limits', () => {
    expect(causes(hpa({ behavior: { scaleUp: { stabilizationWindowSeconds: 4000, policies: [{ type: 'Pods', value: 0, periodSeconds: 2000 }] } } }))).toEqual([
      'spec.behavior.scaleUp.stabilizationWindowSeconds: Invalid value: 4000: must be less than or equal to 3600',
      'spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero',
      'spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 2000: must be less than or equal to 1800',
    ]);
  });
});

describe('kubectl get hpa columns', () => {
  it('shows each metric as current/target, <unknown> until measured, and at most two of them', () => {
    const cpu = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } };
    const mem = { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } };
    const pods = { type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '10' } } };
    expect(cell('Targets', hpa({ metrics: [cpu] }))).toBe('cpu: <unknown>/50%');
    const measured = hpa({ metrics: [cpu, mem] }, { currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 73, averageValue: '73m' } } }, { type: 'Resource', resource: { name: 'memory', current: { averageValue: '52428800' } } }] });
    expect(cell('Targets', measured)).toBe('cpu: 73%/50%, memory: 52428800/100Mi');
    expect(cell('Targets', hpa({ metrics: [cpu, mem, pods] }))).toBe('cpu: <unknown>/50%, memory: <unknown>/100Mi + 1 more...');
    expect(cell('MinPods', hpa({}))).toBe('<unset>');
    expect(cell('MinPods', hpa({ minReplicas: 2 }))).toBe('2');
  });
});

describe('autoscaling/v1', () => {
  it('carries what v1 cannot say in annotations, so a v1 read and write loses nothing', () => {
    const v2 = hpa(
      {
        minReplicas: 1,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
          { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
          { type: 'Pods', pods: { metric: { name: 'rps', selector: { matchLabels: { a: 'b' } } }, target: { type: 'AverageValue', averageValue: '10' } } },
          { type: 'External', external: { metric: { name: 'queue' }, target: { type: 'Value', value: '30' } } },
        ],
        behavior: { scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } },
      },
      {
        currentReplicas: 2,
        desiredReplicas: 3,
        currentMetrics: [
          { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 90, averageValue: '90m' } } },
          { type: 'Resource', resource: { name: 'memory', current: { averageValue: '1Mi' } } },
        ],
        conditions: [{ type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: 'm', lastTransitionTime: '2026-12-02T00:00:00Z' }],
      },
    );
    v2.metadata.annotations = { team: 'web' };
    const v1 = horizontalPodAutoscalerV1.conversion!.fromStorage(structuredClone(v2));
    expect(v1.spec).toEqual({ scaleTargetRef: v2.spec.scaleTargetRef, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 60 });
    expect(v1.status).toEqual({ currentReplicas: 2, desiredReplicas: 3, currentCPUUtilizationPercentage: 90 });
    expect(JSON.parse(v1.metadata.annotations!['autoscaling.alpha.kubernetes.io/metrics'])).toEqual([
      { type: 'Resource', resource: { name: 'memory', targetAverageValue: '100Mi' } },
      { type: 'Pods', pods: { metricName: 'rps', selector: { matchLabels: { a: 'b' } }, targetAverageValue: '10' } },
      { type: 'External', external: { metricName: 'queue', targetValue: '30' } },
    ]);
    expect(v1.metadata.annotations!.team).toBe('web');
    // Written back through v1 as read: the same v2 object.
    expect(horizontalPodAutoscalerV1.conversion!.toStorage(v1)).toEqual(v2);
  });
});
