// Lists served from the watch cache (issue 16) must keep Kubernetes' guarantees: a list
// without resourceVersion sees every write acknowledged before it — also when another
// apiserver made the write and this one's cache has not applied it yet — and the pages of a
// paged list all show the store at the first page's resourceVersion, whichever apiserver
// serves the next page and whatever changed meanwhile. A watch from a list's resourceVersion
// gets exactly what came after it.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { TcpProxy } from '../harness/tcp-proxy.js';

let a: ApiServerHandle;
let b: ApiServerHandle;
/** b reaches etcd through this: its watch events (and answers) can be made to trail a's writes. */
let slowLink: TcpProxy;
const prefix = `/kubette-test-${randomBytes(4).toString('hex')}`;

interface ConfigMapList {
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: Array<{ metadata: { name: string; resourceVersion: string; managedFields?: Array<{ manager: string }> }; data?: Record<string, string> }>;
}

async function call(api: ApiServerHandle, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

const list = async (api: ApiServerHandle, ns: string, query = '') => (await call(api, 'GET', `/api/v1/namespaces/${ns}/configmaps${query}`)).json as ConfigMapList;
const names = (l: ConfigMapList) => l.items.map((i) => i.metadata.name);

type WatchEvent = { type: string; object: ConfigMapList['items'][number] };

/** Opens a watch, runs `meanwhile`, and returns the first event the watch delivers. */
async function firstWatchEvent(url: string, meanwhile?: () => Promise<void>): Promise<WatchEvent> {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  await meanwhile?.();
  const reader = res.body!.getReader();
  let text = '';
  while (!text.includes('\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString();
  }
  controller.abort();
  return JSON.parse(text.split('\n')[0]!) as WatchEvent;
}

beforeAll(async () => {
  a = await startApiServer({ etcd: inject('etcdEndpoint'), prefix });
  const etcd = new URL(inject('etcdEndpoint'));
  slowLink = new TcpProxy(etcd.hostname, Number(etcd.port));
  await slowLink.start();
  b = await startApiServer({ etcd: slowLink.endpoint, prefix });
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await slowLink?.stop();
});

describe('consistent lists from the watch cache', () => {
  it('see every write acknowledged before them, made through another apiserver', async () => {
    expect((await call(a, 'POST', '/api/v1/namespaces', { metadata: { name: 'ryw' } })).status).toBe(201);
    // b's cache learns of a's writes 150 ms late: serving its cache as it stands would be stale.
    slowLink.delayMs = 150;
    let stale = 0;
    for (let i = 0; i < 12; i++) {
      const name = `cm-${i}`;
      expect((await call(a, 'POST', '/api/v1/namespaces/ryw/configmaps', { metadata: { name }, data: { v: '1' } })).status).toBe(201);
      // The newest write is elsewhere half the time, so both ways of proving freshness are used.
      if (i % 2) expect((await call(a, 'POST', '/api/v1/namespaces/ryw/secrets', { metadata: { name } })).status).toBe(201);
      if (!names(await list(b, 'ryw')).includes(name)) stale++;
      expect((await call(a, 'PUT', `/api/v1/namespaces/ryw/configmaps/${name}`, { metadata: { name }, data: { v: '2' } })).status).toBe(200);
      if ((await list(b, 'ryw')).items.find((x) => x.metadata.name === name)?.data?.v !== '2') stale++;
      expect((await call(a, 'DELETE', `/api/v1/namespaces/ryw/configmaps/${name}`)).status).toBe(200);
      if (names(await list(b, 'ryw')).includes(name)) stale++;
    }
    slowLink.delayMs = 0;
    expect(stale).toBe(0);
  });

  it('page through one snapshot, on either apiserver, whatever changes meanwhile', async () => {
    expect((await call(a, 'POST', '/api/v1/namespaces', { metadata: { name: 'pages' } })).status).toBe(201);
    for (let i = 0; i < 10; i++) {
      expect((await call(a, 'POST', '/api/v1/namespaces/pages/configmaps', { metadata: { name: `item-${i}` }, data: { v: 'before' } })).status).toBe(201);
    }
    const whole = await list(a, 'pages');
    const first = await list(a, 'pages', '?limit=4');
    expect(names(first)).toEqual(['item-0', 'item-1', 'item-2', 'item-3']);
    expect(first.metadata.remainingItemCount).toBe(6);
    expect(first.metadata.continue).toBeTruthy();
    // Changes after the first page: none of them may show in the later pages.
    await call(b, 'DELETE', '/api/v1/namespaces/pages/configmaps/item-7');
    await call(b, 'PUT', '/api/v1/namespaces/pages/configmaps/item-5', { metadata: { name: 'item-5' }, data: { v: 'after' } });
    await call(b, 'POST', '/api/v1/namespaces/pages/configmaps', { metadata: { name: 'item-55' }, data: { v: 'after' } });
    // The next pages from a (which keeps the snapshot) and from b (which reads etcd at that revision).
    for (const api of [a, b]) {
      const pages: ConfigMapList[] = [first];
      while (pages[pages.length - 1]!.metadata.continue) {
        pages.push(await list(api, 'pages', `?limit=4&continue=${encodeURIComponent(pages[pages.length - 1]!.metadata.continue!)}`));
        expect(pages.length).toBeLessThan(10);
      }
      const items = pages.flatMap((p) => p.items);
      expect(items.map((i) => i.metadata.name)).toEqual(whole.items.map((i) => i.metadata.name));
      expect(items.map((i) => i.data?.v)).toEqual(Array(10).fill('before'));
      expect(new Set(pages.map((p) => p.metadata.resourceVersion))).toEqual(new Set([first.metadata.resourceVersion]));
    }
    // A new list sees the changes.
    const now = await list(a, 'pages');
    expect(names(now)).toContain('item-55');
    expect(names(now)).not.toContain('item-7');
  });

  it('takes hand-made continue tokens into a kept snapshot without leaving the list it names', async () => {
    expect((await call(a, 'POST', '/api/v1/namespaces', { metadata: { name: 'tokens' } })).status).toBe(201);
    for (let i = 0; i < 5; i++) expect((await call(a, 'POST', '/api/v1/namespaces/tokens/configmaps', { metadata: { name: `t-${i}` } })).status).toBe(201);
    const first = await list(a, 'tokens', '?limit=2');
    expect(first.metadata.continue).toBeTruthy();
    const rv = Number(first.metadata.resourceVersion);
    const token = (start: string, at = rv) => encodeURIComponent(Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: at, start })).toString('base64url'));
    const page = (start: string, at?: number) => call(a, 'GET', `/api/v1/namespaces/tokens/configmaps?limit=2&continue=${token(start, at)}`);
    // Past every key: an empty last page. Before every key: the first page again.
    const past = await page('zzzz');
    expect([past.status, past.json.items, past.json.metadata.continue]).toEqual([200, [], undefined]);
    expect((await page('\u0000')).json.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['t-0', 't-1']);
    expect((await page('t-3')).json.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['t-3', 't-4']);
    // Out of the namespace, or a revision no snapshot has (etcd answers): refused, nothing leaks.
    for (const bad of ['../ryw/cm-0', '/../../secrets/x', '']) expect((await page(bad)).status).toBe(400);
    expect((await page('t-3', rv + 1_000_000)).status).toBe(400);
    expect((await call(a, 'GET', '/api/v1/namespaces/tokens/configmaps?limit=2&continue=%5F%5Fproto%5F%5F')).status).toBe(400);
  });

  it("watch from a consistent list's resourceVersion gets exactly what came after it", async () => {
    expect((await call(a, 'POST', '/api/v1/namespaces', { metadata: { name: 'listwatch' } })).status).toBe(201);
    expect((await call(a, 'POST', '/api/v1/namespaces/listwatch/configmaps', { metadata: { name: 'old' } })).status).toBe(201);
    // The newest write elsewhere: the list's resourceVersion is then etcd's, ahead of this cache's newest event.
    expect((await call(a, 'POST', '/api/v1/namespaces/listwatch/secrets', { metadata: { name: 'elsewhere' } })).status).toBe(201);
    const listed = await list(b, 'listwatch');
    expect(names(listed)).toEqual(['old']);
    const first = await firstWatchEvent(`${b.url}/api/v1/namespaces/listwatch/configmaps?watch=1&resourceVersion=${listed.metadata.resourceVersion}`, async () => {
      expect((await call(a, 'POST', '/api/v1/namespaces/listwatch/configmaps', { metadata: { name: 'new' } })).status).toBe(201);
    });
    expect([first.type, first.object.metadata.name]).toEqual(['ADDED', 'new']);
  });

  it('serve objects from the cache with their managedFields, in every form', async () => {
    expect((await call(a, 'POST', '/api/v1/namespaces', { metadata: { name: 'managed' } })).status).toBe(201);
    const res = await fetch(`${a.url}/api/v1/namespaces/managed/configmaps?fieldManager=tester`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: { name: 'cm' }, data: { k: 'v' } }),
    });
    expect(res.status).toBe(201);
    const hpa = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'hpa' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 3 },
    };
    expect((await call(a, 'POST', '/apis/autoscaling/v2/namespaces/managed/horizontalpodautoscalers?fieldManager=tester', hpa)).status).toBe(201);
    const managers = (o: { metadata: { managedFields?: Array<{ manager: string }> } }) => (o.metadata.managedFields ?? []).map((m) => m.manager);
    const rv = (await list(a, 'managed')).metadata.resourceVersion;
    expect(managers((await call(a, 'GET', '/api/v1/namespaces/managed/configmaps/cm?resourceVersion=0')).json)).toEqual(['tester']);
    expect((await list(a, 'managed', `?resourceVersion=${rv}`)).items.map(managers)).toEqual([['tester']]);
    const meta = (await (await fetch(`${a.url}/api/v1/namespaces/managed/configmaps?resourceVersion=0`, { headers: { accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' } })).json()) as ConfigMapList;
    expect(meta.items.map(managers)).toEqual([['tester']]);
    const table = (await (await fetch(`${a.url}/api/v1/namespaces/managed/configmaps?resourceVersion=0`, { headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } })).json()) as { rows: Array<{ object: { metadata: { managedFields?: Array<{ manager: string }> } } }> };
    expect(table.rows.map((r) => managers(r.object))).toEqual([['tester']]);
    // Another version than the stored one is converted from the whole object.
    const v1 = (await call(a, 'GET', '/apis/autoscaling/v1/namespaces/managed/horizontalpodautoscalers?resourceVersion=0')).json as ConfigMapList;
    expect(v1.items.map(managers)).toEqual([['tester']]);
    // And the watch's initial events.
    expect(managers((await firstWatchEvent(`${a.url}/api/v1/namespaces/managed/configmaps?watch=1&resourceVersion=0`)).object)).toEqual(['tester']);
  });
});

describe('updates starting from the watch cache', () => {
  it('judge a pinned resourceVersion, a merge and a no-op on etcd\'s copy when the cache is behind', async () => {
    expect((await call(a, 'POST', '/api/v1/namespaces', { metadata: { name: 'upd' } })).status).toBe(201);
    const first = await call(a, 'POST', '/api/v1/namespaces/upd/configmaps', { metadata: { name: 'cm' }, data: { a: '1' } });
    expect(first.status).toBe(201);
    // b's cache has the object, then learns of a's writes 150 ms late.
    for (let i = 0; i < 100 && !names(await list(b, 'upd', '?resourceVersion=0')).includes('cm'); i++) await new Promise((r) => setTimeout(r, 50));
    slowLink.delayMs = 150;
    try {
      for (let round = 0; round < 3; round++) {
        // A write through a, then at once through b with the resourceVersion a answered: b's
        // cached copy is older, and must not make b refuse it as a conflict.
        const viaA = await call(a, 'PUT', '/api/v1/namespaces/upd/configmaps/cm', { metadata: { name: 'cm' }, data: { a: `a${round}` } });
        expect(viaA.status).toBe(200);
        const viaB = await call(b, 'PUT', '/api/v1/namespaces/upd/configmaps/cm', { metadata: { name: 'cm', resourceVersion: viaA.json.metadata.resourceVersion }, data: { a: `a${round}`, b: `b${round}` } });
        expect(viaB.status).toBe(200);
        // A merge patch through b right after a's write keeps a's change.
        const viaA2 = await call(a, 'PUT', '/api/v1/namespaces/upd/configmaps/cm', { metadata: { name: 'cm' }, data: { a: `a${round}!`, b: `b${round}` } });
        expect(viaA2.status).toBe(200);
        const patched = await fetch(`${b.url}/api/v1/namespaces/upd/configmaps/cm`, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ data: { c: `c${round}` } }) });
        expect(patched.status).toBe(200);
        expect(((await patched.json()) as { data: Record<string, string> }).data).toEqual({ a: `a${round}!`, b: `b${round}`, c: `c${round}` });
        // An update that changes nothing answers with etcd's newest version, not the cache's.
        const viaA3 = await call(a, 'PUT', '/api/v1/namespaces/upd/configmaps/cm', { metadata: { name: 'cm' }, data: { a: 'same' } });
        const noop = await call(b, 'PUT', '/api/v1/namespaces/upd/configmaps/cm', { metadata: { name: 'cm' }, data: { a: 'same' } });
        expect(noop.status).toBe(200);
        expect(noop.json.metadata.resourceVersion).toBe(viaA3.json.metadata.resourceVersion);
      }
      // A stale resourceVersion is still refused.
      const stale = await call(b, 'PUT', '/api/v1/namespaces/upd/configmaps/cm', { metadata: { name: 'cm', resourceVersion: first.json.metadata.resourceVersion }, data: { a: 'late' } });
      expect(stale.status).toBe(409);
    } finally {
      slowLink.delayMs = 0;
    }
  });
});
