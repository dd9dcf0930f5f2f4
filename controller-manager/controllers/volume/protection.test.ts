import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../api/types/meta.js';
import { fakeWorld } from '../../framework/fake-context.js';
import { StorageProtectionController } from './protection.js';

const claim: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'ns', uid: 'c-u', resourceVersion: '3', deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['kubernetes.io/pvc-protection'] }, spec: {} };
const user = (phase: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'p-u' }, spec: { containers: [], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }] }, status: { phase } });
const volume = (phase: string): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv1', uid: 'v-u', resourceVersion: '4', deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['kubernetes.io/pv-protection'] }, spec: {}, status: { phase } });

function run(pods: KubeObject[], pvPhase = 'Released') {
  const w = fakeWorld();
  const c = new StorageProtectionController(w.ctx);
  w.seed('v1/persistentvolumeclaims', claim);
  w.seed('v1/persistentvolumes', volume(pvPhase));
  w.seed('v1/pods', ...pods);
  return { w, c };
}

describe('storage in-use protection', () => {
  it('keeps a claim being deleted while a running pod uses it, and lets it go once the pod has finished', async () => {
    const busy = run([user('Running')]);
    await busy.c.reconcile('ns/data');
    expect(busy.w.client.writes()).toEqual([]);
    const free = run([user('Succeeded')]);
    await free.c.reconcile('ns/data');
    expect(free.w.client.writes()).toEqual([expect.objectContaining({ verb: 'patch', resource: 'persistentvolumeclaims', name: 'data', body: { metadata: { uid: 'c-u', resourceVersion: '3', finalizers: null } } })]);
  });

  it('keeps a volume being deleted while it is Bound', async () => {
    const bound = run([], 'Bound');
    await bound.c.reconcile('pv:pv1');
    expect(bound.w.client.writes()).toEqual([]);
    const released = run([], 'Released');
    await released.c.reconcile('pv:pv1');
    expect(released.w.client.writes().map((a) => [a.verb, a.resource])).toEqual([['patch', 'persistentvolumes']]);
  });
});
