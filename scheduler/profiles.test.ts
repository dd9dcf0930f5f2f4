// KubeSchedulerConfiguration files as kube-scheduler reads them: strict, checked, defaulted,
// and the plugins each profile runs, merged with Kubernetes' defaults as it merges them.
import { describe, expect, it } from 'vitest';
import type { Node } from '../api/types/core.js';
import type { Pod } from '../api/types/pod.js';
import { ConfigurationError, parseSchedulerConfiguration } from './configuration.js';
import { schedule } from './framework.js';
import { newNodeInfo } from './node-info.js';
import { buildProfiles, NO_SOURCES, type Profile } from './profiles.js';

const HEAD = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';

function profiles(yaml: string): Profile[] {
  return buildProfiles(parseSchedulerConfiguration(HEAD + yaml), NO_SOURCES).profiles;
}
const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigurationError);
    return (err as Error).message;
  }
  throw new Error('accepted');
};
const scoreWeights = (p: Profile) => p.scores.map((s) => `${s.name}:${s.weight}`);

describe('reading a KubeSchedulerConfiguration', () => {
  it('fills in Kubernetes\' defaults: one default-scheduler profile, adaptive node share, 1 s / 10 s back-off, leases', () => {
    const c = parseSchedulerConfiguration(HEAD);
    expect(c).toMatchObject({
      profiles: [{ schedulerName: 'default-scheduler' }],
      percentageOfNodesToScore: 0,
      podInitialBackoffSeconds: 1,
      podMaxBackoffSeconds: 10,
      parallelism: 16,
      leaderElection: { leaderElect: true, leaseDuration: '15s', renewDeadline: '10s', retryPeriod: '2s', resourceLock: 'leases', resourceName: 'kube-scheduler', resourceNamespace: 'kube-system' },
    });
    // JSON is YAML too; null is "not set".
    expect(parseSchedulerConfiguration(JSON.stringify({ apiVersion: 'kubescheduler.config.k8s.io/v1', kind: 'KubeSchedulerConfiguration', leaderElection: { leaderElect: null } })).leaderElection.leaderElect).toBe(true);
  });

  it('refuses what kube-scheduler refuses, saying where', () => {
    expect(refusal(() => parseSchedulerConfiguration('apiVersion: kubescheduler.config.k8s.io/v1beta3\nkind: KubeSchedulerConfiguration\n'))).toMatch(/no kind "KubeSchedulerConfiguration" is registered for version "kubescheduler.config.k8s.io\/v1beta3"/);
    expect(refusal(() => parseSchedulerConfiguration(HEAD + 'profiles:\n- schedulerName: a\n  plugin: {}\n'))).toBe('strict decoding error: unknown field "profiles[0].plugin"');
    expect(refusal(() => parseSchedulerConfiguration(HEAD + '__proto__: {}\n'))).toBe('strict decoding error: unknown field "__proto__"');
    expect(refusal(() => parseSchedulerConfiguration(HEAD + 'percentageOfNodesToScore: 101\n'))).toBe('percentageOfNodesToScore: Invalid value: 101: not in valid range [0-100]');
    expect(refusal(() => parseSchedulerConfiguration(HEAD + 'podInitialBackoffSeconds: 5\npodMaxBackoffSeconds: 2\n'))).toMatch(/^podMaxBackoffSeconds: Invalid value: 2/);
    expect(refusal(() => parseSchedulerConfiguration(HEAD + 'profiles:\n- schedulerName: a\n- schedulerName: a\n'))).toBe('profiles[1].schedulerName: Duplicate value: "a"');
    expect(refusal(() => parseSchedulerConfiguration(HEAD + 'profiles:\n- {}\n'))).toBe('profiles[0].schedulerName: Required value');
    expect(refusal(() => parseSchedulerConfiguration(HEAD + 'leaderElection:\n  leaseDuration: 5s\n  renewDeadline: 10s\n'))).toMatch(/LeaseDuration must be greater than RenewDeadline/);
    expect(refusal(() => parseSchedulerConfiguration(HEAD + 'extenders:\n- urlPrefix: http://127.0.0.1:1\n'))).toMatch(/does not call scheduler extenders/);
    expect(refusal(() => parseSchedulerConfiguration(HEAD + 'parallelism: "16"\n'))).toBe('parallelism: must be a number');
    expect(refusal(() => parseSchedulerConfiguration('{'))).toMatch(/^not YAML or JSON/);
  });
});

describe('the plugins of a profile', () => {
  it("runs Kubernetes' default set, in its filter order and with its weights", () => {
    const [p] = profiles('');
    expect(p!.filters.map((f) => f.name)).toEqual(['NodeReady', 'NodeUnschedulable', 'TaintToleration', 'NodeAffinity', 'NodePorts', 'NodeResourcesFit', 'VolumeRestrictions', 'VolumeBinding', 'VolumeZone', 'PodTopologySpread', 'InterPodAffinity']);
    expect(scoreWeights(p!)).toEqual(['TaintTolerationPreferred:3', 'NodeAffinityPreferred:2', 'NodeResourcesFit:1', 'PodTopologySpread:2', 'InterPodAffinity:2', 'NodeResourcesBalancedAllocation:1', 'ImageLocality:1']);
    expect(p!.preemption).toBe(true);
  });

  it('disables plugins at a point or everywhere, and re-weights a default in its place', () => {
    const [p] = profiles(`profiles:
- schedulerName: custom
  plugins:
    score:
      enabled: [{ name: NodeResourcesFit, weight: 5 }]
      disabled: [{ name: NodeResourcesBalancedAllocation }, { name: PodTopologySpread }]
    postFilter:
      disabled: [{ name: DefaultPreemption }]
    multiPoint:
      disabled: [{ name: InterPodAffinity }]
`);
    expect(p!.schedulerName).toBe('custom');
    expect(scoreWeights(p!)).toEqual(['NodeResourcesFit:5', 'TaintTolerationPreferred:3', 'NodeAffinityPreferred:2', 'ImageLocality:1']);
    // Disabled at the score point only: PodTopologySpread still filters; InterPodAffinity is gone from both.
    expect(p!.filters.map((f) => f.name)).toContain('PodTopologySpread');
    expect(p!.filters.map((f) => f.name)).not.toContain('InterPodAffinity');
    expect(p!.preemption).toBe(false);
  });

  it('starts from nothing with "*" and needs a queue sort and a binder then', () => {
    const [p] = profiles(`profiles:
- schedulerName: minimal
  plugins:
    multiPoint:
      enabled: [{ name: PrioritySort }, { name: DefaultBinder }, { name: NodeResourcesFit, weight: 2 }]
      disabled: [{ name: '*' }]
`);
    expect(p!.filters.map((f) => f.name)).toEqual(['NodeReady', 'NodeResourcesFit']);
    expect(scoreWeights(p!)).toEqual(['NodeResourcesFit:2']);
    expect(p!.preemption).toBe(false);
    expect(refusal(() => profiles('profiles:\n- schedulerName: x\n  plugins:\n    multiPoint:\n      disabled: [{ name: "*" }]\n'))).toBe('profiles[0]: no queue sort plugin is enabled');
    expect(refusal(() => profiles('profiles:\n- schedulerName: x\n  plugins:\n    bind:\n      disabled: [{ name: DefaultBinder }]\n'))).toBe('profiles[0]: at least one bind plugin is needed');
  });

  it('refuses plugins that do not exist, or at a point they do not extend', () => {
    expect(refusal(() => profiles('profiles:\n- schedulerName: x\n  plugins:\n    filter:\n      enabled: [{ name: Bogus }]\n'))).toBe('profiles[0].plugins.filter: plugin "Bogus" does not exist');
    expect(refusal(() => profiles('profiles:\n- schedulerName: x\n  plugins:\n    score:\n      enabled: [{ name: NodePorts }]\n'))).toBe('profiles[0].plugins.score: plugin "NodePorts" does not extend score plugin');
    expect(refusal(() => profiles('profiles:\n- schedulerName: x\n  plugins:\n    score:\n      enabled: [{ name: NodeResourcesFit, weight: -1 }]\n'))).toMatch(/weight: Invalid value: -1/);
    expect(refusal(() => profiles('profiles:\n- schedulerName: x\n  pluginConfig:\n  - name: __proto__\n    args: {}\n'))).toBe('profiles[0].pluginConfig: plugin "__proto__" does not exist');
  });

  it('says which plugins and args of the file kubette does not run', () => {
    const config = parseSchedulerConfiguration(HEAD + 'profiles:\n- schedulerName: x\n  pluginConfig:\n  - name: VolumeBinding\n    args: { bindTimeoutSeconds: 5 }\n');
    expect(buildProfiles(config, NO_SOURCES).unsupported).toEqual(['VolumeBinding args: bindTimeoutSeconds', 'plugin NodeVolumeLimits']);
  });

  it("reads DefaultPreemption's candidate counts and NodeResourcesFit's ignored resources, and checks them", () => {
    const args = (name: string, a: string) => `profiles:\n- schedulerName: x\n  pluginConfig:\n  - name: ${name}\n    args: ${a}\n`;
    expect(profiles(args('DefaultPreemption', '{ minCandidateNodesPercentage: 50, minCandidateNodesAbsolute: 1 }'))[0]!.candidateCounts).toEqual({ minCandidateNodesPercentage: 50, minCandidateNodesAbsolute: 1 });
    expect(profiles('')[0]!.candidateCounts).toEqual({ minCandidateNodesPercentage: 10, minCandidateNodesAbsolute: 100 });
    expect(refusal(() => profiles(args('DefaultPreemption', '{ minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 0 }')))).toMatch(/both minCandidateNodesPercentage and minCandidateNodesAbsolute cannot be zero/);
    expect(refusal(() => profiles(args('DefaultPreemption', '{ minCandidateNodesPercentage: 101 }')))).toMatch(/minCandidateNodesPercentage: Invalid value: 101: not in valid range \[0, 100\]/);
    // A node short of example.com/dongle still takes the pod when the profile leaves dongles to someone else.
    const node = newNodeInfo({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'a', labels: {} }, spec: {}, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] } } as Node, []);
    const wanting = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'p' }, spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { 'example.com/dongle': '1' }, limits: { 'example.com/dongle': '1' } } }] } } as Pod;
    const strict = profiles('')[0]!;
    expect(schedule(wanting, [node], strict.filters, strict.scores).message).toBe('0/1 nodes are available: 1 Insufficient example.com/dongle.');
    for (const a of ['{ ignoredResources: [example.com/dongle] }', '{ ignoredResourceGroups: [example.com] }']) {
      const lax = profiles(args('NodeResourcesFit', a))[0]!;
      expect(schedule(wanting, [node], lax.filters, lax.scores).node).toBe('a');
    }
    expect(refusal(() => profiles(args('NodeResourcesFit', '{ ignoredResourceGroups: [example.com/x] }')))).toMatch(/resource group name can't contain '\/'/);
  });

  it("adds a profile's node affinity to every pod it schedules (NodeAffinityArgs), and checks it", () => {
    const [p] = profiles(`profiles:
- schedulerName: x
  pluginConfig:
  - name: NodeAffinity
    args:
      addedAffinity:
        requiredDuringSchedulingIgnoredDuringExecution:
          nodeSelectorTerms:
          - matchExpressions: [{ key: pool, operator: In, values: [batch] }]
`);
    const node = (name: string, pool: string) => newNodeInfo({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { pool } }, spec: {}, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] } } as Node, []);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] } } as Pod;
    expect(schedule(pod, [node('a', 'web'), node('b', 'batch')], p!.filters, p!.scores).node).toBe('b');
    expect(schedule(pod, [node('a', 'web')], p!.filters, p!.scores).message).toBe("0/1 nodes are available: 1 node(s) didn't match scheduler-enforced node affinity.");
    expect(refusal(() => profiles('profiles:\n- schedulerName: x\n  pluginConfig:\n  - name: NodeAffinity\n    args:\n      addedAffinity:\n        requiredDuringSchedulingIgnoredDuringExecution:\n          nodeSelectorTerms: [{ matchExpressions: [{ key: pool, operator: Near }] }]\n'))).toBe(
      'profiles[0].pluginConfig[NodeAffinity].addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator',
    );
    expect(refusal(() => profiles('profiles:\n- schedulerName: x\n  pluginConfig:\n  - name: InterPodAffinity\n    args: { hardPodAffinityWeight: 101 }\n'))).toMatch(/hardPodAffinityWeight: Invalid value: 101: not in valid range \[0, 100\]/);
  });
});

describe('default topology spreading (PodTopologySpreadArgs)', () => {
  const zone = (name: string, z?: string) =>
    ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(z ? { 'topology.kubernetes.io/zone': z } : {}) } }, spec: {}, status: { allocatable: { cpu: '8', memory: '16Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] } }) as Node;
  const web = (name: string, nodeName?: string, owner = true): Pod =>
    ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', uid: name, labels: { app: 'web' }, ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'rs', controller: true }] } : {}) },
      spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
    }) as Pod;
  const sources = (services: Record<string, string>[] = []) => ({
    ...NO_SOURCES,
    selectors: { serviceSelectors: () => services, controllerSelector: (kind: string, _ns: string, name: string) => (kind === 'ReplicaSet' && name === 'web-1' ? { matchLabels: { app: 'web' } } : undefined) },
  });
  const build = (yaml: string, services?: Record<string, string>[]) => buildProfiles(parseSchedulerConfiguration(HEAD + yaml), sources(services)).profiles[0]!;

  it("spreads a controller's pods across zones by Kubernetes' system defaults, nodes without a zone scored too", () => {
    const p = build('');
    // Zone a holds two of the set, zone b none (only a pod of another app): the new pod goes to zone b.
    const other = { ...web('other', 'b1', false), metadata: { name: 'other', namespace: 'default', uid: 'other', labels: { app: 'other' } } } as Pod;
    const nodes = [newNodeInfo(zone('a1', 'a'), [web('w1', 'a1')]), newNodeInfo(zone('a2', 'a'), [web('w2', 'a2')]), newNodeInfo(zone('b1', 'b'), [other])];
    expect(schedule(web('new'), nodes, p.filters, p.scores).node).toBe('b1');
    // A pod labelled like the set but owned by nothing and selected by no Service still counts as one of it.
    const crowded = [newNodeInfo(zone('a1', 'a'), [web('w1', 'a1')]), newNodeInfo(zone('b1', 'b'), [web('w3', 'b1'), web('w4', 'b1', false)])];
    expect(schedule(web('new'), crowded, p.filters, p.scores).node).toBe('a1');
  });

  it("spreads a Service's pods that no controller owns, and leaves pods nothing selects alone", () => {
    const nodes = () => [newNodeInfo(zone('n1'), [web('w1', 'n1', false), web('w2', 'n1', false)]), newNodeInfo(zone('n2'), [])];
    const spread = build('', [{ app: 'web' }]);
    const state = { pod: web('new', undefined, false), allNodes: nodes(), requests: { milliCPU: 0, memory: 0, ephemeralStorage: 0, pods: 1 }, hostPorts: [], data: new Map() };
    const plugin = spread.scores.find((s) => s.name === 'PodTopologySpread')!;
    expect(plugin.preScore!(state, state.allNodes)).toBeUndefined();
    // Kubernetes' arithmetic: 2 x log(4) + (3 - 1) rounds to 5 on n1, 2 on n2; 100 x (5 + 2 - s) / 5.
    expect(plugin.normalize!(state.allNodes.map((n) => plugin.score(state, n)))).toEqual([40, 100]);
    // No Service, no controller: nothing to spread from.
    const lonely = build('');
    expect(lonely.scores.find((s) => s.name === 'PodTopologySpread')!.preScore!({ ...state, data: new Map() }, state.allNodes)).toBe('Skip');
  });

  it('takes listed default constraints (List), hard ones filtering, or none, and checks them as Kubernetes does', () => {
    const args = (a: string) => `profiles:\n- schedulerName: x\n  pluginConfig:\n  - name: PodTopologySpread\n    args: ${a}\n`;
    const hard = build(args('{ defaultingType: List, defaultConstraints: [{ maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule }] }'));
    // n1 is tainted PreferNoSchedule: scores alone would take n2, but n2 already holds two of the set, n1 none.
    const tainted = { ...zone('n1'), spec: { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] } } as Node;
    const nodes = [newNodeInfo(tainted, []), newNodeInfo(zone('n2'), [web('w2', 'n2'), web('w3', 'n2')])];
    const none = build(args('{ defaultingType: List }'));
    expect(schedule(web('new'), nodes, none.filters, none.scores).node).toBe('n2');
    const placed = schedule(web('new'), nodes, hard.filters, hard.scores);
    expect(placed.node).toBe('n1');
    expect(none.scores.find((s) => s.name === 'PodTopologySpread')!.preScore!({ pod: web('new'), allNodes: nodes, requests: { milliCPU: 0, memory: 0, ephemeralStorage: 0, pods: 1 }, hostPorts: [], data: new Map() }, nodes)).toBe('Skip');
    expect(refusal(() => build(args('{ defaultConstraints: [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway }] }')))).toMatch(/defaultingType: Invalid value: "System": when .defaultConstraints are not empty/);
    expect(refusal(() => build(args('{ defaultingType: List, defaultConstraints: [{ maxSkew: 0, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway }] }')))).toMatch(/defaultConstraints\[0\].maxSkew: Invalid value: 0: must be greater than zero/);
    expect(refusal(() => build(args('{ defaultingType: List, defaultConstraints: [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: Maybe }] }')))).toMatch(/whenUnsatisfiable: Unsupported value: "Maybe"/);
    expect(refusal(() => build(args('{ defaultingType: List, defaultConstraints: [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {} }] }')))).toMatch(/labelSelector: Forbidden/);
    expect(refusal(() => build(args('{ defaultingType: List, defaultConstraints: [{ maxSkew: 1, topologyKey: z, whenUnsatisfiable: DoNotSchedule }, { maxSkew: 2, topologyKey: z, whenUnsatisfiable: DoNotSchedule }] }')))).toMatch(/defaultConstraints\[1\]: Duplicate value/);
    expect(refusal(() => build(args('{ defaultingType: Sometimes }')))).toMatch(/defaultingType: Unsupported value: "Sometimes"/);
  });
});

describe('NodeResourcesFit scoring strategies', () => {
  const node = (name: string): Node => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: {},
    status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
  }) as Node;
  const pod = (name: string, cpu: string, nodeName?: string): Pod => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: name },
    spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'i', resources: { requests: { cpu, memory: '1Gi' } } }] },
  }) as Pod;
  const busy = () => [newNodeInfo(node('empty'), []), newNodeInfo(node('busy'), [pod('there', '2', 'busy')])];
  const place = (p: Profile) => schedule(pod('new', '1'), busy(), p.filters, p.scores).node;
  const strategy = (args: string) => profiles(`profiles:\n- schedulerName: x\n  pluginConfig:\n  - name: NodeResourcesFit\n    args:\n      scoringStrategy: ${args}\n`)[0]!;

  it('spreads by default (least allocated) and packs with MostAllocated', () => {
    expect(place(profiles('')[0]!)).toBe('empty');
    expect(place(strategy('{ type: MostAllocated }'))).toBe('busy');
    // cpu alone, weighted: the busy node is fuller in cpu.
    expect(place(strategy('{ type: MostAllocated, resources: [{ name: cpu, weight: 3 }] }'))).toBe('busy');
  });

  it('follows a RequestedToCapacityRatio shape, and checks it', () => {
    // Scores rise with use: packs.
    expect(place(strategy('{ type: RequestedToCapacityRatio, requestedToCapacityRatio: { shape: [{ utilization: 0, score: 0 }, { utilization: 100, score: 10 }] } }'))).toBe('busy');
    // Scores fall with use: spreads.
    expect(place(strategy('{ type: RequestedToCapacityRatio, requestedToCapacityRatio: { shape: [{ utilization: 0, score: 10 }, { utilization: 100, score: 0 }] } }'))).toBe('empty');
    expect(refusal(() => strategy('{ type: RequestedToCapacityRatio, requestedToCapacityRatio: { shape: [{ utilization: 50, score: 1 }, { utilization: 10, score: 2 }] } }'))).toMatch(/utilization values must be sorted in increasing order/);
    expect(refusal(() => strategy('{ type: Bogus }'))).toMatch(/scoringStrategy.type: Unsupported value: "Bogus"/);
    expect(refusal(() => strategy('{ type: MostAllocated, resources: [{ name: cpu, weight: 101 }] }'))).toMatch(/resource weight of cpu should be in the range \[1, 100\]/);
  });
});
