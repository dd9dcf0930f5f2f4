import { describe, expect, it } from 'vitest';
import type { Node, Taint } from '../../api/types/core.js';
import type { Pod, Toleration } from '../../api/types/pod.js';
import { resource } from '../../client/rest.js';
import { fakeWorld } from '../framework/fake-context.js';
import { conditionTaints, evictionTime, NodeLifecycleController, readinessTaints } from './node-lifecycle.js';

const NOW = Date.parse('2026-11-23T10:00:00Z');
const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2026-11-23T10:00:00Z' };
const pod = (tolerations: Toleration[] = []): Pod => ({ metadata: { name: 'p' }, spec: { tolerations, containers: [] } });

describe('node lifecycle', () => {
  it('taints by readiness', () => {
    expect(readinessTaints('True')).toEqual([]);
    expect(readinessTaints('Unknown').map((t) => `${t.key}:${t.effect}`)).toEqual(['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
    expect(readinessTaints('False')[0]!.key).toBe('node.kubernetes.io/not-ready');
  });

  it('taints a node NoSchedule for each pressure condition it reports True', () => {
    const node = (conds: Array<[string, string]>) => ({ metadata: { name: 'n' }, status: { conditions: conds.map(([type, status]) => ({ type, status })) } }) as never;
    expect(conditionTaints(node([['Ready', 'True'], ['MemoryPressure', 'True'], ['DiskPressure', 'False'], ['PIDPressure', 'True']])).map((t) => `${t.key}:${t.effect}`)).toEqual([
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule',
    ]);
    expect(conditionTaints(node([['Ready', 'Unknown'], ['DiskPressure', 'Unknown']])).map((t) => `${t.key}:${t.effect}`)).toEqual([
      'node.kubernetes.io/unreachable:NoSchedule',
      'node.kubernetes.io/unreachable:NoExecute',
    ]);
  });

  it('evicts untolerating pods at once, tolerating ones after tolerationSeconds, forever-tolerating ones never', () => {
    expect(evictionTime(pod(), [unreachable], NOW)).toBe(NOW);
    expect(evictionTime(pod([{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]), [unreachable], NOW)).toBe(NOW + 300_000);
    expect(evictionTime(pod([{ operator: 'Exists' }]), [unreachable], NOW)).toBeUndefined();
    expect(evictionTime(pod(), [{ key: 'x', effect: 'NoSchedule' }], NOW)).toBeUndefined();
  });
});

describe('node lifecycle reconcile', () => {
  const node = (heartbeat: string): Node => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n1', uid: 'n1-uid', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {},
    status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: heartbeat, lastTransitionTime: '2026-01-01T00:00:00Z' }] },
  });
  const readyPod = (): Pod => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns', uid: 'p-uid' },
    spec: { nodeName: 'n1', containers: [] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }, { type: 'ContainersReady', status: 'True' }] },
  });

  it('leaves a node that renewed its Lease within the grace period alone', async () => {
    const w = fakeWorld();
    const c = new NodeLifecycleController(w.ctx);
    const now = new Date().toISOString();
    w.seed('v1/nodes', node(now));
    w.seed('coordination.k8s.io/v1/leases', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { renewTime: now } });
    w.seed('v1/pods', readyPod());
    const result = await c.reconcile('n1');
    expect(w.client.writes().filter((a) => a.resource !== 'events')).toEqual([]);
    expect(result).toMatchObject({ requeueAfterMs: expect.any(Number) });
  });

  it('announces each node it comes to know and each that goes, as about the Node by its uid', async () => {
    const w = fakeWorld();
    new NodeLifecycleController(w.ctx);
    w.seed('v1/nodes', node(new Date().toISOString()));
    w.ctx.informers.for<Node>('v1/nodes').replace([]);
    await new Promise((r) => setTimeout(r, 10));
    const events = w.client.writes('events').map((a) => a.body as { reason: string; message: string; involvedObject: Record<string, unknown> });
    expect(events).toEqual([
      expect.objectContaining({ reason: 'RegisteredNode', message: 'Node n1 event: Registered Node n1 in Controller', involvedObject: { apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'n1-uid' } }),
      expect.objectContaining({ reason: 'RemovingNode', message: 'Node n1 event: Removing Node n1 from Controller' }),
    ]);
  });

  it('marks a pod that does not tolerate a NoExecute taint as disrupted, then deletes it', async () => {
    const w = fakeWorld();
    const c = new NodeLifecycleController(w.ctx);
    const now = new Date().toISOString();
    const tainted = node(now);
    tainted.spec = { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] };
    w.seed('v1/nodes', tainted);
    w.seed('coordination.k8s.io/v1/leases', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { renewTime: now } });
    w.seed('v1/pods', readyPod());
    await c.reconcile('n1');
    expect(w.client.writes('pods').map((a) => [a.verb, a.subresource ?? ''])).toEqual([
      ['patch', 'status'],
      ['delete', ''],
    ]);
    const mark = (w.client.writes('pods')[0]!.body as { status: Pod['status'] }).status!.conditions![0];
    expect(mark).toMatchObject({ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' });
  });

  it('marks a silent node Unknown, its pods not Ready, and taints it unreachable', async () => {
    const w = fakeWorld();
    const c = new NodeLifecycleController(w.ctx);
    w.seed('v1/nodes', node('2026-01-01T00:00:00Z'));
    w.seed('coordination.k8s.io/v1/leases');
    w.seed('v1/pods', readyPod());
    await c.reconcile('n1');
    const status = w.client.writes('nodes').find((a) => a.subresource === 'status')!;
    expect((status.body as { status: Node['status'] }).status!.conditions!.find((x) => x.type === 'Ready')).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    const podPatch = w.client.writes('pods').find((a) => a.subresource === 'status')!;
    expect((podPatch.body as { status: Pod['status'] }).status!.conditions!.map((x) => [x.type, x.status])).toEqual([
      ['Ready', 'False'],
      ['ContainersReady', 'False'],
    ]);
    const taints = w.client.stored<Node>(resource('v1/nodes'), undefined, 'n1')!.spec!.taints!.map((t) => `${t.key}:${t.effect}`);
    expect(taints).toEqual(['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
  });
});
