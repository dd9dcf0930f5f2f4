// ReplicaSet reconcile, in the manner of Kubernetes' sample-controller tests: seed the
// informers' caches and a fake client, run one reconcile, compare the actions it made.
import { describe, expect, it } from 'vitest';
import { namespaceTerminating, StatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';
import { fakeWorld } from '../framework/fake-context.js';
import { REPLICA_SET, ReplicaController } from './replicaset.js';

function setup() {
  const w = fakeWorld();
  return { client: w.client, controller: new ReplicaController(w.ctx, REPLICA_SET), seed: w.seed };
}

const rs = (replicas: number, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web', namespace: 'ns', uid: 'rs-uid', generation: 1, ...extra },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
});

const ownerRef = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true };

const pod = (name: string, opts: { owned?: boolean; labels?: Record<string, string>; ready?: boolean; phase?: string; created?: string } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'ns',
    uid: `${name}-uid`,
    labels: opts.labels ?? { app: 'web' },
    creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z',
    ...(opts.owned === false ? {} : { ownerReferences: [ownerRef] }),
  },
  spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] },
  status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
});

describe('ReplicaSet reconcile', () => {
  it('creates the missing pods, owned by the ReplicaSet, from its template, and reports status', async () => {
    const { client, controller, seed } = setup();
    seed('apps/v1/replicasets', rs(3));
    seed('v1/pods');
    await controller.reconcile('ns/web');
    const creates = client.writes('pods');
    expect(creates).toHaveLength(3);
    for (const a of creates) {
      expect(a).toMatchObject({ verb: 'create', namespace: 'ns', body: { metadata: { generateName: 'web-', labels: { app: 'web' }, ownerReferences: [ownerRef] }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
    }
    expect(client.writes('replicasets')).toEqual([expect.objectContaining({ verb: 'update', subresource: 'status', body: expect.objectContaining({ status: expect.objectContaining({ replicas: 0, observedGeneration: 1 }) }) })]);
  });

  it('waits for the pods it created before creating again (expectations)', async () => {
    const { client, controller, seed } = setup();
    seed('apps/v1/replicasets', rs(2));
    seed('v1/pods');
    await controller.reconcile('ns/web');
    await controller.reconcile('ns/web'); // the cache has not shown the new pods yet
    expect(client.writes('pods').filter((a) => a.verb === 'create')).toHaveLength(2);
  });

  it('deletes surplus pods, the least useful first: pending, then not ready, then the youngest', async () => {
    const { client, controller, seed } = setup();
    seed('apps/v1/replicasets', rs(1));
    seed('v1/pods', pod('old-ready'), pod('pending', { phase: 'Pending', ready: false }), pod('not-ready', { ready: false }), pod('young-ready', { created: '2026-06-01T00:00:00Z' }));
    await controller.reconcile('ns/web');
    const deleted = client.writes('pods').filter((a) => a.verb === 'delete');
    expect(deleted.map((a) => a.name).sort()).toEqual(['not-ready', 'pending', 'young-ready']);
    for (const a of deleted) expect(a.body).toMatchObject({ preconditions: { uid: `${a.name}-uid` } });
  });

  it('adopts a matching orphan, releases an owned pod that stopped matching, and leaves others alone', async () => {
    const { client, controller, seed } = setup();
    const foreign = pod('foreign', { owned: false });
    foreign.metadata.ownerReferences = [{ ...ownerRef, name: 'other', uid: 'other-uid' }];
    seed('apps/v1/replicasets', rs(2));
    seed('v1/pods', pod('orphan', { owned: false }), pod('relabeled', { labels: { app: 'other' } }), foreign, pod('mine'));
    await controller.reconcile('ns/web');
    const patches = client.writes('pods').filter((a) => a.verb === 'patch');
    expect(patches).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'orphan', body: { metadata: { uid: 'orphan-uid', ownerReferences: [ownerRef] } } }),
        expect.objectContaining({ name: 'relabeled', body: { metadata: { uid: 'relabeled-uid', ownerReferences: null } } }),
      ]),
    );
    expect(patches).toHaveLength(2);
    expect(client.writes('pods').filter((a) => a.verb !== 'patch')).toEqual([]); // orphan + mine = 2 replicas
  });

  it('records a ReplicaFailure condition and retries when creates are refused', async () => {
    const { client, controller, seed } = setup();
    seed('apps/v1/replicasets', rs(1));
    seed('v1/pods');
    client.failWhen({ verb: 'create', resource: 'pods' }, new StatusError(403, 'Forbidden', 'pods "web-" is forbidden: exceeded quota'));
    await expect(controller.reconcile('ns/web')).rejects.toThrow(/exceeded quota/);
    const status = client.writes('replicasets')[0]?.body as KubeObject;
    expect(status.status.conditions).toEqual([expect.objectContaining({ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate' })]);
  });

  it('reports nothing when its namespace is being deleted and refuses every create', async () => {
    const { client, controller, seed } = setup();
    seed('apps/v1/replicasets', rs(2));
    seed('v1/pods');
    client.failWhen({ verb: 'create', resource: 'pods' }, namespaceTerminating('pods', '', '', 'ns'));
    await controller.reconcile('ns/web');
    const status = client.writes('replicasets')[0]?.body as KubeObject;
    expect(status.status.conditions ?? []).toEqual([]);
    expect(client.writes('events')).toEqual([]);
  });

  it('does nothing for a ReplicaSet that is gone, and no pod work while it is being deleted', async () => {
    const { client, controller, seed } = setup();
    seed('apps/v1/replicasets');
    seed('v1/pods', pod('mine'));
    await controller.reconcile('ns/web');
    expect(client.writes()).toEqual([]);
    const deleting = setup();
    deleting.seed('apps/v1/replicasets', rs(3, { deletionTimestamp: '2026-01-01T00:00:00Z' }));
    deleting.seed('v1/pods', pod('orphan', { owned: false }));
    await deleting.controller.reconcile('ns/web');
    expect(deleting.client.writes('pods')).toEqual([]);
  });
});
