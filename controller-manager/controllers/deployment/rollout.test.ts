import { describe, expect, it } from 'vitest';
import type { Deployment, DeploymentStrategy, ReplicaSet } from '../../../api/types/apps.js';
import { equalIgnoreHash, newReplicaSetReplicas, planOldScaleDown, proportionalScale, surgeAndUnavailable } from './rollout.js';
import { resolveIntOrPercent, templateHash } from '../workload-arithmetic.js';

const deployment = (replicas: number, rollingUpdate: DeploymentStrategy['rollingUpdate'] = {}, type: DeploymentStrategy['type'] = 'RollingUpdate'): Deployment => ({
  metadata: { name: 'd' },
  spec: { replicas, selector: {}, template: { spec: { containers: [] } }, strategy: { type, ...(type === 'RollingUpdate' ? { rollingUpdate } : {}) } },
});
let n = 0;
const rs = (replicas: number, available = replicas, annotations: Record<string, string> = {}): ReplicaSet => ({
  metadata: { name: `rs${++n}`, creationTimestamp: `2026-01-01T00:00:${String(n).padStart(2, '0')}Z`, annotations },
  spec: { replicas, selector: {} },
  status: { replicas, availableReplicas: available },
});

describe('surge and unavailability', () => {
  it('rounds percents up for surge and down for unavailability, and never lets both be zero', () => {
    expect(resolveIntOrPercent('25%', 3, true, '25%')).toBe(1);
    expect(resolveIntOrPercent('25%', 3, false, '25%')).toBe(0);
    expect(resolveIntOrPercent(2, 3, false, '25%')).toBe(2);
    expect(surgeAndUnavailable(deployment(3))).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(surgeAndUnavailable(deployment(10))).toEqual({ maxSurge: 3, maxUnavailable: 2 });
    expect(surgeAndUnavailable(deployment(3, { maxSurge: 0, maxUnavailable: 0 }))).toEqual({ maxSurge: 0, maxUnavailable: 1 });
  });
});

describe('a rolling update step', () => {
  it('grows the new ReplicaSet only into the surge room', () => {
    const d = deployment(3);
    const old = rs(3);
    expect(newReplicaSetReplicas(d, [old], undefined)).toBe(1);
    const fresh = rs(1, 0);
    expect(newReplicaSetReplicas(d, [old, fresh], fresh)).toBe(1); // 4 pods already: no room
    const shrunk = rs(2);
    expect(newReplicaSetReplicas(d, [shrunk, fresh], fresh)).toBe(2);
    expect(newReplicaSetReplicas(deployment(3, {}, 'Recreate'), [old], undefined)).toBe(3);
  });

  it('scales old ReplicaSets down only while availability stays at replicas - maxUnavailable', () => {
    const d = deployment(3); // surge 1, unavailable 0
    const old = rs(3);
    const notYet = rs(1, 0);
    expect(planOldScaleDown(d, [old, notYet], [old], notYet).size).toBe(0);
    const ready = rs(1, 1);
    expect([...planOldScaleDown(d, [old, ready], [old], ready).values()]).toEqual([2]);
  });

  it('removes unhealthy old replicas first', () => {
    const d = deployment(4, { maxSurge: 1, maxUnavailable: 1 });
    const oldest = rs(2, 0); // both unavailable
    const older = rs(2, 2);
    const plan = planOldScaleDown(d, [oldest, older, rs(1, 0)], [oldest, older], undefined);
    expect(plan.get(oldest)).toBe(0);
  });
});

describe('proportional scaling', () => {
  it('spreads a replicas change over the active ReplicaSets by size', () => {
    const d = deployment(20, { maxSurge: 3, maxUnavailable: 2 });
    const a = rs(8, 8, { 'deployment.kubernetes.io/max-replicas': '13' });
    const b = rs(5, 5, { 'deployment.kubernetes.io/max-replicas': '13' });
    const sizes = proportionalScale(d, [a, b]);
    expect(sizes.get(a)! + sizes.get(b)!).toBe(20 + 3);
    expect(sizes.get(a)).toBeGreaterThan(sizes.get(b)!);
    const down = proportionalScale(deployment(0), [a, b]);
    expect([down.get(a), down.get(b)]).toEqual([0, 0]);
  });
});

describe('templates', () => {
  it('hash stably whatever the key order, and compare equal apart from the hash label', () => {
    const t1 = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    const t2 = { spec: { containers: [{ image: 'i', name: 'c' }] }, metadata: { labels: { app: 'x' } } };
    expect(templateHash(t1)).toBe(templateHash(t2));
    expect(templateHash(t1)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(templateHash(t1, 1)).not.toBe(templateHash(t1));
    expect(equalIgnoreHash(t1, { ...t2, metadata: { labels: { app: 'x', 'pod-template-hash': 'abc' } } })).toBe(true);
    expect(equalIgnoreHash(t1, { ...t2, spec: { containers: [{ name: 'c', image: 'j' }] } })).toBe(false);
  });
});
