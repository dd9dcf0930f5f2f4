import { describe, expect, it } from 'vitest';
import type { Node, Taint } from '../api/types/core.js';
import type { KubeObject } from '../api/types/meta.js';
import type { Pod } from '../api/types/pod.js';
import { schedule } from './framework.js';
import { newNodeInfo } from './node-info.js';
import { defaultFilters, defaultScores } from './plugins/index.js';

function node(name: string, opts: { cpu?: string; memory?: string; labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean; ready?: boolean } = {}): Node {
  return {
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(opts.labels ?? {}) } },
    spec: { taints: opts.taints, unschedulable: opts.unschedulable },
    status: {
      allocatable: { cpu: opts.cpu ?? '2', memory: opts.memory ?? '4Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
    },
  };
}

function pod(name: string, spec: Record<string, unknown> = {}, meta: Partial<KubeObject['metadata']> = {}): Pod {
  return {
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, ...meta },
    spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '500m', memory: '256Mi' } } }], ...spec },
  };
}

const run = (p: Pod, nodes: Array<[Node, Pod[]]>) =>
  schedule(p, nodes.map(([n, pods]) => newNodeInfo(n, pods)), defaultFilters, defaultScores);

describe('scheduling', () => {
  it('prefers the emptier node', () => {
    expect(run(pod('p'), [[node('a'), [pod('x'), pod('y')]], [node('b'), []]]).node).toBe('b');
  });

  it("explains why no node fits, in Kubernetes' message form", () => {
    const big = pod('big', { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '8' } } }] });
    expect(run(big, [[node('a'), []], [node('b'), []]]).message).toBe('0/2 nodes are available: 2 Insufficient cpu.');
    const result = run(pod('p', { nodeSelector: { disk: 'ssd' } }), [[node('a'), []], [node('b', { unschedulable: true }), []], [node('c', { ready: false }), []]]);
    expect(result.message).toBe("0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) were not ready, 1 node(s) were unschedulable.");
  });

  it('honours nodeSelector, required node affinity and taints', () => {
    const nodes: Array<[Node, Pod[]]> = [
      [node('a', { labels: { disk: 'hdd' } }), []],
      [node('b', { labels: { disk: 'ssd' }, taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }), []],
    ];
    expect(run(pod('p', { nodeSelector: { disk: 'ssd' } }), nodes).message).toBe("0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: db}.");
    const tolerant = pod('p', { nodeSelector: { disk: 'ssd' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] });
    expect(run(tolerant, nodes).node).toBe('b');
    const affinity = pod('p', {
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'NotIn', values: ['ssd'] }] }] } } },
    });
    expect(run(affinity, nodes).node).toBe('a');
  });

  it('keeps host ports and anti-affine pods apart', () => {
    const withPort = (n: string) => pod(n, { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, hostPort: 8080, protocol: 'TCP' }] }] });
    expect(run(withPort('p'), [[node('a'), [withPort('x')]], [node('b'), []]]).node).toBe('b');
    const anti = (n: string) =>
      pod(n, { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'db' } } }] } } }, { labels: { app: 'db' } });
    expect(run(anti('p'), [[node('a'), [anti('x')]], [node('b'), [anti('y')]]]).message).toBe("0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules.");
  });

  it("spreads one owner's pods even onto a busier node", () => {
    const owned = (n: string) => pod(n, {}, { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-1', controller: true }] });
    const other = pod('other');
    expect(run(owned('p'), [[node('a'), [owned('x'), owned('y')]], [node('b'), [other]]]).node).toBe('b');
  });
});
