// StatefulSet reconcile against seeded pods, claims and revisions.
import { describe, expect, it } from 'vitest';
import type { StatefulSet } from '../../api/types/apps.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { Pod } from '../../api/types/pod.js';
import { fakeWorld } from '../framework/fake-context.js';
import { templateHash } from './workload-arithmetic.js';
import { StatefulSetController } from './statefulset.js';

const sts = (replicas: number, spec: Partial<StatefulSet['spec']> = {}, image = 'db:1'): StatefulSet => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db', namespace: 'ns', uid: 'sts-uid', generation: 1, resourceVersion: '1' },
  spec: {
    replicas,
    serviceName: 'db',
    selector: { matchLabels: { app: 'db' } },
    template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image }] } },
    podManagementPolicy: 'OrderedReady',
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    ...spec,
  },
});
const revisionOf = (s: StatefulSet) => `db-${templateHash(s.spec.template)}`;
const ref = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'sts-uid', controller: true, blockOwnerDeletion: true };
const pod = (ordinal: number, revision: string, state: 'ready' | 'pending' = 'ready'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `db-${ordinal}`, namespace: 'ns', uid: `db-${ordinal}-uid`, labels: { app: 'db', 'controller-revision-hash': revision }, ownerReferences: [ref] },
  spec: { containers: [{ name: 'c', image: 'x' }] },
  status: state === 'ready' ? { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] } : { phase: 'Pending' },
});

function world(set: StatefulSet, ...existing: KubeObject[]) {
  const w = fakeWorld();
  const c = new StatefulSetController(w.ctx);
  w.seed('apps/v1/statefulsets', set);
  w.seed('v1/pods', ...existing);
  w.seed('apps/v1/controllerrevisions');
  w.seed('v1/persistentvolumeclaims');
  return { w, c };
}
const podWrites = (w: ReturnType<typeof fakeWorld>) => w.client.writes('pods').map((a) => `${a.verb} ${a.name ?? (a.body as Pod).metadata.name}`);

describe('StatefulSet reconcile', () => {
  it('OrderedReady: creates ordinal 0 with its stable identity and claim, and waits for it before ordinal 1', async () => {
    const set = sts(3, { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] });
    const { w, c } = world(set);
    await c.reconcile('ns/db');
    expect(podWrites(w)).toEqual(['create db-0']);
    const created = w.client.writes('pods')[0]!.body as Pod;
    expect(created.metadata.labels).toMatchObject({ 'statefulset.kubernetes.io/pod-name': 'db-0', 'apps.kubernetes.io/pod-index': '0', 'controller-revision-hash': revisionOf(set) });
    expect(created.spec).toMatchObject({ hostname: 'db-0', subdomain: 'db', volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } }] });
    expect(w.client.writes('persistentvolumeclaims').map((a) => (a.body as KubeObject).metadata.name)).toEqual(['data-db-0']);

    const next = world(set, pod(0, revisionOf(set), 'pending'));
    await next.c.reconcile('ns/db');
    expect(podWrites(next.w)).toEqual([]);
    const ready = world(set, pod(0, revisionOf(set)));
    await ready.c.reconcile('ns/db');
    expect(podWrites(ready.w)).toEqual(['create db-1']);
  });

  it('Parallel creates every missing ordinal at once; scale-down removes the highest ordinal first', async () => {
    const p = world(sts(3, { podManagementPolicy: 'Parallel' }));
    await p.c.reconcile('ns/db');
    expect(podWrites(p.w)).toEqual(['create db-0', 'create db-1', 'create db-2']);
    const set = sts(1);
    const down = world(set, pod(0, revisionOf(set)), pod(1, revisionOf(set)), pod(2, revisionOf(set)));
    await down.c.reconcile('ns/db');
    expect(podWrites(down.w)).toEqual(['delete db-2']);
  });

  it('Parallel with two billion replicas creates a burst of 500 a pass without building the whole range', async () => {
    const p = world(sts(2 ** 31 - 1, { podManagementPolicy: 'Parallel' }));
    await p.c.reconcile('ns/db');
    expect(podWrites(p.w)).toHaveLength(500);
  });

  it('rolls a new template out from the highest ordinal down to the partition, one pod at a time', async () => {
    const old = sts(3, {}, 'db:1');
    const next = sts(3, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }, 'db:2');
    const { w, c } = world(next, pod(0, revisionOf(old)), pod(1, revisionOf(old)), pod(2, revisionOf(old)));
    await c.reconcile('ns/db');
    expect(podWrites(w)).toEqual(['delete db-2']);
    const done = world(next, pod(0, revisionOf(old)), pod(1, revisionOf(next)), pod(2, revisionOf(next)));
    await done.c.reconcile('ns/db');
    expect(podWrites(done.w)).toEqual([]); // db-0 is below the partition
    const status = (done.w.client.writes('statefulsets')[0]!.body as StatefulSet).status!;
    expect(status).toMatchObject({ replicas: 3, readyReplicas: 3, updatedReplicas: 2, updateRevision: revisionOf(next) });
  });

  it('replaces a failed pod under the same name', async () => {
    const set = sts(1);
    const failed = { ...pod(0, revisionOf(set)), status: { phase: 'Failed' } };
    const { w, c } = world(set, failed);
    await c.reconcile('ns/db');
    expect(podWrites(w)).toEqual(['delete db-0']);
  });

  it('RollingUpdate maxUnavailable replaces that many pods at once', async () => {
    const old = sts(4, {}, 'db:1');
    const next = sts(4, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 2 } } }, 'db:2');
    const { w, c } = world(next, pod(0, revisionOf(old)), pod(1, revisionOf(old)), pod(2, revisionOf(old)), pod(3, revisionOf(old)));
    await c.reconcile('ns/db');
    expect(podWrites(w)).toEqual(['delete db-3', 'delete db-2']);
  });
});
