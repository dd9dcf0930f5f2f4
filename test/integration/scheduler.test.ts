// The scheduler process against the apiserver: nodes are API objects here (kubelets come
// with their own issue); pods are placed, spread, kept Pending with Kubernetes' reasons, and
// placed once a node that fits appears.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KubeObject } from '../../api/types/meta.js';
import { resource, RestClient } from '../../client/rest.js';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { startComponent } from '../harness/components.js';
import { kubectlFor } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';
import type { Proc } from '../harness/processes.js';

let api: ApiServerHandle;
let scheduler: Proc;
let client: RestClient;
const pods = resource('v1/pods');
const nodes = resource('v1/nodes');

function node(name: string, labels: Record<string, string> = {}, taints?: object[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
    spec: taints ? { taints } : {},
    status: {
      capacity: { cpu: '2', memory: '4Gi', pods: '110' },
      allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
    },
  };
}

function pod(name: string, spec: Record<string, unknown> = {}, meta: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, ...meta }, spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '100m' } } }], ...spec } };
}

const nodeOf = async (name: string) =>
  waitFor(`pod ${name} to be bound`, async () => (await client.get(pods, 'default', name)).spec?.nodeName as string | undefined);

beforeAll(async () => {
  api = await startApiServer({ etcd: inject('etcdEndpoint') });
  client = new RestClient({ server: api.url });
  await client.create(nodes, undefined, node('node-a', { zone: 'a' }));
  await client.create(nodes, undefined, node('node-b', { zone: 'b' }, [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]));
  scheduler = startComponent('scheduler', ['--master', api.url, '--leader-elect=false', '--port', '0']);
});
afterAll(async () => {
  await scheduler?.stop();
  await client?.close();
  await api?.stop();
});

describe('scheduler', () => {
  it('binds pods, honouring nodeSelector and taints, and records Scheduled events', async () => {
    await client.create(pods, 'default', pod('plain'));
    expect(await nodeOf('plain')).toBe('node-a'); // node-b is tainted
    await client.create(pods, 'default', pod('tolerant', { nodeSelector: { zone: 'b' }, tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }] }));
    expect(await nodeOf('tolerant')).toBe('node-b');
    const bound = await client.get(pods, 'default', 'tolerant');
    expect(bound.status.conditions).toContainEqual(expect.objectContaining({ type: 'PodScheduled', status: 'True' }));
    const events = await waitFor('a Scheduled event', async () => {
      const list = await client.list(resource('v1/events'), 'default', { fieldSelector: 'involvedObject.name=tolerant,reason=Scheduled' });
      return list.items.length ? list.items : undefined;
    });
    expect(events[0]).toMatchObject({ type: 'Normal', message: 'Successfully assigned default/tolerant to node-b', source: { component: 'default-scheduler' } });
  });

  it('keeps a pod that fits nowhere Pending with FailedScheduling, then places it when a node fits', async () => {
    await client.create(pods, 'default', pod('huge', { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '3' } } }] }));
    const failed = await waitFor('FailedScheduling', async () => {
      const list = await client.list(resource('v1/events'), 'default', { fieldSelector: 'involvedObject.name=huge,reason=FailedScheduling' });
      return list.items[0];
    });
    // As kube-scheduler words it, with what preemption found (no pod of lower priority to take away).
    expect(failed.message).toBe(
      '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.',
    );
    const describe = await kubectlFor(api.url).ok(['describe', 'pod', 'huge']);
    expect(describe).toMatch(/Warning\s+FailedScheduling\s+.*0\/2 nodes are available: 1 Insufficient cpu/);
    expect((await client.get(pods, 'default', 'huge')).status.conditions).toContainEqual(expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }));

    const bigger = node('node-c');
    bigger.status.allocatable.cpu = '8';
    bigger.status.capacity.cpu = '8';
    await client.create(nodes, undefined, bigger);
    expect(await nodeOf('huge')).toBe('node-c');
  });

  it("spreads one owner's pods over the nodes (Kubernetes' system default spreading), where free room alone would stack them", async () => {
    // A big node and a small one: least allocated alone would put every replica on the big one.
    const big = node('spread-big', { pool: 'by-owner' });
    big.status.allocatable.cpu = big.status.capacity.cpu = '64';
    await client.create(nodes, undefined, big);
    await client.create(nodes, undefined, node('spread-small', { pool: 'by-owner' }));
    const rs: KubeObject = await client.create(resource('apps/v1/replicasets'), 'default', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web-1' },
      spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    });
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: rs.metadata.uid!, controller: true };
    const placed: string[] = [];
    for (let i = 0; i < 4; i++) {
      await client.create(pods, 'default', pod(`web-${i}`, { nodeSelector: { pool: 'by-owner' } }, { ownerReferences: [owner], labels: { app: 'web' } }));
      placed.push(await nodeOf(`web-${i}`));
    }
    expect(placed.filter((n) => n === 'spread-small')).toHaveLength(2);
    expect(placed.filter((n) => n === 'spread-big')).toHaveLength(2);
    // Pods nothing selects are not spread: they stack where there is most room.
    for (let i = 0; i < 2; i++) {
      await client.create(pods, 'default', pod(`loner-${i}`, { nodeSelector: { pool: 'by-owner' } }, { labels: { app: 'loner' } }));
      expect(await nodeOf(`loner-${i}`)).toBe('spread-big');
    }
  });

  it('keeps a second pod of a ReadWriteOncePod claim pending while the first holds it, and places it once the first is gone', async () => {
    await client.create(resource('v1/persistentvolumes'), undefined, {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'rwop-pv' },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOncePod'], hostPath: { path: '/tmp/rwop' }, persistentVolumeReclaimPolicy: 'Retain' },
    });
    await client.create(resource('v1/persistentvolumeclaims'), 'default', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'rwop' },
      spec: { accessModes: ['ReadWriteOncePod'], resources: { requests: { storage: '1Gi' } }, volumeName: 'rwop-pv', storageClassName: '' },
    });
    const user = (name: string) => pod(name, { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'rwop' } }] });
    await client.create(pods, 'default', user('rwop-first'));
    await nodeOf('rwop-first');
    await client.create(pods, 'default', user('rwop-second'));
    const failed = await waitFor('FailedScheduling', async () => (await client.list(resource('v1/events'), 'default', { fieldSelector: 'involvedObject.name=rwop-second,reason=FailedScheduling' })).items[0]);
    // Every schedulable node refuses it for the claim, the tainted one for its taint.
    const [, all, held] = /^0\/(\d+) nodes are available: .*?(\d+) node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode/.exec(String(failed.message)) ?? [];
    expect(Number(held)).toBe(Number(all) - 1);
    expect(String(failed.message)).toContain('1 node(s) had untolerated taint {dedicated: gpu}');
    await client.delete(pods, 'default', 'rwop-first', { gracePeriodSeconds: 0 });
    expect(await nodeOf('rwop-second')).toBeTruthy();
  });

  it('leaves a pod with scheduling gates alone (SchedulingGated) until its last gate is removed', async () => {
    const created = await client.create(pods, 'default', pod('gated', { schedulingGates: [{ name: 'example.com/quota' }, { name: 'example.com/review' }] }));
    expect(created.status.conditions).toEqual([expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' })]);
    const kubectl = kubectlFor(api.url);
    expect(await kubectl.ok(['get', 'pod', 'gated', '--no-headers'])).toMatch(/^gated\s+0\/1\s+SchedulingGated\s/);
    // A gate may not be added, only removed.
    const added = await kubectl.run(['patch', 'pod', 'gated', '--type=json', '-p', '[{"op":"add","path":"/spec/schedulingGates/-","value":{"name":"example.com/more"}}]']);
    expect(added.stderr).toContain("spec.schedulingGates[2].name: Forbidden: only deletion is allowed, but found new scheduling gate 'example.com/more'");
    // While gated it may be narrowed to a node, as a queueing controller does before letting it go.
    await kubectl.ok(['patch', 'pod', 'gated', '--type=merge', '-p', '{"spec":{"nodeSelector":{"zone":"a"}}}']);
    await kubectl.ok(['patch', 'pod', 'gated', '--type=json', '-p', '[{"op":"remove","path":"/spec/schedulingGates/0"}]']);
    await new Promise((r) => setTimeout(r, 500));
    expect((await client.get(pods, 'default', 'gated')).spec.nodeName).toBeUndefined();
    await kubectl.ok(['patch', 'pod', 'gated', '--type=json', '-p', '[{"op":"remove","path":"/spec/schedulingGates"}]']);
    expect(await nodeOf('gated')).toBe('node-a');
  });

  it('gives a finished pod\'s room on its node to a pod waiting for it', async () => {
    const solo = node('node-solo', { pool: 'solo' });
    solo.status.allocatable.cpu = '1';
    solo.status.capacity.cpu = '1';
    await client.create(nodes, undefined, solo);
    const onSolo = (name: string) => {
      const p = pod(name, { nodeSelector: { pool: 'solo' } });
      p.spec.containers[0].resources.requests.cpu = '800m';
      return p;
    };
    await client.create(pods, 'default', onSolo('first'));
    expect(await nodeOf('first')).toBe('node-solo');
    await client.create(pods, 'default', onSolo('second'));
    await waitFor('second to be found unschedulable', async () =>
      ((await client.get(pods, 'default', 'second')).status?.conditions ?? []).some((c: { type: string; reason?: string }) => c.type === 'PodScheduled' && c.reason === 'Unschedulable'),
    );
    // The scheduler does not watch finished pods: this one leaves its watch, freeing the node.
    await client.patch(pods, 'default', 'first', { status: { phase: 'Succeeded' } }, 'merge', 'status');
    expect(await nodeOf('second')).toBe('node-solo');
  });

  it('gives room that frees up to the higher-priority of two waiting pods, whatever came first', async () => {
    // Not preempting: this is about the order waiting pods get room in, not about taking it.
    await client.create(resource('scheduling.k8s.io/v1/priorityclasses'), undefined, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'urgent' }, value: 1000, preemptionPolicy: 'Never' });
    const small = node('node-prio', { pool: 'prio' });
    small.status.allocatable.cpu = '1';
    small.status.capacity.cpu = '1';
    await client.create(nodes, undefined, small);
    const onPrio = (name: string, extra: Record<string, unknown> = {}) => {
      const p = pod(name, { nodeSelector: { pool: 'prio' }, ...extra });
      p.spec.containers[0].resources.requests.cpu = '800m';
      return p;
    };
    const unschedulable = (name: string) =>
      waitFor(`${name} to be found unschedulable`, async () =>
        ((await client.get(pods, 'default', name)).status?.conditions ?? []).some((c: { type: string; reason?: string }) => c.type === 'PodScheduled' && c.reason === 'Unschedulable'),
      );
    await client.create(pods, 'default', onPrio('holder'));
    expect(await nodeOf('holder')).toBe('node-prio');
    await client.create(pods, 'default', onPrio('batch'));
    await unschedulable('batch');
    await client.create(pods, 'default', onPrio('urgent', { priorityClassName: 'urgent' }));
    await unschedulable('urgent');
    // Both have waited out their back-off (1 s after one attempt): the freed room releases them together.
    await new Promise((r) => setTimeout(r, 1500));
    await client.patch(pods, 'default', 'holder', { status: { phase: 'Succeeded' } }, 'merge', 'status');
    expect(await nodeOf('urgent')).toBe('node-prio');
    expect((await client.get(pods, 'default', 'batch')).spec?.nodeName).toBeUndefined();
  });

  it('places a pod that asks for affinity once the pod it follows is bound, and keeps a hard spread even', async () => {
    const wide = node('node-z1', { pool: 'spread', zone: 'z1' });
    wide.status.allocatable.cpu = '8';
    wide.status.capacity.cpu = '8';
    await client.create(nodes, undefined, wide);
    await client.create(nodes, undefined, node('node-z2', { pool: 'spread', zone: 'z2' }));
    const inPool = (name: string, spec: Record<string, unknown>, labels: Record<string, string>) => pod(name, { ...spec, nodeSelector: { pool: 'spread', ...((spec.nodeSelector as object) ?? {}) } }, { labels });

    const follows = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone', labelSelector: { matchLabels: { app: 'leader' } } }] } };
    await client.create(pods, 'default', inPool('follower', { affinity: follows }, { app: 'follower' }));
    const waiting = await waitFor('follower to be found unschedulable', async () =>
      ((await client.get(pods, 'default', 'follower')).status?.conditions ?? []).find((c: { type: string; reason?: string }) => c.type === 'PodScheduled' && c.reason === 'Unschedulable'),
    );
    expect(waiting.message).toMatch(/node\(s\) didn't match pod affinity rules/);
    // The leader's binding is the event that brings the follower back.
    await client.create(pods, 'default', inPool('leader', { nodeSelector: { zone: 'z2' } }, { app: 'leader' }));
    expect(await nodeOf('leader')).toBe('node-z2');
    expect(await nodeOf('follower')).toBe('node-z2');

    // node-z1 is emptier and four times larger: without the constraint all four would go there.
    const spread = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'even' } } }] };
    for (let i = 0; i < 4; i++) await client.create(pods, 'default', inPool(`even-${i}`, spread, { app: 'even' }));
    const placed = await Promise.all([0, 1, 2, 3].map((i) => nodeOf(`even-${i}`)));
    expect(placed.filter((n) => n === 'node-z1')).toHaveLength(2);
    expect(placed.filter((n) => n === 'node-z2')).toHaveLength(2);
  });
});
