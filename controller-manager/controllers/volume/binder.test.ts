import { mkdirSync, mkdtempSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../api/types/meta.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../../../api/types/storage.js';
import { fakeWorld } from '../../framework/fake-context.js';
import { LOCAL_PATH_PROVISIONER, VolumeBinder, volumeFits } from './binder.js';

const root = mkdtempSync(join(tmpdir(), 'kubette-local-path-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const claim = (name: string, extra: { className?: string; storage?: string; selectedNode?: string; volumeName?: string } = {}): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'ns', uid: `${name}-uid`, resourceVersion: '1', ...(extra.selectedNode ? { annotations: { 'volume.kubernetes.io/selected-node': extra.selectedNode } } : {}) },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: extra.storage ?? '1Gi' } }, storageClassName: extra.className ?? 'manual', ...(extra.volumeName ? { volumeName: extra.volumeName } : {}) },
  status: { phase: 'Pending' },
});
const volume = (name: string, storage: string, extra: Partial<PersistentVolume['spec']> = {}, annotations: Record<string, string> = {}): PersistentVolume => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name, uid: `${name}-uid`, resourceVersion: '1', annotations },
  spec: { capacity: { storage }, accessModes: ['ReadWriteOnce'], storageClassName: 'manual', hostPath: { path: `/srv/${name}` }, ...extra },
  status: { phase: 'Available' },
});
const localPath: KubeObject = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local-path' }, provisioner: LOCAL_PATH_PROVISIONER, reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer' } as KubeObject;

function world() {
  const w = fakeWorld();
  const c = new VolumeBinder(w.ctx, root);
  w.seed('storage.k8s.io/v1/storageclasses', localPath);
  w.seed('v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } } });
  return { w, c };
}

describe('volume binding', () => {
  it('matches class, access modes, capacity and node affinity', () => {
    expect(volumeFits(volume('a', '2Gi'), claim('c'))).toBe(true);
    expect(volumeFits(volume('a', '512Mi'), claim('c'))).toBe(false);
    expect(volumeFits(volume('a', '2Gi', { storageClassName: 'fast' }), claim('c'))).toBe(false);
    expect(volumeFits(volume('a', '2Gi', { accessModes: ['ReadOnlyMany'] }), claim('c'))).toBe(false);
  });

  it('binds a claim to the smallest volume that fits, on both sides', async () => {
    const { w, c } = world();
    w.seed('v1/persistentvolumes', volume('big', '10Gi'), volume('small', '2Gi'), volume('tiny', '100Mi'));
    w.seed('v1/persistentvolumeclaims', claim('c'));
    await c.reconcile('ns/c');
    const writes = w.client.writes().map((a) => [a.verb, a.resource, a.name, a.subresource ?? '']);
    expect(writes).toEqual([
      ['update', 'persistentvolumes', 'small', ''],
      ['update', 'persistentvolumes', 'small', 'status'],
      ['update', 'persistentvolumeclaims', 'c', ''],
      ['update', 'persistentvolumeclaims', 'c', 'status'],
    ]);
    expect((w.client.writes('persistentvolumes')[0]!.body as PersistentVolume).spec.claimRef).toMatchObject({ namespace: 'ns', name: 'c', uid: 'c-uid' });
  });

  it('provisions a local-path volume on the selected node only once the first consumer chose it', async () => {
    const { w, c } = world();
    w.seed('v1/persistentvolumes');
    w.seed('v1/persistentvolumeclaims', claim('waiting', { className: 'local-path' }), claim('chosen', { className: 'local-path', selectedNode: 'n1' }));
    await c.reconcile('ns/waiting');
    expect(w.client.writes('persistentvolumes')).toEqual([]);
    await c.reconcile('ns/chosen');
    const pv = w.client.writes('persistentvolumes')[0]!.body as PersistentVolume;
    expect(pv.metadata.name).toBe('pvc-chosen-uid');
    expect(pv.spec).toMatchObject({ persistentVolumeReclaimPolicy: 'Delete', hostPath: { path: join(root, 'pvc-chosen-uid_ns_chosen'), type: 'DirectoryOrCreate' }, claimRef: { name: 'chosen', uid: 'chosen-uid' } });
    expect(pv.spec.nodeAffinity!.required!.nodeSelectorTerms[0]!.matchExpressions).toEqual([{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n1'] }]);
  });

  it("deletes a provisioned volume and its directory once its claim is gone, but never a path outside the root", async () => {
    const { w, c } = world();
    const dir = join(root, 'pvc-x_ns_gone');
    mkdirSync(dir);
    writeFileSync(join(dir, 'data'), 'x');
    const outside = mkdtempSync(join(tmpdir(), 'kubette-not-mine-'));
    const mine = volume('pvc-x', '1Gi', { hostPath: { path: dir }, persistentVolumeReclaimPolicy: 'Delete', claimRef: { namespace: 'ns', name: 'gone', uid: 'gone-uid' } }, { 'pv.kubernetes.io/provisioned-by': LOCAL_PATH_PROVISIONER });
    const sneaky = volume('pvc-y', '1Gi', { hostPath: { path: outside }, persistentVolumeReclaimPolicy: 'Delete', claimRef: { namespace: 'ns', name: 'gone2', uid: 'g2' } }, { 'pv.kubernetes.io/provisioned-by': LOCAL_PATH_PROVISIONER });
    w.seed('v1/persistentvolumes', { ...mine, status: { phase: 'Bound' } }, { ...sneaky, status: { phase: 'Bound' } });
    w.seed('v1/persistentvolumeclaims');
    await c.reconcile('pv:pvc-x');
    await c.reconcile('pv:pvc-y');
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(outside)).toBe(true);
    expect(w.client.writes('persistentvolumes').filter((a) => a.verb === 'delete').map((a) => a.name)).toEqual(['pvc-x', 'pvc-y']);
    rmSync(outside, { recursive: true, force: true });
  });

  it('marks a Retain volume whose claim is gone Released, and keeps it', async () => {
    const { w, c } = world();
    w.seed('v1/persistentvolumes', { ...volume('kept', '1Gi', { persistentVolumeReclaimPolicy: 'Retain', claimRef: { namespace: 'ns', name: 'gone', uid: 'gone-uid' } }), status: { phase: 'Bound' } });
    w.seed('v1/persistentvolumeclaims');
    await c.reconcile('pv:kept');
    expect(w.client.writes('persistentvolumes').map((a) => [a.verb, a.subresource, (a.body as PersistentVolume).status?.phase])).toEqual([['update', 'status', 'Released']]);
  });

  it('makes a new (Pending) volume Available, pre-bound or not, so that its claim can be bound to it', async () => {
    const { w, c } = world();
    const provisioned = volume('pvc-new', '1Gi', { claimRef: { namespace: 'ns', name: 'c', uid: 'c-uid' } });
    w.seed('v1/persistentvolumes', { ...provisioned, status: { phase: 'Pending' } }, { ...volume('free', '1Gi'), status: { phase: 'Pending' } });
    w.seed('v1/persistentvolumeclaims', claim('c'));
    await c.reconcile('pv:pvc-new');
    await c.reconcile('pv:free');
    expect(w.client.writes('persistentvolumes').map((a) => [a.name, a.subresource, (a.body as PersistentVolume).status?.phase])).toEqual([
      ['pvc-new', 'status', 'Available'],
      ['free', 'status', 'Available'],
    ]);
  });
});
