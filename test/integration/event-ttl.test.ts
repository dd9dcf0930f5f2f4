// Events expire as in Kubernetes (--event-ttl, default 1h): etcd deletes them on its own that
// long after their last write, and watchers see them go. Other objects are kept.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { microTime } from '../../api/time.js';
import type { KubeObject } from '../../api/types/meta.js';
import { resource, RestClient } from '../../client/rest.js';
import { readWatchEvents } from '../../client/watch.js';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { waitFor } from '../harness/ports.js';

let api: ApiServerHandle;
let client: RestClient;
const events = resource('v1/events');
const newEvents = resource('events.k8s.io/v1/events');
const configmaps = resource('v1/configmaps');

beforeAll(async () => {
  api = await startApiServer({ etcd: inject('etcdEndpoint'), args: ['--event-ttl', '2s'] });
  client = new RestClient({ server: api.url });
});
afterAll(async () => {
  await client?.close();
  await api?.stop();
});

const event = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name },
  involvedObject: { kind: 'Pod', namespace: 'default', name: 'p' },
  reason: 'Tested',
  message: 'an event that should expire',
  type: 'Normal',
});

describe('--event-ttl', () => {
  it('deletes Events (core and events.k8s.io) that long after their last write; watchers see DELETED; other objects stay', async () => {
    const stop = new AbortController();
    const watch = await client.openWatch(events, 'default', {}, stop.signal);
    const deleted: string[] = [];
    const reading = (async () => {
      for await (const ev of readWatchEvents<KubeObject>(watch.body)) if (ev.type === 'DELETED') deleted.push(ev.object.metadata.name!);
    })().catch(() => undefined);

    await client.create(events, 'default', event('brief'));
    await client.create(newEvents, 'default', { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'brief-too' }, eventTime: microTime(), reportingController: 'test', reportingInstance: 'test-1', action: 'Testing', reason: 'Tested', regarding: { kind: 'Pod', namespace: 'default', name: 'p' }, type: 'Normal' });
    await client.create(configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept' }, data: { a: '1' } });
    expect((await client.get(events, 'default', 'brief')).reason).toBe('Tested');

    // etcd checks for expired leases twice a second; its shortest TTL is about 2 s.
    await waitFor('the events to expire', async () => (await client.list(events, 'default')).items.length === 0, 20_000, 200);
    await expect(client.get(events, 'default', 'brief')).rejects.toMatchObject({ code: 404 });
    await waitFor('DELETED for both', async () => deleted.length >= 2, 5_000, 50);
    expect(deleted.sort()).toEqual(['brief', 'brief-too']);
    expect((await client.get(configmaps, 'default', 'kept')).data).toEqual({ a: '1' });
    stop.abort();
    await reading;
  });
});
