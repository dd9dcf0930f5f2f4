// The garbage collector's decisions against seeded caches and a recording fake client: what it
// deletes, with which propagation, what it only un-owns, and what it leaves alone.
import { describe, expect, it } from 'vitest';
import type { KubeObject, OwnerReference } from '../../api/types/meta.js';
import { resource } from '../../client/rest.js';
import { fakeWorld } from '../framework/fake-context.js';
import { GarbageCollector } from './garbage-collector.js';

const rsRef = (uid: string, name = 'web', blockOwnerDeletion = true): OwnerReference => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid, controller: true, blockOwnerDeletion });
const replicaSet = (uid: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web', namespace: 'ns', uid, ...extra },
  spec: { selector: {} },
});
const pod = (name: string, owners: OwnerReference[], extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns', uid: `${name}-uid`, ownerReferences: owners, ...extra },
  spec: { containers: [] },
});

function world() {
  const w = fakeWorld();
  const gc = new GarbageCollector(w.ctx);
  return { ...w, gc };
}

describe('garbage collector', () => {
  it('deletes in the background a dependent whose only owner is gone from the cluster', async () => {
    const w = world();
    w.seed('apps/v1/replicasets');
    w.seed('v1/pods', pod('orphaned', [rsRef('gone-uid')]));
    await w.gc.reconcile('delete:orphaned-uid');
    expect(w.client.writes('pods')).toEqual([
      expect.objectContaining({ verb: 'delete', name: 'orphaned', body: { propagationPolicy: 'Background', preconditions: { uid: 'orphaned-uid' } } }),
    ]);
  });

  it('checks a missing owner live before deleting: an owner the cache has not seen yet keeps its dependent', async () => {
    const w = world();
    w.seed('apps/v1/replicasets');
    w.client.seed(resource('apps/v1/replicasets'), replicaSet('rs-uid')); // on the server, not yet in the cache
    w.seed('v1/pods', pod('young', [rsRef('rs-uid')]));
    await w.gc.reconcile('delete:young-uid');
    expect(w.client.writes()).toEqual([]);
  });

  it('only drops the reference to a gone owner when another owner still holds the dependent', async () => {
    const w = world();
    w.seed('apps/v1/replicasets', replicaSet('live-uid'));
    w.seed('v1/pods', pod('shared', [rsRef('live-uid'), rsRef('gone-uid', 'old', false)]));
    await w.gc.reconcile('delete:shared-uid');
    expect(w.client.writes('pods')).toEqual([expect.objectContaining({ verb: 'patch', body: { metadata: { uid: 'shared-uid', ownerReferences: [rsRef('live-uid')] } } })]);
  });

  it('holds a foreground-deleted owner until its blocking dependents are gone, then releases its finalizer', async () => {
    const w = world();
    const deleting = { deletionTimestamp: '2026-11-30T10:00:00Z', finalizers: ['foregroundDeletion'] };
    w.seed('apps/v1/replicasets', replicaSet('rs-uid', deleting));
    w.seed('v1/pods', pod('blocker', [rsRef('rs-uid')]));
    await w.gc.reconcile('delete:rs-uid');
    expect(w.client.writes('replicasets')).toEqual([]);
    // The dependent is deleted in the foreground because its owner waits for it.
    await w.gc.reconcile('delete:blocker-uid');
    expect(w.client.writes('pods')).toEqual([expect.objectContaining({ verb: 'delete', body: expect.objectContaining({ propagationPolicy: 'Foreground' }) })]);

    w.seed('v1/pods');
    await w.gc.reconcile('delete:rs-uid');
    const update = w.client.writes('replicasets').find((a) => a.verb === 'update');
    expect((update?.body as KubeObject).metadata.finalizers).toEqual([]);
  });

  it('orphans: removes the owner from every dependent, then the orphan finalizer', async () => {
    const w = world();
    w.seed('apps/v1/replicasets', replicaSet('rs-uid', { deletionTimestamp: '2026-11-30T10:00:00Z', finalizers: ['orphan'] }));
    w.seed('v1/pods', pod('kept', [rsRef('rs-uid')]));
    await w.gc.reconcile('orphan:rs-uid');
    expect(w.client.writes('pods')).toEqual([expect.objectContaining({ verb: 'patch', body: { metadata: { uid: 'kept-uid', ownerReferences: null } } })]);
    expect((w.client.writes('replicasets').find((a) => a.verb === 'update')?.body as KubeObject).metadata.finalizers).toEqual([]);
  });
});
