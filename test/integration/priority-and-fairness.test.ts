// API Priority and Fairness holds requests to their priority level's seats, against the real
// process: with --max-requests-inflight 4 and --max-mutating-requests-inflight 2 (six seats for
// the server) a level of one share that may not borrow has one seat. A request whose body is still arriving holds it;
// then a Reject level answers 429 at once, a Queue level makes the next request wait for the seat
// and refuses one more when its only queue is full, while the local admin (exempt) is never held.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApiServer, type ApiServerHandle } from '../harness/apiserver.js';
import { waitFor } from '../harness/ports.js';

let api: ApiServerHandle;
const base = '/apis/flowcontrol.apiserver.k8s.io/v1';

beforeAll(async () => {
  api = await startApiServer({ etcd: inject('etcdEndpoint'), args: ['--max-requests-inflight', '4', '--max-mutating-requests-inflight', '2'] });
});
afterAll(async () => {
  await api?.stop();
});

const post = async (path: string, body: unknown) => (await fetch(`${api.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status;
const as = (user: string, path = '/version') => fetch(`${api.url}${path}`, { headers: { 'Impersonate-User': user } });

/** A create as `user` whose body stops halfway: it holds a seat until `finish` or `drop`. */
async function stalled(user: string, port = api.port, name = `held-${user}`): Promise<{ socket: Socket; finish: () => Promise<string>; drop: () => void }> {
  const body = JSON.stringify({ metadata: { name } });
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (d) => (text += d.toString()));
  socket.on('error', () => undefined);
  await new Promise((r) => socket.once('connect', r));
  socket.write(`POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nImpersonate-User: ${user}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
  return {
    socket,
    finish: async () => {
      socket.write(body.slice(10));
      await waitFor('the held request to be answered', async () => (/^HTTP\/1.1 \d+/.test(text) ? true : undefined));
      socket.destroy();
      return text.slice(9, 12);
    },
    drop: () => socket.destroy(),
  };
}

describe('API Priority and Fairness', () => {
  it('holds each Limited level to its seats: Reject refuses, Queue waits then refuses a full queue, exempt passes', async () => {
    const level = (name: string, limitResponse: unknown) => ({ apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 1, borrowingLimitPercent: 0, limitResponse } } });
    const schema = (name: string, user: string) => ({
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
      kind: 'FlowSchema',
      metadata: { name },
      spec: { matchingPrecedence: 500, priorityLevelConfiguration: { name }, distinguisherMethod: { type: 'ByUser' }, rules: [{ subjects: [{ kind: 'User', user: { name: user } }], resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] }] },
    });
    // Both users may write (RBAC on): the gate lets their creates through to the levels.
    const admin = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'apf-users' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: ['rejected', 'queued'].map((name) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name })) };
    expect(await post('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', admin)).toBe(201);
    expect(await post(`${base}/prioritylevelconfigurations`, level('apf-reject', { type: 'Reject' }))).toBe(201);
    expect(await post(`${base}/prioritylevelconfigurations`, level('apf-queue', { type: 'Queue', queuing: { queues: 1, handSize: 1, queueLengthLimit: 1 } }))).toBe(201);
    expect(await post(`${base}/flowschemas`, schema('apf-reject', 'rejected'))).toBe(201);
    expect(await post(`${base}/flowschemas`, schema('apf-queue', 'queued'))).toBe(201);
    const levelUid = async (name: string) => ((await (await fetch(`${api.url}${base}/prioritylevelconfigurations/${name}`)).json()) as { metadata: { uid: string } }).metadata.uid;
    const rejectUid = await levelUid('apf-reject');
    await waitFor('the schemas to classify', async () => ((await as('rejected')).headers.get('x-kubernetes-pf-prioritylevel-uid') === rejectUid ? true : undefined));

    // Reject: with its one seat held, the next request is refused at once, the admin is not held.
    const held = await stalled('rejected');
    await waitFor('the seat to be taken', async () => ((await as('rejected')).status === 429 ? true : undefined));
    const refused = await as('rejected');
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([429, '1']);
    expect(await refused.json()).toMatchObject({ kind: 'Status', code: 429, reason: 'TooManyRequests', message: 'Too many requests, please try again later.' });
    expect((await fetch(`${api.url}/version`)).status).toBe(200);
    held.drop(); // the client goes away: its seat is given back
    await waitFor('the seat to be free', async () => ((await as('rejected')).status === 200 ? true : undefined));

    // Queue: the next request waits for the seat, one more finds the only queue full.
    const holder = await stalled('queued');
    await waitFor('the seat to be taken', async () => ((await fetch(`${api.url}/metrics`).then((r) => r.text())).includes('apiserver_flowcontrol_current_executing_requests{priority_level="apf-queue"} 1') ? true : undefined));
    let waitedFor = 0;
    const waiting = as('queued').then((r) => ((waitedFor = Date.now()), r.status));
    await waitFor('the request to queue', async () => ((await fetch(`${api.url}/metrics`).then((r) => r.text())).includes('apiserver_flowcontrol_current_inqueue_requests{priority_level="apf-queue"} 1') ? true : undefined));
    expect((await as('queued')).status).toBe(429);
    expect(waitedFor).toBe(0);
    // The debugging dumps show it, as Kubernetes prints them.
    const dump = (what: string) => fetch(`${api.url}/debug/api_priority_and_fairness/${what}`).then((r) => r.text());
    expect((await dump('dump_priority_levels')).split('\n')).toContainEqual(expect.stringMatching(/^apf-queue, +1, +false, +false, +1, +1$/));
    expect((await dump('dump_requests?includeRequestDetails=1')).split('\n')).toContainEqual(expect.stringMatching(/^apf-queue, +apf-queue, +0, +0, +queued, .* queued, +get, +\/version,/));
    const finishedAt = Date.now();
    expect(await holder.finish()).toBe('201');
    expect(await waiting).toBe(200);
    expect(waitedFor).toBeGreaterThanOrEqual(finishedAt);

    const metrics = await fetch(`${api.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/apiserver_flowcontrol_rejected_requests_total\{priority_level="apf-reject",reason="concurrency-limit"\} [1-9]/);
    expect(metrics).toContain('apiserver_flowcontrol_rejected_requests_total{priority_level="apf-queue",reason="queue-full"} 1');
    expect(metrics).toContain('apiserver_flowcontrol_current_executing_requests{priority_level="apf-queue"} 0');
  });

  it('gives a LIST a seat per hundred objects: an unread LIST of 350 ConfigMaps holds four seats of its level, one by name holds one', async () => {
    // The default 600 seats, so a level of ten shares has about 24 and lets one request take 15% of them.
    const wide = await startApiServer({ etcd: inject('etcdEndpoint') });
    try {
      const at = (path: string, body: unknown) => fetch(`${wide.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.status);
      expect(await at('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'apf-lister' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'lister' }] })).toBe(201);
      expect(await at(`${base}/prioritylevelconfigurations`, { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: 'apf-wide' }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 10, limitResponse: { type: 'Queue', queuing: { queues: 4, handSize: 1, queueLengthLimit: 10 } } } } })).toBe(201);
      expect(await at(`${base}/flowschemas`, { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: 'apf-wide' }, spec: { matchingPrecedence: 500, priorityLevelConfiguration: { name: 'apf-wide' }, distinguisherMethod: { type: 'ByUser' }, rules: [{ subjects: [{ kind: 'User', user: { name: 'lister' } }], resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] }] }] } })).toBe(201);
      expect(await at('/api/v1/namespaces', { metadata: { name: 'wide' } })).toBe(201);
      // Big enough together (~17 MB) that a client which does not read keeps the answer, and its seats, in flight.
      const data = { blob: 'x'.repeat(48 * 1024) };
      for (let i = 0; i < 350; i += 25) {
        const batch = Array.from({ length: 25 }, (_, j) => at('/api/v1/namespaces/wide/configmaps', { metadata: { name: `cm-${i + j}` }, data }));
        expect(new Set(await Promise.all(batch))).toEqual(new Set([201]));
      }
      const metrics = () => fetch(`${wide.url}/metrics`).then((r) => r.text());
      await waitFor('the level to classify', async () => ((await metrics()).includes('apiserver_flowcontrol_nominal_limit_seats{priority_level="apf-wide"}') ? true : undefined));
      const nominal = Number(/apiserver_flowcontrol_nominal_limit_seats\{priority_level="apf-wide"\} (\d+)/.exec(await metrics())![1]);
      expect(Math.ceil(nominal * 0.15)).toBeGreaterThanOrEqual(4); // one request may take four seats of it
      const stored = Number(JSON.parse(await fetch(`${wide.url}/api/v1/configmaps?limit=1`).then((r) => r.text())).metadata.remainingItemCount) + 1;
      const reader = connect(wide.port, '127.0.0.1');
      reader.on('error', () => undefined);
      await new Promise((r) => reader.once('connect', r));
      reader.pause();
      reader.write('GET /api/v1/namespaces/wide/configmaps HTTP/1.1\r\nHost: x\r\nImpersonate-User: lister\r\n\r\n');
      try {
        const seats = Math.min(Math.ceil(stored / 100), Math.ceil(nominal * 0.15), 10);
        expect(seats).toBe(4);
        await waitFor('the unread LIST to hold its seats', async () => ((await metrics()).includes(`apiserver_flowcontrol_current_executing_seats{priority_level="apf-wide"} ${seats}`) ? true : undefined));
        expect(await metrics()).toContain('apiserver_flowcontrol_current_executing_requests{priority_level="apf-wide"} 1');
        // A LIST by name reads one object: one seat beside it, and it is answered.
        const one = await fetch(`${wide.url}/api/v1/namespaces/wide/configmaps?fieldSelector=metadata.name%3Dcm-1`, { headers: { 'Impersonate-User': 'lister' } });
        expect([one.status, ((await one.json()) as { items: unknown[] }).items.length]).toEqual([200, 1]);
      } finally {
        reader.destroy();
      }
      await waitFor('the seats to be given back', async () => ((await metrics()).includes('apiserver_flowcontrol_current_executing_seats{priority_level="apf-wide"} 0') ? true : undefined));
    } finally {
      await wide.stop();
    }
  }, 120_000);

  it('lets a busy level borrow the seats idle levels lend: its waiting requests run after a borrowing period', async () => {
    // Six seats for the server; a level of one share has one seat of its own. The wait limit (a
    // quarter of --request-timeout) outlasts two ten-second borrowing periods.
    const borrower = await startApiServer({ etcd: inject('etcdEndpoint'), args: ['--max-requests-inflight', '4', '--max-mutating-requests-inflight', '2', '--request-timeout', '2m'] });
    const held: Awaited<ReturnType<typeof stalled>>[] = [];
    try {
      const at = (path: string, body: unknown) => fetch(`${borrower.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.status);
      expect(await at('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'apf-borrower' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'borrower' }] })).toBe(201);
      expect(await at(`${base}/prioritylevelconfigurations`, { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: 'apf-borrow' }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 1, limitResponse: { type: 'Queue', queuing: { queues: 1, handSize: 1, queueLengthLimit: 10 } } } } })).toBe(201);
      expect(await at(`${base}/flowschemas`, { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: 'apf-borrow' }, spec: { matchingPrecedence: 500, priorityLevelConfiguration: { name: 'apf-borrow' }, distinguisherMethod: { type: 'ByUser' }, rules: [{ subjects: [{ kind: 'User', user: { name: 'borrower' } }], resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] }] }] } })).toBe(201);
      const metrics = () => fetch(`${borrower.url}/metrics`).then((r) => r.text());
      const gauge = async (name: string) => Number(new RegExp(`${name}\\{priority_level="apf-borrow"\\} ([0-9.]+)`).exec(await metrics())?.[1] ?? NaN);
      await waitFor('the level to be configured', async () => ((await gauge('apiserver_flowcontrol_nominal_limit_seats')) === 1 ? true : undefined));
      expect(await gauge('apiserver_flowcontrol_lower_limit_seats')).toBe(1);
      const before = await gauge('apiserver_flowcontrol_current_limit_seats');
      // Four creates held halfway: more than the level has, so some wait in its queue.
      for (let i = 0; i < 4; i++) held.push(await stalled('borrower', borrower.port, `b${i}`));
      await waitFor('the creates to be held', async () => ((await gauge('apiserver_flowcontrol_current_executing_requests')) + (await gauge('apiserver_flowcontrol_current_inqueue_requests')) === 4 ? true : undefined));
      expect(await gauge('apiserver_flowcontrol_current_inqueue_requests')).toBeGreaterThan(0);
      expect(await gauge('apiserver_flowcontrol_current_executing_requests')).toBe(before);
      // Within two periods the level's limit follows its demand, borrowed from the idle levels.
      await waitFor('the level to borrow', async () => ((await gauge('apiserver_flowcontrol_current_executing_requests')) === 4 ? true : undefined), 30_000);
      expect(await gauge('apiserver_flowcontrol_current_limit_seats')).toBeGreaterThanOrEqual(4);
      expect(await gauge('apiserver_flowcontrol_demand_seats_high_watermark')).toBe(4);
      for (const h of held.splice(0)) expect(await h.finish()).toBe('201');
    } finally {
      held.forEach((h) => h.drop());
      await borrower.stop();
    }
  }, 90_000);
});
