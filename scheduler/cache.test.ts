import { describe, expect, it } from 'vitest';
import type { Node } from '../api/types/core.js';
import type { Pod } from '../api/types/pod.js';
import { SchedulerCache } from './cache.js';
import { defaultFilters, defaultScores } from './plugins/index.js';
import { schedule } from './framework.js';

const node = (name: string, cpu = '4'): Node => ({ kind: 'Node', metadata: { name }, spec: {}, status: { allocatable: { cpu, memory: '8Gi', pods: '110' } } });
const pod = (name: string, nodeName?: string, phase?: string): Pod => ({
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}` },
  spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '500m' } } }] },
  ...(phase ? { status: { phase: phase as 'Running' } } : {}),
});
const cpuOn = (c: SchedulerCache, name: string) => c.nodes().find((n) => n.node.metadata.name === name)?.requested.milliCPU;

describe('SchedulerCache', () => {
  it('counts bound pods where they are, once, and drops finished and deleted ones', () => {
    const c = new SchedulerCache();
    c.setNode(node('b'));
    c.setNode(node('a'));
    expect(c.nodes().map((n) => n.node.metadata.name)).toEqual(['a', 'b']);
    c.updatePod(pod('p', 'a'));
    c.updatePod(pod('p', 'a')); // an update of the same pod
    expect(cpuOn(c, 'a')).toBe(500);
    c.updatePod(pod('p', 'a', 'Succeeded'));
    expect(cpuOn(c, 'a')).toBe(0);
    c.updatePod(pod('q', 'b'));
    c.removePod(pod('q', 'b'));
    expect(cpuOn(c, 'b')).toBe(0);
  });

  it('holds an assumed pod until its binding shows, and frees it if the binding fails', () => {
    const c = new SchedulerCache();
    c.setNode(node('a'));
    c.setNode(node('b'));
    c.assume(pod('p'), 'a');
    expect(c.isAssumed('default/p')).toBe(true);
    expect(cpuOn(c, 'a')).toBe(500);
    // Our own status write (still unbound) does not undo the assumption.
    c.updatePod(pod('p'));
    expect(cpuOn(c, 'a')).toBe(500);
    // Bound (here elsewhere than assumed): counted there only.
    c.updatePod(pod('p', 'b'));
    expect([cpuOn(c, 'a'), cpuOn(c, 'b'), c.isAssumed('default/p')]).toEqual([0, 500, false]);
    c.assume(pod('q'), 'a');
    c.forget(pod('q'));
    expect([cpuOn(c, 'a'), c.isAssumed('default/q')]).toEqual([0, false]);
  });

  it('keeps pods across a node update, and counts pods of a node it has not seen yet once that node comes', () => {
    const c = new SchedulerCache();
    c.updatePod(pod('early', 'late-node'));
    expect(c.nodes()).toEqual([]);
    c.setNode(node('late-node'));
    expect(cpuOn(c, 'late-node')).toBe(500);
    c.setNode(node('late-node', '8'));
    const info = c.nodes()[0]!;
    expect([info.allocatable.milliCPU, info.requested.milliCPU, info.pods.length]).toEqual([8000, 500, 1]);
    c.removeNode('late-node');
    expect(c.nodes()).toEqual([]);
  });
});

describe('SchedulerCache, affinity holders', () => {
  const avoiding = (name: string, nodeName?: string): Pod => {
    const p = pod(name, nodeName);
    p.metadata.labels = { app: 'db' };
    p.spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'db' } } }] } };
    return p;
  };
  const labelled = (name: string): Node => ({ ...node(name), metadata: { name, labels: { 'kubernetes.io/hostname': name } }, status: { ...node(name).status, conditions: [{ type: 'Ready', status: 'True' }] } });

  it('knows which nodes hold pods with inter-pod (anti-)affinity terms, required or preferred, as pods come, are assumed and go', () => {
    const c = new SchedulerCache();
    for (const n of ['a', 'b', 'c', 'd']) c.setNode(labelled(n));
    expect(c.nodesWithAffinityPods()).toEqual([]);
    c.updatePod(avoiding('db-1', 'a'));
    c.assume(avoiding('db-2'), 'b');
    c.updatePod(pod('web', 'c'));
    const near = pod('near', 'd');
    near.spec.affinity = { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { topologyKey: 'zone', labelSelector: {} } }] } };
    c.updatePod(near);
    expect(c.nodesWithAffinityPods().map((i) => i.node.metadata.name).sort()).toEqual(['a', 'b', 'd']);
    c.removePod(near);
    c.forget(avoiding('db-2'));
    c.removePod(avoiding('db-1', 'a'));
    expect(c.nodesWithAffinityPods()).toEqual([]);
  });

  it('places a pod the same with the holders given as without: away from what its own terms and other pods\' terms forbid', () => {
    const c = new SchedulerCache();
    for (const n of ['a', 'b', 'c']) c.setNode(labelled(n));
    c.updatePod(avoiding('db-1', 'a'));
    c.updatePod(avoiding('db-2', 'b'));
    const withHolders = schedule(avoiding('db-3'), c.nodes(), defaultFilters, defaultScores, 0, { affinityNodes: c.nodesWithAffinityPods() });
    const scanning = schedule(avoiding('db-3'), c.nodes(), defaultFilters, defaultScores, 0);
    expect(withHolders.node).toBe('c');
    expect(scanning.node).toBe('c');
    // A pod without terms but selected by the others' terms is kept off a and b too.
    const plain = pod('db-4');
    plain.metadata.labels = { app: 'db' };
    expect(schedule(plain, c.nodes(), defaultFilters, defaultScores, 0, { affinityNodes: c.nodesWithAffinityPods() }).node).toBe('c');
  });
});
