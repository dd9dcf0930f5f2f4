import { describe, expect, it } from 'vitest';
import type { Node, Taint } from '../api/types/core.js';
import type { KubeObject } from '../api/types/meta.js';
import type { Pod } from '../api/types/pod.js';
import { feasibleNodesToFind, schedule, SKIP, unschedulable, type FilterPlugin, type ScorePlugin } from './framework.js';
import { hostPorts, newNodeInfo, podRequests } from './node-info.js';
import { defaultFilters, defaultScores } from './plugins/index.js';
import { nodeAffinity, preferredNodeAffinity } from './plugins/node-affinity.js';
import { podTopologySpreadScoring, SYSTEM_DEFAULT_CONSTRAINTS } from './plugins/topology-spread.js';
import { defaultSelector } from './default-selector.js';
import { nodePorts } from './plugins/node-ports.js';
import { interPodAffinity } from './plugins/inter-pod-affinity.js';
import { NO_VOLUMES, volumeBinding } from './plugins/volume-binding.js';

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

  it('fits extended resources and ephemeral storage: only nodes advertising enough, counting the pods already there', () => {
    const withGpu = (name: string, gpus: string): Node => {
      const n = node(name);
      n.status!.allocatable = { ...n.status!.allocatable, 'example.com/gpu': gpus, 'ephemeral-storage': '10Gi' };
      return n;
    };
    const wants = (name: string, requests: Record<string, string>) => pod(name, { containers: [{ name: 'c', image: 'i', resources: { requests } }] });
    const gpuPod = (name: string) => wants(name, { 'example.com/gpu': '1' });
    // No node advertises it: each is short of it, in Kubernetes' words.
    expect(run(gpuPod('p'), [[node('a'), []], [node('b'), []]]).message).toBe('0/2 nodes are available: 2 Insufficient example.com/gpu.');
    // The one GPU of node b is taken by a pod already there; node c has two.
    expect(run(gpuPod('p'), [[withGpu('b', '1'), [gpuPod('x')]], [withGpu('c', '2'), [gpuPod('y')]]]).node).toBe('c');
    expect(run(gpuPod('p'), [[withGpu('b', '1'), [gpuPod('x')]]]).message).toBe('0/1 nodes are available: 1 Insufficient example.com/gpu.');
    // Ephemeral storage: a node that does not report it has none to give.
    expect(run(wants('s', { 'ephemeral-storage': '1Gi' }), [[node('a'), []], [withGpu('b', '0'), []]]).node).toBe('b');
    expect(run(wants('s', { 'ephemeral-storage': '11Gi' }), [[withGpu('b', '0'), []]]).message).toBe('0/1 nodes are available: 1 Insufficient ephemeral-storage.');
    // A name without a domain is not a resource the scheduler counts.
    expect(run(wants('u', { widgets: '5' }), [[node('a'), []]]).node).toBe('a');
    expect(podRequests(gpuPod('q')).scalar).toEqual(new Map([['example.com/gpu', 1]]));
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

describe('inter-pod anti-affinity, both ways', () => {
  const zoneNode = (name: string, zone: string) => node(name, { labels: { zone } });
  const antiTerm = (app: string, topologyKey = 'zone') => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey, labelSelector: { matchLabels: { app } } }] } });

  it("keeps a pod out of a domain holding pods its terms select, and out of one whose pods' terms select it", () => {
    const nodes: Array<[Node, Pod[]]> = [
      [zoneNode('a1', 'a'), [pod('web-1', {}, { labels: { app: 'web' } })]],
      [zoneNode('a2', 'a'), []],
      [zoneNode('b1', 'b'), []],
    ];
    // Its own term: not zone a (web runs there), whichever node.
    expect(run(pod('p', { affinity: antiTerm('web') }), nodes).node).toBe('b1');
    // The existing pod's term selects it: zone a refuses it too.
    const guarded: Array<[Node, Pod[]]> = [
      [zoneNode('a1', 'a'), [pod('guard', { affinity: antiTerm('cache') }, { labels: { app: 'guard' } })]],
      [zoneNode('a2', 'a'), []],
      [zoneNode('b1', 'b'), []],
    ];
    expect(run(pod('c', {}, { labels: { app: 'cache' } }), guarded).node).toBe('b1');
    const onlyA = guarded.slice(0, 2);
    expect(run(pod('c', {}, { labels: { app: 'cache' } }), onlyA).message).toBe("0/2 nodes are available: 2 node(s) didn't satisfy existing pods anti-affinity rules.");
    // Nodes without the topology label are no domain: nothing to avoid there.
    expect(run(pod('p', { affinity: antiTerm('web', 'rack') }), nodes).node).toBeDefined();
  });

  it('ignores the pod itself and pods of other namespaces', () => {
    const self = pod('p', { affinity: antiTerm('web') }, { labels: { app: 'web' } });
    const elsewhere = pod('w', {}, { labels: { app: 'web' }, namespace: 'other' });
    expect(run(self, [[zoneNode('a1', 'a'), [self, elsewhere]]]).node).toBe('a1');
  });
});

describe('required inter-pod affinity', () => {
  const zoneNode = (name: string, zone?: string) => node(name, { labels: zone ? { zone } : {} });
  const withTerm = (app: string, topologyKey = 'zone') => ({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey, labelSelector: { matchLabels: { app } } }] } });

  it('places a pod only in a domain holding a pod its terms select', () => {
    const nodes: Array<[Node, Pod[]]> = [
      [zoneNode('a1', 'a'), []],
      [zoneNode('b1', 'b'), [pod('db-1', {}, { labels: { app: 'db' } })]],
      [zoneNode('b2', 'b'), []],
    ];
    const placed = run(pod('p', { affinity: withTerm('db') }), nodes).node;
    expect(['b1', 'b2']).toContain(placed);
    // Nothing selected in any domain it may use: refused everywhere, and preemption cannot help.
    const result = run(pod('p', { affinity: withTerm('cache') }), nodes);
    expect(result.message).toBe("0/3 nodes are available: 3 node(s) didn't match pod affinity rules.");
    expect([...result.unresolvable!].sort()).toEqual(['a1', 'b1', 'b2']);
    // A node without the topology key is no domain at all.
    expect(run(pod('p', { affinity: withTerm('db') }), [[zoneNode('x'), [pod('db-1', {}, { labels: { app: 'db' } })]]]).message).toBe("0/1 nodes are available: 1 node(s) didn't match pod affinity rules.");
  });

  it('lets the first pod of a group that selects itself start anywhere its topology exists', () => {
    const first = pod('web-1', { affinity: withTerm('web') }, { labels: { app: 'web' } });
    expect(run(first, [[zoneNode('a1', 'a'), []]]).node).toBe('a1');
    expect(run(first, [[zoneNode('x'), []]]).message).toBe("0/1 nodes are available: 1 node(s) didn't match pod affinity rules.");
    // Once one runs, the rest follow it into its domain.
    const nodes: Array<[Node, Pod[]]> = [[zoneNode('a1', 'a'), []], [zoneNode('b1', 'b'), [pod('web-0', {}, { labels: { app: 'web' } })]]];
    expect(run(pod('web-2', { affinity: withTerm('web') }, { labels: { app: 'web' } }), nodes).node).toBe('b1');
  });
});

describe('topology spread constraints (DoNotSchedule)', () => {
  const zoneNode = (name: string, zone?: string, extra: Parameters<typeof node>[1] = {}) => node(name, { ...extra, labels: { ...(zone ? { zone } : {}), ...(extra.labels ?? {}) } });
  const web = (name: string, extra: Record<string, unknown> = {}) => pod(name, extra, { labels: { app: 'web' } });
  const spread = (constraint: Record<string, unknown> = {}) => ({
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...constraint }],
  });

  it('keeps the selected pods within maxSkew of the emptiest domain', () => {
    const nodes: Array<[Node, Pod[]]> = [
      [zoneNode('a1', 'a'), [web('w1'), web('w2')]],
      [zoneNode('b1', 'b'), [web('w3')]],
      [zoneNode('c1', 'c', { cpu: '1' }), [web('w4')]],
    ];
    // a holds 2, b and c 1: a would make 3 - 1 = 2 > 1.
    const placed = run(web('p', spread()), nodes).node;
    expect(['b1', 'c1']).toContain(placed);
    expect(run(web('p', spread({ maxSkew: 2 })), [[zoneNode('a1', 'a'), [web('w1'), web('w2')]], [zoneNode('b1', 'b'), [web('w3'), pod('big', { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '1800m' } } }] })]]]).node).toBe('a1');
    // Every domain but the full one would break the spread: Kubernetes' words for each.
    const full = run(web('p', spread()), [[zoneNode('a1', 'a'), [web('w1')]], [zoneNode('b1', 'b', { cpu: '100m' }), []]]);
    expect(full.message).toBe("0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match pod topology spread constraints.");
    // Pods it does not select, of other namespaces or leaving, do not count; nor does a pod that does not match itself add one.
    const others: Array<[Node, Pod[]]> = [[zoneNode('a1', 'a'), [pod('x'), pod('y', {}, { labels: { app: 'web' }, namespace: 'other' }), pod('z', {}, { labels: { app: 'web' }, deletionTimestamp: '2026-12-05T00:00:00Z' })]], [zoneNode('b1', 'b'), [web('w1')]]];
    expect(run(web('p', spread()), others).node).toBe('a1');
  });

  it('refuses nodes without the topology key as unresolvable, and counts only the domains of eligible nodes', () => {
    const result = run(web('p', spread()), [[zoneNode('x'), []]]);
    expect(result.message).toBe("0/1 nodes are available: 1 node(s) didn't match pod topology spread constraints (missing required label).");
    expect([...result.unresolvable!]).toEqual(['x']);
    // Zone c is outside the pod's node selector (nodeAffinityPolicy Honor): its emptiness does not hold a and b back.
    const nodes: Array<[Node, Pod[]]> = [
      [zoneNode('a1', 'a', { labels: { pool: 'web' } }), [web('w1')]],
      [zoneNode('b1', 'b', { labels: { pool: 'web' } }), [web('w2')]],
      [zoneNode('c1', 'c'), []],
    ];
    expect(['a1', 'b1']).toContain(run(web('p', { ...spread(), nodeSelector: { pool: 'web' } }), nodes).node);
    // With Ignore, zone c counts: 1 + 1 - 0 > 1 in a and b, and c is not in the selector.
    expect(run(web('p', { ...spread({ nodeAffinityPolicy: 'Ignore' }), nodeSelector: { pool: 'web' } }), nodes).message).toBe("0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 node(s) didn't match pod topology spread constraints.");
    // Tainted nodes count unless nodeTaintsPolicy is Honor.
    const tainted: Array<[Node, Pod[]]> = [[zoneNode('a1', 'a'), [web('w1')]], [zoneNode('b1', 'b', { taints: [{ key: 'k', effect: 'NoSchedule' }] }), []]];
    expect(run(web('p', spread()), tainted).node).toBeUndefined();
    expect(run(web('p', spread({ nodeTaintsPolicy: 'Honor' })), tainted).node).toBe('a1');
  });

  it('takes the global minimum as 0 below minDomains, and adds the pod\'s matchLabelKeys to the selector', () => {
    const nodes: Array<[Node, Pod[]]> = [[zoneNode('a1', 'a'), [web('w1')]], [zoneNode('b1', 'b'), [web('w2')]]];
    expect(run(web('p', spread()), nodes).node).toBeDefined();
    expect(run(web('p', spread({ minDomains: 3 })), nodes).message).toBe("0/2 nodes are available: 2 node(s) didn't match pod topology spread constraints.");
    // Only pods of the same revision count: the old revision's pods in zone a do not hold the new one back.
    const rev = (name: string, hash: string, extra: Record<string, unknown> = {}) => pod(name, extra, { labels: { app: 'web', 'pod-template-hash': hash } });
    const rollout: Array<[Node, Pod[]]> = [[zoneNode('a1', 'a'), [rev('old-1', 'v1'), rev('old-2', 'v1')]], [zoneNode('b1', 'b', { cpu: '100m' }), []]];
    expect(run(rev('new-1', 'v2', spread()), rollout).node).toBeUndefined();
    expect(run(rev('new-1', 'v2', spread({ matchLabelKeys: ['pod-template-hash'] })), rollout).node).toBe('a1');
  });
});

describe('topology spread constraints (ScheduleAnyway)', () => {
  const web = (name: string, extra: Record<string, unknown> = {}) => pod(name, extra, { labels: { app: 'web' } });
  const soft = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } }] };

  it('prefers the domain holding fewest selected pods over an emptier node, and never refuses', () => {
    const nodes: Array<[Node, Pod[]]> = [
      [node('a1', { cpu: '8', labels: { zone: 'a' } }), [web('w1'), web('w2')]],
      [node('b1', { labels: { zone: 'b' } }), [pod('x'), pod('y')]],
    ];
    expect(run(web('p'), nodes).node).toBe('a1');
    expect(run(web('p', soft), nodes).node).toBe('b1');
    // Only zone a has room: the soft constraint still places the pod there.
    const full: Array<[Node, Pod[]]> = [[node('a1', { cpu: '8', labels: { zone: 'a' } }), [web('w1')]], [node('b1', { cpu: '1', labels: { zone: 'b' } }), [pod('x'), pod('y')]]];
    expect(run(web('p', soft), full).node).toBe('a1');
  });

  it('scores nodes missing the key lowest, and counts per node for the hostname key', () => {
    const nodes: Array<[Node, Pod[]]> = [
      [node('keyless', { cpu: '8' }), []],
      [node('b1', { labels: { zone: 'b' } }), [pod('x')]],
    ];
    expect(run(web('p', soft), nodes).node).toBe('b1');
    const byHost = { topologySpreadConstraints: [{ ...soft.topologySpreadConstraints[0]!, topologyKey: 'kubernetes.io/hostname' }] };
    const hosts: Array<[Node, Pod[]]> = [[node('h1', { cpu: '8' }), [web('w1'), web('w2')]], [node('h2'), [pod('x'), pod('y')]]];
    expect(run(web('p'), hosts).node).toBe('h1');
    expect(run(web('p', byHost), hosts).node).toBe('h2');
  });
});

describe('preferred inter-pod affinity', () => {
  const term = (app: string, topologyKey = 'kubernetes.io/hostname', weight = 100) => [{ weight, podAffinityTerm: { topologyKey, labelSelector: { matchLabels: { app } } } }];
  // h1 is far emptier: resource scores alone send every pod there.
  const nodes = (onH1: Pod[]): Array<[Node, Pod[]]> => [[node('h1', { cpu: '8', labels: { zone: 'a' } }), onH1], [node('h2', { labels: { zone: 'b' } }), [pod('x'), pod('y', {}, { labels: { app: 'db' } })]]];

  it("steers a pod by its own preferred terms: away from what its anti-affinity names, towards what its affinity names", () => {
    const web = (name: string, affinity?: object) => pod(name, affinity ? { affinity } : {}, { labels: { app: 'web' } });
    expect(run(web('p'), nodes([web('w1')])).node).toBe('h1');
    expect(run(web('p', { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: term('web') } }), nodes([web('w1')])).node).toBe('h2');
    expect(run(web('p', { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: term('db', 'zone') } }), nodes([])).node).toBe('h2');
  });

  it("and by existing pods' terms that name it", () => {
    const loner = pod('loner', { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: term('web') } } }, { labels: { app: 'loner' } });
    expect(run(pod('p', {}, { labels: { app: 'web' } }), nodes([loner])).node).toBe('h2');
    expect(run(pod('p', {}, { labels: { app: 'cache' } }), nodes([loner])).node).toBe('h1');
    // An existing pod's required affinity naming the pod draws it too (weight 1, scaled like any other).
    const follower = pod('f', { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone', labelSelector: { matchLabels: { app: 'web' } } }] } } });
    const withFollower: Array<[Node, Pod[]]> = [[node('h1', { labels: { zone: 'a' } }), []], [node('h2', { labels: { zone: 'b' } }), [follower]]];
    expect(run(pod('p', {}, { labels: { app: 'web' } }), withFollower).node).toBe('h2');
  });
});

describe('how many nodes are searched', () => {
  it("follows Kubernetes' adaptive percentageOfNodesToScore", () => {
    expect(feasibleNodesToFind(50)).toBe(50);
    expect(feasibleNodesToFind(100)).toBe(100);
    expect(feasibleNodesToFind(1000)).toBe(420); // 50 - 1000/125 = 42%
    expect(feasibleNodesToFind(5000)).toBe(500); // 10%
    expect(feasibleNodesToFind(6000)).toBe(300); // floor of 5%
    expect(feasibleNodesToFind(1500)).toBe(570);
  });

  it('stops once enough feasible nodes are found, starting where the last search ended', () => {
    const infos = Array.from({ length: 300 }, (_, i) => newNodeInfo(node(`n-${String(i).padStart(3, '0')}`), []));
    const first = schedule(pod('p'), infos, defaultFilters, defaultScores, 0);
    expect(first.processed).toBe(feasibleNodesToFind(300));
    const second = schedule(pod('q'), infos, defaultFilters, defaultScores, 290);
    // The search wrapped around: the chosen node is among 290..299 and 0..89.
    const chosen = Number(second.node!.slice(2));
    expect(chosen >= 290 || chosen < 90).toBe(true);
  });
});

describe('filters a pod asks nothing of', () => {
  it('are left out of its cycle when their preFilter says Skip', () => {
    let calls = 0;
    const counted = { name: 'Counted', preFilter: () => SKIP, filter: () => (calls++, unschedulable('never')) } satisfies FilterPlugin;
    const result = schedule(pod('p'), [newNodeInfo(node('a'), [])], [...defaultFilters, counted], defaultScores);
    expect(result.node).toBe('a');
    expect(calls).toBe(0);
  });

  it('are skipped by the default plugins only when the pod has no selector, ports, anti-affinity or claims', () => {
    const skipped = (p: Pod) => {
      const state = { pod: p, allNodes: [newNodeInfo(node('a'), [])], requests: podRequests(p), hostPorts: hostPorts(p), data: new Map() };
      return [nodeAffinity, nodePorts, interPodAffinity, volumeBinding(NO_VOLUMES)]
        .filter((f) => f.preFilter?.(state) === SKIP)
        .map((f) => f.name);
    };
    expect(skipped(pod('plain'))).toEqual(['NodeAffinity', 'NodePorts', 'InterPodAffinity', 'VolumeBinding']);
    const asking = pod('asking', {
      nodeSelector: { disk: 'ssd' },
      containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, hostPort: 8080 }] }],
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone', labelSelector: { matchLabels: { app: 'x' } } }] } },
      volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }],
    });
    expect(skipped(asking)).toEqual([]);
  });

  it('hold a pod with a generic ephemeral volume until its own claim exists, and name a missing claim once', () => {
    const claims = new Map<string, KubeObject>();
    const binding = volumeBinding({
      claim: (ns, name) => claims.get(`${ns}/${name}`) as never,
      volume: () => undefined,
      storageClass: () => ({ metadata: { name: 'local-path' }, provisioner: 'x', volumeBindingMode: 'WaitForFirstConsumer' }) as never,
    });
    const p = pod('web', { volumes: [{ name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: {} } } }] });
    const attempt = () => schedule(p, [newNodeInfo(node('a'), [])], [binding], []);
    expect(attempt().message).toBe('0/1 nodes are available: waiting for ephemeral volume controller to create the persistentvolumeclaim "web-scratch".');
    const claim = (owner: string) => ({ metadata: { name: 'web-scratch', namespace: 'default', ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'web', uid: owner, controller: true }] }, spec: { storageClassName: 'local-path' } }) as KubeObject;
    claims.set('default/web-scratch', claim('someone-else'));
    expect(attempt().message).toBe('0/1 nodes are available: PVC default/web-scratch was not created for pod default/web (pod is not owner).');
    claims.set('default/web-scratch', claim('uid-web'));
    expect(attempt().node).toBe('a');
    // What no node can change is said once, not per node, as Kubernetes' PreFilter messages are.
    const plain = pod('db', { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }] });
    const result = schedule(plain, [newNodeInfo(node('a'), []), newNodeInfo(node('b'), [])], [binding], []);
    expect(result.message).toBe('0/2 nodes are available: persistentvolumeclaim "data" not found.');
    expect([...result.unresolvable!]).toEqual(['a', 'b']);
  });

  it('leave out score plugins that would score every node alike, and keep them for pods they concern', () => {
    let calls = 0;
    const counted = { name: 'Counted', weight: 100, preScore: () => SKIP, score: () => calls++ } satisfies ScorePlugin;
    const nodes = [newNodeInfo(node('a'), [pod('x')]), newNodeInfo(node('b'), [])];
    expect(schedule(pod('p'), nodes, defaultFilters, [...defaultScores, counted]).node).toBe('b');
    expect(calls).toBe(0);
    const state = (p: Pod) => ({ pod: p, allNodes: nodes, requests: podRequests(p), hostPorts: hostPorts(p), data: new Map() });
    // Default spreading over the pods the ReplicaSet "rs" selects (app=web), as a profile does.
    const selectors = { serviceSelectors: () => [], controllerSelector: (kind: string, _ns: string, name: string) => (kind === 'ReplicaSet' && name === 'rs' ? { matchLabels: { app: 'web' } } : undefined) };
    const spread = podTopologySpreadScoring({ constraints: SYSTEM_DEFAULT_CONSTRAINTS, system: true, selector: (p) => defaultSelector(p, selectors) });
    const skipped = (p: Pod) => [spread, preferredNodeAffinity].filter((s) => s.preScore?.(state(p), nodes) === SKIP).map((s) => s.name);
    expect(skipped(pod('plain'))).toEqual(['PodTopologySpread', 'NodeAffinityPreferred']);
    const owned = pod('owned', { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] } } }, {
      labels: { app: 'web' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true }],
    });
    expect(skipped(owned)).toEqual([]);
    // Siblings of one owner still spread: the node without one wins.
    const sibling = pod('sib', {}, { labels: { app: 'web' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true }] });
    expect(schedule(owned, [newNodeInfo(node('a'), []), newNodeInfo(node('b'), [sibling])], defaultFilters, [...defaultScores, spread]).node).toBe('a');
  });

  it('need not ask filters that pass every pod on open nodes, and still ask them on the others', () => {
    const asked: string[] = [];
    const basic = { name: 'Basic', passesOpenNodes: true, filter: (_s: unknown, n: { node: Node }) => (asked.push(n.node.metadata.name!), unschedulable('closed')) } satisfies FilterPlugin;
    const nodes = [
      newNodeInfo(node('a-soft', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] }), []),
      newNodeInfo(node('b-open'), []),
      newNodeInfo(node('cordoned', { unschedulable: true }), []),
      newNodeInfo(node('tainted', { taints: [{ key: 'k', effect: 'NoSchedule' }] }), []),
      newNodeInfo(node('down', { ready: false }), []),
    ];
    expect(nodes.map((n) => n.open)).toEqual([true, true, false, false, false]);
    const result = schedule(pod('p'), nodes, [basic], defaultScores);
    expect(asked).toEqual(['cordoned', 'tainted', 'down']);
    // Of the open nodes, the one without a PreferNoSchedule taint scores higher.
    expect(result.node).toBe('b-open');
  });
});
