// API Priority and Fairness holds requests to their priority level's seats, against the real
// process: with --max-requests-inflight 4 and --max-mutating-requests-inflight 2 (six seats for
// the server) a level of one share has one seat. A request whose body is still arriving holds it;
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
async function stalled(user: string): Promise<{ socket: Socket; finish: () => Promise<string>; drop: () => void }> {
  const body = JSON.stringify({ metadata: { name: `held-${user}` } });
  const socket = connect(api.port, '127.0.0.1');
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
    const level = (name: string, limitResponse: unknown) => ({ apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 1, limitResponse } } });
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
    const finishedAt = Date.now();
    expect(await holder.finish()).toBe('201');
    expect(await waiting).toBe(200);
    expect(waitedFor).toBeGreaterThanOrEqual(finishedAt);

    const metrics = await fetch(`${api.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/apiserver_flowcontrol_rejected_requests_total\{priority_level="apf-reject",reason="concurrency-limit"\} [1-9]/);
    expect(metrics).toContain('apiserver_flowcontrol_rejected_requests_total{priority_level="apf-queue",reason="queue-full"} 1');
    expect(metrics).toContain('apiserver_flowcontrol_current_executing_requests{priority_level="apf-queue"} 0');
  });
});
