import { describe, expect, it } from 'vitest';
import type { Node, Taint } from '../api/types/core.js';
import type { Pod } from '../api/types/pod.js';
import type { PodDisruptionBudget } from '../api/types/policy.js';
import { schedule } from './framework.js';
import { newNodeInfo, type NodeInfo } from './node-info.js';
import { defaultFilters, defaultScores } from './plugins/index.js';
import { candidatesToFind, pickCandidate, preempt, splitByBudgets, type Candidate, type PreemptionOutcome } from './preemption.js';

function node(name: string, cpu = '2', taints?: Taint[]): Node {
  return {
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: { taints },
    status: { allocatable: { cpu, memory: '4Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function pod(name: string, cpu: string, priority: number, extra: { startTime?: string; labels?: Record<string, string>; nodeName?: string; policy?: string } = {}): Pod {
  return {
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: extra.labels },
    spec: {
      nodeName: extra.nodeName,
      priority,
      preemptionPolicy: extra.policy,
      containers: [{ name: 'c', image: 'i', resources: { requests: { cpu } } }],
    },
    status: { startTime: extra.startTime ?? '2026-12-01T00:00:00Z' },
  };
}

const budget = (allowed: number, labels: Record<string, string>, disruptedPods?: Record<string, string>): PodDisruptionBudget => ({
  kind: 'PodDisruptionBudget',
  metadata: { name: 'b', namespace: 'default' },
  spec: { selector: { matchLabels: labels } },
  status: { disruptionsAllowed: allowed, disruptedPods },
});

/** Schedules `p` on the nodes; when nothing fits, runs preemption as the scheduler would. */
function tryPreempt(p: Pod, infos: NodeInfo[], pdbs: PodDisruptionBudget[] = [], nominatedNode?: NodeInfo, terminating: (p: Pod) => boolean = () => false): PreemptionOutcome {
  const result = schedule(p, infos, defaultFilters, defaultScores, 0, { nominatedNode });
  expect(result.node).toBeUndefined();
  return preempt({ cycle: result.cycle!, nodes: infos, unresolvable: result.unresolvable!, pdbs, nominatedNode, terminatingByPreemption: terminating, offset: 0 });
}

const names = (pods: Pod[]) => pods.map((p) => p.metadata.name);
const chosen = (o: PreemptionOutcome): Candidate => {
  if (!('candidate' in o)) throw new Error(`no candidate: ${o.message}`);
  return o.candidate;
};

describe('preemption', () => {
  it('takes the fewest lower-priority pods that make room, sparing the more important and the older', () => {
    const a = newNodeInfo(node('a'), [
      pod('low-old', '500m', 10, { startTime: '2026-12-01T00:00:00Z' }),
      pod('low-new', '500m', 10, { startTime: '2026-12-01T01:00:00Z' }),
      pod('lowest', '500m', 1),
      pod('equal', '500m', 100),
    ]);
    const c = chosen(tryPreempt(pod('p', '1', 100), [a]));
    expect(c.node).toBe('a');
    // 1 CPU is needed: the pod of priority 1 and the newer of the two of priority 10 go.
    expect(names(c.victims)).toEqual(['low-new', 'lowest']);
  });

  it("explains in Kubernetes' words why it cannot help, and asks to clear a nomination", () => {
    const a = newNodeInfo(node('a'), [pod('same', '2', 0)]);
    const b = newNodeInfo(node('b', '2', [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]), [pod('low', '2', -5)]);
    const c = newNodeInfo(node('c', '500m'), [pod('small', '100m', -5)]);
    expect(tryPreempt(pod('p', '1', 0), [a, b, c])).toEqual({
      message: '0/3 nodes are available: 1 Insufficient cpu, 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.',
      clearNomination: true,
    });
  });

  it('does not preempt for a pod whose policy is Never, nor again while its victims are leaving', () => {
    const a = newNodeInfo(node('a'), [pod('low', '2', 0)]);
    expect(tryPreempt(pod('p', '1', 10, { policy: 'Never' }), [a])).toEqual({ message: 'not eligible due to preemptionPolicy=Never.', clearNomination: false });
    const nominated = pod('p', '1', 10);
    nominated.status!.nominatedNodeName = 'a';
    expect(tryPreempt(nominated, [a], [], a, (v) => v.metadata.name === 'low')).toEqual({ message: 'not eligible due to a terminating pod on the nominated node.', clearNomination: false });
    expect(names(chosen(tryPreempt(nominated, [a], [], a)).victims)).toEqual(['low']);
  });

  it('prefers victims whose budgets allow the disruption, then the node that breaks the fewest budgets', () => {
    const guarded = (name: string) => pod(name, '1', 0, { labels: { app: 'db' } });
    const a = newNodeInfo(node('a'), [guarded('db-1'), pod('web-1', '1', 0)]);
    const b = newNodeInfo(node('b'), [guarded('db-2'), guarded('db-3')]);
    const c = chosen(tryPreempt(pod('p', '1', 10), [a, b], [budget(0, { app: 'db' })]));
    expect(c).toMatchObject({ node: 'a', pdbViolations: 0 });
    expect(names(c.victims)).toEqual(['web-1']);
    // Every way breaks the budget: the fewest breaks win.
    const full = (n: string, pods: Pod[]) => newNodeInfo(node(n), pods);
    const d = chosen(tryPreempt(pod('p', '2', 10), [full('a', [guarded('db-1'), pod('web-1', '1', 0)]), full('b', [guarded('db-2'), guarded('db-3')])], [budget(0, { app: 'db' })]));
    expect(d).toMatchObject({ node: 'a', pdbViolations: 1 });
  });

  it('counts each budget down as victims use it, skips pods already counted as disrupted, and ignores budgets selecting nothing', () => {
    const pods = ['x', 'y', 'z'].map((n) => pod(n, '1', 0, { labels: { app: 'db' } }));
    expect(splitByBudgets(pods, [budget(1, { app: 'db' })]).map(names)).toEqual([['y', 'z'], ['x']]);
    expect(splitByBudgets(pods, [budget(0, { app: 'db' }, { y: '2026-12-01T00:00:00Z' })]).map(names)).toEqual([['x', 'z'], ['y']]);
    const empty: PodDisruptionBudget = { ...budget(0, {}), spec: { selector: {} } };
    expect(splitByBudgets(pods, [empty]).map(names)).toEqual([[], ['x', 'y', 'z']]);
    const elsewhere = { ...budget(0, { app: 'db' }), metadata: { name: 'b', namespace: 'other' } };
    expect(splitByBudgets(pods, [elsewhere]).map(names)).toEqual([[], ['x', 'y', 'z']]);
  });

  it('chooses the node whose most important victim matters least, then fewer victims, then the most recently started', () => {
    const v = (name: string, priority: number, startTime?: string) => pod(name, '1', priority, { startTime });
    const c = (node: string, victims: Pod[]): Candidate => ({ node, victims, pdbViolations: 0 });
    expect(pickCandidate([c('a', [v('a1', 5)]), c('b', [v('b1', 3), v('b2', 3)])]).node).toBe('b');
    expect(pickCandidate([c('a', [v('a1', 3), v('a2', 3)]), c('b', [v('b1', 3)])]).node).toBe('b');
    expect(pickCandidate([c('a', [v('a1', 3, '2026-12-01T00:00:00Z')]), c('b', [v('b1', 3, '2026-12-01T05:00:00Z')])]).node).toBe('b');
    // Negative priorities count as less, not as cheaper in sum.
    expect(pickCandidate([c('a', [v('a1', -10), v('a2', -10)]), c('b', [v('b1', -10)])]).node).toBe('b');
  });

  it('takes away pods that anti-affinity sets against the pod, either way, and only where that helps', () => {
    const apart = (p: Pod, app: string, topologyKey = 'kubernetes.io/hostname'): Pod => {
      p.spec!.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app } }, topologyKey }] } };
      return p;
    };
    const zoned = (name: string, zone: string) => {
      const n = node(name);
      n.metadata.labels!['topology.kubernetes.io/zone'] = zone;
      return n;
    };
    // The pod's own anti-affinity: the lower pod it refuses is the one victim, room or not.
    const a = newNodeInfo(node('a'), [pod('cache', '100m', 0, { labels: { app: 'cache' } }), pod('other', '100m', 0)]);
    const own = chosen(tryPreempt(apart(pod('p', '100m', 10), 'cache'), [a]));
    expect(names(own.victims)).toEqual(['cache']);
    // An existing pod's anti-affinity against the pod: that pod goes.
    const b = newNodeInfo(node('b'), [apart(pod('loner', '100m', 0), 'web'), pod('other', '100m', 0)]);
    expect(names(chosen(tryPreempt(pod('p', '100m', 10, { labels: { app: 'web' } }), [b])).victims)).toEqual(['loner']);
    // A more important pod in the way cannot be taken; nor can one on another node of the same zone.
    const c = newNodeInfo(node('c'), [pod('vip', '100m', 20, { labels: { app: 'cache' } }), pod('low', '100m', 0)]);
    expect(tryPreempt(apart(pod('p', '100m', 10), 'cache'), [c])).toEqual({ message: "0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules.", clearNomination: true });
    const zone = [newNodeInfo(zoned('d', 'z1'), [pod('cache', '100m', 0, { labels: { app: 'cache' } })]), newNodeInfo(zoned('e', 'z1'), [pod('filler', '100m', 0)])];
    const outcome = chosen(tryPreempt(apart(pod('p', '100m', 10), 'cache', 'topology.kubernetes.io/zone'), zone));
    expect(outcome).toMatchObject({ node: 'd' });
    expect(names(outcome.victims)).toEqual(['cache']);
    // The what-ifs leave the pod's filtering as it was: the same cycle still refuses every node.
    const result = schedule(apart(pod('p', '100m', 10), 'cache'), [a], defaultFilters, defaultScores);
    preempt({ cycle: result.cycle!, nodes: [a], unresolvable: result.unresolvable!, pdbs: [], terminatingByPreemption: () => false, offset: 0 });
    expect(result.cycle!.active.find((f) => f.name === 'InterPodAffinity')!.filter(result.cycle!.state, a).code).toBe('Unschedulable');
  });

  it('takes away the pods that make a spread too uneven', () => {
    const web = (name: string, priority: number) => pod(name, '100m', priority, { labels: { app: 'web' } });
    const p = web('p', 10);
    p.spec!.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }];
    // a holds two lower web pods; b has no web pod but no room, kept by a more important pod.
    const a = newNodeInfo(node('a'), [web('w1', 0), web('w2', 0)]);
    const b = newNodeInfo(node('b'), [pod('vip', '2', 20)]);
    const c = chosen(tryPreempt(p, [a, b]));
    expect(c.node).toBe('a');
    expect(names(c.victims).sort()).toEqual(['w1', 'w2']);
  });

  it('looks for 10% of the nodes as candidates, at least 100', () => {
    expect(candidatesToFind(50)).toBe(50);
    expect(candidatesToFind(500)).toBe(100);
    expect(candidatesToFind(5000)).toBe(500);
    expect(candidatesToFind(5000, { minCandidateNodesPercentage: 1, minCandidateNodesAbsolute: 0 })).toBe(50);
    expect(candidatesToFind(50, { minCandidateNodesPercentage: 100, minCandidateNodesAbsolute: 1 })).toBe(50);
  });
});

describe('nominated pods', () => {
  it('keep their room from pods of lower or equal priority, but not from more important ones', () => {
    const a = newNodeInfo(node('a'), []);
    const waiting = pod('preemptor', '1500m', 10);
    const nominated = new Map([['a', [waiting]]]);
    expect(schedule(pod('low', '1', 10), [a], defaultFilters, defaultScores, 0, { nominated }).message).toBe('0/1 nodes are available: 1 Insufficient cpu.');
    expect(schedule(pod('high', '1', 11), [a], defaultFilters, defaultScores, 0, { nominated }).node).toBe('a');
    // The nominated pod itself is not in its own way.
    expect(schedule(waiting, [a], defaultFilters, defaultScores, 0, { nominated }).node).toBe('a');
  });

  it('go to the node they were nominated to when it fits, before any other', () => {
    const infos = [newNodeInfo(node('a', '8'), []), newNodeInfo(node('b'), [pod('busy', '1', 0)])];
    expect(schedule(pod('p', '500m', 0), infos, defaultFilters, defaultScores).node).toBe('a');
    expect(schedule(pod('p', '500m', 0), infos, defaultFilters, defaultScores, 0, { nominatedNode: infos[1] }).node).toBe('b');
  });
});
