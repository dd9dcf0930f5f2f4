import { describe, expect, it } from 'vitest';
import type { Node } from '../api/types/core.js';
import type { Pod } from '../api/types/pod.js';
import { trimNode, trimPod } from './informer-trims.js';
import { hostPorts, newNodeInfo, podRequests } from './node-info.js';

const fullPod = (nodeName?: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'ns', uid: 'u1', labels: { app: 'web' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs1', controller: true }] },
  spec: {
    nodeName,
    nodeSelector: { disk: 'ssd' },
    tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
    affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } },
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }, { name: 'kube-api-access-x1', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }],
    initContainers: [{ name: 'side', image: 'registry.invalid/side:1', restartPolicy: 'Always', resources: { requests: { cpu: '300m' } }, env: [{ name: 'A', value: 'x' }] }],
    containers: [
      {
        name: 'c',
        image: 'registry.invalid/web:1',
        command: ['serve'],
        env: [{ name: 'B', value: 'y'.repeat(1000) }],
        ports: [{ containerPort: 80, hostPort: 8080, protocol: 'TCP' }],
        resources: { requests: { cpu: '250m', memory: '64Mi' } },
        readinessProbe: { httpGet: { path: '/', port: 80 } },
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      },
    ],
  },
  status: {
    phase: nodeName ? 'Running' : 'Pending',
    conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: 'no nodes' }],
    podIP: '10.0.0.5',
    startTime: '2026-12-01T00:00:00Z',
    podIPs: [{ ip: '10.0.0.5' }],
    containerStatuses: [{ name: 'c', image: 'registry.invalid/web:1', imageID: '', ready: true, restartCount: 0, state: { running: { startedAt: '2026-12-01T00:00:00Z' } }, lastState: {} }],
  },
} as Pod);

describe("the scheduler's informer trims", () => {
  it('keep what scheduling reads of a pod: the same requests, host ports, affinity, tolerations, volumes and owner', () => {
    const before = fullPod('n1');
    const after = trimPod(fullPod('n1'));
    expect(podRequests(after)).toEqual(podRequests(before));
    expect(hostPorts(after)).toEqual(hostPorts(before));
    expect(after.metadata).toEqual(before.metadata);
    for (const f of ['nodeName', 'nodeSelector', 'tolerations', 'affinity'] as const) expect(after.spec[f]).toEqual(before.spec[f]);
    expect(after.spec.volumes![0]).toEqual(before.spec.volumes![0]);
    expect(after.spec.initContainers![0]!.restartPolicy).toBe('Always');
  });

  it("drop what is the kubelet's business: container command, env, probes, mounts and a placed pod's reported status", () => {
    const after = trimPod(fullPod('n1'));
    expect(after.spec.containers[0]).toEqual({ name: 'c', image: 'registry.invalid/web:1', ports: [{ containerPort: 80, hostPort: 8080, protocol: 'TCP' }], resources: { requests: { cpu: '250m', memory: '64Mi' } } });
    expect(after.status).toEqual({ phase: 'Running', startTime: '2026-12-01T00:00:00Z' });
    expect(after.spec.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }]);
  });

  it("keep a placed pod's DisruptionTarget condition once it is being deleted (whether preemption is why)", () => {
    const preempted = fullPod('n1');
    preempted.metadata.deletionTimestamp = '2026-12-01T00:01:00Z';
    preempted.status!.conditions!.push({ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler' });
    expect(trimPod(preempted).status!.conditions).toEqual([{ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler' }]);
    const deleted = fullPod('n1');
    deleted.metadata.deletionTimestamp = '2026-12-01T00:01:00Z';
    expect(trimPod(deleted).status!.conditions).toBeUndefined();
  });

  it('keep the conditions of a pod still waiting for a node (the scheduler reports Unschedulable in them)', () => {
    expect(trimPod(fullPod()).status).toEqual({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: 'no nodes' }] });
  });

  it('keep what scheduling reads of a node (images for ImageLocality) and drop its addresses and system info', () => {
    const node = (): Node => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } },
      spec: { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] },
      status: {
        capacity: { cpu: '4', memory: '8Gi', pods: '110' },
        allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '10.0.0.1' }],
        nodeInfo: { kubeletVersion: 'v1.32.0' },
        images: [{ names: ['registry.invalid/web:1'], sizeBytes: 1 }],
      },
    });
    const after = trimNode(node());
    expect(after.status).toEqual({ capacity: node().status!.capacity, allocatable: node().status!.allocatable, conditions: [{ type: 'Ready', status: 'True' }], images: [{ names: ['registry.invalid/web:1'], sizeBytes: 1 }] });
    const { node: _a, ...trimmedFacts } = newNodeInfo(after, []);
    const { node: _b, ...fullFacts } = newNodeInfo(node(), []);
    expect(trimmedFacts).toEqual(fullFacts);
  });
});
