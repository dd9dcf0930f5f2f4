import { describe, expect, it } from 'vitest';
import type { Deployment, ReplicaSet } from '../../../api/types/apps.js';
import { calculateStatus, progressing } from './status.js';

const d = (extra: Partial<Deployment> = {}): Deployment => ({
  metadata: { name: 'web', generation: 2 },
  spec: { replicas: 3, selector: {}, template: { spec: { containers: [] } }, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } },
  ...extra,
});
const rs = (name: string, replicas: number, available: number): ReplicaSet => ({ metadata: { name }, spec: { replicas, selector: {} }, status: { replicas, readyReplicas: available, availableReplicas: available } });

describe('deployment status', () => {
  it('counts replicas the way kubectl rollout status reads them', () => {
    const s = calculateStatus(d(), [rs('old', 1, 1), rs('new', 3, 2)], rs('new', 3, 2), Date.parse('2026-11-23T10:00:00Z'));
    expect(s).toMatchObject({ observedGeneration: 2, replicas: 4, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 1 });
    expect(s.conditions?.[0]).toMatchObject({ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
  });

  it('is Progressing while replicas move, complete when all are new and available, timed out past the deadline', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    const newRS = rs('web-abc', 3, 3);
    const done = progressing(d(), calculateStatus(d(), [newRS], newRS, now), newRS, now).status;
    expect(done.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "web-abc" has successfully progressed.' });

    const moving = rs('web-abc', 3, 1);
    const step = progressing(d({ status: { updatedReplicas: 0 } }), calculateStatus(d(), [moving], moving, now), moving, now);
    expect(step.status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated', message: 'ReplicaSet "web-abc" is progressing.' });
    expect(step.recheckMs).toBeGreaterThan(0);

    const stuck = d({ status: { ...step.status } });
    const later = now + 601_000;
    const out = progressing(stuck, calculateStatus(stuck, [moving], moving, later), moving, later).status;
    expect(out.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-abc" has timed out progressing.' });
  });
});
