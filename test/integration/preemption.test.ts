// Preemption by the scheduler process, against the apiserver: a pod of higher priority that
// fits nowhere takes the room of as few lower-priority pods as it needs. Its victims are marked
// (DisruptionTarget) and deleted gracefully; it waits nominated to their node, where no pod of
// lower priority may take the room; it is placed once they are gone. Nodes are API objects
// here: the test confirms a victim's deletion as its kubelet would once its containers stopped.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KubeObject } from '../../api/types/meta.js';
import { resource, RestClient } from '../../client/rest.js';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { startComponent } from '../harness/components.js';
import { waitFor } from '../harness/ports.js';
import type { Proc } from '../harness/processes.js';

let api: ApiServerHandle;
let scheduler: Proc;
let client: RestClient;
const pods = resource('v1/pods');
const nodes = resource('v1/nodes');
const classes = resource('scheduling.k8s.io/v1/priorityclasses');
const events = resource('v1/events');

function node(name: string, cpu: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, pool: name } },
    status: {
      capacity: { cpu, memory: '4Gi', pods: '110' },
      allocatable: { cpu, memory: '4Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
    },
  };
}

const pod = (name: string, pool: string, cpu: string, priorityClassName?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { nodeSelector: { pool }, priorityClassName, containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu } } }] },
});

const get = (name: string) => client.get(pods, 'default', name);
const nodeOf = (name: string) => waitFor(`pod ${name} to be bound`, async () => (await get(name)).spec?.nodeName as string | undefined);
const conditionOf = (p: KubeObject, type: string) => (p.status?.conditions ?? []).find((c: { type: string }) => c.type === type);
const schedulingMessage = (name: string, match: string) =>
  waitFor(`${name}'s FailedScheduling event saying "${match}"`, async () => {
    const list = await client.list(events, 'default', { fieldSelector: `involvedObject.name=${name},reason=FailedScheduling` });
    return list.items.map((e) => e.message as string).find((m) => m.includes(match));
  });

beforeAll(async () => {
  api = await startApiServer({ etcd: inject('etcdEndpoint') });
  client = new RestClient({ server: api.url });
  for (const [name, value, preemptionPolicy] of [['batch', 100], ['critical', 1000], ['polite', 1000, 'Never']] as const) {
    await client.create(classes, undefined, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, ...(preemptionPolicy ? { preemptionPolicy } : {}) });
  }
  await client.create(nodes, undefined, node('small', '2'));
  await client.create(nodes, undefined, node('tiny', '1'));
  scheduler = startComponent('scheduler', ['--master', api.url, '--leader-elect=false', '--port', '0']);
});
afterAll(async () => {
  await scheduler?.stop();
  await client?.close();
  await api?.stop();
});

describe('preemption', () => {
  it('takes the room of one lower-priority pod, keeps it for the preemptor while the victim leaves, then places the preemptor', async () => {
    await client.create(pods, 'default', pod('batch-1', 'small', '1', 'batch'));
    expect(await nodeOf('batch-1')).toBe('small');
    await client.create(pods, 'default', pod('batch-2', 'small', '1', 'batch'));
    expect(await nodeOf('batch-2')).toBe('small');

    const preemptor = await client.create(pods, 'default', pod('critical', 'small', '1', 'critical'));
    // Exactly one victim: marked, then deleted gracefully (it waits for its kubelet).
    const victim = await waitFor('a victim being deleted', async () => {
      const gone = await Promise.all(['batch-1', 'batch-2'].map(get));
      const deleting = gone.filter((p) => p.metadata.deletionTimestamp);
      return deleting.length ? deleting : undefined;
    });
    expect(victim).toHaveLength(1);
    expect(conditionOf(victim[0]!, 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'PreemptionByScheduler', message: 'default-scheduler: preempting to accommodate a higher priority pod' });
    const victimName = victim[0]!.metadata.name!;
    const spared = victimName === 'batch-1' ? 'batch-2' : 'batch-1';

    const waiting = await waitFor('the preemptor nominated to the node', async () => {
      const p = await get('critical');
      return p.status?.nominatedNodeName ? p : undefined;
    });
    expect(waiting.status.nominatedNodeName).toBe('small');
    expect(waiting.spec.nodeName).toBeUndefined();
    const preempted = await waitFor('a Preempted event on the victim', async () => {
      const list = await client.list(events, 'default', { fieldSelector: `involvedObject.name=${victimName},reason=Preempted` });
      return list.items[0];
    });
    expect(preempted).toMatchObject({ type: 'Normal', message: `Preempted by pod ${preemptor.metadata.uid} on node small` });

    // A pod of the victims' priority arriving now finds no room: it is nominated away, and it
    // has nobody of lower priority to take it from.
    await client.create(pods, 'default', pod('batch-3', 'small', '1', 'batch'));
    await schedulingMessage('batch-3', 'preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod');

    // The kubelet's confirmation: the victim's containers have stopped.
    await client.delete(pods, 'default', victimName, { gracePeriodSeconds: 0 });
    expect(await nodeOf('critical')).toBe('small');
    expect((await get(spared)).metadata.deletionTimestamp).toBeUndefined();
    expect((await get('batch-3')).spec.nodeName).toBeUndefined();
  });

  it('leaves pods alone for a pod whose PriorityClass says Never, and says why it waits', async () => {
    await client.create(pods, 'default', pod('filler', 'tiny', '1', 'batch'));
    expect(await nodeOf('filler')).toBe('tiny');
    await client.create(pods, 'default', pod('polite', 'tiny', '1', 'polite'));
    const message = await schedulingMessage('polite', 'preemption:');
    expect(message).toBe("0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's node affinity/selector. preemption: not eligible due to preemptionPolicy=Never.");
    expect((await get('filler')).metadata.deletionTimestamp).toBeUndefined();
    expect((await get('polite')).status.nominatedNodeName).toBeUndefined();
  });
});
