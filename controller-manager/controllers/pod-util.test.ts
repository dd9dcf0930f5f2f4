import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types/meta.js';
import { deletionOrder, isAvailable } from './pod-util.js';

const pod = (name: string, over: Record<string, any> = {}): KubeObject => ({
  metadata: { name, creationTimestamp: over.created ?? '2026-01-01T00:00:00Z' },
  spec: { nodeName: over.node === undefined ? 'n1' : over.node },
  status: {
    phase: over.phase ?? 'Running',
    conditions: [{ type: 'Ready', status: over.ready === false ? 'False' : 'True', lastTransitionTime: over.readySince ?? '2026-01-01T00:00:10Z' }],
    containerStatuses: [{ restartCount: over.restarts ?? 0 }],
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
