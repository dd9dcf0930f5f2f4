import { describe, expect, it } from 'vitest';
import type { Pod } from '../../api/types/pod.js';
import { deletionOrder, isAvailable } from './pod-util.js';

interface Over {
  created?: string;
  node?: string | null;
  phase?: NonNullable<Pod['status']>['phase'];
  ready?: boolean;
  readySince?: string;
  restarts?: number;
}

const pod = (name: string, over: Over = {}): Pod => ({
  metadata: { name, creationTimestamp: over.created ?? '2026-01-01T00:00:00Z' },
  spec: { nodeName: over.node === undefined ? 'n1' : (over.node ?? undefined), containers: [] },
  status: {
    phase: over.phase ?? 'Running',
    conditions: [{ type: 'Ready', status: over.ready === false ? 'False' : 'True', lastTransitionTime: over.readySince ?? '2026-01-01T00:00:10Z' }],
    containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: true, state: { running: {} }, lastState: {}, restartCount: over.restarts ?? 0 }],
  },
});

describe('scale-down order', () => {
  it('takes unscheduled, pending, unready, recently ready, restarting, then newer pods first', () => {
    const pods = [
      pod('old-steady'),
      pod('newer', { created: '2026-01-02T00:00:00Z' }),
      pod('restarty', { restarts: 5 }),
      pod('fresh-ready', { readySince: '2026-01-03T00:00:00Z' }),
      pod('unready', { ready: false }),
      pod('pending', { phase: 'Pending', ready: false }),
      pod('unscheduled', { node: '', phase: 'Pending', ready: false }),
    ];
    expect([...pods].sort(deletionOrder).map((p) => p.metadata.name)).toEqual(['unscheduled', 'pending', 'unready', 'fresh-ready', 'restarty', 'newer', 'old-steady']);
  });

  it('counts a pod available only minReadySeconds after it became ready', () => {
    const p = pod('p', { readySince: '2026-01-01T00:00:10Z' });
    expect(isAvailable(p, 5, Date.parse('2026-01-01T00:00:12Z'))).toBe(false);
    expect(isAvailable(p, 5, Date.parse('2026-01-01T00:00:15Z'))).toBe(true);
  });
});
