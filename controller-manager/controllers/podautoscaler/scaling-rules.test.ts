import { describe, expect, it } from 'vitest';
import type { HPAScalingRules } from '../../../api/types/autoscaling.js';
import { ScalingRules } from './scaling-rules.js';

const clock = () => {
  const c = { t: Date.parse('2026-12-02T12:00:00Z'), now: () => c.t };
  return c;
};

describe('without behavior', () => {
  it('scales down only to the highest recommendation of the stabilization window', () => {
    const c = clock();
    const r = new ScalingRules(300_000, c.now);
    r.recordInitial('ns/h', 5);
    let n = r.normalize({ key: 'ns/h', current: 5, desired: 2, min: 1, max: 10 });
    expect(n.replicas).toBe(5);
    expect(n.stabilization).toMatchObject({ reason: 'ScaleDownStabilized' });
    c.t += 301_000;
    n = r.normalize({ key: 'ns/h', current: 5, desired: 2, min: 1, max: 10 });
    expect(n.replicas).toBe(2);
    expect(n.stabilization.reason).toBe('ReadyForNewScale');
    expect(n.limit).toMatchObject({ limited: false, reason: 'DesiredWithinRange' });
  });

  it('at most doubles (or reaches 4) in one step, and keeps within min and max', () => {
    const r = new ScalingRules(300_000, clock().now);
    expect(r.normalize({ key: 'a', current: 2, desired: 10, min: 1, max: 20 })).toMatchObject({ replicas: 4, limit: { limited: true, reason: 'ScaleUpLimit' } });
    expect(r.normalize({ key: 'b', current: 6, desired: 10, min: 1, max: 8 })).toMatchObject({ replicas: 8, limit: { limited: true, reason: 'TooManyReplicas' } });
    expect(r.normalize({ key: 'c', current: 3, desired: 1, min: 2, max: 8 })).toMatchObject({ replicas: 2, limit: { limited: true, reason: 'TooFewReplicas' } });
  });
});

const rules = (r: Partial<Required<HPAScalingRules>>): Required<HPAScalingRules> => ({ stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }], ...r });

describe('with behavior', () => {
  it('limits a scale-up to its policy over the policy period, counting the steps already taken', () => {
    const c = clock();
    const r = new ScalingRules(300_000, c.now);
    const behavior = { scaleUp: rules({ policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] }), scaleDown: rules({}) };
    const n = r.normalize({ key: 'k', current: 1, desired: 5, min: 1, max: 10, behavior });
    expect(n).toMatchObject({ replicas: 2, limit: { limited: true, reason: 'ScaleUpLimit' } });
    r.recordScale('k', behavior, 1, 2);
    c.t += 30_000;
    // Within the minute: the period started at 1, so 2 is still the limit.
    expect(r.normalize({ key: 'k', current: 2, desired: 5, min: 1, max: 10, behavior }).replicas).toBe(2);
    c.t += 31_000;
    expect(r.normalize({ key: 'k', current: 2, desired: 5, min: 1, max: 10, behavior }).replicas).toBe(3);
  });

  it('limits a scale-down by percent, picks the policy by selectPolicy, and Disabled stops it', () => {
    const r = new ScalingRules(300_000, clock().now);
    const halve = { scaleUp: rules({}), scaleDown: rules({ policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] }) };
    expect(r.normalize({ key: 'a', current: 10, desired: 1, min: 1, max: 10, behavior: halve })).toMatchObject({ replicas: 5, limit: { reason: 'ScaleDownLimit' } });
    const either = (selectPolicy: 'Max' | 'Min') => ({ scaleUp: rules({}), scaleDown: rules({ selectPolicy, policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }, { type: 'Pods', value: 2, periodSeconds: 60 }] }) });
    // Max: the bigger change (down to 5); Min: the smaller (down to 8).
    expect(r.normalize({ key: 'b', current: 10, desired: 1, min: 1, max: 10, behavior: either('Max') }).replicas).toBe(5);
    expect(r.normalize({ key: 'c', current: 10, desired: 1, min: 1, max: 10, behavior: either('Min') }).replicas).toBe(8);
    const off = { scaleUp: rules({}), scaleDown: rules({ selectPolicy: 'Disabled' }) };
    expect(r.normalize({ key: 'd', current: 10, desired: 1, min: 1, max: 10, behavior: off }).replicas).toBe(10);
  });

  it('stabilizes a scale-up over its own window: the lowest recent recommendation wins', () => {
    const c = clock();
    const r = new ScalingRules(300_000, c.now);
    const behavior = { scaleUp: rules({ stabilizationWindowSeconds: 60 }), scaleDown: rules({ stabilizationWindowSeconds: 0 }) };
    r.recordInitial('k', 2);
    const n = r.normalize({ key: 'k', current: 2, desired: 6, min: 1, max: 10, behavior });
    expect(n).toMatchObject({ replicas: 2, stabilization: { reason: 'ScaleUpStabilized' } });
    c.t += 61_000;
    expect(r.normalize({ key: 'k', current: 2, desired: 6, min: 1, max: 10, behavior }).replicas).toBe(4);
  });
});
