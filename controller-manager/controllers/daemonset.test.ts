// DaemonSet reconcile against seeded nodes, pods and revisions.
import { describe, expect, it } from 'vitest';
import type { DaemonSet } from '../../api/types/apps.js';
import type { Node } from '../../api/types/core.js';
import { StatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';
import type { Pod } from '../../api/types/pod.js';
import { fakeWorld } from '../framework/fake-context.js';
import { DaemonSetController, shouldRun } from './daemonset.js';
import { REVISION_HASH } from './revisions.js';
import { templateHash } from './workload-arithmetic.js';

const node = (name: string, extra: { labels?: Record<string, string>; taints?: Array<{ key: string; effect: string; value?: string }>; unschedulable?: boolean } = {}): Node =>
  ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: extra.labels ?? {} }, spec: { taints: extra.taints, unschedulable: extra.unschedulable } }) as Node;

const template = (image = 'agent:1', nodeSelector?: Record<string, string>) => ({
  metadata: { labels: { app: 'agent' } },
  spec: { containers: [{ name: 'c', image }], ...(nodeSelector ? { nodeSelector } : {}) },
});
const ds = (image = 'agent:1', extra: Partial<DaemonSet['spec']> = {}): DaemonSet => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'ns', uid: 'ds-uid', generation: 1, resourceVersion: '1' },
  spec: { selector: { matchLabels: { app: 'agent' } }, template: template(image), updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } }, ...extra },
});
const ref = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-uid', controller: true, blockOwnerDeletion: true };
const pod = (name: string, nodeName: string, hash: string, ready = true): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns', uid: `${name}-uid`, labels: { app: 'agent', [REVISION_HASH]: hash }, ownerReferences: [ref], creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { nodeName, containers: [{ name: 'c', image: 'x' }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
});

describe('which nodes run a daemon', () => {
  it('follows nodeSelector and taints, tolerating what daemons tolerate (cordoned, not ready)', () => {
    const spec = template('a', { role: 'edge' }).spec as Pod['spec'];
    expect(shouldRun(spec, node('n', { labels: { role: 'edge' } }))).toBe(true);
    expect(shouldRun(spec, node('n', { labels: { role: 'core' } }))).toBe(false);
    const plain = template().spec as Pod['spec'];
    expect(shouldRun(plain, node('n', { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }], unschedulable: true }))).toBe(true);
    expect(shouldRun(plain, node('n', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }))).toBe(true);
    expect(shouldRun(plain, node('n', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }))).toBe(false);
    expect(shouldRun(plain, node('n', { taints: [{ key: 'dedicated', value: 'db', effect: 'PreferNoSchedule' }] }))).toBe(true);
  });
});

describe('DaemonSet reconcile', () => {
  it('creates one pod per eligible node, pinned by node affinity, with the daemon tolerations, and records a revision', async () => {
    const w = fakeWorld();
    const c = new DaemonSetController(w.ctx);
    w.seed('apps/v1/daemonsets', ds());
    w.seed('v1/nodes', node('n1'), node('n2'), node('n3', { taints: [{ key: 'dedicated', effect: 'NoSchedule' }] }));
    w.seed('v1/pods');
    w.seed('apps/v1/controllerrevisions');
    await c.reconcile('ns/agent');
    const hash = templateHash(ds().spec.template);
    const created = w.client.writes('pods').map((a) => a.body as Pod);
    expect(created.map((p) => p.spec.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms[0]!.matchFields![0]!.values).sort()).toEqual([['n1'], ['n2']]);
    expect(created[0]!.metadata.labels).toEqual({ app: 'agent', [REVISION_HASH]: hash, 'pod-template-generation': '1' });
    expect(created[0]!.spec.tolerations!.map((t) => t.key)).toContain('node.kubernetes.io/unschedulable');
    expect(w.client.writes('controllerrevisions')).toEqual([expect.objectContaining({ verb: 'create', body: expect.objectContaining({ metadata: expect.objectContaining({ name: `agent-${hash}` }), revision: 1 }) })]);
    const status = (w.client.writes('daemonsets')[0]!.body as DaemonSet).status!;
    expect(status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 0, numberUnavailable: 2 });
  });

  it('fails the pass when a create is refused (quota, admission), so the queue retries it with back-off', async () => {
    const w = fakeWorld();
    const c = new DaemonSetController(w.ctx);
    w.seed('apps/v1/daemonsets', ds());
    w.seed('v1/nodes', node('n1'));
    w.seed('v1/pods');
    w.seed('apps/v1/controllerrevisions');
    w.client.failWhen({ verb: 'create', resource: 'pods' }, new StatusError(403, 'Forbidden', 'pods "agent-" is forbidden: exceeded quota: q'), 1);
    await expect(c.reconcile('ns/agent')).rejects.toThrow('exceeded quota');
    // The status was still written, and the next pass creates the pod.
    expect(w.client.writes('daemonsets')).toHaveLength(1);
    await c.reconcile('ns/agent');
    expect(w.client.writes('pods').filter((a) => a.verb === 'create')).toHaveLength(2);
  });

  it('removes pods from nodes that no longer qualify and extra pods on one node', async () => {
    const w = fakeWorld();
    const c = new DaemonSetController(w.ctx);
    const hash = templateHash(ds().spec.template);
    w.seed('apps/v1/daemonsets', ds());
    w.seed('v1/nodes', node('n1'), node('n2', { taints: [{ key: 'dedicated', effect: 'NoExecute' }] }));
    w.seed('v1/pods', pod('a1', 'n1', hash), { ...pod('a2', 'n1', hash), metadata: { ...pod('a2', 'n1', hash).metadata, creationTimestamp: '2026-01-02T00:00:00Z' } }, pod('b1', 'n2', hash));
    w.seed('apps/v1/controllerrevisions');
    await c.reconcile('ns/agent');
    expect(w.client.writes('pods').map((a) => `${a.verb} ${a.name}`).sort()).toEqual(['delete a2', 'delete b1']);
  });

  it('rolls a new template out one unavailable node at a time', async () => {
    const w = fakeWorld();
    const c = new DaemonSetController(w.ctx);
    const old = templateHash(ds('agent:1').spec.template);
    w.seed('apps/v1/daemonsets', ds('agent:2'));
    w.seed('v1/nodes', node('n1'), node('n2'), node('n3'));
    w.seed('v1/pods', pod('a', 'n1', old), pod('b', 'n2', old), pod('c', 'n3', old));
    w.seed('apps/v1/controllerrevisions');
    await c.reconcile('ns/agent');
    expect(w.client.writes('pods').filter((a) => a.verb === 'delete')).toHaveLength(1);
    expect((w.client.writes('daemonsets')[0]!.body as DaemonSet).status).toMatchObject({ updatedNumberScheduled: 0, numberAvailable: 3 });
  });

  it('with maxSurge starts a new pod beside the old one, and removes the old once the new is available', async () => {
    const surge = (image: string) => ds(image, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } });
    const old = templateHash(surge('agent:1').spec.template);
    const next = templateHash(surge('agent:2').spec.template);
    const first = fakeWorld();
    const c1 = new DaemonSetController(first.ctx);
    first.seed('apps/v1/daemonsets', surge('agent:2'));
    first.seed('v1/nodes', node('n1'), node('n2'));
    first.seed('v1/pods', pod('a', 'n1', old), pod('b', 'n2', old));
    first.seed('apps/v1/controllerrevisions');
    await c1.reconcile('ns/agent');
    expect(first.client.writes('pods').map((a) => a.verb)).toEqual(['create']);

    const second = fakeWorld();
    const c2 = new DaemonSetController(second.ctx);
    second.seed('apps/v1/daemonsets', surge('agent:2'));
    second.seed('v1/nodes', node('n1'), node('n2'));
    second.seed('v1/pods', pod('a', 'n1', old), { ...pod('a2', 'n1', next), metadata: { ...pod('a2', 'n1', next).metadata, creationTimestamp: '2026-01-02T00:00:00Z' } }, pod('b', 'n2', old));
    second.seed('apps/v1/controllerrevisions');
    await c2.reconcile('ns/agent');
    // n1 still counts as surging until its old pod is gone: n2 waits for the next sync.
    expect(second.client.writes('pods').map((a) => `${a.verb} ${a.name ?? ''}`)).toEqual(['delete a']);
  });
});
