// KubeSchedulerConfiguration files as kube-scheduler reads them: strict, checked, defaulted,
// and the plugins each profile runs, merged with Kubernetes' defaults as it merges them.
import { describe, expect, it } from 'vitest';
import type { Node } from '../api/types/core.js';
import type { Pod } from '../api/types/pod.js';
import { ConfigurationError, parseSchedulerConfiguration } from './configuration.js';
import { schedule } from './framework.js';
import { newNodeInfo } from './node-info.js';
import { buildProfiles, type Profile } from './profiles.js';

const NO_VOLUMES = { claim: () => undefined, volume: () => undefined, storageClass: () => undefined };
const HEAD = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';

function profiles(yaml: string): Profile[] {
  return buildProfiles(parseSchedulerConfiguration(HEAD + yaml), NO_VOLUMES).profiles;
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
    expect(p!.filters.map((f) => f.name)).toEqual(['NodeReady', 'NodeUnschedulable', 'TaintToleration', 'NodeAffinity', 'NodePorts', 'NodeResourcesFit', 'VolumeBinding', 'PodTopologySpread', 'InterPodAffinity']);
    expect(scoreWeights(p!)).toEqual(['TaintTolerationPreferred:3', 'NodeAffinityPreferred:2', 'NodeResourcesFit:1', 'PodTopologySpread:2', 'SelectorSpread:2', 'InterPodAffinity:2', 'NodeResourcesBalancedAllocation:1']);
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
    expect(scoreWeights(p!)).toEqual(['NodeResourcesFit:5', 'TaintTolerationPreferred:3', 'NodeAffinityPreferred:2']);
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
    const config = parseSchedulerConfiguration(HEAD + 'profiles:\n- schedulerName: x\n  pluginConfig:\n  - name: DefaultPreemption\n    args: { minCandidateNodesPercentage: 5 }\n');
    expect(buildProfiles(config, NO_VOLUMES).unsupported).toEqual(['DefaultPreemption args: minCandidateNodesPercentage', 'plugin VolumeRestrictions', 'plugin NodeVolumeLimits', 'plugin VolumeZone', 'plugin ImageLocality']);
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
