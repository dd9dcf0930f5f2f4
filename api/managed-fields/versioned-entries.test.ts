// managedFields entries made in a version other than the stored one name fields as that
// version does, and later writes are compared in it (Kubernetes' field manager converts the
// objects to each entry's version). Here: HorizontalPodAutoscalers stored as autoscaling/v2,
// written in autoscaling/v1.
import { describe, expect, it } from 'vitest';
import { horizontalPodAutoscaler } from '../kinds/autoscaling/horizontalpodautoscaler.js';
import { horizontalPodAutoscalerV1 } from '../kinds/autoscaling/horizontalpodautoscaler-v1.js';
import type { KubeObject } from '../types/meta.js';
import { fromFieldsV1, key } from './field-set.js';
import { applyConfiguration, recordUpdate, type VersionViews, type Writer } from './managed-fields.js';
import { shapeOfKind } from './shapes.js';

const stored = shapeOfKind(horizontalPodAutoscaler);
const v1Shape = shapeOfKind(horizontalPodAutoscalerV1);
const views: VersionViews = (apiVersion) =>
  apiVersion === 'autoscaling/v1' ? { shape: v1Shape, convert: (o) => horizontalPodAutoscalerV1.conversion!.fromStorage(structuredClone(o)) } : undefined;
const writer = (manager: string, apiVersion: string): Writer => ({ manager, apiVersion, now: '2026-12-04T00:00:00Z' });

/** The stored (v2) form of an HPA on CPU at `cpu` percent. */
const hpa = (cpu: number, max = 5): KubeObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 1,
    maxReplicas: max,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpu } } }],
  },
});
const fields = (e: { fieldsV1: Record<string, unknown> }) => fromFieldsV1(e.fieldsV1);

describe('managedFields of writes in another version than the stored one', () => {
  it('names a v1 create\'s fields as v1 shapes them', () => {
    const [entry, ...rest] = recordUpdate(undefined, hpa(50), stored, true, writer('kubectl-create', 'autoscaling/v1'), undefined, views);
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({ manager: 'kubectl-create', operation: 'Update', apiVersion: 'autoscaling/v1' });
    expect(fields(entry!)).toContain(key(['f:spec', 'f:targetCPUUtilizationPercentage']));
    expect(fields(entry!)).toContain(key(['f:spec', 'f:maxReplicas']));
    expect([...fields(entry!)].some((k) => k.includes('f:metrics'))).toBe(false);
    // The same create in the stored version names the v2 fields, as before.
    const [v2] = recordUpdate(undefined, hpa(50), stored, true, writer('kubectl-create', 'autoscaling/v2'), undefined, views);
    expect([...fields(v2!)].some((k) => k.includes('f:metrics'))).toBe(true);
  });

  it('takes from a v1 entry what a v2 write changed, compared in v1, and gives the v2 writer its v2 fields', () => {
    const created = recordUpdate(undefined, hpa(50), stored, true, writer('kubectl-create', 'autoscaling/v1'), undefined, views);
    const live = { ...hpa(50), metadata: { ...hpa(50).metadata, managedFields: created } };
    const next = recordUpdate(live, hpa(70), stored, true, writer('tuner', 'autoscaling/v2'), undefined, views);
    expect(next.map((e) => [e.manager, e.apiVersion])).toEqual([
      ['kubectl-create', 'autoscaling/v1'],
      ['tuner', 'autoscaling/v2'],
    ]);
    expect(fields(next[0]!)).not.toContain(key(['f:spec', 'f:targetCPUUtilizationPercentage']));
    expect(fields(next[0]!)).toContain(key(['f:spec', 'f:maxReplicas']));
    expect([...fields(next[1]!)].every((k) => k.startsWith(key(['f:spec', 'f:metrics'])))).toBe(true);
    expect(fields(next[1]!).size).toBeGreaterThan(0);

    // A v1 writer changing maxReplicas takes it in v1's names; the v2 entry keeps its metrics.
    const after = recordUpdate({ ...hpa(70), metadata: { ...hpa(70).metadata, managedFields: next } }, hpa(70, 9), stored, true, writer('kubectl-edit', 'autoscaling/v1'), undefined, views);
    expect(after.find((e) => e.manager === 'kubectl-edit')).toMatchObject({ apiVersion: 'autoscaling/v1' });
    expect(fields(after.find((e) => e.manager === 'kubectl-edit')!)).toEqual(new Set([key(['f:spec', 'f:maxReplicas'])]));
    expect(fields(after.find((e) => e.manager === 'kubectl-create')!)).not.toContain(key(['f:spec', 'f:maxReplicas']));
    expect([...fields(after.find((e) => e.manager === 'tuner')!)].length).toBe(fields(next[1]!).size);
  });

  it('makes a v2 apply conflict with a v1 manager whose field it changes, seen in v1; forced, the field is the applier\'s', () => {
    const created = recordUpdate(undefined, hpa(50), stored, true, writer('kubectl-create', 'autoscaling/v1'), undefined, views);
    const live = { ...hpa(50), metadata: { ...hpa(50).metadata, managedFields: created } };
    const config = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { metrics: hpa(80).spec.metrics } } as KubeObject;
    let err: any;
    try {
      applyConfiguration(live, config, stored, true, writer('tuner', 'autoscaling/v2'), false, views);
    } catch (e) {
      err = e;
    }
    expect(err?.code).toBe(409);
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-create" using autoscaling/v1: .spec.targetCPUUtilizationPercentage');
    // The same value is no conflict.
    const same = { ...config, spec: { metrics: hpa(50).spec.metrics } } as KubeObject;
    expect(() => applyConfiguration(live, same, stored, true, writer('tuner', 'autoscaling/v2'), false, views)).not.toThrow();
    const forced = applyConfiguration(live, config, stored, true, writer('tuner', 'autoscaling/v2'), true, views);
    expect(forced.object.spec.metrics[0].resource.target.averageUtilization).toBe(80);
    const v1Entry = forced.managedFields.find((e) => e.manager === 'kubectl-create')!;
    expect(fields(v1Entry)).not.toContain(key(['f:spec', 'f:targetCPUUtilizationPercentage']));
    expect(fields(v1Entry)).toContain(key(['f:spec', 'f:maxReplicas']));
  });

  it('sees a version whose conversion throws in the stored shape, and survives hostile objects', () => {
    const throwing: VersionViews = (apiVersion) => (apiVersion === 'autoscaling/v1' ? { shape: v1Shape, convert: () => { throw new TypeError('cannot convert'); } } : undefined);
    const [entry] = recordUpdate(undefined, hpa(50), stored, true, writer('kubectl-create', 'autoscaling/v1'), undefined, throwing);
    expect(entry).toMatchObject({ apiVersion: 'autoscaling/v1' });
    expect([...fields(entry!)].some((k) => k.includes('f:metrics'))).toBe(true);
    const live = { ...hpa(50), metadata: { ...hpa(50).metadata, managedFields: [entry!] } };
    expect(() => recordUpdate(live, hpa(60), stored, true, writer('x', 'autoscaling/v2'), undefined, throwing)).not.toThrow();

    // Odd stored shapes and hostile keys, converted to v1 and compared there.
    const hostile = JSON.parse('{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"h","__proto__":{"polluted":1}},"spec":{"metrics":[{"type":"Resource","resource":null},{"__proto__":{"x":1}},7],"maxReplicas":"many","__proto__":{"y":2}}}') as KubeObject;
    const created = recordUpdate(undefined, hpa(50), stored, true, writer('a', 'autoscaling/v1'), undefined, views);
    const withEntries = { ...hostile, metadata: { ...hostile.metadata, managedFields: created } };
    expect(() => recordUpdate(withEntries, hpa(50), stored, true, writer('b', 'autoscaling/v1'), undefined, views)).not.toThrow();
    expect(() => recordUpdate(hpa(50), hostile, stored, true, writer('b', 'autoscaling/v1'), undefined, views)).not.toThrow();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).y).toBeUndefined();
  });

  it('keeps a field an applier stops sending while a manager of another version owns it there', () => {
    const created = recordUpdate(undefined, hpa(50), stored, true, writer('kubectl-create', 'autoscaling/v1'), undefined, views);
    const live = { ...hpa(50), metadata: { ...hpa(50).metadata, managedFields: created } };
    const withMetrics = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { maxReplicas: 5, metrics: hpa(50).spec.metrics } } as KubeObject;
    const first = applyConfiguration(live, withMetrics, stored, true, writer('tuner', 'autoscaling/v2'), false, views);
    const afterFirst = { ...first.object, metadata: { ...first.object.metadata, managedFields: first.managedFields } } as KubeObject;
    // The tuner stops sending metrics: the v1 creator still owns the CPU target they carry.
    const second = applyConfiguration(afterFirst, { ...withMetrics, spec: { maxReplicas: 5 } } as KubeObject, stored, true, writer('tuner', 'autoscaling/v2'), false, views);
    expect(second.object.spec.metrics).toEqual(hpa(50).spec.metrics);
    // Without the other version's view, as before, it went.
    const blind = applyConfiguration(afterFirst, { ...withMetrics, spec: { maxReplicas: 5 } } as KubeObject, stored, true, writer('tuner', 'autoscaling/v2'), false);
    expect(blind.object.spec.metrics).toBeUndefined();
  });
});
