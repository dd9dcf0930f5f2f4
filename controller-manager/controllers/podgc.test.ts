import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types/meta.js';
import { fakeWorld } from '../framework/fake-context.js';
import { PodGCController } from './podgc.js';

const pod = (name: string, extra: { phase?: string; node?: string; created?: string; deleting?: boolean } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns', uid: `${name}-u`, creationTimestamp: extra.created ?? '2026-01-01T00:00:00Z', ...(extra.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { ...(extra.node ? { nodeName: extra.node } : {}), containers: [] },
  status: { phase: extra.phase ?? 'Running' },
});
const node = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });

describe('pod garbage collection', () => {
  it('deletes the oldest finished pods beyond the threshold, and unscheduled pods being deleted', async () => {
    const w = fakeWorld();
    const c = new PodGCController(w.ctx, 2);
    w.seed('v1/nodes', node('n1'));
    w.seed(
      'v1/pods',
      pod('done-1', { phase: 'Succeeded', node: 'n1', created: '2026-01-01T00:00:01Z' }),
      pod('done-2', { phase: 'Failed', node: 'n1', created: '2026-01-01T00:00:02Z' }),
      pod('done-3', { phase: 'Succeeded', node: 'n1', created: '2026-01-01T00:00:03Z' }),
      pod('running', { node: 'n1' }),
      pod('stuck', { deleting: true }),
    );
    expect(await c.reconcile()).toEqual({ requeueAfterMs: 20_000 });
    expect(w.client.writes('pods').map((a) => [a.verb, a.name, (a.body as { gracePeriodSeconds?: number } | undefined)?.gracePeriodSeconds])).toEqual([
      ['delete', 'done-1', undefined],
      // Never scheduled: ended Failed first (whoever holds a finalizer on it learns how it ended).
      ['patch', 'stuck', undefined],
      ['delete', 'stuck', 0],
    ]);
    expect((w.client.writes('pods')[1]!.body as { status: { phase: string } }).status.phase).toBe('Failed');
  });

  it('deletes the pods of a node gone for 40 s, after checking with the apiserver', async () => {
    const w = fakeWorld();
    let now = 0;
    const c = new PodGCController(w.ctx, 0, () => now);
    w.seed('v1/nodes');
    w.seed('v1/pods', pod('orphan', { node: 'gone' }));
    await c.reconcile();
    expect(w.client.writes('pods')).toEqual([]);
    now = 41_000;
    await c.reconcile();
    // Marked Failed and disrupted (Kubernetes' PodGC), then deleted at once.
    expect(w.client.writes('pods')).toEqual([
      expect.objectContaining({ verb: 'patch', name: 'orphan', body: expect.objectContaining({ status: expect.objectContaining({ phase: 'Failed', conditions: [expect.objectContaining({ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' })] }) }) }),
      expect.objectContaining({ verb: 'delete', name: 'orphan', body: expect.objectContaining({ gracePeriodSeconds: 0 }) }),
    ]);
  });
});
