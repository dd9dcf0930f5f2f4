import { describe, expect, it, vi } from 'vitest';
import type { KubeObject } from '../../../api/types/meta.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../../../api/types/storage.js';
import { fakeWorld } from '../../framework/fake-context.js';
import { LOCAL_PATH_PROVISIONER, PROVISIONED_BY } from './binder.js';
import { VolumeExpander } from './expander.js';

const claim = (requested: string, capacity: string, extra: Partial<PersistentVolumeClaim['status']> = {}): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data', namespace: 'ns', uid: 'data-uid', resourceVersion: '1' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: requested } }, storageClassName: 'local-path', volumeName: 'pvc-data' },
  status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: capacity }, ...extra },
});
const volume = (capacity: string, provisioner?: string): PersistentVolume => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name: 'pvc-data', uid: 'pv-uid', resourceVersion: '1', annotations: provisioner ? { [PROVISIONED_BY]: provisioner } : {} },
  spec: { capacity: { storage: capacity }, accessModes: ['ReadWriteOnce'], storageClassName: 'local-path', hostPath: { path: '/srv/pvc-data' }, claimRef: { namespace: 'ns', name: 'data', uid: 'data-uid' } },
  status: { phase: 'Bound' },
});

function world(pvc: PersistentVolumeClaim, pv: PersistentVolume) {
  const w = fakeWorld();
  const c = new VolumeExpander(w.ctx);
  w.seed('v1/persistentvolumeclaims', pvc);
  w.seed('v1/persistentvolumes', pv);
  return { w, c };
}

const events = (w: ReturnType<typeof fakeWorld>) => w.client.writes('events').map((a) => [(a.body as KubeObject).reason, (a.body as KubeObject).message]);

describe('volume expansion', () => {
  it('grows a local-path volume and then its claim, marking the claim Resizing in between', async () => {
    const { w, c } = world(claim('2Gi', '1Gi'), volume('1Gi', LOCAL_PATH_PROVISIONER));
    await c.reconcile('ns/data');
    const writes = w.client.writes().filter((a) => a.resource !== 'events');
    expect(writes.map((a) => [a.verb, a.resource, a.subresource ?? ''])).toEqual([
      ['update', 'persistentvolumeclaims', 'status'],
      ['update', 'persistentvolumes', ''],
      ['update', 'persistentvolumeclaims', 'status'],
    ]);
    const resizing = writes[0]!.body as PersistentVolumeClaim;
    expect(resizing.status).toMatchObject({ capacity: { storage: '1Gi' }, allocatedResources: { storage: '2Gi' }, allocatedResourceStatuses: { storage: 'ControllerResizeInProgress' } });
    expect(resizing.status?.conditions?.map((x) => [x.type, x.status])).toEqual([['Resizing', 'True']]);
    expect((writes[1]!.body as PersistentVolume).spec.capacity).toEqual({ storage: '2Gi' });
    const done = writes[2]!.body as PersistentVolumeClaim;
    expect(done.status).toEqual({ phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '2Gi' }, allocatedResources: { storage: '2Gi' } });
    // Events are written in the background.
    await vi.waitFor(() =>
      expect(events(w)).toEqual([
        ['Resizing', 'Resizing volume pvc-data'],
        ['VolumeResizeSuccessful', 'Resize volume succeeded'],
      ]),
    );
  });

  it('finishes a resize whose volume already grew (a restart between the two writes)', async () => {
    const { w, c } = world(claim('2Gi', '1Gi', { conditions: [{ type: 'Resizing', status: 'True' }] }), volume('2Gi', LOCAL_PATH_PROVISIONER));
    await c.reconcile('ns/data');
    expect(w.client.writes('persistentvolumes')).toEqual([]);
    expect((w.client.writes('persistentvolumeclaims').at(-1)!.body as PersistentVolumeClaim).status?.capacity).toEqual({ storage: '2Gi' });
  });

  it('leaves alone claims that have what they ask for, are not bound, or whose volume is not theirs', async () => {
    for (const [pvc, pv] of [
      [claim('1Gi', '1Gi'), volume('1Gi', LOCAL_PATH_PROVISIONER)],
      [claim('1Gi', '2Gi'), volume('2Gi', LOCAL_PATH_PROVISIONER)],
      [{ ...claim('2Gi', '1Gi'), status: { phase: 'Pending', capacity: { storage: '1Gi' } } }, volume('1Gi', LOCAL_PATH_PROVISIONER)],
      [claim('2Gi', '1Gi'), { ...volume('1Gi', LOCAL_PATH_PROVISIONER), spec: { ...volume('1Gi').spec, claimRef: { namespace: 'ns', name: 'data', uid: 'another' } } }],
    ] as const) {
      const { w, c } = world(pvc, pv);
      await c.reconcile('ns/data');
      expect(w.client.writes()).toEqual([]);
    }
  });

  it("tells a claim whose volume is another driver's that an external controller must grow it, once per size", async () => {
    const { w, c } = world(claim('2Gi', '1Gi'), volume('1Gi'));
    await c.reconcile('ns/data');
    await c.reconcile('ns/data');
    expect(w.client.writes().filter((a) => a.resource !== 'events')).toEqual([]);
    await vi.waitFor(() => expect(events(w)).toEqual([['ExternalExpanding', 'waiting for an external controller to expand this PVC']]));
    await new Promise((r) => setTimeout(r, 20));
    expect(events(w)).toHaveLength(1);
  });
});
