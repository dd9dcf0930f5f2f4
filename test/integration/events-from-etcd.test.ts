// Events are served from etcd, not held in the apiserver's watch cache (as Kubernetes does:
// a busy cluster's Events would outweigh everything else in memory). Everything a client does
// with them works as with any other resource: reads at every resourceVersion, paged lists,
// watches with initial events and field selectors, kubectl.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KubeObject } from '../../api/types/meta.js';
import { resource, RestClient, type WatchOptions } from '../../client/rest.js';
import { readWatchEvents } from '../../client/watch.js';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { kubectlFor } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';

let api: ApiServerHandle;
let client: RestClient;
const events = resource('v1/events');
const newEvents = resource('events.k8s.io/v1/events');
const NS = 'default';

beforeAll(async () => {
  api = await startApiServer({ etcd: inject('etcdEndpoint') });
  client = new RestClient({ server: api.url });
});
afterAll(async () => {
  await client?.close();
  await api?.stop();
});

const event = (name: string, about: string, reason = 'Tested'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name },
  involvedObject: { kind: 'Pod', namespace: NS, name: about },
  reason,
  message: `about ${about}`,
  type: 'Normal',
  count: 1,
});

/** Every watch event of a stream, collected as it arrives. */
async function collect(opts: WatchOptions & Record<string, string | boolean | number | undefined>, signal: AbortSignal) {
  const watch = await client.openWatch(events, NS, opts as WatchOptions, signal);
  const seen: Array<{ type: string; name: string; count?: number; rv: string; annotations?: Record<string, string> }> = [];
  const reading = (async () => {
    for await (const ev of readWatchEvents<KubeObject>(watch.body)) {
      seen.push({ type: ev.type, name: ev.object.metadata.name ?? '', count: ev.object.count as number | undefined, rv: ev.object.metadata.resourceVersion ?? '', annotations: ev.object.metadata.annotations });
    }
  })().catch(() => undefined);
  return { seen, reading };
}

describe('Events served from etcd', () => {
  it('reads, lists and pages them at every resourceVersion a client uses', async () => {
    for (let i = 0; i < 5; i++) await client.create(events, NS, event(`listed-${i}`, 'listed'));
    const created = await client.create(events, NS, event('fresh', 'listed'));
    // Read back at once, whatever the resourceVersion asked for.
    expect((await client.request<KubeObject>('GET', `${client.path(events, NS, 'fresh')}?resourceVersion=0`)).reason).toBe('Tested');
    const sel = { fieldSelector: 'involvedObject.name=listed' };
    for (const resourceVersion of [undefined, '0', created.metadata.resourceVersion]) {
      const list = await client.list(events, NS, { ...sel, resourceVersion });
      expect(list.items.map((e) => e.metadata.name).sort()).toEqual(['fresh', 'listed-0', 'listed-1', 'listed-2', 'listed-3', 'listed-4']);
      expect(Number(list.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(created.metadata.resourceVersion));
    }
    // Pages of two, consistent with the first page's resourceVersion.
    const names: string[] = [];
    let page = await client.list(events, NS, { ...sel, limit: 2 });
    const firstRV = page.metadata.resourceVersion;
    names.push(...page.items.map((e) => e.metadata.name!));
    await client.create(events, NS, event('after-the-first-page', 'listed'));
    while (page.metadata.continue) {
      page = await client.list(events, NS, { ...sel, limit: 2, continue: page.metadata.continue });
      expect(page.metadata.resourceVersion).toBe(firstRV);
      names.push(...page.items.map((e) => e.metadata.name!));
    }
    expect(names).toEqual(['fresh', 'listed-0', 'listed-1', 'listed-2', 'listed-3', 'listed-4']);
    // A resourceVersion etcd has not reached is refused, as for any resource.
    await expect(client.list(events, NS, { resourceVersion: String(Number(created.metadata.resourceVersion) + 1_000_000) })).rejects.toMatchObject({ code: 504 });
    // The events.k8s.io view of the same storage.
    const viaNewAPI = await client.list(newEvents, NS, sel);
    expect(viaNewAPI.items.map((e) => e.metadata.name)).toContain('fresh');
  });

  it('watches: initial events read from etcd, then live changes, with field selectors, to the end', async () => {
    await client.create(events, NS, event('old-web', 'web'));
    await client.create(events, NS, event('old-db', 'db'));
    const stop = new AbortController();
    const fromZero = await collect({ resourceVersion: '0', fieldSelector: 'involvedObject.name=web' }, stop.signal);
    const streaming = await collect({ sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true, fieldSelector: 'involvedObject.name=web' }, stop.signal);
    await waitFor('the initial events', async () => fromZero.seen.length >= 1 && streaming.seen.some((e) => e.type === 'BOOKMARK'), 10_000, 50);

    const live = await client.create(events, NS, event('new-web', 'web'));
    await client.create(events, NS, event('new-db', 'db'));
    await client.patch(events, NS, 'new-web', { count: 2 }, 'merge');
    await client.delete(events, NS, 'old-web');
    const expected = [
      ['ADDED', 'old-web'],
      ['ADDED', 'new-web'],
      ['MODIFIED', 'new-web'],
      ['DELETED', 'old-web'],
    ];
    await waitFor('the live events', async () => fromZero.seen.length >= 4 && streaming.seen.filter((e) => e.type !== 'BOOKMARK').length >= 4, 10_000, 50);
    expect(fromZero.seen.map((e) => [e.type, e.name])).toEqual(expected);
    expect(fromZero.seen[2]!.count).toBe(2);
    const initialEnd = streaming.seen.findIndex((e) => e.type === 'BOOKMARK' && e.annotations?.['k8s.io/initial-events-end'] === 'true');
    expect(initialEnd).toBe(1);
    expect(streaming.seen.filter((e) => e.type !== 'BOOKMARK').map((e) => [e.type, e.name])).toEqual(expected);

    // A watch from a resourceVersion sees only what came after it.
    const after = await collect({ resourceVersion: live.metadata.resourceVersion, fieldSelector: 'involvedObject.name=web' }, stop.signal);
    await waitFor('the replay', async () => after.seen.length >= 2, 10_000, 50);
    expect(after.seen.map((e) => [e.type, e.name])).toEqual([
      ['MODIFIED', 'new-web'],
      ['DELETED', 'old-web'],
    ]);
    stop.abort();
    await Promise.all([fromZero.reading, streaming.reading, after.reading]);
  });

  it('holds writes through events.k8s.io/v1 to its stricter rules, and core/v1 writes only to the legacy ones', async () => {
    const about = { kind: 'Pod', namespace: NS, name: 'strict' };
    const strict = (name: string, body: Record<string, unknown>): KubeObject => ({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name },
      eventTime: '2026-12-07T10:00:00.000000Z',
      reportingController: 'example.com/tester',
      reportingInstance: 'tester-1',
      action: 'Testing',
      reason: 'Tested',
      regarding: about,
      type: 'Normal',
      ...body,
    });
    // Deprecated fields and an unknown type: refused through events.k8s.io/v1, with every cause.
    const refused = await client.create(newEvents, NS, strict('strict-bad', { type: 'Bogus', deprecatedCount: 3, deprecatedSource: { component: 'kubelet' } })).catch((e) => e);
    expect(refused).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(refused.details.causes.map((c: { field: string }) => c.field)).toEqual(['type', 'count', 'source']);
    // The same event through core/v1 (old clients) is stored.
    const legacy = await client.create(events, NS, { apiVersion: 'v1', kind: 'Event', metadata: { name: 'Strict_Legacy.1' }, involvedObject: about, eventTime: '2026-12-07T10:00:00.000000Z', reportingComponent: 'example.com/tester', reportingInstance: 'tester-1', action: 'Testing', reason: 'Tested', type: 'Bogus', count: 3, source: { component: 'kubelet' } });
    expect(legacy.type).toBe('Bogus');

    // An update through events.k8s.io/v1 may move the series on, not rewrite what happened.
    await client.create(newEvents, NS, strict('strict-ok', {}));
    const series = await client.patch(newEvents, NS, 'strict-ok', { series: { count: 2, lastObservedTime: '2026-12-07T10:00:05.000000Z' } }, 'merge');
    expect(series.series).toMatchObject({ count: 2 });
    const rewritten = await client.patch(newEvents, NS, 'strict-ok', { reason: 'Other', note: 'changed' }, 'merge').catch((e) => e);
    expect(rewritten).toMatchObject({ code: 422 });
    expect(rewritten.message).toContain('reason: Invalid value: "Other": field is immutable');
    // Through core/v1 the same change is allowed, as in Kubernetes.
    expect((await client.patch(events, NS, 'strict-ok', { reason: 'Other' }, 'merge')).reason).toBe('Other');
  });

  it('kubectl lists them, selected by the object they are about', async () => {
    await client.create(events, NS, event('kubectl-seen', 'shown', 'Pulled'));
    const kubectl = kubectlFor(api.url);
    const out = await kubectl.ok(['get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=shown']);
    expect(out).toMatch(/Normal\s+Pulled\s+pod\/shown\s+about shown/);
  });
});
