import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types/meta.js';
import type { PodDisruptionBudget } from '../../api/types/policy.js';
import { fakeWorld } from '../framework/fake-context.js';
import { budgetNumbers, DisruptionController } from './disruption.js';

describe('disruption budget arithmetic', () => {
  it('minAvailable as a count needs that many; percentages and maxUnavailable scale with the controllers, rounding up', () => {
    expect(budgetNumbers({ minAvailable: 2 }, 3, 3, 5)).toEqual({ expectedPods: 3, desiredHealthy: 2, currentHealthy: 3, disruptionsAllowed: 1 });
    expect(budgetNumbers({ minAvailable: '50%' }, 3, 3, 5)).toEqual({ expectedPods: 5, desiredHealthy: 3, currentHealthy: 3, disruptionsAllowed: 0 });
    expect(budgetNumbers({ maxUnavailable: 1 }, 4, 4, 4)).toEqual({ expectedPods: 4, desiredHealthy: 3, currentHealthy: 4, disruptionsAllowed: 1 });
    expect(budgetNumbers({ maxUnavailable: '30%' }, 10, 9, 10)).toEqual({ expectedPods: 10, desiredHealthy: 7, currentHealthy: 9, disruptionsAllowed: 2 });
    expect(budgetNumbers({ minAvailable: 5 }, 3, 3, undefined).disruptionsAllowed).toBe(0);
  });
});

describe('disruption reconcile', () => {
  const ready = (name: string, rs = 'web-1'): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `${name}-u`, labels: { app: 'web' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: 'rs-u', controller: true }] },
    spec: { containers: [] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  });
  it("counts the Deployment's replicas as expected pods and leaves out pods just evicted", async () => {
    const w = fakeWorld();
    const now = Date.parse('2026-01-01T00:01:00Z');
    const c = new DisruptionController(w.ctx, () => now);
    w.seed('apps/v1/deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'ns', uid: 'd-u' }, spec: { replicas: 4, selector: {}, template: {} } } as KubeObject);
    w.seed('apps/v1/replicasets', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', namespace: 'ns', uid: 'rs-u', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-u', controller: true }] }, spec: { replicas: 4 } } as KubeObject);
    w.seed('apps/v1/statefulsets');
    w.seed('v1/replicationcontrollers');
    w.seed('v1/pods', ready('a'), ready('b'), ready('c'), ready('d'));
    const pdb: PodDisruptionBudget = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'ns', generation: 1 }, spec: { maxUnavailable: '25%', selector: { matchLabels: { app: 'web' } } }, status: { disruptedPods: { a: '2026-01-01T00:00:50Z' } } };
    w.seed('policy/v1/poddisruptionbudgets', pdb);
    const result = await c.reconcile('ns/web');
    const status = (w.client.writes('poddisruptionbudgets')[0]!.body as PodDisruptionBudget).status!;
    expect(status).toMatchObject({ expectedPods: 4, desiredHealthy: 3, currentHealthy: 3, disruptionsAllowed: 0, disruptedPods: { a: '2026-01-01T00:00:50Z' }, observedGeneration: 1 });
    expect(status.conditions![0]).toMatchObject({ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' });
    // The eviction record lapses after two minutes: look again then.
    expect(result).toEqual({ requeueAfterMs: 110_100 });
  });

  it('says so when the budget selects no pod, as Kubernetes does', async () => {
    const w = fakeWorld();
    const c = new DisruptionController(w.ctx, () => Date.parse('2026-01-01T00:01:00Z'));
    for (const path of ['apps/v1/deployments', 'apps/v1/replicasets', 'apps/v1/statefulsets', 'v1/replicationcontrollers']) w.seed(path);
    w.seed('v1/pods', ready('a'));
    w.seed('policy/v1/poddisruptionbudgets', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'db', namespace: 'ns', uid: 'pdb-u', generation: 1 }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'db' } } } } as PodDisruptionBudget);
    await c.reconcile('ns/db');
    await new Promise((r) => setTimeout(r, 5));
    expect(w.client.writes('events').map((a) => a.body)).toEqual([expect.objectContaining({ type: 'Normal', reason: 'NoPods', message: 'No matching pods found', involvedObject: expect.objectContaining({ kind: 'PodDisruptionBudget', name: 'db' }) })]);
    expect((w.client.writes('poddisruptionbudgets')[0]!.body as PodDisruptionBudget).status).toMatchObject({ expectedPods: 0, currentHealthy: 0, desiredHealthy: 1, disruptionsAllowed: 0 });
  });
});
