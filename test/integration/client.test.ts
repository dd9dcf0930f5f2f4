// kubette's own client library (client/) against the real apiserver: typed verbs, Status
// errors, and an informer that resumes across an apiserver restart and relists after 410.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { StatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';
import { Informer } from '../../client/informer.js';
import { resource, RestClient } from '../../client/rest.js';
import { Etcd3 } from 'etcd3';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { startEtcd } from '../harness/etcd.js';
import { waitFor } from '../harness/ports.js';
import { TcpProxy } from '../harness/tcp-proxy.js';

let api: ApiServerHandle;
let client: RestClient;
const configmaps = resource('v1/configmaps');
const deployments = resource('apps/v1/deployments');

beforeAll(async () => {
  api = await startApiServer({ etcd: inject('etcdEndpoint') });
  client = new RestClient({ server: api.url });
});
afterAll(async () => {
  await client?.close();
  await api?.stop();
});

const cm = (name: string, labels: Record<string, string> = {}, data: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data,
});

describe('RestClient', () => {
  it('creates, reads, patches, updates status and deletes, with Status errors', async () => {
    const created = await client.create(configmaps, 'default', cm('rc-1', {}, { a: '1' }));
    expect(created.metadata.uid).toBeTruthy();
    const patched = await client.patch(configmaps, 'default', 'rc-1', { data: { b: '2' } });
    expect(patched.data).toEqual({ a: '1', b: '2' });
    const stale = { ...created, data: { c: '3' } };
    await expect(client.update(configmaps, stale)).rejects.toMatchObject({ code: 409, reason: 'Conflict' });
    await client.delete(configmaps, 'default', 'rc-1');
    const err = await client.get(configmaps, 'default', 'rc-1').catch((e) => e);
    expect(err).toBeInstanceOf(StatusError);
    expect(err).toMatchObject({ code: 404, reason: 'NotFound', message: 'configmaps "rc-1" not found' });

    const d = await client.create(deployments, 'default', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'rc-d' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
    });
    const withStatus = await client.updateStatus(deployments, { ...d, status: { observedGeneration: 1, replicas: 0 } });
    // Stored as Kubernetes' Go types write it: a zero count is left out (omitempty).
    expect(withStatus.status).toEqual({ observedGeneration: 1 });
  });
});

describe('Informer', () => {
  it('tracks changes and indexes, and resumes across an apiserver restart without relisting', async () => {
    await client.create(resource('v1/namespaces'), undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'inf' } });
    await client.create(configmaps, 'inf', cm('pre', { team: 'x' }));
    const events: string[] = [];
    const informer = new Informer(client, configmaps, { namespace: 'inf' });
    informer.addIndexer('team', (o) => (o.metadata.labels?.team ? [o.metadata.labels.team] : []));
    informer.addHandler({
      add: (o) => events.push(`add ${o.metadata.name}`),
      update: (_old, o) => events.push(`update ${o.metadata.name} ${JSON.stringify(o.data ?? {})}`),
      delete: (o) => events.push(`delete ${o.metadata.name}`),
    });
    const stop = new AbortController();
    const running = informer.run(stop.signal);
    await informer.synced;
    expect(events).toEqual(['add pre']);
    expect(informer.list()[0]!.kind).toBe('ConfigMap');

    await client.create(configmaps, 'inf', cm('a', { team: 'y' }));
    await client.patch(configmaps, 'inf', 'a', { data: { v: '1' } });
    await client.delete(configmaps, 'inf', 'pre');
    await waitFor('watch events', async () => events.length >= 4);
    expect(events.slice(1)).toEqual(['add a', 'update a {"v":"1"}', 'delete pre']);
    expect(informer.byIndex('team', 'y').map((o) => o.metadata.name)).toEqual(['a']);
    expect(informer.byIndex('team', 'x')).toEqual([]);

    // The apiserver restarts: the informer resumes where it was, without a relist.
    const writer = new RestClient({ server: api.url });
    await api.kill();
    await api.restart();
    await writer.patch(configmaps, 'inf', 'a', { data: { v: '2' } });
    await writer.patch(configmaps, 'inf', 'a', { data: { v: '3' } });
    await waitFor('events after the restart', async () => events.length >= 6, 30_000);
    expect(events.slice(4)).toEqual(['update a {"v":"2"}', 'update a {"v":"3"}']);
    expect(informer.stats.lists).toBe(1);
    await writer.close();
    stop.abort();
    await running;
  }, 60_000);

  it('relists after its resourceVersion is compacted away, reconciling the cache', async () => {
    // A private etcd: this test compacts it.
    const etcd = await startEtcd('client-relist-etcd');
    const server = await startApiServer({ etcd: etcd.endpoint, prefix: '/registry' });
    const c = new RestClient({ server: server.url });
    try {
      await c.create(configmaps, 'default', cm('keep'));
      await c.create(configmaps, 'default', cm('gone'));
      const events: string[] = [];
      const informer = new Informer(c, configmaps, { namespace: 'default' });
      informer.addHandler({
        add: (o) => events.push(`add ${o.metadata.name}`),
        update: (_old, o) => events.push(`update ${o.metadata.name}`),
        delete: (o) => events.push(`delete ${o.metadata.name}`),
      });
      const stop = new AbortController();
      const running = informer.run(stop.signal);
      await informer.synced;
      await server.kill();
      // While the informer cannot watch: changes, then etcd forgets their history.
      const direct = await startApiServer({ etcd: etcd.endpoint, prefix: '/registry' });
      const w = new RestClient({ server: direct.url });
      await w.delete(configmaps, 'default', 'gone');
      await w.create(configmaps, 'default', cm('new'));
      await w.patch(configmaps, 'default', 'keep', { data: { x: '1' } });
      await w.patch(configmaps, 'default', 'keep', { data: { x: '2' } });
      const e = new Etcd3({ hosts: etcd.endpoint });
      const rev = Number((await e.get('x').exec()).header.revision);
      await e.kv.compact({ revision: rev, physical: true });
      e.close();
      await w.close();
      await direct.stop();
      await server.restart();
      await waitFor('the relist', async () => informer.stats.lists >= 2 && events.length >= 5, 30_000);
      // One event per object that differs: the two updates to "keep" arrive as one.
      expect(events.slice(2).sort()).toEqual(['add new', 'delete gone', 'update keep']);
      expect(informer.list().map((o) => o.metadata.name).sort()).toEqual(['keep', 'new']);
      stop.abort();
      await running;
    } finally {
      await c.close();
      await server.stop();
      await etcd.stop();
    }
  }, 90_000);
});

describe('LeaderElector', () => {
  it('lets one candidate lead and hands over when it steps down', async () => {
    const { LeaderElector } = await import('../../client/leader-election.js');
    const opts = { namespace: 'kube-system', name: 'test-leader', leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 200 };
    const a = new LeaderElector(client, { ...opts, identity: 'a' });
    const b = new LeaderElector(client, { ...opts, identity: 'b' });
    const stopA = new AbortController();
    const stopB = new AbortController();
    const leading: string[] = [];
    const runA = a.run(stopA.signal, () => void leading.push('a'));
    await waitFor('a to lead', async () => a.isLeader);
    const runB = b.run(stopB.signal, () => void leading.push('b'));
    await new Promise((r) => setTimeout(r, 1000));
    expect(b.isLeader).toBe(false);
    const lease = await client.get(resource('coordination.k8s.io/v1/leases'), 'kube-system', 'test-leader');
    expect(lease.spec).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 3 });
    // A clean stop releases the lease: b takes over well before the lease would expire.
    stopA.abort();
    await runA;
    await waitFor('b to lead', async () => b.isLeader, 2500);
    expect(leading).toEqual(['a', 'b']);
    stopB.abort();
    await runB;
  });
});

describe('LeaderElector, partitioned', () => {
  it('a leader cut off from the apiserver stops acting before anyone else starts', async () => {
    const { LeaderElector } = await import('../../client/leader-election.js');
    const proxy = new TcpProxy('127.0.0.1', api.port);
    await proxy.start();
    const cutOff = new RestClient({ server: proxy.endpoint });
    const opts = { namespace: 'kube-system', name: 'test-partition', leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 200 };
    const a = new LeaderElector(cutOff, { ...opts, identity: 'a' });
    const b = new LeaderElector(client, { ...opts, identity: 'b' });
    const stopA = new AbortController();
    const stopB = new AbortController();
    const timeline: string[] = [];
    const runA = a.run(stopA.signal, (leading) => {
      timeline.push('a leads');
      leading.addEventListener('abort', () => timeline.push('a stops'));
    });
    await waitFor('a to lead', async () => a.isLeader);
    const runB = b.run(stopB.signal, () => void timeline.push('b leads'));
    // a can no longer renew: it must give up (renew deadline) before b may take over (lease).
    proxy.partition();
    await waitFor('b to lead', async () => b.isLeader, 10_000);
    expect(timeline).toEqual(['a leads', 'a stops', 'b leads']);
    await runA;
    stopA.abort();
    stopB.abort();
    await runB;
    await cutOff.close();
    await proxy.stop();
  }, 30_000);
});

describe('LeaderElector, renewals hanging', () => {
  it('a leader whose renewals hang stops at its renew deadline, and its fenced writes stop before a successor leads', async () => {
    const { LeaderElector, LeaderStatus } = await import('../../client/leader-election.js');
    const proxy = new TcpProxy('127.0.0.1', api.port);
    await proxy.start();
    const hung = new RestClient({ server: proxy.endpoint });
    const opts = { namespace: 'kube-system', name: 'test-hang', leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 200 };
    const a = new LeaderElector(hung, { ...opts, identity: 'a' });
    const b = new LeaderElector(client, { ...opts, identity: 'b' });
    const status = new LeaderStatus('test-hang');
    status.elector = a;
    // a's own writes go straight to the apiserver (they are not what hangs): only the fence stops them.
    const writer = status.fence(client, true);
    const timeline: string[] = [];
    let refused: unknown;
    const stopA = new AbortController();
    const runA = a.run(stopA.signal, async (leading) => {
      timeline.push('a leads');
      for (let i = 0; ; i++) {
        try {
          await writer.create(configmaps, 'default', cm(`hang-write-${i}`));
          timeline.push('a wrote');
        } catch (err) {
          refused = err;
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      timeline.push('a refused');
      if (!leading.aborted) await new Promise((r) => leading.addEventListener('abort', r, { once: true }));
      timeline.push('a stops');
    });
    await waitFor('a to lead and write', async () => timeline.includes('a wrote'));
    const stopB = new AbortController();
    const runB = b.run(stopB.signal, () => void timeline.push('b leads'));
    // Answers to a's renewals never come back: the request hangs instead of failing.
    proxy.mode = 'lose-answers';
    proxy.cut();
    await waitFor('b to lead', async () => b.isLeader, 15_000);
    expect(timeline.slice(-3)).toEqual(['a refused', 'a stops', 'b leads']);
    expect(refused).toBeInstanceOf(StatusError);
    expect((refused as StatusError).code).toBe(503);
    await runA;
    expect(a.isLeader).toBe(false);
    stopA.abort();
    stopB.abort();
    await runB;
    // Its last renewal still hangs: tear the connection down rather than wait for an answer.
    hung.destroy();
    await proxy.stop();
  }, 30_000);
});

describe('EventRecorder', () => {
  it('writes an Event and counts repeats on it', async () => {
    const { EventRecorder } = await import('../../client/events.js');
    const recorder = new EventRecorder(client, { component: 'test-component', host: 'node-a' });
    const target = await client.create(configmaps, 'default', cm('evented'));
    await recorder.record(target, 'Warning', 'Broken', 'it broke');
    await recorder.record(target, 'Warning', 'Broken', 'it broke');
    const list = await client.list(resource('v1/events'), 'default', { fieldSelector: `involvedObject.name=evented,involvedObject.uid=${target.metadata.uid}` });
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ reason: 'Broken', type: 'Warning', count: 2, source: { component: 'test-component', host: 'node-a' }, involvedObject: { kind: 'ConfigMap', name: 'evented' } });
  });
});
