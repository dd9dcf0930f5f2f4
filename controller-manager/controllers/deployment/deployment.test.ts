// Deployment reconcile against seeded caches and a recording fake client: the ReplicaSets it
// creates and scales, step by step, as a rolling update proceeds.
import { describe, expect, it } from 'vitest';
import type { Deployment, ReplicaSet } from '../../../api/types/apps.js';
import { resource } from '../../../client/rest.js';
import { fakeWorld } from '../../framework/fake-context.js';
import { DeploymentController } from './deployment.js';
import { templateHash } from '../workload-arithmetic.js';

let rv = 0;
const deployment = (image: string, replicas = 3): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'ns', uid: 'd-uid', generation: 1, resourceVersion: String(++rv) },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
  },
});

/** A ReplicaSet as the API would now hold it, all of its replicas up and available. */
const settled = (rs: ReplicaSet): ReplicaSet => {
  const n = rs.spec.replicas ?? 0;
  return { ...rs, metadata: { ...rs.metadata, resourceVersion: String(++rv) }, status: { replicas: n, readyReplicas: n, availableReplicas: n } };
};

describe('Deployment reconcile', () => {
  it('creates the first ReplicaSet with the template hash in its name, selector and labels, as revision 1', async () => {
    const w = fakeWorld();
    const c = new DeploymentController(w.ctx);
    const d = deployment('busybox:1');
    w.seed('apps/v1/deployments', d);
    w.seed('apps/v1/replicasets');
    w.seed('v1/pods');
    await c.reconcile('ns/web');
    const hash = templateHash(d.spec.template);
    const [create] = w.client.writes('replicasets');
    expect(create).toMatchObject({
      verb: 'create',
      body: {
        metadata: { name: `web-${hash}`, labels: { app: 'web', 'pod-template-hash': hash }, annotations: { 'deployment.kubernetes.io/revision': '1' }, ownerReferences: [{ kind: 'Deployment', uid: 'd-uid', controller: true }] },
        spec: { replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } }, template: { metadata: { labels: { 'pod-template-hash': hash } } } },
      },
    });
    expect(w.client.writes('deployments').some((a) => a.subresource === 'status')).toBe(true);
  });

  it('rolls a new template forward one surge at a time, never below the desired availability', async () => {
    const w = fakeWorld();
    const c = new DeploymentController(w.ctx);
    const replicasets = resource('apps/v1/replicasets');
    // Revision 1, settled at 3 available.
    w.seed('apps/v1/deployments', deployment('busybox:1'));
    w.seed('apps/v1/replicasets');
    w.seed('v1/pods');
    await c.reconcile('ns/web');
    const first = (await w.client.list<ReplicaSet>(replicasets, 'ns')).items.map(settled);
    w.seed('apps/v1/replicasets', ...first);

    // A new image: the new ReplicaSet may only take the one surge pod; the old one keeps all 3.
    w.seed('apps/v1/deployments', { ...deployment('busybox:2'), metadata: { ...deployment('busybox:2').metadata, generation: 2 } });
    await c.reconcile('ns/web');
    const all = (await w.client.list<ReplicaSet>(replicasets, 'ns')).items;
    const byImage = (image: string) => all.find((rs) => rs.spec.template?.spec.containers[0]!.image === image)!;
    expect([byImage('busybox:1').spec.replicas, byImage('busybox:2').spec.replicas]).toEqual([3, 1]);
    expect(byImage('busybox:2').metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');

    // Once the new pod is available, the old ReplicaSet gives one up.
    w.seed('apps/v1/replicasets', ...all.map(settled));
    await c.reconcile('ns/web');
    const next = (await w.client.list<ReplicaSet>(replicasets, 'ns')).items;
    const sizes = Object.fromEntries(next.map((rs) => [rs.spec.template?.spec.containers[0]!.image, rs.spec.replicas]));
    expect(sizes).toEqual({ 'busybox:1': 2, 'busybox:2': 1 });
  });
});
