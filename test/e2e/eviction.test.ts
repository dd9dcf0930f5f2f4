// Node-pressure eviction, end to end: a kubelet on the real Docker engine whose (soft) memory
// threshold is always met (no machine has 1000Ti free) reports MemoryPressure, the controller-manager taints
// its node, new BestEffort pods are refused, and a running pod is evicted: stopped, failed with
// reason Evicted and a DisruptionTarget condition, an event on it. All read with kubectl.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { kubectlWithKubeconfig } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';

type Obj = Record<string, any>;
let cluster: Cluster;
let kubectl: ReturnType<typeof kubectlWithKubeconfig>;
let node: string;

const getJSON = async (args: string[]): Promise<Obj> => JSON.parse(await kubectl.ok([...args, '-o', 'json'])) as Obj;

function podOnNode(name: string, resources?: Obj): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      nodeName: node,
      terminationGracePeriodSeconds: 30,
      containers: [{ name: 'main', image: 'busybox:1.36', imagePullPolicy: 'Never', command: ['sh', '-c', 'trap "" TERM; sleep 3600'], ...(resources ? { resources } : {}) }],
    },
  };
}

beforeAll(async () => {
  // A soft threshold: a hard one's amount is held back from allocatable memory (as Kubernetes
  // computes it), which would leave no room to admit the pod to evict.
  cluster = await startCluster({
    nodes: 1,
    launcherArgs: ['--kubelet-args=--eviction-soft memory.available<1000Ti --eviction-soft-grace-period memory.available=1s --eviction-max-pod-grace-period 2'],
  });
  kubectl = kubectlWithKubeconfig(cluster.kubeconfig);
  node = cluster.nodes[0]!;
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
}, 60_000);

describe('node-pressure eviction', () => {
  it('reports MemoryPressure, and the node is tainted memory-pressure:NoSchedule', async () => {
    const n = await waitFor('MemoryPressure True and its taint', async () => {
      const n = await getJSON(['get', 'node', node]);
      const cond = (n.status.conditions as Obj[]).find((c) => c.type === 'MemoryPressure');
      const tainted = (n.spec.taints ?? []).some((t: Obj) => t.key === 'node.kubernetes.io/memory-pressure' && t.effect === 'NoSchedule');
      return cond?.status === 'True' && tainted ? n : undefined;
    }, 60_000);
    expect((n.status.conditions as Obj[]).find((c) => c.type === 'MemoryPressure')).toMatchObject({ reason: 'KubeletHasInsufficientMemory', message: 'kubelet has insufficient memory available' });
    // Still Ready: pressure is not a failure.
    expect((n.status.conditions as Obj[]).find((c) => c.type === 'Ready')?.status).toBe('True');
    const events = await kubectl.ok(['get', 'events', '-n', 'default', '--field-selector', `involvedObject.name=${node}`, '-o', 'jsonpath={range .items[*]}{.reason}{"\\n"}{end}']);
    expect(events.split('\n')).toEqual(expect.arrayContaining(['NodeHasInsufficientMemory', 'EvictionThresholdMet']));
  }, 90_000);

  it('refuses a new BestEffort pod: Failed, Evicted, "The node had condition: [MemoryPressure]."', async () => {
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify(podOnNode('best-effort')));
    const p = await waitFor('best-effort refused', async () => {
      const p = await getJSON(['get', 'pod', 'best-effort']);
      return p.status?.phase === 'Failed' ? p : undefined;
    }, 60_000);
    expect(p.status).toMatchObject({ reason: 'Evicted', message: 'Pod was rejected: The node had condition: [MemoryPressure]. ' });
    expect(p.status.containerStatuses ?? []).toEqual([]);
  }, 90_000);

  it('evicts a running pod: stopped, Failed with reason Evicted, a DisruptionTarget condition and an Evicted event', async () => {
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify(podOnNode('burstable', { requests: { memory: '1Mi' } })));
    const p = await waitFor('burstable evicted', async () => {
      const p = await getJSON(['get', 'pod', 'burstable']);
      return p.status?.phase === 'Failed' ? p : undefined;
    }, 90_000);
    expect(p.status.reason).toBe('Evicted');
    expect(p.status.message).toMatch(/^The node was low on resource: memory\. Threshold quantity: 1000Ti, available: \d+(Ki|Mi|Gi)?\. /);
    expect((p.status.conditions as Obj[]).find((c) => c.type === 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'TerminationByKubelet', message: p.status.message });
    expect((p.status.conditions as Obj[]).find((c) => c.type === 'Ready')?.status).toBe('False');
    // Killed (it ignores SIGTERM) once the grace period ended.
    const state = p.status.containerStatuses[0].state;
    expect(state.terminated?.exitCode).toBe(137);
    const ids = execFileSync('docker', ['ps', '-q', '--filter', `label=io.kubernetes.pod.uid=${p.metadata.uid}`]).toString().trim();
    expect(ids).toBe('');
    const events = await kubectl.ok(['get', 'events', '--field-selector', 'involvedObject.name=burstable,reason=Evicted', '-o', 'jsonpath={.items[*].message}']);
    expect(events).toContain('The node was low on resource: memory.');
    // kubectl describe says what happened.
    const described = await kubectl.ok(['describe', 'pod', 'burstable']);
    expect(described).toMatch(/^Status:\s+Failed$/m);
    expect(described).toMatch(/^Reason:\s+Evicted$/m);
    expect(described).toMatch(/^Message:\s+The node was low on resource: memory\./m);
    // The kubelet counts it.
    const metrics = await kubectl.ok(['get', '--raw', `/api/v1/nodes/${node}/proxy/metrics`]);
    expect(metrics).toContain('kubelet_evictions{eviction_signal="memory.available"} 1');
  }, 120_000);

  it('/configz shows the eviction settings the kubelet runs with', async () => {
    const { kubeletconfig: c } = JSON.parse(await kubectl.ok(['get', '--raw', `/api/v1/nodes/${node}/proxy/configz`])) as Obj;
    expect(c).toMatchObject({
      kind: 'KubeletConfiguration',
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      evictionSoft: { 'memory.available': '1000Ti' },
      evictionSoftGracePeriod: { 'memory.available': '1s' },
      evictionMaxPodGracePeriod: 2,
      evictionPressureTransitionPeriod: '5m0s',
      evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '10%' },
      maxPods: 110,
    });
    expect(c.port).toBeGreaterThan(0);
  }, 120_000);
});
