import { describe, expect, it } from 'vitest';
import type { Pod } from '../../../api/types/pod.js';
import type { PersistentVolumeClaim } from '../../../api/types/storage.js';
import { fakeWorld } from '../../framework/fake-context.js';
import { EphemeralVolumeController } from './ephemeral.js';

const spec = { accessModes: ['ReadWriteOnce'], storageClassName: 'local-path', resources: { requests: { storage: '1Gi' } } };
const pod = (extra: Partial<Pod['metadata']> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'team', uid: 'pod-uid', ...extra },
  spec: {
    containers: [{ name: 'c', image: 'busybox' }],
    volumes: [
      { name: 'scratch', ephemeral: { volumeClaimTemplate: { metadata: { labels: { type: 'scratch' } }, spec } } },
      { name: 'data', persistentVolumeClaim: { claimName: 'shared' } },
    ],
  },
});

describe('ephemeral volume controller', () => {
  it("makes each ephemeral volume's claim from its template, owned by the pod", async () => {
    const w = fakeWorld();
    const c = new EphemeralVolumeController(w.ctx);
    w.seed('v1/pods', pod());
    await c.reconcile('team/web');
    const writes = w.client.writes('persistentvolumeclaims');
    expect(writes.map((a) => [a.verb, a.namespace])).toEqual([['create', 'team']]);
    expect(writes[0]!.body).toEqual({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: 'web-scratch',
        namespace: 'team',
        labels: { type: 'scratch' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'web', uid: 'pod-uid', controller: true, blockOwnerDeletion: true }],
      },
      spec,
    });
  });

  it('leaves an existing claim of that name alone, and a pod being deleted', async () => {
    const w = fakeWorld();
    const c = new EphemeralVolumeController(w.ctx);
    w.seed('v1/pods', pod(), pod({ name: 'leaving', uid: 'u2', deletionTimestamp: '2026-12-07T00:00:00Z' }));
    w.seed('v1/persistentvolumeclaims', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'web-scratch', namespace: 'team' }, spec } as PersistentVolumeClaim);
    await c.reconcile('team/web');
    await c.reconcile('team/leaving');
    expect(w.client.writes('persistentvolumeclaims')).toEqual([]);
  });
});
