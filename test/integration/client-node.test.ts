// The official JavaScript client's informer against the apiserver: it must see every change,
// resume by resourceVersion across an apiserver restart without missing or repeating an
// event, and relist when etcd has compacted the history it needed.
import * as k8s from '@kubernetes/client-node';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { startEtcd, type EtcdHandle } from '../harness/etcd.js';
import { waitFor } from '../harness/ports.js';

let etcd: EtcdHandle;
let primary: ApiServerHandle; // the informer's server, restarted during the test
let secondary: ApiServerHandle; // takes writes while the primary is down

function clientFor(url: string) {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'test', server: url, skipTLSVerify: true }],
    users: [{ name: 'test' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'test' }],
    currentContext: 'test',
  });
  return { kc, core: kc.makeApiClient(k8s.CoreV1Api) };
}

beforeAll(async () => {
  // A private etcd: this test compacts it.
  etcd = await startEtcd('informer-etcd');
  primary = await startApiServer({ etcd: etcd.endpoint, prefix: '/registry' });
  secondary = await startApiServer({ etcd: etcd.endpoint, prefix: '/registry' });
});
afterAll(async () => {
  await primary?.stop();
  await secondary?.stop();
  await etcd?.stop();
});

describe('@kubernetes/client-node informer', () => {
  it('sees every change, resumes across a restart, and relists after compaction', async () => {
    const { kc, core } = clientFor(primary.url);
    const writer = clientFor(secondary.url).core;
    const events: string[] = [];
    let lists = 0;
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/configmaps', () => {
      lists++;
      return core.listNamespacedConfigMap({ namespace: 'default' });
    });
    const record = (type: string) => (obj: k8s.V1ConfigMap) => events.push(`${type} ${obj.metadata!.name} ${obj.data?.v ?? ''}`.trim());
    informer.on('add', record('add'));
    informer.on('update', record('update'));
    informer.on('delete', record('delete'));
    // The documented pattern: restart after an error; start() keeps the last resourceVersion.
    informer.on('error', () => setTimeout(() => void informer.start().catch(() => undefined), 300));
    await informer.start();

    const cm = (name: string, v: string): k8s.V1ConfigMap => ({ metadata: { name }, data: { v } });
    const write = async (c: k8s.CoreV1Api) => {
      await c.createNamespacedConfigMap({ namespace: 'default', body: cm('a', '1') });
      await c.replaceNamespacedConfigMap({ namespace: 'default', name: 'a', body: cm('a', '2') });
      await c.deleteNamespacedConfigMap({ namespace: 'default', name: 'a' });
    };
    await write(core);
    await waitFor('the first changes', async () => events.length >= 3);
    expect(events).toEqual(['add a 1', 'update a 2', 'delete a 2']);
    expect(lists).toBe(1);

    // The informer's apiserver dies; writes continue through the other one.
    await primary.kill();
    await writer.createNamespacedConfigMap({ namespace: 'default', body: cm('b', '1') });
    await writer.replaceNamespacedConfigMap({ namespace: 'default', name: 'b', body: cm('b', '2') });
    await writer.replaceNamespacedConfigMap({ namespace: 'default', name: 'b', body: cm('b', '3') });
    await writer.createNamespacedConfigMap({ namespace: 'default', body: cm('c', '1') });
    await writer.deleteNamespacedConfigMap({ namespace: 'default', name: 'c' });
    await primary.restart();
    await waitFor('the changes made while the apiserver was down', async () => events.length >= 8, 30_000);
    // Every intermediate update arrives once and in order: the watch resumed, it did not relist.
    expect(events.slice(3)).toEqual(['add b 1', 'update b 2', 'update b 3', 'add c 1', 'delete c 1']);
    expect(lists).toBe(1);

    // Down again; this time etcd compacts away the history the informer would resume from.
    await primary.kill();
    await writer.createNamespacedConfigMap({ namespace: 'default', body: cm('d', '1') });
    await writer.replaceNamespacedConfigMap({ namespace: 'default', name: 'b', body: cm('b', '4') });
    const client = new Etcd3({ hosts: etcd.endpoint });
    const rev = Number((await client.get('anything').exec()).header.revision);
    await client.kv.compact({ revision: rev, physical: true });
    client.close();
    await primary.restart();
    await waitFor('a relist after the 410', async () => events.length >= 10, 30_000);
    expect(lists).toBe(2);
    // A relist reconciles: the latest state of what changed, nothing for what did not.
    expect(events.slice(8).sort()).toEqual(['add d 1', 'update b 4']);
    expect(informer.list().map((o) => o.metadata!.name).sort()).toEqual(['b', 'd']);
    await informer.stop();
  }, 120_000);
});

// Times as the official client sends them (JavaScript Dates: milliseconds), kept as Kubernetes
// writes them back. MicroTimes need six fractional digits, which the client's V1MicroTime
// writes and a plain Date does not: Kubernetes refuses those, and so does kubette.
describe('@kubernetes/client-node times', () => {
  it('keeps Times in whole seconds, MicroTimes with microseconds, and refuses a MicroTime of milliseconds', async () => {
    const { kc, core } = clientFor(secondary.url);
    const coordination = kc.makeApiClient(k8s.CoordinationV1Api);
    const raw = async (path: string) => (await (await fetch(`${secondary.url}${path}`)).json()) as Record<string, any>;

    await core.createNamespacedEvent({
      namespace: 'default',
      body: { metadata: { name: 'timed' }, involvedObject: { kind: 'Pod', namespace: 'default', name: 'p' }, reason: 'Tested', firstTimestamp: new Date('2026-12-05T18:00:00.750Z'), lastTimestamp: new Date('2026-12-05T19:30:00.001+01:00') },
    });
    const event = await raw('/api/v1/namespaces/default/events/timed');
    expect([event.firstTimestamp, event.lastTimestamp]).toEqual(['2026-12-05T18:00:00Z', '2026-12-05T18:30:00Z']);

    await coordination.createNamespacedLease({ namespace: 'default', body: { metadata: { name: 'timed' }, spec: { holderIdentity: 'me', renewTime: new k8s.V1MicroTime('2026-12-05T18:00:00.123Z') } } });
    expect((await raw('/apis/coordination.k8s.io/v1/namespaces/default/leases/timed')).spec.renewTime).toBe('2026-12-05T18:00:00.123000Z');
    // The client reads a MicroTime back as the string it is (it has no deserializer for the type).
    const read = await coordination.readNamespacedLease({ namespace: 'default', name: 'timed' });
    expect(String(read.spec!.renewTime)).toBe('2026-12-05T18:00:00.123000Z');

    const refused = await coordination
      .createNamespacedLease({ namespace: 'default', body: { metadata: { name: 'untimed' }, spec: { renewTime: new Date('2026-12-05T18:00:00.123Z') as k8s.V1MicroTime } } })
      .then(() => undefined, (err: { code?: number; body?: string }) => err);
    expect(refused?.code).toBe(400);
    expect(JSON.parse(refused!.body!)).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: expect.stringContaining('parsing time "2026-12-05T18:00:00.123Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse ".123Z" as ".000000"') });
  });
});
