import { describe, expect, it } from 'vitest';
import type { Job } from '../../api/types/batch.js';
import { fakeWorld } from '../framework/fake-context.js';
import { TTLAfterFinishedController } from './ttl-after-finished.js';

const finished = (ttl: number | undefined, at: string): Job => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'pi', namespace: 'ns', uid: 'u', resourceVersion: '7' },
  spec: { ...(ttl !== undefined ? { ttlSecondsAfterFinished: ttl } : {}), template: { spec: { containers: [] } } },
  status: { completionTime: at, conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: at }] },
});

describe('TTL-after-finished reconcile', () => {
  it('waits out the TTL, then deletes the Job in the foreground, only that one', async () => {
    const w = fakeWorld();
    let now = Date.parse('2026-01-01T00:00:10Z');
    const c = new TTLAfterFinishedController(w.ctx, () => now);
    w.seed('batch/v1/jobs', finished(30, '2026-01-01T00:00:00Z'));
    expect(await c.reconcile('ns/pi')).toEqual({ requeueAfterMs: 20_050 });
    expect(w.client.writes('jobs')).toEqual([]);
    now += 20_000;
    await c.reconcile('ns/pi');
    expect(w.client.writes('jobs')).toEqual([expect.objectContaining({ verb: 'delete', name: 'pi', body: { propagationPolicy: 'Foreground', preconditions: { uid: 'u', resourceVersion: '7' } } })]);
  });

  it('leaves Jobs without a TTL, and unfinished ones, alone', async () => {
    const w = fakeWorld();
    const c = new TTLAfterFinishedController(w.ctx, () => Date.parse('2027-01-01T00:00:00Z'));
    w.seed('batch/v1/jobs', finished(undefined, '2026-01-01T00:00:00Z'));
    await c.reconcile('ns/pi');
    expect(w.client.writes('jobs')).toEqual([]);
  });
});
