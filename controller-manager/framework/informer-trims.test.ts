import { describe, expect, it } from 'vitest';
import type { Node } from '../../api/types/core.js';
import type { Pod } from '../../api/types/pod.js';
import { decide } from '../controllers/job/pod-failure-policy.js';
import { isReady } from '../controllers/pod-util.js';
import { fakeWorld } from './fake-context.js';
import { trimNodeForControllers, trimPodForControllers } from './informer-trims.js';

const runningPod = (): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'ns', uid: 'u1', labels: { app: 'web' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs1', controller: true }] },
  spec: {
    nodeName: 'n1',
    hostname: 'web-1',
    subdomain: 'web',
    tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    volumes: [
      { name: 'data', persistentVolumeClaim: { claimName: 'data-web-1' } },
      { name: 'kube-api-access-x1', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
    ],
    containers: [{ name: 'c', image: 'registry.invalid/web:1', env: [{ name: 'A', value: 'x'.repeat(500) }], ports: [{ name: 'http', containerPort: 8080 }], resources: { requests: { cpu: '10m' } }, volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
  },
  status: {
    phase: 'Running',
    podIP: '10.0.0.5',
    podIPs: [{ ip: '10.0.0.5' }],
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: [{ name: 'c', ready: true, restartCount: 2, image: 'registry.invalid/web:1', imageID: 'x', containerID: 'docker://abc', state: { terminated: { exitCode: 3, reason: 'Error' } }, lastState: {} }],
  },
} as Pod);

describe("the controller-manager's pod trim", () => {
  it('keeps what its controllers read: metadata, placement, ports, claims, addresses, conditions, exits and restarts', () => {
    const before = runningPod();
    const after = trimPodForControllers(runningPod());
    expect(after.metadata).toEqual(before.metadata);
    for (const f of ['nodeName', 'hostname', 'subdomain', 'tolerations'] as const) expect(after.spec[f]).toEqual(before.spec[f]);
    expect(after.spec.containers[0]!.ports).toEqual(before.spec.containers[0]!.ports);
    expect(after.spec.containers[0]!.resources).toEqual(before.spec.containers[0]!.resources);
    expect(after.spec.volumes![0]).toEqual(before.spec.volumes![0]);
    for (const f of ['phase', 'podIP', 'podIPs', 'conditions'] as const) expect(after.status![f]).toEqual(before.status![f]);
    expect(isReady(after)).toBe(true);
    expect(after.status!.containerStatuses![0]!.restartCount).toBe(2);
    const rules = [{ action: 'FailJob' as const, onExitCodes: { operator: 'In' as const, values: [3] } }];
    expect(decide(rules, after)).toEqual(decide(rules, before));
    expect(decide(rules, after)?.action).toBe('FailJob');
  });

  it("drops the kubelet's part: env, mounts, volumes other than claims, container image IDs", () => {
    const before = runningPod;
    const after = trimPodForControllers(runningPod());
    expect(after.spec.containers[0]).not.toHaveProperty('env');
    expect(after.spec.containers[0]).not.toHaveProperty('volumeMounts');
    expect(after.spec.volumes).toEqual([before().spec.volumes![0]]);
    expect(after.status!.containerStatuses![0]).not.toHaveProperty('containerID');
  });

  it("is what the controllers' shared pod informer holds", () => {
    const world = fakeWorld();
    world.seed('v1/pods', runningPod());
    expect(world.ctx.informers.for<Pod>('v1/pods').get('ns/web-1')).toEqual(trimPodForControllers(runningPod()));
  });
});

describe("the controller-manager's node trim", () => {
  it('keeps what controllers read of a node and drops its image list and system info', () => {
    const node = (): Node => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'a' } },
      spec: { taints: [{ key: 'k', effect: 'NoExecute' }], unschedulable: true },
      status: {
        capacity: { cpu: '4' },
        allocatable: { cpu: '4' },
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '10.0.0.1' }],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: { kubeletVersion: 'v1.32.0' },
        images: [{ names: ['registry.invalid/web:1'], sizeBytes: 1 }],
      },
    });
    const after = trimNodeForControllers(node());
    const { images: _i, nodeInfo: _n, ...kept } = node().status!;
    expect(after.status).toEqual(kept);
    expect(after.metadata).toEqual(node().metadata);
    expect(after.spec).toEqual(node().spec);
    expect(trimNodeForControllers({ kind: 'Node', metadata: { name: 'bare' } } as Node)).toEqual({ kind: 'Node', metadata: { name: 'bare' } });
  });
});
