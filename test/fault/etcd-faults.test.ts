// Faults with real processes: etcd killed and restarted, the etcd leader killed in a
// three-member cluster, answers from etcd lost on the wire, an apiserver cut off from etcd,
// etcd out of space, and apiservers killed under load. Every write the apiserver acknowledged must survive, no
// answer may be a lie (a false AlreadyExists, Conflict or NotFound), writes must resume once
// etcd answers, and /readyz must not say ready before the watch cache has caught up.
import { afterEach, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { EtcdCluster } from '../harness/etcd.js';
import { startWriteLoad, storedNames } from '../harness/load.js';
import { waitFor } from '../harness/ports.js';
import { TcpProxy } from '../harness/tcp-proxy.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  prefix = '';
});

async function etcdCluster(size: number, args: string[] = []): Promise<EtcdCluster> {
  const c = await EtcdCluster.start(size, undefined, args);
  cleanups.push(() => c.stop());
  return c;
}

/** Apiservers of one test share its etcd key prefix: they are one cluster. */
let prefix = '';
async function apiserver(etcd: string[], args: string[] = []): Promise<ApiServerHandle> {
  prefix ||= `/fault-${process.pid}-${Date.now()}`;
  const a = await startApiServer({ etcd: etcd.join(','), prefix, args });
  cleanups.push(() => a.stop());
  return a;
}

async function proxyTo(endpoint: string): Promise<TcpProxy> {
  const url = new URL(endpoint);
  const p = new TcpProxy(url.hostname, Number(url.port));
  await p.start();
  cleanups.push(() => p.stop());
  return p;
}

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const post = (url: string, body: unknown) => json(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

async function metric(server: string, name: string): Promise<number> {
  const text = await (await fetch(`${server}/metrics`)).text();
  return Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1] ?? NaN);
}

async function readyz(server: string): Promise<number> {
  try {
    return (await fetch(`${server}/readyz`, { signal: AbortSignal.timeout(3000) })).status;
  } catch {
    return 0;
  }
}

describe('etcd answers lost on the wire', () => {
  it('resolves lost answers by reading: creates, updates and deletes answer the truth, never a false 409 or 404', async () => {
    const etcd = await etcdCluster(1);
    const proxy = await proxyTo(etcd.endpoints[0]!);
    const api = await apiserver([proxy.endpoint]);
    const base = `${api.url}/api/v1/namespaces/default/configmaps`;
    for (let i = 0; i < 20; i++) expect((await post(base, { metadata: { name: `u-${i}` }, data: { v: '0' } })).status).toBe(201);
    const current = await Promise.all(Array.from({ length: 20 }, (_, i) => json(`${base}/u-${i}`)));

    // Requests reach etcd and are applied, but every answer is lost; then the connections drop.
    proxy.mode = 'lose-answers';
    const creates = Array.from({ length: 20 }, (_, i) => post(base, { metadata: { name: `c-${i}` }, data: { v: '1' } }));
    const updates = current.slice(0, 10).map((c, i) =>
      json(`${base}/u-${i}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...c.body, data: { v: 'updated' } }) }),
    );
    const deletes = Array.from({ length: 10 }, (_, i) => json(`${base}/u-${10 + i}`, { method: 'DELETE' }));
    await new Promise((r) => setTimeout(r, 400));
    proxy.heal();
    proxy.cut();

    const created = await Promise.all(creates);
    expect(created.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect((await Promise.all(updates)).map((r) => r.status)).toEqual(Array(10).fill(200));
    expect((await Promise.all(deletes)).map((r) => r.status)).toEqual(Array(10).fill(200));
    // The server learned by reading back that its first attempts had been applied.
    expect(await metric(api.url, 'kubette_etcd_resolved_writes_total')).toBeGreaterThan(0);

    const list = (await json(base)).body.items as Array<{ metadata: { name: string; resourceVersion: string }; data: { v: string } }>;
    const byName = new Map(list.map((i) => [i.metadata.name, i]));
    for (let i = 0; i < 20; i++) expect(byName.get(`c-${i}`)?.data.v).toBe('1');
    for (let i = 0; i < 10; i++) expect(byName.get(`u-${i}`)?.data.v).toBe('updated');
    for (let i = 10; i < 20; i++) expect(byName.has(`u-${i}`)).toBe(false);
    // Each update was applied exactly once: one resourceVersion step from the original.
    for (let i = 0; i < 10; i++) expect(byName.get(`u-${i}`)?.metadata.resourceVersion).not.toBe(current[i]!.body.metadata.resourceVersion);
  });
});

describe('an apiserver cut off from etcd', () => {
  it('is not ready until its watch cache holds everything written while it was away', async () => {
    const etcd = await etcdCluster(1);
    const proxy = await proxyTo(etcd.endpoints[0]!);
    const cutOff = await apiserver([proxy.endpoint]);
    const other = await apiserver(etcd.endpoints);

    proxy.partition();
    await waitFor('the cut-off apiserver to report not ready', async () => (await readyz(cutOff.url)) === 500, 20_000);
    const written: string[] = [];
    for (let i = 0; i < 30; i++) {
      expect((await post(`${other.url}/api/v1/namespaces/default/configmaps`, { metadata: { name: `away-${i}` } })).status).toBe(201);
      written.push(`away-${i}`);
    }
    expect((await json(`${other.url}/api/v1/namespaces/default/configmaps/away-0`, { method: 'DELETE' })).status).toBe(200);

    proxy.heal();
    const healed = Date.now();
    await waitFor('the cut-off apiserver to be ready again', async () => (await readyz(cutOff.url)) === 200, 20_000, 10);
    const recoveredMs = Date.now() - healed;
    // The first moment it says ready, its cache (resourceVersion=0 lists come from it) is current.
    const cached = await json(`${cutOff.url}/api/v1/namespaces/default/configmaps?resourceVersion=0`);
    const names = new Set(cached.body.items.map((i: any) => i.metadata.name));
    expect(written.slice(1).filter((n) => !names.has(n))).toEqual([]);
    expect(names.has('away-0')).toBe(false);
    console.log(`ready again ${recoveredMs} ms after the partition healed`);
  });

  it('serves no stale read as fresh while etcd is unreachable, and says not ready', async () => {
    const etcd = await etcdCluster(1);
    const proxy = await proxyTo(etcd.endpoints[0]!);
    const cutOff = await apiserver([proxy.endpoint]);
    const other = await apiserver(etcd.endpoints);
    const base = (server: string) => `${server}/api/v1/namespaces/default/configmaps`;
    expect((await post(base(other.url), { metadata: { name: 'kept' }, data: { v: 'old' } })).status).toBe(201);
    await waitFor('the cut-off apiserver to see the object', async () => (await json(`${base(cutOff.url)}?resourceVersion=0`)).body.items.length === 1, 10_000);

    // A DROP rule on its etcd port: connections stay open, nothing answers.
    proxy.blackhole();
    const kept = (await json(`${base(other.url)}/kept`)).body;
    expect((await json(`${base(other.url)}/kept`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...kept, data: { v: 'new' } }) })).status).toBe(200);
    expect((await post(base(other.url), { metadata: { name: 'born-away' } })).status).toBe(201);

    // Reads that promise the latest state (no resourceVersion) get an error Status, not the
    // old value, a list without the new object or a false NotFound.
    const [getKept, getBorn, list, ready] = await Promise.all([
      json(`${base(cutOff.url)}/kept`),
      json(`${base(cutOff.url)}/born-away`),
      json(base(cutOff.url)),
      waitFor('the cut-off apiserver to report not ready', async () => (await readyz(cutOff.url)) === 500, 20_000),
    ]);
    for (const r of [getKept, getBorn, list]) {
      expect(r.status).toBeGreaterThanOrEqual(500);
      expect(r.body).toMatchObject({ kind: 'Status', status: 'Failure' });
      expect(['ServiceUnavailable', 'Timeout', 'InternalError']).toContain(r.body.reason);
    }
    expect(ready).toBe(true);
    // resourceVersion=0 asks for any state, and gets the cache's: that is no lie.
    expect((await json(`${base(cutOff.url)}?resourceVersion=0`)).status).toBe(200);

    proxy.heal();
    await waitFor('the cut-off apiserver to be ready again', async () => (await readyz(cutOff.url)) === 200, 30_000);
    expect((await json(`${base(cutOff.url)}/kept`)).body.data).toEqual({ v: 'new' });
    expect((await json(`${base(cutOff.url)}/born-away`)).status).toBe(200);
  }, 90_000);
});

describe('etcd killed and restarted', () => {
  it('loses no acknowledged write, tells no lie, and serves again once etcd is back', async () => {
    const etcd = await etcdCluster(1);
    const api = await apiserver(etcd.endpoints);
    const load = startWriteLoad([api.url], { prefix: 'kill9' });
    await load.acknowledged(50);
    await etcd.kill(0);
    await new Promise((r) => setTimeout(r, 1500));
    const restarted = Date.now();
    await etcd.restart(0);
    await waitFor('readyz after the etcd restart', async () => (await readyz(api.url)) === 200, 20_000, 20);
    const readyAfterMs = Date.now() - restarted;
    await new Promise((r) => setTimeout(r, 1000));
    const result = await load.stop();

    expect(result.wrong).toEqual([]);
    const stored = await storedNames(api.url, 'kill9');
    expect(result.acknowledged.filter((n) => !stored.has(n))).toEqual([]);
    // Writes succeeded after the restart.
    expect(result.outcomes.some((o) => o.status === 201 && o.at > restarted)).toBe(true);
    console.log(`ready ${readyAfterMs} ms after etcd restarted`);

    // A write made now is in the cache (resourceVersion=0 lists) as soon as the apiserver sees it.
    const fresh = await post(`${api.url}/api/v1/namespaces/default/configmaps`, { metadata: { name: 'after-restart' } });
    expect(fresh.status).toBe(201);
    await waitFor('the write in the cache', async () => {
      const cached = await json(`${api.url}/api/v1/namespaces/default/configmaps?resourceVersion=0`);
      return cached.body.items.some((i: any) => i.metadata.name === 'after-restart') || undefined;
    }, 5000);
  });
});

describe('etcd out of space', () => {
  it('refuses writes with etcd\'s message, keeps serving reads, deletes and readiness, and writes again once space is freed', async () => {
    const etcd = await etcdCluster(1, ['--quota-backend-bytes', String(16 * 1024 * 1024)]);
    const api = await apiserver(etcd.endpoints);
    const cms = `${api.url}/api/v1/namespaces/default/configmaps`;
    const big = 'x'.repeat(900 * 1024);
    let refused: { status: number; body: any } | undefined;
    const made: string[] = [];
    for (let i = 0; i < 100 && !refused; i++) {
      const res = await post(cms, { metadata: { name: `big-${i}` }, data: { k: big } });
      if (res.status === 201) made.push(`big-${i}`);
      else refused = res;
    }
    expect(made.length).toBeGreaterThan(0);
    // What Kubernetes answers: an internal error carrying etcd's own words, once.
    expect(refused).toMatchObject({ status: 500, body: { kind: 'Status', reason: 'InternalError', message: 'Internal error occurred: etcdserver: mvcc: database space exceeded' } });
    expect(etcd.etcdctl('alarm', 'list')).toContain('NOSPACE');

    // Reads, deletes and readiness go on: etcd takes them while the alarm is raised.
    expect((await json(`${cms}/${made[0]}`)).status).toBe(200);
    expect((await json(cms)).body.items.length).toBe(made.length);
    expect(await readyz(api.url)).toBe(200);
    for (const name of made) expect((await json(`${cms}/${name}`, { method: 'DELETE' })).status).toBe(200);

    // The operator's recovery (compact, defragment, disarm): the same apiserver writes again.
    const revision = Number(/"revision":(\d+)/.exec(etcd.etcdctl('endpoint', 'status', '-w', 'json'))![1]);
    etcd.etcdctl('compact', String(revision));
    etcd.etcdctl('defrag');
    etcd.etcdctl('alarm', 'disarm');
    await waitFor('writes accepted again', async () => (await post(cms, { metadata: { name: 'after-space' }, data: { k: 'v' } })).status === 201 || undefined, 10_000, 200);
    expect((await json(`${cms}/after-space`)).body.data).toEqual({ k: 'v' });
  }, 120_000);
});

describe('three-member etcd', () => {
  it('keeps serving writes when the leader is killed: no acknowledged write lost, no lie, no failed write', async () => {
    const etcd = await etcdCluster(3);
    const api = await apiserver(etcd.endpoints);
    const load = startWriteLoad([api.url], { prefix: 'leader' });
    await load.acknowledged(50);
    const leader = etcd.leader();
    await etcd.kill(leader);
    // Writes go on once the survivors have a leader: ten more acknowledged after the election
    // window (however long a loaded machine takes to get there; the test's timeout bounds it).
    await new Promise((r) => setTimeout(r, 1000));
    await load.acknowledged(load.ackedSoFar + 10);
    const result = await load.stop();

    expect(result.wrong).toEqual([]);
    expect(result.failed).toEqual([]);
    const stored = await storedNames(api.url, 'leader');
    expect(result.acknowledged.filter((n) => !stored.has(n))).toEqual([]);
    // The watch caches moved to the surviving members.
    await waitFor('readyz with a dead member', async () => (await readyz(api.url)) === 200, 15_000);
    // The killed member comes back and catches up.
    await etcd.restart(leader);
  });
});

describe('apiservers killed under load', () => {
  it('loses no acknowledged write and a watch on another apiserver sees every one, in order', async () => {
    const etcd = await etcdCluster(1);
    const a = await apiserver(etcd.endpoints);
    const b = await apiserver(etcd.endpoints);
    const events: Array<{ type: string; name: string; rv: number }> = [];
    const watch = new AbortController();
    cleanups.push(async () => watch.abort());
    const watching = (async () => {
      const res = await fetch(`${b.url}/api/v1/namespaces/default/configmaps?watch=1&labelSelector=load%3Dapikill`, { signal: watch.signal });
      const reader = res.body!.getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += Buffer.from(value).toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const ev = JSON.parse(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
          events.push({ type: ev.type, name: ev.object.metadata.name, rv: Number(ev.object.metadata.resourceVersion) });
        }
      }
    })().catch(() => undefined);

    const load = startWriteLoad([a.url, b.url], { prefix: 'apikill' });
    await load.acknowledged(40);
    await a.kill();
    await load.acknowledged(80);
    await a.restart();
    await load.acknowledged(140);
    const result = await load.stop();

    expect(result.wrong).toEqual([]);
    const stored = await storedNames(b.url, 'apikill');
    expect(result.acknowledged.filter((n) => !stored.has(n))).toEqual([]);
    await waitFor('the watch to see every acknowledged write', async () => {
      const seen = new Set(events.map((e) => e.name));
      return result.acknowledged.every((n) => seen.has(n)) || undefined;
    }, 10_000);
    const rvs = events.map((e) => e.rv);
    expect(rvs).toEqual([...rvs].sort((x, y) => x - y));
    expect(new Set(rvs).size).toBe(rvs.length);
    watch.abort();
    await watching;
  });
});
