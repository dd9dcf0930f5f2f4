// The apiserver's request limits, against the real process: a client that sends its request
// too slowly is answered 408 and cut off, writes beyond what the client's priority level runs
// at once get 429 with Retry-After (and nothing half-stored), and long-running watches take no
// seats of the level.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { waitFor } from '../harness/ports.js';

let api: ApiServerHandle;

beforeAll(async () => {
  api = await startApiServer({
    etcd: inject('etcdEndpoint'),
    args: ['--request-timeout', '2s', '--max-mutating-requests-inflight', '2', '--max-requests-inflight', '2'],
  });
});
afterAll(async () => {
  await api?.stop();
});

const as = (user: string) => ({ 'Impersonate-User': user });
const posted = (path: string, body: unknown) => fetch(`${api.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.status);

/** User `user` may do anything, and runs at most one request at a time: a Reject level of one seat that does not borrow. */
async function oneSeatUser(user: string): Promise<void> {
  const flowcontrol = '/apis/flowcontrol.apiserver.k8s.io/v1';
  expect(await posted('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: user }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }] })).toBe(201);
  expect(await posted(`${flowcontrol}/prioritylevelconfigurations`, { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: user }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 1, borrowingLimitPercent: 0, limitResponse: { type: 'Reject' } } } })).toBe(201);
  expect(await posted(`${flowcontrol}/flowschemas`, { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: user }, spec: { matchingPrecedence: 500, priorityLevelConfiguration: { name: user }, rules: [{ subjects: [{ kind: 'User', user: { name: user } }], resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] }] }] } })).toBe(201);
  const levelUid = ((await (await fetch(`${api.url}${flowcontrol}/prioritylevelconfigurations/${user}`)).json()) as { metadata: { uid: string } }).metadata.uid;
  await waitFor('the schema to classify', async () => ((await fetch(`${api.url}/api/v1/namespaces/default/configmaps?limit=1`, { headers: as(user) })).headers.get('x-kubernetes-pf-prioritylevel-uid') === levelUid ? true : undefined));
}

/** Writes `bytes` and never finishes the request; resolves with what the server said and when. */
function stall(bytes: string): Promise<{ text: string; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(api.port, '127.0.0.1');
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.on('close', () => resolve({ text, ms: Date.now() - started }));
    socket.on('error', () => undefined);
    socket.write(bytes);
    setTimeout(() => socket.destroy(), 15_000);
  });
}

describe('request limits', () => {
  it('answers a request whose body never finishes arriving with a Timeout Status and closes the connection', async () => {
    const { text, ms } = await stall(`POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"metadata":`);
    // The handler deadline (504, as Kubernetes' timeout filter answers) and Node's deadline for
    // receiving the request (408) are the same --request-timeout; whichever fires first answers.
    const code = Number(/^HTTP\/1.1 (\d+)/.exec(text)?.[1]);
    expect([408, 504]).toContain(code);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({ kind: 'Status', code, reason: 'Timeout' });
    // Closed by the server, well before the test's own 15 s give-up.
    expect(ms).toBeLessThan(14_000);
  });

  it('does the same for headers that never finish', async () => {
    const { text } = await stall('GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    expect(text).toMatch(/^HTTP\/1.1 408/);
  });

  it('refuses writes beyond what the priority level runs at once with 429 and Retry-After, and stores exactly the accepted ones', async () => {
    await oneSeatUser('burst');
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        fetch(`${api.url}/api/v1/namespaces/default/configmaps`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...as('burst') },
          body: JSON.stringify({ metadata: { name: `burst-${i}`, labels: { burst: 'yes' } } }),
        }).then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.json() })),
      ),
    );
    const refused = results.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.retryAfter).toBe('1');
      expect(r.body).toMatchObject({ kind: 'Status', code: 429, reason: 'TooManyRequests', details: { retryAfterSeconds: 1 } });
    }
    const accepted = results.map((r, i) => (r.status === 201 ? `burst-${i}` : undefined)).filter(Boolean);
    expect(accepted.length + refused.length).toBe(40);
    const list = (await (await fetch(`${api.url}/api/v1/namespaces/default/configmaps?labelSelector=burst%3Dyes`)).json()) as { items: Array<{ metadata: { name: string } }> };
    expect(list.items.map((i) => i.metadata.name).sort()).toEqual([...accepted].sort());
  });

  it('answers an object too large for etcd (within the body limit) 413 with etcd\'s reason, stores nothing and serves on', async () => {
    const template = (name: string, bytes: number) => JSON.stringify({ apiVersion: 'v1', kind: 'PodTemplate', metadata: { name }, template: { spec: { containers: [{ name: 'c', image: 'i', env: [{ name: 'E', value: 'x'.repeat(bytes) }] }] } } });
    const post = (body: string) => fetch(`${api.url}/api/v1/namespaces/default/podtemplates`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    // etcd's default limit is 1.5 MiB per request; the apiserver takes bodies up to 3 MiB.
    const res = await post(template('too-large', 2_200_000));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ kind: 'Status', code: 413, reason: 'RequestEntityTooLarge', message: expect.stringContaining('etcdserver: request is too large') });
    expect((await fetch(`${api.url}/api/v1/namespaces/default/podtemplates/too-large`)).status).toBe(404);
    const small = await post(template('fits', 1000));
    expect(small.status).toBe(201);
  });

  it('gives a watch\'s seat back once it has started: five open watches leave a one-seat level free', async () => {
    await oneSeatUser('watcher');
    const executing = async () => Number(/apiserver_flowcontrol_current_executing_requests\{priority_level="watcher"\} (\d+)/.exec(await fetch(`${api.url}/metrics`).then((r) => r.text()))?.[1]);
    // While a create holds the level's one seat (its body never finishes), a watch is refused as any request is.
    const held = stall(`POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nImpersonate-User: watcher\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"metadata":`);
    await waitFor('the create to hold the seat', async () => ((await executing()) === 1 ? true : undefined));
    expect((await fetch(`${api.url}/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=3`, { headers: as('watcher') })).status).toBe(429);
    await held; // cut off by --request-timeout, its seat given back
    await waitFor('the seat to be free', async () => ((await executing()) === 0 ? true : undefined));
    const watches: Response[] = [];
    for (let i = 0; i < 5; i++) {
      const w = await fetch(`${api.url}/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=3`, { headers: as('watcher') });
      expect(w.status).toBe(200);
      watches.push(w);
      await waitFor('the watch to start and give its seat back', async () => ((await executing()) === 0 ? true : undefined));
    }
    const get = await fetch(`${api.url}/api/v1/namespaces/default/configmaps?limit=1`, { headers: as('watcher') });
    expect(get.status).toBe(200);
    await Promise.all(watches.map((w) => w.body?.cancel() ?? Promise.resolve()));
  });
});
